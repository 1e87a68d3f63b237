//! The interpreter: runs a decoded [`Program`] over one chunk of lanes.
//!
//! Each instruction of the vector block is one tight loop over the chunk.
//! Operand kinds (vector register or scalar) are matched once per instruction
//! per chunk, and each combination runs its own monomorphised kernel, which
//! LLVM vectorises. On x86-64 the same code is also compiled for AVX2 and
//! chosen at run time (no `-C target-cpu` needed; results are bit-identical,
//! since Rust never contracts `a*b + c` into an FMA on its own).

use std::marker::PhantomData;

use crate::error::{CoreError, Result};
use crate::ir::decode::{Instr, Program, Src};
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
                Src::S(k) | Src::V(k) => self.s.get(usize::from(k)).copied().unwrap_or(0.0),
            };
            let (a, b, c) = (get(i.src[0]), get(i.src[1]), get(i.src[2]));
            let r = scalar_op(i.op, a, b, c);
            if let Some(d) = self.s.get_mut(usize::from(i.dst)) {
                *d = r;
            }
        }
    }
}

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
            v: vec![0.0; n * CHUNK],
        }
    }
}

// ------------------------------------------------------------------ semantics

mod sem {
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
            Op::Select => $t!(|a: f64, b: f64, c: f64| if a != 0.0 { b } else { c }),
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

/// A source operand inside one chunk: a lane slice or a broadcast scalar.
trait Lane: Copy {
    fn trim(self, n: usize) -> Self;
    fn at(self, k: usize) -> f64;
}

impl Lane for &[f64] {
    #[inline(always)]
    fn trim(self, n: usize) -> Self {
        &self[..n]
    }
    #[inline(always)]
    fn at(self, k: usize) -> f64 {
        self[k]
    }
}

impl Lane for f64 {
    #[inline(always)]
    fn trim(self, _: usize) -> Self {
        self
    }
    #[inline(always)]
    fn at(self, _: usize) -> f64 {
        self
    }
}

#[inline(always)]
fn map1<A: Lane>(d: &mut [f64], a: A, f: impl Fn(f64) -> f64) {
    let a = a.trim(d.len());
    for (k, o) in d.iter_mut().enumerate() {
        *o = f(a.at(k));
    }
}

#[inline(always)]
fn map2<A: Lane, B: Lane>(d: &mut [f64], a: A, b: B, f: impl Fn(f64, f64) -> f64) {
    let (a, b) = (a.trim(d.len()), b.trim(d.len()));
    for (k, o) in d.iter_mut().enumerate() {
        *o = f(a.at(k), b.at(k));
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
        *o = f(a.at(k), b.at(k), c.at(k));
    }
}

#[derive(Clone, Copy)]
enum Arg<'a> {
    V(&'a [f64]),
    S(f64),
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
    if regs.v.len() < prog.n_phys_vregs * CHUNK {
        regs.v.resize(prog.n_phys_vregs * CHUNK, 0.0);
    }
    let base = regs.v.as_mut_ptr();
    let Chunk {
        s,
        cols,
        lanes,
        rng,
        events,
    } = ch;
    for i in &prog.vector {
        exec(i, base, n, s, cols, lanes, rng, events);
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn exec(
    i: &Instr,
    base: *mut f64,
    n: usize,
    s: &[f64],
    cols: &Columns<'_>,
    lanes: Lanes<'_>,
    rng: &mut Stream,
    events: &mut Vec<i32>,
) {
    let arg = |src: Src| match src {
        Src::V(p) => {
            // SAFETY: register p < n_phys_vregs (the renamer allocates them and
            // the register file holds n_phys_vregs * CHUNK values), n <= CHUNK;
            // a source register is never the destination (ensured by renaming),
            // so this shared slice does not overlap the mutable one below.
            let a = unsafe { std::slice::from_raw_parts(base.add(usize::from(p) * CHUNK), n) };
            Arg::V(a)
        }
        Src::S(k) => Arg::S(s.get(usize::from(k)).copied().unwrap_or(0.0)),
    };
    let dst = || {
        // SAFETY: as above; the destination is disjoint from every source
        // slice of the same instruction, and only one exists at a time.
        unsafe { std::slice::from_raw_parts_mut(base.add(usize::from(i.dst) * CHUNK), n) }
    };
    macro_rules! u {
        ($f:expr) => {{
            let d = dst();
            match arg(i.src[0]) {
                Arg::V(a) => map1(d, a, $f),
                Arg::S(a) => d.fill(($f)(a)),
            }
        }};
    }
    macro_rules! bi {
        ($f:expr) => {{
            let d = dst();
            match (arg(i.src[0]), arg(i.src[1])) {
                (Arg::V(a), Arg::V(b)) => map2(d, a, b, $f),
                (Arg::V(a), Arg::S(b)) => map2(d, a, b, $f),
                (Arg::S(a), Arg::V(b)) => map2(d, a, b, $f),
                (Arg::S(a), Arg::S(b)) => d.fill(($f)(a, b)),
            }
        }};
    }
    macro_rules! t {
        ($f:expr) => {{
            let d = dst();
            match (arg(i.src[0]), arg(i.src[1]), arg(i.src[2])) {
                (Arg::V(a), Arg::V(b), Arg::V(c)) => map3(d, a, b, c, $f),
                (Arg::V(a), Arg::V(b), Arg::S(c)) => map3(d, a, b, c, $f),
                (Arg::V(a), Arg::S(b), Arg::V(c)) => map3(d, a, b, c, $f),
                (Arg::V(a), Arg::S(b), Arg::S(c)) => map3(d, a, b, c, $f),
                (Arg::S(a), Arg::V(b), Arg::V(c)) => map3(d, a, b, c, $f),
                (Arg::S(a), Arg::V(b), Arg::S(c)) => map3(d, a, b, c, $f),
                (Arg::S(a), Arg::S(b), Arg::V(c)) => map3(d, a, b, c, $f),
                (Arg::S(a), Arg::S(b), Arg::S(c)) => d.fill(($f)(a, b, c)),
            }
        }};
    }
    dispatch_ops!(
        i.op,
        u,
        bi,
        t,
        special(i, n, cols, lanes, rng, events, arg, dst)
    )
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn special<'r>(
    i: &Instr,
    n: usize,
    cols: &Columns<'_>,
    lanes: Lanes<'_>,
    rng: &mut Stream,
    events: &mut Vec<i32>,
    arg: impl Fn(Src) -> Arg<'r>,
    dst: impl Fn() -> &'r mut [f64],
) {
    match i.op {
        Op::Load => {
            let slot = match i.src[0] {
                Src::S(c) | Src::V(c) => usize::from(c),
            };
            let Some(&col) = cols.ptrs.get(slot) else {
                return;
            };
            let d = dst();
            match lanes {
                Lanes::Range { start, .. } => {
                    // SAFETY: start + n <= cols.n (chunks lie inside the group)
                    // and no other thread touches this chunk's lanes.
                    let c = unsafe { std::slice::from_raw_parts(col.add(start), n) };
                    d.copy_from_slice(c);
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
            match (lanes, arg(i.src[0])) {
                (Lanes::Range { start, .. }, a) => {
                    // SAFETY: as for `load`; a register never aliases a column.
                    let c = unsafe { std::slice::from_raw_parts_mut(col.add(start), n) };
                    match a {
                        Arg::V(a) => c.copy_from_slice(a),
                        Arg::S(a) => c.fill(a),
                    }
                }
                (Lanes::Indices(ix), a) => {
                    for (k, &j) in ix.iter().take(n).enumerate() {
                        let v = match a {
                            Arg::V(a) => a.get(k).copied().unwrap_or(0.0),
                            Arg::S(a) => a,
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
