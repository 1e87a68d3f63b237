//! nerve-core: the engine of the nerve spiking-network simulator.
//!
//! Python describes a model (equations, thresholds, resets, monitors) and
//! lowers it to bytecode programs ([`ir`]). This crate validates those
//! programs once and interprets them over structure-of-arrays neuron state
//! ([`vm`]), running the whole schedule of a simulation (every time step,
//! every object) without returning to Python ([`run`]). It has no Python
//! dependency.

pub(crate) mod chain;
pub mod error;
pub mod ir;
pub mod noise;
pub mod run;
mod team;
pub mod vm;

pub use error::{CoreError, Result};
pub use ir::decode::Program;
pub use noise::Rng;
pub use run::{run, Group, RunOutput, StateMonitor};
pub use vm::{execute, Columns};

/// Number of lanes (neurons) processed together by one vector instruction.
pub const CHUNK: usize = 256;
