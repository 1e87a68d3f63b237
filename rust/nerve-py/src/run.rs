//! `_core.run`: a schedule of operations on clocks, run with the GIL
//! released. See `docs/architecture.md` for the contract.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use numpy::{IntoPyArray, PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList, PyTuple};

use nerve_core::schedule::{
    EventRecorder, Link, Overflow, Pathway, RateRecorder, RecorderKind, StateRecorder,
};
use nerve_core::{Action, Clock, Flow, Operation, RecordingPlan, Recordings, Schedule};

use crate::errors::{EngineError, InvalidIndexError, ProgramError, SimulationError};
use crate::inputs::{input_arg, InputArg};
use crate::synapses::{describe, PathwayArgs};
use crate::{PyProgram, PyRng};

/// How often a run re-acquires the GIL to check for Ctrl-C and report progress.
const CHECK_INTERVAL: Duration = Duration::from_millis(5);

/// The state columns of one group: the arrays (kept alive for the call) and
/// their data, as slices made from the arrays' pointers.
///
/// No numpy borrow is held during the run: Python code run by a host
/// operation (a `network_operation`) may read and write the arrays while
/// the engine waits for it, as Brian2 allows. Outside host operations no
/// Python code of nerve touches them (`Network.run` holds the run lock).
/// Arrays kept alive, and slices of their data.
type Borrowed<'py> = (Vec<Bound<'py, PyArray1<f64>>>, Vec<&'static mut [f64]>);

fn column_slices<'py>(
    columns: &Bound<'py, PyAny>,
    group: usize,
    seen: &mut HashSet<usize>,
) -> PyResult<Borrowed<'py>> {
    let mut arrays = Vec::new();
    let mut slices = Vec::new();
    for (k, obj) in columns.try_iter()?.enumerate() {
        let obj = obj?;
        let arr = obj.cast::<PyArray1<f64>>().map_err(|_| {
            ProgramError::new_err(format!(
                "group {group}: state column {k} is not a one-dimensional float64 numpy array"
            ))
        })?;
        let (ptr, len) = {
            let mut rw = arr.try_readwrite().map_err(|e| {
                ProgramError::new_err(format!(
                    "group {group}: state column {k} cannot be written ({e}): is it read-only?"
                ))
            })?;
            let s = rw.as_slice_mut().map_err(|_| {
                ProgramError::new_err(format!(
                    "group {group}: state column {k} is not contiguous in memory"
                ))
            })?;
            (s.as_mut_ptr(), s.len())
        };
        if len > 0 && !seen.insert(ptr as usize) {
            return Err(ProgramError::new_err(format!(
                "group {group}: state column {k} is passed twice"
            )));
        }
        // SAFETY: the array stays alive for the whole call (kept in
        // `arrays`), is contiguous and writeable, and no other slice of it is
        // made (distinct data pointers checked above). Only Python code run
        // from a host call touches it besides the engine, while the engine
        // is paused in that call.
        slices.push(unsafe { std::slice::from_raw_parts_mut(ptr, len) });
        arrays.push(arr.clone());
    }
    Ok((arrays, slices))
}

/// One operation as Python gives it: `(clock, kind, target, event, program)`.
type OpArgs<'py> = (usize, String, usize, usize, Option<Bound<'py, PyProgram>>);

fn operation<'p>(
    (clock, kind, target, event, _): &OpArgs<'_>,
    programs: &'p [Option<Arc<nerve_core::Program>>],
    inputs: &'p [InputArg],
    k: usize,
) -> PyResult<Operation<'p>> {
    let prog = || {
        programs
            .get(k)
            .and_then(|p| p.as_deref())
            .ok_or_else(|| ProgramError::new_err(format!("operation {k} ({kind}) needs a program")))
    };
    let (group, event) = (*target, *event);
    let action = match kind.as_str() {
        "update" => Action::Update {
            group,
            program: prog()?,
        },
        "detect" => Action::Detect {
            group,
            event,
            program: prog()?,
        },
        "on_event" => Action::OnEvent {
            group,
            event,
            program: prog()?,
        },
        "record_state" => Action::RecordState { recorder: *target },
        "record_events" => Action::RecordEvents { recorder: *target },
        "record_rate" => Action::RecordRate { recorder: *target },
        "link" => Action::Link { link: *target },
        "host" => Action::Host { id: *target },
        "propagate" => Action::Propagate { pathway: *target },
        "synaptic" => Action::Synaptic { pathway: *target },
        "generate" | "binomial" => match inputs.get(k) {
            Some(InputArg::Table(table)) => Action::Generate {
                group,
                table: table.as_ref(),
            },
            Some(InputArg::Binomial {
                column,
                start,
                stop,
                draw,
                weight,
            }) => Action::Binomial {
                group,
                column: *column,
                start: *start,
                stop: *stop,
                draw,
                weight: *weight,
            },
            _ => {
                return Err(SimulationError::new_err(format!(
                    "operation {k} ({kind}) has no input"
                )))
            }
        },
        other => {
            return Err(SimulationError::new_err(format!(
                "operation {k}: unknown kind {other:?}"
            )))
        }
    };
    Ok(Operation {
        clock: *clock,
        action,
    })
}

/// The Python side of a run: `host.call(id, t, recordings)` for host
/// operations and `host.poll(t)` now and then (a `False` from either stops
/// the run after the current tick), and Ctrl-C. The first exception stops the run and is re-raised after it.
struct PyHost<'a> {
    host: Option<Py<PyAny>>,
    pending: Option<PyErr>,
    last: Instant,
    dts: &'a Dts,
}

/// The `dt` of the clock of each recorder (to turn steps into times).
struct Dts {
    state: Vec<f64>,
    events: Vec<f64>,
    rates: Vec<f64>,
}

impl PyHost<'_> {
    /// Hand the recordings taken so far to the Python host through `method`
    /// (with the GIL); the run stops when it returns `False` or raises (the
    /// exception is kept for the caller to raise after the run).
    fn ask<F>(&mut self, rec: &mut Recordings, method: F) -> Flow
    where
        F: for<'py> FnOnce(Python<'py>, &Py<PyAny>, Bound<'py, PyTuple>) -> PyResult<Py<PyAny>>,
    {
        let taken = rec.take();
        Python::attach(|py| {
            let result = recordings(py, taken, self.dts).and_then(|recs| match &self.host {
                Some(h) => method(py, h, recs).map(|r| r.bind(py).is(&*PyBool::new(py, false))),
                None => Ok(false),
            });
            match result {
                Ok(false) => Flow::Continue,
                Ok(true) => Flow::Stop,
                Err(e) => {
                    self.pending.get_or_insert(e);
                    Flow::Stop
                }
            }
        })
    }
}

impl nerve_core::Host for PyHost<'_> {
    fn call(&mut self, id: usize, t: f64, rec: &mut Recordings) -> Flow {
        self.ask(rec, |py, host, recs| {
            host.call_method1(py, "call", (id, t, recs))
        })
    }

    fn flush(&mut self, t: f64, rec: &mut Recordings) -> Flow {
        self.ask(rec, |py, host, recs| {
            host.call_method1(py, "flush", (t, recs))
        })
    }

    fn poll(&mut self, t: f64) -> Flow {
        if self.last.elapsed() < CHECK_INTERVAL {
            return Flow::Continue;
        }
        self.last = Instant::now();
        Python::attach(|py| {
            if let Err(e) = py.check_signals() {
                self.pending.get_or_insert(e);
                return Flow::Stop;
            }
            let Some(h) = &self.host else {
                return Flow::Continue;
            };
            match h.call_method1(py, "poll", (t,)) {
                Err(e) => {
                    self.pending.get_or_insert(e);
                    Flow::Stop
                }
                Ok(r) if r.bind(py).is(&*PyBool::new(py, false)) => Flow::Stop,
                Ok(_) => Flow::Continue,
            }
        })
    }
}

/// Recordings as Python objects `(state, events, rates, overflow)`: per
/// state recorder `(times, [values])` with `values` of shape (recordings,
/// indices); per event recorder `(indices: int32, times: float64, [values
/// at the events], counts: uint32 per lane or None)` (a counting recorder
/// has only counts); per rate recorder `(times, counts: uint32)`;
/// `overflow` is `None` or `(kind, recorder, time, needed, limit,
/// refused)` for a recording that did not fit (kind `"state"`, `"events"`
/// or `"rate"`). Times are `step*dt`, converted in place (a `Vec<i64>`
/// mapped to a `Vec<f64>` reuses its allocation).
fn recordings<'py>(py: Python<'py>, rec: Recordings, dts: &Dts) -> PyResult<Bound<'py, PyTuple>> {
    let state = PyList::empty(py);
    for (r, dt) in rec.state.into_iter().zip(&dts.state) {
        let rows = r.steps.len();
        let mut times: Vec<f64> = r.steps.into_iter().map(|s| s as f64 * dt).collect();
        // (a run stopped early leaves the room reserved for the rest of it:
        // give it back; a no-op when the recording filled it)
        times.shrink_to_fit();
        let values = PyList::empty(py);
        for mut v in r.values {
            v.shrink_to_fit();
            let width = v.len().checked_div(rows).unwrap_or(0);
            values.append(v.into_pyarray(py).reshape([rows, width])?)?;
        }
        state.append((times.into_pyarray(py), values))?;
    }
    let events = PyList::empty(py);
    for (r, dt) in rec.events.into_iter().zip(&dts.events) {
        let mut i = r.indices;
        i.shrink_to_fit();
        let mut t: Vec<f64> = r.steps.into_iter().map(|s| s as f64 * dt).collect();
        t.shrink_to_fit();
        let values = PyList::empty(py);
        for v in r.values {
            values.append(v.into_pyarray(py))?;
        }
        let counts = (!r.counts.is_empty()).then(|| r.counts.into_pyarray(py));
        events.append((i.into_pyarray(py), t.into_pyarray(py), values, counts))?;
    }
    let rates = PyList::empty(py);
    for (r, dt) in rec.rates.into_iter().zip(&dts.rates) {
        let t: Vec<f64> = r.steps.into_iter().map(|s| s as f64 * dt).collect();
        rates.append((t.into_pyarray(py), r.counts.into_pyarray(py)))?;
    }
    let overflow = rec.overflow.map(|o: Overflow| {
        let (kind, dt) = match o.kind {
            RecorderKind::State => ("state", &dts.state),
            RecorderKind::Events => ("events", &dts.events),
            RecorderKind::Rate => ("rate", &dts.rates),
        };
        let t = o.step as f64 * dt.get(o.recorder).copied().unwrap_or(0.0);
        (kind, o.recorder, t, o.needed, o.limit, o.refused)
    });
    PyTuple::new(
        py,
        [
            state.into_any(),
            events.into_any(),
            rates.into_any(),
            overflow.into_pyobject(py)?.into_any(),
        ],
    )
}

type GroupArgs<'py> = (usize, Bound<'py, PyAny>, PyRefMut<'py, PyRng>, usize);

/// Run a schedule (see the module documentation of `nerve_core::schedule`).
///
/// Returns `(ticks, stopped, steps, recordings, error)`: `steps` the final
/// step of every clock, `recordings` what the host did not take, `error` the
/// exception that stopped the run (raised by the host or Ctrl-C), or
/// `None`. The caller stores the recordings and the time, then raises it:
/// the state is consistent (the tick in which it was raised completed).
#[pyfunction]
#[pyo3(signature = (groups, clocks, ops, state_recorders, event_recorders, host=None, threads=0, links=Vec::new(), pathways=None, inputs=Vec::new(), rate_recorders=Vec::new(), memory_limit=None, flush_at=None, streamed=None, counted=Vec::new()))]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
pub fn run<'py>(
    py: Python<'py>,
    groups: Vec<GroupArgs<'py>>,
    clocks: Vec<(f64, i64, i64)>,
    ops: Vec<OpArgs<'py>>,
    state_recorders: Vec<(usize, Vec<usize>, Vec<i64>)>,
    event_recorders: Vec<(usize, usize, i64, i64, Vec<usize>)>,
    host: Option<Py<PyAny>>,
    threads: usize,
    links: Vec<(usize, usize, usize, usize, Vec<i64>)>,
    pathways: Option<Vec<PathwayArgs<'py>>>,
    inputs: Vec<Bound<'py, PyAny>>,
    rate_recorders: Vec<(usize, usize, i64, i64)>,
    memory_limit: Option<usize>,
    flush_at: Option<usize>,
    streamed: Option<(Vec<bool>, Vec<bool>, Vec<bool>)>,
    counted: Vec<bool>,
) -> PyResult<(u64, bool, Vec<i64>, Bound<'py, PyTuple>, Option<Py<PyAny>>)> {
    let mut clocks: Vec<Clock> = clocks
        .into_iter()
        .map(|(dt, step, end)| Clock { dt, step, end })
        .collect();
    let index = |what: &str, i: i64| {
        i32::try_from(i)
            .map_err(|_| InvalidIndexError::new_err(format!("{what} {i} is out of range")))
    };
    let state: Vec<StateRecorder> = state_recorders
        .into_iter()
        .map(|(group, columns, indices)| {
            let indices = indices
                .into_iter()
                .map(|i| index("recorded neuron index", i))
                .collect::<PyResult<Vec<i32>>>()?;
            Ok(StateRecorder {
                group,
                columns,
                indices,
            })
        })
        .collect::<PyResult<_>>()?;
    let events: Vec<EventRecorder> = event_recorders
        .into_iter()
        .map(|(group, event, start, stop, columns)| {
            Ok(EventRecorder {
                group,
                event,
                start: index("event recorder start", start)?,
                stop: index("event recorder stop", stop)?,
                columns,
            })
        })
        .collect::<PyResult<_>>()?;
    let rates: Vec<RateRecorder> = rate_recorders
        .into_iter()
        .map(|(group, event, start, stop)| {
            Ok(RateRecorder {
                group,
                event,
                start: index("rate recorder start", start)?,
                stop: index("rate recorder stop", stop)?,
            })
        })
        .collect::<PyResult<_>>()?;
    let (streamed_state, streamed_events, streamed_rates) = streamed.unwrap_or_default();
    let recording = RecordingPlan {
        rate_recorders: &rates,
        limit: memory_limit.unwrap_or(usize::MAX),
        flush_at: flush_at.unwrap_or(usize::MAX),
        streamed_state: &streamed_state,
        streamed_events: &streamed_events,
        streamed_rates: &streamed_rates,
        counted_events: &counted,
    };
    let link_copies: Vec<Link> = links
        .into_iter()
        .map(|(from_group, from_column, to_group, to_column, indices)| {
            Ok(Link {
                from_group,
                from_column,
                to_group,
                to_column,
                indices: indices
                    .into_iter()
                    .map(|i| index("linked neuron index", i))
                    .collect::<PyResult<Vec<i32>>>()?,
            })
        })
        .collect::<PyResult<_>>()?;
    let programs: Vec<Option<Arc<nerve_core::Program>>> = ops
        .iter()
        .map(|op| op.4.as_ref().map(|p| Arc::clone(&p.get().inner)))
        .collect();
    let op_inputs = ops
        .iter()
        .enumerate()
        .map(|(k, op)| input_arg(&op.1, op.3, &inputs, k))
        .collect::<PyResult<Vec<_>>>()?;
    let operations = ops
        .iter()
        .enumerate()
        .map(|(k, op)| operation(op, &programs, &op_inputs, k))
        .collect::<PyResult<Vec<_>>>()?;
    let dt_of = |recorder: usize, kind: RecorderKind| {
        operations
            .iter()
            .find(|op| match op.action {
                Action::RecordState { recorder: r } => kind == RecorderKind::State && r == recorder,
                Action::RecordEvents { recorder: r } => {
                    kind == RecorderKind::Events && r == recorder
                }
                Action::RecordRate { recorder: r } => kind == RecorderKind::Rate && r == recorder,
                _ => false,
            })
            .and_then(|op| clocks.get(op.clock))
            .map_or(0.0, |c| c.dt)
    };
    let dts = Dts {
        state: (0..state.len())
            .map(|r| dt_of(r, RecorderKind::State))
            .collect(),
        events: (0..events.len())
            .map(|r| dt_of(r, RecorderKind::Events))
            .collect(),
        rates: (0..rates.len())
            .map(|r| dt_of(r, RecorderKind::Rate))
            .collect(),
    };

    let mut seen = HashSet::new();
    let mut keep = Vec::with_capacity(groups.len());
    let mut meta = Vec::with_capacity(groups.len());
    for (g, (n, columns, rng, n_events)) in groups.into_iter().enumerate() {
        let (arrays, slices) = column_slices(&columns, g, &mut seen)?;
        keep.push(arrays);
        meta.push((n, slices, rng, n_events));
    }
    let mut parts: Vec<(usize, Vec<&mut [f64]>, usize)> = Vec::with_capacity(meta.len());
    let mut rngs: Vec<&mut nerve_core::Rng> = Vec::with_capacity(meta.len());
    for (n, slices, rng, n_events) in meta.iter_mut() {
        parts.push((*n, std::mem::take(slices), *n_events));
        rngs.push(&mut rng.inner);
    }
    let mut pathways = pathways.unwrap_or_default();
    let mut links = Vec::with_capacity(pathways.len());
    for (k, args) in pathways.iter_mut().enumerate() {
        let described = describe(k, args)?;
        let program = Arc::clone(&args.5.get().inner);
        let (_, _, _, pre_index, post_index, _, _, _, queue, _) = args;
        links.push((
            described,
            pre_index.as_slice()?,
            post_index.as_slice()?,
            program,
            queue.as_deref_mut().map(|q| &mut q.inner),
        ));
    }
    let mut py_host = PyHost {
        host,
        pending: None,
        last: Instant::now(),
        dts: &dts,
    };
    let result = py.detach(|| {
        let mut groups = Vec::with_capacity(parts.len());
        for ((n, cols, n_events), rng) in parts.iter_mut().zip(rngs.iter_mut()) {
            groups.push(nerve_core::Group {
                columns: nerve_core::Columns::new(cols, *n)?,
                rng,
                n_events: *n_events,
            });
        }
        let mut run_pathways: Vec<Pathway<'_, '_>> = links
            .iter_mut()
            .map(|(d, pre_index, post_index, program, queue)| Pathway {
                synapses: d.synapses,
                pre: d.pre,
                post: d.post,
                pre_index,
                post_index,
                program,
                bindings: d.bindings.clone(),
                accumulate: d.accumulate.clone(),
                trigger: d.trigger,
                queue: queue.as_deref_mut(),
            })
            .collect();
        let schedule = Schedule {
            clocks: &mut clocks,
            ops: &operations,
            state_recorders: &state,
            event_recorders: &events,
            links: &link_copies,
            pathways: &mut run_pathways,
        };
        nerve_core::run_with(&mut groups, schedule, threads, &mut py_host, &recording)
    });
    drop(keep);
    let (outcome, rec) = result.map_err(EngineError)?;
    let error = py_host.pending.take().map(|e| e.into_value(py).into_any());
    let steps = clocks.iter().map(|c| c.step).collect();
    let recs = recordings(py, rec, &dts)?;
    Ok((outcome.ticks, outcome.stopped, steps, recs, error))
}
