//! The bytecode IR: the only language the engine understands.
//!
//! Python lowers unit-checked statements (state updates, thresholds, resets,
//! per-neuron assignments) to *programs*. Everything here is SI `f64`: units
//! end in Python, before lowering. A program is validated once when it is
//! decoded ([`decode`]); the interpreter then trusts it.
//!
//! # Execution model
//!
//! A program runs over a set of *lanes*, one lane per neuron of a group: either
//! all neurons (state update, threshold, assignments), processed in chunks of
//! at most [`crate::CHUNK`] lanes, or a list of neuron indices (the reset
//! program runs on the neurons that spiked). It has two blocks of straight-line
//! code (no branches):
//!
//! 1. the **scalar block**, run once per execution of the program (once per
//!    time step for an update program), computes loop-invariant values such as
//!    `exp(-dt/tau)` into scalar registers;
//! 2. the **vector block**, run once per chunk of lanes, where every
//!    instruction is one tight loop over the chunk.
//!
//! # Registers and operands
//!
//! - `V0..Vn`: vector registers, [`crate::CHUNK`] `f64` lanes each. Their
//!   content is undefined at the start of each chunk: a program must write a
//!   vector register before it reads it (checked by the validator).
//! - `S0..Sn`: scalar registers. Four are preloaded before the scalar block
//!   runs: `S0 = t` (time at the start of the step, `step * dt`, in seconds),
//!   `S1 = dt` (seconds), `S2 = N` (number of neurons in the group), `S3 =
//!   step` (the integer time step, as `f64`). Others must be written before
//!   they are read.
//! - `K0..Kn`: constants stored in the program.
//! - column slots `0..n_columns`: the group's state variables, bound by
//!   position when the program runs. Only `load` and `store` name a column,
//!   with a raw slot number.
//!
//! A source operand is a `u16`: bits 15..14 give its kind, bits 13..0 its
//! index: `0b00` vector register, `0b01` scalar register, `0b10` constant
//! (`0b11` is invalid). A destination is a vector register in the vector
//! block and a scalar register in the scalar block, encoded the same way;
//! the exception is `store`, whose `dst` is a raw column slot. In the scalar
//! block sources are scalar registers or constants; in the vector block they
//! may be of any kind (scalars are broadcast). Unused operands are `0`.
//!
//! # Tables
//!
//! A program may read `n_tables` arrays of `f64` given to the engine beside
//! it (not in the blob: a `TimedArray` shared by several programs is stored
//! once). `lookup` names a table by a constant operand holding its number,
//! checked on decode to be a whole number below `n_tables`; the tables
//! themselves are attached after decoding ([`decode::Program::with_tables`]),
//! and a program whose tables are missing does not run.
//!
//! # Binary layout (little-endian)
//!
//! ```text
//! offset  size  field
//! 0       4     magic  b"NRVP"
//! 4       2     IR version (u16), must equal IR_VERSION
//! 6       2     n_columns (u16)   column slots the program may load/store
//! 8       2     n_consts (u16)
//! 10      2     n_sregs (u16)     scalar registers, >= 4 (the preloaded ones)
//! 12      2     n_vregs (u16)
//! 14      2     n_tables (u16)    tables `lookup` may read, passed with the program
//! 16      4     n_scalar (u32)    instructions in the scalar block
//! 20      4     n_vector (u32)    instructions in the vector block
//! 24      8*n_consts              constants (f64)
//! ...     10*n_scalar             scalar block
//! ...     10*n_vector             vector block; the blob ends here exactly
//! ```
//!
//! Each instruction is five `u16`: `opcode, dst, a, b, c`. The opcodes, their
//! arity, the blocks they may appear in, and their semantics are in the one
//! table of [`opcodes`].
//!
//! # Invariants checked on decode
//!
//! Magic and version; exact length; every opcode in the table and allowed in
//! its block; operand kinds valid for the block; register, constant and
//! column indices in range; unused operands zero; every register read after
//! it is written (in program order, the preloaded scalars excepted); the
//! table operand of `lookup` a constant naming one of the `n_tables`; at most
//! `u16` limits everywhere. `collect` appears only in programs run as
//! thresholds (checked when a program is attached to that role).

pub mod asm;
pub mod chain;
mod check;
pub mod decode;
mod disasm;
pub mod opcodes;
mod range;
mod rename;

pub use opcodes::{Block, Op, OpInfo, OPCODES};

/// The version of the format above. Any change to the format or to the
/// opcode table bumps it.
pub const IR_VERSION: u16 = 2;

/// The magic bytes every program starts with.
pub const MAGIC: [u8; 4] = *b"NRVP";

/// Number of scalar registers preloaded before the scalar block runs
/// (`S0 = t`, `S1 = dt`, `S2 = N`, `S3 = step`).
pub const PRELOADED_SREGS: u16 = 4;
