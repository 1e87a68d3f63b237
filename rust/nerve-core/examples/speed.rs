//! Quick A/B timing of the benchmark models (ns per neuron-step, best of
//! several repeats; `MODEL=name` runs one model; `SHOW=1` prints the
//! executable form, `SHOW=ir` the programs):
//! `cargo run --release --example speed -- [N] [steps] [repeats]`.

#[path = "../benches/common/mod.rs"]
mod common;

use common::{models, simulate, state};
use nerve_core::{Program, Rng};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let steps = args.get(1).copied().unwrap_or(100) as u64;
    let repeats = args.get(2).copied().unwrap_or(5);
    let only = std::env::var("MODEL").unwrap_or_default();
    if only.is_empty() || only == "randn" {
        let mut r = nerve_core::noise::stream(1, 2, 3);
        let mut buf = vec![0.0; 256];
        let mut best = f64::INFINITY;
        for _ in 0..repeats {
            let t0 = Instant::now();
            for _ in 0..(n * steps as usize) / 256 {
                nerve_core::noise::fill_normal(&mut r, &mut buf);
            }
            best = best.min(t0.elapsed().as_secs_f64());
        }
        println!(
            "randn      N={n:8} {:7.3} ns/neuron-step (fill_normal, 256 at a time; {})",
            best * 1e9 / (n as f64 * steps as f64),
            buf[0]
        );
    }
    for (name, blobs) in models() {
        if !only.is_empty() && only != name {
            continue;
        }
        let progs: Vec<Program> = blobs.iter().map(|b| Program::decode(b).unwrap()).collect();
        match std::env::var("SHOW").as_deref() {
            Ok("ir") => progs.iter().for_each(|p| println!("{}", p.disassemble())),
            Ok(_) => progs
                .iter()
                .for_each(|p| println!("{}", p.range_form_text())),
            Err(_) => {}
        }
        let mut cols = state(name, n);
        let mut rng = Rng::new(1, 0);
        let mut best = f64::INFINITY;
        let mut step = 0;
        let mut spikes = 0;
        for _ in 0..repeats {
            let t0 = Instant::now();
            spikes += simulate(&progs, &mut cols, &mut rng, n, step, steps);
            best = best.min(t0.elapsed().as_secs_f64());
            step += steps as i64;
        }
        println!(
            "{name:10} N={n:8} {:7.3} ns/neuron-step (best of {repeats}; {spikes} spikes)",
            best * 1e9 / (n as f64 * steps as f64)
        );
    }
}
