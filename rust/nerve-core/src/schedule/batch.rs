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

use std::collections::HashMap;

use super::exec::{Planned, Step};
use super::sweep::{sweep, On, Scratch, Work};
use super::{Group, PARALLEL_CHUNKS};
use crate::ir::decode::Program;
use crate::team::{Team, OWN_KEYS};
use crate::vm::{execute_indexed, Registers, Scalars};
use crate::CHUNK;

/// A batch is formed only when its groups hold this many lanes together
/// (below, a round of the team costs more than it could save; the team's
/// tuner decides above).
const BATCH_LANES: usize = PARALLEL_CHUNKS * CHUNK / 4;

/// The time of a step: `(t, dt, step)` of its clock.
pub(super) type Now = (f64, f64, i64);

/// An operation on one group, ready to run (a tag of its own, as
/// `exec::Step`).
#[repr(u8)]
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

impl<'p> GroupStep<'p> {
    #[inline]
    pub fn group(&self) -> usize {
        match *self {
            GroupStep::Sweep { group, .. }
            | GroupStep::Detect { group, .. }
            | GroupStep::OnEvent { group, .. } => group,
        }
    }

    /// Whether the step may be split over a team (a sweep of a group large
    /// enough).
    pub fn splits(&self, w: Option<&Work>) -> bool {
        !matches!(self, GroupStep::OnEvent { .. }) && w.is_some_and(Work::parallel)
    }

    /// The step's programs.
    fn programs(&self) -> [Option<&'p Program>; 2] {
        match self {
            GroupStep::Sweep { first, then, .. } => [Some(first.0), then.as_ref().map(|t| t.0)],
            GroupStep::Detect { program, .. } | GroupStep::OnEvent { program, .. } => {
                [Some(*program), None]
            }
        }
    }

    /// Run the step on its group `g` at time `now` (inlined in the run
    /// loop: a step of a small group is mostly this function's overhead).
    #[inline(always)]
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
                        sweep(g, w, &[(p1, &*sc1), (*p2, &*sc2)], Some(*event), on);
                    }
                    None => sweep(g, w, &[(p1, &*sc1)], None, on),
                }
            }
            GroupStep::Detect {
                event, program, sc, ..
            } => {
                sc.run_scalar(program, t, dt, n, step);
                sweep(g, w, &[(*program, &*sc)], Some(*event), on);
            }
            GroupStep::OnEvent {
                event, program, sc, ..
            } => {
                // (the scalars are computed only when there are events)
                if w.events.get(*event).is_some_and(|e| !e.is_empty()) {
                    sc.run_scalar(program, t, dt, n, step);
                    on_event(program, sc, g, w, *event, on);
                }
            }
        }
    }

    /// Run the step's programs with the scalar files `sc` (bound for this
    /// step and this group's size).
    fn exec(&self, g: &mut Group<'_, '_>, w: &mut Work, sc: [Option<&Scalars>; 2], on: On<'_>) {
        match (self, sc) {
            (GroupStep::Sweep { first, then, .. }, [Some(s1), s2]) => match (then, s2) {
                (Some((p2, _, event)), Some(s2)) => {
                    sweep(g, w, &[(first.0, s1), (*p2, s2)], Some(*event), on);
                }
                _ => sweep(g, w, &[(first.0, s1)], None, on),
            },
            (GroupStep::Detect { event, program, .. }, [Some(s), _]) => {
                sweep(g, w, &[(*program, s)], Some(*event), on);
            }
            (GroupStep::OnEvent { event, program, .. }, [Some(s), _]) => {
                on_event(program, s, g, w, *event, on);
            }
            _ => {} // unreachable: a file for each program
        }
    }
}

/// Run `program` (with scalars `sc`) on the lanes of event buffer `event`
/// of `g`, on this thread.
fn on_event(
    program: &Program,
    sc: &Scalars,
    g: &mut Group<'_, '_>,
    w: &Work,
    event: usize,
    on: On<'_>,
) {
    let Some(lanes) = w.events.get(event) else {
        return;
    };
    if lanes.is_empty() {
        return;
    }
    match on {
        On::Here(regs) => execute_indexed(program, sc, regs, &g.columns, lanes, g.rng),
        On::Team(_, scratch) => {
            if let Some(mut regs) = scratch.member(0) {
                execute_indexed(program, sc, &mut regs, &g.columns, lanes, g.rng);
            }
        }
    }
}

/// Consecutive steps of distinct groups, each run on one thread, shared
/// over the team.
pub(super) struct Batch<'p> {
    /// The steps, in increasing order of their groups.
    steps: Vec<GroupStep<'p>>,
    /// The scalar files of the batch: one per program and size of group
    /// (steps of copies of one model share theirs), and which each step
    /// uses.
    files: Vec<File<'p>>,
    uses: Vec<[Option<usize>; 2]>,
    /// The number of steps in each item of a round: consecutive steps
    /// holding about a chunk of lanes together (one claim for a few small
    /// groups).
    parts: Vec<usize>,
    /// The key of the batch's rounds in the team's tuners.
    key: u64,
}

/// A program's scalar file for groups of `n` lanes.
struct File<'p> {
    program: &'p Program,
    n: usize,
    sc: Scalars,
}

/// One step of a batch with its group, as claimed by a member.
struct Item<'x, 'a, 'c, 'p> {
    step: &'x GroupStep<'p>,
    sc: [Option<&'x Scalars>; 2],
    group: &'x mut Group<'a, 'c>,
    work: &'x mut Work,
}

impl<'p> Batch<'p> {
    /// A batch of `steps` (of distinct groups, sorted by group).
    fn new(steps: Vec<GroupStep<'p>>, work: &[Work]) -> Batch<'p> {
        let mut files: Vec<File<'p>> = Vec::new();
        let mut index: HashMap<(*const Program, usize), usize> = HashMap::new();
        let uses = steps
            .iter()
            .map(|s| {
                let n = work.get(s.group()).map_or(0, |w| w.n_lanes);
                s.programs().map(|p| {
                    let p = p?;
                    let k = *index.entry((p as *const Program, n)).or_insert_with(|| {
                        files.push(File {
                            program: p,
                            n,
                            sc: Scalars::new(p),
                        });
                        files.len() - 1
                    });
                    Some(k)
                })
            })
            .collect();
        let mut parts = Vec::new();
        let (mut len, mut lanes) = (0, 0);
        for s in &steps {
            len += 1;
            lanes += work.get(s.group()).map_or(0, |w| w.n_lanes);
            if lanes >= CHUNK {
                parts.push(std::mem::take(&mut len));
                lanes = 0;
            }
        }
        if len > 0 {
            parts.push(len);
        }
        Batch {
            steps,
            files,
            uses,
            parts,
            key: 0,
        }
    }

    /// Run every step of the batch at time `now`, shared over `team`.
    pub fn run(
        &mut self,
        groups: &mut [Group<'_, '_>],
        work: &mut [Work],
        now: Now,
        team: &Team,
        (scratch, here): (&Scratch, &mut Registers),
    ) {
        let (t, dt, step) = now;
        for f in self.files.iter_mut() {
            f.sc.run_scalar(f.program, t, dt, f.n, step);
        }
        let files = &self.files;
        let file = |k: Option<usize>| Some(&files.get(k?)?.sc);
        // (the groups are distinct and in increasing order: one pass pairs
        // each step with its group)
        let mut items = Vec::with_capacity(self.steps.len());
        let mut mine = groups.iter_mut().zip(work.iter_mut()).enumerate();
        for (step, &[a, b]) in self.steps.iter().zip(&self.uses) {
            let k = step.group();
            let Some((_, (group, work))) = mine.find(|(i, _)| *i == k) else {
                break; // unreachable: groups checked before the run
            };
            let sc = [file(a), file(b)];
            items.push(Item {
                step,
                sc,
                group,
                work,
            });
        }
        if team.helpers() == 0 {
            // (one thread: no round, no claims)
            for it in items {
                it.step.exec(it.group, it.work, it.sc, On::Here(here));
            }
            return;
        }
        let mut parts = Vec::with_capacity(self.parts.len());
        let mut rest = &mut items[..];
        for &len in &self.parts {
            let (part, after) = rest.split_at_mut(len.min(rest.len()));
            parts.push(part);
            rest = after;
        }
        team.share_timed_as(self.key, &mut parts, &|member, claims| {
            let Some(mut regs) = scratch.member(member) else {
                return; // unreachable: a scratch file per member
            };
            for (_, part) in claims {
                for it in part.iter_mut() {
                    it.step.exec(it.group, it.work, it.sc, On::Here(&mut regs));
                }
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
                    step: Step::Batch(Batch::new(steps, work)),
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

/// One program for each code found in a run: steps of groups that run the
/// same code (copies of one model) share one program, whose instructions
/// stay in cache from one group to the next (and share a scalar file in a
/// batch).
#[derive(Default)]
pub(super) struct Canon<'p> {
    by_print: HashMap<u64, Vec<&'p Program>>,
}

impl<'p> Canon<'p> {
    /// The first program seen with the code of `p`.
    pub fn of(&mut self, p: &'p Program) -> &'p Program {
        let same = self.by_print.entry(p.fingerprint()).or_default();
        match same.iter().find(|q| std::ptr::eq(**q, p) || q.same_code(p)) {
            Some(q) => q,
            None => {
                same.push(p);
                p
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::asm::{v, Asm};
    use crate::ir::opcodes::Op;
    use crate::noise::Rng;
    use crate::vm::Columns;

    fn program(c: f64) -> Program {
        let mut a = Asm::new(1);
        let kc = a.konst(c);
        a.load(v(0), 0)
            .vop(Op::Add, v(1), v(0), kc, 0)
            .store(0, v(1));
        Program::decode(&a.finish()).unwrap()
    }

    /// What `form` made of a list of steps: `B[groups]` for a batch, `g`
    /// for a step of group g alone, `-` for another step.
    fn shape(steps: &[Planned<'_>]) -> Vec<String> {
        steps
            .iter()
            .map(|p| match &p.step {
                Step::Batch(b) => format!(
                    "B{:?}",
                    b.steps.iter().map(GroupStep::group).collect::<Vec<_>>()
                ),
                Step::Group(s) => s.group().to_string(),
                _ => "-".to_string(),
            })
            .collect()
    }

    #[test]
    fn runs_of_distinct_small_groups_on_one_clock_form_batches() {
        // groups 0..6 of 1500 lanes, group 6 large enough to be split,
        // groups 7..23 of 300 lanes
        let mut sizes = vec![1500, 1500, 1500, 1500, 1500, 1500, PARALLEL_CHUNKS * CHUNK];
        sizes.extend([300; 16]);
        let mut rngs: Vec<Rng> = (0..sizes.len()).map(|k| Rng::new(1, k as u64)).collect();
        let work: Vec<Work> = sizes
            .iter()
            .zip(rngs.iter_mut())
            .map(|(&n, rng)| {
                let mut g = Group {
                    columns: Columns::new(&mut [], n).unwrap(),
                    rng,
                    n_events: 1,
                };
                Work::new(&mut g)
            })
            .collect();
        let p = program(1.0);
        let sweep = |group, clock| Planned {
            clock,
            step: Step::Group(GroupStep::Sweep {
                group,
                first: (&p, Scalars::new(&p)),
                then: None,
            }),
        };
        let reset = |group, clock| Planned {
            clock,
            step: Step::Group(GroupStep::OnEvent {
                group,
                event: 0,
                program: &p,
                sc: Scalars::new(&p),
            }),
        };
        let mut steps = vec![
            sweep(0, 0),
            sweep(1, 0),
            sweep(2, 0),
            sweep(1, 0), // group 1 again: a new batch
            sweep(3, 0),
            sweep(5, 0),
            sweep(4, 0),
            sweep(6, 0), // split over the team: alone
            reset(5, 0),
            reset(6, 0), // a reset runs on one thread: batched
            reset(4, 0),
            Planned {
                clock: 0,
                step: Step::Host(0),
            },
            reset(3, 0),
            reset(0, 1), // another clock
            reset(1, 0),
            sweep(1, 0),
            sweep(3, 0), // 3000 lanes: too few for a batch
            Planned {
                clock: 0,
                step: Step::Host(1),
            },
        ];
        steps.extend((7..23).map(|g| sweep(g, 0)));
        let formed = form(steps, &work);
        assert_eq!(
            shape(&formed),
            [
                "B[0, 1, 2]",
                "B[1, 3, 4, 5]",
                "6",
                "B[4, 5, 6]",
                "-",
                "3",
                "0",
                "1",
                "1",
                "3",
                "-",
                "B[7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]"
            ]
        );
        // one scalar file per program and size of group, keys apart
        let batches: Vec<&Batch<'_>> = formed
            .iter()
            .filter_map(|p| match &p.step {
                Step::Batch(b) => Some(b),
                _ => None,
            })
            .collect();
        assert_eq!(batches[0].files.len(), 1);
        // items of about a chunk of lanes: groups of 1500 alone, of 300 by 4
        assert_eq!(batches[0].parts, [1, 1, 1]);
        assert_eq!(batches[3].parts, [4, 4, 4, 4]);
        assert_eq!(batches[2].files.len(), 2);
        assert_ne!(batches[0].key, batches[1].key);
        assert!(batches.iter().all(|b| b.key >= OWN_KEYS));
    }

    #[test]
    fn programs_with_the_same_code_are_shared() {
        let (a, b, c) = (program(1.0), program(1.0), program(2.0));
        let mut canon = Canon::default();
        assert!(std::ptr::eq(canon.of(&a), &a));
        assert!(std::ptr::eq(canon.of(&b), &a));
        assert!(std::ptr::eq(canon.of(&c), &c));
        // -0.0 and 0.0 differ (bit for bit)
        let (z, m) = (program(0.0), program(-0.0));
        assert!(std::ptr::eq(canon.of(&z), &z));
        assert!(std::ptr::eq(canon.of(&m), &m));
    }
}
