//! The one error type of the engine. Every failure the core can report is a
//! variant here; the bindings map each variant to a Python exception in one
//! place (`rust/nerve-py/src/errors.rs`). Constructors are `#[cold]` so that
//! error paths never bloat the hot loops.

use std::fmt;

/// Where in a program blob a decode error was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// Byte offset into the blob.
    pub offset: usize,
    /// `Some((block, k))` when the error is in instruction `k` (0-based) of
    /// the named block (`"scalar"` or `"vector"`).
    pub instruction: Option<(&'static str, usize)>,
}

/// Everything that can go wrong in the engine.
#[derive(Clone, Debug, PartialEq)]
pub enum CoreError {
    /// The program blob is malformed or breaks an invariant of the format.
    Decode { at: Location, message: String },
    /// The program was encoded for another version of the IR.
    VersionMismatch { found: u16, expected: u16 },
    /// A program was given a role it cannot play (e.g. `collect` outside a
    /// threshold, a threshold without `collect`).
    Role { role: &'static str, message: String },
    /// A program needs more column slots than the group has.
    ColumnCount {
        role: &'static str,
        needed: usize,
        got: usize,
    },
    /// A state column does not have one value per neuron.
    ColumnLength {
        column: usize,
        expected: usize,
        got: usize,
    },
    /// An index (monitor index, group index, column slot) is out of range.
    IndexOutOfRange {
        what: &'static str,
        index: i64,
        len: usize,
    },
    /// Any other inconsistency in the arguments of a run.
    InvalidArgument { message: String },
    /// The caller asked the run to stop (Ctrl-C); `steps_done` whole steps ran.
    Interrupted { steps_done: u64 },
}

impl CoreError {
    #[cold]
    #[inline(never)]
    pub fn decode(
        offset: usize,
        instruction: Option<(&'static str, usize)>,
        message: impl Into<String>,
    ) -> Self {
        CoreError::Decode {
            at: Location {
                offset,
                instruction,
            },
            message: message.into(),
        }
    }

    #[cold]
    #[inline(never)]
    pub fn version(found: u16, expected: u16) -> Self {
        CoreError::VersionMismatch { found, expected }
    }

    #[cold]
    #[inline(never)]
    pub fn role(role: &'static str, message: impl Into<String>) -> Self {
        CoreError::Role {
            role,
            message: message.into(),
        }
    }

    #[cold]
    #[inline(never)]
    pub fn column_count(role: &'static str, needed: usize, got: usize) -> Self {
        CoreError::ColumnCount { role, needed, got }
    }

    #[cold]
    #[inline(never)]
    pub fn column_length(column: usize, expected: usize, got: usize) -> Self {
        CoreError::ColumnLength {
            column,
            expected,
            got,
        }
    }

    #[cold]
    #[inline(never)]
    pub fn index(what: &'static str, index: i64, len: usize) -> Self {
        CoreError::IndexOutOfRange { what, index, len }
    }

    #[cold]
    #[inline(never)]
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::InvalidArgument {
            message: message.into(),
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::Decode { at, message } => {
                write!(f, "invalid program: {message} (")?;
                if let Some((block, k)) = at.instruction {
                    write!(f, "{block} instruction {k}, ")?;
                }
                write!(f, "byte offset {})", at.offset)
            }
            CoreError::VersionMismatch { found, expected } => write!(
                f,
                "program was encoded for IR version {found}, but this engine runs version {expected} \
                 (rebuild nerve so that Python and the engine agree)"
            ),
            CoreError::Role { role, message } => write!(f, "invalid {role} program: {message}"),
            CoreError::ColumnCount { role, needed, got } => write!(
                f,
                "the {role} program uses {needed} column slot(s) but only {got} column(s) were given"
            ),
            CoreError::ColumnLength { column, expected, got } => write!(
                f,
                "state column {column} has {got} value(s), expected one per neuron ({expected})"
            ),
            CoreError::IndexOutOfRange { what, index, len } => {
                write!(f, "{what} {index} is out of range (valid: 0 to {})", *len as i64 - 1)
            }
            CoreError::InvalidArgument { message } => f.write_str(message),
            CoreError::Interrupted { steps_done } => {
                write!(f, "run interrupted after {steps_done} step(s)")
            }
        }
    }
}

impl std::error::Error for CoreError {}

/// Result type of the engine.
pub type Result<T> = std::result::Result<T, CoreError>;
