//! nerve-core: the engine of the nerve spiking-network simulator.
//!
//! Python describes a model (equations, thresholds, resets, monitors) and
//! lowers it to bytecode programs ([`ir`]). This crate validates those
//! programs once and interprets them over structure-of-arrays neuron state
//! ([`vm`]), running the whole schedule of a simulation (every time step,
//! every object, in a schedule of operations on clocks) without returning to
//! Python ([`schedule`]). It has no Python
//! dependency.

pub(crate) mod chain;
pub mod connect;
pub mod error;
pub mod ir;
pub mod noise;
pub mod schedule;
mod team;
pub mod vm;

pub use error::{CoreError, Result};
pub use ir::decode::Program;
pub use noise::Rng;
pub use schedule::{
    run, run_with, Action, Clock, EventRecorder, Flow, Group, Host, Link, NoHost, Operation,
    Outcome, RateRecorder, RecordingPlan, Recordings, Schedule, StateRecorder,
};
pub use vm::{execute, Columns};

/// Number of lanes (neurons) processed together by one vector instruction.
///
/// The fixed cost of running a program over a chunk (dispatch, resolving
/// the fused kernels' operands) is about 40 ns; at 256 lanes that was a
/// quarter of the exact LIF model's time, at 1024 it is under a tenth. A
/// register then takes 8 KiB: fused chains keep their temporaries in SIMD
/// registers, so the register file of the common models stays small.
pub const CHUNK: usize = 1024;
