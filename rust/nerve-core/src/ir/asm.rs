//! A tiny assembler for hand-written programs (tests and benchmarks). Python
//! has the real encoder (`nerve.ir.encode`); this one only builds the bytes of
//! the format documented in [`crate::ir`].

use super::opcodes::Op;
use super::{IR_VERSION, MAGIC, PRELOADED_SREGS};

/// Operand `Vi`.
pub const fn v(i: u16) -> u16 {
    i
}
/// Operand `Si` (`S0 = t`, `S1 = dt`, `S2 = N`, `S3 = step`).
pub const fn s(i: u16) -> u16 {
    0x4000 | i
}
/// Operand `Ki`.
pub const fn k(i: u16) -> u16 {
    0x8000 | i
}

/// Builds one program.
#[derive(Clone, Debug, Default)]
pub struct Asm {
    n_columns: u16,
    consts: Vec<f64>,
    n_sregs: u16,
    n_vregs: u16,
    n_tables: u16,
    scalar: Vec<[u16; 5]>,
    vector: Vec<[u16; 5]>,
}

impl Asm {
    /// A program over `n_columns` column slots.
    pub fn new(n_columns: u16) -> Asm {
        Asm {
            n_columns,
            n_sregs: PRELOADED_SREGS,
            ..Asm::default()
        }
    }

    /// Declare `n` tables for `lookup`.
    pub fn tables(&mut self, n: u16) -> &mut Self {
        self.n_tables = n;
        self
    }

    /// Add a constant; returns its operand.
    pub fn konst(&mut self, x: f64) -> u16 {
        self.consts.push(x);
        k(self.consts.len() as u16 - 1)
    }

    fn note(&mut self, words: [u16; 5]) {
        for (j, &w) in words.iter().enumerate() {
            let (op, idx) = (words[0], w & 0x3fff);
            let raw = (op == Op::Store as u16 && j == 1) || (op == Op::Load as u16 && j == 2);
            // Operands past the arity are unused (encoded 0, not `V0`).
            let arity = Op::from_code(op).map_or(3, |o| usize::from(o.info().arity));
            if j == 0 || raw || (op == Op::Collect as u16 && j == 1) || j > arity + 1 {
                continue;
            }
            match w >> 14 {
                0 => self.n_vregs = self.n_vregs.max(idx + 1),
                1 => self.n_sregs = self.n_sregs.max(idx + 1),
                _ => {}
            }
        }
    }

    /// Scalar-block instruction `dst = op a b c` (unused operands 0).
    pub fn sop(&mut self, op: Op, dst: u16, a: u16, b: u16, c: u16) -> &mut Self {
        let w = [op as u16, dst, a, b, c];
        self.note(w);
        self.scalar.push(w);
        self
    }

    /// Vector-block instruction `dst = op a b c` (unused operands 0).
    pub fn vop(&mut self, op: Op, dst: u16, a: u16, b: u16, c: u16) -> &mut Self {
        let w = [op as u16, dst, a, b, c];
        self.note(w);
        self.vector.push(w);
        self
    }

    /// `Vd = load colN`.
    pub fn load(&mut self, d: u16, col: u16) -> &mut Self {
        self.vop(Op::Load, d, col, 0, 0)
    }

    /// `colN = store A`.
    pub fn store(&mut self, col: u16, a: u16) -> &mut Self {
        self.vop(Op::Store, col, a, 0, 0)
    }

    /// `collect A`.
    pub fn collect(&mut self, a: u16) -> &mut Self {
        self.vop(Op::Collect, 0, a, 0, 0)
    }

    /// The encoded program.
    pub fn finish(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        for h in [
            IR_VERSION,
            self.n_columns,
            self.consts.len() as u16,
            self.n_sregs,
            self.n_vregs,
            self.n_tables,
        ] {
            out.extend_from_slice(&h.to_le_bytes());
        }
        out.extend_from_slice(&(self.scalar.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.vector.len() as u32).to_le_bytes());
        for c in &self.consts {
            out.extend_from_slice(&c.to_le_bytes());
        }
        for w in self.scalar.iter().chain(&self.vector).flatten() {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }
}
