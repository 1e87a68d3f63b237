//! Poisson numbers, for `poisson(l)` in model strings.
//!
//! Element `k` of a fill starts from one uniform of lane `k % LANES` (the
//! first draws of [`super::fill_uniform`]); further uniforms, when needed,
//! come from the element's lane.
//!
//! - `l < 10`: inversion: walk the cumulative distribution from 0
//!   (`P(0) = e^-l`, `P(x) = P(x - 1) l / x`), subtracting each
//!   probability from the uniform; about `1 + l` steps. A walk that passes
//!   `l + 30` (round-off left the uniform above the remaining mass) restarts
//!   with a fresh uniform.
//! - `l >= 10`: Hörmann's transformed rejection with squeeze (PTRS, "The
//!   transformed rejection method for generating Poisson random variables",
//!   1993), two uniforms per attempt and about 1.1 attempts per draw, with
//!   `ln x!` from a table below 10 and Stirling's series (error < 4e-13)
//!   above.
//!
//! `l` negative or nan gives nan; `l = 0` gives 0.

use super::{uniform, Stream, LANES};

/// Draw `out[k] ~ Poisson(lam(k))`.
pub fn fill_poisson(r: &mut Stream, out: &mut [f64], lam: impl Fn(usize) -> f64) {
    super::fill_uniform(r, out);
    for (k, o) in out.iter_mut().enumerate() {
        *o = draw(r, k % LANES, lam(k), *o);
    }
}

fn fresh(r: &mut Stream, l: usize) -> f64 {
    let mut g = r.lane(l);
    let u = uniform(&mut g);
    r.set_lane(l, &g);
    u
}

fn draw(r: &mut Stream, l: usize, lam: f64, u: f64) -> f64 {
    if lam.is_nan() || lam < 0.0 || lam.is_infinite() {
        return f64::NAN;
    }
    if lam == 0.0 {
        return 0.0;
    }
    if lam < 10.0 {
        let p0 = (-lam).exp();
        let mut u = u;
        loop {
            let (mut x, mut p) = (0.0, p0);
            while u > p && x <= lam + 30.0 {
                u -= p;
                x += 1.0;
                p *= lam / x;
            }
            if x <= lam + 30.0 {
                return x;
            }
            u = fresh(r, l);
        }
    }
    let slam = lam.sqrt();
    let loglam = lam.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    let mut first = Some(u);
    loop {
        let u = first.take().unwrap_or_else(|| fresh(r, l)) - 0.5;
        let v = fresh(r, l);
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lam + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let lhs = v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln();
        if lhs <= -lam + k * loglam - ln_factorial(k) {
            return k;
        }
    }
}

/// `ln(k!)` for a whole `k >= 0`.
fn ln_factorial(k: f64) -> f64 {
    const SMALL: [f64; 10] = [
        0.0,
        0.0,
        std::f64::consts::LN_2,
        1.791_759_469_228_055,
        3.178_053_830_347_945_7,
        4.787_491_742_782_046,
        6.579_251_212_010_101,
        8.525_161_361_065_415,
        10.604_602_902_745_25,
        12.801_827_480_081_469,
    ];
    if k < 10.0 {
        return SMALL[k as usize];
    }
    // Stirling's series for ln Gamma(n), n = k + 1: (n - 1/2) ln n - n + ln(2 pi)/2
    // + 1/(12 n) - 1/(360 n^3) + 1/(1260 n^5) - 1/(1680 n^7); the next term,
    // 1/(1188 n^9), is below 4e-13 for n >= 11
    let n = k + 1.0;
    let n2 = n * n;
    let series = (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - 1.0 / (1680.0 * n2)) / n2) / n2) / n;
    (n - 0.5) * n.ln() - n + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

#[cfg(test)]
mod tests {
    use super::super::stream;
    use super::*;

    #[test]
    fn ln_factorial_is_accurate() {
        let mut exact = 0.0f64;
        for k in 1..200u32 {
            exact += f64::from(k).ln();
            let got = ln_factorial(f64::from(k));
            assert!(
                (got - exact).abs() <= 1e-12 * exact.max(1.0),
                "k={k}: {got} vs {exact}"
            );
        }
        assert_eq!(ln_factorial(0.0), 0.0);
    }

    /// Mean and variance within 5 standard errors over 2e5 draws (the
    /// sample variance of Poisson counts has sd about sqrt((l + 2 l^2)/n)).
    #[test]
    fn moments_match_the_poisson() {
        let count = 200_000;
        for lam in [0.01, 0.7, 3.0, 9.9, 10.0, 45.0, 1000.0, 1e6] {
            let mut r = stream(5, 9, 0);
            let mut out = vec![0.0; count];
            fill_poisson(&mut r, &mut out, |_| lam);
            assert!(out.iter().all(|&x| x >= 0.0 && x.fract() == 0.0));
            let mean = out.iter().sum::<f64>() / count as f64;
            let var = out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1) as f64;
            let se_mean = (lam / count as f64).sqrt();
            assert!((mean - lam).abs() < 5.0 * se_mean, "l={lam}: mean {mean}");
            let se_var = ((lam + 2.0 * lam * lam) / count as f64).sqrt();
            assert!((var - lam).abs() < 5.0 * se_var, "l={lam}: var {var}");
        }
    }

    #[test]
    fn invalid_rates_give_nan() {
        let mut r = stream(1, 1, 1);
        let mut out = vec![0.0; 4];
        let lams = [0.0, -1.0, f64::NAN, f64::INFINITY];
        fill_poisson(&mut r, &mut out, |k| lams[k]);
        assert_eq!(out[0], 0.0);
        assert!(out[1..].iter().all(|x| x.is_nan()));
    }
}
