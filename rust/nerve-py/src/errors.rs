//! The one mapping from the engine's errors to Python exceptions (the classes
//! of `nerve.exceptions`).

use nerve_core::CoreError;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::PyErr;

pyo3::import_exception!(nerve.exceptions, ProgramError);
pyo3::import_exception!(nerve.exceptions, SimulationError);
pyo3::import_exception!(nerve.exceptions, InvalidIndexError);

/// Map an engine error to the exception a user catches.
pub struct EngineError(pub CoreError);

impl From<CoreError> for EngineError {
    fn from(e: CoreError) -> Self {
        EngineError(e)
    }
}

impl From<EngineError> for PyErr {
    fn from(EngineError(e): EngineError) -> PyErr {
        let msg = e.to_string();
        match e {
            CoreError::Decode { .. }
            | CoreError::VersionMismatch { .. }
            | CoreError::Role { .. }
            | CoreError::ColumnCount { .. }
            | CoreError::ColumnLength { .. } => ProgramError::new_err(msg),
            CoreError::IndexOutOfRange { .. } => InvalidIndexError::new_err(msg),
            CoreError::InvalidArgument { .. } => SimulationError::new_err(msg),
            CoreError::Interrupted { .. } => PyKeyboardInterrupt::new_err(msg),
        }
    }
}
