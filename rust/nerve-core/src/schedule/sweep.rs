//! A sweep: one or two programs (an update, then a condition) over every
//! chunk of a group, on one thread or split over a team.
//!
//! Split over a team, each member keeps what it writes per round on cache
//! lines of its own (its [`Scratch`] registers, and in its [`Part`] the
//! events it found and which chunks they came from): a chunk's bookkeeping never moves between cores,
//! only the events themselves, gathered in chunk order by the leader once
//! the round is over. (Per-chunk event buffers, written by whichever member
//! took the chunk and read by the leader, cost cache misses per chunk on
//! both sides, round after round.)

use std::sync::{Mutex, MutexGuard, PoisonError};

use super::{Group, PARALLEL_CHUNKS};
use crate::ir::decode::Program;
use crate::noise::Stream;
use crate::team::Team;
use crate::vm::{run_chunk, Chunk, Lanes, Registers, Scalars};

/// The event buffer of spikes.
pub(super) const SPIKES: usize = 0;

/// Per-group working memory, allocated once per run.
pub(super) struct Work {
    /// Event buffers (0: spikes), each in increasing lane order.
    pub events: Vec<Vec<i32>>,
    /// Per team member (groups split across the team): what it writes.
    parts: Vec<Part>,
    /// The runs of all parts, sorted by chunk to gather the events.
    runs: Vec<(Run, usize)>,
    /// Sweeps split over the team so far.
    sweeps: u64,
    pub n_chunks: usize,
    /// The group's number of lanes.
    pub n_lanes: usize,
}

/// One team member's working memory for a sweep, on cache lines of its own.
#[repr(align(128))]
struct Part(Mutex<PartState>);

struct PartState {
    /// The sweep the member last took part in: a helper that does not join
    /// a round keeps what it found in an earlier one.
    sweep: u64,
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
    pub fn new(g: &mut Group<'_, '_>) -> Work {
        let n_chunks = g.columns.n().div_ceil(g.rng.chunk_lanes());
        g.rng.ensure(n_chunks);
        Work {
            events: vec![Vec::new(); g.n_events],
            parts: Vec::new(),
            runs: Vec::new(),
            sweeps: 0,
            n_chunks,
            n_lanes: g.columns.n(),
        }
    }

    /// Whether the group is large enough to be split over a team.
    pub fn parallel(&self) -> bool {
        self.n_chunks >= PARALLEL_CHUNKS
    }

    /// Whether the group's sweeps are split over the run's team.
    #[inline]
    pub fn split(&self) -> bool {
        self.parallel() && !self.parts.is_empty()
    }

    /// Make room for a team of `members` threads.
    pub fn for_team(&mut self, members: usize) {
        self.parts = (0..members)
            .map(|_| {
                Part(Mutex::new(PartState {
                    sweep: 0,
                    events: Vec::new(),
                    runs: Vec::new(),
                }))
            })
            .collect();
    }
}

/// Scratch registers for rounds of the team: one register file per member
/// (member 0 is the thread running the schedule), each on cache lines of its
/// own. Registers hold nothing from one chunk to the next, so one file
/// serves every program a member runs, of every group: it stays in the
/// member's cache (a file per group would spread a run of many small groups
/// over cold memory). Outside rounds, the thread running the schedule uses
/// a file of its own, without a lock.
pub(super) struct Scratch(Vec<MemberRegs>);

#[repr(align(128))]
struct MemberRegs(Mutex<Registers>);

impl Scratch {
    /// Files for `members` members, large enough for each of `programs`.
    pub fn new<'p>(members: usize, programs: impl IntoIterator<Item = &'p Program>) -> Scratch {
        if members == 0 {
            return Scratch(Vec::new());
        }
        let regs = Registers::for_programs(programs);
        Scratch(
            (0..members)
                .map(|_| MemberRegs(Mutex::new(regs.clone())))
                .collect(),
        )
    }

    /// The file of team member `member` (during a round: each member
    /// locks its own, so the lock is never contended).
    pub fn member(&self, member: usize) -> Option<MutexGuard<'_, Registers>> {
        let m = self.0.get(member)?;
        Some(m.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Where a sweep runs: on this thread with its registers, or split over a
/// team (when the group is large enough).
pub(super) enum On<'r> {
    Here(&'r mut Registers),
    Team(&'r Team, &'r Scratch),
}

/// Run `programs` (each with its bound scalars) on every chunk of `g` in
/// turn; when the last one is a condition, the lanes where it holds replace
/// event buffer `event`.
pub(super) fn sweep(
    g: &mut Group<'_, '_>,
    w: &mut Work,
    programs: &[(&Program, &Scalars)],
    event: Option<usize>,
    on: On<'_>,
) {
    let Work {
        events,
        parts,
        runs,
        sweeps,
        n_chunks,
        ..
    } = w;
    let n_chunks = *n_chunks;
    let mut none = Vec::new();
    let events = match event.and_then(|e| events.get_mut(e)) {
        Some(ev) => ev,
        None => &mut none,
    };
    // (an empty buffer is not written: its line stays shared with the
    // threads that read it, e.g. after a sweep on another member)
    if !events.is_empty() {
        events.clear();
    }
    let n = g.columns.n();
    let cols = &g.columns;
    let chunk = g.rng.chunk_lanes();
    let seg = g.rng.lanes_per_stream();
    let one_chunk = |c: usize, streams: &mut [Stream], regs: &mut Registers, ev: &mut Vec<i32>| {
        let start = c * chunk;
        let lanes = Lanes::Range {
            start,
            len: chunk.min(n - start),
        };
        for (p, sc) in programs {
            run_chunk(
                p,
                regs,
                Chunk {
                    s: &sc.s,
                    cols,
                    lanes,
                    rng: &mut *streams,
                    seg,
                    events: &mut *ev,
                },
            );
        }
    };
    let (team, scratch) = match on {
        On::Team(team, scratch) if n_chunks >= PARALLEL_CHUNKS && !parts.is_empty() => {
            (team, scratch)
        }
        On::Team(_, scratch) => {
            let Some(mut regs) = scratch.member(0) else {
                return; // unreachable: a scratch file per member
            };
            for (c, streams) in g.rng.per_chunk().enumerate().take(n_chunks) {
                one_chunk(c, streams, &mut regs, events);
            }
            return;
        }
        On::Here(regs) => {
            for (c, streams) in g.rng.per_chunk().enumerate().take(n_chunks) {
                one_chunk(c, streams, regs, events);
            }
            return;
        }
    };
    *sweeps += 1;
    let sweep = *sweeps;
    let shared = &*parts;
    // (one stream per chunk is shared as is; the streams of fused copies,
    // several per chunk, as one slice per chunk)
    if g.rng.streams_per_chunk() == 1 {
        let Some(streams) = g.rng.chunks.get_mut(..n_chunks) else {
            return; // unreachable: Work::new made a stream per chunk
        };
        share_chunks(team, scratch, shared, sweep, streams, &one_chunk);
    } else {
        let mut streams: Vec<&mut [Stream]> = g.rng.per_chunk().take(n_chunks).collect();
        share_chunks(team, scratch, shared, sweep, &mut streams, &one_chunk);
    }
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

/// Run the sweep's programs on chunk `c` with its streams, registers and
/// event buffer.
type OneChunk<'a> = dyn Fn(usize, &mut [Stream], &mut Registers, &mut Vec<i32>) + Sync + 'a;

/// The streams of one chunk, as items shared over a team.
trait ChunkStreams: Send {
    fn streams(&mut self) -> &mut [Stream];
}

impl ChunkStreams for Stream {
    fn streams(&mut self) -> &mut [Stream] {
        std::slice::from_mut(self)
    }
}

impl ChunkStreams for &mut [Stream] {
    fn streams(&mut self) -> &mut [Stream] {
        self
    }
}

/// Run `one_chunk` on every chunk (one item of `streams` each), split over
/// `team`.
fn share_chunks<T: ChunkStreams>(
    team: &Team,
    scratch: &Scratch,
    parts: &[Part],
    sweep: u64,
    streams: &mut [T],
    one_chunk: &OneChunk<'_>,
) {
    // Chunks are claimed by whichever member is free (a member whose core is
    // busy takes fewer); each draws from its own stream, and its events go
    // to the buffer of the member that took it, with the run of chunks they
    // came from.
    team.share(streams, &|member, claims| {
        let (Some(part), Some(mut regs)) = (parts.get(member), scratch.member(member)) else {
            return; // unreachable: one part and one scratch file per member
        };
        let mut part = part.0.lock().unwrap_or_else(PoisonError::into_inner);
        part.sweep = sweep;
        let PartState { events, runs, .. } = &mut *part;
        events.clear();
        runs.clear();
        for (c, item) in claims {
            let from = events.len();
            one_chunk(c, item.streams(), &mut regs, events);
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
}
