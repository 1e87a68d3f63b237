//! Bytes -> [`Program`]: decoding, validation (once) and the disassembler.
//!
//! Decoding checks every invariant listed in the module documentation of
//! [`crate::ir`], then prepares the executable form used by the interpreter:
//! constants are appended to the scalar register file (so a source is either
//! a vector register or a scalar slot), and vector registers are renamed so
//! that no instruction writes a register it also reads (each kernel then works
//! on disjoint slices, which LLVM vectorises without runtime alias checks).

use std::fmt::Write as _;

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
/// renaming) or a slot of the scalar file (registers, then constants).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    V(u16),
    S(u16),
}

/// An instruction of the executable form.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Instr {
    pub op: Op,
    /// Physical vector register, scalar slot, or column slot (`store`).
    pub dst: u16,
    /// Sources; `load` keeps its column slot in `S(slot)`. Unused: `S(0)`.
    pub src: [Src; 3],
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
    pub(crate) vector: Vec<Instr>,
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
        let here = Some((block, k));
        match word >> 14 {
            0b00 if block == "scalar" => Err(CoreError::decode(
                at,
                here,
                format!("vector register V{idx} read in the scalar block"),
            )),
            0b00 if idx >= self.n_vregs => Err(CoreError::decode(
                at,
                here,
                format!(
                    "vector register V{idx} out of range (the program declares {})",
                    self.n_vregs
                ),
            )),
            0b00 if !self
                .v_written
                .get(usize::from(idx))
                .copied()
                .unwrap_or(false) =>
            {
                Err(CoreError::decode(
                    at,
                    here,
                    format!("vector register V{idx} read before it is written"),
                ))
            }
            0b00 => Ok(Operand::V(idx)),
            0b01 if idx >= self.n_sregs => Err(CoreError::decode(
                at,
                here,
                format!(
                    "scalar register S{idx} out of range (the program declares {})",
                    self.n_sregs
                ),
            )),
            0b01 if !self
                .s_written
                .get(usize::from(idx))
                .copied()
                .unwrap_or(false) =>
            {
                Err(CoreError::decode(
                    at,
                    here,
                    format!("scalar register S{idx} read before it is written"),
                ))
            }
            0b01 => Ok(Operand::S(idx)),
            0b10 if idx >= self.n_consts => Err(CoreError::decode(
                at,
                here,
                format!(
                    "constant K{idx} out of range (the program declares {})",
                    self.n_consts
                ),
            )),
            0b10 => Ok(Operand::K(idx)),
            _ => Err(CoreError::decode(
                at,
                here,
                format!("invalid operand kind in 0x{word:04x}"),
            )),
        }
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
                src: i.src.map(|o| Src::S(slot(o))),
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
    // Pass 1: number the values (one per vector definition) and find each
    // value's last use.
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
    // Pass 2: allocate physical registers.
    let mut phys_of = vec![0u16; last_use.len()];
    let mut free: Vec<u16> = Vec::new();
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
                let p = free.pop().unwrap_or_else(|| {
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
                free.push(dst);
            }
        }
        out.push(Instr { op: i.op, dst, src });
    }
    (out, usize::from(n_phys))
}
