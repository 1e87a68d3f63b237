//! Randomized and model tests of the interpreter: the contiguous form (with
//! its aliasing and fusions) against the plain indexed form, bit for bit.

use super::*;
use crate::chain::{self, RStep, Val};
use crate::ir::asm::{k, s, v, Asm};
use crate::ir::opcodes::Op;

/// A small deterministic generator (64-bit LCG).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A random valid program over 3 columns and 4 vector registers, mixing
/// loads, stores (also of columns loaded earlier and still live), fusable
/// chains, comparisons and selects.
fn random_program(g: &mut Lcg) -> Vec<u8> {
    let mut a = Asm::new(3);
    let k0 = a.konst(0.5);
    let k1 = a.konst(-2.0);
    let mut written = [false; 4];
    let ops = [
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Gt,
        Op::Ge,
        Op::Lt,
        Op::Le,
    ];
    for _ in 0..(4 + g.below(14)) {
        let live: Vec<u16> = (0..4).filter(|&r| written[r as usize]).collect();
        let src = |g: &mut Lcg| match g.below(5) {
            0 => k0,
            1 => k1,
            2 => s(0),
            _ if !live.is_empty() => v(live[g.below(live.len())]),
            _ => k(0),
        };
        let d = g.below(4) as u16;
        match g.below(8) {
            // A chain: each result read by the next instruction (and
            // perhaps later too), perhaps ending in a select and a store.
            6 | 7 if !live.is_empty() => {
                let (x, y) = (src(g), src(g));
                let mut acc = g.below(4) as u16;
                let arith = [Op::Add, Op::Sub, Op::Mul, Op::Div];
                a.vop(arith[g.below(4)], v(acc), x, y, 0);
                for _ in 0..(1 + g.below(5)) {
                    let x = src(g);
                    let next = g.below(4) as u16;
                    let op = if g.below(4) == 0 {
                        ops[g.below(ops.len())]
                    } else {
                        arith[g.below(4)]
                    };
                    if g.below(2) == 0 {
                        a.vop(op, v(next), v(acc), x, 0);
                    } else {
                        a.vop(op, v(next), x, v(acc), 0);
                    }
                    written[usize::from(next)] = true;
                    acc = next;
                }
                if g.below(2) == 0 {
                    let (m, x) = (src(g), src(g));
                    let next = g.below(4) as u16;
                    if g.below(2) == 0 {
                        a.vop(Op::Select, v(next), m, v(acc), x);
                    } else {
                        a.vop(Op::Select, v(next), m, x, v(acc));
                    }
                    acc = next;
                }
                written[usize::from(acc)] = true;
                if g.below(3) > 0 {
                    a.store(g.below(3) as u16, v(acc));
                }
            }
            0 | 1 => {
                a.load(v(d), g.below(3) as u16);
                written[usize::from(d)] = true;
            }
            2 => {
                let x = src(g);
                a.store(g.below(3) as u16, x);
            }
            3 if !live.is_empty() => {
                let (c, x, y) = (src(g), src(g), src(g));
                a.vop(Op::Select, v(d), c, x, y);
                written[usize::from(d)] = true;
            }
            _ => {
                let (x, y) = (src(g), src(g));
                a.vop(ops[g.below(ops.len())], v(d), x, y, 0);
                written[usize::from(d)] = true;
            }
        }
    }
    a.finish()
}

/// Run `prog` once over every lane in the contiguous form and in the
/// indexed form and check that the columns agree bit for bit.
fn same_in_both_forms(prog: &Program, case: usize) {
    let n = 2 * CHUNK + 37;
    let prog = prog.clone();
    let init: Vec<Vec<f64>> = (0..3)
        .map(|c| {
            (0..n)
                .map(|i| ((i * 37 + c * 11) % 17) as f64 * 0.25 - 1.5)
                .collect()
        })
        .collect();
    let mut a = init.clone();
    let mut b = init;
    {
        let mut views: Vec<&mut [f64]> = a.iter_mut().map(|c| c.as_mut_slice()).collect();
        let cols = Columns::new(&mut views, n).unwrap();
        execute(&prog, &cols, &mut noise::Rng::new(1, 0), 0.25, 1e-4, 3).unwrap();
    }
    {
        let mut views: Vec<&mut [f64]> = b.iter_mut().map(|c| c.as_mut_slice()).collect();
        let cols = Columns::new(&mut views, n).unwrap();
        let mut sc = Scalars::new(&prog);
        sc.run_scalar(&prog, 0.25, 1e-4, n, 3);
        let mut regs = Registers::for_programs([&prog]);
        let ix: Vec<i32> = (0..n as i32).collect();
        execute_indexed(
            &prog,
            &sc,
            &mut regs,
            &cols,
            &ix,
            &mut noise::Rng::new(1, 0),
        );
    }
    for c in 0..3 {
        for i in 0..n {
            let (x, y) = (a[c][i], b[c][i]);
            assert!(
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
                "case {case}, column {c}, lane {i}: {x} != {y}\n{}\n{}",
                prog.disassemble(),
                prog.range_form_text()
            );
        }
    }
}

/// The chains the lowering emits for the tutorial's models (columns v,
/// v0, flag) run on the specialised kernels, bit for bit as unfused.
#[test]
fn specialised_chains_equal_indexed_form() {
    let mut progs = Vec::new();
    // The refractory test `t - col2 >= dt` into `m`, as the lowering
    // derives `not_refractory` (absorbed into the chain's select).
    let derived = |a: &mut Asm, m: u16| {
        a.load(v(6), 2)
            .vop(Op::Sub, v(7), s(0), v(6), 0)
            .vop(Op::Ge, v(m), v(7), s(1), 0);
    };
    let mut absorbed = 0;
    for (select, euler_col) in [(true, true), (false, false), (true, false), (false, true)] {
        // exact: v = where(flag, v0 + (v - v0)*E, v), the flag a column
        // or derived
        for derive in [false, true] {
            let mut a = Asm::new(3);
            let e = a.konst(0.904_837_418_035_959_6);
            if derive {
                derived(&mut a, 5);
            }
            a.load(v(1), 0)
                .load(v(2), 1)
                .vop(Op::Sub, v(3), v(1), v(2), 0)
                .vop(Op::Mul, v(4), v(3), e, 0)
                .vop(Op::Add, v(3), v(2), v(4), 0);
            let m = if derive { 5 } else { 1 };
            if select {
                a.vop(Op::Select, v(2), v(m), v(3), v(1)).store(0, v(2));
            } else {
                a.store(0, v(3));
            }
            progs.push(a.finish());
        }
        // euler + noise: v = where(flag, v + dt*((c - v)/tau) + k*(s*xi), v)
        let mut a = Asm::new(3);
        let (tau, kk) = (a.konst(1e-2), a.konst(2.0));
        a.load(v(0), 2).load(v(1), 0);
        if euler_col {
            a.load(v(2), 1).vop(Op::Sub, v(3), v(2), v(1), 0);
        } else {
            a.vop(Op::Sub, v(3), tau, v(1), 0);
        }
        a.vop(Op::Div, v(2), v(3), tau, 0)
            .vop(Op::Mul, v(3), s(1), v(2), 0)
            .vop(Op::Add, v(2), v(1), v(3), 0)
            // (a column for `randn`: the two forms draw from different streams)
            .load(v(3), 2)
            .vop(Op::Mul, v(4), s(0), v(3), 0)
            .vop(Op::Mul, v(3), kk, v(4), 0)
            .vop(Op::Add, v(4), v(2), v(3), 0);
        if select {
            a.vop(Op::Select, v(2), v(0), v(4), v(1)).store(0, v(2));
        } else {
            a.store(0, v(4));
        }
        progs.push(a.finish());
        // the same with the flag derived
        if select {
            let mut a = Asm::new(3);
            let (tau, kk) = (a.konst(1e-2), a.konst(2.0));
            a.load(v(1), 0);
            derived(&mut a, 0);
            a.load(v(2), 1)
                .vop(Op::Sub, v(3), v(2), v(1), 0)
                .vop(Op::Div, v(2), v(3), tau, 0)
                .vop(Op::Mul, v(3), s(1), v(2), 0)
                .vop(Op::Add, v(2), v(1), v(3), 0)
                .load(v(3), 1)
                .vop(Op::Mul, v(4), s(0), v(3), 0)
                .vop(Op::Mul, v(3), kk, v(4), 0)
                .vop(Op::Add, v(4), v(2), v(3), 0)
                .vop(Op::Select, v(2), v(0), v(4), v(1))
                .store(0, v(2));
            progs.push(a.finish());
        }
    }
    for (case, blob) in progs.iter().enumerate() {
        let prog = Program::decode(blob).unwrap();
        let dummy = |x: Src| match x {
            Src::S(_) => Val::S(0.0),
            Src::V(_) | Src::Col(_) => Val::P(std::ptr::null()),
        };
        assert!(prog.chains.iter().all(|c| chain::has_mono(
            &c.iter().map(|st| RStep::new(st, dummy)).collect::<Vec<_>>()
        )));
        assert!(!prog.chains.is_empty(), "{}", prog.range_form_text());
        absorbed += usize::from(prog.range_form_text().contains("SelectPair"));
        same_in_both_forms(&prog, case);
    }
    assert_eq!(absorbed, 4, "derived flags absorbed into chains");
}

/// The exact update of Brian2's CUBA neuron as the lowering emits it,
/// `v = where(flag, v*E + ge*A + gi*B + C, v)` (the flag derived from a
/// column, or no `where`), then `ge *= Ee`, `gi *= Ei`: its chain runs on a
/// specialised kernel, bit for bit as unfused.
#[test]
fn cuba_update_chain_is_specialised() {
    for select in [true, false] {
        let mut a = Asm::new(3);
        let (e, ka, kb, kc) = (
            a.konst(0.995_012_479_192_682_3),
            a.konst(9.8e-5),
            a.konst(9.9e-5),
            a.konst(-2.4e-4),
        );
        let (ee, ei) = (a.konst(0.98), a.konst(0.99));
        a.load(v(0), 0);
        if select {
            a.load(v(6), 2)
                .vop(Op::Sub, v(7), s(0), v(6), 0)
                .vop(Op::Ge, v(5), v(7), s(1), 0);
        }
        a.vop(Op::Mul, v(2), v(0), e, 0)
            .load(v(3), 1)
            .vop(Op::Mul, v(4), v(3), ka, 0)
            .vop(Op::Add, v(1), v(2), v(4), 0)
            .load(v(2), 2)
            .vop(Op::Mul, v(4), v(2), kb, 0)
            .vop(Op::Add, v(6), v(1), v(4), 0)
            .vop(Op::Add, v(4), v(6), kc, 0);
        if select {
            a.vop(Op::Select, v(1), v(5), v(4), v(0)).store(0, v(1));
        } else {
            a.store(0, v(4));
        }
        a.vop(Op::Mul, v(0), v(3), ee, 0)
            .store(1, v(0))
            .vop(Op::Mul, v(0), v(2), ei, 0)
            .store(2, v(0));
        let prog = Program::decode(&a.finish()).unwrap();
        let dummy = |x: Src| match x {
            Src::S(_) => Val::S(0.0),
            Src::V(_) | Src::Col(_) => Val::P(std::ptr::null()),
        };
        let text = prog.range_form_text();
        assert_eq!(prog.chains.len(), 1, "{text}");
        assert!(
            chain::has_mono(
                &prog.chains[0]
                    .iter()
                    .map(|st| RStep::new(st, dummy))
                    .collect::<Vec<_>>()
            ),
            "{text}"
        );
        assert_eq!(text.contains("SelectPair"), select, "{text}");
        // Both products are in the chain: v*E + ge*A + gi*B + c in one pass.
        assert_eq!(text.matches("MulAdd").count(), 2, "{text}");
        same_in_both_forms(&prog, usize::from(select));
    }
}

/// A product added to the accumulator with the operands the other way
/// round (`k*g + acc`, no specialised kernel) runs on the generic kernel as
/// a `MulAdd` step, bit for bit as unfused; a product read again later is
/// not fused (it must be materialised).
#[test]
fn mul_add_step_generic_and_not_when_product_reused() {
    for reuse in [false, true] {
        let mut a = Asm::new(3);
        let (e, ka, kc) = (
            a.konst(0.995_012_479_192_682_3),
            a.konst(9.8e-5),
            a.konst(-2.4e-4),
        );
        a.load(v(0), 0)
            .vop(Op::Mul, v(2), v(0), e, 0)
            .load(v(3), 1)
            .vop(Op::Mul, v(4), ka, v(3), 0)
            .vop(Op::Add, v(1), v(4), v(2), 0)
            .vop(Op::Sub, v(5), v(1), kc, 0)
            .vop(Op::Div, v(6), v(5), e, 0)
            .store(0, v(6));
        if reuse {
            a.store(2, v(4));
        }
        let prog = Program::decode(&a.finish()).unwrap();
        let dummy = |x: Src| match x {
            Src::S(_) => Val::S(0.0),
            Src::V(_) | Src::Col(_) => Val::P(std::ptr::null()),
        };
        let text = prog.range_form_text();
        assert_eq!(text.contains("MulAdd"), !reuse, "{text}");
        assert!(!prog.chains.is_empty(), "{text}");
        if !reuse {
            assert_eq!(prog.chains.len(), 1, "{text}");
            assert!(
                !chain::has_mono(
                    &prog.chains[0]
                        .iter()
                        .map(|st| RStep::new(st, dummy))
                        .collect::<Vec<_>>()
                ),
                "{text}"
            );
        }
        same_in_both_forms(&prog, usize::from(reuse));
    }
}

/// The lanes a threshold program collects, run over contiguous chunks
/// and over the same lanes by index.
fn events_both_forms(prog: &Program, cols: &Columns<'_>) -> (Vec<i32>, Vec<i32>) {
    let n = cols.n();
    let mut sc = Scalars::new(prog);
    sc.run_scalar(prog, 0.25, 1e-4, n, 3);
    let mut regs = Registers::for_programs([prog]);
    let mut rng = noise::Rng::new(1, 0);
    let (mut range, mut indexed) = (Vec::new(), Vec::new());
    for start in (0..n).step_by(CHUNK) {
        let len = CHUNK.min(n - start);
        let ix: Vec<i32> = (start as i32..(start + len) as i32).collect();
        for (lanes, events) in [
            (Lanes::Range { start, len }, &mut range),
            (Lanes::Indices(&ix), &mut indexed),
        ] {
            let ch = Chunk {
                s: &sc.s,
                cols,
                lanes,
                rng: std::slice::from_mut(&mut rng.indexed),
                seg: CHUNK,
                events,
            };
            run_chunk(prog, &mut regs, ch);
        }
    }
    (range, indexed)
}

/// `collect(cmp and pair)` in every order of its parts (the threshold
/// with a derived refractory test) evaluates the pair lazily and finds
/// the lanes the unfused program finds.
#[test]
fn lazy_threshold_pair_equals_indexed_form() {
    let n = 2 * CHUNK + 37;
    let mut data: Vec<Vec<f64>> = (0..3)
        .map(|c| {
            (0..n)
                .map(|i| ((i * 37 + c * 11) % 17) as f64 * 0.25 - 1.5)
                .collect()
        })
        .collect();
    let mut views: Vec<&mut [f64]> = data.iter_mut().map(|c| c.as_mut_slice()).collect();
    let cols = Columns::new(&mut views, n).unwrap();
    let mut sizes = Vec::new();
    for order in 0..4 {
        let mut a = Asm::new(3);
        let k = a.konst(0.6);
        for part in [order & 1, 1 - (order & 1)] {
            if part == 0 {
                a.load(v(0), 0).vop(Op::Gt, v(1), v(0), k, 0);
            } else {
                a.load(v(4), 2)
                    .vop(Op::Sub, v(2), s(0), v(4), 0)
                    .vop(Op::Ge, v(3), v(2), s(1), 0);
            }
        }
        let (x, y) = if order & 2 == 0 { (1, 3) } else { (3, 1) };
        a.vop(Op::And, v(5), v(x), v(y), 0).collect(v(5));
        let prog = Program::decode(&a.finish()).unwrap();
        assert!(
            prog.range_form_text().contains("CollectCmpAndPair"),
            "order {order}:\n{}",
            prog.range_form_text()
        );
        let (range, indexed) = events_both_forms(&prog, &cols);
        assert_eq!(range, indexed, "order {order}");
        sizes.push(range.len());
    }
    // Some lanes pass one test only: the pair decides.
    assert!(sizes.iter().all(|&k| k > 10 && k < n / 2), "{sizes:?}");
}

/// The contiguous form (aliased loads, in-place results, fused kernels)
/// gives bit for bit what the plain indexed form gives.
#[test]
fn contiguous_form_equals_indexed_form() {
    let mut g = Lcg(7);
    let (mut pairs, mut placed, mut chains, mut masks) = (0, 0, 0, 0);
    for case in 0..3000 {
        let blob = random_program(&mut g);
        let prog = Program::decode(&blob).unwrap();
        let text = prog.range_form_text();
        pairs += usize::from(text.contains("Pair"));
        masks += usize::from(text.contains("SelectPair"));
        chains += usize::from(text.contains("Chain"));
        placed += usize::from(text.contains("to_col: true"));
        same_in_both_forms(&prog, case);
    }
    // The rewrites under test did happen.
    assert!(
        pairs > 100 && placed > 300 && chains > 300,
        "{pairs} pairs, {chains} chains, {placed} placed"
    );
    println!("{masks} programs with a pair absorbed into a chain's select");
}

/// A random program in which a chain ends in a `select` whose mask is a
/// pair computed earlier (`m = cmp(op(a, b), c)` in register 4 or 5),
/// with random instructions in between that may overwrite what the pair
/// reads or the mask itself, and may read the mask again.
fn random_mask_program(g: &mut Lcg) -> Vec<u8> {
    let mut a = Asm::new(3);
    let k0 = a.konst(0.5);
    let arith = [Op::Add, Op::Sub, Op::Mul, Op::Div];
    let cmp = [Op::Gt, Op::Ge, Op::Lt, Op::Le];
    // Registers 0 and 1 hold columns (the pair's sources).
    a.load(v(0), g.below(3) as u16)
        .load(v(1), g.below(3) as u16);
    let src = |g: &mut Lcg| match g.below(4) {
        0 => k0,
        1 => s(0),
        2 => v(0),
        _ => v(1),
    };
    let (m, t) = if g.below(2) == 0 { (4, 5) } else { (5, 4) };
    let (x, y, z) = (src(g), src(g), src(g));
    a.vop(arith[g.below(4)], v(t), x, y, 0)
        .vop(cmp[g.below(4)], v(m), v(t), z, 0);
    for _ in 0..g.below(3) {
        match g.below(5) {
            0 => {
                a.store(g.below(3) as u16, src(g));
            }
            1 => {
                a.load(v(g.below(2) as u16), g.below(3) as u16);
            }
            2 => {
                a.vop(Op::Add, v(m), src(g), k0, 0);
            }
            3 => {
                a.vop(Op::Mul, v(g.below(2) as u16), v(m), src(g), 0);
            }
            _ => {
                a.vop(arith[g.below(4)], v(t), src(g), src(g), 0);
            }
        }
    }
    // the chain: c1 = op(x, y); c2 = op(c1, w); c3 = select(m, c2, other),
    // its registers perhaps among those the pair read
    let (x, y, w) = (src(g), src(g), src(g));
    let (c1, c2, c3) = (g.below(4) as u16, g.below(4) as u16, g.below(4) as u16);
    a.vop(arith[g.below(4)], v(c1), x, y, 0)
        .vop(arith[g.below(4)], v(c2), v(c1), w, 0);
    let other = src(g);
    if g.below(2) == 0 {
        a.vop(Op::Select, v(c3), v(m), v(c2), other);
    } else {
        a.vop(Op::Select, v(c3), v(m), other, v(c2));
    }
    a.store(g.below(3) as u16, v(c3));
    if g.below(4) == 0 {
        // the mask read again after the chain
        a.vop(Op::Mul, v(3), v(m), k0, 0)
            .store(g.below(3) as u16, v(3));
    }
    a.finish()
}

/// Masks moved into chains (and the cases where they must not be) give
/// bit for bit what the plain indexed form gives.
#[test]
fn absorbed_masks_equal_indexed_form() {
    let mut g = Lcg(11);
    let mut absorbed = 0;
    let cases = 4000;
    for case in 0..cases {
        let prog = Program::decode(&random_mask_program(&mut g)).unwrap();
        absorbed += usize::from(prog.range_form_text().contains("SelectPair"));
        same_in_both_forms(&prog, case);
    }
    println!("{absorbed} of {cases} absorbed");
    assert!(
        absorbed > cases / 5 && absorbed < cases * 9 / 10,
        "{absorbed} of {cases} absorbed"
    );
}

/// `lookup` in both blocks: a scalar index (from `t`) and per-lane indices,
/// truncated, nan outside the table; a program whose tables are missing or
/// whose table operand is not a constant naming one is refused.
#[test]
fn lookup_reads_attached_tables() {
    use std::sync::Arc;
    let mut a = Asm::new(2);
    a.tables(2);
    let t0 = a.konst(0.0);
    let t1 = a.konst(1.0);
    let ten = a.konst(1e4);
    // S4 = table1[trunc(t * 1e4)] (t = 0.25: index 2500 -> outside -> nan);
    // S5 = table1[S3 = step = 3]
    a.sop(Op::Mul, s(6), s(0), ten, 0)
        .sop(Op::Lookup, s(4), t1, s(6), 0)
        .sop(Op::Lookup, s(5), t1, s(3), 0);
    a.load(v(0), 0)
        .vop(Op::Lookup, v(1), t0, v(0), 0)
        .vop(Op::Add, v(1), v(1), s(5), 0)
        .store(1, v(1));
    let bytes = a.finish();
    let prog = Program::decode(&bytes).expect("valid");
    let mut none = [0.0; 4];
    let mut out0 = [0.0; 4];
    let mut cols = [&mut none[..], &mut out0[..]];
    cols[0].copy_from_slice(&[0.0, 1.9, -0.5, 3.0]);
    {
        let columns = Columns::new(&mut cols, 4).expect("columns");
        let mut rng = noise::Rng::new(1, 0);
        assert!(execute(&prog, &columns, &mut rng, 0.25, 1e-4, 3).is_err());
    }
    let t_a: Arc<[f64]> = Arc::from(vec![10.0, 20.0, 30.0]);
    let t_b: Arc<[f64]> = Arc::from(vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    assert!(Program::decode(&bytes)
        .expect("valid")
        .with_tables(vec![Arc::clone(&t_a)])
        .is_err());
    let prog = prog.with_tables(vec![t_a, t_b]).expect("two tables");
    let columns = Columns::new(&mut cols, 4).expect("columns");
    let mut rng = noise::Rng::new(1, 0);
    execute(&prog, &columns, &mut rng, 0.25, 1e-4, 3).expect("runs");
    drop(columns);
    assert_eq!(out0[0], 13.0);
    assert_eq!(out0[1], 23.0);
    assert_eq!(out0[2], 13.0); // trunc(-0.5) = 0
    assert!(out0[3].is_nan());

    // the table operand must be a constant naming a declared table
    let mut bad = Asm::new(1);
    bad.tables(1);
    let two = bad.konst(2.0);
    bad.sop(Op::Lookup, s(4), two, s(0), 0);
    assert!(Program::decode(&bad.finish()).is_err());
    let mut bad = Asm::new(1);
    bad.tables(1);
    bad.sop(Op::Lookup, s(4), s(0), s(0), 0);
    assert!(Program::decode(&bad.finish()).is_err());
}

/// Copies fused into one group draw, lane for lane, what each draws alone
/// (uniforms, normals, and Poisson numbers whose means differ per lane), and
/// give their streams back in the state running alone leaves them in.
#[test]
fn fused_copies_draw_what_each_draws_alone() {
    let mut a = Asm::new(3);
    a.vop(Op::Randn, v(0), 0, 0, 0)
        .store(0, v(0))
        .vop(Op::Rand, v(1), 0, 0, 0)
        .store(1, v(1))
        .load(v(2), 2)
        .vop(Op::Poisson, v(3), v(2), 0, 0)
        .store(2, v(3));
    let prog = Program::decode(&a.finish()).expect("valid");
    // copies of 100 lanes (10 per chunk) and of 1000 (one per chunk), and a
    // number of copies that leaves the last chunk part-full
    for (lanes, copies) in [(100usize, 23usize), (1000, 3), (7, 300)] {
        let means = |k: usize| (0..lanes).map(|l| (k + l) as f64 * 0.1).collect::<Vec<_>>();
        let mut alone: Vec<[Vec<f64>; 3]> = Vec::new();
        let mut rngs: Vec<noise::Rng> = (0..copies).map(|k| noise::Rng::new(7, k as u64)).collect();
        for (k, rng) in rngs.iter_mut().enumerate() {
            let (mut c0, mut c1, mut c2) = (vec![0.0; lanes], vec![0.0; lanes], means(k));
            for _ in 0..2 {
                c2.copy_from_slice(&means(k));
                let mut cols = [&mut c0[..], &mut c1[..], &mut c2[..]];
                let columns = Columns::new(&mut cols, lanes).expect("columns");
                execute(&prog, &columns, rng, 0.0, 1e-4, 0).expect("runs");
            }
            alone.push([c0, c1, c2]);
        }
        let fresh: Vec<noise::Rng> = (0..copies).map(|k| noise::Rng::new(7, k as u64)).collect();
        let refs: Vec<&noise::Rng> = fresh.iter().collect();
        let mut fused = noise::Rng::fused(&refs, lanes).expect("fused");
        let n = lanes * copies;
        let (mut c0, mut c1, mut c2) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        for _ in 0..2 {
            for k in 0..copies {
                c2[k * lanes..(k + 1) * lanes].copy_from_slice(&means(k));
            }
            let mut cols = [&mut c0[..], &mut c1[..], &mut c2[..]];
            let columns = Columns::new(&mut cols, n).expect("columns");
            execute(&prog, &columns, &mut fused, 0.0, 1e-4, 0).expect("runs");
        }
        for (k, [a0, a1, a2]) in alone.iter().enumerate() {
            let part = k * lanes..(k + 1) * lanes;
            assert_eq!(
                &c0[part.clone()],
                &a0[..],
                "normals of copy {k} ({lanes} lanes)"
            );
            assert_eq!(&c1[part.clone()], &a1[..], "uniforms of copy {k}");
            assert_eq!(&c2[part], &a2[..], "poisson of copy {k}");
        }
        let mut back = fresh.clone();
        let mut parts: Vec<&mut noise::Rng> = back.iter_mut().collect();
        fused.unfuse(&mut parts).expect("unfused");
        for (k, (b, r)) in back.iter().zip(&rngs).enumerate() {
            assert_eq!(b.chunks.first(), r.chunks.first(), "stream of copy {k}");
        }
    }
}

/// Fusing refuses copies larger than a chunk, no copies, and fused streams;
/// unfusing wants as many copies as were fused.
#[test]
fn fusing_refuses_what_it_cannot_do() {
    let parts = [noise::Rng::new(1, 0), noise::Rng::new(1, 1)];
    let refs: Vec<&noise::Rng> = parts.iter().collect();
    assert!(noise::Rng::fused(&refs, 0).is_err());
    assert!(noise::Rng::fused(&refs, CHUNK + 1).is_err());
    assert!(noise::Rng::fused(&[], 10).is_err());
    let fused = noise::Rng::fused(&refs, 10).expect("fused");
    assert!(noise::Rng::fused(&[&fused], 10).is_err());
    let mut one = noise::Rng::new(1, 0);
    assert!(fused.unfuse(&mut [&mut one]).is_err());
    assert!(one.unfuse(&mut []).is_err());
}
