//! The interpreter: runs a decoded [`Program`] over one chunk of lanes.
//!
//! Each instruction of the vector block is one tight loop over the chunk.
//! Operand kinds (vector register or scalar) are matched once per instruction
//! per chunk, and each combination runs its own monomorphised kernel, which
//! LLVM vectorises. On x86-64 the same code is also compiled for AVX2 and
//! chosen at run time (no `-C target-cpu` needed; results are bit-identical,
//! since Rust never contracts `a*b + c` into an FMA on its own).

use std::marker::PhantomData;

use crate::chain::{self, RStep, Val};
use crate::error::{CoreError, Result};
use crate::ir::chain::{op_code, Step, MAX_STEPS};
use crate::ir::decode::{Fuse, Instr, Program, Src};
use crate::ir::opcodes::Op;
use crate::noise::{self, Stream};
use crate::CHUNK;

/// Raw views of a group's state columns, all of length `n`.
///
/// Chunks of one group may run on several threads at once; each touches only
/// its own lanes, which is what makes sharing these pointers sound.
pub struct Columns<'a> {
    ptrs: Vec<*mut f64>,
    n: usize,
    _borrow: PhantomData<&'a mut [f64]>,
}

// SAFETY: `Columns` is a set of pointers into slices borrowed mutably for 'a
// (so nothing else accesses them); the run loop only lets concurrent chunks
// touch disjoint lane ranges, and gathers/scatters run on one thread.
unsafe impl Send for Columns<'_> {}
// SAFETY: see `Send` above: concurrent users access disjoint ranges.
unsafe impl Sync for Columns<'_> {}

impl<'a> Columns<'a> {
    /// Borrow `columns`, each of which must hold exactly `n` values.
    pub fn new(columns: &'a mut [&mut [f64]], n: usize) -> Result<Columns<'a>> {
        if i32::try_from(n).is_err() {
            return Err(CoreError::invalid(format!(
                "a group of {n} neurons is too large (at most {})",
                i32::MAX
            )));
        }
        let mut ptrs = Vec::with_capacity(columns.len());
        for (c, col) in columns.iter_mut().enumerate() {
            if col.len() != n {
                return Err(CoreError::column_length(c, n, col.len()));
            }
            ptrs.push(col.as_mut_ptr());
        }
        Ok(Columns {
            ptrs,
            n,
            _borrow: PhantomData,
        })
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.ptrs.len()
    }

    /// Whether there are no columns.
    pub fn is_empty(&self) -> bool {
        self.ptrs.is_empty()
    }

    /// Number of lanes (neurons).
    pub fn n(&self) -> usize {
        self.n
    }

    /// Value of column `c` at lane `i` (both checked by the caller).
    #[inline]
    pub(crate) fn get(&self, c: usize, i: usize) -> f64 {
        match self.ptrs.get(c) {
            // SAFETY: i < n is checked by the caller (monitor indices are
            // validated up front) and the column holds n values.
            Some(p) if i < self.n => unsafe { *p.add(i) },
            _ => f64::NAN,
        }
    }

    /// Write `x` to column `c` at lane `i` (out of range: nothing). Only
    /// the one thread running synaptic code writes this way (see
    /// `schedule::synapses`), never while chunks of the group run.
    #[inline]
    pub(crate) fn set(&self, c: usize, i: usize, x: f64) {
        if let Some(p) = self.ptrs.get(c) {
            if i < self.n {
                // SAFETY: i < n and the column holds n values; no other
                // access to the columns runs concurrently (see above).
                unsafe { *p.add(i) = x };
            }
        }
    }
}

/// The lanes a chunk runs over: a contiguous range, or neuron indices
/// (validated to be `< n`) for indexed execution (resets).
#[derive(Clone, Copy, Debug)]
pub enum Lanes<'a> {
    Range { start: usize, len: usize },
    Indices(&'a [i32]),
}

impl Lanes<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        match *self {
            Lanes::Range { len, .. } => len,
            Lanes::Indices(ix) => ix.len(),
        }
    }
}

/// The scalar file of a program bound for execution: registers, then constants.
#[derive(Clone, Debug)]
pub struct Scalars {
    pub(crate) s: Vec<f64>,
}

impl Scalars {
    /// A scalar file for `prog`, constants preloaded.
    pub fn new(prog: &Program) -> Scalars {
        let mut s = vec![0.0; usize::from(prog.n_sregs)];
        s.extend_from_slice(&prog.consts);
        Scalars { s }
    }

    /// Preload `t`, `dt`, `N`, `step` and run the scalar block.
    pub fn run_scalar(&mut self, prog: &Program, t: f64, dt: f64, n: usize, step: i64) {
        if let [s0, s1, s2, s3, ..] = &mut self.s[..] {
            (*s0, *s1, *s2, *s3) = (t, dt, n as f64, step as f64);
        }
        for i in &prog.scalar {
            let get = |src: Src| match src {
                Src::S(k) | Src::V(k) | Src::Col(k) => {
                    self.s.get(usize::from(k)).copied().unwrap_or(0.0)
                }
            };
            let (a, b, c) = (get(i.src[0]), get(i.src[1]), get(i.src[2]));
            let r = scalar_op(i.op, a, b, c);
            if let Some(d) = self.s.get_mut(usize::from(i.dst)) {
                *d = r;
            }
        }
    }
}

/// Distance between two vector registers in the register file, in lanes:
/// `CHUNK` plus one cache line, so that registers are not a multiple of
/// 4 KiB apart (a load and a store 4 KiB apart falsely depend on each other).
const REG_STRIDE: usize = CHUNK + 8;

/// Vector registers: `CHUNK` lanes each, enough for every program they serve.
#[derive(Clone, Debug, Default)]
pub struct Registers {
    v: Vec<f64>,
}

impl Registers {
    /// Registers for the largest of `programs`.
    pub fn for_programs<'p>(programs: impl IntoIterator<Item = &'p Program>) -> Registers {
        let n = programs
            .into_iter()
            .map(|p| p.n_phys_vregs)
            .max()
            .unwrap_or(0);
        Registers {
            v: vec![0.0; n * REG_STRIDE],
        }
    }
}

// ------------------------------------------------------------------ semantics

pub(crate) mod sem {
    #[inline(always)]
    pub fn b(x: bool) -> f64 {
        if x {
            1.0
        } else {
            0.0
        }
    }
    #[inline(always)]
    pub fn pymod(a: f64, b: f64) -> f64 {
        let r = a % b;
        if r != 0.0 {
            if (r < 0.0) != (b < 0.0) {
                r + b
            } else {
                r
            }
        } else {
            0.0f64.copysign(b)
        }
    }
    #[inline(always)]
    pub fn floordiv(a: f64, b: f64) -> f64 {
        if b == 0.0 {
            return (a / b).floor();
        }
        let mut m = a % b;
        let mut div = (a - m) / b;
        if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
            m += b;
            div -= 1.0;
        }
        let _ = m;
        if div != 0.0 {
            let mut f = div.floor();
            if div - f > 0.5 {
                f += 1.0;
            }
            f
        } else {
            0.0f64.copysign(a / b)
        }
    }
    /// `b if a != 0 else c`, branch-free on the bits (LLVM would otherwise
    /// turn an in-place select into a masked store, which is slow on AMD).
    #[inline(always)]
    pub fn select(a: f64, b: f64, c: f64) -> f64 {
        let m = u64::from(a != 0.0).wrapping_neg();
        f64::from_bits((b.to_bits() & m) | (c.to_bits() & !m))
    }
    #[inline(always)]
    pub fn sign(a: f64) -> f64 {
        if a > 0.0 {
            1.0
        } else if a < 0.0 {
            -1.0
        } else {
            a * 0.0
        }
    }
}

/// Apply a unary (`$u`), binary (`$b`) or ternary (`$t`) handler to the
/// function of each arithmetic opcode. One list, used by the scalar block and
/// by the vector kernels, so both share the same semantics.
macro_rules! dispatch_ops {
    ($op:expr, $u:ident, $b:ident, $t:ident, $other:expr) => {
        match $op {
            Op::Mov => $u!(|a: f64| a),
            Op::Neg => $u!(|a: f64| -a),
            Op::Not => $u!(|a: f64| sem::b(a == 0.0)),
            Op::Abs => $u!(f64::abs),
            Op::Sqrt => $u!(f64::sqrt),
            Op::Exp => $u!(f64::exp),
            Op::Log => $u!(f64::ln),
            Op::Log10 => $u!(f64::log10),
            Op::Sin => $u!(f64::sin),
            Op::Cos => $u!(f64::cos),
            Op::Tan => $u!(f64::tan),
            Op::Sinh => $u!(f64::sinh),
            Op::Cosh => $u!(f64::cosh),
            Op::Tanh => $u!(f64::tanh),
            Op::Arcsin => $u!(f64::asin),
            Op::Arccos => $u!(f64::acos),
            Op::Arctan => $u!(f64::atan),
            Op::Floor => $u!(f64::floor),
            Op::Ceil => $u!(f64::ceil),
            Op::Trunc => $u!(f64::trunc),
            Op::Sign => $u!(sem::sign),
            Op::Add => $b!(|a: f64, b: f64| a + b),
            Op::Sub => $b!(|a: f64, b: f64| a - b),
            Op::Mul => $b!(|a: f64, b: f64| a * b),
            Op::Div => $b!(|a: f64, b: f64| a / b),
            Op::Pow => $b!(f64::powf),
            Op::Mod => $b!(sem::pymod),
            Op::FloorDiv => $b!(sem::floordiv),
            Op::Min => $b!(f64::min),
            Op::Max => $b!(f64::max),
            Op::Lt => $b!(|a: f64, b: f64| sem::b(a < b)),
            Op::Le => $b!(|a: f64, b: f64| sem::b(a <= b)),
            Op::Gt => $b!(|a: f64, b: f64| sem::b(a > b)),
            Op::Ge => $b!(|a: f64, b: f64| sem::b(a >= b)),
            Op::Eq => $b!(|a: f64, b: f64| sem::b(a == b)),
            Op::Ne => $b!(|a: f64, b: f64| sem::b(a != b)),
            Op::And => $b!(|a: f64, b: f64| sem::b(a != 0.0 && b != 0.0)),
            Op::Or => $b!(|a: f64, b: f64| sem::b(a != 0.0 || b != 0.0)),
            Op::Select => $t!(sem::select),
            Op::Clip => $t!(|a: f64, b: f64, c: f64| a.max(b).min(c)),
            _ => $other,
        }
    };
}

/// The value of a scalar instruction (scalar block semantics).
pub(crate) fn scalar_op(op: Op, a: f64, b: f64, c: f64) -> f64 {
    macro_rules! u {
        ($f:expr) => {
            ($f)(a)
        };
    }
    macro_rules! bi {
        ($f:expr) => {
            ($f)(a, b)
        };
    }
    macro_rules! t {
        ($f:expr) => {
            ($f)(a, b, c)
        };
    }
    let _ = (b, c);
    dispatch_ops!(op, u, bi, t, f64::NAN)
}

// -------------------------------------------------------------------- kernels

/// A source operand inside one chunk: a lane slice, a broadcast scalar, or
/// the destination's own current value (an instruction computed in place,
/// e.g. `v = select(c, v_new, v)` written straight into column `v`).
trait Lane: Copy {
    fn trim(self, n: usize) -> Self;
    /// Lanes `from..from + len` (a scalar stays itself).
    fn sub(self, from: usize, len: usize) -> Self;
    fn at(self, k: usize, cur: f64) -> f64;
}

impl Lane for &[f64] {
    #[inline(always)]
    fn trim(self, n: usize) -> Self {
        &self[..n]
    }
    #[inline(always)]
    fn sub(self, from: usize, len: usize) -> Self {
        &self[from..from + len]
    }
    #[inline(always)]
    fn at(self, k: usize, _: f64) -> f64 {
        self[k]
    }
}

impl Lane for f64 {
    #[inline(always)]
    fn trim(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn sub(self, _: usize, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize, _: f64) -> f64 {
        self
    }
}

/// The destination's current value as a source.
#[derive(Clone, Copy)]
struct Cur;

impl Lane for Cur {
    #[inline(always)]
    fn trim(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn sub(self, _: usize, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize, cur: f64) -> f64 {
        cur
    }
}

#[inline(always)]
fn map1<A: Lane>(d: &mut [f64], a: A, f: impl Fn(f64) -> f64) {
    let a = a.trim(d.len());
    for (k, o) in d.iter_mut().enumerate() {
        *o = f(a.at(k, *o));
    }
}

#[inline(always)]
fn map2<A: Lane, B: Lane>(d: &mut [f64], a: A, b: B, f: impl Fn(f64, f64) -> f64) {
    let (a, b) = (a.trim(d.len()), b.trim(d.len()));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        *o = f(a.at(k, cur), b.at(k, cur));
    }
}

#[inline(always)]
fn map3<A: Lane, B: Lane, C: Lane>(
    d: &mut [f64],
    a: A,
    b: B,
    c: C,
    f: impl Fn(f64, f64, f64) -> f64,
) {
    let (a, b, c) = (a.trim(d.len()), b.trim(d.len()), c.trim(d.len()));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        *o = f(a.at(k, cur), b.at(k, cur), c.at(k, cur));
    }
}

#[derive(Clone, Copy)]
enum Arg<'a> {
    V(&'a [f64]),
    S(f64),
    /// The destination itself (only when the destination is a column).
    Same,
}

impl Arg<'_> {
    /// The value at lane `k` (`cur`: the destination's value there), for
    /// the lane-by-lane paths.
    #[inline(always)]
    fn at(self, k: usize, cur: f64) -> f64 {
        match self {
            Arg::V(v) => v.get(k).copied().unwrap_or(0.0),
            Arg::S(v) => v,
            Arg::Same => cur,
        }
    }
}

/// Dispatch the source kinds of a binary kernel, one argument at a time.
#[inline(always)]
fn bin<A: Lane>(d: &mut [f64], a: A, b: Arg<'_>, f: impl Fn(f64, f64) -> f64) {
    match b {
        Arg::V(b) => map2(d, a, b, f),
        Arg::S(b) => map2(d, a, b, f),
        Arg::Same => map2(d, a, Cur, f),
    }
}

#[inline(always)]
fn ter2<A: Lane, B: Lane>(d: &mut [f64], a: A, b: B, c: Arg<'_>, f: impl Fn(f64, f64, f64) -> f64) {
    match c {
        Arg::V(c) => map3(d, a, b, c, f),
        Arg::S(c) => map3(d, a, b, c, f),
        Arg::Same => map3(d, a, b, Cur, f),
    }
}

#[inline(always)]
fn ter1<A: Lane>(d: &mut [f64], a: A, b: Arg<'_>, c: Arg<'_>, f: impl Fn(f64, f64, f64) -> f64) {
    match b {
        Arg::V(b) => ter2(d, a, b, c, f),
        Arg::S(b) => ter2(d, a, b, c, f),
        Arg::Same => ter2(d, a, Cur, c, f),
    }
}

/// Everything one chunk needs.
pub(crate) struct Chunk<'a, 'c> {
    pub s: &'a [f64],
    pub cols: &'a Columns<'c>,
    pub lanes: Lanes<'a>,
    pub rng: &'a mut Stream,
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
fn exec(i: &Instr, env: &Env<'_, '_>, lanes: Lanes<'_>, rng: &mut Stream, events: &mut Vec<i32>) {
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

/// The operations of fused pairs, by const-generic code (0..8: add, sub,
/// mul, div, lt, le, gt, ge), resolved at compile time.
#[inline(always)]
pub(crate) fn ap<const O: u8>(a: f64, b: f64) -> f64 {
    match O {
        0 => a + b,
        1 => a - b,
        2 => a * b,
        3 => a / b,
        4 => sem::b(a < b),
        5 => sem::b(a <= b),
        6 => sem::b(a > b),
        _ => sem::b(a >= b),
    }
}

/// The kernel code of a pair's opcode (the decoder only fuses opcodes of
/// [`crate::ir::chain::CHAIN_OPS`]).
fn pair_code(op: Op) -> u8 {
    op_code(op).unwrap_or(0)
}

#[inline(always)]
fn pair_kernel<const O1: u8, const O2: u8, const L: bool, A: Lane, B: Lane, C: Lane>(
    d: &mut [f64],
    a: A,
    b: B,
    c: C,
) {
    let n = d.len();
    let (a, b, c) = (a.trim(n), b.trim(n), c.trim(n));
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        let t = ap::<O1>(a.at(k, cur), b.at(k, cur));
        let x = c.at(k, cur);
        *o = if L { ap::<O2>(t, x) } else { ap::<O2>(x, t) };
    }
}

#[inline(always)]
fn pair_kinds<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    match (a, b, c) {
        (Arg::V(a), Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::S(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::Same, Arg::V(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::S(b), Arg::V(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::Same, Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, Cur, b, c),
        (Arg::V(a), Arg::V(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        (Arg::V(a), Arg::S(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        (Arg::S(a), Arg::V(b), Arg::Same) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, Cur),
        // Not built by the decoder (both first sources scalar, or `b` in
        // place); kept total with a generic loop.
        (a, b, c) => pair_generic::<O1, O2, L>(d, a, b, c),
    }
}

/// [`pair_kinds`] for pairs ending in a comparison (a threshold-like
/// `x/dt >= k`): fewer source kinds, to keep the number of kernels down.
#[inline(always)]
fn pair_kinds_cmp<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    match (a, b, c) {
        (Arg::V(a), Arg::S(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::S(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (Arg::V(a), Arg::V(b), Arg::S(c)) => pair_kernel::<O1, O2, L, _, _, _>(d, a, b, c),
        (a, b, c) => pair_generic::<O1, O2, L>(d, a, b, c),
    }
}

/// Any fused pair, one lane at a time (source kinds without their own kernel).
#[inline(never)]
fn pair_generic<const O1: u8, const O2: u8, const L: bool>(
    d: &mut [f64],
    a: Arg<'_>,
    b: Arg<'_>,
    c: Arg<'_>,
) {
    for (k, o) in d.iter_mut().enumerate() {
        let cur = *o;
        let t = ap::<O1>(a.at(k, cur), b.at(k, cur));
        let x = c.at(k, cur);
        *o = if L { ap::<O2>(t, x) } else { ap::<O2>(x, t) };
    }
}

/// Run a fused pair: dispatch the runtime opcodes to a monomorphic kernel.
#[inline(always)]
fn pair(op1: Op, op2: Op, left: bool, d: &mut [f64], a: Arg<'_>, b: Arg<'_>, c: Arg<'_>) {
    macro_rules! second {
        ($o1:literal) => {
            match (pair_code(op2), left) {
                (0, true) => pair_kinds::<$o1, 0, true>(d, a, b, c),
                (1, true) => pair_kinds::<$o1, 1, true>(d, a, b, c),
                (2, true) => pair_kinds::<$o1, 2, true>(d, a, b, c),
                (3, true) => pair_kinds::<$o1, 3, true>(d, a, b, c),
                (4, true) => pair_kinds_cmp::<$o1, 4, true>(d, a, b, c),
                (5, true) => pair_kinds_cmp::<$o1, 5, true>(d, a, b, c),
                (6, true) => pair_kinds_cmp::<$o1, 6, true>(d, a, b, c),
                (_, true) => pair_kinds_cmp::<$o1, 7, true>(d, a, b, c),
                (0, false) => pair_kinds::<$o1, 0, false>(d, a, b, c),
                (1, false) => pair_kinds::<$o1, 1, false>(d, a, b, c),
                (2, false) => pair_kinds::<$o1, 2, false>(d, a, b, c),
                (3, false) => pair_kinds::<$o1, 3, false>(d, a, b, c),
                (4, false) => pair_kinds_cmp::<$o1, 4, false>(d, a, b, c),
                (5, false) => pair_kinds_cmp::<$o1, 5, false>(d, a, b, c),
                (6, false) => pair_kinds_cmp::<$o1, 6, false>(d, a, b, c),
                (_, false) => pair_kinds_cmp::<$o1, 7, false>(d, a, b, c),
            }
        };
    }
    match pair_code(op1) {
        0 => second!(0),
        1 => second!(1),
        2 => second!(2),
        _ => second!(3),
    }
}

/// The `c` of a [`Fuse::CollectCmpAndPair`]: the pair `op2(op1(a, b), c)`
/// (or `op2(c, op1(a, b))`), evaluated lane by lane on demand, with the
/// scalar semantics of the same opcodes (bit-identical to the vector
/// kernels).
#[derive(Clone, Copy)]
struct LazyPair<'a> {
    op1: Op,
    op2: Op,
    left: bool,
    src: [Arg<'a>; 3],
}

impl<'a> Lane for LazyPair<'a> {
    #[inline(always)]
    fn trim(self, n: usize) -> Self {
        self.sub(0, n)
    }
    #[inline(always)]
    fn sub(self, from: usize, len: usize) -> Self {
        let cut = |a: Arg<'a>| -> Arg<'a> {
            match a {
                Arg::V(v) => Arg::V(v.get(from..from + len).unwrap_or(&[])),
                other => other,
            }
        };
        LazyPair {
            src: self.src.map(cut),
            ..self
        }
    }
    #[inline(always)]
    fn at(self, k: usize, _: f64) -> f64 {
        // (a collect has no destination: `Same` does not occur)
        let [a, b, c] = self.src.map(|x| x.at(k, 0.0));
        let t = scalar_op(self.op1, a, b, 0.0);
        if self.left {
            scalar_op(self.op2, t, c, 0.0)
        } else {
            scalar_op(self.op2, c, t, 0.0)
        }
    }
}

/// The fused threshold `collect(cmp(a, b) and c)`: per group of 16 lanes, a
/// vectorised test whether the comparison holds in any lane (compare,
/// or-reduce); only such groups are tested in full, lane by lane. Spikes are
/// rare, so most groups cost a few vector instructions. `lazy`: `c` is a
/// pair, computed only in those groups.
#[inline(always)]
fn collect_cmp<'r>(
    i: &Instr,
    arg: impl Fn(Src) -> Arg<'r>,
    lanes: Lanes<'_>,
    n: usize,
    events: &mut Vec<i32>,
    lazy: Option<LazyPair<'r>>,
) {
    let lane = |k: usize| match lanes {
        Lanes::Range { start, .. } => (start + k) as i32,
        Lanes::Indices(ix) => ix.get(k).copied().unwrap_or(0),
    };
    const G: usize = 16;
    #[inline(always)]
    fn scan<A: Lane, B: Lane, C: Lane>(
        n: usize,
        a: A,
        b: B,
        c: C,
        f: impl Fn(f64, f64) -> bool,
        mut hit: impl FnMut(usize),
    ) {
        let (a, b, c) = (a.trim(n), b.trim(n), c.trim(n));
        let mut g = 0;
        while g + G <= n {
            // Lanes g..g + G (one bounds check for the group).
            let (a, b) = (a.sub(g, G), b.sub(g, G));
            // The comparison alone first (it rarely holds): one compare and
            // one or per four lanes.
            let mut any = 0u64;
            for q in 0..G {
                any |= u64::from(f(a.at(q, 0.0), b.at(q, 0.0)));
            }
            if any != 0 {
                let c = c.sub(g, G);
                for q in 0..G {
                    if f(a.at(q, 0.0), b.at(q, 0.0)) && c.at(q, 0.0) != 0.0 {
                        hit(g + q);
                    }
                }
            }
            g += G;
        }
        for k in g..n {
            if f(a.at(k, 0.0), b.at(k, 0.0)) && c.at(k, 0.0) != 0.0 {
                hit(k);
            }
        }
    }
    macro_rules! fill {
        ($f:expr) => {{
            let f = $f;
            let hit = |k: usize| events.push(lane(k));
            match (arg(i.src[0]), arg(i.src[1]), lazy, arg(i.src[2])) {
                (Arg::V(a), Arg::S(b), Some(c), _) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::V(b), Some(c), _) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::S(b), None, Arg::V(c)) => scan(n, a, b, c, f, hit),
                (Arg::V(a), Arg::V(b), None, Arg::V(c)) => scan(n, a, b, c, f, hit),
                (a, b, lazy, c) => {
                    for k in 0..n {
                        let cv = match lazy {
                            Some(p) => p.at(k, 0.0),
                            None => c.at(k, 0.0),
                        };
                        if f(a.at(k, 0.0), b.at(k, 0.0)) && cv != 0.0 {
                            events.push(lane(k));
                        }
                    }
                }
            }
        }};
    }
    match i.op {
        Op::Lt => fill!(|x: f64, y: f64| x < y),
        Op::Le => fill!(|x: f64, y: f64| x <= y),
        Op::Gt => fill!(|x: f64, y: f64| x > y),
        Op::Ge => fill!(|x: f64, y: f64| x >= y),
        Op::Eq => fill!(|x: f64, y: f64| x == y),
        _ => fill!(|x: f64, y: f64| x != y),
    }
}

#[inline(always)]
fn special<'r>(
    i: &Instr,
    env: &Env<'_, '_>,
    lanes: Lanes<'_>,
    rng: &mut Stream,
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
        Op::Rand => noise::fill_uniform(rng, dst()),
        Op::Randn => noise::fill_normal(rng, dst()),
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

/// Run `prog` once over every lane of a group (one-off assignments such as
/// `v = rand()`). Chunk `c` draws from the group's stream for chunk `c`.
pub fn execute(
    prog: &Program,
    cols: &Columns<'_>,
    rng: &mut noise::Rng,
    t: f64,
    dt: f64,
    step: i64,
) -> Result<()> {
    if prog.has_collect {
        return Err(CoreError::role(
            "one-off",
            "`collect` is only allowed in threshold programs",
        ));
    }
    if prog.n_columns() > cols.len() {
        return Err(CoreError::column_count(
            "one-off",
            prog.n_columns(),
            cols.len(),
        ));
    }
    let n = cols.n();
    let mut scalars = Scalars::new(prog);
    scalars.run_scalar(prog, t, dt, n, step);
    let mut regs = Registers::for_programs([prog]);
    let n_chunks = n.div_ceil(CHUNK);
    rng.ensure(n_chunks);
    let mut events = Vec::new();
    for (c, stream) in rng.chunks.iter_mut().enumerate().take(n_chunks) {
        let start = c * CHUNK;
        let lanes = Lanes::Range {
            start,
            len: CHUNK.min(n - start),
        };
        run_chunk(
            prog,
            &mut regs,
            Chunk {
                s: &scalars.s,
                cols,
                lanes,
                rng: stream,
                events: &mut events,
            },
        );
    }
    Ok(())
}

/// Run `prog` on the neurons `indices` (each checked to be in range), e.g. a
/// reset; draws from the group's indexed stream.
pub fn execute_indexed(
    prog: &Program,
    scalars: &Scalars,
    regs: &mut Registers,
    cols: &Columns<'_>,
    indices: &[i32],
    rng: &mut noise::Rng,
) {
    let mut events = Vec::new();
    for ix in indices.chunks(CHUNK) {
        let lanes = Lanes::Indices(ix);
        run_chunk(
            prog,
            regs,
            Chunk {
                s: &scalars.s,
                cols,
                lanes,
                rng: &mut rng.indexed,
                events: &mut events,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::asm::{k, s, v, Asm};

    /// A small deterministic generator (64-bit LCG).
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) % n as u64) as usize
        }
    }

    /// A random valid program over 3 columns and 4 vector registers, mixing
    /// loads, stores (also of columns loaded earlier and still live), fusable
    /// chains, comparisons and selects.
    fn random_program(g: &mut Lcg) -> Vec<u8> {
        let mut a = Asm::new(3);
        let k0 = a.konst(0.5);
        let k1 = a.konst(-2.0);
        let mut written = [false; 4];
        let ops = [
            Op::Add,
            Op::Sub,
            Op::Mul,
            Op::Div,
            Op::Gt,
            Op::Ge,
            Op::Lt,
            Op::Le,
        ];
        for _ in 0..(4 + g.below(14)) {
            let live: Vec<u16> = (0..4).filter(|&r| written[r as usize]).collect();
            let src = |g: &mut Lcg| match g.below(5) {
                0 => k0,
                1 => k1,
                2 => s(0),
                _ if !live.is_empty() => v(live[g.below(live.len())]),
                _ => k(0),
            };
            let d = g.below(4) as u16;
            match g.below(8) {
                // A chain: each result read by the next instruction (and
                // perhaps later too), perhaps ending in a select and a store.
                6 | 7 if !live.is_empty() => {
                    let (x, y) = (src(g), src(g));
                    let mut acc = g.below(4) as u16;
                    let arith = [Op::Add, Op::Sub, Op::Mul, Op::Div];
                    a.vop(arith[g.below(4)], v(acc), x, y, 0);
                    for _ in 0..(1 + g.below(5)) {
                        let x = src(g);
                        let next = g.below(4) as u16;
                        let op = if g.below(4) == 0 {
                            ops[g.below(ops.len())]
                        } else {
                            arith[g.below(4)]
                        };
                        if g.below(2) == 0 {
                            a.vop(op, v(next), v(acc), x, 0);
                        } else {
                            a.vop(op, v(next), x, v(acc), 0);
                        }
                        written[usize::from(next)] = true;
                        acc = next;
                    }
                    if g.below(2) == 0 {
                        let (m, x) = (src(g), src(g));
                        let next = g.below(4) as u16;
                        if g.below(2) == 0 {
                            a.vop(Op::Select, v(next), m, v(acc), x);
                        } else {
                            a.vop(Op::Select, v(next), m, x, v(acc));
                        }
                        acc = next;
                    }
                    written[usize::from(acc)] = true;
                    if g.below(3) > 0 {
                        a.store(g.below(3) as u16, v(acc));
                    }
                }
                0 | 1 => {
                    a.load(v(d), g.below(3) as u16);
                    written[usize::from(d)] = true;
                }
                2 => {
                    let x = src(g);
                    a.store(g.below(3) as u16, x);
                }
                3 if !live.is_empty() => {
                    let (c, x, y) = (src(g), src(g), src(g));
                    a.vop(Op::Select, v(d), c, x, y);
                    written[usize::from(d)] = true;
                }
                _ => {
                    let (x, y) = (src(g), src(g));
                    a.vop(ops[g.below(ops.len())], v(d), x, y, 0);
                    written[usize::from(d)] = true;
                }
            }
        }
        a.finish()
    }

    /// Run `prog` once over every lane in the contiguous form and in the
    /// indexed form and check that the columns agree bit for bit.
    fn same_in_both_forms(prog: &Program, case: usize) {
        let n = 2 * CHUNK + 37;
        let prog = prog.clone();
        let init: Vec<Vec<f64>> = (0..3)
            .map(|c| {
                (0..n)
                    .map(|i| ((i * 37 + c * 11) % 17) as f64 * 0.25 - 1.5)
                    .collect()
            })
            .collect();
        let mut a = init.clone();
        let mut b = init;
        {
            let mut views: Vec<&mut [f64]> = a.iter_mut().map(|c| c.as_mut_slice()).collect();
            let cols = Columns::new(&mut views, n).unwrap();
            execute(&prog, &cols, &mut noise::Rng::new(1, 0), 0.25, 1e-4, 3).unwrap();
        }
        {
            let mut views: Vec<&mut [f64]> = b.iter_mut().map(|c| c.as_mut_slice()).collect();
            let cols = Columns::new(&mut views, n).unwrap();
            let mut sc = Scalars::new(&prog);
            sc.run_scalar(&prog, 0.25, 1e-4, n, 3);
            let mut regs = Registers::for_programs([&prog]);
            let ix: Vec<i32> = (0..n as i32).collect();
            execute_indexed(
                &prog,
                &sc,
                &mut regs,
                &cols,
                &ix,
                &mut noise::Rng::new(1, 0),
            );
        }
        for c in 0..3 {
            for i in 0..n {
                let (x, y) = (a[c][i], b[c][i]);
                assert!(
                    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                    "case {case}, column {c}, lane {i}: {x} != {y}\n{}\n{}",
                    prog.disassemble(),
                    prog.range_form_text()
                );
            }
        }
    }

    /// The chains the lowering emits for the tutorial's models (columns v,
    /// v0, flag) run on the specialised kernels, bit for bit as unfused.
    #[test]
    fn specialised_chains_equal_indexed_form() {
        let mut progs = Vec::new();
        // The refractory test `t - col2 >= dt` into `m`, as the lowering
        // derives `not_refractory` (absorbed into the chain's select).
        let derived = |a: &mut Asm, m: u16| {
            a.load(v(6), 2)
                .vop(Op::Sub, v(7), s(0), v(6), 0)
                .vop(Op::Ge, v(m), v(7), s(1), 0);
        };
        let mut absorbed = 0;
        for (select, euler_col) in [(true, true), (false, false), (true, false), (false, true)] {
            // exact: v = where(flag, v0 + (v - v0)*E, v), the flag a column
            // or derived
            for derive in [false, true] {
                let mut a = Asm::new(3);
                let e = a.konst(0.904_837_418_035_959_6);
                if derive {
                    derived(&mut a, 5);
                }
                a.load(v(1), 0)
                    .load(v(2), 1)
                    .vop(Op::Sub, v(3), v(1), v(2), 0)
                    .vop(Op::Mul, v(4), v(3), e, 0)
                    .vop(Op::Add, v(3), v(2), v(4), 0);
                let m = if derive { 5 } else { 1 };
                if select {
                    a.vop(Op::Select, v(2), v(m), v(3), v(1)).store(0, v(2));
                } else {
                    a.store(0, v(3));
                }
                progs.push(a.finish());
            }
            // euler + noise: v = where(flag, v + dt*((c - v)/tau) + k*(s*xi), v)
            let mut a = Asm::new(3);
            let (tau, kk) = (a.konst(1e-2), a.konst(2.0));
            a.load(v(0), 2).load(v(1), 0);
            if euler_col {
                a.load(v(2), 1).vop(Op::Sub, v(3), v(2), v(1), 0);
            } else {
                a.vop(Op::Sub, v(3), tau, v(1), 0);
            }
            a.vop(Op::Div, v(2), v(3), tau, 0)
                .vop(Op::Mul, v(3), s(1), v(2), 0)
                .vop(Op::Add, v(2), v(1), v(3), 0)
                // (a column for `randn`: the two forms draw from different streams)
                .load(v(3), 2)
                .vop(Op::Mul, v(4), s(0), v(3), 0)
                .vop(Op::Mul, v(3), kk, v(4), 0)
                .vop(Op::Add, v(4), v(2), v(3), 0);
            if select {
                a.vop(Op::Select, v(2), v(0), v(4), v(1)).store(0, v(2));
            } else {
                a.store(0, v(4));
            }
            progs.push(a.finish());
            // the same with the flag derived
            if select {
                let mut a = Asm::new(3);
                let (tau, kk) = (a.konst(1e-2), a.konst(2.0));
                a.load(v(1), 0);
                derived(&mut a, 0);
                a.load(v(2), 1)
                    .vop(Op::Sub, v(3), v(2), v(1), 0)
                    .vop(Op::Div, v(2), v(3), tau, 0)
                    .vop(Op::Mul, v(3), s(1), v(2), 0)
                    .vop(Op::Add, v(2), v(1), v(3), 0)
                    .load(v(3), 1)
                    .vop(Op::Mul, v(4), s(0), v(3), 0)
                    .vop(Op::Mul, v(3), kk, v(4), 0)
                    .vop(Op::Add, v(4), v(2), v(3), 0)
                    .vop(Op::Select, v(2), v(0), v(4), v(1))
                    .store(0, v(2));
                progs.push(a.finish());
            }
        }
        for (case, blob) in progs.iter().enumerate() {
            let prog = Program::decode(blob).unwrap();
            let dummy = |x: Src| match x {
                Src::S(_) => Val::S(0.0),
                Src::V(_) | Src::Col(_) => Val::P(std::ptr::null()),
            };
            assert!(prog.chains.iter().all(|c| chain::has_mono(
                &c.iter().map(|st| RStep::new(st, dummy)).collect::<Vec<_>>()
            )));
            assert!(!prog.chains.is_empty(), "{}", prog.range_form_text());
            absorbed += usize::from(prog.range_form_text().contains("SelectPair"));
            same_in_both_forms(&prog, case);
        }
        assert_eq!(absorbed, 4, "derived flags absorbed into chains");
    }

    /// The lanes a threshold program collects, run over contiguous chunks
    /// and over the same lanes by index.
    fn events_both_forms(prog: &Program, cols: &Columns<'_>) -> (Vec<i32>, Vec<i32>) {
        let n = cols.n();
        let mut sc = Scalars::new(prog);
        sc.run_scalar(prog, 0.25, 1e-4, n, 3);
        let mut regs = Registers::for_programs([prog]);
        let mut rng = noise::Rng::new(1, 0);
        let (mut range, mut indexed) = (Vec::new(), Vec::new());
        for start in (0..n).step_by(CHUNK) {
            let len = CHUNK.min(n - start);
            let ix: Vec<i32> = (start as i32..(start + len) as i32).collect();
            for (lanes, events) in [
                (Lanes::Range { start, len }, &mut range),
                (Lanes::Indices(&ix), &mut indexed),
            ] {
                let ch = Chunk {
                    s: &sc.s,
                    cols,
                    lanes,
                    rng: &mut rng.indexed,
                    events,
                };
                run_chunk(prog, &mut regs, ch);
            }
        }
        (range, indexed)
    }

    /// `collect(cmp and pair)` in every order of its parts (the threshold
    /// with a derived refractory test) evaluates the pair lazily and finds
    /// the lanes the unfused program finds.
    #[test]
    fn lazy_threshold_pair_equals_indexed_form() {
        let n = 2 * CHUNK + 37;
        let mut data: Vec<Vec<f64>> = (0..3)
            .map(|c| {
                (0..n)
                    .map(|i| ((i * 37 + c * 11) % 17) as f64 * 0.25 - 1.5)
                    .collect()
            })
            .collect();
        let mut views: Vec<&mut [f64]> = data.iter_mut().map(|c| c.as_mut_slice()).collect();
        let cols = Columns::new(&mut views, n).unwrap();
        let mut sizes = Vec::new();
        for order in 0..4 {
            let mut a = Asm::new(3);
            let k = a.konst(0.6);
            for part in [order & 1, 1 - (order & 1)] {
                if part == 0 {
                    a.load(v(0), 0).vop(Op::Gt, v(1), v(0), k, 0);
                } else {
                    a.load(v(4), 2).vop(Op::Sub, v(2), s(0), v(4), 0).vop(
                        Op::Ge,
                        v(3),
                        v(2),
                        s(1),
                        0,
                    );
                }
            }
            let (x, y) = if order & 2 == 0 { (1, 3) } else { (3, 1) };
            a.vop(Op::And, v(5), v(x), v(y), 0).collect(v(5));
            let prog = Program::decode(&a.finish()).unwrap();
            assert!(
                prog.range_form_text().contains("CollectCmpAndPair"),
                "order {order}:\n{}",
                prog.range_form_text()
            );
            let (range, indexed) = events_both_forms(&prog, &cols);
            assert_eq!(range, indexed, "order {order}");
            sizes.push(range.len());
        }
        // Some lanes pass one test only: the pair decides.
        assert!(sizes.iter().all(|&k| k > 10 && k < n / 2), "{sizes:?}");
    }

    /// The contiguous form (aliased loads, in-place results, fused kernels)
    /// gives bit for bit what the plain indexed form gives.
    #[test]
    fn contiguous_form_equals_indexed_form() {
        let mut g = Lcg(7);
        let (mut pairs, mut placed, mut chains, mut masks) = (0, 0, 0, 0);
        for case in 0..3000 {
            let blob = random_program(&mut g);
            let prog = Program::decode(&blob).unwrap();
            let text = prog.range_form_text();
            pairs += usize::from(text.contains("Pair"));
            masks += usize::from(text.contains("SelectPair"));
            chains += usize::from(text.contains("Chain"));
            placed += usize::from(text.contains("to_col: true"));
            same_in_both_forms(&prog, case);
        }
        // The rewrites under test did happen.
        assert!(
            pairs > 100 && placed > 300 && chains > 300,
            "{pairs} pairs, {chains} chains, {placed} placed"
        );
        println!("{masks} programs with a pair absorbed into a chain's select");
    }

    /// A random program in which a chain ends in a `select` whose mask is a
    /// pair computed earlier (`m = cmp(op(a, b), c)` in register 4 or 5),
    /// with random instructions in between that may overwrite what the pair
    /// reads or the mask itself, and may read the mask again.
    fn random_mask_program(g: &mut Lcg) -> Vec<u8> {
        let mut a = Asm::new(3);
        let k0 = a.konst(0.5);
        let arith = [Op::Add, Op::Sub, Op::Mul, Op::Div];
        let cmp = [Op::Gt, Op::Ge, Op::Lt, Op::Le];
        // Registers 0 and 1 hold columns (the pair's sources).
        a.load(v(0), g.below(3) as u16)
            .load(v(1), g.below(3) as u16);
        let src = |g: &mut Lcg| match g.below(4) {
            0 => k0,
            1 => s(0),
            2 => v(0),
            _ => v(1),
        };
        let (m, t) = if g.below(2) == 0 { (4, 5) } else { (5, 4) };
        let (x, y, z) = (src(g), src(g), src(g));
        a.vop(arith[g.below(4)], v(t), x, y, 0)
            .vop(cmp[g.below(4)], v(m), v(t), z, 0);
        for _ in 0..g.below(3) {
            match g.below(5) {
                0 => {
                    a.store(g.below(3) as u16, src(g));
                }
                1 => {
                    a.load(v(g.below(2) as u16), g.below(3) as u16);
                }
                2 => {
                    a.vop(Op::Add, v(m), src(g), k0, 0);
                }
                3 => {
                    a.vop(Op::Mul, v(g.below(2) as u16), v(m), src(g), 0);
                }
                _ => {
                    a.vop(arith[g.below(4)], v(t), src(g), src(g), 0);
                }
            }
        }
        // the chain: c1 = op(x, y); c2 = op(c1, w); c3 = select(m, c2, other),
        // its registers perhaps among those the pair read
        let (x, y, w) = (src(g), src(g), src(g));
        let (c1, c2, c3) = (g.below(4) as u16, g.below(4) as u16, g.below(4) as u16);
        a.vop(arith[g.below(4)], v(c1), x, y, 0)
            .vop(arith[g.below(4)], v(c2), v(c1), w, 0);
        let other = src(g);
        if g.below(2) == 0 {
            a.vop(Op::Select, v(c3), v(m), v(c2), other);
        } else {
            a.vop(Op::Select, v(c3), v(m), other, v(c2));
        }
        a.store(g.below(3) as u16, v(c3));
        if g.below(4) == 0 {
            // the mask read again after the chain
            a.vop(Op::Mul, v(3), v(m), k0, 0)
                .store(g.below(3) as u16, v(3));
        }
        a.finish()
    }

    /// Masks moved into chains (and the cases where they must not be) give
    /// bit for bit what the plain indexed form gives.
    #[test]
    fn absorbed_masks_equal_indexed_form() {
        let mut g = Lcg(11);
        let mut absorbed = 0;
        let cases = 4000;
        for case in 0..cases {
            let prog = Program::decode(&random_mask_program(&mut g)).unwrap();
            absorbed += usize::from(prog.range_form_text().contains("SelectPair"));
            same_in_both_forms(&prog, case);
        }
        println!("{absorbed} of {cases} absorbed");
        assert!(
            absorbed > cases / 5 && absorbed < cases * 9 / 10,
            "{absorbed} of {cases} absorbed"
        );
    }
}
