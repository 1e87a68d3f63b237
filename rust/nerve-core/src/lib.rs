//! nerve-core: the engine of the nerve spiking-network simulator.
//!
//! Python describes a model (equations, thresholds, resets, monitors) and
//! lowers it to bytecode programs ([`ir`]). This crate validates those
//! programs once and interprets them over structure-of-arrays neuron state,
//! running the whole schedule of a simulation (every time step, every
//! object) without returning to Python. It has no Python dependency.

pub mod ir;

/// Number of lanes (neurons) processed together by one vector instruction.
pub const CHUNK: usize = 256;
