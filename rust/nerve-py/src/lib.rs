//! The compiled module `nerve._core`: registration and thin wrappers. Every
//! function here converts its arguments, calls one function of `nerve_core`
//! (with the GIL released where it does real work), and maps the error
//! through [`errors::EngineError`].

mod errors;

use std::sync::Arc;
use std::time::{Duration, Instant};

use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadwriteArray1};
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::PyList;

use errors::{EngineError, InvalidIndexError, ProgramError};

/// How often a run re-acquires the GIL to check for Ctrl-C and report progress.
const CHECK_INTERVAL: Duration = Duration::from_millis(5);

/// A decoded, validated bytecode program.
#[pyclass(name = "Program", module = "nerve._core", frozen)]
struct PyProgram {
    inner: Arc<nerve_core::Program>,
}

#[pymethods]
impl PyProgram {
    /// Decode and validate `data` (raises `ProgramError`).
    #[new]
    fn new(data: &[u8]) -> PyResult<Self> {
        let inner = nerve_core::Program::decode(data).map_err(EngineError)?;
        Ok(PyProgram {
            inner: Arc::new(inner),
        })
    }

    /// Number of column slots the program may load or store.
    #[getter]
    fn n_columns(&self) -> usize {
        self.inner.n_columns()
    }

    /// The program as text.
    fn disassemble(&self) -> String {
        self.inner.disassemble()
    }

    fn __repr__(&self) -> String {
        format!("<nerve._core.Program columns={}>", self.inner.n_columns())
    }
}

/// The random streams of one object (one stream of 8 xoshiro256++ generators per chunk).
#[pyclass(name = "Rng", module = "nerve._core")]
struct PyRng {
    inner: nerve_core::Rng,
}

#[pymethods]
impl PyRng {
    #[new]
    fn new(seed: u64, stream: u64) -> Self {
        PyRng {
            inner: nerve_core::Rng::new(seed, stream),
        }
    }

    /// An independent copy of the streams in their current state (`store()`).
    fn copy(&self) -> Self {
        PyRng {
            inner: self.inner.clone(),
        }
    }
}

/// Borrow every array of `columns` read-write, without copying.
fn borrow_columns<'py>(columns: &Bound<'py, PyAny>) -> PyResult<Vec<PyReadwriteArray1<'py, f64>>> {
    let mut out = Vec::new();
    for (k, obj) in columns.try_iter()?.enumerate() {
        let obj = obj?;
        let arr = obj.cast::<PyArray1<f64>>().map_err(|_| {
            ProgramError::new_err(format!(
                "state column {k} is not a one-dimensional float64 numpy array"
            ))
        })?;
        let rw = arr.try_readwrite().map_err(|e| {
            ProgramError::new_err(format!(
                "state column {k} cannot be borrowed for writing ({e}): is it read-only, \
                 or passed twice?"
            ))
        })?;
        out.push(rw);
    }
    Ok(out)
}

/// The contiguous data of borrowed columns.
fn slices<'a>(
    arrays: &'a mut [PyReadwriteArray1<'_, f64>],
    what: &str,
) -> PyResult<Vec<&'a mut [f64]>> {
    arrays
        .iter_mut()
        .enumerate()
        .map(|(k, a)| {
            a.as_slice_mut().map_err(|_| {
                ProgramError::new_err(format!(
                    "{what} column {k} is not contiguous in memory (pass a contiguous float64 array)"
                ))
            })
        })
        .collect()
}

/// Run `program` once over all `n` lanes (e.g. `v = rand()`).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn execute(
    py: Python<'_>,
    program: &Bound<'_, PyProgram>,
    columns: &Bound<'_, PyAny>,
    n: usize,
    mut rng: PyRefMut<'_, PyRng>,
    t: f64,
    dt: f64,
    step: i64,
) -> PyResult<()> {
    let prog = Arc::clone(&program.get().inner);
    let mut arrays = borrow_columns(columns)?;
    let mut cols = slices(&mut arrays, "state")?;
    let rng = &mut rng.inner;
    py.detach(|| {
        let columns = nerve_core::Columns::new(&mut cols, n)?;
        nerve_core::execute(&prog, &columns, rng, t, dt, step)
    })
    .map_err(EngineError)?;
    Ok(())
}

type GroupArgs<'py> = (
    usize,
    Bound<'py, PyAny>,
    Option<Bound<'py, PyProgram>>,
    Option<Bound<'py, PyProgram>>,
    Option<Bound<'py, PyProgram>>,
    PyRefMut<'py, PyRng>,
);

type SpikeArrays<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<f64>>);

/// The whole run loop with the GIL released. See `docs/architecture.md`.
#[pyfunction]
#[pyo3(signature = (groups, state_monitors, spike_groups, start_step, n_steps, dt, progress=None, threads=0))]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    groups: Vec<GroupArgs<'py>>,
    state_monitors: Vec<(usize, Vec<usize>, Vec<i64>)>,
    spike_groups: Vec<usize>,
    start_step: i64,
    n_steps: u64,
    dt: f64,
    progress: Option<Py<PyAny>>,
    threads: usize,
) -> PyResult<(u64, bool, Vec<SpikeArrays<'py>>, Bound<'py, PyList>)> {
    let mut monitors = Vec::with_capacity(state_monitors.len());
    for (m, (group, columns, indices)) in state_monitors.into_iter().enumerate() {
        let indices = indices
            .into_iter()
            .map(|i| {
                i32::try_from(i).map_err(|_| {
                    InvalidIndexError::new_err(format!(
                        "state monitor {m}: neuron index {i} is out of range"
                    ))
                })
            })
            .collect::<PyResult<Vec<i32>>>()?;
        monitors.push(nerve_core::StateMonitor {
            group,
            columns,
            indices,
        });
    }
    let mut arrays = Vec::with_capacity(groups.len());
    let mut meta = Vec::with_capacity(groups.len());
    for (n, columns, update, threshold, reset, rng) in groups {
        arrays.push(borrow_columns(&columns)?);
        let prog = |p: Option<Bound<'py, PyProgram>>| p.map(|p| Arc::clone(&p.get().inner));
        meta.push((n, prog(update), prog(threshold), prog(reset), rng));
    }
    let mut cols = Vec::with_capacity(arrays.len());
    for (g, a) in arrays.iter_mut().enumerate() {
        cols.push(slices(a, &format!("group {g}: state"))?);
    }
    let programs: Vec<_> = meta
        .iter()
        .map(|m| (m.0, m.1.clone(), m.2.clone(), m.3.clone()))
        .collect();
    let mut rngs: Vec<&mut nerve_core::Rng> = meta.iter_mut().map(|m| &mut m.4.inner).collect();

    let mut pending: Option<PyErr> = None;
    let result = py.detach(|| {
        let mut groups = Vec::with_capacity(programs.len());
        for (((n, u, t, r), c), rng) in programs.iter().zip(cols.iter_mut()).zip(rngs.iter_mut()) {
            groups.push(nerve_core::Group {
                columns: nerve_core::Columns::new(c, *n)?,
                update: u.as_deref(),
                threshold: t.as_deref(),
                reset: r.as_deref(),
                rng,
            });
        }
        let mut last = Instant::now();
        let mut callback = |done: u64| -> bool {
            if last.elapsed() < CHECK_INTERVAL {
                return true;
            }
            last = Instant::now();
            Python::attach(|py| {
                if let Err(e) = py.check_signals() {
                    pending = Some(e);
                    return false;
                }
                match progress.as_ref().map(|p| p.call1(py, (done,))) {
                    Some(Err(e)) => {
                        pending = Some(e);
                        false
                    }
                    Some(Ok(r)) => !r.bind(py).is(&*pyo3::types::PyBool::new(py, false)),
                    None => true,
                }
            })
        };
        nerve_core::run(
            &mut groups,
            &monitors,
            &spike_groups,
            start_step,
            n_steps,
            dt,
            threads,
            &mut callback,
        )
    });
    let out = result.map_err(EngineError)?;
    if let Some(e) = pending {
        if !e.is_instance_of::<PyKeyboardInterrupt>(py) {
            return Err(e);
        }
    }
    // Spike times as `step*dt` (what Python computed before), converted in
    // place: a Vec<i64> mapped to a Vec<f64> reuses its allocation. Spare
    // capacity from the amortised growth is returned first.
    let spikes = out
        .spikes
        .into_iter()
        .map(|(mut i, s)| {
            i.shrink_to_fit();
            let mut t: Vec<f64> = s.into_iter().map(|step| step as f64 * dt).collect();
            t.shrink_to_fit();
            (i.into_pyarray(py), t.into_pyarray(py))
        })
        .collect();
    let records = PyList::empty(py);
    for (m, rec) in monitors.iter().zip(out.records) {
        let per_column = PyList::empty(py);
        for values in rec {
            let shape = [out.steps_done as usize, m.indices.len()];
            per_column.append(values.into_pyarray(py).reshape(shape)?)?;
        }
        records.append(per_column)?;
    }
    Ok((out.steps_done, out.interrupted, spikes, records))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let table: Vec<(u16, &str, u8, &str, &str)> = nerve_core::ir::OPCODES
        .iter()
        .map(|o| (o.code, o.name, o.arity, o.block.name(), o.doc))
        .collect();
    m.add("OPCODES", table)?;
    m.add("IR_VERSION", nerve_core::ir::IR_VERSION)?;
    m.add("CHUNK", nerve_core::CHUNK)?;
    m.add_class::<PyProgram>()?;
    m.add_class::<PyRng>()?;
    m.add_function(wrap_pyfunction!(execute, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    Ok(())
}
