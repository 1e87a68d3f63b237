//! One chunk of lanes: the instruction dispatch, loads and stores, indices,
//! random numbers, events, and the fused chains.

use super::collect::collect_cmp;
use super::lane::{bin, map1, ter1, Arg, Cur};
use super::ops::dispatch_ops;
use super::pair::{pair, LazyPair};
use super::{sem, Columns, Lanes, Registers, REG_STRIDE};
use crate::chain::{self, RStep, Val};
use crate::ir::chain::{Step, MAX_STEPS};
use crate::ir::decode::{Fuse, Instr, Program, Src};
use crate::ir::opcodes::Op;
use crate::noise::{self, Stream};
use crate::CHUNK;

/// Everything one chunk needs.
pub(crate) struct Chunk<'a, 'c> {
    pub s: &'a [f64],
    pub cols: &'a Columns<'c>,
    pub lanes: Lanes<'a>,
    /// The chunk's streams: lanes `k * seg..` draw from `rng[k]` (see
    /// [`noise::fill_by_stream`]).
    pub rng: &'a mut [Stream],
    pub seg: usize,
    pub events: &'a mut Vec<i32>,
}

/// Run the vector block of `prog` over one chunk.
pub(crate) fn run_chunk(prog: &Program, regs: &mut Registers, ch: Chunk<'_, '_>) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { run_chunk_avx2(prog, regs, ch) };
            return;
        }
    }
    run_chunk_impl(prog, regs, ch);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_chunk_avx2(prog: &Program, regs: &mut Registers, ch: Chunk<'_, '_>) {
    run_chunk_impl(prog, regs, ch);
}

#[inline(always)]
fn run_chunk_impl(prog: &Program, regs: &mut Registers, ch: Chunk<'_, '_>) {
    let n = ch.lanes.len().min(CHUNK);
    if regs.v.len() < prog.n_phys_vregs * REG_STRIDE {
        regs.v.resize(prog.n_phys_vregs * REG_STRIDE, 0.0);
    }
    let base = regs.v.as_mut_ptr();
    let Chunk {
        s,
        cols,
        lanes,
        rng,
        seg,
        events,
    } = ch;
    let (block, start) = match lanes {
        Lanes::Range { start, len } if start.checked_add(len).is_some_and(|e| e <= cols.n) => {
            (&prog.vector_range, Some(start))
        }
        Lanes::Range { .. } => return, // outside the group: never built by the run loop
        Lanes::Indices(_) => (&prog.vector, None),
    };
    let env = Env {
        base,
        n,
        s,
        cols,
        start,
        chains: &prog.chains,
        lazy: &prog.lazy,
        tables: &prog.tables,
        seg,
    };
    for i in block {
        exec(i, &env, lanes, rng, events);
    }
}

/// What the kernels of one chunk see.
struct Env<'a, 'c> {
    /// The register file (`n_phys_vregs * REG_STRIDE` values).
    base: *mut f64,
    /// Lanes in this chunk (`<= CHUNK`).
    n: usize,
    s: &'a [f64],
    cols: &'a Columns<'c>,
    /// `Some(first lane)` for a contiguous range (then `start + n <= cols.n`),
    /// `None` for indexed lanes.
    start: Option<usize>,
    /// The steps of the program's fused chains.
    chains: &'a [Vec<Step>],
    /// The pairs of [`Fuse::CollectCmpAndPair`] instructions.
    lazy: &'a [Instr],
    /// The tables `lookup` reads.
    tables: &'a [std::sync::Arc<[f64]>],
    /// Lanes per stream (see [`Chunk::rng`]).
    seg: usize,
}

impl Env<'_, '_> {
    /// The chunk's slice of column `c` (contiguous lanes only).
    #[inline(always)]
    fn col(&self, c: u16) -> Option<*mut f64> {
        let start = self.start?;
        let p = *self.cols.ptrs.get(usize::from(c))?;
        // SAFETY: start + n <= cols.n (checked in run_chunk_impl), so the
        // offset stays inside the column's allocation.
        Some(unsafe { p.add(start) })
    }
}

#[inline(always)]
fn exec(i: &Instr, env: &Env<'_, '_>, lanes: Lanes<'_>, rng: &mut [Stream], events: &mut Vec<i32>) {
    let n = env.n;
    let arg = |src: Src| match src {
        // A fused pair may read its own destination register (see fuse_pairs).
        Src::V(p) if !i.to_col && p == i.dst && matches!(i.fuse, Fuse::Pair { .. }) => Arg::Same,
        Src::V(p) => {
            // SAFETY: register p < n_phys_vregs (the renamer allocates them and
            // the register file holds n_phys_vregs * REG_STRIDE values), n <= CHUNK;
            // a source register is never the destination (ensured by renaming;
            // a fused pair reading its own destination gets `Arg::Same` above),
            // so this shared slice does not overlap the mutable one below.
            let a =
                unsafe { std::slice::from_raw_parts(env.base.add(usize::from(p) * REG_STRIDE), n) };
            Arg::V(a)
        }
        Src::S(k) => Arg::S(env.s.get(usize::from(k)).copied().unwrap_or(0.0)),
        Src::Col(c) if i.to_col && c == i.dst => Arg::Same,
        Src::Col(c) => match env.col(c) {
            // SAFETY: n lanes from the chunk's start lie inside the column; the
            // destination is a register or another column (the same column is
            // `Arg::Same` above), and columns are distinct borrowed slices, so
            // this shared slice overlaps no mutable one. Other threads only
            // touch other chunks' lanes.
            Some(p) => Arg::V(unsafe { std::slice::from_raw_parts(p, n) }),
            None => Arg::S(f64::NAN), // unreachable: Col only in the range form
        },
    };
    let dst = || -> &mut [f64] {
        if i.to_col {
            match env.col(i.dst) {
                // SAFETY: as for column sources above: the chunk's lanes of
                // this column, touched by no other slice alive in this
                // instruction (a source in the same column is `Arg::Same`).
                Some(p) => unsafe { std::slice::from_raw_parts_mut(p, n) },
                None => &mut [],
            }
        } else {
            // SAFETY: as above; the destination register is disjoint from every
            // source slice of the same instruction, and only one exists at a time.
            unsafe {
                std::slice::from_raw_parts_mut(env.base.add(usize::from(i.dst) * REG_STRIDE), n)
            }
        }
    };
    match i.fuse {
        Fuse::None => {}
        Fuse::CollectCmpAnd => {
            collect_cmp(i, arg, lanes, n, events, None);
            return;
        }
        Fuse::CollectCmpAndPair { id } => {
            let Some(&p) = env.lazy.get(usize::from(id)) else {
                return; // unreachable: the decoder numbers the pairs
            };
            let Fuse::Pair { op2, left } = p.fuse else {
                return; // unreachable: only pairs are lazy
            };
            let c = LazyPair {
                op1: p.op,
                op2,
                left,
                src: [arg(p.src[0]), arg(p.src[1]), arg(p.src[2])],
            };
            collect_cmp(i, arg, lanes, n, events, Some(c));
            return;
        }
        Fuse::Chain { id } => {
            chain_exec(i, id, env);
            return;
        }
        Fuse::Pair { op2, left } => {
            pair(
                i.op,
                op2,
                left,
                dst(),
                arg(i.src[0]),
                arg(i.src[1]),
                arg(i.src[2]),
            );
            return;
        }
    }
    macro_rules! u {
        ($f:expr) => {{
            let d = dst();
            match arg(i.src[0]) {
                Arg::V(a) => map1(d, a, $f),
                Arg::S(a) => d.fill(($f)(a)),
                Arg::Same => map1(d, Cur, $f),
            }
        }};
    }
    macro_rules! bi {
        ($f:expr) => {{
            let d = dst();
            match (arg(i.src[0]), arg(i.src[1])) {
                (Arg::S(a), Arg::S(b)) => d.fill(($f)(a, b)),
                (Arg::V(a), b) => bin(d, a, b, $f),
                (Arg::S(a), b) => bin(d, a, b, $f),
                (Arg::Same, b) => bin(d, Cur, b, $f),
            }
        }};
    }
    macro_rules! t {
        ($f:expr) => {{
            let d = dst();
            match (arg(i.src[0]), arg(i.src[1]), arg(i.src[2])) {
                (Arg::S(a), Arg::S(b), Arg::S(c)) => d.fill(($f)(a, b, c)),
                (Arg::V(a), b, c) => ter1(d, a, b, c, $f),
                (Arg::S(a), b, c) => ter1(d, a, b, c, $f),
                (Arg::Same, b, c) => ter1(d, Cur, b, c, $f),
            }
        }};
    }
    dispatch_ops!(
        i.op,
        u,
        bi,
        t,
        special(i, env, lanes, rng, events, arg, dst)
    )
}

/// Run the fused chain `id` (instruction `i` gives its destination).
#[inline(always)]
fn chain_exec(i: &Instr, id: u16, env: &Env<'_, '_>) {
    let Some(steps) = env.chains.get(usize::from(id)) else {
        return;
    };
    let val = |src: Src| match src {
        // SAFETY: register p < n_phys_vregs and the register file holds
        // n_phys_vregs * REG_STRIDE values, so the offset is in bounds.
        Src::V(p) => Val::P(unsafe { env.base.add(usize::from(p) * REG_STRIDE) }),
        Src::S(k) => Val::S(env.s.get(usize::from(k)).copied().unwrap_or(0.0)),
        Src::Col(c) => env.col(c).map_or(Val::S(f64::NAN), |p| Val::P(p)),
    };
    let mut resolved = [RStep::Init(Val::S(0.0)); MAX_STEPS];
    for (r, st) in resolved.iter_mut().zip(steps) {
        *r = RStep::new(st, val);
    }
    let dst = if i.to_col {
        match env.col(i.dst) {
            Some(p) => p,
            None => return, // unreachable: chains only in the range form
        }
    } else {
        // SAFETY: as for register sources above.
        unsafe { env.base.add(usize::from(i.dst) * REG_STRIDE) }
    };
    let n_steps = steps.len().min(MAX_STEPS);
    // SAFETY: every pointer source and the destination hold the chunk's n
    // lanes (registers: n <= CHUNK < REG_STRIDE; columns: see Env::col); no
    // slice into them is alive during the call, and the kernel reads each
    // tile before writing it, so a source in the destination is fine.
    unsafe { chain::run(&resolved[..n_steps], dst, env.n) };
}

#[inline(always)]
fn special<'r>(
    i: &Instr,
    env: &Env<'_, '_>,
    lanes: Lanes<'_>,
    rng: &mut [Stream],
    events: &mut Vec<i32>,
    arg: impl Fn(Src) -> Arg<'r>,
    dst: impl FnOnce() -> &'r mut [f64],
) {
    let n = env.n;
    let cols = env.cols;
    match i.op {
        Op::Load => {
            let slot = match i.src[0] {
                Src::S(c) | Src::V(c) | Src::Col(c) => usize::from(c),
            };
            let Some(&col) = cols.ptrs.get(slot) else {
                return;
            };
            let d = dst();
            match lanes {
                Lanes::Range { .. } => {
                    if let Some(p) = env.col(slot as u16) {
                        // SAFETY: the chunk's lanes of this column (see Env::col);
                        // the destination is a register, disjoint from columns.
                        let c = unsafe { std::slice::from_raw_parts(p, n) };
                        d.copy_from_slice(c);
                    }
                }
                Lanes::Indices(ix) => {
                    for (o, &j) in d.iter_mut().zip(ix) {
                        // SAFETY: indices are validated to be in 0..cols.n.
                        *o = unsafe { *col.add(j as usize) };
                    }
                }
            }
        }
        Op::Store => {
            let Some(&col) = cols.ptrs.get(usize::from(i.dst)) else {
                return;
            };
            match lanes {
                Lanes::Range { .. } => {
                    let Some(p) = env.col(i.dst) else { return };
                    match arg(i.src[0]) {
                        Arg::V(a) => {
                            // SAFETY: the chunk's lanes of this column; the
                            // source is a register or another column (a store
                            // of a column onto itself is removed at decode).
                            let c = unsafe { std::slice::from_raw_parts_mut(p, n) };
                            c.copy_from_slice(a);
                        }
                        Arg::S(a) => {
                            // SAFETY: as above; no other slice is alive.
                            let c = unsafe { std::slice::from_raw_parts_mut(p, n) };
                            c.fill(a);
                        }
                        Arg::Same => {}
                    }
                }
                Lanes::Indices(ix) => {
                    let a = arg(i.src[0]);
                    for (k, &j) in ix.iter().take(n).enumerate() {
                        let v = match a {
                            Arg::V(a) => a.get(k).copied().unwrap_or(0.0),
                            Arg::S(a) => a,
                            Arg::Same => continue,
                        };
                        // SAFETY: indices are validated to be in 0..cols.n.
                        unsafe { *col.add(j as usize) = v };
                    }
                }
            }
        }
        Op::Index => {
            let d = dst();
            match lanes {
                Lanes::Range { start, .. } => {
                    for (k, o) in d.iter_mut().enumerate() {
                        *o = (start + k) as f64;
                    }
                }
                Lanes::Indices(ix) => {
                    for (o, &j) in d.iter_mut().zip(ix) {
                        *o = f64::from(j);
                    }
                }
            }
        }
        Op::Lookup => {
            let table = match arg(i.src[0]) {
                Arg::S(a) => sem::table_of(env.tables, a),
                _ => &[], // unreachable: the table operand is a constant
            };
            let d = dst();
            match arg(i.src[1]) {
                Arg::S(b) => d.fill(sem::lookup(table, b)),
                Arg::V(b) => {
                    for (o, &x) in d.iter_mut().zip(b) {
                        *o = sem::lookup(table, x);
                    }
                }
                Arg::Same => {
                    for o in d.iter_mut() {
                        *o = sem::lookup(table, *o);
                    }
                }
            }
        }
        Op::Binomial => {
            let (a, b) = (arg(i.src[0]), arg(i.src[1]));
            let d = dst();
            // (a source computed in place in the destination column is read
            // before the fill overwrites it)
            let same = if matches!(a, Arg::Same) || matches!(b, Arg::Same) {
                d.to_vec()
            } else {
                Vec::new()
            };
            let at = |x: &Arg<'_>, k: usize| match *x {
                Arg::S(v) => v,
                Arg::V(v) => v.get(k).copied().unwrap_or(f64::NAN),
                Arg::Same => same.get(k).copied().unwrap_or(f64::NAN),
            };
            noise::fill_by_stream(rng, env.seg, d, |s, part, o| {
                noise::fill_binomial(s, part, |k| (at(&a, o + k), at(&b, o + k)));
            });
        }
        Op::Poisson => {
            let a = arg(i.src[0]);
            let d = dst();
            let same = if matches!(a, Arg::Same) {
                d.to_vec()
            } else {
                Vec::new()
            };
            let at = |k: usize| match a {
                Arg::S(v) => v,
                Arg::V(v) => v.get(k).copied().unwrap_or(f64::NAN),
                Arg::Same => same.get(k).copied().unwrap_or(f64::NAN),
            };
            noise::fill_by_stream(rng, env.seg, d, |s, part, o| {
                noise::fill_poisson(s, part, |k| at(o + k));
            });
        }
        Op::Rand => noise::fill_by_stream(rng, env.seg, dst(), |s, part, _| {
            noise::fill_uniform(s, part);
        }),
        Op::Randn => noise::fill_by_stream(rng, env.seg, dst(), |s, part, _| {
            noise::fill_normal(s, part);
        }),
        Op::Collect => {
            let lane = |k: usize| match lanes {
                Lanes::Range { start, .. } => (start + k) as i32,
                Lanes::Indices(ix) => ix.get(k).copied().unwrap_or(0),
            };
            match arg(i.src[0]) {
                Arg::S(a) => {
                    if a != 0.0 {
                        events.extend((0..n).map(lane));
                    }
                }
                Arg::V(a) => {
                    for (g, block) in a.chunks(8).enumerate() {
                        let any = block.iter().fold(false, |acc, &x| acc | (x != 0.0));
                        if any {
                            for (q, &x) in block.iter().enumerate() {
                                if x != 0.0 {
                                    events.push(lane(g * 8 + q));
                                }
                            }
                        }
                    }
                }
                Arg::Same => {}
            }
        }
        _ => {}
    }
}
