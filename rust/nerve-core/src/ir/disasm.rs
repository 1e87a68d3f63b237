//! Programs as text: the disassembler and the contiguous form for tests.

use std::fmt::Write as _;

use super::decode::{Fuse, Operand, Program, RawInstr};
use super::opcodes::Op;
use super::IR_VERSION;

impl Program {
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
            "; nerve IR v{IR_VERSION}: columns={} consts={} sregs={} vregs={}{}",
            self.n_columns,
            self.consts.len(),
            self.n_sregs,
            self.n_vregs,
            if self.n_tables > 0 {
                format!(" tables={}", self.n_tables)
            } else {
                String::new()
            }
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
