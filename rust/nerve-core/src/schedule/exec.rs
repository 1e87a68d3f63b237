//! The run loop: ticks of the earliest clocks, each running the operations
//! of those clocks in schedule order.

use std::sync::Mutex;

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
    let mut scalars: Vec<Option<Scalars>> = s
        .ops
        .iter()
        .map(|op| program(&op.action).map(Scalars::new))
        .collect();
    let mut rec = Recordings::new(s.state_recorders, s.event_recorders);
    let lanes: usize = groups.iter().map(|g| g.columns.n()).sum::<usize>().max(1);
    let mut ticker = Ticker {
        s,
        pathways,
        syn_work,
        fusion,
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
    if members == 1 {
        let outcome = ticker.run(
            groups,
            &mut work,
            &mut scalars,
            &mut rec,
            host,
            &Team::new(0),
        );
        return Ok((outcome, rec));
    }
    for w in work.iter_mut().filter(|w| w.parallel()) {
        w.parts = (1..members)
            .map(|_| Mutex::new((w.regs.clone(), Vec::new())))
            .collect();
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
        ticker.run(groups, &mut work, &mut scalars, &mut rec, host, &team)
    });
    Ok((outcome, rec))
}

struct Ticker<'s, 'p> {
    s: Schedule<'s, 'p>,
    pathways: &'s mut [Pathway<'s, 'p>],
    syn_work: Vec<SynWork>,
    fusion: Fusion,
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
        groups: &mut [Group<'_, '_>],
        work: &mut [Work],
        scalars: &mut [Option<Scalars>],
        rec: &mut Recordings,
        host: &mut dyn Host,
        team: &Team,
    ) -> Outcome {
        let mut out = Outcome::default();
        let mut active = vec![true; self.s.clocks.len()];
        while next_clocks(self.s.clocks, &mut active).is_some() {
            let stop = self.tick(groups, work, scalars, rec, host, team, &active);
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
            if out.ticks % self.check_every == 0 {
                let t = self
                    .s
                    .clocks
                    .iter()
                    .map(Clock::t)
                    .fold(f64::INFINITY, f64::min);
                if next_clocks(self.s.clocks, &mut active).is_some() && host.poll(t) == Flow::Stop {
                    out.stopped = true;
                    break;
                }
            }
        }
        out
    }

    /// One tick: every operation of an active clock, in order. Returns true
    /// when the host asked to stop.
    #[allow(clippy::too_many_arguments)]
    fn tick(
        &mut self,
        groups: &mut [Group<'_, '_>],
        work: &mut [Work],
        scalars: &mut [Option<Scalars>],
        rec: &mut Recordings,
        host: &mut dyn Host,
        team: &Team,
        active: &[bool],
    ) -> bool {
        let mut stop = false;
        let ops = self.s.ops;
        for (i, op) in ops.iter().enumerate() {
            if !active.get(op.clock).copied().unwrap_or(false)
                || self.fusion.absorbed.get(i).copied().unwrap_or(false)
            {
                continue;
            }
            let Some(&clock) = self.s.clocks.get(op.clock) else {
                continue;
            };
            let (t, dt, step) = (clock.t(), clock.dt, clock.step);
            match op.action {
                Action::Update { group, program } => {
                    let (Some(g), Some(w)) = (groups.get_mut(group), work.get_mut(group)) else {
                        continue;
                    };
                    let n = g.columns.n();
                    let fused = self.fusion.fused.get(i).copied().flatten();
                    let (head, tail) = scalars.split_at_mut(i + 1);
                    let Some(Some(sc)) = head.last_mut() else {
                        continue;
                    };
                    sc.run_scalar(program, t, dt, n, step);
                    let detect = fused.and_then(|j| match self.s.ops.get(j)?.action {
                        Action::Detect { event, program, .. } => {
                            let sc = tail.get_mut(j - i - 1)?.as_mut()?;
                            sc.run_scalar(program, t, dt, n, step);
                            Some((event, program, &*sc))
                        }
                        _ => None,
                    });
                    match detect {
                        Some((event, p2, sc2)) => {
                            sweep(g, w, &[(program, sc), (p2, sc2)], Some(event), team)
                        }
                        None => sweep(g, w, &[(program, sc)], None, team),
                    }
                }
                Action::Detect {
                    group,
                    event,
                    program,
                } => {
                    let (Some(g), Some(w), Some(Some(sc))) = (
                        groups.get_mut(group),
                        work.get_mut(group),
                        scalars.get_mut(i),
                    ) else {
                        continue;
                    };
                    sc.run_scalar(program, t, dt, g.columns.n(), step);
                    sweep(g, w, &[(program, sc)], Some(event), team);
                }
                Action::OnEvent {
                    group,
                    event,
                    program,
                } => {
                    let (Some(g), Some(w), Some(Some(sc))) = (
                        groups.get_mut(group),
                        work.get_mut(group),
                        scalars.get_mut(i),
                    ) else {
                        continue;
                    };
                    let Some(lanes) = w.events.get(event) else {
                        continue;
                    };
                    if lanes.is_empty() {
                        continue;
                    }
                    sc.run_scalar(program, t, dt, g.columns.n(), step);
                    execute_indexed(program, sc, &mut w.regs, &g.columns, lanes, g.rng);
                }
                Action::RecordState { recorder } => {
                    if let (Some(r), Some(out)) = (
                        self.s.state_recorders.get(recorder),
                        rec.state.get_mut(recorder),
                    ) {
                        if let Some(g) = groups.get(r.group) {
                            record::record_state(r, &g.columns, step, out);
                        }
                    }
                }
                Action::RecordEvents { recorder } => {
                    if let (Some(r), Some(out)) = (
                        self.s.event_recorders.get(recorder),
                        rec.events.get_mut(recorder),
                    ) {
                        if let Some(lanes) = work.get(r.group).and_then(|w| w.events.get(r.event)) {
                            record::record_events(r, lanes, step, out);
                        }
                    }
                }
                Action::Host { id } => {
                    if !stop && host.call(id, t, rec) == Flow::Stop {
                        stop = true;
                    }
                }
                Action::Propagate { pathway } => {
                    let (Some(p), Some(sw)) = (
                        self.pathways.get_mut(pathway),
                        self.syn_work.get_mut(pathway),
                    ) else {
                        continue;
                    };
                    let Some(trigger) = p.trigger else {
                        continue;
                    };
                    let events = work
                        .get_mut(trigger.group)
                        .and_then(|w| w.events.get_mut(trigger.event))
                        .map(std::mem::take)
                        .unwrap_or_default();
                    synapses::propagate(p, sw, groups, &events, (t, dt, step));
                    if let Some(slot) = work
                        .get_mut(trigger.group)
                        .and_then(|w| w.events.get_mut(trigger.event))
                    {
                        *slot = events;
                    }
                }
                Action::Synaptic { pathway } => {
                    if let (Some(p), Some(sw)) =
                        (self.pathways.get(pathway), self.syn_work.get_mut(pathway))
                    {
                        synapses::sweep_all(p, sw, groups, (t, dt, step));
                    }
                }
            }
        }
        stop
    }
}
