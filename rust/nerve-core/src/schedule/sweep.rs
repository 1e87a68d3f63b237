//! A sweep: one or two programs (an update, then a condition) over every
//! chunk of a group, on one thread or split over a team.

use std::sync::Mutex;

use super::{Group, PARALLEL_CHUNKS};
use crate::ir::decode::Program;
use crate::noise::Stream;
use crate::team::Team;
use crate::vm::{run_chunk, Chunk, Lanes, Registers, Scalars};
use crate::CHUNK;

/// Per-group working memory, allocated once per run.
pub(super) struct Work {
    pub regs: Registers,
    /// Event buffers (0: spikes), each in increasing lane order.
    pub events: Vec<Vec<i32>>,
    /// Per team member beyond the leader: registers and events of its part.
    pub parts: Vec<Mutex<(Registers, Vec<i32>)>>,
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
            n_chunks,
        }
    }

    pub fn parallel(&self) -> bool {
        self.n_chunks >= PARALLEL_CHUNKS
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
    // Contiguous, equal parts: member i always gets the same chunks.
    let per = n_chunks.div_ceil(team.members());
    let mut pieces = streams.chunks_mut(per);
    let Some(lead) = pieces.next() else {
        return;
    };
    let lead = Mutex::new((lead, &mut *regs, &mut *events));
    let rest: Vec<Mutex<&mut [Stream]>> = pieces.map(Mutex::new).collect();
    let run_part =
        |first: usize, streams: &mut [Stream], regs: &mut Registers, ev: &mut Vec<i32>| {
            for (k, stream) in streams.iter_mut().enumerate() {
                one_chunk(first + k, stream, regs, ev);
            }
        };
    let shared_parts = &*parts;
    team.round(&|i| {
        if i == 0 {
            if let Ok(mut guard) = lead.lock() {
                let (streams, regs, ev) = &mut *guard;
                run_part(0, streams, regs, ev);
            }
        } else if let (Some(piece), Some(part)) = (rest.get(i - 1), shared_parts.get(i - 1)) {
            if let (Ok(mut streams), Ok(mut part)) = (piece.lock(), part.lock()) {
                let (regs, ev) = &mut *part;
                ev.clear();
                run_part(i * per, &mut streams, regs, ev);
            }
        }
    });
    for (part, _) in parts.iter_mut().zip(0..rest.len()) {
        if let Ok(part) = part.get_mut() {
            events.extend_from_slice(&part.1);
        }
    }
}
