//! Synaptic programs: code run over synapses that reads and writes the
//! variables of the synapses and of their pre- and postsynaptic neurons.
//!
//! # Data layout
//!
//! A `Synapses` object's variables are an ordinary [`Group`](super::Group)
//! of the run (one lane per synapse, one `f64` column per variable), so
//! updates, recorders and one-off assignments work on it unchanged. Its
//! connectivity is two `i32` arrays over synapses, `pre[s]` and `post[s]`,
//! relative to the source and target (sub)groups.
//!
//! # Running a program over synapses
//!
//! A synaptic program is an ordinary program whose column slots are
//! *bindings* ([`Binding`]): slot `k` is a column of the synapses, a column
//! of the pre- or postsynaptic group read through `pre[s]`/`post[s]`, or the
//! index `pre[s]`/`post[s]` itself (`i`, `j`). The engine runs it over a list
//! of synapses in *segments* of at most [`crate::CHUNK`] synapses:
//!
//! 1. gather: every bound column into a scratch column, lane `l` holding the
//!    value for the `l`-th synapse of the segment;
//! 2. run the program over the scratch lanes `0..len`;
//! 3. scatter: the scratch columns of written bindings back, in synapse order.
//!
//! A segment ends before a synapse that touches a neuron already touched in
//! the segment, in a group that the program writes. The result is therefore
//! exactly that of running the program synapse by synapse, in list order
//! (`v_post += w` from two synapses onto one neuron adds both, in order), for
//! any number of threads: propagation runs on one thread.
//!
//! # Propagation
//!
//! [`Action::Propagate`](super::Action::Propagate): the events of this step
//! (an event buffer of the triggering group, cut to the source subgroup's
//! range) are pushed into the pathway's [`SpikeQueue`]; then the program runs
//! over the synapses whose event arrives this step, in the order they were
//! queued (by triggering neuron, then synapse index). A program that only
//! adds the same increment into neurons (`ge += we`) skips the interpreter
//! per synapse and may share the work among threads: see [`super::deliver`].
//! [`Action::Synaptic`] runs a program over every synapse in index order
//! (summed variables).

use super::deliver::{self, Target};
use super::queue::SpikeQueue;
use super::Group;
use crate::error::{CoreError, Result};
use crate::ir::decode::Program;
use crate::team::Team;
use crate::vm::{run_chunk, Chunk, Columns, Lanes, Registers, Scalars};
use crate::CHUNK;

/// Where the values of a column slot of a synaptic program come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gather {
    /// Column `c` of the synapses, at the synapse.
    Synaptic(usize),
    /// Column `c` of the presynaptic group, at `pre_offset + pre[s]`.
    Pre(usize),
    /// Column `c` of the postsynaptic group, at `post_offset + post[s]`.
    Post(usize),
    /// The value `pre[s]` (read only).
    PreIndex,
    /// The value `post[s]` (read only).
    PostIndex,
    /// Nothing gathered: a scratch column the program writes (an increment
    /// for an [`Accumulate`]).
    Output,
}

/// After the program ran on a segment, add scratch slot `slot` of each
/// synapse into column `column` of its presynaptic (`pre`) or postsynaptic
/// neuron, one synapse after the other in list order. This is what
/// `x_post += expr` does when `x` is neither read nor otherwise written by
/// the program: the same additions in the same order as a synapse-by-synapse
/// loop, without gathering `x` or ending segments at repeated neurons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accumulate {
    pub slot: usize,
    pub pre: bool,
    pub column: usize,
}

/// One column slot of a synaptic program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub source: Gather,
    /// Whether the program's stores to this slot are written back.
    pub write: bool,
}

/// The neurons on one side of the synapses: a group and the first lane of
/// the (sub)group the indices are relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Side {
    pub group: usize,
    pub offset: usize,
    /// Number of neurons of the (sub)group.
    pub n: usize,
}

/// The events that trigger a pathway: buffer `event` of `group`, lanes in
/// `start..stop` (as relative indices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trigger {
    pub group: usize,
    pub event: usize,
    pub start: usize,
    pub stop: usize,
}

/// A program over synapses, for one run.
pub struct Pathway<'a, 'p> {
    /// The group holding the synaptic variables (`n` = number of synapses).
    pub synapses: usize,
    pub pre: Side,
    pub post: Side,
    /// `pre[s]`, `post[s]` (relative to their sides).
    pub pre_index: &'a [i32],
    pub post_index: &'a [i32],
    pub program: &'p Program,
    pub bindings: Vec<Binding>,
    /// Increments added into neuron columns after each segment.
    pub accumulate: Vec<Accumulate>,
    /// For [`Action::Propagate`](super::Action::Propagate): what triggers it
    /// and its queue (prepared for these synapses).
    pub trigger: Option<Trigger>,
    pub queue: Option<&'a mut SpikeQueue>,
}

impl Pathway<'_, '_> {
    /// Whether running this pathway may write the columns of group `g`.
    pub(super) fn writes(&self, g: usize) -> bool {
        self.bindings.iter().any(|b| {
            b.write
                && match b.source {
                    Gather::Synaptic(_) => self.synapses == g,
                    Gather::Pre(_) => self.pre.group == g,
                    Gather::Post(_) => self.post.group == g,
                    _ => false,
                }
        }) || self.accumulate.iter().any(|a| {
            g == if a.pre {
                self.pre.group
            } else {
                self.post.group
            }
        })
    }

    /// Check the pathway against the groups of the run.
    pub(super) fn validate(&self, k: usize, groups: &[Group<'_, '_>]) -> Result<()> {
        let bad = |m: String| Err(CoreError::invalid(format!("pathway {k}: {m}")));
        let Some(syn) = groups.get(self.synapses) else {
            return Err(CoreError::index(
                "synapse group",
                self.synapses as i64,
                groups.len(),
            ));
        };
        let n_syn = syn.columns.n();
        if self.pre_index.len() != n_syn || self.post_index.len() != n_syn {
            return bad(format!(
                "{} presynaptic and {} postsynaptic indices for {n_syn} synapses",
                self.pre_index.len(),
                self.post_index.len()
            ));
        }
        for (side, index, what) in [
            (&self.pre, self.pre_index, "presynaptic"),
            (&self.post, self.post_index, "postsynaptic"),
        ] {
            let Some(g) = groups.get(side.group) else {
                return Err(CoreError::index(
                    "synapse side group",
                    side.group as i64,
                    groups.len(),
                ));
            };
            if side
                .offset
                .checked_add(side.n)
                .is_none_or(|e| e > g.columns.n())
            {
                return bad(format!(
                    "the {what} neurons {}..{} do not lie in a group of {}",
                    side.offset,
                    side.offset + side.n,
                    g.columns.n()
                ));
            }
            // (unsigned comparisons also catch negative indices; this runs over
            // every synapse at the start of every run)
            let n = u32::try_from(side.n).unwrap_or(u32::MAX);
            // (the largest of each piece as unsigned: a reduction that vectorises)
            let over = |piece: &[i32]| piece.iter().fold(0u32, |m, &i| m.max(i as u32)) >= n;
            if index.chunks(256).any(over) {
                let i = index
                    .iter()
                    .copied()
                    .find(|&i| i < 0 || i as u32 >= n)
                    .unwrap_or(0);
                return bad(format!(
                    "{what} index {i} is out of range for {} neurons",
                    side.n
                ));
            }
        }
        if self.program.n_columns() > self.bindings.len() {
            return Err(CoreError::column_count(
                "synaptic",
                self.program.n_columns(),
                self.bindings.len(),
            ));
        }
        if !self.program.tables_ready() {
            return Err(CoreError::role(
                "synaptic",
                "the program's tables are not attached",
            ));
        }
        if self.program.has_collect() {
            return Err(CoreError::role(
                "synaptic",
                "`collect` is only allowed in threshold programs",
            ));
        }
        for b in &self.bindings {
            let (g, c) = match b.source {
                Gather::Synaptic(c) => (self.synapses, c),
                Gather::Pre(c) => (self.pre.group, c),
                Gather::Post(c) => (self.post.group, c),
                Gather::PreIndex | Gather::PostIndex => {
                    if b.write {
                        return bad("a neuron index cannot be written".into());
                    }
                    continue;
                }
                Gather::Output => continue,
            };
            let len = groups.get(g).map_or(0, |g| g.columns.len());
            if c >= len {
                return Err(CoreError::index("bound column slot", c as i64, len));
            }
        }
        for a in &self.accumulate {
            let g = if a.pre {
                self.pre.group
            } else {
                self.post.group
            };
            let len = groups.get(g).map_or(0, |g| g.columns.len());
            if a.column >= len {
                return Err(CoreError::index(
                    "accumulated column slot",
                    a.column as i64,
                    len,
                ));
            }
            if a.slot >= self.bindings.len() {
                return Err(CoreError::index(
                    "accumulated program slot",
                    a.slot as i64,
                    self.bindings.len(),
                ));
            }
        }
        match (&self.trigger, &self.queue) {
            (Some(t), Some(q)) => {
                let g = groups.get(t.group).ok_or_else(|| {
                    CoreError::index("triggering group", t.group as i64, groups.len())
                })?;
                if t.event >= g.n_events {
                    return Err(CoreError::index("event buffer", t.event as i64, g.n_events));
                }
                if t.start > t.stop || t.stop > g.columns.n() {
                    return bad(format!(
                        "the triggering neurons {}..{} do not lie in a group of {}",
                        t.start,
                        t.stop,
                        g.columns.n()
                    ));
                }
                if q.n_synapses() != n_syn {
                    return bad(format!(
                        "the spike queue was prepared for {} synapses, not {n_syn}",
                        q.n_synapses()
                    ));
                }
            }
            (None, None) => {}
            _ => return bad("a trigger needs a queue and a queue a trigger".into()),
        }
        Ok(())
    }
}

/// Working memory of one pathway for a run.
pub(super) struct SynWork {
    scalars: Scalars,
    regs: Registers,
    scratch: Vec<Vec<f64>>,
    /// Per written group: (group, the segment that last touched each lane).
    stamps: Vec<(usize, Vec<u32>)>,
    generation: u32,
    /// Synapse indices of an `Action::Synaptic` sweep (0..n), or of the
    /// events arriving in a step.
    all: Vec<i32>,
    /// The program computes one increment for all synapses ([`deliver`]).
    uniform: bool,
    /// Threads of the run (set by the run loop).
    pub(super) members: usize,
}

impl SynWork {
    pub(super) fn new(p: &Pathway<'_, '_>, groups: &[Group<'_, '_>]) -> SynWork {
        let mut stamps: Vec<(usize, Vec<u32>)> = Vec::new();
        for b in &p.bindings {
            let g = match b.source {
                Gather::Synaptic(_) | Gather::PreIndex | Gather::PostIndex | Gather::Output => {
                    continue
                }
                Gather::Pre(_) => p.pre.group,
                Gather::Post(_) => p.post.group,
            };
            if b.write && !stamps.iter().any(|(h, _)| *h == g) {
                let n = groups.get(g).map_or(0, |g| g.columns.n());
                stamps.push((g, vec![0; n]));
            }
        }
        SynWork {
            scalars: Scalars::new(p.program),
            regs: Registers::for_programs([p.program]),
            scratch: vec![vec![0.0; CHUNK]; p.bindings.len()],
            stamps,
            generation: 0,
            all: Vec::new(),
            uniform: deliver::uniform(&p.bindings, &p.accumulate, p.program),
            members: 1,
        }
    }
}

/// `Action::Propagate`: queue this step's events, run the program over the
/// synapses whose event arrives now.
pub(super) fn propagate(
    p: &mut Pathway<'_, '_>,
    w: &mut SynWork,
    groups: &mut [Group<'_, '_>],
    events: &[i32],
    clock: (f64, f64, i64),
    team: &Team,
) {
    let (Some(t), Some(queue)) = (p.trigger, p.queue.as_deref_mut()) else {
        return;
    };
    let lo = events.partition_point(|&l| (l as usize) < t.start);
    let hi = events.partition_point(|&l| (l as usize) < t.stop);
    if let Some(part) = events.get(lo..hi) {
        if t.start == 0 {
            queue.push(part);
        } else {
            let relative: Vec<i32> = part.iter().map(|&l| l - t.start as i32).collect();
            queue.push(&relative);
        }
    }
    let arriving = queue.take_current();
    if !arriving.is_empty() {
        if w.uniform {
            add_uniform(p, w, groups, &arriving, clock, team);
        } else {
            let mut list = std::mem::take(&mut w.all);
            list.clear();
            list.extend_from_slice(&arriving.synapses);
            if let Some(q) = p.queue.as_deref() {
                q.expand(&arriving.spikes, &mut list);
            }
            run_over(p, w, groups, &list, clock);
            w.all = list;
        }
    }
    if let Some(queue) = p.queue.as_deref_mut() {
        queue.advance(arriving);
    }
}

/// The increments of a uniform pathway ([`deliver`]): its program on one
/// lane, then each added into the targets of the arriving synapses.
fn add_uniform(
    p: &Pathway<'_, '_>,
    w: &mut SynWork,
    groups: &mut [Group<'_, '_>],
    arriving: &super::queue::Arrivals,
    (t, dt, step): (f64, f64, i64),
    team: &Team,
) {
    w.scalars
        .run_scalar(p.program, t, dt, p.pre_index.len(), step);
    run_on_scratch(p, w, groups, 1);
    let mut targets = Vec::with_capacity(p.accumulate.len());
    for a in &p.accumulate {
        let (side, index) = if a.pre {
            (p.pre, p.pre_index)
        } else {
            (p.post, p.post_index)
        };
        let (Some(g), Some(increment)) = (
            groups.get(side.group),
            w.scratch.get(a.slot).and_then(|c| c.first()),
        ) else {
            continue;
        };
        let Some(col) = g.columns.ptr(a.column) else {
            continue;
        };
        targets.push(Target {
            col,
            n: g.columns.n(),
            offset: side.offset,
            size: side.n,
            index,
            increment: *increment,
        });
    }
    if let Some(q) = p.queue.as_deref() {
        deliver::deliver(&targets, q, arriving, w.members, team);
    }
}

/// `Action::Synaptic`: run the program over every synapse, in index order.
pub(super) fn sweep_all(
    p: &Pathway<'_, '_>,
    w: &mut SynWork,
    groups: &mut [Group<'_, '_>],
    clock: (f64, f64, i64),
) {
    let n = p.pre_index.len();
    if w.all.len() != n {
        w.all = (0..n as i32).collect();
    }
    let all = std::mem::take(&mut w.all);
    run_over(p, w, groups, &all, clock);
    w.all = all;
}

/// The neuron lane a binding reads for synapse `s`.
#[inline]
fn lane(p: &Pathway<'_, '_>, bound: Gather, s: usize) -> usize {
    match bound {
        Gather::Synaptic(_) => s,
        Gather::Pre(_) | Gather::PreIndex => {
            p.pre.offset + p.pre_index.get(s).copied().unwrap_or(0) as usize
        }
        Gather::Post(_) | Gather::PostIndex => {
            p.post.offset + p.post_index.get(s).copied().unwrap_or(0) as usize
        }
        Gather::Output => s,
    }
}

/// Run the program over `synapses` (valid indices), segment by segment.
fn run_over(
    p: &Pathway<'_, '_>,
    w: &mut SynWork,
    groups: &mut [Group<'_, '_>],
    synapses: &[i32],
    (t, dt, step): (f64, f64, i64),
) {
    w.scalars
        .run_scalar(p.program, t, dt, p.pre_index.len(), step);
    let mut rest = synapses;
    while !rest.is_empty() {
        let len = segment(p, w, rest);
        let (seg, tail) = rest.split_at(len);
        run_segment(p, w, groups, seg);
        rest = tail;
    }
}

/// The length of the longest prefix of `synapses` (at most a chunk) in
/// which no two synapses touch the same neuron of a written group.
fn segment(p: &Pathway<'_, '_>, w: &mut SynWork, synapses: &[i32]) -> usize {
    let max = synapses.len().min(CHUNK);
    if w.stamps.is_empty() {
        return max;
    }
    w.generation = w.generation.wrapping_add(1);
    if w.generation == 0 {
        for (_, st) in &mut w.stamps {
            st.fill(0);
        }
        w.generation = 1;
    }
    let gen = w.generation;
    for (k, &s) in synapses.iter().take(max).enumerate() {
        let s = s as usize;
        let lanes = [
            (p.pre.group, lane(p, Gather::PreIndex, s)),
            (p.post.group, lane(p, Gather::PostIndex, s)),
        ];
        let clash = lanes.iter().enumerate().any(|(side, &(g, l))| {
            // (the same neuron on both sides of one synapse is no clash)
            let earlier_side = side == 1 && lanes[0] == (g, l);
            !earlier_side
                && w.stamps
                    .iter()
                    .any(|(h, st)| *h == g && st.get(l).is_some_and(|&x| x == gen))
        });
        if clash {
            return k;
        }
        for &(g, l) in &lanes {
            for (h, st) in &mut w.stamps {
                if *h == g {
                    if let Some(x) = st.get_mut(l) {
                        *x = gen;
                    }
                }
            }
        }
    }
    max
}

/// The group a binding reads from (None: an index).
fn group_of(p: &Pathway<'_, '_>, b: Gather) -> Option<usize> {
    match b {
        Gather::Synaptic(_) => Some(p.synapses),
        Gather::Pre(_) => Some(p.pre.group),
        Gather::Post(_) => Some(p.post.group),
        Gather::PreIndex | Gather::PostIndex | Gather::Output => None,
    }
}

/// Gather, run, scatter one segment (see the module documentation).
fn run_segment(p: &Pathway<'_, '_>, w: &mut SynWork, groups: &mut [Group<'_, '_>], seg: &[i32]) {
    let m = seg.len();
    for (b, col) in p.bindings.iter().zip(w.scratch.iter_mut()) {
        let col = &mut col[..m];
        match b.source {
            Gather::PreIndex => {
                for (x, &s) in col.iter_mut().zip(seg) {
                    *x = f64::from(p.pre_index.get(s as usize).copied().unwrap_or(0));
                }
            }
            Gather::PostIndex => {
                for (x, &s) in col.iter_mut().zip(seg) {
                    *x = f64::from(p.post_index.get(s as usize).copied().unwrap_or(0));
                }
            }
            Gather::Output => {}
            Gather::Synaptic(c) | Gather::Pre(c) | Gather::Post(c) => {
                if let Some(g) = group_of(p, b.source).and_then(|g| groups.get(g)) {
                    for (x, &s) in col.iter_mut().zip(seg) {
                        *x = g.columns.get(c, lane(p, b.source, s as usize));
                    }
                }
            }
        }
    }
    run_on_scratch(p, w, groups, m);
    for (b, col) in p.bindings.iter().zip(&w.scratch) {
        let (Gather::Synaptic(c) | Gather::Pre(c) | Gather::Post(c)) = b.source else {
            continue;
        };
        if !b.write {
            continue;
        }
        if let Some(g) = group_of(p, b.source).and_then(|g| groups.get(g)) {
            for (&x, &s) in col[..m].iter().zip(seg) {
                g.columns.set(c, lane(p, b.source, s as usize), x);
            }
        }
    }
    for a in &p.accumulate {
        let (group, bound) = if a.pre {
            (p.pre.group, Gather::Pre(a.column))
        } else {
            (p.post.group, Gather::Post(a.column))
        };
        let (Some(g), Some(col)) = (groups.get(group), w.scratch.get(a.slot)) else {
            continue;
        };
        let Some(target) = g.columns.ptr(a.column) else {
            continue;
        };
        let n = g.columns.n();
        for (&x, &s) in col[..m].iter().zip(seg) {
            let l = lane(p, bound, s as usize);
            if l < n {
                // SAFETY: l < n, the column's length; synaptic code runs on
                // one thread, nothing else accesses the column meanwhile.
                unsafe { *target.add(l) += x };
            }
        }
    }
}

/// Run the pathway's program over the first `m` lanes of its scratch columns
/// (the gathered values), with the synapses' random streams; nothing is done
/// when the scratch or the synapses' group is missing (checked at validation).
fn run_on_scratch(p: &Pathway<'_, '_>, w: &mut SynWork, groups: &mut [Group<'_, '_>], m: usize) {
    let mut slices: Vec<&mut [f64]> = w.scratch.iter_mut().map(|c| &mut c[..m]).collect();
    let Ok(cols) = Columns::new(&mut slices, m) else {
        return;
    };
    let Some(syn) = groups.get_mut(p.synapses) else {
        return;
    };
    let mut events = Vec::new();
    run_chunk(
        p.program,
        &mut w.regs,
        Chunk {
            s: &w.scalars.s,
            cols: &cols,
            lanes: Lanes::Range { start: 0, len: m },
            rng: std::slice::from_mut(&mut syn.rng.indexed),
            seg: CHUNK,
            events: &mut events,
        },
    );
}
