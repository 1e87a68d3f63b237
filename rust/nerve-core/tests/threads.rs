//! Results do not depend on the number of threads: the benchmark models on a
//! group large enough to be split across a team (uneven last part), run on
//! one, two and three threads (as many as the machine has), agree bit for
//! bit.

#[path = "../benches/common/mod.rs"]
mod common;

use common::{lanes, models, run_model, state};
use nerve_core::{Program, Rng};

type Spikes = (Vec<i32>, Vec<i64>);

fn simulate(progs: &[Program], model: &str, n: usize, threads: usize) -> (Vec<Vec<f64>>, Spikes) {
    let mut cols = state(model, n);
    let spikes = run_model(progs, &mut cols, &mut Rng::new(7, 0), n, (0, 200), threads);
    (cols, spikes)
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let n = 2 * nerve_core::schedule::PARALLEL_CHUNKS * nerve_core::CHUNK + 77;
    for (name, blobs) in models() {
        let progs: Vec<Program> = blobs.iter().map(|b| Program::decode(b).unwrap()).collect();
        let (mut cols1, spikes1) = simulate(&progs, name, n, 1);
        assert!(!spikes1.0.is_empty(), "{name}: no spikes, nothing compared");
        for threads in [2, 3] {
            let (mut cols, spikes) = simulate(&progs, name, n, threads);
            assert_eq!(spikes, spikes1, "{name}, {threads} threads: spikes differ");
            for (a, b) in cols.iter_mut().zip(cols1.iter_mut()) {
                let (a, b) = (lanes(a, n), lanes(b, n));
                let same = a
                    .iter()
                    .zip(b.iter())
                    .all(|(x, y)| x.to_bits() == y.to_bits());
                assert!(same, "{name}, {threads} threads: state differs");
            }
        }
    }
}
