//! The spike queue of a synaptic pathway: which synapses an event of each
//! triggering neuron reaches, and a ring of future time steps holding the
//! synapses whose event arrives then.
//!
//! A queue lives between runs (events still in flight at the end of a run
//! arrive in the next one); the caller re-[`prepare`](SpikeQueue::prepare)s
//! it before each run with the current connectivity and delays.

use crate::error::{CoreError, Result};

/// Rows of synapses by triggering neuron, delays in steps, and the ring.
#[derive(Clone, Debug, Default)]
pub struct SpikeQueue {
    /// `offsets[k]..offsets[k+1]` are the entries of `rows` for neuron `k`.
    offsets: Vec<usize>,
    /// Synapse indices, grouped by triggering neuron, increasing within a row.
    rows: Vec<i32>,
    /// Delay of each synapse in steps; empty when every synapse has `delay`.
    delays: Vec<u32>,
    /// The delay of every synapse when `delays` is empty.
    delay: u32,
    /// `ring[(head + d) % len]`: synapses whose event arrives in `d` steps.
    ring: Vec<Vec<i32>>,
    head: usize,
}

impl SpikeQueue {
    /// An empty queue (no synapses, nothing in flight).
    pub fn new() -> SpikeQueue {
        SpikeQueue {
            ring: vec![Vec::new()],
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
            let at = &mut fill[k as usize];
            rows[*at] = s as i32;
            *at += 1;
        }
        self.offsets = counts;
        self.rows = rows;
        Ok(())
    }

    /// Set the delays in steps: one per synapse, or one for all.
    pub fn set_delay_steps(&mut self, delays: &[i64]) -> Result<()> {
        let n_syn = self.rows.len();
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
            self.delays = delays.iter().map(|&d| d as u32).collect();
            self.delay = 0;
            self.fit_ring();
        }
        Ok(())
    }

    /// Set the delays from times in seconds (one per synapse, or one for
    /// all), rounded to the nearest step with ties to even (as numpy's
    /// `round(delay/dt)`).
    pub fn set_delays(&mut self, seconds: &[f64], dt: f64) -> Result<()> {
        let n_syn = self.rows.len();
        if seconds.len() != n_syn && seconds.len() != 1 {
            return Err(CoreError::invalid(format!(
                "a pathway of {n_syn} synapses needs one delay or {n_syn} delays, got {}",
                seconds.len()
            )));
        }
        let limit = f64::from(u32::MAX / 2);
        let step = |x: f64| (x / dt).round_ties_even();
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
            self.delays = seconds.iter().map(|&x| step(x) as u32).collect();
            self.delay = 0;
            self.fit_ring();
        }
        Ok(())
    }

    fn set_homogeneous(&mut self, delay: u32) {
        self.delays = Vec::new();
        self.delay = delay;
        self.fit_ring();
    }

    /// Grow the ring to the longest delay, keeping events in flight at their
    /// arrival step.
    fn fit_ring(&mut self) {
        let longest = self.delays.iter().copied().max().unwrap_or(self.delay) as usize;
        if longest + 1 > self.ring.len() {
            let len = self.ring.len();
            let mut ring: Vec<Vec<i32>> = (0..len)
                .map(|k| std::mem::take(&mut self.ring[(self.head + k) % len]))
                .collect();
            ring.resize_with(longest + 1, Vec::new);
            self.ring = ring;
            self.head = 0;
        }
    }

    /// Queue the events of the triggering neurons `sources` (relative
    /// indices, increasing), sent this step.
    pub fn push(&mut self, sources: &[i32]) {
        let len = self.ring.len();
        for &k in sources {
            let k = k as usize;
            let (Some(&a), Some(&b)) = (self.offsets.get(k), self.offsets.get(k + 1)) else {
                continue;
            };
            let Some(row) = self.rows.get(a..b) else {
                continue;
            };
            if self.delays.is_empty() {
                if let Some(slot) = self.ring.get_mut((self.head + self.delay as usize) % len) {
                    slot.extend_from_slice(row);
                }
            } else {
                for &s in row {
                    let d = self.delays.get(s as usize).copied().unwrap_or(0) as usize;
                    if let Some(slot) = self.ring.get_mut((self.head + d) % len) {
                        slot.push(s);
                    }
                }
            }
        }
    }

    /// The synapses whose event arrives this step, in the order they were
    /// queued.
    pub fn current(&self) -> &[i32] {
        self.ring.get(self.head).map_or(&[], Vec::as_slice)
    }

    /// Take the current step's synapses (to be given back with [`advance`]).
    pub(crate) fn take_current(&mut self) -> Vec<i32> {
        self.ring
            .get_mut(self.head)
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Move to the next step, reusing `spent`'s allocation for the freed slot.
    pub(crate) fn advance(&mut self, mut spent: Vec<i32>) {
        spent.clear();
        if let Some(slot) = self.ring.get_mut(self.head) {
            *slot = spent;
        }
        self.head = (self.head + 1) % self.ring.len().max(1);
    }

    /// Number of synaptic events in flight.
    pub fn pending(&self) -> usize {
        self.ring.iter().map(Vec::len).sum()
    }

    /// Number of synapses the queue was prepared for.
    pub fn n_synapses(&self) -> usize {
        self.rows.len()
    }

    /// Drop every event in flight.
    pub fn clear(&mut self) {
        for slot in &mut self.ring {
            slot.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homogeneous_delay_arrives_after_that_many_steps() {
        let mut q = SpikeQueue::new();
        // synapses 0: 1->0, 1: 0->1, 2: 1->2
        q.prepare(&[1, 0, 1], 2, &[2]).unwrap();
        q.push(&[1]);
        assert!(q.current().is_empty());
        let s = q.take_current();
        q.advance(s);
        assert!(q.current().is_empty());
        let s = q.take_current();
        q.advance(s);
        assert_eq!(q.current(), &[0, 2]);
        assert_eq!(q.pending(), 2);
    }

    #[test]
    fn heterogeneous_delays_and_growing_the_ring_keep_arrival_steps() {
        let mut q = SpikeQueue::new();
        q.prepare(&[0, 0], 1, &[0, 1]).unwrap();
        q.push(&[0]);
        assert_eq!(q.current(), &[0]);
        let s = q.take_current();
        q.advance(s);
        // still in flight: synapse 1 arrives now; grow the ring meanwhile
        q.prepare(&[0, 0], 1, &[3, 1]).unwrap();
        assert_eq!(q.current(), &[1]);
        // pushed now: synapse 1 arrives in 1 step, synapse 0 in 3
        q.push(&[0]);
        let s = q.take_current();
        q.advance(s);
        assert_eq!(q.current(), &[1]);
        let s = q.take_current();
        q.advance(s);
        assert!(q.current().is_empty());
        let s = q.take_current();
        q.advance(s);
        assert_eq!(q.current(), &[0]);
        assert_eq!(q.pending(), 1);
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
    }

    #[test]
    fn bad_input_is_an_error() {
        let mut q = SpikeQueue::new();
        assert!(q.prepare(&[0, 3], 2, &[0]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[0, 1, 2]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[-1]).is_err());
    }
}
