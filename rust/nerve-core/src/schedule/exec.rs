//! The run loop: ticks of the earliest clocks, each running the operations
//! of those clocks in schedule order.

use super::plan::{self, Fusion};
use super::record::{self, Recordings};
use super::sweep::{sweep, Work};
use super::synapses::{self, Pathway, SynWork};
use super::{
    Action, Clock, Flow, Group, Host, Outcome, Schedule, CHECK_EVERY_LANE_STEPS, EPSILON_DT,
};
use crate::error::Result;
use crate::ir::decode::Program;
use crate::team::Team;
use crate::vm::{execute_indexed, Scalars};

fn program<'p>(a: &Action<'p>) -> Option<&'p Program> {
    match *a {
        Action::Update { program, .. }
        | Action::Detect { program, .. }
        | Action::OnEvent { program, .. } => Some(program),
        _ => None,
    }
}

fn group_of(a: &Action<'_>) -> Option<usize> {
    match *a {
        Action::Update { group, .. }
        | Action::Detect { group, .. }
        | Action::OnEvent { group, .. } => Some(group),
        _ => None,
    }
}

/// One operation ready to run: programs resolved, scalar files owned,
/// fused pairs merged (built once per run, so a tick does no lookups).
enum Step<'p> {
    Sweep {
        group: usize,
        first: (&'p Program, Scalars),
        /// A fused condition and its event buffer.
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
    RecordState(usize),
    RecordEvents(usize),
    Link(usize),
    Host(usize),
    Propagate(usize),
    Synaptic(usize),
}

struct Planned<'p> {
    clock: usize,
    step: Step<'p>,
}

fn plan<'p>(s: &Schedule<'_, 'p>, fusion: &Fusion) -> Vec<Planned<'p>> {
    let mut out = Vec::with_capacity(s.ops.len());
    for (i, op) in s.ops.iter().enumerate() {
        if fusion.absorbed.get(i).copied().unwrap_or(false) {
            continue;
        }
        let step = match op.action {
            Action::Update { group, program } => {
                let then = fusion.fused.get(i).copied().flatten().and_then(|j| {
                    match s.ops.get(j)?.action {
                        Action::Detect { event, program, .. } => {
                            Some((program, Scalars::new(program), event))
                        }
                        _ => None,
                    }
                });
                Step::Sweep {
                    group,
                    first: (program, Scalars::new(program)),
                    then,
                }
            }
            Action::Detect {
                group,
                event,
                program,
            } => Step::Detect {
                group,
                event,
                program,
                sc: Scalars::new(program),
            },
            Action::OnEvent {
                group,
                event,
                program,
            } => Step::OnEvent {
                group,
                event,
                program,
                sc: Scalars::new(program),
            },
            Action::RecordState { recorder } => Step::RecordState(recorder),
            Action::RecordEvents { recorder } => Step::RecordEvents(recorder),
            Action::Link { link } => Step::Link(link),
            Action::Host { id } => Step::Host(id),
            Action::Propagate { pathway } => Step::Propagate(pathway),
            Action::Synaptic { pathway } => Step::Synaptic(pathway),
        };
        out.push(Planned {
            clock: op.clock,
            step,
        });
    }
    out
}

/// Run `s` until its earliest clock reaches its end, or the host stops it,
/// on at most `threads` threads (0: one per available core; fewer if no
/// group is large enough to split). Clocks are advanced in place; returns
/// how the run ended and what was recorded and not taken by the host.
pub fn run(
    groups: &mut [Group<'_, '_>],
    mut s: Schedule<'_, '_>,
    threads: usize,
    host: &mut dyn Host,
) -> Result<(Outcome, Recordings)> {
    plan::validate(groups, &s)?;
    let fusion = plan::fuse(s.ops, &s);
    let pathways = std::mem::take(&mut s.pathways);
    let syn_work: Vec<SynWork> = pathways.iter().map(|p| SynWork::new(p, groups)).collect();
    let mut work: Vec<Work> = groups
        .iter_mut()
        .enumerate()
        .map(|(k, g)| {
            let programs = s
                .ops
                .iter()
                .filter(|op| group_of(&op.action) == Some(k))
                .filter_map(|op| program(&op.action));
            Work::new(g, programs)
        })
        .collect();
    let mut steps = self::plan(&s, &fusion);
    let mut rec = Recordings::new(s.state_recorders, s.event_recorders);
    let lanes: usize = groups.iter().map(|g| g.columns.n()).sum::<usize>().max(1);
    let mut ticker = Ticker {
        s,
        check_every: (CHECK_EVERY_LANE_STEPS / lanes).max(1) as u64,
    };
    // Small groups only: no threads, and no thread count to look up (reading
    // the CPU quota costs a few microseconds per run).
    let members = if work.iter().any(Work::parallel) {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if threads == 0 {
            cores
        } else {
            threads.min(cores)
        }
    } else {
        1
    };
    let mut ctx = Ctx {
        pathways,
        syn_work,
        groups,
        work: &mut work,
        rec: &mut rec,
        host,
    };
    if members == 1 {
        let outcome = ticker.run(&mut ctx, &mut steps, &Team::new(0));
        return Ok((outcome, rec));
    }
    for w in ctx.work.iter_mut().filter(|w| w.parallel()) {
        w.for_team(members);
    }
    for sw in ctx.syn_work.iter_mut() {
        sw.members = members;
    }
    let team = Team::new(members - 1);
    let outcome = std::thread::scope(|scope| {
        for i in 1..members {
            let team = &team;
            scope.spawn(move || team.serve(i));
        }
        // Stops the helpers also if a tick unwinds (the scope joins them).
        struct Stop<'t>(&'t Team);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.stop();
            }
        }
        let _stop = Stop(&team);
        ticker.run(&mut ctx, &mut steps, &team)
    });
    Ok((outcome, rec))
}

/// What a tick works on.
struct Ctx<'x, 'a, 'c, 's, 'p> {
    pathways: &'s mut [Pathway<'s, 'p>],
    syn_work: Vec<SynWork>,
    groups: &'x mut [Group<'a, 'c>],
    work: &'x mut [Work],
    rec: &'x mut Recordings,
    host: &'x mut dyn Host,
}

struct Ticker<'s, 'p> {
    s: Schedule<'s, 'p>,
    check_every: u64,
}

/// The clocks that run in the next tick (`active`), or `None` when the
/// earliest clock has reached its end.
fn next_clocks(clocks: &[Clock], active: &mut [bool]) -> Option<()> {
    let (first, rest) = clocks.split_first()?;
    let mut min = first;
    for c in rest {
        if c.t() < min.t() {
            min = c;
        }
    }
    if min.step >= min.end {
        return None;
    }
    let t = min.t();
    for (c, a) in clocks.iter().zip(active.iter_mut()) {
        let ct = c.t();
        *a = c.step < c.end && (ct == t || (ct - t).abs() / min.dt.min(c.dt) < EPSILON_DT);
    }
    Some(())
}

impl Ticker<'_, '_> {
    fn run(
        &mut self,
        ctx: &mut Ctx<'_, '_, '_, '_, '_>,
        steps: &mut [Planned<'_>],
        team: &Team,
    ) -> Outcome {
        let mut out = Outcome::default();
        let mut active = vec![true; self.s.clocks.len()];
        let single = self.s.clocks.len() == 1;
        let mut until_poll = self.check_every;
        loop {
            // (one clock: it is active until its end)
            let more = if single {
                self.s.clocks.first().is_some_and(|c| c.step < c.end)
            } else {
                next_clocks(self.s.clocks, &mut active).is_some()
            };
            if !more {
                break;
            }
            let stop = self.tick(ctx, steps, team, &active, single);
            for (c, &a) in self.s.clocks.iter_mut().zip(&active) {
                if a {
                    c.step += 1;
                }
            }
            out.ticks += 1;
            if stop {
                out.stopped = true;
                break;
            }
            until_poll -= 1;
            if until_poll == 0 {
                until_poll = self.check_every;
                let t = self
                    .s
                    .clocks
                    .iter()
                    .map(Clock::t)
                    .fold(f64::INFINITY, f64::min);
                if next_clocks(self.s.clocks, &mut active).is_some()
                    && ctx.host.poll(t) == Flow::Stop
                {
                    out.stopped = true;
                    break;
                }
            }
        }
        out
    }

    /// One tick: every operation of an active clock, in order (with one
    /// clock, every operation). Returns true when the host asked to stop.
    fn tick(
        &self,
        ctx: &mut Ctx<'_, '_, '_, '_, '_>,
        steps: &mut [Planned<'_>],
        team: &Team,
        active: &[bool],
        single: bool,
    ) -> bool {
        let mut stop = false;
        let first = self.s.clocks.first().map(|c| (c.t(), c.dt, c.step));
        for planned in steps.iter_mut() {
            let (t, dt, step) = if single {
                match first {
                    Some(now) => now,
                    None => continue,
                }
            } else {
                if !active.get(planned.clock).copied().unwrap_or(false) {
                    continue;
                }
                let Some(clock) = self.s.clocks.get(planned.clock) else {
                    continue;
                };
                (clock.t(), clock.dt, clock.step)
            };
            match &mut planned.step {
                Step::Sweep { group, first, then } => {
                    let (Some(g), Some(w)) = (ctx.groups.get_mut(*group), ctx.work.get_mut(*group))
                    else {
                        continue;
                    };
                    let n = g.columns.n();
                    let (p1, sc1) = (first.0, &mut first.1);
                    sc1.run_scalar(p1, t, dt, n, step);
                    match then {
                        Some((p2, sc2, event)) => {
                            sc2.run_scalar(p2, t, dt, n, step);
                            sweep(g, w, &[(p1, sc1), (p2, sc2)], Some(*event), team);
                        }
                        None => sweep(g, w, &[(p1, sc1)], None, team),
                    }
                }
                Step::Detect {
                    group,
                    event,
                    program,
                    sc,
                } => {
                    let (Some(g), Some(w)) = (ctx.groups.get_mut(*group), ctx.work.get_mut(*group))
                    else {
                        continue;
                    };
                    sc.run_scalar(program, t, dt, g.columns.n(), step);
                    sweep(g, w, &[(program, sc)], Some(*event), team);
                }
                Step::OnEvent {
                    group,
                    event,
                    program,
                    sc,
                } => {
                    let (Some(g), Some(w)) = (ctx.groups.get_mut(*group), ctx.work.get_mut(*group))
                    else {
                        continue;
                    };
                    let Some(lanes) = w.events.get(*event) else {
                        continue;
                    };
                    if lanes.is_empty() {
                        continue;
                    }
                    sc.run_scalar(program, t, dt, g.columns.n(), step);
                    execute_indexed(program, sc, &mut w.regs, &g.columns, lanes, g.rng);
                }
                Step::RecordState(recorder) => {
                    if let (Some(r), Some(out)) = (
                        self.s.state_recorders.get(*recorder),
                        ctx.rec.state.get_mut(*recorder),
                    ) {
                        if let Some(g) = ctx.groups.get(r.group) {
                            record::record_state(r, &g.columns, step, out);
                        }
                    }
                }
                Step::RecordEvents(recorder) => {
                    if let (Some(r), Some(out)) = (
                        self.s.event_recorders.get(*recorder),
                        ctx.rec.events.get_mut(*recorder),
                    ) {
                        let lanes = ctx.work.get(r.group).and_then(|w| w.events.get(r.event));
                        if let (Some(lanes), Some(g)) = (lanes, ctx.groups.get(r.group)) {
                            record::record_events(r, lanes, &g.columns, step, out);
                        }
                    }
                }
                Step::Link(link) => {
                    if let Some(x) = self.s.links.get(*link) {
                        copy_linked(ctx.groups, x);
                    }
                }
                Step::Propagate(pathway) => {
                    let (Some(p), Some(sw)) = (
                        ctx.pathways.get_mut(*pathway),
                        ctx.syn_work.get_mut(*pathway),
                    ) else {
                        continue;
                    };
                    let Some(trigger) = p.trigger else {
                        continue;
                    };
                    let events = ctx
                        .work
                        .get_mut(trigger.group)
                        .and_then(|w| w.events.get_mut(trigger.event))
                        .map(std::mem::take)
                        .unwrap_or_default();
                    synapses::propagate(p, sw, ctx.groups, &events, (t, dt, step), team);
                    if let Some(slot) = ctx
                        .work
                        .get_mut(trigger.group)
                        .and_then(|w| w.events.get_mut(trigger.event))
                    {
                        *slot = events;
                    }
                }
                Step::Synaptic(pathway) => {
                    if let (Some(p), Some(sw)) =
                        (ctx.pathways.get(*pathway), ctx.syn_work.get_mut(*pathway))
                    {
                        synapses::sweep_all(p, sw, ctx.groups, (t, dt, step));
                    }
                }
                Step::Host(id) => {
                    if !stop && ctx.host.call(*id, t, ctx.rec) == Flow::Stop {
                        stop = true;
                    }
                }
            }
        }
        stop
    }
}

/// A linked variable's values, copied from the column it links to.
fn copy_linked(groups: &[Group<'_, '_>], x: &super::Link) {
    let (Some(from), Some(to)) = (groups.get(x.from_group), groups.get(x.to_group)) else {
        return;
    };
    for (k, &i) in x.indices.iter().enumerate() {
        to.columns
            .set(x.to_column, k, from.columns.get(x.from_column, i as usize));
    }
}
