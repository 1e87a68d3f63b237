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
/// `(e^a - 1) / a` without cancellation near 0 (`expm1`), 1 at 0, and
/// without the overflow of `e^a` where the quotient is still finite
/// (709.8 < a < 716.1): `e^(a/2) * (e^(a/2) / a)` (halving is exact).
#[inline(always)]
pub fn exprel(a: f64) -> f64 {
    if a == 0.0 {
        1.0
    } else if a == f64::INFINITY {
        a
    } else if a > 700.0 {
        let half = (0.5 * a).exp();
        half * (half / a)
    } else {
        a.exp_m1() / a
    }
}

/// `table[trunc(b)]`, nan when `b` is nan or its truncation is outside
/// the table (`lookup`).
#[inline(always)]
pub fn lookup(table: &[f64], b: f64) -> f64 {
    let k = b.trunc();
    if k >= 0.0 && k < table.len() as f64 {
        // (k is a whole number in range, so the cast is exact)
        table.get(k as usize).copied().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

/// The table named by the (validated) table operand value `a` of `lookup`.
#[inline(always)]
pub fn table_of(tables: &[std::sync::Arc<[f64]>], a: f64) -> &[f64] {
    tables.get(a as usize).map_or(&[], |t| &t[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// exprel against 50-digit references (mpmath: (exp(x) - 1)/x), within
    /// 2 ulp; near 0 the naive formula would lose every digit, above 709.8
    /// `e^x` alone overflows though the quotient is finite.
    #[test]
    fn lookup_truncates_and_refuses_outside() {
        let t = [1.0, 2.0, 3.0];
        assert_eq!(lookup(&t, 0.0), 1.0);
        assert_eq!(lookup(&t, 2.9), 3.0);
        assert_eq!(lookup(&t, -0.5), 1.0); // trunc(-0.5) = -0
        assert!(lookup(&t, -1.0).is_nan());
        assert!(lookup(&t, 3.0).is_nan());
        assert!(lookup(&t, f64::NAN).is_nan());
        assert!(lookup(&t, f64::INFINITY).is_nan());
        assert!(lookup(&[], 0.0).is_nan());
    }

    #[test]
    fn exprel_matches_high_precision_references() {
        let cases = [
            (1e-300, 1.0),
            (-1e-17, 1.0),
            (1e-10, 1.00000000005),
            (-3e-8, 0.9999999850000002),
            (1e-5, 1.0000050000166667),
            (0.5, 1.2974425414002564),
            (-0.5, 0.7869386805747332),
            (1.0, 1.7182818284590453),
            (-20.0, 0.04999999989694232),
            (30.0, 356215819384.1154),
            (700.0, 1.4489029353357207e301),
            (705.0, 2.135111819947793e303),
            (712.5, 3.819737227650275e306),
            (716.0, 1.2587399625442793e308),
            (-745.0, 0.0013422818791946308),
            (-1e6, 1e-6),
        ];
        for (x, want) in cases {
            let got = exprel(x);
            assert!(
                ((got - want) / want).abs() <= 2.0 * f64::EPSILON,
                "exprel({x}) = {got}, want {want}"
            );
        }
        assert_eq!(exprel(0.0), 1.0);
        assert_eq!(exprel(-0.0), 1.0);
        assert_eq!(exprel(717.0), f64::INFINITY);
        assert_eq!(exprel(f64::INFINITY), f64::INFINITY);
        assert_eq!(exprel(f64::NEG_INFINITY), 0.0);
        assert!(exprel(f64::NAN).is_nan());
    }
}
