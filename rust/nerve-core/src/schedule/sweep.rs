//! A sweep: one or two programs (an update, then a condition) over every
//! chunk of a group, on one thread or split over a team.
//!
//! Split over a team, each member keeps what it writes per round in its own
//! [`Part`] (registers, the events it found, which chunks they came from),
//! on its own cache lines: a chunk's bookkeeping never moves between cores,
//! only the events themselves, gathered in chunk order by the leader once
//! the round is over. (Per-chunk event buffers, written by whichever member
//! took the chunk and read by the leader, cost cache misses per chunk on
//! both sides, round after round.)

use std::sync::{Mutex, PoisonError};

use super::{Group, PARALLEL_CHUNKS};
use crate::ir::decode::Program;
use crate::noise::Stream;
use crate::team::Team;
use crate::vm::{run_chunk, Chunk, Lanes, Registers, Scalars};
use crate::CHUNK;

/// The event buffer of spikes.
pub(super) const SPIKES: usize = 0;

/// Per-group working memory, allocated once per run.
pub(super) struct Work {
    /// The registers of a group not split over a team (see
    /// [`Work::events_and_regs`]).
    regs: Registers,
    /// Event buffers (0: spikes), each in increasing lane order.
    pub events: Vec<Vec<i32>>,
    /// Per team member (groups split across the team): what it writes.
    parts: Vec<Part>,
    /// The runs of all parts, sorted by chunk to gather the events.
    runs: Vec<(Run, usize)>,
    /// Sweeps split over the team so far.
    sweeps: u64,
    pub n_chunks: usize,
}

/// One team member's working memory for a sweep, on cache lines of its own.
#[repr(align(128))]
struct Part(Mutex<PartState>);

struct PartState {
    /// The sweep the member last took part in: a helper that does not join
    /// a round keeps what it found in an earlier one.
    sweep: u64,
    regs: Registers,
    /// The events the member found this round, run after run.
    events: Vec<i32>,
    /// Which chunks the events came from.
    runs: Vec<Run>,
}

/// Consecutive chunks `first..end` taken in increasing order by one member,
/// whose events are `events.0..events.1` of its buffer.
#[derive(Clone, Copy)]
struct Run {
    first: usize,
    end: usize,
    events: (usize, usize),
}

impl Work {
    pub fn new<'p>(g: &mut Group<'_, '_>, programs: impl IntoIterator<Item = &'p Program>) -> Work {
        let n_chunks = g.columns.n().div_ceil(CHUNK);
        g.rng.ensure(n_chunks);
        Work {
            regs: Registers::for_programs(programs),
            events: vec![Vec::new(); g.n_events],
            parts: Vec::new(),
            runs: Vec::new(),
            sweeps: 0,
            n_chunks,
        }
    }

    /// Event buffer `event` and the registers the leading thread uses (the
    /// same in sweeps and in other programs of the group: one register file
    /// in its cache, not two).
    pub fn events_and_regs(&mut self, event: usize) -> (Option<&Vec<i32>>, &mut Registers) {
        let regs = match self.parts.first_mut() {
            Some(p) => &mut p.0.get_mut().unwrap_or_else(PoisonError::into_inner).regs,
            None => &mut self.regs,
        };
        (self.events.get(event), regs)
    }

    pub fn parallel(&self) -> bool {
        self.n_chunks >= PARALLEL_CHUNKS
    }

    /// Make room for a team of `members` threads.
    pub fn for_team(&mut self, members: usize) {
        self.parts = (0..members)
            .map(|_| {
                Part(Mutex::new(PartState {
                    sweep: 0,
                    regs: self.regs.clone(),
                    events: Vec::new(),
                    runs: Vec::new(),
                }))
            })
            .collect();
    }
}

/// Run `programs` (each with its bound scalars) on every chunk of `g` in
/// turn; when the last one is a condition, the lanes where it holds replace
/// event buffer `event`.
pub(super) fn sweep(
    g: &mut Group<'_, '_>,
    w: &mut Work,
    programs: &[(&Program, &Scalars)],
    event: Option<usize>,
    team: &Team,
) {
    let Work {
        regs,
        events,
        parts,
        runs,
        sweeps,
        n_chunks,
    } = w;
    let n_chunks = *n_chunks;
    let mut none = Vec::new();
    let events = match event.and_then(|e| events.get_mut(e)) {
        Some(ev) => ev,
        None => &mut none,
    };
    events.clear();
    let n = g.columns.n();
    let cols = &g.columns;
    let one_chunk = |c: usize, stream: &mut Stream, regs: &mut Registers, ev: &mut Vec<i32>| {
        let start = c * CHUNK;
        let lanes = Lanes::Range {
            start,
            len: CHUNK.min(n - start),
        };
        for (p, sc) in programs {
            run_chunk(
                p,
                regs,
                Chunk {
                    s: &sc.s,
                    cols,
                    lanes,
                    rng: &mut *stream,
                    events: &mut *ev,
                },
            );
        }
    };
    let streams = match g.rng.chunks.get_mut(..n_chunks) {
        Some(s) if n_chunks >= PARALLEL_CHUNKS && !parts.is_empty() => s,
        _ => {
            for (c, stream) in g.rng.chunks.iter_mut().enumerate().take(n_chunks) {
                one_chunk(c, stream, regs, events);
            }
            return;
        }
    };
    // Chunks are claimed by whichever member is free (a member whose core is
    // busy takes fewer); each draws from its own stream, and its events go
    // to the buffer of the member that took it, with the run of chunks they
    // came from.
    *sweeps += 1;
    let sweep = *sweeps;
    let shared = &*parts;
    team.share(streams, &|member, claims| {
        let Some(part) = shared.get(member) else {
            return; // unreachable: one part per member
        };
        let mut part = part.0.lock().unwrap_or_else(PoisonError::into_inner);
        part.sweep = sweep;
        let PartState {
            regs, events, runs, ..
        } = &mut *part;
        events.clear();
        runs.clear();
        for (c, stream) in claims {
            let from = events.len();
            one_chunk(c, stream, regs, events);
            match runs.last_mut() {
                Some(run) if run.end == c => {
                    run.end = c + 1;
                    run.events.1 = events.len();
                }
                _ => runs.push(Run {
                    first: c,
                    end: c + 1,
                    events: (from, events.len()),
                }),
            }
        }
    });
    // Gather in chunk order: a member's runs are few (its own range, and
    // the chunks it took from the back of others' ranges, one by one).
    runs.clear();
    for (m, part) in parts.iter_mut().enumerate() {
        let part = part.0.get_mut().unwrap_or_else(PoisonError::into_inner);
        if part.sweep == sweep {
            runs.extend(part.runs.iter().map(|&r| (r, m)));
        }
    }
    runs.sort_unstable_by_key(|(r, _)| r.first);
    for (run, m) in runs.iter() {
        let Some(part) = parts.get_mut(*m) else {
            continue;
        };
        let part = part.0.get_mut().unwrap_or_else(PoisonError::into_inner);
        if let Some(ev) = part.events.get(run.events.0..run.events.1) {
            events.extend_from_slice(ev);
        }
    }
}
