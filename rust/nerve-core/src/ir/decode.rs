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
//! contraction; a randomized test in `vm.rs` checks this):
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

use std::fmt::Write as _;

use super::chain::{absorb_masks, dead_after, fuse_chains, read_after, Step, CHAIN_OPS};
use super::opcodes::{Block, Op};
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
    raw_scalar: Vec<RawInstr>,
    raw_vector: Vec<RawInstr>,
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
}

struct Reader<'a> {
    data: &'a [u8],
}

impl Reader<'_> {
    fn u16(&self, at: usize) -> Result<u16> {
        match self.data.get(at..at + 2) {
            Some(&[lo, hi]) => Ok(u16::from_le_bytes([lo, hi])),
            _ => Err(CoreError::decode(at, None, "unexpected end of program")),
        }
    }

    fn u32(&self, at: usize) -> Result<u32> {
        Ok(u32::from(self.u16(at)?) | (u32::from(self.u16(at + 2)?) << 16))
    }

    fn f64(&self, at: usize) -> Result<f64> {
        let lo = u64::from(self.u32(at)?);
        let hi = u64::from(self.u32(at + 4)?);
        Ok(f64::from_bits(lo | (hi << 32)))
    }
}

/// Decoding state shared by both blocks.
struct Checker {
    n_columns: u16,
    n_consts: u16,
    n_sregs: u16,
    n_vregs: u16,
    s_written: Vec<bool>,
    v_written: Vec<bool>,
}

impl Checker {
    fn source(&self, word: u16, block: &'static str, k: usize, at: usize) -> Result<Operand> {
        let idx = word & 0x3fff;
        let fail = |what: String| Err(CoreError::decode(at, Some((block, k)), what));
        // name, letter, declared count, written flags and constructor of the kind
        type Kind<'a> = (
            &'static str,
            char,
            u16,
            Option<&'a Vec<bool>>,
            fn(u16) -> Operand,
        );
        let (name, letter, declared, written, make): Kind<'_> = match word >> 14 {
            0b00 if block == "scalar" => {
                return fail(format!("vector register V{idx} read in the scalar block"))
            }
            0b00 => (
                "vector register",
                'V',
                self.n_vregs,
                Some(&self.v_written),
                Operand::V,
            ),
            0b01 => (
                "scalar register",
                'S',
                self.n_sregs,
                Some(&self.s_written),
                Operand::S,
            ),
            0b10 => ("constant", 'K', self.n_consts, None, Operand::K),
            _ => return fail(format!("invalid operand kind in 0x{word:04x}")),
        };
        if idx >= declared {
            return fail(format!(
                "{name} {letter}{idx} out of range (the program declares {declared})"
            ));
        }
        if let Some(written) = written {
            if !written.get(usize::from(idx)).copied().unwrap_or(false) {
                return fail(format!("{name} {letter}{idx} read before it is written"));
            }
        }
        Ok(make(idx))
    }

    fn column(&self, word: u16, block: &'static str, k: usize, at: usize) -> Result<Operand> {
        if word >= self.n_columns {
            return Err(CoreError::decode(
                at,
                Some((block, k)),
                format!(
                    "column slot {word} out of range (the program declares {} columns)",
                    self.n_columns
                ),
            ));
        }
        // Column slots are printed as `colN`; reuse the K variant's payload slot.
        Ok(Operand::K(word))
    }

    fn instruction(
        &mut self,
        r: &Reader<'_>,
        block: &'static str,
        k: usize,
        at: usize,
    ) -> Result<RawInstr> {
        let here = Some((block, k));
        let code = r.u16(at)?;
        let op = Op::from_code(code)
            .ok_or_else(|| CoreError::decode(at, here, format!("unknown opcode {code}")))?;
        let info = op.info();
        let allowed = match (info.block, block) {
            (Block::Both, _) => true,
            (Block::Scalar, b) => b == "scalar",
            (Block::Vector, b) => b == "vector",
        };
        if !allowed {
            return Err(CoreError::decode(
                at,
                here,
                format!("`{}` may not appear in the {block} block", info.name),
            ));
        }
        let words = [
            r.u16(at + 2)?,
            r.u16(at + 4)?,
            r.u16(at + 6)?,
            r.u16(at + 8)?,
        ];
        let arity = usize::from(info.arity);
        let mut src = [Operand::V(0); 3];
        for (j, slot) in src.iter_mut().enumerate() {
            let word = words[j + 1];
            let field_at = at + 4 + 2 * j;
            if j >= arity {
                if word != 0 {
                    return Err(CoreError::decode(
                        field_at,
                        here,
                        format!(
                            "unused operand {} of `{}` must be 0",
                            ["a", "b", "c"][j],
                            info.name
                        ),
                    ));
                }
            } else if op == Op::Load {
                *slot = self.column(word, block, k, field_at)?;
            } else {
                *slot = self.source(word, block, k, field_at)?;
            }
        }
        let dst_word = words[0];
        let dst = match op {
            Op::Store => self.column(dst_word, block, k, at + 2)?,
            Op::Collect if dst_word != 0 => {
                return Err(CoreError::decode(
                    at + 2,
                    here,
                    "the destination of `collect` must be 0",
                ))
            }
            Op::Collect => Operand::V(0),
            _ => {
                let idx = dst_word & 0x3fff;
                let (kind, n, name) = if block == "scalar" {
                    (0b01, self.n_sregs, 'S')
                } else {
                    (0b00, self.n_vregs, 'V')
                };
                if dst_word >> 14 != kind {
                    return Err(CoreError::decode(
                        at + 2,
                        here,
                        format!("the destination in the {block} block must be a {block} register"),
                    ));
                }
                if idx >= n {
                    return Err(CoreError::decode(
                        at + 2,
                        here,
                        format!("destination {name}{idx} out of range (the program declares {n})"),
                    ));
                }
                let written = if block == "scalar" {
                    &mut self.s_written
                } else {
                    &mut self.v_written
                };
                if let Some(w) = written.get_mut(usize::from(idx)) {
                    *w = true;
                }
                if block == "scalar" {
                    Operand::S(idx)
                } else {
                    Operand::V(idx)
                }
            }
        };
        Ok(RawInstr { op, dst, src })
    }
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
        if r.u16(14)? != 0 {
            return Err(CoreError::decode(
                14,
                None,
                "reserved header field must be 0",
            ));
        }
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
        })
    }

    /// Number of column slots the program may load or store.
    pub fn n_columns(&self) -> usize {
        usize::from(self.n_columns)
    }

    /// Whether the program records events (`collect`): a threshold program.
    pub fn has_collect(&self) -> bool {
        self.has_collect
    }

    /// The executable form for contiguous lanes, one instruction a line
    /// (for tests and tuning: shows aliasing and fusion decisions).
    pub fn range_form_text(&self) -> String {
        self.vector_range
            .iter()
            .map(|i| match i.fuse {
                Fuse::Chain { id } => format!(
                    "{i:?}\n    {:?}\n",
                    self.chains.get(usize::from(id)).map_or(&[][..], |c| &c[..])
                ),
                Fuse::CollectCmpAndPair { id } => {
                    format!("{i:?}\n    {:?}\n", self.lazy.get(usize::from(id)))
                }
                _ => format!("{i:?}\n"),
            })
            .collect()
    }

    /// The program as text (the format of `docs/architecture.md`).
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "; nerve IR v{IR_VERSION}: columns={} consts={} sregs={} vregs={}",
            self.n_columns,
            self.consts.len(),
            self.n_sregs,
            self.n_vregs
        );
        for (j, c) in self.consts.iter().enumerate() {
            let _ = writeln!(out, "K{j} = {c:e}");
        }
        out.push_str("scalar:\n");
        for i in &self.raw_scalar {
            write_instr(&mut out, i);
        }
        out.push_str("vector:\n");
        for i in &self.raw_vector {
            write_instr(&mut out, i);
        }
        out
    }
}

fn operand_text(o: Operand) -> String {
    match o {
        Operand::V(i) => format!("V{i}"),
        Operand::S(i) => format!("S{i}"),
        Operand::K(i) => format!("K{i}"),
    }
}

fn write_instr(out: &mut String, i: &RawInstr) {
    let info = i.op.info();
    let col = |o: Operand| match o {
        Operand::K(c) | Operand::S(c) | Operand::V(c) => format!("col{c}"),
    };
    let line = match i.op {
        Op::Load => format!("  {} = load {}", operand_text(i.dst), col(i.src[0])),
        Op::Store => format!("  {} = store {}", col(i.dst), operand_text(i.src[0])),
        Op::Collect => format!("  collect {}", operand_text(i.src[0])),
        _ => {
            let mut s = format!("  {} = {}", operand_text(i.dst), info.name);
            for o in &i.src[..usize::from(info.arity)] {
                s.push(' ');
                s.push_str(&operand_text(*o));
            }
            s
        }
    };
    out.push_str(&line);
    out.push('\n');
}

/// Rename the vector registers so that no instruction's destination is one of
/// its sources, reusing registers whose value is dead (a small linear-scan
/// allocator over the straight-line block). Returns the executable block and
/// the number of physical registers.
fn rename_vector(block: &[RawInstr], n_sregs: u16) -> (Vec<Instr>, usize) {
    let n = block.len();
    let Values {
        uses,
        def,
        last_use,
    } = values(block);
    // Pass 2: allocate physical registers.
    let mut phys_of = vec![0u16; last_use.len()];
    let mut free: std::collections::VecDeque<u16> = std::collections::VecDeque::new();
    let mut n_phys: u16 = 0;
    let mut out = Vec::with_capacity(n);
    for (k, i) in block.iter().enumerate() {
        let arity = usize::from(i.op.info().arity);
        let mut src = [Src::S(0); 3];
        for j in 0..arity {
            src[j] = match (i.op, i.src[j], uses[k][j]) {
                (Op::Load, Operand::K(c), _) => Src::S(c),
                (_, _, Some(val)) => Src::V(phys_of[val]),
                (_, Operand::S(s), _) => Src::S(s),
                (_, Operand::K(c), _) => Src::S(n_sregs + c),
                (_, Operand::V(_), None) => Src::S(0), // unreachable: validated
            };
        }
        let dst = match (def[k], i.dst) {
            (Some(val), _) => {
                // Oldest freed register first: a register freed by the previous
                // instruction is rarely reused at once, which leaves
                // neighbouring instructions free to be fused.
                let p = free.pop_front().unwrap_or_else(|| {
                    n_phys += 1;
                    n_phys - 1
                });
                phys_of[val] = p;
                p
            }
            (None, Operand::K(c) | Operand::S(c) | Operand::V(c)) => c,
        };
        // Free the sources whose value dies here (after the destination was
        // chosen, so it cannot be one of them), then a destination never read.
        let mut dying: Vec<u16> = uses[k][..arity]
            .iter()
            .flatten()
            .filter(|&&val| last_use[val] == k)
            .map(|&val| phys_of[val])
            .collect();
        dying.sort_unstable();
        dying.dedup();
        free.extend(dying);
        if let Some(val) = def[k] {
            if last_use[val] == k {
                free.push_back(dst);
            }
        }
        out.push(Instr {
            op: i.op,
            dst,
            to_col: false,
            src,
            fuse: Fuse::None,
        });
    }
    (out, usize::from(n_phys))
}

/// Values of a straight-line vector block: one per vector definition.
struct Values {
    /// Per instruction, the value each source operand reads.
    uses: Vec<[Option<usize>; 3]>,
    /// Per instruction, the value it defines.
    def: Vec<Option<usize>>,
    /// Per value, the last instruction reading it (its definition if unread).
    last_use: Vec<usize>,
}

fn values(block: &[RawInstr]) -> Values {
    let n = block.len();
    let mut current: Vec<Option<usize>> = Vec::new(); // logical reg -> value
    let mut uses: Vec<[Option<usize>; 3]> = Vec::with_capacity(n);
    let mut def: Vec<Option<usize>> = Vec::with_capacity(n);
    let mut last_use: Vec<usize> = Vec::new();
    for (k, i) in block.iter().enumerate() {
        let arity = usize::from(i.op.info().arity);
        let mut u = [None; 3];
        for (j, o) in i.src.iter().enumerate().take(arity) {
            if let (Operand::V(r), false) = (o, i.op == Op::Load) {
                if let Some(Some(val)) = current.get(usize::from(*r)) {
                    u[j] = Some(*val);
                    if let Some(l) = last_use.get_mut(*val) {
                        *l = k;
                    }
                }
            }
        }
        uses.push(u);
        let d = match (i.op, i.dst) {
            (Op::Store | Op::Collect, _) => None,
            (_, Operand::V(r)) => {
                let val = last_use.len();
                last_use.push(k);
                let r = usize::from(r);
                if current.len() <= r {
                    current.resize(r + 1, None);
                }
                current[r] = Some(val);
                Some(val)
            }
            _ => None,
        };
        def.push(d);
    }
    Values {
        uses,
        def,
        last_use,
    }
}

/// The column an instruction of the raw block reads (`load`) or writes (`store`).
fn column_of(i: &RawInstr) -> Option<(u16, bool)> {
    let slot = |o: Operand| match o {
        Operand::K(c) | Operand::S(c) | Operand::V(c) => c,
    };
    match i.op {
        Op::Load => Some((slot(i.src[0]), false)),
        Op::Store => Some((slot(i.dst), true)),
        _ => None,
    }
}

/// The vector block rewritten for a contiguous range of lanes, where a
/// column's chunk is a plain slice that instructions can read and write in
/// place. Same results as `renamed`, fewer passes over the chunk:
///
/// 1. a `load` whose column is not stored to before the loaded value's last
///    use disappears: its readers read the column slice directly;
/// 2. a value whose (first) `store` is the only access to that column from
///    its definition to the end of its life (no loads, no other stores, no
///    column alias live across the definition except as a source of the
///    defining instruction itself) is computed straight into the column, and
///    that store disappears;
/// 3. `cmp; and; collect` (single-use temporaries) becomes one kernel;
/// 4. chains of element-wise operations over single-use temporaries become
///    one kernel each ([`super::chain`]), remaining pairs another.
#[allow(clippy::type_complexity)]
fn range_form(raw: &[RawInstr], renamed: &[Instr]) -> (Vec<Instr>, Vec<Vec<Step>>, Vec<Instr>) {
    let n = raw.len();
    let Values {
        uses,
        def,
        last_use,
    } = values(raw);
    // Where each value lives: Some(column) or None (its register).
    let mut home: Vec<Option<u16>> = vec![None; last_use.len()];
    let touches = |c: u16, from: usize, to: usize, skip: usize| {
        (from..=to.min(n.saturating_sub(1))).any(|k| {
            k != skip
                && raw
                    .get(k)
                    .and_then(column_of)
                    .is_some_and(|(cc, _)| cc == c)
        })
    };
    let stores_to = |c: u16, from: usize, to: usize| {
        (from..=to.min(n.saturating_sub(1))).any(|k| {
            raw.get(k)
                .and_then(column_of)
                .is_some_and(|(cc, st)| st && cc == c)
        })
    };
    // 1. aliased loads.
    for (k, i) in raw.iter().enumerate() {
        if let (Some((c, false)), Some(val)) = (column_of(i), def[k]) {
            if !stores_to(c, k + 1, last_use[val]) {
                home[val] = Some(c);
            }
        }
    }
    // 2. results computed in place.
    let mut removed = vec![false; n];
    for (d, i) in raw.iter().enumerate() {
        let Some(val) = def[d] else { continue };
        if i.op == Op::Load {
            if home[val].is_some() {
                removed[d] = true;
            }
            continue;
        }
        // The first store of this value.
        let Some(s) = (d + 1..n).find(|&k| raw[k].op == Op::Store && uses[k][0] == Some(val))
        else {
            continue;
        };
        let Some((c, _)) = column_of(&raw[s]) else {
            continue;
        };
        let end = s.max(last_use[val]);
        if touches(c, d + 1, end, s) {
            continue;
        }
        // Values living in the column (aliased loads, earlier results placed
        // there) still read after the definition would see the new value.
        let clash = (0..d).any(|l| def[l].is_some_and(|w| home[w] == Some(c) && last_use[w] > d));
        // An in-place `select` (`v = select(c, x, v)`) compiles to masked
        // stores, which are slow (microcoded) on AMD: a copy is cheaper.
        let masked = i.op == Op::Select && uses[d].iter().flatten().any(|&w| home[w] == Some(c));
        if clash || masked {
            continue;
        }
        home[val] = Some(c);
        removed[s] = true;
    }
    // Build the instructions.
    let mut out: Vec<Instr> = Vec::with_capacity(n);
    for (k, (ri, ins)) in raw.iter().zip(renamed).enumerate() {
        if removed[k] {
            continue;
        }
        let mut ins = *ins;
        for (j, u) in uses[k].iter().enumerate() {
            if let Some(c) = u.and_then(|val| home[val]) {
                ins.src[j] = Src::Col(c);
            }
        }
        if let Some(c) = def[k].and_then(|val| home[val]) {
            ins.dst = c;
            ins.to_col = true;
        }
        // A store of a column onto itself is a no-op.
        if ri.op == Op::Store && ins.src[0] == Src::Col(ins.dst) {
            continue;
        }
        out.push(ins);
    }
    fuse_collect(&mut out);
    let mut chains = Vec::new();
    fuse_chains(&mut out, &mut chains);
    fuse_pairs(&mut out, &chains);
    absorb_masks(&mut out, &mut chains);
    let mut lazy = Vec::new();
    fuse_collect_pair(&mut out, &chains, &mut lazy);
    (out, chains, lazy)
}

/// Rewrite `x = cmp a b; y = pair(...); m = and x y; collect m` (the first
/// two in either order, each read only by the `and`, which only the
/// `collect` reads) into one [`Fuse::CollectCmpAndPair`]. The four must be
/// consecutive, so nothing between them changes what they read; the second
/// may not read the first's result. (The last fusion pass: `reads` does not
/// look into the lazy pairs.)
fn fuse_collect_pair(block: &mut Vec<Instr>, chains: &[Vec<Step>], lazy: &mut Vec<Instr>) {
    let is_cmp = |i: &Instr| i.fuse == Fuse::None && !i.to_col && is_comparison(i.op);
    let is_pair = |i: &Instr| matches!(i.fuse, Fuse::Pair { .. }) && !i.to_col;
    let mut k = 3;
    while k < block.len() {
        let (x, y, a, c) = (block[k - 3], block[k - 2], block[k - 1], block[k]);
        let (cmp, pair) = if is_cmp(&x) && is_pair(&y) {
            (x, y)
        } else if is_pair(&x) && is_cmp(&y) {
            (y, x)
        } else {
            k += 1;
            continue;
        };
        let (vc, vp) = (Src::V(cmp.dst), Src::V(pair.dst));
        let and_reads_both =
            (a.src[0] == vc && a.src[1] == vp) || (a.src[0] == vp && a.src[1] == vc);
        let ok = a.op == Op::And
            && a.fuse == Fuse::None
            && !a.to_col
            && c.op == Op::Collect
            && c.fuse == Fuse::None
            && c.src[0] == Src::V(a.dst)
            && cmp.dst != pair.dst
            && and_reads_both
            && !y.src.contains(&Src::V(x.dst))
            && !read_after(block, chains, k, a.dst)
            && dead_after(block, chains, k - 1, cmp.dst)
            && dead_after(block, chains, k - 1, pair.dst)
            && lazy.len() < usize::from(u16::MAX);
        if !ok {
            k += 1;
            continue;
        }
        let fused = Instr {
            op: cmp.op,
            dst: 0,
            to_col: false,
            src: [cmp.src[0], cmp.src[1], Src::S(0)],
            fuse: Fuse::CollectCmpAndPair {
                id: lazy.len() as u16,
            },
        };
        lazy.push(pair);
        block.splice(k - 3..=k, [fused]);
        k -= 2;
    }
}

/// Whether register `r`, written by instruction `k`, is read only by
/// instruction `k + 1` (before it is next written).
fn single_use_next(block: &[Instr], chains: &[Vec<Step>], k: usize, r: u16) -> bool {
    !read_after(block, chains, k + 1, r)
}

/// Fuse consecutive `t = op a b; d = op2 (t, c)` into [`Fuse::Pair`].
fn fuse_pairs(block: &mut Vec<Instr>, chains: &[Vec<Step>]) {
    let mut k = 0;
    while k + 1 < block.len() {
        let (i1, i2) = (block[k], block[k + 1]);
        let ok1 = i1.fuse == Fuse::None && !i1.to_col && PAIR_FIRST.contains(&i1.op);
        let ok2 = i2.fuse == Fuse::None && PAIR_SECOND.contains(&i2.op);
        let t = Src::V(i1.dst);
        let pos = match (i2.src[0] == t, i2.src[1] == t) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        };
        // Sources the kernel handles: not both scalars first.
        let own = |x: Src| i2.to_col && x == Src::Col(i2.dst);
        let scalar = |x: Src| matches!(x, Src::S(_));
        match pos {
            Some(left)
                if ok1
                    && ok2
                    && !(scalar(i1.src[0]) && scalar(i1.src[1]))
                    && single_use_next(block, chains, k, i1.dst) =>
            {
                let c = if left { i2.src[1] } else { i2.src[0] };
                // A source that is the destination itself (register reused
                // by renaming, or the destination column) is read in place by
                // the kernel (`Arg::Same`); at most one such source.
                let reg = |x: Src| !i2.to_col && x == Src::V(i2.dst);
                let same = [i1.src[0], i1.src[1], c]
                    .iter()
                    .filter(|&&x| own(x) || reg(x))
                    .count();
                if same > 1 || (same == 1 && (own(i1.src[1]) || reg(i1.src[1]))) {
                    k += 1;
                    continue;
                }
                block[k] = Instr {
                    op: i1.op,
                    dst: i2.dst,
                    to_col: i2.to_col,
                    src: [i1.src[0], i1.src[1], c],
                    fuse: Fuse::Pair { op2: i2.op, left },
                };
                block.remove(k + 1);
                k += 1;
            }
            _ => k += 1,
        }
    }
}

/// The comparisons a fused threshold scan may start with.
fn is_comparison(op: Op) -> bool {
    matches!(op, Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Eq | Op::Ne)
}

/// Rewrite `t = cmp a b; m = and t c; collect m` into one `CollectCmpAnd`.
///
/// The temporaries must be read nowhere else in the block (not merely not
/// later): a stricter test than liveness, and the lowering relies on it. In
/// its threshold `v > 1 and t - lastspike >= k` the `>=` must be left for
/// [`fuse_collect_pair`], which runs after the pairs are formed; a liveness
/// test would let this pass take it first (see the note on issue 7).
fn fuse_collect(block: &mut Vec<Instr>) {
    // Readers of register `r` anywhere in the block except instruction `skip`.
    let reads = |block: &[Instr], r: u16, skip: usize| {
        block
            .iter()
            .enumerate()
            .filter(|&(k, i)| k != skip && i.src.contains(&Src::V(r)))
            .count()
    };
    let mut k = 2;
    while k < block.len() {
        let (c, a, t) = (block[k], block[k - 1], block[k - 2]);
        let ok = c.op == Op::Collect
            && a.op == Op::And
            && !a.to_col
            && !t.to_col
            && is_comparison(t.op)
            && c.src[0] == Src::V(a.dst)
            && reads(block, a.dst, k) == 0;
        let other = if a.src[0] == Src::V(t.dst) {
            Some(a.src[1])
        } else if a.src[1] == Src::V(t.dst) {
            Some(a.src[0])
        } else {
            None
        };
        match other {
            Some(m) if ok && m != Src::V(t.dst) && reads(block, t.dst, k - 1) == 0 => {
                let fused = Instr {
                    op: t.op,
                    dst: 0,
                    to_col: false,
                    src: [t.src[0], t.src[1], m],
                    fuse: Fuse::CollectCmpAnd,
                };
                block.splice(k - 2..=k, [fused]);
                k -= 1;
            }
            _ => k += 1,
        }
    }
}
