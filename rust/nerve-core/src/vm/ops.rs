//! The one table from arithmetic opcodes to their functions.

use super::sem;
use crate::ir::opcodes::Op;

/// Apply a unary (`$u`), binary (`$b`) or ternary (`$t`) handler to the
/// function of each arithmetic opcode. One list, used by the scalar block and
/// by the vector kernels, so both share the same semantics.
macro_rules! dispatch_ops {
    ($op:expr, $u:ident, $b:ident, $t:ident, $other:expr) => {
        match $op {
            Op::Mov => $u!(|a: f64| a),
            Op::Neg => $u!(|a: f64| -a),
            Op::Not => $u!(|a: f64| sem::b(a == 0.0)),
            Op::Abs => $u!(f64::abs),
            Op::Sqrt => $u!(f64::sqrt),
            Op::Exp => $u!(f64::exp),
            Op::Log => $u!(f64::ln),
            Op::Log10 => $u!(f64::log10),
            Op::Sin => $u!(f64::sin),
            Op::Cos => $u!(f64::cos),
            Op::Tan => $u!(f64::tan),
            Op::Sinh => $u!(f64::sinh),
            Op::Cosh => $u!(f64::cosh),
            Op::Tanh => $u!(f64::tanh),
            Op::Arcsin => $u!(f64::asin),
            Op::Arccos => $u!(f64::acos),
            Op::Arctan => $u!(f64::atan),
            Op::Floor => $u!(f64::floor),
            Op::Ceil => $u!(f64::ceil),
            Op::Trunc => $u!(f64::trunc),
            Op::Sign => $u!(sem::sign),
            Op::Exprel => $u!(sem::exprel),
            Op::Expm1 => $u!(f64::exp_m1),
            Op::Log1p => $u!(f64::ln_1p),
            Op::Round => $u!(f64::round_ties_even),
            Op::Add => $b!(|a: f64, b: f64| a + b),
            Op::Sub => $b!(|a: f64, b: f64| a - b),
            Op::Mul => $b!(|a: f64, b: f64| a * b),
            Op::Div => $b!(|a: f64, b: f64| a / b),
            Op::Pow => $b!(f64::powf),
            Op::Mod => $b!(sem::pymod),
            Op::FloorDiv => $b!(sem::floordiv),
            Op::Min => $b!(f64::min),
            Op::Max => $b!(f64::max),
            Op::Lt => $b!(|a: f64, b: f64| sem::b(a < b)),
            Op::Le => $b!(|a: f64, b: f64| sem::b(a <= b)),
            Op::Gt => $b!(|a: f64, b: f64| sem::b(a > b)),
            Op::Ge => $b!(|a: f64, b: f64| sem::b(a >= b)),
            Op::Eq => $b!(|a: f64, b: f64| sem::b(a == b)),
            Op::Ne => $b!(|a: f64, b: f64| sem::b(a != b)),
            Op::And => $b!(|a: f64, b: f64| sem::b(a != 0.0 && b != 0.0)),
            Op::Or => $b!(|a: f64, b: f64| sem::b(a != 0.0 || b != 0.0)),
            Op::Select => $t!(sem::select),
            Op::Clip => $t!(|a: f64, b: f64, c: f64| a.max(b).min(c)),
            _ => $other,
        }
    };
}

pub(crate) use dispatch_ops;

/// The value of a scalar instruction (scalar block semantics).
pub(crate) fn scalar_op(op: Op, a: f64, b: f64, c: f64) -> f64 {
    scalar_op_inline(op, a, b, c)
}

/// [`scalar_op`] inlined in its caller: the scalar block of a program runs
/// once per step and group, and for a small group the call costs as much
/// as the operation.
#[inline(always)]
pub(crate) fn scalar_op_inline(op: Op, a: f64, b: f64, c: f64) -> f64 {
    macro_rules! u {
        ($f:expr) => {
            ($f)(a)
        };
    }
    macro_rules! bi {
        ($f:expr) => {
            ($f)(a, b)
        };
    }
    macro_rules! t {
        ($f:expr) => {
            ($f)(a, b, c)
        };
    }
    let _ = (b, c);
    dispatch_ops!(op, u, bi, t, f64::NAN)
}
