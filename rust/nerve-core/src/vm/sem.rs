//! The Python semantics of the arithmetic the engine shares between the
//! scalar block, the vector kernels and the fused chains.

#[inline(always)]
pub fn b(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}
#[inline(always)]
pub fn pymod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 {
        if (r < 0.0) != (b < 0.0) {
            r + b
        } else {
            r
        }
    } else {
        0.0f64.copysign(b)
    }
}
#[inline(always)]
pub fn floordiv(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return (a / b).floor();
    }
    let mut m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        m += b;
        div -= 1.0;
    }
    let _ = m;
    if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        0.0f64.copysign(a / b)
    }
}
/// `b if a != 0 else c`, branch-free on the bits (LLVM would otherwise
/// turn an in-place select into a masked store, which is slow on AMD).
#[inline(always)]
pub fn select(a: f64, b: f64, c: f64) -> f64 {
    let m = u64::from(a != 0.0).wrapping_neg();
    f64::from_bits((b.to_bits() & m) | (c.to_bits() & !m))
}
#[inline(always)]
pub fn sign(a: f64) -> f64 {
    if a > 0.0 {
        1.0
    } else if a < 0.0 {
        -1.0
    } else {
        a * 0.0
    }
}
