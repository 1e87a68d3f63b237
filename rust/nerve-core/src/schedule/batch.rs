//! The steps of a run that work on one group (sweeps, conditions, programs
//! on events), and batches of them.
//!
//! A group too small to be split over the team (fewer than
//! [`PARALLEL_CHUNKS`] chunks) runs on one thread. A network of many such
//! groups (a parameter sweep: K copies of a model, each its own group) has
//! runs of consecutive steps over different groups: the updates of every
//! group, then their resets. Such a run is one *batch*: a round of the team
//! whose items are the steps, each run whole, on one thread, by whichever
//! member claims it, with that group's own state, random streams and event
//! buffers. A step reads and writes only its own group (its columns, its
//! streams, its event buffers and its scalar file), so steps of different
//! groups do not see each other and may run in any order, at once: results
//! are those of the steps run one after the other, for any number of
//! threads. Steps are kept in order of their groups, and each member owns a
//! contiguous range of them (see [`crate::team`]), so a group's update and
//! its reset are claimed by the same member, step after step, and its state
//! stays in that member's cache.

use super::exec::{Planned, Step};
use super::sweep::{sweep, On, Scratch, Work};
use super::{Group, PARALLEL_CHUNKS};
use crate::ir::decode::Program;
use crate::team::{Team, OWN_KEYS};
use crate::vm::{execute_indexed, Scalars};
use crate::CHUNK;

/// A batch is formed only when its groups hold this many lanes together
/// (below, a round of the team costs more than it could save; the team's
/// tuner decides above).
const BATCH_LANES: usize = PARALLEL_CHUNKS * CHUNK / 4;

/// The time of a step: `(t, dt, step)` of its clock.
pub(super) type Now = (f64, f64, i64);

/// An operation on one group, ready to run.
pub(super) enum GroupStep<'p> {
    /// An update program, and a fused condition with its event buffer.
    Sweep {
        group: usize,
        first: (&'p Program, Scalars),
        then: Option<(&'p Program, Scalars, usize)>,
    },
    Detect {
        group: usize,
        event: usize,
        program: &'p Program,
        sc: Scalars,
    },
    OnEvent {
        group: usize,
        event: usize,
        program: &'p Program,
        sc: Scalars,
    },
}

impl GroupStep<'_> {
    pub fn group(&self) -> usize {
        match *self {
            GroupStep::Sweep { group, .. }
            | GroupStep::Detect { group, .. }
            | GroupStep::OnEvent { group, .. } => group,
        }
    }

    /// Whether the step may be split over a team (sweeps of large groups).
    pub fn splits(&self, w: &Work) -> bool {
        !matches!(self, GroupStep::OnEvent { .. }) && w.split()
    }

    /// Run the step on its group `g` at time `now`.
    pub fn run(&mut self, g: &mut Group<'_, '_>, w: &mut Work, now: Now, on: On<'_>) {
        let (t, dt, step) = now;
        let n = g.columns.n();
        match self {
            GroupStep::Sweep { first, then, .. } => {
                let (p1, sc1) = (first.0, &mut first.1);
                sc1.run_scalar(p1, t, dt, n, step);
                match then {
                    Some((p2, sc2, event)) => {
                        sc2.run_scalar(p2, t, dt, n, step);
                        sweep(g, w, &[(p1, &*sc1), (p2, &*sc2)], Some(*event), on);
                    }
                    None => sweep(g, w, &[(p1, &*sc1)], None, on),
                }
            }
            GroupStep::Detect {
                event, program, sc, ..
            } => {
                sc.run_scalar(program, t, dt, n, step);
                sweep(g, w, &[(program, &*sc)], Some(*event), on);
            }
            GroupStep::OnEvent {
                event, program, sc, ..
            } => {
                let Some(lanes) = w.events.get(*event) else {
                    return;
                };
                if lanes.is_empty() {
                    return;
                }
                sc.run_scalar(program, t, dt, n, step);
                match on {
                    On::Here(regs) => execute_indexed(program, sc, regs, &g.columns, lanes, g.rng),
                    On::Team(_, scratch) => {
                        if let Some(mut regs) = scratch.member(0) {
                            execute_indexed(program, sc, &mut regs, &g.columns, lanes, g.rng);
                        }
                    }
                }
            }
        }
    }
}

/// Consecutive steps of distinct groups, each run on one thread, shared
/// over the team.
pub(super) struct Batch<'p> {
    /// The steps, in increasing order of their groups.
    steps: Vec<GroupStep<'p>>,
    /// The key of the batch's rounds in the team's tuners.
    key: u64,
}

/// One step of a batch with its group, as claimed by a member.
struct Item<'x, 'a, 'c, 'p> {
    step: &'x mut GroupStep<'p>,
    group: &'x mut Group<'a, 'c>,
    work: &'x mut Work,
}

impl Batch<'_> {
    /// Run every step of the batch at time `now`, shared over `team`.
    pub fn run(
        &mut self,
        groups: &mut [Group<'_, '_>],
        work: &mut [Work],
        now: Now,
        team: &Team,
        scratch: &Scratch,
    ) {
        // (the groups are distinct and in increasing order: one pass pairs
        // each step with its group)
        let mut items = Vec::with_capacity(self.steps.len());
        let mut mine = groups.iter_mut().zip(work.iter_mut()).enumerate();
        for step in self.steps.iter_mut() {
            let k = step.group();
            let Some((_, (group, work))) = mine.find(|(i, _)| *i == k) else {
                break; // unreachable: groups checked before the run
            };
            items.push(Item { step, group, work });
        }
        team.share_timed_as(self.key, &mut items, &|member, claims| {
            let Some(mut regs) = scratch.member(member) else {
                return; // unreachable: a scratch file per member
            };
            for (_, it) in claims {
                it.step.run(it.group, it.work, now, On::Here(&mut regs));
            }
        });
    }
}

/// Whether a step may join a batch: a step of one group that runs on one
/// thread.
fn batchable(step: &Step<'_>, work: &[Work]) -> Option<usize> {
    let Step::Group(s) = step else {
        return None;
    };
    let g = s.group();
    let small = match s {
        GroupStep::OnEvent { .. } => true,
        _ => work.get(g).is_some_and(|w| !w.parallel()),
    };
    small.then_some(g)
}

/// Replace each run of consecutive steps on one clock, of distinct groups
/// that run on one thread, by a batch, when there are at least two and
/// their groups hold at least [`BATCH_LANES`] lanes together.
pub(super) fn form<'p>(steps: Vec<Planned<'p>>, work: &[Work]) -> Vec<Planned<'p>> {
    let mut out = Vec::with_capacity(steps.len());
    let mut run: Vec<Planned<'p>> = Vec::new();
    let mut member = vec![false; work.len()];
    let mut batches = 0;
    let close = |run: &mut Vec<Planned<'p>>, out: &mut Vec<Planned<'p>>, member: &mut [bool]| {
        let lanes: usize = run
            .iter()
            .filter_map(|p| batchable(&p.step, work))
            .map(|g| work.get(g).map_or(0, |w| w.n_lanes))
            .sum();
        for p in run.iter() {
            if let Some(m) = batchable(&p.step, work).and_then(|g| member.get_mut(g)) {
                *m = false;
            }
        }
        let clock = run.first().map(|p| p.clock);
        match clock {
            Some(clock) if run.len() >= 2 && lanes >= BATCH_LANES => {
                let mut steps: Vec<GroupStep<'p>> = run
                    .drain(..)
                    .filter_map(|p| match p.step {
                        Step::Group(s) => Some(s),
                        _ => None, // unreachable: only group steps join a run
                    })
                    .collect();
                steps.sort_by_key(GroupStep::group);
                out.push(Planned {
                    clock,
                    step: Step::Batch(Batch { steps, key: 0 }),
                });
            }
            _ => out.append(run),
        }
    };
    for p in steps {
        let joins = batchable(&p.step, work).filter(|&g| {
            !member.get(g).copied().unwrap_or(true)
                && run.first().is_none_or(|first| first.clock == p.clock)
        });
        if joins.is_none() {
            close(&mut run, &mut out, &mut member);
        }
        match batchable(&p.step, work) {
            Some(g) => {
                if let Some(m) = member.get_mut(g) {
                    *m = true;
                }
                run.push(p);
            }
            None => out.push(p),
        }
    }
    close(&mut run, &mut out, &mut member);
    for p in out.iter_mut() {
        if let Step::Batch(b) = &mut p.step {
            b.key = OWN_KEYS + batches;
            batches += 1;
        }
    }
    out
}
