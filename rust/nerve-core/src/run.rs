//! The run loop: every time step of every object, in Brian2's schedule,
//! without returning to the caller between steps.
//!
//! One step: state monitors record (values at the start of the step) → each
//! group's update and threshold programs, fused per chunk (the chunk is still
//! in cache when the threshold reads it; groups are independent, so this is
//! the same as all updates then all thresholds) → spikes recorded → reset
//! programs on the spiking neurons. Groups with at least [`PARALLEL_CHUNKS`]
//! chunks share their chunks among a [`Team`] of threads kept for the whole
//! run (as many as the caller allows and the process may use cores), each
//! chunk claimed by whichever thread is free; spikes are gathered in chunk
//! order and every chunk draws from its own random stream, so results do not
//! depend on the number of threads.

use std::sync::{Mutex, PoisonError};

use crate::error::{CoreError, Result};
use crate::ir::decode::Program;
use crate::noise::{Rng, Stream};
use crate::team::Team;
use crate::vm::{execute_indexed, run_chunk, Chunk, Columns, Lanes, Registers, Scalars};
use crate::CHUNK;

/// Groups with at least this many chunks (16384 neurons) run on several
/// threads.
pub const PARALLEL_CHUNKS: usize = 16;

/// The progress callback is called about once per this many neuron-steps
/// (and after at least one step).
pub const CHECK_EVERY_LANE_STEPS: usize = 1 << 16;

/// One neuron group of a run.
pub struct Group<'a, 'c> {
    pub columns: Columns<'c>,
    pub update: Option<&'a Program>,
    pub threshold: Option<&'a Program>,
    pub reset: Option<&'a Program>,
    pub rng: &'a mut Rng,
}

/// A state monitor: record `columns` of group `group` at `indices`.
#[derive(Clone, Debug)]
pub struct StateMonitor {
    pub group: usize,
    pub columns: Vec<usize>,
    pub indices: Vec<i32>,
}

/// What a run produced.
#[derive(Debug, Default)]
pub struct RunOutput {
    /// Whole steps done.
    pub steps_done: u64,
    /// True when the progress callback stopped the run early.
    pub interrupted: bool,
    /// Per spike group: (neuron indices, steps) of every spike of this run.
    pub spikes: Vec<(Vec<i32>, Vec<i64>)>,
    /// Per state monitor, per column: `steps_done * indices.len()` values,
    /// row-major (one row per step).
    pub records: Vec<Vec<Vec<f64>>>,
}

/// Per-group working state, allocated once per run.
struct Work {
    update: Option<Scalars>,
    threshold: Option<Scalars>,
    reset: Option<Scalars>,
    regs: Registers,
    spikes: Vec<i32>,
    /// Per team member (groups split across the team): its registers.
    parts: Vec<Mutex<Registers>>,
    /// Per chunk (groups split across the team): the spikes it found.
    chunk_spikes: Vec<Vec<i32>>,
    n_chunks: usize,
}

fn check_program(prog: Option<&Program>, role: &'static str, n_cols: usize) -> Result<()> {
    let Some(p) = prog else { return Ok(()) };
    if p.n_columns() > n_cols {
        return Err(CoreError::column_count(role, p.n_columns(), n_cols));
    }
    match (role, p.has_collect()) {
        ("threshold", false) => Err(CoreError::role(
            role,
            "a threshold program must end with `collect`",
        )),
        ("threshold", true) => Ok(()),
        (_, true) => Err(CoreError::role(
            role,
            "`collect` is only allowed in threshold programs",
        )),
        _ => Ok(()),
    }
}

fn validate(
    groups: &[Group<'_, '_>],
    monitors: &[StateMonitor],
    spike_groups: &[usize],
) -> Result<()> {
    for g in groups {
        let n_cols = g.columns.len();
        check_program(g.update, "update", n_cols)?;
        check_program(g.threshold, "threshold", n_cols)?;
        check_program(g.reset, "reset", n_cols)?;
    }
    for m in monitors {
        let g = groups
            .get(m.group)
            .ok_or_else(|| CoreError::index("state monitor group", m.group as i64, groups.len()))?;
        for &c in &m.columns {
            if c >= g.columns.len() {
                return Err(CoreError::index(
                    "recorded column slot",
                    c as i64,
                    g.columns.len(),
                ));
            }
        }
        for &i in &m.indices {
            if i < 0 || i as usize >= g.columns.n() {
                return Err(CoreError::index(
                    "recorded neuron index",
                    i64::from(i),
                    g.columns.n(),
                ));
            }
        }
    }
    for &s in spike_groups {
        if s >= groups.len() {
            return Err(CoreError::index(
                "spike monitor group",
                s as i64,
                groups.len(),
            ));
        }
    }
    Ok(())
}

/// Run `n_steps` steps from `start_step`, on at most `threads` threads (0:
/// one per available core; fewer if no group is large enough to split).
/// `progress(steps_done)` is called every [`CHECK_EVERY_LANE_STEPS`]
/// neuron-steps or so, after a whole step; when it returns `false` the run
/// stops there (state consistent).
#[allow(clippy::too_many_arguments)]
pub fn run(
    groups: &mut [Group<'_, '_>],
    monitors: &[StateMonitor],
    spike_groups: &[usize],
    start_step: i64,
    n_steps: u64,
    dt: f64,
    threads: usize,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<RunOutput> {
    validate(groups, monitors, spike_groups)?;
    let mut work: Vec<Work> = groups
        .iter_mut()
        .map(|g| {
            let n_chunks = g.columns.n().div_ceil(CHUNK);
            g.rng.ensure(n_chunks);
            let programs = [g.update, g.threshold, g.reset];
            Work {
                update: g.update.map(Scalars::new),
                threshold: g.threshold.map(Scalars::new),
                reset: g.reset.map(Scalars::new),
                regs: Registers::for_programs(programs.into_iter().flatten()),
                spikes: Vec::new(),
                parts: Vec::new(),
                chunk_spikes: Vec::new(),
                n_chunks,
            }
        })
        .collect();
    let mut out = RunOutput {
        spikes: vec![(Vec::new(), Vec::new()); spike_groups.len()],
        records: monitors
            .iter()
            .map(|m| {
                let want = (n_steps as usize)
                    .saturating_mul(m.indices.len())
                    .min(1 << 24);
                m.columns.iter().map(|_| Vec::with_capacity(want)).collect()
            })
            .collect(),
        ..RunOutput::default()
    };
    let total_lanes: usize = groups.iter().map(|g| g.columns.n()).sum::<usize>().max(1);
    let check_every = (CHECK_EVERY_LANE_STEPS / total_lanes).max(1) as u64;
    let steps = Steps {
        monitors,
        spike_groups,
        start_step,
        n_steps,
        dt,
        check_every,
    };
    // Small groups only: no threads, and no thread count to look up (reading
    // the CPU quota costs a few microseconds per run).
    let members = if work.iter().any(|w| w.n_chunks >= PARALLEL_CHUNKS) {
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
        steps.run(groups, &mut work, &mut out, progress, &Team::new(0));
        return Ok(out);
    }
    for w in work.iter_mut().filter(|w| w.n_chunks >= PARALLEL_CHUNKS) {
        w.parts = (0..members).map(|_| Mutex::new(w.regs.clone())).collect();
        w.chunk_spikes = vec![Vec::new(); w.n_chunks];
    }
    let team = Team::new(members - 1);
    std::thread::scope(|scope| {
        for i in 1..members {
            let team = &team;
            scope.spawn(move || team.serve(i));
        }
        // Stops the helpers also if a step unwinds (the scope joins them).
        struct Stop<'t>(&'t Team);
        impl Drop for Stop<'_> {
            fn drop(&mut self) {
                self.0.stop();
            }
        }
        let _stop = Stop(&team);
        steps.run(groups, &mut work, &mut out, progress, &team);
    });
    Ok(out)
}

/// The fixed parameters of a run's step loop.
struct Steps<'m> {
    monitors: &'m [StateMonitor],
    spike_groups: &'m [usize],
    start_step: i64,
    n_steps: u64,
    dt: f64,
    check_every: u64,
}

impl Steps<'_> {
    fn run(
        &self,
        groups: &mut [Group<'_, '_>],
        work: &mut [Work],
        out: &mut RunOutput,
        progress: &mut dyn FnMut(u64) -> bool,
        team: &Team,
    ) {
        let (n_steps, dt) = (self.n_steps, self.dt);
        for done in 0..n_steps {
            let step = self.start_step + done as i64;
            let t = step as f64 * dt;
            for (m, rec) in self.monitors.iter().zip(&mut out.records) {
                let Some(g) = groups.get(m.group) else {
                    continue;
                };
                for (&c, buf) in m.columns.iter().zip(rec.iter_mut()) {
                    buf.extend(m.indices.iter().map(|&i| g.columns.get(c, i as usize)));
                }
            }
            for (g, w) in groups.iter_mut().zip(work.iter_mut()) {
                step_group(g, w, t, dt, step, team);
            }
            for (&s, (ix, st)) in self.spike_groups.iter().zip(&mut out.spikes) {
                if let Some(w) = work.get(s) {
                    ix.extend_from_slice(&w.spikes);
                    st.extend(std::iter::repeat_n(step, w.spikes.len()));
                }
            }
            for (g, w) in groups.iter_mut().zip(work.iter_mut()) {
                if let (Some(p), Some(sc)) = (g.reset, w.reset.as_mut()) {
                    if !w.spikes.is_empty() {
                        sc.run_scalar(p, t, dt, g.columns.n(), step);
                        execute_indexed(p, sc, &mut w.regs, &g.columns, &w.spikes, g.rng);
                    }
                }
            }
            out.steps_done = done + 1;
            if out.steps_done % self.check_every == 0
                && out.steps_done < n_steps
                && !progress(out.steps_done)
            {
                out.interrupted = true;
                break;
            }
        }
    }
}

/// Update and threshold of one group for one step (spikes into `w.spikes`).
fn step_group(g: &mut Group<'_, '_>, w: &mut Work, t: f64, dt: f64, step: i64, team: &Team) {
    w.spikes.clear();
    let n = g.columns.n();
    if let (Some(p), Some(sc)) = (g.update, w.update.as_mut()) {
        sc.run_scalar(p, t, dt, n, step);
    }
    if let (Some(p), Some(sc)) = (g.threshold, w.threshold.as_mut()) {
        sc.run_scalar(p, t, dt, n, step);
    }
    if g.update.is_none() && g.threshold.is_none() {
        return;
    }
    let upd = g.update.zip(w.update.as_ref());
    let thr = g.threshold.zip(w.threshold.as_ref());
    let cols = &g.columns;
    let one_chunk = |c: usize,
                     stream: &mut crate::noise::Stream,
                     regs: &mut Registers,
                     events: &mut Vec<i32>| {
        let start = c * CHUNK;
        let lanes = Lanes::Range {
            start,
            len: CHUNK.min(n - start),
        };
        // update, then threshold on the same chunk while it is in cache
        for (p, sc) in upd.into_iter().chain(thr) {
            run_chunk(
                p,
                regs,
                Chunk {
                    s: &sc.s,
                    cols,
                    lanes,
                    rng: &mut *stream,
                    events: &mut *events,
                },
            );
        }
    };
    if w.n_chunks >= PARALLEL_CHUNKS && !w.parts.is_empty() {
        let Some(streams) = g.rng.chunks.get_mut(..w.n_chunks) else {
            return;
        };
        // Chunks are claimed one at a time by whichever member is free (a
        // member whose core is busy takes fewer); each draws from its own
        // stream and keeps its own spikes, gathered in chunk order.
        let mut items: Vec<(&mut Stream, &mut Vec<i32>)> =
            streams.iter_mut().zip(w.chunk_spikes.iter_mut()).collect();
        let parts = &w.parts;
        team.share(&mut items, &|member, claims| {
            let Some(regs) = parts.get(member) else {
                return; // unreachable: one part per member
            };
            let mut regs = regs.lock().unwrap_or_else(PoisonError::into_inner);
            for (c, (stream, ev)) in claims {
                ev.clear();
                one_chunk(c, stream, &mut regs, ev);
            }
        });
        for ev in &w.chunk_spikes {
            w.spikes.extend_from_slice(ev);
        }
    } else {
        for (c, stream) in g.rng.chunks.iter_mut().enumerate().take(w.n_chunks) {
            one_chunk(c, stream, &mut w.regs, &mut w.spikes);
        }
    }
}
