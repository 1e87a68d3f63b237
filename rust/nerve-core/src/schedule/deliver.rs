//! Delivering the events of a step to additive inputs (`ge += we`,
//! `v_post += 0.2*mV`) without running the interpreter per synapse.
//!
//! A pathway whose program only computes increments ([`Accumulate`]) from
//! scalars (no synaptic or neuron variable read, no random number, no lane
//! index) gives the same increment to every synapse of a step: it is
//! computed once, on one lane, and added to the target of every arriving
//! synapse, walking the rows of the spiking neurons (a contiguous run of
//! target indices each when the synapses are numbered by source neuron).
//! The additions into each neuron happen in the order of the general path
//! (synapse by synapse, in queue order), so results are bit for bit those
//! of running the code synapse by synapse.
//!
//! With a team, the targets are split into contiguous ranges, one per
//! member: every member walks every arriving row but adds only into its own
//! range, so each neuron still receives its additions in the same order,
//! whatever the number of threads.

use super::queue::{Arrivals, SpikeQueue};
use super::synapses::Accumulate;
use crate::team::Team;

/// Events in one step from which a team shares the delivery.
pub(super) const PARALLEL_EVENTS: usize = 1024;

/// Where one increment goes: a column of a neuron group, the lanes of the
/// (sub)group the indices are relative to, and the indices.
pub(super) struct Target<'a> {
    pub col: *mut f64,
    /// Lanes of the whole group (the column's length).
    pub n: usize,
    /// First lane and size of the (sub)group.
    pub offset: usize,
    pub size: usize,
    /// Neuron index (relative to `offset`) of each synapse.
    pub index: &'a [i32],
    pub increment: f64,
}

/// The targets of a step, shared by the members of a team.
struct Shared<'a, 'q>(&'a [Target<'q>]);

// SAFETY: the raw column pointers are only written through `add`, at lanes
// inside the range a member was handed; the ranges of one round are
// disjoint, and the columns are not otherwise accessed while the round runs
// (the schedule runs nothing else meanwhile).
unsafe impl Sync for Shared<'_, '_> {}

/// Add each target's increment for every arriving synapse whose neuron lies
/// in `lo..hi` (absolute lanes).
fn add(targets: &[Target<'_>], queue: &SpikeQueue, arrivals: &Arrivals, lo: usize, hi: usize) {
    for t in targets {
        let lo = lo.max(t.offset);
        let hi = hi.min(t.offset + t.size).min(t.n);
        if lo >= hi {
            continue;
        }
        let width = hi - lo;
        let (col, offset, c) = (t.col, t.offset, t.increment);
        let one = |k: i32| {
            let l = offset.wrapping_add(k as usize);
            if l.wrapping_sub(lo) < width {
                // SAFETY: lo <= l < hi <= n, the column's length; no other
                // thread writes lanes of lo..hi (see `Shared`).
                unsafe { *col.add(l) += c };
            }
        };
        for &s in &arrivals.synapses {
            if let Some(&k) = t.index.get(s as usize) {
                one(k);
            }
        }
        match queue.rows() {
            None => {
                for &spike in &arrivals.spikes {
                    let (a, b) = queue.row(spike as usize);
                    if let Some(row) = t.index.get(a..b) {
                        for &k in row {
                            one(k);
                        }
                    }
                }
            }
            Some(rows) => {
                for &spike in &arrivals.spikes {
                    let (a, b) = queue.row(spike as usize);
                    if let Some(row) = rows.get(a..b) {
                        for &s in row {
                            if let Some(&k) = t.index.get(s as usize) {
                                one(k);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Number of synaptic events in `arrivals`.
pub(super) fn count(queue: &SpikeQueue, arrivals: &Arrivals) -> usize {
    arrivals.synapses.len()
        + arrivals
            .spikes
            .iter()
            .map(|&k| {
                let (a, b) = queue.row(k as usize);
                b - a
            })
            .sum::<usize>()
}

/// Deliver `arrivals` to `targets`, on the team when there are enough
/// events and `members > 1`.
pub(super) fn deliver(
    targets: &[Target<'_>],
    queue: &SpikeQueue,
    arrivals: &Arrivals,
    members: usize,
    team: &Team,
) {
    if members <= 1 || count(queue, arrivals) < PARALLEL_EVENTS {
        add(targets, queue, arrivals, 0, usize::MAX);
        return;
    }
    // contiguous lane ranges covering every target's (sub)group
    let lo = targets.iter().map(|t| t.offset).min().unwrap_or(0);
    let hi = targets.iter().map(|t| t.offset + t.size).max().unwrap_or(0);
    let per = (hi - lo).div_ceil(members).max(1);
    let mut ranges: Vec<(usize, usize)> = (0..members)
        .map(|m| ((lo + m * per).min(hi), (lo + (m + 1) * per).min(hi)))
        .collect();
    let shared = Shared(targets);
    team.share(&mut ranges, &|_, claims| {
        let shared = &shared;
        for (_, &mut (a, b)) in claims {
            add(shared.0, queue, arrivals, a, b);
        }
    });
}

/// Whether a pathway takes this path: it accumulates, reads nothing per
/// synapse, and computes the same value on every lane.
pub(super) fn uniform(
    bindings: &[super::synapses::Binding],
    accumulate: &[Accumulate],
    program: &crate::ir::decode::Program,
) -> bool {
    !accumulate.is_empty()
        && bindings
            .iter()
            .all(|b| b.source == super::synapses::Gather::Output)
        && !program.lane_dependent()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Delivery shared among a team (split into target ranges) adds the
    /// same values in the same order as one pass: bit-identical columns.
    #[test]
    fn split_by_target_range_equals_one_pass() {
        // 6 sources, 40 targets (a subgroup at offset 5 of a group of 50);
        // synapses numbered by source, targets increasing within a row
        let (n_src, n_tgt, offset, n) = (6usize, 40usize, 5usize, 50usize);
        let mut trigger = Vec::new();
        let mut post = Vec::new();
        for i in 0..n_src {
            let mut row: Vec<i32> = (0..30).map(|k| ((k * 7 + i * 3) % n_tgt) as i32).collect();
            row.sort_unstable();
            post.extend(row);
            trigger.extend(std::iter::repeat_n(i as i32, 30));
        }
        let mut q = SpikeQueue::new();
        q.prepare(&trigger, n_src, &[0]).unwrap();
        // 36 spikes of 30 synapses: enough events for a team to share them
        let spikes: Vec<i32> = (0..36).map(|k| (k % n_src) as i32).collect();
        q.push(&spikes);
        let arrivals = q.take_current();
        assert!(count(&q, &arrivals) >= PARALLEL_EVENTS);
        let start: Vec<f64> = (0..n).map(|l| 0.1 * l as f64).collect();
        let run = |members: usize| {
            let mut col = start.clone();
            let targets = [Target {
                col: col.as_mut_ptr(),
                n,
                offset,
                size: n_tgt,
                index: &post,
                increment: 0.3,
            }];
            // (a team without helpers: the leader takes every range in turn)
            deliver(&targets, &q, &arrivals, members, &Team::new(0));
            col
        };
        let mut expected = start.clone();
        for &s in &spikes {
            let s = s as usize;
            for &k in &post[s * 30..(s + 1) * 30] {
                expected[offset + k as usize] += 0.3;
            }
        }
        assert_eq!(run(1), expected);
        assert_eq!(run(2), expected);
        assert_eq!(run(3), expected);
        // lanes outside the subgroup are never touched
        assert_eq!(&run(3)[..offset], &start[..offset]);
    }
}
