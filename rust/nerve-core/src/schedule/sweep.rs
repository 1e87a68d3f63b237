//! A sweep: one or two programs (an update, then a condition) over every
//! chunk of a group, on one thread or split over a team.

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
    pub regs: Registers,
    /// Event buffers (0: spikes), each in increasing lane order.
    pub events: Vec<Vec<i32>>,
    /// Per team member (groups split across the team): its registers.
    pub parts: Vec<Mutex<Registers>>,
    /// Per chunk (groups split across the team): the events it found.
    pub chunk_events: Vec<Vec<i32>>,
    pub n_chunks: usize,
}

impl Work {
    pub fn new<'p>(g: &mut Group<'_, '_>, programs: impl IntoIterator<Item = &'p Program>) -> Work {
        let n_chunks = g.columns.n().div_ceil(CHUNK);
        g.rng.ensure(n_chunks);
        Work {
            regs: Registers::for_programs(programs),
            events: vec![Vec::new(); g.n_events],
            parts: Vec::new(),
            chunk_events: Vec::new(),
            n_chunks,
        }
    }

    pub fn parallel(&self) -> bool {
        self.n_chunks >= PARALLEL_CHUNKS
    }

    /// Make room for a team of `members` threads.
    pub fn for_team(&mut self, members: usize) {
        self.parts = (0..members)
            .map(|_| Mutex::new(self.regs.clone()))
            .collect();
        self.chunk_events = vec![Vec::new(); self.n_chunks];
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
        chunk_events,
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
    if n_chunks < PARALLEL_CHUNKS || parts.is_empty() {
        for (c, stream) in g.rng.chunks.iter_mut().enumerate().take(n_chunks) {
            one_chunk(c, stream, regs, events);
        }
        return;
    }
    let Some(streams) = g.rng.chunks.get_mut(..n_chunks) else {
        return;
    };
    // Chunks are claimed one at a time by whichever member is free (a member
    // whose core is busy takes fewer); each draws from its own stream and
    // keeps its own events, gathered in chunk order.
    let mut items: Vec<(&mut Stream, &mut Vec<i32>)> =
        streams.iter_mut().zip(chunk_events.iter_mut()).collect();
    let parts = &*parts;
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
    for ev in chunk_events.iter() {
        events.extend_from_slice(ev);
    }
}
