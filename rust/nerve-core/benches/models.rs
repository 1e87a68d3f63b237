//! ns per neuron-step of the tutorial's three model shapes, hand-assembled in the
//! shape the Python lowering emits, through the whole run loop (update,
//! threshold, spike recording, reset). Compare with the C reference in
//! `shared/bench-ref` (same models, same schedule). Per-step overhead: N = 1.
//! `NERVE_NUM_THREADS=1` gives the single-thread numbers.
//!
//! The programs are exactly what the Python lowering emits today (see
//! `common`). They differ from the C reference's arithmetic in one way that
//! costs time: the Euler updates divide by `tau` per neuron (`(v0 - v)/tau`,
//! one division in `lif_noise`, two in `adaptive`), where the C reference
//! multiplies by a precomputed `dt/tau`; results must match the lowering's
//! expression bit for bit, so the division stays.
//! `cargo run --release -p nerve-core --example speed` times the same
//! programs without criterion, for quick A/B comparisons.

mod common;

use common::{models, simulate, state};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nerve_core::{Program, Rng};

fn bench(c: &mut Criterion) {
    let models = models();
    for (name, blobs) in &models {
        let progs: Vec<Program> = blobs.iter().map(|b| Program::decode(b).unwrap()).collect();
        let mut g = c.benchmark_group(*name);
        g.sample_size(10);
        for &(n, steps) in &[
            (1usize, 20_000u64),
            (1_000, 2_000),
            (100_000, 20),
            (1_000_000, 5),
        ] {
            let mut cols = state(name, n);
            let mut rng = Rng::new(1, 0);
            let mut step = 0i64;
            g.throughput(Throughput::Elements(n as u64 * steps));
            g.bench_function(BenchmarkId::from_parameter(n), |b| {
                b.iter(|| {
                    let spikes = simulate(&progs, &mut cols, &mut rng, n, step, steps);
                    step += steps as i64;
                    spikes
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
