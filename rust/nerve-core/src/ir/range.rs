//! The contiguous form of the vector block (loads aliased, results in
//! place) and its fusion passes.

use super::chain::{absorb_masks, dead_after, fuse_chains, read_after, Step};
use super::decode::{Fuse, Instr, Operand, RawInstr, Src, PAIR_FIRST, PAIR_SECOND};
use super::opcodes::Op;
use super::rename::{values, Values};

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
pub(super) fn range_form(
    raw: &[RawInstr],
    renamed: &[Instr],
) -> (Vec<Instr>, Vec<Vec<Step>>, Vec<Instr>) {
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
