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
        let n_syn = trigger.len();
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
        let first = delays.first().copied().unwrap_or(0);
        if delays.iter().all(|&d| d == first) {
            self.delays.clear();
            self.delay = first as u32;
        } else {
            self.delays = delays.iter().map(|&d| d as u32).collect();
            self.delay = 0;
        }
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
        Ok(())
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
    fn bad_input_is_an_error() {
        let mut q = SpikeQueue::new();
        assert!(q.prepare(&[0, 3], 2, &[0]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[0, 1, 2]).is_err());
        assert!(q.prepare(&[0, 1], 2, &[-1]).is_err());
    }
}
