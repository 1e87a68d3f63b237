//! The benchmark models, shared by the criterion benches and the `speed`
//! example: the tutorial's three model shapes, hand-assembled instruction for
//! instruction as the Python lowering emits them (`NeuronGroup.code()`), so
//! the interpreter is timed on what a run through Python executes. `SHOW=ir` in
//! the `speed` example prints their disassembly, to diff against
//! `NeuronGroup.code()` when the lowering changes.
#![allow(dead_code)]

use nerve_core::ir::asm::{s, v, Asm};
use nerve_core::ir::opcodes::Op;
use nerve_core::{
    run, Action, Clock, Columns, EventRecorder, Group, NoHost, Operation, Program, Rng, Schedule,
};

pub const DT: f64 = 1e-4;

/// `not_refractory` as the lowering derives it when no monitor records it:
/// `t - lastspike >= (steps - 1e-3)*dt`, with scalar `S4 = 49.999*dt`. Takes
/// the constant `49.999` (the program's first constant).
fn refractory(a: &mut Asm) {
    let k = a.konst(49.999);
    a.sop(Op::Mul, s(4), k, s(1), 0);
}

/// The flag into `dst` (`tmp` is clobbered), from column 2 (lastspike).
fn refractory_vector(a: &mut Asm, dst: u16, tmp: u16) {
    a.load(v(dst), 2)
        .vop(Op::Sub, v(tmp), s(0), v(dst), 0)
        .vop(Op::Ge, v(dst), v(tmp), s(4), 0);
}

/// Columns: v, v0, lastspike, not_refractory. The "Parameters" cell:
/// `v = where(_not_refractory, v0 + (v - v0)*exp(-dt/tau), v)`.
pub fn lif_exact() -> [Vec<u8>; 3] {
    let mut u = Asm::new(4);
    refractory(&mut u);
    let tau = u.konst(10e-3);
    u.sop(Op::Neg, s(5), s(1), 0, 0)
        .sop(Op::Div, s(6), s(5), tau, 0)
        .sop(Op::Exp, s(5), s(6), 0, 0);
    u.load(v(0), 0);
    refractory_vector(&mut u, 1, 2);
    u.load(v(2), 1)
        .vop(Op::Sub, v(3), v(0), v(2), 0)
        .vop(Op::Mul, v(4), v(3), s(5), 0)
        .vop(Op::Add, v(3), v(2), v(4), 0)
        .vop(Op::Select, v(2), v(1), v(3), v(0))
        .store(0, v(2));
    [u.finish(), lif_threshold(), lif_reset()]
}

/// The "Stochastic neurons" cell (euler):
/// `v = where(_nr, v + dt*((v0 - v)/tau) + sigma*tau**-0.5*(sqrt(dt)*xi), v)`.
pub fn lif_noise() -> [Vec<u8>; 3] {
    let mut u = Asm::new(4);
    refractory(&mut u);
    let tau = u.konst(10e-3);
    let two = u.konst(2.0);
    u.sop(Op::Sqrt, s(5), s(1), 0, 0);
    u.load(v(0), 0);
    refractory_vector(&mut u, 1, 2);
    u.load(v(2), 1)
        .vop(Op::Sub, v(3), v(2), v(0), 0)
        .vop(Op::Div, v(2), v(3), tau, 0)
        .vop(Op::Mul, v(3), s(1), v(2), 0)
        .vop(Op::Add, v(2), v(0), v(3), 0)
        .vop(Op::Randn, v(3), 0, 0, 0)
        .vop(Op::Mul, v(4), s(5), v(3), 0)
        .vop(Op::Mul, v(3), two, v(4), 0)
        .vop(Op::Add, v(4), v(2), v(3), 0)
        .vop(Op::Select, v(2), v(1), v(4), v(0))
        .store(0, v(2));
    [u.finish(), lif_threshold(), lif_reset()]
}

/// Columns: v, vt, lastspike, not_refractory. The tutorial's last cell
/// (volts, noise, two-statement reset; `v` not frozen while refractory, so
/// the update does not compute the flag).
pub fn adaptive() -> [Vec<u8>; 3] {
    let mut u = Asm::new(4);
    let drive = u.konst(-3e-2);
    let tau = u.konst(1e-2);
    let sig = u.konst(1.0000000000000002e-1);
    let vt0 = u.konst(-5e-2);
    let tau_t = u.konst(1e-1);
    u.sop(Op::Sqrt, s(4), s(1), 0, 0);
    u.load(v(0), 0)
        .vop(Op::Sub, v(1), drive, v(0), 0)
        .vop(Op::Div, v(2), v(1), tau, 0)
        .vop(Op::Mul, v(1), s(1), v(2), 0)
        .vop(Op::Add, v(2), v(0), v(1), 0)
        .vop(Op::Randn, v(0), 0, 0, 0)
        .vop(Op::Mul, v(1), s(4), v(0), 0)
        .vop(Op::Mul, v(0), sig, v(1), 0)
        .vop(Op::Add, v(1), v(2), v(0), 0)
        .store(0, v(1))
        .load(v(0), 1)
        .vop(Op::Sub, v(1), vt0, v(0), 0)
        .vop(Op::Div, v(2), v(1), tau_t, 0)
        .vop(Op::Mul, v(1), s(1), v(2), 0)
        .vop(Op::Add, v(2), v(0), v(1), 0)
        .store(1, v(2));
    let mut th = Asm::new(4);
    refractory(&mut th);
    th.load(v(0), 0)
        .load(v(1), 1)
        .vop(Op::Gt, v(2), v(0), v(1), 0);
    refractory_vector(&mut th, 0, 1);
    th.vop(Op::And, v(1), v(2), v(0), 0).collect(v(1));
    let mut r = Asm::new(4);
    let zero = r.konst(0.0);
    let kvr = r.konst(-7e-2);
    let delta = r.konst(5e-3);
    r.store(2, s(0))
        .store(3, zero)
        .store(0, kvr)
        .load(v(0), 1)
        .vop(Op::Add, v(1), v(0), delta, 0)
        .store(1, v(1));
    [u.finish(), th.finish(), r.finish()]
}

fn lif_threshold() -> Vec<u8> {
    let mut th = Asm::new(4);
    refractory(&mut th);
    let one = th.konst(1.0);
    th.load(v(0), 0).vop(Op::Gt, v(1), v(0), one, 0);
    refractory_vector(&mut th, 0, 2);
    th.vop(Op::And, v(2), v(1), v(0), 0).collect(v(2));
    th.finish()
}

fn lif_reset() -> Vec<u8> {
    let mut r = Asm::new(4);
    let zero = r.konst(0.0);
    r.store(2, s(0)).store(3, zero).store(0, zero);
    r.finish()
}

/// Where the `n` values of a column allocated by [`state`] start: on a
/// cache line, as the Python front end allocates its columns.
pub fn lanes(c: &mut [f64], n: usize) -> &mut [f64] {
    let skip = (c.as_ptr() as usize).wrapping_neg() % 64 / 8;
    &mut c[skip..skip + n]
}

/// The initial state of a model: four columns of `n + 8` values, the `n`
/// used ones (see [`lanes`]) starting on a cache line.
pub fn state(model: &str, n: usize) -> Vec<Vec<f64>> {
    let second = |i: usize| {
        if model == "adaptive" {
            -50e-3
        } else if n > 1 {
            i as f64 * 3.0 / (n - 1) as f64
        } else {
            0.0
        }
    };
    let first = |i: usize| {
        if model == "adaptive" {
            -70e-3 + 20e-3 * ((i * 7919) % 1000) as f64 / 1000.0
        } else {
            0.0
        }
    };
    let column = |f: &dyn Fn(usize) -> f64| {
        let mut c = vec![0.0; n + 8];
        for (i, x) in lanes(&mut c, n).iter_mut().enumerate() {
            *x = f(i);
        }
        c
    };
    vec![
        column(&first),
        column(&second),
        column(&|_| -1e4),
        column(&|_| 1.0),
    ]
}

/// The three models by name.
pub fn models() -> [(&'static str, [Vec<u8>; 3]); 3] {
    [
        ("lif_exact", lif_exact()),
        ("lif_noise", lif_noise()),
        ("adaptive", adaptive()),
    ]
}

/// The thread count for benchmarks: `NERVE_NUM_THREADS` (default 0, one
/// per core).
pub fn threads() -> usize {
    std::env::var("NERVE_NUM_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Run `steps` steps of `progs` on `cols` from `step` on at most `threads`
/// threads; returns the spikes (indices and steps).
pub fn run_model(
    progs: &[Program],
    cols: &mut [Vec<f64>],
    rng: &mut Rng,
    n: usize,
    (step, steps): (i64, u64),
    threads: usize,
) -> (Vec<i32>, Vec<i64>) {
    let mut views: Vec<&mut [f64]> = cols.iter_mut().map(|c| lanes(c, n)).collect();
    let mut groups = [Group {
        columns: Columns::new(&mut views, n).unwrap(),
        rng,
        n_events: 1,
    }];
    let end = step + i64::try_from(steps).unwrap();
    let mut clocks = [Clock { dt: DT, step, end }];
    let (group, event) = (0, 0);
    let ops = [
        Action::Update {
            group,
            program: &progs[0],
        },
        Action::Detect {
            group,
            event,
            program: &progs[1],
        },
        Action::RecordEvents { recorder: 0 },
        Action::OnEvent {
            group,
            event,
            program: &progs[2],
        },
    ]
    .map(|action| Operation { clock: 0, action });
    let recorders = [EventRecorder {
        group,
        event,
        start: 0,
        stop: i32::try_from(n).unwrap(),
        columns: Vec::new(),
    }];
    let schedule = Schedule {
        clocks: &mut clocks,
        ops: &ops,
        state_recorders: &[],
        event_recorders: &recorders,
        links: &[],
        pathways: &mut [],
    };
    let (_, rec) = run(&mut groups, schedule, threads, &mut NoHost).unwrap();
    let spikes = rec.events.into_iter().next().unwrap();
    (spikes.indices, spikes.steps)
}

/// Run `steps` steps of `progs` on `cols` from `step` (threads as
/// [`threads`]); returns the spike count.
pub fn simulate(
    progs: &[Program],
    cols: &mut [Vec<f64>],
    rng: &mut Rng,
    n: usize,
    step: i64,
    steps: u64,
) -> usize {
    run_model(progs, cols, rng, n, (step, steps), threads())
        .0
        .len()
}
