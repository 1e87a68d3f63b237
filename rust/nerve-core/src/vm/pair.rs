//! Fused pairs `op2(op1(a, b), c)`: one monomorphic kernel per pair of
//! opcodes and kinds of sources.

use super::lane::{Arg, Cur, Lane};
use super::ops::scalar_op;
use super::sem;
use crate::ir::chain::op_code;
use crate::ir::opcodes::Op;

/// The operations of fused pairs, by const-generic code (0..8: add, sub,
/// mul, div, lt, le, gt, ge), resolved at compile time.
#[inline(always)]
pub(crate) fn ap<const O: u8>(a: f64, b: f64) -> f64 {
    match O {
        0 => a + b,
        1 => a - b,
        2 => a * b,
        3 => a / b,
        4 => sem::b(a < b),
        5 => sem::b(a <= b),
        6 => sem::b(a > b),
        _ => sem::b(a >= b),
    }
}

/// The kernel code of a pair's opcode (the decoder only fuses opcodes of
/// [`crate::ir::chain::CHAIN_OPS`]).
fn pair_code(op: Op) -> u8 {
    op_code(op).unwrap_or(0)
}

#[inline(always)]
fn pair_kernel<const O1: u8, const O2: u8, const L: bool, A: Lane, B: Lane, C: Lane>(
    d: &mut [f64],
    a: A,
    b: B,
    c: C,
) {
    let n = d.len();
    let (a, b, c) = (a.trim(n), b.trim(n), c.trim(n));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        let t = ap::<O1>(a.at(k, cur), b.at(k, cur));
        let x = c.at(k, cur);
        *o = if L { ap::<O2>(t, x) } else { ap::<O2>(x, t) };
    }
}

#[inline(always)]
fn pair_kinds<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    match (a, b, c) {
        (Arg::V(a), Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::S(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::Same, Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::S(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::V(a), Arg::V(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        (Arg::V(a), Arg::S(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        (Arg::S(a), Arg::V(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        // Not built by the decoder (both first sources scalar, or `b` in
        // place); kept total with a generic loop.
        (a, b, c) => pair_generic::<O1, O2, L>(d, a, b, c),
    }
}

/// [`pair_kinds`] for pairs ending in a comparison (a threshold-like
/// `x/dt >= k`): fewer source kinds, to keep the number of kernels down.
#[inline(always)]
fn pair_kinds_cmp<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    match (a, b, c) {
        (Arg::V(a), Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (a, b, c) => pair_generic::<O1, O2, L>(d, a, b, c),
    }
}

/// Any fused pair, one lane at a time (source kinds without their own kernel).
#[inline(never)]
fn pair_generic<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        let t = ap::<O1>(a.at(k, cur), b.at(k, cur));
        let x = c.at(k, cur);
        *o = if L { ap::<O2>(t, x) } else { ap::<O2>(x, t) };
    }
}

/// Run a fused pair: dispatch the runtime opcodes to a monomorphic kernel.
#[inline(always)]
pub(super) fn pair(
    op1: Op,
    op2: Op,
    left: bool,
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    macro_rules! second {
        ($o1:literal) => {
            match (pair_code(op2), left) {
                (0, true) => pair_kinds::<$o1, 0, true>(d, a, b, c),
                (1, true) => pair_kinds::<$o1, 1, true>(d, a, b, c),
                (2, true) => pair_kinds::<$o1, 2, true>(d, a, b, c),
                (3, true) => pair_kinds::<$o1, 3, true>(d, a, b, c),
                (4, true) => pair_kinds_cmp::<$o1, 4, true>(d, a, b, c),
                (5, true) => pair_kinds_cmp::<$o1, 5, true>(d, a, b, c),
                (6, true) => pair_kinds_cmp::<$o1, 6, true>(d, a, b, c),
                (_, true) => pair_kinds_cmp::<$o1, 7, true>(d, a, b, c),
                (0, false) => pair_kinds::<$o1, 0, false>(d, a, b, c),
                (1, false) => pair_kinds::<$o1, 1, false>(d, a, b, c),
                (2, false) => pair_kinds::<$o1, 2, false>(d, a, b, c),
                (3, false) => pair_kinds::<$o1, 3, false>(d, a, b, c),
                (4, false) => pair_kinds_cmp::<$o1, 4, false>(d, a, b, c),
                (5, false) => pair_kinds_cmp::<$o1, 5, false>(d, a, b, c),
                (6, false) => pair_kinds_cmp::<$o1, 6, false>(d, a, b, c),
                (_, false) => pair_kinds_cmp::<$o1, 7, false>(d, a, b, c),
            }
        };
    }
    match pair_code(op1) {
        0 => second!(0),
        1 => second!(1),
        2 => second!(2),
        _ => second!(3),
    }
}

/// The `c` of a [`Fuse::CollectCmpAndPair`]: the pair `op2(op1(a, b), c)`
/// (or `op2(c, op1(a, b))`), evaluated lane by lane on demand, with the
/// scalar semantics of the same opcodes (bit-identical to the vector
/// kernels).
#[derive(Clone, Copy)]
pub(super) struct LazyPair<'a> {
    pub(super) op1: Op,
    pub(super) op2: Op,
    pub(super) left: bool,
    pub(super) src: [Arg<'a>; 3],
}

impl<'a> Lane for LazyPair<'a> {
    #[inline(always)]
    fn trim(self, n: usize) -> Self {
        self.sub(0, n)
    }
    #[inline(always)]
    fn sub(self, from: usize, len: usize) -> Self {
        let cut = |a: Arg<'a>| -> Arg<'a> {
            match a {
                Arg::V(v) => Arg::V(v.get(from..from + len).unwrap_or(&[])),
                other => other,
            }
        };
        LazyPair {
            src: self.src.map(cut),
            ..self
        }
    }
    #[inline(always)]
    fn at(self, k: usize, _: f64) -> f64 {
        // (a collect has no destination: `Same` does not occur)
        let [a, b, c] = self.src.map(|x| x.at(k, 0.0));
        let t = scalar_op(self.op1, a, b, 0.0);
        if self.left {
            scalar_op(self.op2, t, c, 0.0)
        } else {
            scalar_op(self.op2, c, t, 0.0)
        }
    }
}
