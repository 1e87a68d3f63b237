//! The run loop: ticks of the earliest clocks, each running the operations
//! of those clocks in schedule order.

use super::batch::{self, Batch, Canon, GroupStep};
use super::inputs::{self, BinomialDraw, SpikeTable};
use super::plan::{self, Fusion};
use super::record::{self, RecordingPlan, Recordings};
use super::sweep::{On, Scratch, Work};
use super::synapses::{self, Pathway, SynWork};
use super::{
    Action, Clock, Flow, Group, Host, Outcome, Schedule, CHECK_EVERY_LANE_STEPS, EPSILON_DT,
};
use crate::error::Result;
use crate::ir::decode::Program;
use crate::team::Team;
use crate::vm::{Registers, Scalars};

fn program<'p>(a: &Action<'p>) -> Option<&'p Program> {
    match *a {
        Action::Update { program, .. }
        | Action::Detect { program, .. }
        | Action::OnEvent { program, .. } => Some(program),
        _ => None,
    }
}

/// One operation ready to run: programs resolved, scalar files owned,
/// fused pairs merged (built once per run, so a tick does no lookups).
/// (A tag of its own: a tick dispatches on it for every step, and a tag
/// hidden in a niche of the fields costs several instructions to decode.)
#[repr(u8)]
pub(super) enum Step<'p> {
    /// A step of one group, on this thread.
    Group(GroupStep<'p>),
    /// A sweep of a group large enough to be split over the team.
    Split(GroupStep<'p>),
    Batch(Batch<'p>),
    RecordState(usize),
    RecordEvents(usize),
    RecordRate(usize),
    Link(usize),
    Host(usize),
    Propagate(usize),
    Synaptic(usize),
    Generate {
        group: usize,
        table: &'p SpikeTable,
    },
    Binomial {
        group: usize,
        column: usize,
        range: (usize, usize),
        draw: &'p BinomialDraw,
        weight: Option<f64>,
        buf: Vec<f64>,
    },
}

pub(super) struct Planned<'p> {
    pub clock: usize,
    pub step: Step<'p>,
}

fn plan<'p>(s: &Schedule<'_, 'p>, fusion: &Fusion, work: &[Work]) -> Vec<Planned<'p>> {
    let mut out = Vec::with_capacity(s.ops.len());
    let mut canon = Canon::default();
    for (i, op) in s.ops.iter().enumerate() {
        if fusion.absorbed.get(i).copied().unwrap_or(false) {
            continue;
        }
        let action = match op.action {
            Action::Update { group, program } => Action::Update {
                group,
                program: canon.of(program),
            },
            Action::Detect {
                group,
                event,
                program,
            } => Action::Detect {
                group,
                event,
                program: canon.of(program),
            },
            Action::OnEvent {
                group,
                event,
                program,
            } => Action::OnEvent {
                group,
                event,
                program: canon.of(program),
            },
            other => other,
        };
        let step = match action {
            Action::Update { group, program } => {
                let then = fusion.fused.get(i).copied().flatten().and_then(|j| {
                    match s.ops.get(j)?.action {
                        Action::Detect { event, program, .. } => {
                            let program = canon.of(program);
                            Some((program, Scalars::new(program), event))
                        }
                        _ => None,
                    }
                });
                Step::Group(GroupStep::Sweep {
                    group,
                    first: (program, Scalars::new(program)),
                    then,
                })
            }
            Action::Detect {
                group,
                event,
                program,
            } => Step::Group(GroupStep::Detect {
                group,
                event,
                program,
                sc: Scalars::new(program),
            }),
            Action::OnEvent {
                group,
                event,
                program,
            } => Step::Group(GroupStep::OnEvent {
                group,
                event,
                program,
                sc: Scalars::new(program),
            }),
            Action::RecordState { recorder } => Step::RecordState(recorder),
            Action::RecordEvents { recorder } => Step::RecordEvents(recorder),
            Action::RecordRate { recorder } => Step::RecordRate(recorder),
            Action::Link { link } => Step::Link(link),
            Action::Host { id } => Step::Host(id),
            Action::Propagate { pathway } => Step::Propagate(pathway),
            Action::Synaptic { pathway } => Step::Synaptic(pathway),
            Action::Generate { group, table } => Step::Generate { group, table },
            Action::Binomial {
                group,
                column,
                start,
                stop,
                draw,
                weight,
            } => Step::Binomial {
                group,
                column,
                range: (start, stop),
                draw,
                weight,
                buf: Vec::new(),
            },
        };
        let step = match step {
            Step::Group(gs) if gs.splits(work.get(gs.group())) => Step::Split(gs),
            other => other,
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
    s: Schedule<'_, '_>,
    threads: usize,
    host: &mut dyn Host,
) -> Result<(Outcome, Recordings)> {
    run_with(groups, s, threads, host, &RecordingPlan::default())
}

/// [`run`] with rate recorders and a memory plan for the recordings (see
/// [`RecordingPlan`]). A recording that does not fit stops the run after
/// the current tick, with `Recordings::overflow` set.
pub fn run_with(
    groups: &mut [Group<'_, '_>],
    mut s: Schedule<'_, '_>,
    threads: usize,
    host: &mut dyn Host,
    recording: &RecordingPlan<'_>,
) -> Result<(Outcome, Recordings)> {
    plan::validate(groups, &s)?;
    plan::validate_rates(groups, &s, recording)?;
    let fusion = plan::fuse(s.ops, &s);
    let pathways = std::mem::take(&mut s.pathways);
    let syn_work: Vec<SynWork> = pathways.iter().map(|p| SynWork::new(p, groups)).collect();
    let mut work: Vec<Work> = groups.iter_mut().map(Work::new).collect();
    let steps = self::plan(&s, &fusion, &work);
    let mut steps = batch::form(steps, &work);
    let programs = s.ops.iter().filter_map(|op| program(&op.action));
    let scratch_programs: Vec<&Program> = programs.collect();
    let mut rec = Recordings::for_schedule(&s, recording);
    let lanes: usize = groups.iter().map(|g| g.columns.n()).sum::<usize>().max(1);
    let mut ticker = Ticker {
        s,
        rates: recording.rate_recorders,
        check_every: (CHECK_EVERY_LANE_STEPS / lanes).max(1) as u64,
    };
    // Small groups only, no batch of them: no threads, and no thread count
    // to look up (reading the CPU quota costs a few microseconds per run).
    let batched = steps.iter().any(|p| matches!(p.step, Step::Batch(_)));
    let members = if batched || work.iter().any(Work::parallel) {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        if threads == 0 {
            cores
        } else {
            threads.min(cores)
        }
    } else {
        1
    };
    let regs = Registers::for_programs(scratch_programs.iter().copied());
    // (files for rounds of the team only: one thread has none)
    let scratch = Scratch::new(if members > 1 { members } else { 0 }, scratch_programs);
    let mut ctx = Ctx {
        pathways,
        syn_work,
        groups,
        work: &mut work,
        regs,
        scratch,
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
    /// The registers of work on this thread outside rounds of the team.
    regs: Registers,
    /// The registers of each member in rounds of the team.
    scratch: Scratch,
    rec: &'x mut Recordings,
    host: &'x mut dyn Host,
}

struct Ticker<'s, 'p, 'r> {
    s: Schedule<'s, 'p>,
    rates: &'r [record::RateRecorder],
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

impl Ticker<'_, '_, '_> {
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
            if ctx.rec.flush_due() {
                let t = self
                    .s
                    .clocks
                    .iter()
                    .map(Clock::t)
                    .fold(f64::INFINITY, f64::min);
                if ctx.host.flush(t, ctx.rec) == Flow::Stop {
                    out.stopped = true;
                    break;
                }
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
                Step::Group(gs) => {
                    let k = gs.group();
                    let (Some(g), Some(w)) = (ctx.groups.get_mut(k), ctx.work.get_mut(k)) else {
                        continue;
                    };
                    gs.run(g, w, (t, dt, step), On::Here(&mut ctx.regs));
                }
                Step::Split(gs) => {
                    let k = gs.group();
                    let (Some(g), Some(w)) = (ctx.groups.get_mut(k), ctx.work.get_mut(k)) else {
                        continue;
                    };
                    let on = if w.split() {
                        On::Team(team, &ctx.scratch)
                    } else {
                        On::Here(&mut ctx.regs) // (a team of one)
                    };
                    gs.run(g, w, (t, dt, step), on);
                }
                Step::Batch(b) => b.run(
                    ctx.groups,
                    ctx.work,
                    (t, dt, step),
                    team,
                    (&ctx.scratch, &mut ctx.regs),
                ),
                Step::RecordState(recorder) => {
                    let r = self.s.state_recorders.get(*recorder);
                    if let Some((r, g)) = r.and_then(|r| Some((r, ctx.groups.get(r.group)?))) {
                        stop |= !record::record_state(r, &g.columns, step, *recorder, ctx.rec);
                    }
                }
                Step::RecordEvents(recorder) => {
                    if let Some(r) = self.s.event_recorders.get(*recorder) {
                        let lanes = ctx.work.get(r.group).and_then(|w| w.events.get(r.event));
                        if let (Some(lanes), Some(g)) = (lanes, ctx.groups.get(r.group)) {
                            stop |= !record::record_events(
                                r, lanes, &g.columns, step, *recorder, ctx.rec,
                            );
                        }
                    }
                }
                Step::RecordRate(recorder) => {
                    if let Some(r) = self.rates.get(*recorder) {
                        let lanes = ctx.work.get(r.group).and_then(|w| w.events.get(r.event));
                        if let Some(lanes) = lanes {
                            stop |= !record::record_rate(r, lanes, step, *recorder, ctx.rec);
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
                Step::Generate { group, table } => {
                    if let Some(spikes) = ctx
                        .work
                        .get_mut(*group)
                        .and_then(|w| w.events.get_mut(super::sweep::SPIKES))
                    {
                        table.emit(step, spikes);
                    }
                }
                Step::Binomial {
                    group,
                    column,
                    range,
                    draw,
                    weight,
                    buf,
                } => {
                    if let Some(g) = ctx.groups.get_mut(*group) {
                        let cols = &mut g.columns;
                        inputs::binomial(cols, g.rng, *column, *range, draw, *weight, buf);
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
