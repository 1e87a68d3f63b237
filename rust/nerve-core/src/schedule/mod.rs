//! The schedule of a run: operations on clocks, executed without returning
//! to the caller between time steps.
//!
//! A run is described by data, not by kinds of objects: *groups* (state
//! columns, random streams and event buffers), *clocks* (a `dt`, the next
//! step and the step to stop at), and an ordered list of *operations*, each
//! on one clock. Every Python object (a neuron group, a monitor, a user's
//! `network_operation`) contributes operations; the engine never needs to
//! know which object an operation came from, so a new kind of object plugs
//! in by contributing operations, without a change here.
//!
//! ## Time
//!
//! A *tick* runs the operations of the clocks whose next time `step*dt` is
//! the smallest (clocks within `1e-4` of a step of that time count as equal,
//! as in Brian2), in list order, then advances those clocks by one step. The
//! run ends when the earliest clock reaches its `end` step. Operations are
//! given in execution order within a tick (the caller sorts them by slot,
//! order and name).
//!
//! ## Operations
//!
//! - [`Action::Update`]: a program over every lane of a group (state update,
//!   `run_regularly`).
//! - [`Action::Detect`]: a condition program (ending in `collect`) over every
//!   lane; the lanes where it holds replace the group's event buffer `event`
//!   (buffer 0 holds the spikes).
//! - [`Action::OnEvent`]: a program on the lanes of an event buffer (resets,
//!   `run_on_event`).
//! - [`Action::RecordState`] / [`Action::RecordEvents`]: append to a
//!   recorder (see [`Recordings`]).
//! - [`Action::RecordRate`]: append the number of events of a group's range
//!   this step (a population rate; recorders in [`RecordingPlan`]).
//! - [`Action::Link`]: copy another group's column into one of this
//!   group's, through an index per lane (linked variables: read just
//!   before each operation that uses them).
//! - [`Action::Host`]: hand control to the caller ([`Host::call`]), e.g. to
//!   run Python code; the caller may read and write state columns then.
//! - [`Action::Propagate`] / [`Action::Synaptic`]: a program over synapses
//!   that arrive this step / over every synapse ([`synapses`]).
//! - [`Action::Generate`]: this step's spikes of a [`SpikeTable`] replace a
//!   group's spike buffer; [`Action::Binomial`]: binomial counts added to
//!   (or written in) a column ([`inputs`]).
//!
//! An `Update` immediately followed (in list order, possibly with
//! operations in between that neither write the group nor read its event
//! buffer) by a `Detect` of the same group on the same clock is *fused*: both
//! programs run on a chunk while it is in cache. This never changes a result.
//!
//! Groups with at least [`PARALLEL_CHUNKS`] chunks share their chunks among
//! a team of threads kept for the whole run, each chunk claimed by whichever
//! thread is free (helpers park when idle, and the team is used only while it
//! pays: `crate::team`); events are gathered in chunk order and every chunk
//! draws from its own random stream, so results do not depend on the number
//! of threads. Consecutive steps of distinct smaller groups are shared
//! among the team as a *batch*, each step run whole on one thread (see
//! `batch`).

mod batch;
mod deliver;
mod exec;
mod inputs;
mod plan;
mod queue;
mod record;
mod sweep;
mod synapses;

pub use exec::{run, run_with};
pub use inputs::{BinomialDraw, SpikeTable};
pub use queue::{Arrivals, SpikeQueue};
pub use record::{
    EventRecording, Overflow, RateRecorder, RateRecording, RecorderKind, RecordingPlan, Recordings,
    StateRecording,
};
pub use synapses::{Accumulate, Binding, Gather, Pathway, Side, Trigger};

use crate::ir::decode::Program;
use crate::noise::Rng;
use crate::vm::Columns;

/// Groups with at least this many chunks (16384 neurons) run on several
/// threads.
pub const PARALLEL_CHUNKS: usize = 16;

/// The caller is polled (progress, Ctrl-C) about once per this many
/// lane-steps of work (and after at least one tick).
pub const CHECK_EVERY_LANE_STEPS: usize = 1 << 16;

/// Relative tolerance (in steps) under which two clocks' times are equal.
pub const EPSILON_DT: f64 = 1e-4;

/// The state of one group for a run.
pub struct Group<'a, 'c> {
    pub columns: Columns<'c>,
    pub rng: &'a mut Rng,
    /// Number of event buffers (spikes and custom events).
    pub n_events: usize,
}

/// A clock: its time step, the next step to run, and the step at which the
/// run stops (exclusive). `step` is advanced by the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Clock {
    pub dt: f64,
    pub step: i64,
    pub end: i64,
}

impl Clock {
    /// The time of the next step.
    #[inline]
    pub fn t(&self) -> f64 {
        self.step as f64 * self.dt
    }
}

/// What one operation does (see the module documentation).
#[derive(Clone, Copy, Debug)]
pub enum Action<'p> {
    Update {
        group: usize,
        program: &'p Program,
    },
    Detect {
        group: usize,
        event: usize,
        program: &'p Program,
    },
    OnEvent {
        group: usize,
        event: usize,
        program: &'p Program,
    },
    RecordState {
        recorder: usize,
    },
    RecordEvents {
        recorder: usize,
    },
    /// Count this step's events of a rate recorder's range
    /// ([`RecordingPlan::rate_recorders`]).
    RecordRate {
        recorder: usize,
    },
    Link {
        link: usize,
    },
    Host {
        id: usize,
    },
    /// Queue this step's events of a pathway's trigger and run its program
    /// over the synapses whose event arrives now (see [`synapses`]).
    Propagate {
        pathway: usize,
    },
    /// Run a pathway's program over every synapse (summed variables).
    Synaptic {
        pathway: usize,
    },
    /// This step's spikes of `table` replace spike buffer 0 of `group`.
    Generate {
        group: usize,
        table: &'p SpikeTable,
    },
    /// For lanes `start..stop` of `group`: `column += count * weight`, or
    /// `column = count` without a weight, `count` drawn by `draw` from the
    /// lane's chunk stream.
    Binomial {
        group: usize,
        column: usize,
        start: usize,
        stop: usize,
        draw: &'p BinomialDraw,
        weight: Option<f64>,
    },
}

/// `to_group.to_column[k] = from_group.from_column[indices[k]]` for every
/// lane `k` of `to_group` (`indices` holds one index per lane).
#[derive(Clone, Debug)]
pub struct Link {
    pub from_group: usize,
    pub from_column: usize,
    pub to_group: usize,
    pub to_column: usize,
    pub indices: Vec<i32>,
}

/// One entry of the schedule.
#[derive(Clone, Copy, Debug)]
pub struct Operation<'p> {
    pub clock: usize,
    pub action: Action<'p>,
}

/// Record `columns` of `group` at `indices`, on the operation's clock.
#[derive(Clone, Debug)]
pub struct StateRecorder {
    pub group: usize,
    pub columns: Vec<usize>,
    pub indices: Vec<i32>,
}

/// Record the lanes of event buffer `event` of `group` that lie in
/// `start..stop`, as indices relative to `start` (a subgroup), and the
/// values of `columns` at those lanes when the event is recorded.
#[derive(Clone, Debug)]
pub struct EventRecorder {
    pub group: usize,
    pub event: usize,
    pub start: i32,
    pub stop: i32,
    pub columns: Vec<usize>,
}

/// Whether a run goes on after the caller was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Finish the current tick (skipping its remaining `Host` operations),
    /// then stop: the state stays consistent.
    Stop,
}

/// The caller's side of a run.
pub trait Host {
    /// Operation `Action::Host { id }` at time `t`. Recordings made so far
    /// are in `rec` (the caller may take them).
    fn call(&mut self, id: usize, t: f64, rec: &mut Recordings) -> Flow;
    /// Called between ticks, about every [`CHECK_EVERY_LANE_STEPS`] lane-steps;
    /// `t` is the time of the next tick.
    fn poll(&mut self, t: f64) -> Flow;
    /// Streamed recorders hold [`RecordingPlan::flush_at`] bytes: the
    /// caller should take the recordings (`rec.take()`) and write them out.
    /// Called between ticks; `t` is the time of the next tick.
    fn flush(&mut self, _t: f64, _rec: &mut Recordings) -> Flow {
        Flow::Continue
    }
}

/// A host that never stops a run and has no operations.
pub struct NoHost;

impl Host for NoHost {
    fn call(&mut self, _: usize, _: f64, _: &mut Recordings) -> Flow {
        Flow::Continue
    }
    fn poll(&mut self, _: f64) -> Flow {
        Flow::Continue
    }
}

/// Everything a run is given.
pub struct Schedule<'s, 'p> {
    pub clocks: &'s mut [Clock],
    pub ops: &'s [Operation<'p>],
    pub state_recorders: &'s [StateRecorder],
    pub event_recorders: &'s [EventRecorder],
    pub links: &'s [Link],
    /// Programs over synapses, named by `Propagate`/`Synaptic` operations.
    pub pathways: &'s mut [Pathway<'s, 'p>],
}

/// How a run ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Ticks done (each advanced at least one clock by one step).
    pub ticks: u64,
    /// True when the host stopped the run before its end.
    pub stopped: bool,
}
