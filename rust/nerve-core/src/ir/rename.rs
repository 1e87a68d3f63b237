//! Register renaming: no instruction writes a register it also reads.

use super::decode::{Fuse, Instr, Operand, RawInstr, Src};
use super::opcodes::Op;

/// Rename the vector registers so that no instruction's destination is one of
/// its sources, reusing registers whose value is dead (a small linear-scan
/// allocator over the straight-line block). Returns the executable block and
/// the number of physical registers.
pub(super) fn rename_vector(block: &[RawInstr], n_sregs: u16) -> (Vec<Instr>, usize) {
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
pub(super) struct Values {
    /// Per instruction, the value each source operand reads.
    pub(super) uses: Vec<[Option<usize>; 3]>,
    /// Per instruction, the value it defines.
    pub(super) def: Vec<Option<usize>>,
    /// Per value, the last instruction reading it (its definition if unread).
    pub(super) last_use: Vec<usize>,
}

pub(super) fn values(block: &[RawInstr]) -> Values {
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
