//! The compiled module `nerve._core`: registration and thin wrappers. Every
//! function here converts its arguments, calls one function of `nerve_core`
//! (with the GIL released where it does real work), and maps the error
//! through [`errors::EngineError`].

mod errors;
mod inputs;
mod run;
mod synapses;

use std::sync::Arc;

use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadwriteArray1};
use pyo3::prelude::*;

use errors::{EngineError, ProgramError};

/// A decoded, validated bytecode program.
#[pyclass(name = "Program", module = "nerve._core", frozen)]
struct PyProgram {
    pub(crate) inner: Arc<nerve_core::Program>,
}

/// A table of values `lookup` reads (a `TimedArray`'s values), copied once
/// and shared by every program that reads it.
#[pyclass(name = "Table", module = "nerve._core", frozen)]
struct PyTable {
    inner: Arc<[f64]>,
}

#[pymethods]
impl PyTable {
    /// Copy `values` (a one-dimensional float64 array).
    #[new]
    fn new(values: PyReadonlyArray1<'_, f64>) -> PyResult<Self> {
        let inner: Arc<[f64]> = match values.as_slice() {
            Ok(s) => Arc::from(s),
            Err(_) => Arc::from(values.as_array().iter().copied().collect::<Vec<f64>>()),
        };
        Ok(PyTable { inner })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

#[pymethods]
impl PyProgram {
    /// Decode and validate `data` (raises `ProgramError`); `tables` are the
    /// `Table`s its `lookup` instructions read, in order.
    #[new]
    #[pyo3(signature = (data, tables=None))]
    fn new(data: &[u8], tables: Option<Vec<PyRef<'_, PyTable>>>) -> PyResult<Self> {
        let mut inner = nerve_core::Program::decode(data).map_err(EngineError)?;
        let tables: Vec<Arc<[f64]>> = tables
            .unwrap_or_default()
            .iter()
            .map(|t| Arc::clone(&t.inner))
            .collect();
        if !tables.is_empty() || inner.n_tables() > 0 {
            inner = inner.with_tables(tables).map_err(EngineError)?;
        }
        Ok(PyProgram {
            inner: Arc::new(inner),
        })
    }

    /// Number of tables the program reads.
    #[getter]
    fn n_tables(&self) -> usize {
        self.inner.n_tables()
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
    pub(crate) inner: nerve_core::Rng,
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

    /// The streams of one group made of the copies whose streams are
    /// `parts` (in lane order, `lanes` lanes each): each copy's lanes draw
    /// what they would draw alone.
    #[staticmethod]
    fn fused(parts: Vec<PyRef<'_, PyRng>>, lanes: usize) -> PyResult<Self> {
        let refs: Vec<&nerve_core::Rng> = parts.iter().map(|p| &p.inner).collect();
        Ok(PyRng {
            inner: nerve_core::Rng::fused(&refs, lanes).map_err(EngineError)?,
        })
    }

    /// Give the copies `parts` (as given to `fused`) their streams as they
    /// are now.
    fn unfuse(&self, parts: Vec<PyRefMut<'_, PyRng>>) -> PyResult<()> {
        let mut parts = parts;
        let mut refs: Vec<&mut nerve_core::Rng> = parts.iter_mut().map(|p| &mut p.inner).collect();
        self.inner.unfuse(&mut refs).map_err(EngineError)?;
        Ok(())
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
    m.add_class::<PyTable>()?;
    m.add_class::<synapses::PySpikeQueue>()?;
    m.add_class::<inputs::PySpikeTable>()?;
    m.add_function(wrap_pyfunction!(synapses::skip_sample, m)?)?;
    m.add_function(wrap_pyfunction!(execute, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    Ok(())
}
