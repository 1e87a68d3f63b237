//! Propagation through synapses: events queued by delay, the program run
//! over the arriving synapses with pre/post columns gathered and scattered,
//! repeated targets adding in synapse order.

use nerve_core::ir::asm::{v, Asm};
use nerve_core::ir::Op;
use nerve_core::schedule::{Accumulate, Binding, Gather, Pathway, Side, SpikeQueue, Trigger};
use nerve_core::{Action, Clock, Columns, Group, NoHost, Operation, Program, Rng, Schedule};

/// `col1 = col1 + col0`: with col0 bound to `w` and col1 to `v_post`.
fn add_program() -> Program {
    let mut a = Asm::new(2);
    a.load(v(0), 0)
        .load(v(1), 1)
        .vop(Op::Add, v(2), v(1), v(0), 0)
        .store(1, v(2));
    Program::decode(&a.finish()).unwrap()
}

/// `collect (col0 > 0.5)`: neurons whose column 0 is 1 spike every step.
fn spike_program() -> Program {
    let mut a = Asm::new(1);
    let half = a.konst(0.5);
    a.load(v(0), 0)
        .vop(Op::Gt, v(1), v(0), half, 0)
        .collect(v(1));
    Program::decode(&a.finish()).unwrap()
}

/// Runs `steps` steps: group 0 (3 neurons, neuron `spiking` fires every
/// step, `v` in column 1), synapses in group 1 (`w` in column 0) with the
/// given connectivity and delays; returns `v` of group 0 after each step.
fn simulate(pre: &[i32], post: &[i32], w: &[f64], delays: &[i64], steps: i64) -> Vec<Vec<f64>> {
    simulate_with(pre, post, w, delays, steps, false)
}

/// `col1 = col0`: with col0 bound to `w` and col1 an output accumulated
/// into `v_post`.
fn increment_program() -> Program {
    let mut a = Asm::new(2);
    a.load(v(0), 0).store(1, v(0));
    Program::decode(&a.finish()).unwrap()
}

/// As [`simulate`]; with `accumulate`, `v_post += w` is an accumulation.
fn simulate_with(
    pre: &[i32],
    post: &[i32],
    w: &[f64],
    delays: &[i64],
    steps: i64,
    accumulate: bool,
) -> Vec<Vec<f64>> {
    let detect = spike_program();
    let add = if accumulate {
        increment_program()
    } else {
        add_program()
    };
    let mut flag = vec![1.0, 0.0, 0.0];
    let mut v_col = vec![0.0; 3];
    let mut w_col = w.to_vec();
    let mut rng0 = Rng::new(1, 0);
    let mut rng1 = Rng::new(1, 1);
    let mut queue = SpikeQueue::new();
    queue.prepare(pre, 3, delays).unwrap();
    let mut out = Vec::new();
    for step in 0..steps {
        let mut cols0: Vec<&mut [f64]> = vec![&mut flag, &mut v_col];
        let mut cols1: Vec<&mut [f64]> = vec![&mut w_col];
        let mut groups = vec![
            Group {
                columns: Columns::new(&mut cols0, 3).unwrap(),
                rng: &mut rng0,
                n_events: 1,
            },
            Group {
                columns: Columns::new(&mut cols1, pre.len()).unwrap(),
                rng: &mut rng1,
                n_events: 1,
            },
        ];
        let side = Side {
            group: 0,
            offset: 0,
            n: 3,
        };
        let mut pathways = vec![Pathway {
            synapses: 1,
            pre: side,
            post: side,
            pre_index: pre,
            post_index: post,
            program: &add,
            bindings: vec![
                Binding {
                    source: Gather::Synaptic(0),
                    write: false,
                },
                Binding {
                    source: if accumulate {
                        Gather::Output
                    } else {
                        Gather::Post(1)
                    },
                    write: !accumulate,
                },
            ],
            accumulate: if accumulate {
                vec![Accumulate {
                    slot: 1,
                    pre: false,
                    column: 1,
                }]
            } else {
                Vec::new()
            },
            trigger: Some(Trigger {
                group: 0,
                event: 0,
                start: 0,
                stop: 3,
            }),
            queue: Some(&mut queue),
        }];
        let ops = [
            Operation {
                clock: 0,
                action: Action::Detect {
                    group: 0,
                    event: 0,
                    program: &detect,
                },
            },
            Operation {
                clock: 0,
                action: Action::Propagate { pathway: 0 },
            },
        ];
        let mut clocks = [Clock {
            dt: 1e-4,
            step,
            end: step + 1,
        }];
        let schedule = Schedule {
            clocks: &mut clocks,
            ops: &ops,
            state_recorders: &[],
            event_recorders: &[],
            links: &[],
            pathways: &mut pathways,
        };
        nerve_core::run(&mut groups, schedule, 1, &mut NoHost).unwrap();
        drop(groups);
        out.push(v_col.clone());
    }
    out
}

#[test]
fn repeated_targets_all_add_in_one_step() {
    // three synapses from neuron 0: two onto neuron 1, one onto neuron 2
    let v = simulate(&[0, 0, 0], &[1, 2, 1], &[0.25, 0.5, 1.0], &[0], 2);
    assert_eq!(v[0], vec![0.0, 1.25, 0.5]);
    assert_eq!(v[1], vec![0.0, 2.5, 1.0]);
}

#[test]
fn accumulating_equals_gathering_and_scattering() {
    // many synapses, repeated targets in every step: bit for bit the same
    let n = 3000;
    let pre = vec![0; n];
    let post: Vec<i32> = (0..n).map(|s| ((s * 7) % 3) as i32).collect();
    let w: Vec<f64> = (0..n).map(|s| 1.0 / (1.0 + s as f64)).collect();
    let delays: Vec<i64> = (0..n).map(|s| (s % 3) as i64).collect();
    let a = simulate_with(&pre, &post, &w, &delays, 5, false);
    let b = simulate_with(&pre, &post, &w, &delays, 5, true);
    assert!(a[4][1] > 0.0);
    for (x, y) in a.iter().zip(&b) {
        let same = x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits());
        assert!(same, "{x:?} != {y:?}");
    }
}

#[test]
fn delays_in_steps_are_kept_per_synapse() {
    let v = simulate(&[0, 0], &[1, 2], &[1.0, 1.0], &[1, 3], 4);
    assert_eq!(v[0], vec![0.0, 0.0, 0.0]);
    assert_eq!(v[1], vec![0.0, 1.0, 0.0]);
    assert_eq!(v[2], vec![0.0, 2.0, 0.0]);
    assert_eq!(v[3], vec![0.0, 3.0, 1.0]);
}

#[test]
fn events_in_flight_survive_between_runs() {
    // one run per step above already: with a delay of 2 the first event
    // arrives in the third run
    let v = simulate(&[0], &[2], &[1.0], &[2], 3);
    assert_eq!(v[1], vec![0.0, 0.0, 0.0]);
    assert_eq!(v[2], vec![0.0, 0.0, 1.0]);
}

#[test]
fn a_queue_prepared_for_other_synapses_is_refused() {
    let add = add_program();
    let mut w = vec![1.0];
    let mut rng = Rng::new(1, 0);
    let mut cols: Vec<&mut [f64]> = vec![&mut w];
    let mut queue = SpikeQueue::new();
    queue.prepare(&[0, 0], 1, &[0]).unwrap();
    let mut groups = vec![Group {
        columns: Columns::new(&mut cols, 1).unwrap(),
        rng: &mut rng,
        n_events: 1,
    }];
    let side = Side {
        group: 0,
        offset: 0,
        n: 1,
    };
    let mut pathways = vec![Pathway {
        synapses: 0,
        pre: side,
        post: side,
        pre_index: &[0],
        post_index: &[0],
        program: &add,
        bindings: vec![
            Binding {
                source: Gather::Synaptic(0),
                write: false,
            },
            Binding {
                source: Gather::Synaptic(0),
                write: true,
            },
        ],
        accumulate: Vec::new(),
        trigger: Some(Trigger {
            group: 0,
            event: 0,
            start: 0,
            stop: 1,
        }),
        queue: Some(&mut queue),
    }];
    let ops = [Operation {
        clock: 0,
        action: Action::Propagate { pathway: 0 },
    }];
    let mut clocks = [Clock {
        dt: 1e-4,
        step: 0,
        end: 1,
    }];
    let schedule = Schedule {
        clocks: &mut clocks,
        ops: &ops,
        state_recorders: &[],
        event_recorders: &[],
        links: &[],
        pathways: &mut pathways,
    };
    let err = nerve_core::run(&mut groups, schedule, 1, &mut NoHost).unwrap_err();
    assert!(err.to_string().contains("prepared for 2 synapses"), "{err}");
}
