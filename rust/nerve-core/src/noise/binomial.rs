//! Binomial numbers by inversion, for `binomial` (Brian2's `BinomialFunction`
//! when its normal approximation is off or does not apply, and
//! `PoissonInput`).
//!
//! Element `k` of a fill starts from one uniform `U` of lane `k % LANES`
//! (the same first draws as [`super::fill_uniform`]) and walks the
//! cumulative distribution of `Binomial(n, P)`, `P = min(p, 1 - p)`, from 0:
//! `P(X = 0) = q^n` and `P(X = x) = P(X = x - 1) * (n - x + 1)/x * P/q`, with
//! `q = 1 - P`, subtracting each probability from `U` until `U` falls within
//! one; the result is `x` (or `n - x` when `p > 1/2`). The expected number of
//! steps is `1 + n P`: `n P` is at most `5` when Brian2's rule sends a draw
//! here with its approximation on. A walk that passes
//! `min(n, n P + 10 sqrt(n P q + 1))` (round-off has left `U` above the
//! remaining mass, probability ~1e-20) restarts with a fresh uniform of the
//! element's lane. When `q^n` underflows (`n P` above ~700) inversion cannot
//! start; those draws take the normal approximation `n P + sqrt(n P q) Z`
//! rounded to the nearest count and clipped to `[0, n]` (its error is far
//! below the sampling noise there).
//! Invalid parameters (`n` not a whole number >= 0, `p` outside `[0, 1]`,
//! nan) give nan.

use super::{normal, uniform, zig, Stream, LANES};

/// Draw `out[k] ~ Binomial(n, p)` with `(n, p) = param(k)`.
pub fn fill_binomial(r: &mut Stream, out: &mut [f64], param: impl Fn(usize) -> (f64, f64)) {
    super::fill_uniform(r, out);
    for (k, o) in out.iter_mut().enumerate() {
        let (n, p) = param(k);
        *o = draw(r, k % LANES, n, p, *o);
    }
}

/// One draw on lane `l`, starting from the uniform `u`.
fn draw(r: &mut Stream, l: usize, n: f64, p: f64, u: f64) -> f64 {
    if !(n >= 0.0 && n.fract() == 0.0 && n.is_finite() && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    let reverse = p > 0.5;
    let small = if reverse { 1.0 - p } else { p };
    let q = 1.0 - small;
    if small == 0.0 || n == 0.0 {
        return if reverse { n } else { 0.0 };
    }
    let q_n = (n * q.ln()).exp();
    let x = if q_n > 0.0 {
        let bound = n.min(n * small + 10.0 * (n * small * q + 1.0).sqrt());
        let ratio = small / q;
        let mut u = u;
        loop {
            let mut x = 0.0;
            let mut px = q_n;
            while u > px && x <= bound {
                u -= px;
                x += 1.0;
                px *= (n - x + 1.0) / x * ratio;
            }
            if x <= bound {
                break x;
            }
            let mut g = r.lane(l);
            u = uniform(&mut g);
            r.set_lane(l, &g);
        }
    } else {
        let mut g = r.lane(l);
        let z = normal(&mut g, zig());
        r.set_lane(l, &g);
        (n * small + (n * small * q).sqrt() * z)
            .round()
            .clamp(0.0, n)
    };
    if reverse {
        n - x
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::super::stream;
    use super::*;

    /// Mean and variance of `count` draws of Binomial(n, p).
    fn moments(n: f64, p: f64, count: usize) -> (f64, f64) {
        let mut r = stream(7, 3, 0);
        let mut out = vec![0.0; count];
        fill_binomial(&mut r, &mut out, |_| (n, p));
        assert!(out.iter().all(|&x| x >= 0.0 && x <= n && x.fract() == 0.0));
        let mean = out.iter().sum::<f64>() / count as f64;
        let var = out.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (count - 1) as f64;
        (mean, var)
    }

    /// Moments within 5 standard errors (2e5 draws: the sd of the sample
    /// mean is sqrt(var/2e5), that of the sample variance about
    /// var*sqrt(2/2e5) for these near-normal counts, a bit more for n p ~ 1).
    #[test]
    fn moments_match_the_binomial() {
        let count = 200_000;
        for (n, p) in [
            (1000.0, 0.001),
            (20.0, 0.7),
            (5.0, 0.5),
            (40.0, 0.1),
            (1e6, 0.4),
        ] {
            let (mean, var) = moments(n, p, count);
            let (m, v) = (n * p, n * p * (1.0 - p));
            let se_mean = (v / count as f64).sqrt();
            assert!(
                (mean - m).abs() < 5.0 * se_mean,
                "n={n} p={p}: mean {mean} vs {m}"
            );
            let se_var = v * (3.0 / count as f64).sqrt();
            assert!(
                (var - v).abs() < 5.0 * se_var,
                "n={n} p={p}: var {var} vs {v}"
            );
        }
    }

    #[test]
    fn edge_cases_and_invalid_parameters() {
        let mut r = stream(1, 1, 1);
        let mut out = vec![0.0; 9];
        let params = [
            (10.0, 0.0),
            (10.0, 1.0),
            (0.0, 0.3),
            (-1.0, 0.5),
            (2.5, 0.5),
            (3.0, -0.1),
            (3.0, 1.5),
            (f64::NAN, 0.5),
            (3.0, f64::NAN),
        ];
        fill_binomial(&mut r, &mut out, |k| params[k]);
        assert_eq!(&out[..3], &[0.0, 10.0, 0.0]);
        assert!(out[3..].iter().all(|x| x.is_nan()));
    }
}
