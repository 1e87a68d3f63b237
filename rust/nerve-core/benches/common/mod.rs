//! The benchmark models, shared by the criterion benches and the `speed`
//! example: the tutorial's three model shapes as hand-assembled programs.
#![allow(dead_code)]

use nerve_core::ir::asm::{s, v, Asm};
use nerve_core::ir::opcodes::Op;
use nerve_core::{run, Columns, Group, Program, Rng};

pub const DT: f64 = 1e-4;
const TAU: f64 = 10e-3;

/// `nr = ((t - lastspike) + 1e-3*dt)/dt >= 50` into V0, stored to column 3;
/// scalar `S4 = 1e-3*dt`.
fn refractory(a: &mut Asm) {
    let eps = a.konst(1e-3);
    let fifty = a.konst(50.0);
    a.sop(Op::Mul, s(4), eps, s(1), 0);
    a.load(v(0), 2)
        .vop(Op::Sub, v(0), s(0), v(0), 0)
        .vop(Op::Add, v(0), v(0), s(4), 0)
        .vop(Op::Div, v(0), v(0), s(1), 0)
        .vop(Op::Ge, v(0), v(0), fifty, 0)
        .store(3, v(0));
}

/// Columns: v, v0, lastspike, not_refractory.
pub fn lif_exact() -> [Vec<u8>; 3] {
    let mut u = Asm::new(4);
    refractory(&mut u);
    let tau = u.konst(TAU);
    u.sop(Op::Div, s(5), s(1), tau, 0)
        .sop(Op::Neg, s(5), s(5), 0, 0)
        .sop(Op::Exp, s(6), s(5), 0, 0);
    u.load(v(1), 0)
        .load(v(2), 1)
        .vop(Op::Sub, v(3), v(1), v(2), 0)
        .vop(Op::Mul, v(3), v(3), s(6), 0)
        .vop(Op::Add, v(3), v(2), v(3), 0)
        .vop(Op::Select, v(3), v(0), v(3), v(1))
        .store(0, v(3));
    [u.finish(), lif_threshold(), lif_reset(&[(0, 0.0)])]
}

pub fn lif_noise() -> [Vec<u8>; 3] {
    let mut u = Asm::new(4);
    refractory(&mut u);
    let tau = u.konst(TAU);
    let sigma = u.konst(0.2);
    // S5 = dt/tau, S6 = sigma*sqrt(dt)/sqrt(tau)
    u.sop(Op::Div, s(5), s(1), tau, 0)
        .sop(Op::Sqrt, s(6), s(1), 0, 0)
        .sop(Op::Mul, s(6), s(6), sigma, 0)
        .sop(Op::Sqrt, s(7), tau, 0, 0)
        .sop(Op::Div, s(6), s(6), s(7), 0);
    u.load(v(1), 0)
        .load(v(2), 1)
        .vop(Op::Randn, v(4), 0, 0, 0)
        .vop(Op::Sub, v(3), v(2), v(1), 0)
        .vop(Op::Mul, v(3), v(3), s(5), 0)
        .vop(Op::Add, v(3), v(1), v(3), 0)
        .vop(Op::Mul, v(4), v(4), s(6), 0)
        .vop(Op::Add, v(3), v(3), v(4), 0)
        .vop(Op::Select, v(3), v(0), v(3), v(1))
        .store(0, v(3));
    [u.finish(), lif_threshold(), lif_reset(&[(0, 0.0)])]
}

/// Columns: v, vt, lastspike, not_refractory.
pub fn adaptive() -> [Vec<u8>; 3] {
    let (vr, vt0) = (-70e-3, -50e-3);
    let (sigma, drive) = (0.5 * (vt0 - vr), 2.0 * (vt0 - vr) + vr);
    let mut u = Asm::new(4);
    refractory(&mut u);
    let tau = u.konst(TAU);
    let tau_t = u.konst(100e-3);
    let ksig = u.konst(sigma);
    let kdrive = u.konst(drive);
    let kvt0 = u.konst(vt0);
    u.sop(Op::Div, s(5), s(1), tau, 0)
        .sop(Op::Sqrt, s(6), s(1), 0, 0)
        .sop(Op::Mul, s(6), s(6), ksig, 0)
        .sop(Op::Sqrt, s(7), tau, 0, 0)
        .sop(Op::Div, s(6), s(6), s(7), 0)
        .sop(Op::Div, s(7), s(1), tau_t, 0);
    u.load(v(1), 0)
        .vop(Op::Randn, v(2), 0, 0, 0)
        .vop(Op::Sub, v(3), kdrive, v(1), 0)
        .vop(Op::Mul, v(3), v(3), s(5), 0)
        .vop(Op::Add, v(3), v(1), v(3), 0)
        .vop(Op::Mul, v(2), v(2), s(6), 0)
        .vop(Op::Add, v(3), v(3), v(2), 0)
        .store(0, v(3))
        .load(v(1), 1)
        .vop(Op::Sub, v(2), kvt0, v(1), 0)
        .vop(Op::Mul, v(2), v(2), s(7), 0)
        .vop(Op::Add, v(2), v(1), v(2), 0)
        .store(1, v(2));
    let mut th = Asm::new(4);
    th.load(v(0), 0)
        .load(v(1), 1)
        .vop(Op::Gt, v(0), v(0), v(1), 0)
        .load(v(1), 3)
        .vop(Op::And, v(0), v(0), v(1), 0)
        .collect(v(0));
    let mut r = Asm::new(4);
    let zero = r.konst(0.0);
    let kvr = r.konst(vr);
    let delta = r.konst(5e-3);
    r.store(2, s(0))
        .store(3, zero)
        .store(0, kvr)
        .load(v(0), 1)
        .vop(Op::Add, v(0), v(0), delta, 0)
        .store(1, v(0));
    [u.finish(), th.finish(), r.finish()]
}

fn lif_threshold() -> Vec<u8> {
    let mut th = Asm::new(4);
    let one = th.konst(1.0);
    th.load(v(0), 0)
        .vop(Op::Gt, v(0), v(0), one, 0)
        .load(v(1), 3)
        .vop(Op::And, v(0), v(0), v(1), 0)
        .collect(v(0));
    th.finish()
}

fn lif_reset(assign: &[(u16, f64)]) -> Vec<u8> {
    let mut r = Asm::new(4);
    let zero = r.konst(0.0);
    r.store(2, s(0)).store(3, zero);
    for &(col, x) in assign {
        let k = r.konst(x);
        r.store(col, k);
    }
    r.finish()
}

pub fn state(model: &str, n: usize) -> Vec<Vec<f64>> {
    let second: Vec<f64> = if model == "adaptive" {
        vec![-50e-3; n]
    } else {
        (0..n)
            .map(|i| {
                if n > 1 {
                    i as f64 * 3.0 / (n - 1) as f64
                } else {
                    0.0
                }
            })
            .collect()
    };
    let first = if model == "adaptive" {
        (0..n)
            .map(|i| -70e-3 + 20e-3 * ((i * 7919) % 1000) as f64 / 1000.0)
            .collect()
    } else {
        vec![0.0; n]
    };
    vec![first, second, vec![-1e4; n], vec![1.0; n]]
}

/// The three models by name.
pub fn models() -> [(&'static str, [Vec<u8>; 3]); 3] {
    [
        ("lif_exact", lif_exact()),
        ("lif_noise", lif_noise()),
        ("adaptive", adaptive()),
    ]
}

/// Run `steps` steps of `progs` on `cols` from `step`; returns the spike count.
pub fn simulate(
    progs: &[Program],
    cols: &mut [Vec<f64>],
    rng: &mut Rng,
    n: usize,
    step: i64,
    steps: u64,
) -> usize {
    let mut views: Vec<&mut [f64]> = cols.iter_mut().map(|c| c.as_mut_slice()).collect();
    let mut groups = [Group {
        columns: Columns::new(&mut views, n).unwrap(),
        update: Some(&progs[0]),
        threshold: Some(&progs[1]),
        reset: Some(&progs[2]),
        rng,
    }];
    let out = run(&mut groups, &[], &[0], step, steps, DT, &mut |_| true).unwrap();
    out.spikes[0].0.len()
}
