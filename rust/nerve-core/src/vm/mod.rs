//! The interpreter: runs a decoded [`Program`] over one chunk of lanes.
//!
//! Each instruction of the vector block is one tight loop over the chunk.
//! Operand kinds (vector register or scalar) are matched once per instruction
//! per chunk, and each combination runs its own monomorphised kernel, which
//! LLVM vectorises. On x86-64 the same code is also compiled for AVX2 and
//! chosen at run time (no `-C target-cpu` needed; results are bit-identical,
//! since Rust never contracts `a*b + c` into an FMA on its own).
//!
//! Modules: `sem` (Python semantics of the arithmetic), `ops` (the one
//! opcode -> function table), `lane` (source operands and the generic
//! element-wise kernels), `exec` (one chunk: dispatch, loads and stores,
//! chains), `pair` (fused pairs), `collect` (fused threshold scans).

use std::marker::PhantomData;

use crate::error::{CoreError, Result};
use crate::ir::decode::{Program, Src};
use crate::noise;
use crate::CHUNK;

mod collect;
mod exec;
mod lane;
mod ops;
mod pair;
pub(crate) mod sem;
#[cfg(test)]
mod tests;

pub(crate) use exec::{run_chunk, Chunk};
pub(crate) use pair::ap;

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

    /// Lanes `start..start + len` of column `c` (`None` out of range), for
    /// operations that run on the thread running the schedule (inputs).
    pub(crate) fn lanes_mut(&mut self, c: usize, start: usize, len: usize) -> Option<&mut [f64]> {
        let p = *self.ptrs.get(c)?;
        if start.checked_add(len)? > self.n {
            return None;
        }
        // SAFETY: the column holds n values (checked in `new`), the range lies
        // in it, and `&mut self` excludes every other access through these
        // columns while the slice lives.
        Some(unsafe { std::slice::from_raw_parts_mut(p.add(start), len) })
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

    /// Column `c` as a slice, to read between sweeps (recorders), when no
    /// program is writing it.
    #[inline]
    pub(crate) fn column(&self, c: usize) -> Option<&[f64]> {
        let p = *self.ptrs.get(c)?;
        // SAFETY: the column holds n values and lives for 'a; only the thread
        // running the schedule calls this, between sweeps, so nothing writes
        // the column while the returned slice (tied to &self) is in use.
        Some(unsafe { std::slice::from_raw_parts(p, self.n) })
    }

    /// The start of column `c` (which holds [`n`](Self::n) values), for
    /// kernels that index it themselves.
    #[inline]
    pub(crate) fn ptr(&self, c: usize) -> Option<*mut f64> {
        self.ptrs.get(c).copied()
    }

    /// Set column `c` at lane `i` (ignored out of range). Only called from
    /// the thread running the schedule, between sweeps, so no other access
    /// to the lane is in progress.
    #[inline]
    pub(crate) fn set(&self, c: usize, i: usize, value: f64) {
        if let Some(p) = self.ptrs.get(c) {
            if i < self.n {
                // SAFETY: i < n and the column holds n values; see above
                // for why no other access overlaps.
                unsafe { *p.add(i) = value };
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
            let r = if i.op == crate::ir::opcodes::Op::Lookup {
                sem::lookup(sem::table_of(&prog.tables, a), b)
            } else {
                ops::scalar_op_inline(i.op, a, b, c)
            };
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

/// Run `prog` once over every lane of a group (one-off assignments such as
/// `v = rand()`). Chunk `c` draws from the group's streams for chunk `c`.
pub fn execute(
    prog: &Program,
    cols: &Columns<'_>,
    rng: &mut noise::Rng,
    t: f64,
    dt: f64,
    step: i64,
) -> Result<()> {
    if !prog.tables_ready() {
        return Err(CoreError::role(
            "one-off",
            "the program's tables are not attached",
        ));
    }
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
    let chunk = rng.chunk_lanes();
    let seg = rng.lanes_per_stream();
    let n_chunks = n.div_ceil(chunk);
    rng.ensure(n_chunks);
    let mut events = Vec::new();
    for (c, streams) in rng.per_chunk().enumerate().take(n_chunks) {
        let start = c * chunk;
        let lanes = Lanes::Range {
            start,
            len: chunk.min(n - start),
        };
        run_chunk(
            prog,
            &mut regs,
            Chunk {
                s: &scalars.s,
                cols,
                lanes,
                rng: streams,
                seg,
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
                rng: std::slice::from_mut(&mut rng.indexed),
                seg: CHUNK,
                events: &mut events,
            },
        );
    }
}
