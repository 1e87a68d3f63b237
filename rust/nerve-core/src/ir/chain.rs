//! Fused chains of the contiguous form: runs of element-wise instructions in
//! which each result is a single-use temporary read by the next instruction,
//! e.g. `v0 + (v - v0)*E` (`sub; mul; add`), the Euler update `v + dt*((v0 -
//! v)/tau)` (`sub; div; mul; add`) or the noise term `randn`-fed `mul; mul;
//! add`, possibly ending in a `select` (`where(not_refractory, ..., v)`).
//!
//! A chain runs as one kernel (`crate::chain`, private): per small tile of lanes the
//! running value (the *accumulator*) stays in SIMD registers, each step
//! applies one operation to it and one external source, and only the final
//! value is written. The steps are the instructions' own operations in their
//! own order, with the accumulator in the operand position the temporary had,
//! so the roundings (and NaN propagation) are those of the unfused program.
//!
//! A chain ending in `select` whose result is only stored to a column (the
//! `v = where(c, v_new, v)` of `(unless refractory)` variables) is computed
//! straight into that column: the kernel blends in registers and writes whole
//! vectors, so there is no masked store.

use super::decode::{Fuse, Instr, Src};
use super::opcodes::Op;

/// Longest chain, in steps (the first is [`Step::Init`]).
pub const MAX_STEPS: usize = 8;

/// One step of a fused chain, applied to the accumulator `acc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// `acc = x` (the first source of the chain's first instruction).
    Init(Src),
    /// `acc = op(acc, x)` when `left`, else `acc = op(x, acc)`; `code` as
    /// [`op_code`].
    Op { code: u8, left: bool, x: Src },
    /// `acc = acc + a*b` when `left`, else `acc = a*b + acc`: a multiply
    /// whose single-use product is added to the accumulator. Two roundings
    /// (the product, then the sum), never a fused multiply-add.
    MulAdd { a: Src, b: Src, left: bool },
    /// `acc = select(m, acc, x)` when `acc_first`, else `select(m, x, acc)`.
    Select { m: Src, x: Src, acc_first: bool },
    /// [`Step::Select`] whose mask is a fused pair computed in the same tile:
    /// `m = op2(op1(a, b), c)` when `left`, else `op2(c, op1(a, b))` (codes as
    /// [`op_code`]), e.g. the refractory test `t - lastspike >= k`.
    SelectPair {
        m: [Src; 3],
        op1: u8,
        op2: u8,
        left: bool,
        x: Src,
        acc_first: bool,
    },
}

/// The element-wise binary operations a chain step may apply, by code:
/// add, sub, mul, div, lt, le, gt, ge.
pub const CHAIN_OPS: [Op; 8] = [
    Op::Add,
    Op::Sub,
    Op::Mul,
    Op::Div,
    Op::Lt,
    Op::Le,
    Op::Gt,
    Op::Ge,
];

/// The code of `op` in [`CHAIN_OPS`].
pub fn op_code(op: Op) -> Option<u8> {
    CHAIN_OPS.iter().position(|&o| o == op).map(|p| p as u8)
}

/// Whether instruction `i` reads source `x` (through its steps for a chain).
pub fn reads(i: &Instr, chains: &[Vec<Step>], x: Src) -> bool {
    if let Fuse::Chain { id } = i.fuse {
        let steps = chains.get(usize::from(id)).map_or(&[][..], |c| &c[..]);
        return steps.iter().any(|s| match *s {
            Step::Init(a) | Step::Op { x: a, .. } => a == x,
            Step::MulAdd { a, b, .. } => a == x || b == x,
            Step::Select { m, x: b, .. } => m == x || b == x,
            Step::SelectPair { m, x: b, .. } => m.contains(&x) || b == x,
        });
    }
    i.src.contains(&x)
}

/// Whether register `r` is read after instruction `k` before it is written
/// again (a later reader would see the temporary that a chain no longer
/// materialises).
pub fn read_after(block: &[Instr], chains: &[Vec<Step>], k: usize, r: u16) -> bool {
    for i in block.iter().skip(k + 1) {
        if reads(i, chains, Src::V(r)) {
            return true;
        }
        if writes_register(i, r) {
            return false;
        }
    }
    false
}

/// Whether instruction `i` writes vector register `r` (stores and
/// collects write none; `dst` is then a column or unused).
pub fn writes_register(i: &Instr, r: u16) -> bool {
    !i.to_col
        && !matches!(i.op, Op::Store | Op::Collect)
        && !matches!(i.fuse, Fuse::CollectCmpAnd | Fuse::CollectCmpAndPair { .. })
        && i.dst == r
}

/// Whether the value register `r` holds just after instruction `k` is read
/// by nothing later (dead, or overwritten by instruction `k` itself).
pub fn dead_after(block: &[Instr], chains: &[Vec<Step>], k: usize, r: u16) -> bool {
    block.get(k).is_some_and(|i| writes_register(i, r)) || !read_after(block, chains, k, r)
}

/// The step that instruction `i` adds to a chain whose accumulator is the
/// register `t` (written by the previous instruction), if it can.
fn next_step(i: &Instr, t: Src) -> Option<Step> {
    if i.fuse != Fuse::None {
        return None;
    }
    if i.op == Op::Select {
        return match (i.src[0] == t, i.src[1] == t, i.src[2] == t) {
            (false, true, false) => Some(Step::Select {
                m: i.src[0],
                x: i.src[2],
                acc_first: true,
            }),
            (false, false, true) => Some(Step::Select {
                m: i.src[0],
                x: i.src[1],
                acc_first: false,
            }),
            _ => None,
        };
    }
    let code = op_code(i.op)?;
    match (i.src[0] == t, i.src[1] == t) {
        (true, false) => Some(Step::Op {
            code,
            left: true,
            x: i.src[1],
        }),
        (false, true) => Some(Step::Op {
            code,
            left: false,
            x: i.src[0],
        }),
        _ => None,
    }
}

/// The [`Step::MulAdd`] of instructions `end + 1` and `end + 2` when they
/// are `r = mul a b; d = add(t, r)` (either operand order of the add) with
/// `t` the accumulator register written by instruction `end`: the product is
/// read by the add only, neither reads or overwrites the accumulator other
/// than through the add, and the accumulator is read by nothing after.
fn mul_add_step(block: &[Instr], chains: &[Vec<Step>], end: usize, t: u16) -> Option<Step> {
    let (p, q) = (block.get(end + 1)?, block.get(end + 2)?);
    let r = p.dst;
    let plain = |i: &Instr| i.fuse == Fuse::None && !i.to_col;
    if !plain(p) || !plain(q) || p.op != Op::Mul || q.op != Op::Add || r == t {
        return None;
    }
    if p.src[..2].contains(&Src::V(t)) {
        return None;
    }
    let left = match (q.src[0], q.src[1]) {
        (a, b) if a == Src::V(t) && b == Src::V(r) => true,
        (a, b) if a == Src::V(r) && b == Src::V(t) => false,
        _ => return None,
    };
    if read_after(block, chains, end + 2, r) || read_after(block, chains, end + 2, t) {
        return None;
    }
    Some(Step::MulAdd {
        a: p.src[0],
        b: p.src[1],
        left,
    })
}

/// Move a fused pair that computes the mask of a chain's `select` into the
/// chain ([`Step::SelectPair`]), when the mask is read by nothing else and
/// nothing between the pair and the chain writes what the pair reads.
pub fn absorb_masks(block: &mut Vec<Instr>, chains: &mut [Vec<Step>]) {
    let mut j = 0;
    while j < block.len() {
        let p = block[j];
        let Fuse::Pair { op2, left } = p.fuse else {
            j += 1;
            continue;
        };
        let (Some(op1), Some(op2)) = (op_code(p.op), op_code(op2)) else {
            j += 1;
            continue;
        };
        // The first later reader of the mask: a chain selecting with it.
        let m = Src::V(p.dst);
        let reader = block
            .iter()
            .enumerate()
            .skip(j + 1)
            .find(|(_, i)| reads(i, chains, m))
            .map(|(k, _)| k);
        let Some(k) = reader else {
            j += 1;
            continue;
        };
        let writes = |i: &Instr, x: Src| match x {
            Src::V(r) => writes_register(i, r),
            Src::Col(c) => (i.to_col || i.op == Op::Store) && i.dst == c,
            Src::S(_) => false,
        };
        let untouched = block[j + 1..k]
            .iter()
            .all(|i| p.src.iter().all(|&x| !writes(i, x)) && !writes(i, m));
        let id = match block[k].fuse {
            Fuse::Chain { id } => usize::from(id),
            _ => usize::MAX,
        };
        let steps = chains.get(id).map_or(&[][..], |c| &c[..]);
        let uses: Vec<usize> = (0..steps.len())
            .filter(|&q| match steps[q] {
                Step::Init(a) | Step::Op { x: a, .. } => a == m,
                Step::MulAdd { a, b, .. } => a == m || b == m,
                Step::Select { m: mm, x, .. } => mm == m || x == m,
                Step::SelectPair { m: mm, x, .. } => mm.contains(&m) || x == m,
            })
            .collect();
        let only_mask = uses.len() == 1
            && matches!(steps[uses[0]], Step::Select { m: mm, x, .. } if mm == m && x != m);
        let dst_is_m = !block[k].to_col && block[k].dst == p.dst;
        if !untouched
            || !only_mask
            || p.to_col
            || (!dst_is_m && read_after(block, chains, k, p.dst))
        {
            j += 1;
            continue;
        }
        if let Some(Step::Select { x, acc_first, .. }) = chains[id].get(uses[0]).copied() {
            chains[id][uses[0]] = Step::SelectPair {
                m: p.src,
                op1,
                op2,
                left,
                x,
                acc_first,
            };
        }
        block.remove(j);
    }
}

/// Replace chains of at least three instructions (or two ending in
/// `select`) by one [`Fuse::Chain`] instruction whose steps are appended to
/// `chains`; then compute a chain ending in `select` straight into the
/// column its result is (only) stored to.
pub fn fuse_chains(block: &mut Vec<Instr>, chains: &mut Vec<Vec<Step>>) {
    let mut k = 0;
    while k < block.len() {
        let first = block[k];
        let startable = first.fuse == Fuse::None && !first.to_col && op_code(first.op).is_some();
        if !startable || chains.len() >= usize::from(u16::MAX) {
            k += 1;
            continue;
        }
        let mut steps = vec![
            Step::Init(first.src[0]),
            Step::Op {
                code: op_code(first.op).unwrap_or(0),
                left: true,
                x: first.src[1],
            },
        ];
        // Extend while the accumulator is a single-use temporary read by
        // the next instruction.
        let mut end = k; // last instruction in the chain
        while end + 1 < block.len() && steps.len() < MAX_STEPS {
            let prev = block[end];
            if prev.to_col {
                break;
            }
            if let Some(step) = mul_add_step(block, chains, end, prev.dst) {
                steps.push(step);
                end += 2;
                continue;
            }
            if read_after(block, chains, end + 1, prev.dst) {
                break;
            }
            let Some(step) = next_step(&block[end + 1], Src::V(prev.dst)) else {
                break;
            };
            steps.push(step);
            end += 1;
            if matches!(step, Step::Select { .. }) {
                break;
            }
        }
        let len = end + 1 - k;
        let ends_in_select = matches!(steps.last(), Some(Step::Select { .. }));
        if len < 3 && !(len == 2 && ends_in_select) {
            k += 1;
            continue;
        }
        let last = block[end];
        let mut fused = Instr {
            op: last.op,
            dst: last.dst,
            to_col: last.to_col,
            src: [Src::S(0); 3],
            fuse: Fuse::Chain {
                id: chains.len() as u16,
            },
        };
        let mut remove_to = end;
        // `r = chain ... select; col = store r` with `r` read nowhere else:
        // write the column directly.
        if let Some(st) = block.get(end + 1) {
            if ends_in_select
                && !last.to_col
                && st.op == Op::Store
                && st.fuse == Fuse::None
                && st.src[0] == Src::V(last.dst)
                && !read_after(block, chains, end + 1, last.dst)
            {
                fused.dst = st.dst;
                fused.to_col = true;
                remove_to = end + 1;
            }
        }
        chains.push(steps);
        block.splice(k..=remove_to, [fused]);
        k += 1;
    }
}
