//! Inputs the engine generates (`nerve_core::schedule::inputs`): the spike
//! table of a `SpikeGeneratorGroup` (`SpikeTable`, which lives between runs
//! with its cursor), and what `generate`/`binomial` operations of a run
//! are given (`_core.run(..., inputs=[...])`, named by the operation's
//! `event` field).

use std::sync::Arc;

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use nerve_core::schedule::{BinomialDraw, SpikeTable};

use crate::errors::{EngineError, SimulationError};

/// Spikes of a `SpikeGeneratorGroup` by step, and the cursor of the next
/// one to emit (kept between runs).
#[pyclass(name = "SpikeTable", module = "nerve._core", frozen)]
pub struct PySpikeTable {
    pub(crate) inner: Arc<SpikeTable>,
}

#[pymethods]
impl PySpikeTable {
    /// `neurons[k]` spikes at step `steps[k]`, sorted by step then neuron,
    /// repeating every `period` steps (0: never). Raises `SimulationError`
    /// for unsorted or repeated spikes.
    #[new]
    fn new(
        steps: PyReadonlyArray1<'_, i64>,
        neurons: PyReadonlyArray1<'_, i32>,
        period: i64,
    ) -> PyResult<Self> {
        let table = SpikeTable::new(
            steps.as_slice()?.to_vec(),
            neurons.as_slice()?.to_vec(),
            period,
        )
        .map_err(EngineError)?;
        Ok(PySpikeTable {
            inner: Arc::new(table),
        })
    }

    /// The index of the next spike to emit.
    #[getter]
    fn get_cursor(&self) -> usize {
        self.inner.cursor()
    }

    #[setter]
    fn set_cursor(&self, k: usize) {
        self.inner.set_cursor(k);
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

/// What one operation of a run gets from `inputs`.
pub enum InputArg {
    None,
    Table(Arc<SpikeTable>),
    Binomial {
        column: usize,
        start: usize,
        stop: usize,
        draw: Box<BinomialDraw>,
        weight: Option<f64>,
    },
}

/// The input of operation `k` of kind `kind`, `inputs[event]`: a
/// `SpikeTable` for `generate`, `(column, start, stop, n, p, weight or None)`
/// for `binomial`.
pub fn input_arg(
    kind: &str,
    event: usize,
    inputs: &[Bound<'_, PyAny>],
    k: usize,
) -> PyResult<InputArg> {
    if kind != "generate" && kind != "binomial" {
        return Ok(InputArg::None);
    }
    let obj = inputs.get(event).ok_or_else(|| {
        SimulationError::new_err(format!(
            "operation {k} ({kind}) names input {event}, but the run has {} inputs",
            inputs.len()
        ))
    })?;
    if kind == "generate" {
        let table = obj.cast::<PySpikeTable>().map_err(|_| {
            SimulationError::new_err(format!("operation {k} (generate) needs a SpikeTable"))
        })?;
        return Ok(InputArg::Table(Arc::clone(&table.get().inner)));
    }
    let (column, start, stop, n, p, weight): (usize, usize, usize, u64, f64, Option<f64>) =
        obj.extract()?;
    Ok(InputArg::Binomial {
        column,
        start,
        stop,
        draw: Box::new(BinomialDraw::new(n, p).map_err(EngineError)?),
        weight,
    })
}
