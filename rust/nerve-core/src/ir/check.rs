//! Validation of the instructions of a program blob, one at a time.

use super::decode::{Operand, RawInstr};
use super::opcodes::{Block, Op};
use crate::error::{CoreError, Result};

pub(super) struct Reader<'a> {
    pub(super) data: &'a [u8],
}

impl Reader<'_> {
    pub(super) fn u16(&self, at: usize) -> Result<u16> {
        match self.data.get(at..at + 2) {
            Some(&[lo, hi]) => Ok(u16::from_le_bytes([lo, hi])),
            _ => Err(CoreError::decode(at, None, "unexpected end of program")),
        }
    }

    pub(super) fn u32(&self, at: usize) -> Result<u32> {
        Ok(u32::from(self.u16(at)?) | (u32::from(self.u16(at + 2)?) << 16))
    }

    pub(super) fn f64(&self, at: usize) -> Result<f64> {
        let lo = u64::from(self.u32(at)?);
        let hi = u64::from(self.u32(at + 4)?);
        Ok(f64::from_bits(lo | (hi << 32)))
    }
}

/// Decoding state shared by both blocks.
pub(super) struct Checker<'c> {
    pub(super) n_columns: u16,
    pub(super) n_tables: u16,
    /// The program's constants (the table operand of `lookup` is one).
    pub(super) consts: &'c [f64],
    pub(super) n_consts: u16,
    pub(super) n_sregs: u16,
    pub(super) n_vregs: u16,
    pub(super) s_written: Vec<bool>,
    pub(super) v_written: Vec<bool>,
}

impl Checker<'_> {
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

    /// The table operand of `lookup`: a constant holding a table number.
    fn table(&self, word: u16, block: &'static str, k: usize, at: usize) -> Result<Operand> {
        let operand = self.source(word, block, k, at)?;
        let number = match operand {
            Operand::K(c) => self.consts.get(usize::from(c)).copied(),
            _ => None,
        };
        match number {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x < f64::from(self.n_tables) => Ok(operand),
            _ => Err(CoreError::decode(
                at,
                Some((block, k)),
                format!(
                    "the table operand of `lookup` must be a constant holding a table number \
                     below {} (the program declares {} table(s))",
                    self.n_tables, self.n_tables
                ),
            )),
        }
    }

    pub(super) fn instruction(
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
            } else if op == Op::Lookup && j == 0 {
                *slot = self.table(word, block, k, field_at)?;
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
