//! The spike queue of a synaptic pathway: which synapses an event of each
//! triggering neuron reaches, and a ring of future time steps holding the
//! events that arrive then.
//!
//! # Layout
//!
//! Rows by triggering neuron (compressed: `offsets[k]..offsets[k+1]` are the
//! positions of neuron `k`'s synapses). When the synapses are already
//! numbered by triggering neuron (what `connect()` makes for `on_pre`: the
//! synapses of each source neuron in one run), a row *is* that run of
//! synapse indices and nothing else is stored; otherwise `rows` lists the
//! synapse indices by row (increasing within a row).
//!
//! With one delay for every synapse the ring holds, per future step, the
//! triggering neurons whose spike arrives then (one entry per spike, as a
//! hand-written simulator's list of spikes); their rows are walked at
//! delivery. With delays per synapse it holds synapse indices. Events of a
//! step are delivered in the order they were queued: by sending step, then
//! by triggering neuron, then by synapse index.
//!
//! A queue lives between runs (events still in flight at the end of a run
//! arrive in the next one); the caller re-sets its rows when the synapses
//! changed and its delays before each run. Spikes in flight when the rows or
//! the kind of delays change are first expanded into the synapses they
//! reached when they were sent.

use crate::error::{CoreError, Result};

/// Rows of synapses by triggering neuron, delays in steps, and the ring.
#[derive(Clone, Debug, Default)]
pub struct SpikeQueue {
    /// `offsets[k]..offsets[k+1]`: the row of triggering neuron `k`.
    offsets: Vec<usize>,
    /// Synapse indices by row, increasing within a row; empty when the
    /// synapses are numbered by row (`grouped`).
    rows: Vec<i32>,
    grouped: bool,
    n_synapses: usize,
    /// Delay of each synapse in steps; empty when every synapse has `delay`.
    delays: Vec<u32>,
    /// The delay of every synapse when `delays` is empty.
    delay: u32,
    /// `spikes[(head + d) % len]`: triggering neurons whose spike reaches
    /// all their synapses in `d` steps (one delay for all).
    spikes: Vec<Vec<i32>>,
    /// `synapses[(head + d) % len]`: synapses whose event arrives in `d`
    /// steps (delays per synapse). Delivered before `spikes` of the same
    /// step: they were queued first.
    synapses: Vec<Vec<i32>>,
    head: usize,
}

/// The events arriving in one step (taken from the queue, given back with
/// [`SpikeQueue::advance`]).
#[derive(Debug, Default)]
pub struct Arrivals {
    /// Synapse indices, in order (delivered first).
    pub synapses: Vec<i32>,
    /// Triggering neurons whose rows are delivered next, in order.
    pub spikes: Vec<i32>,
}

impl Arrivals {
    /// Whether nothing arrives.
    pub fn is_empty(&self) -> bool {
        self.synapses.is_empty() && self.spikes.is_empty()
    }
}

/// `offsets[k]..offsets[k + 1]`: the synapses of row `k` of a `trigger`
/// that never decreases and lies in `0..n_trigger` (checked by the caller).
fn sorted_offsets(trigger: &[i32], n_trigger: usize) -> Vec<usize> {
    let mut offsets = vec![0usize; n_trigger + 1];
    // rows before the first synapse's start at 0; each change of value at
    // `s` starts the rows from the previous value + 1 to the new one there
    let Some(&first) = trigger.first() else {
        return offsets;
    };
    let mut prev = first;
    let mut row = first as usize;
    for (s, &k) in trigger.iter().enumerate() {
        if k != prev {
            let start = prev as usize + 1;
            if let Some(o) = offsets.get_mut(start..=k as usize) {
                o.fill(s);
            }
            row = k as usize;
            prev = k;
        }
    }
    if let Some(o) = offsets.get_mut(row + 1..) {
        o.fill(trigger.len());
    }
    offsets
}

impl SpikeQueue {
    /// An empty queue (no synapses, nothing in flight).
    pub fn new() -> SpikeQueue {
        SpikeQueue {
            spikes: vec![Vec::new()],
            synapses: vec![Vec::new()],
            grouped: true,
            offsets: vec![0],
            ..SpikeQueue::default()
        }
    }

    /// Set the connectivity and the delays for the next run.
    ///
    /// `trigger[s]` is the neuron (relative to the triggering group or
    /// subgroup, `< n_trigger`) whose events reach synapse `s`; `delays` holds
    /// one delay in steps per synapse, or a single one for all. Events in
    /// flight keep their arrival step (the ring grows if needed).
    pub fn prepare(&mut self, trigger: &[i32], n_trigger: usize, delays: &[i64]) -> Result<()> {
        self.set_rows(trigger, n_trigger)?;
        self.set_delay_steps(delays)
    }

    /// Set the connectivity only (see [`prepare`](Self::prepare)); the
    /// delays must be set again after it.
    pub fn set_rows(&mut self, trigger: &[i32], n_trigger: usize) -> Result<()> {
        let n_syn = trigger.len();
        if i32::try_from(n_syn).is_err() {
            return Err(CoreError::invalid(format!(
                "{n_syn} synapses in one pathway are too many (at most {})",
                i32::MAX
            )));
        }
        // Synapses made by connect() come row by row: when `trigger` never
        // decreases (checked by a reduction that vectorises), the rows'
        // offsets are where its value changes, and only its first and last
        // values need a range check: one light pass, no counting.
        let grouped = trigger
            .iter()
            .zip(trigger.get(1..).unwrap_or_default())
            .map(|(a, b)| usize::from(a > b))
            .sum::<usize>()
            == 0;
        let in_range = |k: i32| usize::try_from(k).is_ok_and(|k| k < n_trigger);
        let (counts, rows) = if grouped {
            if let Some((s, &k)) = [
                (0, trigger.first()),
                (n_syn.wrapping_sub(1), trigger.last()),
            ]
            .into_iter()
            .find_map(|(s, k)| k.filter(|&&k| !in_range(k)).map(|k| (s, k)))
            {
                return Err(CoreError::invalid(format!(
                    "synapse {s} is triggered by neuron {k}, outside the group of {n_trigger}"
                )));
            }
            (sorted_offsets(trigger, n_trigger), Vec::new())
        } else {
            let mut counts = vec![0usize; n_trigger + 1];
            for (s, &k) in trigger.iter().enumerate() {
                let Some(c) = usize::try_from(k)
                    .ok()
                    .filter(|&k| k < n_trigger)
                    .and_then(|k| counts.get_mut(k + 1))
                else {
                    return Err(CoreError::invalid(format!(
                        "synapse {s} is triggered by neuron {k}, outside the group of {n_trigger}"
                    )));
                };
                *c += 1;
            }
            for k in 1..counts.len() {
                counts[k] += counts[k - 1];
            }
            let mut fill = counts.clone();
            let mut rows = vec![0i32; n_syn];
            for (s, &k) in trigger.iter().enumerate() {
                if let Some(at) = fill.get_mut(k as usize) {
                    if let Some(r) = rows.get_mut(*at) {
                        *r = s as i32;
                    }
                    *at += 1;
                }
            }
            (counts, rows)
        };
        // spikes in flight reach the synapses of the rows they were sent on
        self.expand_spikes_in_flight();
        self.offsets = counts;
        self.rows = rows;
        self.grouped = grouped;
        self.n_synapses = n_syn;
        Ok(())
    }

    /// Set the delays in steps: one per synapse, or one for all.
    pub fn set_delay_steps(&mut self, delays: &[i64]) -> Result<()> {
        let n_syn = self.n_synapses;
        if delays.len() != n_syn && delays.len() != 1 {
            return Err(CoreError::invalid(format!(
                "a pathway of {n_syn} synapses needs one delay or {n_syn} delays, got {}",
                delays.len()
            )));
        }
        if let Some(&d) = delays
            .iter()
            .find(|&&d| d < 0 || d > i64::from(u32::MAX / 2))
        {
            return Err(CoreError::invalid(format!(
                "a synaptic delay must be a non-negative number of steps, got {d}"
            )));
        }
        let first = delays.first().copied().unwrap_or(0);
        if delays.iter().all(|&d| d == first) {
            self.set_homogeneous(first as u32);
        } else {
            self.set_heterogeneous(delays.iter().map(|&d| d as u32).collect());
        }
        Ok(())
    }

    /// Set the delays from times in seconds (one per synapse, or one for
    /// all), rounded to the nearest step with ties to even (as numpy's
    /// `round(delay/dt)`).
    pub fn set_delays(&mut self, seconds: &[f64], dt: f64) -> Result<()> {
        let n_syn = self.n_synapses;
        if seconds.len() != n_syn && seconds.len() != 1 {
            return Err(CoreError::invalid(format!(
                "a pathway of {n_syn} synapses needs one delay or {n_syn} delays, got {}",
                seconds.len()
            )));
        }
        let limit = f64::from(u32::MAX / 2);
        let step = |x: f64| (x / dt).round_ties_even();
        // all equal (the common case): one comparison per synapse, no rounding
        // (a NaN equals nothing, so it takes the checked path below)
        if let Some(&x0) = seconds.first() {
            let k = step(x0);
            // (counted per piece: a reduction that vectorises)
            let equal = |piece: &[f64]| {
                piece.iter().map(|&x| usize::from(x == x0)).sum::<usize>() == piece.len()
            };
            if k >= 0.0 && k <= limit && seconds.chunks(256).all(equal) {
                self.set_homogeneous(k as u32);
                return Ok(());
            }
        }
        // one pass to check and to see whether all are equal (no allocation)
        let first = seconds.first().map_or(0.0, |&x| step(x));
        let mut homogeneous = true;
        for &x in seconds {
            let k = step(x);
            if !(k >= 0.0 && k <= limit) {
                return Err(CoreError::invalid(format!(
                    "a synaptic delay must be a non-negative time (at most {limit} steps), \
                     got {x} s"
                )));
            }
            homogeneous &= k == first;
        }
        if homogeneous {
            self.set_homogeneous(first as u32);
        } else {
            self.set_heterogeneous(seconds.iter().map(|&x| step(x) as u32).collect());
        }
        Ok(())
    }

    fn set_homogeneous(&mut self, delay: u32) {
        self.delays = Vec::new();
        self.delay = delay;
        self.fit_ring();
    }

    fn set_heterogeneous(&mut self, delays: Vec<u32>) {
        // spikes in flight become synapse events: new ones are queued per synapse
        self.expand_spikes_in_flight();
        self.delays = delays;
        self.delay = 0;
        self.fit_ring();
    }

    /// Grow the ring to the longest delay, keeping events in flight at their
    /// arrival step.
    fn fit_ring(&mut self) {
        let longest = self.delays.iter().copied().max().unwrap_or(self.delay) as usize;
        let len = self.spikes.len().max(1);
        if longest + 1 > len || self.synapses.len() != len {
            let head = self.head;
            let reorder = |ring: &mut Vec<Vec<i32>>| {
                ring.resize_with(len, Vec::new);
                let mut out: Vec<Vec<i32>> = (0..len)
                    .map(|k| std::mem::take(&mut ring[(head + k) % len]))
                    .collect();
                out.resize_with(longest.max(len - 1) + 1, Vec::new);
                *ring = out;
            };
            reorder(&mut self.spikes);
            reorder(&mut self.synapses);
            self.head = 0;
        }
    }

    /// Replace the spikes in flight by the synapses of their rows (the rows
    /// as they are now), queued before the synapse events of the same step.
    fn expand_spikes_in_flight(&mut self) {
        if self.spikes.iter().all(Vec::is_empty) {
            return;
        }
        let spikes = std::mem::take(&mut self.spikes);
        let mut synapses = std::mem::take(&mut self.synapses);
        for (k, sources) in spikes.iter().enumerate() {
            if sources.is_empty() {
                continue;
            }
            let mut slot = Vec::new();
            self.expand(sources, &mut slot);
            if let Some(old) = synapses.get_mut(k) {
                slot.append(old);
                *old = slot;
            }
        }
        self.spikes = spikes.into_iter().map(|_| Vec::new()).collect();
        self.synapses = synapses;
    }

    /// Queue the events of the triggering neurons `sources` (relative
    /// indices, increasing), sent this step.
    pub fn push(&mut self, sources: &[i32]) {
        if sources.is_empty() {
            return;
        }
        let len = self.spikes.len();
        if self.delays.is_empty() {
            let n = self.offsets.len().saturating_sub(1);
            if let Some(slot) = self.spikes.get_mut((self.head + self.delay as usize) % len) {
                if sources.iter().all(|&k| (k as usize) < n) {
                    slot.extend_from_slice(sources);
                } else {
                    slot.extend(sources.iter().filter(|&&k| (k as usize) < n));
                }
            }
            return;
        }
        for &k in sources {
            let (a, b) = self.row(k as usize);
            for q in a..b {
                let s = if self.grouped {
                    q as i32
                } else {
                    self.rows.get(q).copied().unwrap_or(0)
                };
                let d = self.delays.get(s as usize).copied().unwrap_or(0) as usize;
                if let Some(slot) = self.synapses.get_mut((self.head + d) % len) {
                    slot.push(s);
                }
            }
        }
    }

    /// The positions `a..b` of neuron `k`'s row (empty when out of range).
    #[inline]
    pub fn row(&self, k: usize) -> (usize, usize) {
        match (self.offsets.get(k), self.offsets.get(k + 1)) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        }
    }

    /// The synapse indices by row position (`None`: position `q` is synapse
    /// `q`, the synapses being numbered by row).
    #[inline]
    pub fn rows(&self) -> Option<&[i32]> {
        if self.grouped {
            None
        } else {
            Some(&self.rows)
        }
    }

    /// Append the synapses of the rows of `sources` to `out`, in order.
    pub fn expand(&self, sources: &[i32], out: &mut Vec<i32>) {
        for &k in sources {
            let (a, b) = self.row(k as usize);
            if self.grouped {
                out.extend(a as i32..b as i32);
            } else if let Some(r) = self.rows.get(a..b) {
                out.extend_from_slice(r);
            }
        }
    }

    /// The synapses whose event arrives this step, in order (a copy).
    pub fn current(&self) -> Vec<i32> {
        let mut out = self.synapses.get(self.head).cloned().unwrap_or_default();
        if let Some(spikes) = self.spikes.get(self.head) {
            self.expand(spikes, &mut out);
        }
        out
    }

    /// Take the current step's events (to be given back with [`advance`]).
    pub(crate) fn take_current(&mut self) -> Arrivals {
        Arrivals {
            synapses: self
                .synapses
                .get_mut(self.head)
                .map(std::mem::take)
                .unwrap_or_default(),
            spikes: self
                .spikes
                .get_mut(self.head)
                .map(std::mem::take)
                .unwrap_or_default(),
        }
    }

    /// Move to the next step, reusing `spent`'s allocations for the freed slot.
    pub(crate) fn advance(&mut self, mut spent: Arrivals) {
        spent.synapses.clear();
        spent.spikes.clear();
        if let Some(slot) = self.synapses.get_mut(self.head) {
            *slot = spent.synapses;
        }
        if let Some(slot) = self.spikes.get_mut(self.head) {
            *slot = spent.spikes;
        }
        self.head = (self.head + 1) % self.spikes.len().max(1);
    }

    /// The events in flight, by the number of steps until they arrive
    /// (`[0]`: this step): the synapses each reaches, in the order they are
    /// delivered.
    pub fn in_flight(&self) -> Vec<Vec<i32>> {
        let len = self.spikes.len().max(self.synapses.len());
        (0..len)
            .map(|d| {
                let slot = (self.head + d) % len;
                let mut out = self.synapses.get(slot).cloned().unwrap_or_default();
                if let Some(spikes) = self.spikes.get(slot) {
                    self.expand(spikes, &mut out);
                }
                out
            })
            .collect()
    }

    /// Queue events arriving at `synapses` in `steps` steps, after those
    /// already queued for that step (events in flight handed over from
    /// another queue, see [`SpikeQueue::in_flight`]). The delays must be
    /// set, and long enough to hold them.
    pub fn inject(&mut self, steps: usize, synapses: &[i32]) -> Result<()> {
        let len = self.synapses.len();
        if steps >= len {
            return Err(CoreError::invalid(format!(
                "events arriving in {steps} steps do not fit a queue whose delays reach {} \
                 steps (set its delays first)",
                len.saturating_sub(1)
            )));
        }
        if let Some(&s) = synapses
            .iter()
            .find(|&&s| usize::try_from(s).map_or(true, |s| s >= self.n_synapses))
        {
            return Err(CoreError::invalid(format!(
                "synapse {s} is not one of the queue's {} synapses",
                self.n_synapses
            )));
        }
        let slot = (self.head + steps) % len;
        if let Some(out) = self.synapses.get_mut(slot) {
            out.extend_from_slice(synapses);
        }
        Ok(())
    }

    /// Number of synaptic events in flight.
    pub fn pending(&self) -> usize {
        let spikes: usize = self
            .spikes
            .iter()
            .flatten()
            .map(|&k| {
                let (a, b) = self.row(k as usize);
                b - a
            })
            .sum();
        spikes + self.synapses.iter().map(Vec::len).sum::<usize>()
    }

    /// Number of synapses the queue was prepared for.
    pub fn n_synapses(&self) -> usize {
        self.n_synapses
    }

    /// Bytes held for the rows and the delays (not the ring).
    pub fn bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>()
            + self.rows.capacity() * 4
            + self.delays.capacity() * 4
    }

    /// Drop every event in flight.
    pub fn clear(&mut self) {
        for slot in self.spikes.iter_mut().chain(self.synapses.iter_mut()) {
            slot.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(q: &mut SpikeQueue) {
        let s = q.take_current();
        q.advance(s);
    }

    #[test]
    fn homogeneous_delay_arrives_after_that_many_steps() {
        let mut q = SpikeQueue::new();
        // synapses 0: 1->0, 1: 0->1, 2: 1->2
        q.prepare(&[1, 0, 1], 2, &[2]).unwrap();
        assert!(q.rows().is_some());
        q.push(&[1]);
        assert!(q.current().is_empty());
        step(&mut q);
        assert!(q.current().is_empty());
        step(&mut q);
        assert_eq!(q.current(), vec![0, 2]);
        assert_eq!(q.pending(), 2);
    }

    #[test]
    fn rows_of_a_sorted_trigger_are_those_counted() {
        // rows empty at both ends and in the middle, one long row, a single
        // synapse; the sorted path must give the offsets of the counting one
        let triggers: [&[i32]; 5] = [&[2, 2, 5, 5, 5, 6, 9], &[0], &[7], &[3, 3, 3, 3], &[]];
        for trigger in triggers {
            let n = 10;
            let mut q = SpikeQueue::new();
            q.set_rows(trigger, n).unwrap();
            assert!(q.rows().is_none());
            for k in 0..n {
                let first = trigger.iter().position(|&t| t as usize >= k);
                let first = first.unwrap_or(trigger.len());
                let len = trigger.iter().filter(|&&t| t as usize == k).count();
                assert_eq!(q.row(k), (first, first + len), "row {k} of {trigger:?}");
            }
        }
    }

    #[test]
    fn a_trigger_out_of_range_is_refused_sorted_or_not() {
        for trigger in [&[0, 1, 10][..], &[-1, 0, 1], &[3, -1, 2], &[3, 12, 2]] {
            let err = SpikeQueue::new().set_rows(trigger, 10).unwrap_err();
            assert!(err.to_string().contains("outside the group of 10"), "{err}");
        }
    }

    #[test]
    fn synapses_numbered_by_row_need_no_row_list() {
        let mut q = SpikeQueue::new();
        q.prepare(&[0, 0, 2, 2, 2], 3, &[0]).unwrap();
        assert!(q.rows().is_none());
        assert_eq!(q.row(1), (2, 2));
        q.push(&[0, 2]);
        assert_eq!(q.current(), vec![0, 1, 2, 3, 4]);
        let a = q.take_current();
        assert_eq!(a.spikes, vec![0, 2]);
        assert!(a.synapses.is_empty());
        q.advance(a);
        assert_eq!(q.pending(), 0);
    }

    #[test]
    fn heterogeneous_delays_and_growing_the_ring_keep_arrival_steps() {
        let mut q = SpikeQueue::new();
        q.prepare(&[0, 0], 1, &[0, 1]).unwrap();
        q.push(&[0]);
        assert_eq!(q.current(), vec![0]);
        step(&mut q);
        // still in flight: synapse 1 arrives now; grow the ring meanwhile
        q.prepare(&[0, 0], 1, &[3, 1]).unwrap();
        assert_eq!(q.current(), vec![1]);
        // pushed now: synapse 1 arrives in 1 step, synapse 0 in 3
        q.push(&[0]);
        step(&mut q);
        assert_eq!(q.current(), vec![1]);
        step(&mut q);
        assert!(q.current().is_empty());
        step(&mut q);
        assert_eq!(q.current(), vec![0]);
        assert_eq!(q.pending(), 1);
    }

    #[test]
    fn spikes_in_flight_keep_their_synapses_when_rows_or_delays_change() {
        let mut q = SpikeQueue::new();
        q.prepare(&[0, 0, 1], 2, &[2]).unwrap();
        q.push(&[0]);
        step(&mut q);
        // a synapse is added to row 0 (numbered 3): the spike sent before
        // reaches only the two it was sent to
        q.set_rows(&[0, 0, 1, 0], 2).unwrap();
        q.set_delays(&[2e-4], 1e-4).unwrap();
        assert_eq!(q.pending(), 2);
        step(&mut q);
        assert_eq!(q.current(), vec![0, 1]);
        step(&mut q);
        // spikes in flight become synapse events when delays start to differ,
        // delivered before later spikes of the same arrival step
        q.set_delay_steps(&[1]).unwrap();
        q.push(&[1]);
        q.set_delay_steps(&[1, 1, 1, 3]).unwrap();
        q.push(&[0]);
        step(&mut q);
        assert_eq!(q.current(), vec![2, 0, 1]);
        step(&mut q);
        step(&mut q);
        assert_eq!(q.current(), vec![3]);
    }

    #[test]
    fn delays_in_seconds_round_to_the_nearest_step_ties_to_even() {
        let mut q = SpikeQueue::new();
        q.set_rows(&[0, 0, 0], 1).unwrap();
        q.set_delays(&[0.25e-3, 0.35e-3, 2.5e-4], 1e-4).unwrap();
        // 2.5 -> 2, 3.5 -> 4 (ties to even, as numpy), 2.5 -> 2
        assert_eq!(q.delays, vec![2, 4, 2]);
        q.set_delays(&[1e-3], 1e-4).unwrap();
        assert!(q.delays.is_empty());
        assert_eq!(q.delay, 10);
        assert!(q.set_delays(&[-1e-3], 1e-4).is_err());
        assert!(q.set_delays(&[f64::NAN], 1e-4).is_err());
        assert!(q.set_delays(&[1e-3, f64::NAN, 1e-3], 1e-4).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut q = SpikeQueue::new();
        assert!(q.prepare(&[0, 3], 2, &[0]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[0, 1, 2]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[-1]).is_err());
    }

    /// Events in flight handed from one queue to another arrive at the same
    /// synapses in the same steps and order.
    #[test]
    fn events_in_flight_are_handed_over() {
        let trigger = [0, 0, 1, 2, 2, 2];
        let mut q = SpikeQueue::new();
        q.prepare(&trigger, 3, &[3]).unwrap();
        q.push(&[2]);
        let spent = q.take_current();
        q.advance(spent);
        q.push(&[0, 1]);
        let flight = q.in_flight();
        assert_eq!(flight.len(), 4);
        assert_eq!(flight[2], vec![3, 4, 5]);
        assert_eq!(flight[3], vec![0, 1, 2]);
        let mut other = SpikeQueue::new();
        other.prepare(&trigger, 3, &[3]).unwrap();
        for (d, events) in flight.iter().enumerate() {
            other.inject(d, events).unwrap();
        }
        for _ in 0..4 {
            assert_eq!(other.current(), q.current());
            let a = q.take_current();
            q.advance(a);
            let b = other.take_current();
            other.advance(b);
        }
        assert_eq!(other.pending(), 0);
        assert!(other.inject(4, &[0]).is_err());
        assert!(other.inject(0, &[6]).is_err());
        assert!(other.inject(0, &[-1]).is_err());
        assert!(SpikeQueue::new().inject(0, &[0]).is_err());
    }
}
