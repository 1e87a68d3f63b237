//! Inputs the engine generates itself: spikes from a table
//! ([`Action::Generate`](super::Action::Generate), a `SpikeGeneratorGroup`)
//! and binomial counts of Poisson events
//! ([`Action::Binomial`](super::Action::Binomial), a `PoissonInput`).
//!
//! ## Spike tables
//!
//! A [`SpikeTable`] holds spikes as `(step, neuron)` pairs sorted by step,
//! then neuron, and a cursor: the first entry not yet emitted. At step `s`
//! (`s % period` when the table repeats with a period of `period` steps) the
//! entries from the cursor on whose step is at most that step replace the
//! group's spike buffer, and the cursor moves past them. With a period, the
//! cursor returns to the start when the entry before it is not earlier than
//! the current step (the period wrapped around). Entries behind the current
//! step when a run starts are emitted at its first step unless the caller
//! moves the cursor past them (the cursor lives between runs).
//!
//! ## Binomial counts
//!
//! [`BinomialDraw`] draws, for every lane of a range, one count of a
//! binomial distribution `B(n, p)` from the lane's chunk stream: by
//! inversion of the distribution function (one uniform per draw, the count
//! being the number of entries of the tabulated distribution function below
//! it, with `p` replaced by `1 - p` and the count by `n - count` when
//! `p > 1/2`), or, when `n p > 5` and `n (1 - p) > 5`,
//! as the normal number `n p + sqrt(n p (1 - p)) z` (not rounded), where
//! Brian2 also approximates. The draws of a chunk are made in one fill
//! (uniforms or normals, one per lane in range, in lane order).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{CoreError, Result};
use crate::noise::{fill_by_stream, fill_normal, fill_uniform, Rng, Stream};
use crate::vm::Columns;
use crate::CHUNK;

/// Spikes to emit, by step (see the module documentation).
#[derive(Debug)]
pub struct SpikeTable {
    steps: Vec<i64>,
    neurons: Vec<i32>,
    /// Steps after which the table repeats (0: never).
    period: i64,
    cursor: AtomicUsize,
}

impl Clone for SpikeTable {
    fn clone(&self) -> Self {
        SpikeTable {
            steps: self.steps.clone(),
            neurons: self.neurons.clone(),
            period: self.period,
            cursor: AtomicUsize::new(self.cursor()),
        }
    }
}

impl SpikeTable {
    /// A table of `neurons[k]` spiking at `steps[k]`; checks that the pairs
    /// are sorted by step then neuron, that no neuron spikes twice in one
    /// step, that steps are non-negative and below `period` (when it is not
    /// 0), and that neurons are non-negative.
    pub fn new(steps: Vec<i64>, neurons: Vec<i32>, period: i64) -> Result<SpikeTable> {
        if steps.len() != neurons.len() {
            return Err(CoreError::invalid(format!(
                "a spike table needs one neuron per step, got {} steps and {} neurons",
                steps.len(),
                neurons.len()
            )));
        }
        if period < 0 {
            return Err(CoreError::invalid(format!(
                "a spike table's period cannot be negative, got {period}"
            )));
        }
        for (k, (&s, &i)) in steps.iter().zip(&neurons).enumerate() {
            if s < 0 || i < 0 || (period > 0 && s >= period) {
                return Err(CoreError::invalid(format!(
                    "spike {k} (neuron {i} at step {s}) lies outside the table \
                     (steps 0..{}, neurons from 0)",
                    if period > 0 { period } else { i64::MAX }
                )));
            }
            if k > 0 && (steps[k - 1], neurons[k - 1]) >= (s, i) {
                return Err(CoreError::invalid(format!(
                    "spike {k} (neuron {i} at step {s}) is not after spike {} (neuron {} at \
                     step {}): a spike table is sorted by step, then neuron, with no neuron \
                     twice in a step",
                    k - 1,
                    neurons[k - 1],
                    steps[k - 1]
                )));
            }
        }
        Ok(SpikeTable {
            steps,
            neurons,
            period,
            cursor: AtomicUsize::new(0),
        })
    }

    /// The first entry not yet emitted.
    pub fn cursor(&self) -> usize {
        self.cursor.load(Ordering::Relaxed)
    }

    /// Move the cursor (clamped to the number of entries).
    pub fn set_cursor(&self, k: usize) {
        self.cursor
            .store(k.min(self.steps.len()), Ordering::Relaxed);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the table has no spikes.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The largest neuron index (or -1 when empty).
    pub fn max_neuron(&self) -> i32 {
        self.neurons.iter().copied().max().unwrap_or(-1)
    }

    /// The spikes of step `step`: replace `out` with them (increasing
    /// neurons) and advance the cursor.
    pub fn emit(&self, step: i64, out: &mut Vec<i32>) {
        out.clear();
        let mut now = step;
        let mut from = self.cursor();
        if self.period > 0 {
            now = step.rem_euclid(self.period);
            if from > 0 && self.steps.get(from - 1).is_some_and(|&s| s >= now) {
                from = 0;
            }
        }
        let rest = self.steps.get(from..).unwrap_or_default();
        let n = rest.partition_point(|&s| s <= now);
        if let Some(spikes) = self.neurons.get(from..from + n) {
            out.extend_from_slice(spikes);
        }
        self.cursor.store(from + n, Ordering::Relaxed);
    }
}

/// Most entries of an inversion table: the count of a draw is at most
/// `n p + 10 sqrt(n p (1 - p) + 1) <= 30` where inversion is used (`n p <= 5`
/// after the flip, see [`BinomialDraw::new`]).
const TABLE: usize = 32;

/// How the counts of `B(n, p)` are drawn (see the module documentation).
// (one per operation, referred to by it: the size of the table is no cost)
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum BinomialDraw {
    /// `loc + scale * z`, `z` a standard normal.
    Normal { loc: f64, scale: f64 },
    /// Inversion: the count is the number of entries of `cdf[..len]` (the
    /// distribution function at 0, 1, ... of `B(n, p)`, `p <= 1/2`) below
    /// the uniform, `n` minus that when `flip`; a uniform above every entry
    /// (a count past ten standard deviations above the mean) is drawn again.
    Inversion {
        n: f64,
        cdf: [f64; TABLE],
        len: usize,
        flip: bool,
    },
}

impl BinomialDraw {
    /// The draw of `B(n, p)` (`0 <= p <= 1`).
    pub fn new(n: u64, p: f64) -> Result<BinomialDraw> {
        if !(0.0..=1.0).contains(&p) {
            return Err(CoreError::invalid(format!(
                "a binomial probability must lie in [0, 1], got {p}"
            )));
        }
        let nf = n as f64;
        if nf * p > 5.0 && nf * (1.0 - p) > 5.0 {
            return Ok(BinomialDraw::Normal {
                loc: nf * p,
                scale: (nf * p * (1.0 - p)).sqrt(),
            });
        }
        let flip = p > 0.5;
        let p = if flip { 1.0 - p } else { p };
        let q = 1.0 - p;
        // (counts above `bound` are rejected, as in the inversion that walks
        // the probabilities upwards and restarts past it)
        let bound = nf.min(nf * p + 10.0 * (nf * p * q + 1.0).sqrt());
        let mut cdf = [1.0; TABLE];
        let mut pk = (nf * q.ln()).exp(); // P(0) = q^n
        let mut total = pk;
        let mut len = 0;
        for (k, slot) in cdf.iter_mut().enumerate() {
            *slot = total;
            len = k + 1;
            // (a uniform is below 1: no entry past the first that reaches 1
            // can count)
            if total >= 1.0 || (k + 1) as f64 > bound {
                break;
            }
            let next = (k + 1) as f64;
            pk *= (nf - next + 1.0) / next * (p / q);
            total += pk;
        }
        Ok(BinomialDraw::Inversion {
            n: nf,
            cdf,
            len,
            flip,
        })
    }

    /// Draws for `out.len()` lanes from one chunk stream, in `out`.
    fn fill(&self, stream: &mut Stream, out: &mut [f64]) {
        match *self {
            BinomialDraw::Normal { loc, scale } => {
                fill_normal(stream, out);
                for x in out.iter_mut() {
                    *x = loc + scale * *x;
                }
            }
            BinomialDraw::Inversion {
                n,
                ref cdf,
                len,
                flip,
            } => {
                let cdf = &cdf[..len.min(TABLE)];
                fill_uniform(stream, out);
                let mut redo = invert(cdf, out);
                // (rare: a count past the bound, drawn again with fresh
                // uniforms until it falls under it)
                let mut fresh = vec![0.0; redo.len()];
                while !redo.is_empty() {
                    let fresh = &mut fresh[..redo.len()];
                    fill_uniform(stream, fresh);
                    let mut still = Vec::new();
                    for (&k, &u) in redo.iter().zip(fresh.iter()) {
                        match walk(cdf, 0, u) {
                            Some(x) => out[k] = x,
                            None => still.push(k),
                        }
                    }
                    redo = still;
                }
                if flip {
                    for x in out.iter_mut() {
                        *x = n - *x;
                    }
                }
            }
        }
    }
}

/// Lanes compared with the first entries of an inversion table at once.
const BLOCK: usize = 8;

/// Replace each uniform of `out` by the number of entries of `cdf` below
/// it; returns the lanes whose uniform is above every entry (to draw again).
///
/// The first entries, which hold nearly all the probability, are compared
/// with [`BLOCK`] lanes at a time without a branch; the rare lanes above
/// them walk the rest of the table.
fn invert(cdf: &[f64], out: &mut [f64]) -> Vec<usize> {
    let head = cdf
        .iter()
        .position(|&c| c >= 0.99)
        .map_or(cdf.len(), |k| k + 1)
        .min(BLOCK);
    let (first, _) = cdf.split_at(head);
    let mut marked = Vec::new();
    let mut blocks = out.chunks_exact_mut(BLOCK);
    for (b, block) in (&mut blocks).enumerate() {
        let mut u = [0.0; BLOCK];
        u.copy_from_slice(block);
        let mut count = [0.0; BLOCK];
        for &edge in first {
            for l in 0..BLOCK {
                count[l] += if u[l] > edge { 1.0 } else { 0.0 };
            }
        }
        // (uniforms kept, as -u - 1, where a lane passed every first entry)
        let mut any = false;
        for l in 0..BLOCK {
            let past = count[l] == head as f64;
            any |= past;
            block[l] = if past { -u[l] - 1.0 } else { count[l] };
        }
        if any {
            marked.extend(
                (0..BLOCK)
                    .filter(|&l| block[l] < 0.0)
                    .map(|l| b * BLOCK + l),
            );
        }
    }
    let full = out.len() / BLOCK * BLOCK;
    for (k, x) in out.iter_mut().enumerate().skip(full) {
        *x = -*x - 1.0;
        marked.push(k);
    }
    let mut redo = Vec::new();
    for k in marked {
        let u = -out[k] - 1.0;
        match walk(cdf, 0, u) {
            Some(c) => out[k] = c,
            None => redo.push(k),
        }
    }
    redo
}

/// The number of entries of `cdf` below `u`, counting from `from` (all
/// entries before it are below `u`), or `None` when every entry is.
#[inline]
fn walk(cdf: &[f64], from: usize, u: f64) -> Option<f64> {
    let k = from + cdf.get(from..)?.iter().take_while(|&&c| u > c).count();
    (k < cdf.len()).then_some(k as f64)
}

/// Binomial counts for lanes `start..stop` of a group: `column += count *
/// weight`, or `column = count` when `weight` is `None`. Chunk `c` of the
/// group draws from its streams (one per chunk, or one per fused copy: see
/// [`Rng::fused`]; a range of fused copies starts at a copy).
pub(super) fn binomial(
    cols: &mut Columns<'_>,
    rng: &mut Rng,
    column: usize,
    (start, stop): (usize, usize),
    draw: &BinomialDraw,
    weight: Option<f64>,
    buf: &mut Vec<f64>,
) {
    let stop = stop.min(cols.n());
    if start >= stop {
        return;
    }
    let chunk = rng.chunk_lanes();
    let seg = rng.lanes_per_stream();
    rng.ensure(stop.div_ceil(chunk));
    buf.resize(CHUNK, 0.0);
    let first = start / chunk;
    for (c, streams) in rng
        .per_chunk()
        .enumerate()
        .skip(first)
        .take(stop.div_ceil(chunk) - first)
    {
        let lo = start.max(c * chunk);
        let hi = stop.min((c + 1) * chunk);
        let Some(out) = buf.get_mut(..hi - lo) else {
            return;
        };
        fill_by_stream(streams, seg, out, |s, part, _| draw.fill(s, part));
        let Some(lanes) = cols.lanes_mut(column, lo, hi - lo) else {
            return;
        };
        match weight {
            Some(w) => {
                for (x, &k) in lanes.iter_mut().zip(out.iter()) {
                    *x += k * w;
                }
            }
            None => lanes.copy_from_slice(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::stream;

    #[test]
    fn table_emits_by_step_and_repeats() {
        let t = SpikeTable::new(vec![0, 0, 2, 3], vec![1, 4, 0, 2], 5).unwrap();
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for step in 0..11 {
            t.emit(step, &mut out);
            seen.push(out.clone());
        }
        let e: Vec<i32> = vec![];
        let period = [vec![1, 4], e.clone(), vec![0], vec![2], e.clone()];
        assert_eq!(seen[..5], period[..]);
        assert_eq!(seen[5..10], period[..]);
        assert_eq!(seen[10], vec![1, 4]);
    }

    #[test]
    fn table_refuses_unsorted_and_repeated_spikes() {
        assert!(SpikeTable::new(vec![1, 0], vec![0, 0], 0).is_err());
        assert!(SpikeTable::new(vec![1, 1], vec![2, 2], 0).is_err());
        assert!(SpikeTable::new(vec![5], vec![0], 5).is_err());
        assert!(SpikeTable::new(vec![0, 1], vec![3, 3], 0).is_ok());
    }

    fn moments(n: u64, p: f64) -> (f64, f64) {
        let d = BinomialDraw::new(n, p).unwrap();
        let mut s = stream(7, 1, 0);
        let mut out = vec![0.0; 1 << 16];
        let mut all = Vec::new();
        for _ in 0..8 {
            d.fill(&mut s, &mut out);
            all.extend_from_slice(&out);
        }
        let m = all.iter().sum::<f64>() / all.len() as f64;
        let v = all.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (all.len() - 1) as f64;
        (m, v)
    }

    #[test]
    fn binomial_moments() {
        // 2^19 draws: the sample mean's sd is sqrt(var/2^19); 6 sd allowed;
        // the sample variance's sd is about var*sqrt(2/2^19) (plus the
        // excess kurtosis term, small here); 6 sd allowed
        for &(n, p) in &[
            (1000u64, 0.001),
            (20, 0.1),
            (10, 0.9),
            (1000, 0.5),
            (3, 1.0),
        ] {
            let (m, v) = moments(n, p);
            let (em, ev) = (n as f64 * p, n as f64 * p * (1.0 - p));
            let sd_m = (ev / (1 << 19) as f64).sqrt();
            assert!(
                (m - em).abs() <= 6.0 * sd_m + 1e-12,
                "mean {m} vs {em} ({n}, {p})"
            );
            let sd_v = ev * (2.0 / (1 << 19) as f64).sqrt() * 1.5;
            assert!(
                (v - ev).abs() <= 6.0 * sd_v + 1e-12,
                "var {v} vs {ev} ({n}, {p})"
            );
        }
    }

    #[test]
    fn inversion_frequencies_follow_the_binomial() {
        // B(20, 0.1), 2^18 draws: each count's frequency within 6 sd of
        // its expectation (sd = sqrt(m P (1 - P)))
        let (n, p) = (20u64, 0.1);
        let d = BinomialDraw::new(n, p).unwrap();
        let mut s = stream(3, 4, 5);
        let m = 1usize << 18;
        let mut out = vec![0.0; m];
        d.fill(&mut s, &mut out);
        let mut pk = 0.9f64.powi(20);
        for k in 0..=8u32 {
            let seen = out.iter().filter(|&&x| x == f64::from(k)).count() as f64;
            let expected = m as f64 * pk;
            let sd = (expected * (1.0 - pk)).sqrt();
            assert!(
                (seen - expected).abs() <= 6.0 * sd + 1.0,
                "{k}: {seen} vs {expected}"
            );
            pk *= (20.0 - f64::from(k)) / f64::from(k + 1) * (p / (1.0 - p));
        }
    }

    #[test]
    fn inversion_counts_are_whole_and_in_range() {
        let d = BinomialDraw::new(8, 0.7).unwrap();
        let mut s = stream(1, 2, 3);
        let mut out = vec![0.0; 4096];
        d.fill(&mut s, &mut out);
        assert!(out
            .iter()
            .all(|&x| x == x.round() && (0.0..=8.0).contains(&x)));
        assert!(BinomialDraw::new(5, 1.5).is_err());
    }

    /// A PoissonInput onto fused copies gives each copy the counts it gets
    /// alone (copies of 100 and of 700 lanes: several per chunk, one).
    #[test]
    fn binomial_onto_fused_copies_is_each_copy_alone() {
        let d = BinomialDraw::new(40, 0.03).unwrap();
        // three steps of the input onto `n` lanes drawing from `rng`
        let three_steps = |rng: &mut Rng, n: usize| {
            let mut col = vec![0.5; n];
            let mut buf = Vec::new();
            for _ in 0..3 {
                let mut cols = [&mut col[..]];
                let mut columns = Columns::new(&mut cols, n).unwrap();
                binomial(&mut columns, rng, 0, (0, n), &d, Some(0.25), &mut buf);
            }
            col
        };
        for (lanes, copies) in [(100usize, 25usize), (700, 3)] {
            let alone: Vec<f64> = (0..copies)
                .flat_map(|k| three_steps(&mut Rng::new(3, k as u64), lanes))
                .collect();
            let parts: Vec<Rng> = (0..copies).map(|k| Rng::new(3, k as u64)).collect();
            let refs: Vec<&Rng> = parts.iter().collect();
            let col = three_steps(&mut Rng::fused(&refs, lanes).unwrap(), lanes * copies);
            assert_eq!(col, alone, "{copies} copies of {lanes}");
            assert!(col.iter().any(|&x| x > 0.5), "some inputs arrived");
        }
    }
}
