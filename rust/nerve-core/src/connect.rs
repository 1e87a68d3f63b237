//! Drawing synapses for `connect(p=...)`: every pair of a set of rows
//! (presynaptic neurons) and `n_post` columns is kept independently with
//! probability `p`, in row-major order, with one uniform draw per kept pair
//! (geometric gaps between kept pairs, "skip sampling"), so the work is
//! proportional to the synapses made, not to the pairs.

use crate::error::{CoreError, Result};
use crate::noise::{fill_uniform, Rng};

/// Uniforms drawn at a time.
const BATCH: usize = 4096;

/// The kept pairs as `(pre, post)` index arrays (`pre` taken from `rows`).
pub fn skip_sample(
    rng: &mut Rng,
    rows: &[i32],
    n_post: usize,
    p: f64,
) -> Result<(Vec<i32>, Vec<i32>)> {
    if !(0.0..=1.0).contains(&p) {
        return Err(CoreError::invalid(format!(
            "a connection probability must lie in [0, 1], got {p}"
        )));
    }
    if i32::try_from(n_post).is_err() {
        return Err(CoreError::invalid(format!(
            "a target group of {n_post} neurons is too large"
        )));
    }
    let total = (rows.len() as u64).saturating_mul(n_post as u64);
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    if p <= 0.0 || total == 0 {
        return Ok((pre, post));
    }
    let expected = (total as f64 * p) as usize;
    pre.reserve(expected + expected / 16 + 16);
    post.reserve(expected + expected / 16 + 16);
    let log_q = (-p).ln_1p(); // ln(1 - p); -inf for p = 1 (every gap 0)
    let mut buf = vec![0.0; BATCH];
    // the next candidate pair: row index `r`, column `c` (row-major), and
    // how many candidates remain from it
    let (mut r, mut c) = (0usize, 0u64);
    let mut left = total;
    let width = n_post as u64;
    'draw: loop {
        fill_uniform(&mut rng.indexed, &mut buf);
        for &u in &buf {
            // the number of pairs skipped, floor(ln(1 - u) / ln(1 - p)) >= 0
            // (1 - u is exact: u has 52 random bits); truncation is the floor
            let gap = (1.0 - u).ln() / log_q;
            if gap.is_nan() || gap >= left as f64 {
                break 'draw;
            }
            let gap = gap as u64;
            c += gap;
            if c >= width {
                // rarely more than one row at a time: divide only then
                r += (c / width) as usize;
                c %= width;
            }
            if let Some(&row) = rows.get(r) {
                pre.push(row);
                post.push(c as i32);
            }
            left -= gap + 1;
            if left == 0 {
                break 'draw;
            }
            c += 1;
            if c == width {
                c = 0;
                r += 1;
            }
        }
    }
    Ok((pre, post))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_in_order_within_the_rows_and_about_p_of_them() {
        let mut rng = Rng::new(3, 0);
        let rows: Vec<i32> = (0..500).map(|k| 2 * k).collect();
        let (pre, post) = skip_sample(&mut rng, &rows, 1000, 0.02).unwrap();
        let n = pre.len() as f64;
        let trials = 500.0 * 1000.0;
        let sd = (trials * 0.02 * 0.98_f64).sqrt();
        assert!((n - trials * 0.02).abs() < 5.0 * sd, "{n}");
        assert!(pre.iter().all(|&i| i % 2 == 0 && i < 1000));
        let flat: Vec<i64> = pre
            .iter()
            .zip(&post)
            .map(|(&i, &j)| i64::from(i) * 1000 + i64::from(j))
            .collect();
        assert!(flat.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn p_one_keeps_every_pair_and_zero_none() {
        let mut rng = Rng::new(3, 0);
        let (pre, post) = skip_sample(&mut rng, &[4, 7], 3, 1.0).unwrap();
        assert_eq!(pre, vec![4, 4, 4, 7, 7, 7]);
        assert_eq!(post, vec![0, 1, 2, 0, 1, 2]);
        let (pre, _) = skip_sample(&mut rng, &[4, 7], 3, 0.0).unwrap();
        assert!(pre.is_empty());
        assert!(skip_sample(&mut rng, &[0], 3, 1.5).is_err());
    }
}
