//! Synapses in `nerve._core`: the persistent spike queue of a pathway
//! (`SpikeQueue`), and the pathways of a run as `_core.run` receives them.
//! See `nerve_core::schedule::synapses` for the layout and the contract.

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::prelude::*;

use nerve_core::schedule::{Accumulate, Binding, Gather, Side, SpikeQueue, Trigger};

use crate::errors::{EngineError, ProgramError};
use crate::{PyProgram, PyRng};

/// The spike queue of one synaptic pathway; it lives between runs (events
/// in flight at the end of a run arrive in the next).
#[pyclass(name = "SpikeQueue", module = "nerve._core")]
pub struct PySpikeQueue {
    pub(crate) inner: SpikeQueue,
}

#[pymethods]
impl PySpikeQueue {
    #[new]
    fn new() -> Self {
        PySpikeQueue {
            inner: SpikeQueue::new(),
        }
    }

    /// Set the connectivity (`trigger[s]`: the neuron whose events reach
    /// synapse `s`, relative to the triggering (sub)group of `n_trigger`
    /// neurons) and the delays in steps (one per synapse, or one for all).
    fn prepare(
        &mut self,
        trigger: PyReadonlyArray1<'_, i32>,
        n_trigger: usize,
        delays: PyReadonlyArray1<'_, i64>,
    ) -> PyResult<()> {
        let trigger = trigger.as_slice()?;
        let delays = delays.as_slice()?;
        self.inner
            .prepare(trigger, n_trigger, delays)
            .map_err(|e| EngineError(e).into())
    }

    /// Set the connectivity only (when it changed); set the delays after.
    fn set_rows(&mut self, trigger: PyReadonlyArray1<'_, i32>, n_trigger: usize) -> PyResult<()> {
        let trigger = trigger.as_slice()?;
        self.inner
            .set_rows(trigger, n_trigger)
            .map_err(|e| EngineError(e).into())
    }

    /// Set the delays from times in seconds (one per synapse or one for
    /// all), rounded to steps of `dt` (ties to even, as numpy).
    fn set_delays(&mut self, seconds: PyReadonlyArray1<'_, f64>, dt: f64) -> PyResult<()> {
        let seconds = seconds.as_slice()?;
        self.inner
            .set_delays(seconds, dt)
            .map_err(|e| EngineError(e).into())
    }

    /// Bytes held for the rows and the delays (the events in flight not
    /// counted).
    fn nbytes(&self) -> usize {
        self.inner.bytes()
    }

    /// Number of synaptic events in flight.
    fn pending(&self) -> usize {
        self.inner.pending()
    }

    /// The events in flight by steps until they arrive: the synapses each
    /// reaches, in the order they are delivered.
    fn in_flight<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyArray1<i32>>> {
        self.inner
            .in_flight()
            .into_iter()
            .map(|v| PyArray1::from_vec(py, v))
            .collect()
    }

    /// Queue events arriving at `synapses` in `steps` steps (handed over
    /// from another queue); the delays must be set first.
    fn inject(&mut self, steps: usize, synapses: PyReadonlyArray1<'_, i32>) -> PyResult<()> {
        self.inner
            .inject(steps, synapses.as_slice()?)
            .map_err(|e| EngineError(e).into())
    }

    /// Drop every event in flight.
    fn clear(&mut self) {
        self.inner.clear();
    }

    /// An independent copy (`store()`).
    fn copy(&self) -> Self {
        PySpikeQueue {
            inner: self.inner.clone(),
        }
    }
}

/// One pathway as Python gives it: `(synapses, pre, post, pre_index,
/// post_index, program, bindings, trigger, queue)` with `pre`/`post` as
/// `(group, offset, n)`, `bindings` a list of `(kind, column, write)`
/// (kind: "synaptic", "pre", "post", "pre_index", "post_index"), `trigger`
/// `None` or `(group, event, start, stop)`, `queue` `None` or a SpikeQueue,
/// `accumulate` a list of `(slot, side, column)` (side "pre" or "post").
pub type PathwayArgs<'py> = (
    usize,
    (usize, usize, usize),
    (usize, usize, usize),
    PyReadonlyArray1<'py, i32>,
    PyReadonlyArray1<'py, i32>,
    Bound<'py, PyProgram>,
    Vec<(String, usize, bool)>,
    Option<(usize, usize, usize, usize)>,
    Option<PyRefMut<'py, PySpikeQueue>>,
    Vec<(usize, String, usize)>,
);

/// The parts of a pathway that need no borrow.
pub struct Described {
    pub synapses: usize,
    pub pre: Side,
    pub post: Side,
    pub bindings: Vec<Binding>,
    pub trigger: Option<Trigger>,
    pub accumulate: Vec<Accumulate>,
}

pub fn describe(k: usize, args: &PathwayArgs<'_>) -> PyResult<Described> {
    let (synapses, pre, post, pre_index, post_index, _, bindings, trigger, queue, accumulate) =
        args;
    if pre_index.len() != post_index.len() {
        return Err(ProgramError::new_err(format!(
            "pathway {k}: {} presynaptic but {} postsynaptic indices",
            pre_index.len(),
            post_index.len()
        )));
    }
    if trigger.is_some() != queue.is_some() {
        return Err(ProgramError::new_err(format!(
            "pathway {k}: give both a trigger and a queue, or neither"
        )));
    }
    let bindings = bindings
        .iter()
        .map(|(kind, c, write)| {
            let bound = match kind.as_str() {
                "synaptic" => Gather::Synaptic(*c),
                "pre" => Gather::Pre(*c),
                "post" => Gather::Post(*c),
                "pre_index" => Gather::PreIndex,
                "post_index" => Gather::PostIndex,
                "output" => Gather::Output,
                other => {
                    return Err(ProgramError::new_err(format!(
                        "pathway {k}: unknown binding kind {other:?}"
                    )))
                }
            };
            Ok(Binding {
                source: bound,
                write: *write,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let accumulate = accumulate
        .iter()
        .map(|(slot, side, column)| match side.as_str() {
            "pre" | "post" => Ok(Accumulate {
                slot: *slot,
                pre: side == "pre",
                column: *column,
            }),
            other => Err(ProgramError::new_err(format!(
                "pathway {k}: an accumulation goes to \"pre\" or \"post\", not {other:?}"
            ))),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let side = |(group, offset, n): (usize, usize, usize)| Side { group, offset, n };
    Ok(Described {
        synapses: *synapses,
        pre: side(*pre),
        post: side(*post),
        bindings,
        trigger: trigger.map(|(group, event, start, stop)| Trigger {
            group,
            event,
            start,
            stop,
        }),
        accumulate,
    })
}

/// `connect(p=...)`: the pairs of `rows` x `n_post` kept independently with
/// probability `p`, in order, one uniform per kept pair, drawn from `rng`
/// (`nerve_core::connect::skip_sample`). Returns `(pre, post)` int32 arrays.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn skip_sample<'py>(
    py: Python<'py>,
    mut rng: PyRefMut<'py, PyRng>,
    rows: PyReadonlyArray1<'py, i32>,
    n_post: usize,
    p: f64,
) -> PyResult<(Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i32>>)> {
    let rows = rows.as_slice()?;
    let rng = &mut rng.inner;
    let (pre, post) = py
        .detach(|| nerve_core::connect::skip_sample(rng, rows, n_post, p))
        .map_err(EngineError)?;
    Ok((pre.into_pyarray(py), post.into_pyarray(py)))
}
