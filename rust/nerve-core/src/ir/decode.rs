//! Bytes -> [`Program`]: decoding, validation (once) and the disassembler.
//!
//! Decoding checks every invariant listed in the module documentation of
//! [`crate::ir`], then prepares the executable form used by the interpreter:
//! constants are appended to the scalar register file (so a source is either
//! a vector register or a scalar slot), and vector registers are renamed so
//! that no instruction writes a register it also reads (each kernel then works
//! on disjoint slices, which LLVM vectorises without runtime alias checks).
//!
//! The vector block is kept in two executable forms. The *indexed* form (for
//! resets, which gather and scatter) is the renamed block as written. The
//! *contiguous* form (for whole-group passes, where a chunk of a column is a
//! plain slice) is rewritten for fewer passes over the chunk, with results
//! bit-identical to the indexed form (same operations, same order, no
//! contraction; randomized tests in `vm/tests.rs` check this):
//!
//! - loads alias the column when it is not written before the loaded value
//!   dies (no copy);
//! - a result whose store is the only access to its column for the rest of
//!   its life is computed straight into the column (the store disappears),
//!   except an in-place `select` (masked stores are slow on AMD);
//! - runs of element-wise instructions over single-use temporaries become
//!   one kernel each with the running value in SIMD registers
//!   ([`Fuse::Chain`], see [`super::chain`]), including a final `select`
//!   written straight into its column; remaining `t = op a b; d = op2 t c`
//!   pairs become one kernel ([`Fuse::Pair`]), and `collect(cmp(a, b) and
//!   c)` one compare-and-scan kernel ([`Fuse::CollectCmpAnd`]).
//!
//! None of this changes the format: it happens after validation.
//!
//! Modules: this one (the executable types, the header, [`Program::decode`]),
//! `check` (validation of each instruction), `rename` (register renaming),
//! `range` (the contiguous form and its fusions), `disasm` (text forms).

use std::sync::Arc;

use super::chain::{Step, CHAIN_OPS};
use super::check::{Checker, Reader};
use super::opcodes::Op;
use super::range::range_form;
use super::rename::rename_vector;
use super::{IR_VERSION, MAGIC, PRELOADED_SREGS};
use crate::error::{CoreError, Result};

/// Size of the fixed header, in bytes.
const HEADER: usize = 24;
/// Size of one instruction, in bytes.
const INSTR: usize = 10;

/// An operand as written in the program (for the disassembler).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// Vector register `Vn`.
    V(u16),
    /// Scalar register `Sn`.
    S(u16),
    /// Constant `Kn`.
    K(u16),
}

/// An instruction as written in the program (registers not renamed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RawInstr {
    pub op: Op,
    /// Destination register (or column slot for `store`; unused by `collect`).
    pub dst: Operand,
    /// Source operands, the first `arity` used (`load`: a raw column slot in `a`).
    pub src: [Operand; 3],
}

/// A source of the executable form: a vector register (physical, after
/// renaming), a slot of the scalar file (registers, then constants), or (in
/// the contiguous form only) a column read in place, without a copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    V(u16),
    S(u16),
    Col(u16),
}

/// What an instruction of the executable form does beyond its opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fuse {
    /// Just the opcode.
    None,
    /// Superinstruction for `t = cmp a b; m = and t c; collect m` (either
    /// operand order of `and`): `op` is the comparison; collects the lanes
    /// where `cmp(a, b) && c != 0`, with no intermediate register.
    CollectCmpAnd,
    /// [`Fuse::CollectCmpAnd`] whose `c` is a fused pair (`Program::lazy[id]`,
    /// e.g. the refractory test `t - lastspike >= k`): the pair is evaluated
    /// only in the groups of lanes where the comparison holds somewhere.
    CollectCmpAndPair { id: u16 },
    /// Superinstruction for `t = op a b; dst = op2 t c` (`left`) or
    /// `dst = op2 c t`, with `t` a single-use temporary: one pass, the
    /// same two roundings in the same order. `op` is in
    /// [`PAIR_FIRST`], `op2` in [`PAIR_SECOND`].
    Pair { op2: Op, left: bool },
    /// A chain of element-wise steps over single-use temporaries, kept in
    /// registers (the steps are `Program::chains[id]`; see [`super::chain`]).
    Chain { id: u16 },
}

/// Opcodes that may start a fused pair.
pub const PAIR_FIRST: [Op; 4] = [Op::Add, Op::Sub, Op::Mul, Op::Div];
/// Opcodes that may end a fused pair: those a chain step may apply (the
/// kernels share their codes, [`super::chain::op_code`]).
pub const PAIR_SECOND: [Op; 8] = CHAIN_OPS;

/// An instruction of the executable form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instr {
    pub op: Op,
    /// Physical vector register, scalar slot, or column slot (`store`, or
    /// any vector instruction when `to_col`).
    pub dst: u16,
    /// The result goes straight into column `dst` (contiguous form only).
    pub to_col: bool,
    /// Sources; `load` keeps its column slot in `S(slot)`. Unused: `S(0)`.
    pub src: [Src; 3],
    pub fuse: Fuse,
}

/// A decoded, validated program.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) n_columns: u16,
    pub(crate) consts: Vec<f64>,
    pub(crate) n_sregs: u16,
    pub(crate) n_vregs: u16,
    pub(super) raw_scalar: Vec<RawInstr>,
    pub(super) raw_vector: Vec<RawInstr>,
    pub(crate) scalar: Vec<Instr>,
    /// The vector block for indexed lanes (gathers and scatters).
    pub(crate) vector: Vec<Instr>,
    /// The vector block for a contiguous range of lanes: loads alias the
    /// columns, results are computed straight into the columns they are
    /// stored to, and frequent sequences are fused (see [`range_form`]).
    pub(crate) vector_range: Vec<Instr>,
    /// The steps of the [`Fuse::Chain`] instructions of `vector_range`.
    pub(crate) chains: Vec<Vec<Step>>,
    /// The pairs of the [`Fuse::CollectCmpAndPair`] instructions.
    pub(crate) lazy: Vec<Instr>,
    /// Vector registers needed after renaming.
    pub(crate) n_phys_vregs: usize,
    pub(crate) has_collect: bool,
    /// Number of tables `lookup` may read.
    pub(crate) n_tables: u16,
    /// The tables, once attached ([`Program::with_tables`]); empty before.
    pub(crate) tables: Vec<Arc<[f64]>>,
}

impl Program {
    /// Decode and validate a program blob.
    pub fn decode(data: &[u8]) -> Result<Program> {
        let r = Reader { data };
        if data.get(0..4) != Some(&MAGIC[..]) {
            return Err(CoreError::decode(
                0,
                None,
                "not a nerve program (bad magic bytes)",
            ));
        }
        if data.len() < HEADER {
            return Err(CoreError::decode(
                data.len(),
                None,
                format!(
                    "program is {} bytes long, shorter than its {HEADER}-byte header",
                    data.len()
                ),
            ));
        }
        let version = r.u16(4)?;
        if version != IR_VERSION {
            return Err(CoreError::version(version, IR_VERSION));
        }
        let n_columns = r.u16(6)?;
        let n_consts = r.u16(8)?;
        let n_sregs = r.u16(10)?;
        let n_vregs = r.u16(12)?;
        let n_tables = r.u16(14)?;
        let n_scalar = r.u32(16)? as usize;
        let n_vector = r.u32(20)? as usize;
        if n_sregs < PRELOADED_SREGS {
            return Err(CoreError::decode(
                10,
                None,
                format!("n_sregs is {n_sregs}, must be at least {PRELOADED_SREGS} (the preloaded S0..S3)"),
            ));
        }
        let consts_at = HEADER;
        let scalar_at = consts_at + 8 * usize::from(n_consts);
        let vector_at = n_scalar
            .checked_mul(INSTR)
            .and_then(|b| b.checked_add(scalar_at))
            .ok_or_else(|| CoreError::decode(16, None, "instruction count too large"))?;
        let end = n_vector
            .checked_mul(INSTR)
            .and_then(|b| b.checked_add(vector_at))
            .ok_or_else(|| CoreError::decode(20, None, "instruction count too large"))?;
        if data.len() != end {
            return Err(CoreError::decode(
                data.len().min(end),
                None,
                format!(
                    "program is {} bytes long, its header announces {end}",
                    data.len()
                ),
            ));
        }
        let consts = (0..usize::from(n_consts))
            .map(|j| r.f64(consts_at + 8 * j))
            .collect::<Result<Vec<f64>>>()?;
        let mut checker = Checker {
            n_columns,
            n_consts,
            n_sregs,
            n_vregs,
            n_tables,
            consts: &consts,
            s_written: (0..n_sregs).map(|s| s < PRELOADED_SREGS).collect(),
            v_written: vec![false; usize::from(n_vregs)],
        };
        let raw_scalar = (0..n_scalar)
            .map(|k| checker.instruction(&r, "scalar", k, scalar_at + INSTR * k))
            .collect::<Result<Vec<_>>>()?;
        let raw_vector = (0..n_vector)
            .map(|k| checker.instruction(&r, "vector", k, vector_at + INSTR * k))
            .collect::<Result<Vec<_>>>()?;

        let slot = |o: Operand| match o {
            Operand::S(s) => s,
            Operand::K(c) => n_sregs + c,
            Operand::V(v) => v,
        };
        let scalar = raw_scalar
            .iter()
            .map(|i| Instr {
                op: i.op,
                dst: slot(i.dst),
                to_col: false,
                src: i.src.map(|o| Src::S(slot(o))),
                fuse: Fuse::None,
            })
            .collect();
        // Constants live after the registers in a u16-indexed scalar file.
        if usize::from(n_sregs) + usize::from(n_consts) > usize::from(u16::MAX) {
            return Err(CoreError::decode(
                8,
                None,
                "too many scalar registers and constants",
            ));
        }
        let (vector, n_phys_vregs) = rename_vector(&raw_vector, n_sregs);
        let (vector_range, chains, lazy) = range_form(&raw_vector, &vector);
        Ok(Program {
            n_columns,
            consts,
            n_sregs,
            n_vregs,
            has_collect: raw_vector.iter().any(|i| i.op == Op::Collect),
            raw_scalar,
            raw_vector,
            scalar,
            vector,
            vector_range,
            chains,
            lazy,
            n_phys_vregs,
            n_tables,
            tables: Vec::new(),
        })
    }

    /// The program with its `n_tables` tables attached (in the order of the
    /// numbers `lookup` names them by). A program that reads tables runs only
    /// once they are attached.
    pub fn with_tables(mut self, tables: Vec<Arc<[f64]>>) -> Result<Program> {
        if tables.len() != usize::from(self.n_tables) {
            return Err(CoreError::decode(
                14,
                None,
                format!(
                    "the program reads {} table(s), {} given",
                    self.n_tables,
                    tables.len()
                ),
            ));
        }
        self.tables = tables;
        Ok(self)
    }

    /// Whether every table the program reads is attached.
    pub fn tables_ready(&self) -> bool {
        self.tables.len() == usize::from(self.n_tables)
    }

    /// Number of tables the program reads.
    pub fn n_tables(&self) -> usize {
        usize::from(self.n_tables)
    }

    /// Number of column slots the program may load or store.
    pub fn n_columns(&self) -> usize {
        usize::from(self.n_columns)
    }

    /// Whether the program records events (`collect`): a threshold program.
    pub fn has_collect(&self) -> bool {
        self.has_collect
    }

    /// Whether a lane's result may depend on more than the lane's column
    /// values and the scalars: the program draws random numbers or reads the
    /// lane's index.
    pub fn lane_dependent(&self) -> bool {
        self.raw_vector
            .iter()
            .any(|i| matches!(i.op, Op::Rand | Op::Randn | Op::Index))
    }

    /// A number equal for programs with the same code (see
    /// [`Program::same_code`]; different code may share it).
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut mix = |x: u64| h = (h ^ x).wrapping_mul(0x0000_0100_0000_01b3);
        mix(self.raw_scalar.len() as u64);
        mix(self.raw_vector.len() as u64);
        mix(u64::from(self.n_columns));
        for c in &self.consts {
            mix(c.to_bits());
        }
        h
    }

    /// Whether `other` runs the same code: the same instructions, constants
    /// (bit for bit) and tables. Such programs compute the same results, so
    /// a run may keep one of them (one copy of the code in cache for many
    /// groups running copies of one model).
    pub fn same_code(&self, other: &Program) -> bool {
        let bits = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
        };
        self.n_columns == other.n_columns
            && self.n_sregs == other.n_sregs
            && self.n_vregs == other.n_vregs
            && self.n_tables == other.n_tables
            && self.raw_scalar == other.raw_scalar
            && self.raw_vector == other.raw_vector
            && bits(&self.consts, &other.consts)
            && self.tables.len() == other.tables.len()
            && self
                .tables
                .iter()
                .zip(&other.tables)
                .all(|(a, b)| Arc::ptr_eq(a, b) || bits(a, b))
    }
}
