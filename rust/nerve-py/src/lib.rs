//! The compiled module `nerve._core`: registration only. Every function here
//! converts its arguments, calls one function of `nerve_core`, and maps the
//! error.

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let table: Vec<(u16, &str, u8, &str, &str)> = nerve_core::ir::OPCODES
        .iter()
        .map(|o| (o.code, o.name, o.arity, o.block.name(), o.doc))
        .collect();
    m.add("OPCODES", table)?;
    m.add("IR_VERSION", nerve_core::ir::IR_VERSION)?;
    m.add("CHUNK", nerve_core::CHUNK)?;
    Ok(())
}
