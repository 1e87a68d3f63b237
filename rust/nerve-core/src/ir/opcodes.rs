//! THE opcode table. One row per operation; everything else (the `Op` enum, the
//! name table exported to Python as `_core.OPCODES`, the validator's arity and
//! block checks) is generated from it. Changing a row changes the format: bump
//! [`crate::ir::IR_VERSION`] and regenerate the golden files in `tests/ir/golden/`.
//!
//! Columns of a row: number, Rust variant, exported name, number of source
//! operands (`a`, `b`, `c` in that order), the block(s) it may appear in, and
//! a one-line description of its semantics. Booleans are `1.0` (true) and
//! `0.0` (false); any non-zero source counts as true.

/// Where an opcode may appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// Only in the scalar block (run once per program execution).
    Scalar,
    /// Only in the vector block (run once per lane).
    Vector,
    /// In either block.
    Both,
}

impl Block {
    /// The name exported to Python.
    pub const fn name(self) -> &'static str {
        match self {
            Block::Scalar => "scalar",
            Block::Vector => "vector",
            Block::Both => "both",
        }
    }
}

/// One row of the table, as exported to Python.
#[derive(Clone, Copy, Debug)]
pub struct OpInfo {
    pub code: u16,
    pub name: &'static str,
    pub arity: u8,
    pub block: Block,
    pub doc: &'static str,
}

macro_rules! opcode_table {
    ($( $code:literal $variant:ident $name:literal $arity:literal $block:ident $doc:literal ; )*) => {
        /// An operation of the bytecode. See the module documentation of
        /// [`crate::ir`] for the operand encoding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u16)]
        pub enum Op {
            $( #[doc = $doc] $variant = $code, )*
        }

        /// Every opcode, in table order.
        pub const OPCODES: &[OpInfo] = &[
            $( OpInfo { code: $code, name: $name, arity: $arity, block: Block::$block, doc: $doc }, )*
        ];

        impl Op {
            /// Decode an opcode number; `None` for numbers not in the table.
            pub const fn from_code(code: u16) -> Option<Op> {
                match code {
                    $( $code => Some(Op::$variant), )*
                    _ => None,
                }
            }

            /// The row of the table describing this opcode.
            pub const fn info(self) -> &'static OpInfo {
                let mut k = 0;
                while k < OPCODES.len() {
                    if OPCODES[k].code == self as u16 {
                        return &OPCODES[k];
                    }
                    k += 1;
                }
                // Every variant has a row: the macro generates both from one list.
                unreachable!()
            }
        }
    };
}

opcode_table! {
    // -- data movement and sources ------------------------------------------------
    1  Mov      "mov"      1 Both   "dst = a";
    2  Load     "load"     1 Vector "dst = column[a][lane]; operand a is a raw column slot, not an encoded operand";
    3  Store    "store"    1 Vector "column[dst][lane] = a; dst is a raw column slot, not an encoded operand";
    4  Index    "index"    0 Vector "dst = global index of the lane's neuron (as f64)";
    5  Rand     "rand"     0 Vector "dst = uniform random number in [0, 1) from the lane's stream";
    6  Randn    "randn"    0 Vector "dst = standard normal random number from the lane's stream";
    8  Binomial "binomial" 2 Vector "dst = random number of successes in a trials of probability b, from the lane's stream (nerve_core::noise::fill_binomial); nan for invalid a or b";
    9  Poisson  "poisson"  1 Vector "dst = Poisson random number of mean a, from the lane's stream (nerve_core::noise::fill_poisson); nan for a < 0 or nan";
    7  Collect  "collect"  1 Vector "record the lane's neuron as an event (spike) when a != 0; threshold programs only";
    // -- arithmetic -------------------------------------------------------------------
    10 Add      "add"      2 Both   "dst = a + b";
    11 Sub      "sub"      2 Both   "dst = a - b";
    12 Mul      "mul"      2 Both   "dst = a * b";
    13 Div      "div"      2 Both   "dst = a / b (IEEE: x/0 is inf or nan)";
    14 Pow      "pow"      2 Both   "dst = a ** b (powf)";
    15 Mod      "mod"      2 Both   "dst = a mod b with the sign of b, as Python's %";
    16 FloorDiv "floordiv" 2 Both   "dst = a // b as Python computes it for floats (floor of the exact quotient, which can differ from floor(a / b) after rounding); floor(a / b) when b == 0";
    17 Min      "min"      2 Both   "dst = min(a, b)";
    18 Max      "max"      2 Both   "dst = max(a, b)";
    19 Neg      "neg"      1 Both   "dst = -a";
    // -- comparisons and logic (results are 1.0 or 0.0) ------------------------------
    20 Lt       "lt"       2 Both   "dst = a < b";
    21 Le       "le"       2 Both   "dst = a <= b";
    22 Gt       "gt"       2 Both   "dst = a > b";
    23 Ge       "ge"       2 Both   "dst = a >= b";
    24 Eq       "eq"       2 Both   "dst = a == b";
    25 Ne       "ne"       2 Both   "dst = a != b";
    26 And      "and"      2 Both   "dst = (a != 0) and (b != 0)";
    27 Or       "or"       2 Both   "dst = (a != 0) or (b != 0)";
    28 Not      "not"      1 Both   "dst = (a == 0)";
    29 Select   "select"   3 Both   "dst = b if a != 0 else c";
    // -- functions ---------------------------------------------------------------------
    40 Abs      "abs"      1 Both   "dst = |a|";
    41 Sqrt     "sqrt"     1 Both   "dst = sqrt(a)";
    42 Exp      "exp"      1 Both   "dst = e ** a";
    43 Log      "log"      1 Both   "dst = natural logarithm of a";
    44 Log10    "log10"    1 Both   "dst = base-10 logarithm of a";
    45 Sin      "sin"      1 Both   "dst = sin(a)";
    46 Cos      "cos"      1 Both   "dst = cos(a)";
    47 Tan      "tan"      1 Both   "dst = tan(a)";
    48 Sinh     "sinh"     1 Both   "dst = sinh(a)";
    49 Cosh     "cosh"     1 Both   "dst = cosh(a)";
    50 Tanh     "tanh"     1 Both   "dst = tanh(a)";
    51 Arcsin   "arcsin"   1 Both   "dst = arcsin(a)";
    52 Arccos   "arccos"   1 Both   "dst = arccos(a)";
    53 Arctan   "arctan"   1 Both   "dst = arctan(a)";
    54 Floor    "floor"    1 Both   "dst = floor(a)";
    55 Ceil     "ceil"     1 Both   "dst = ceil(a)";
    56 Trunc    "trunc"    1 Both   "dst = a rounded toward zero (Python's int())";
    57 Sign     "sign"     1 Both   "dst = -1, 0 or 1 with the sign of a (0 for 0, nan for nan)";
    58 Clip     "clip"     3 Both   "dst = min(max(a, b), c)";
    59 Exprel   "exprel"   1 Both   "dst = (e ** a - 1) / a, 1 for a == 0: expm1(a) / a, and e**(a/2) * (e**(a/2) / a) for a > 700, where e ** a alone would overflow";
    60 Expm1    "expm1"    1 Both   "dst = e ** a - 1, accurate for small a";
    61 Log1p    "log1p"    1 Both   "dst = natural logarithm of 1 + a, accurate for small a";
    62 Round    "round"    1 Both   "dst = a rounded to the nearest integer, ties to even (numpy's round)";
    // -- tables --------------------------------------------------------------------------
    70 Lookup   "lookup"   2 Both   "dst = table[a][b]: a is a constant holding the number of a table passed with the program; b is truncated toward zero; nan when b is nan or outside the table";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let mut codes: Vec<u16> = OPCODES.iter().map(|o| o.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), OPCODES.len());
        let mut names: Vec<&str> = OPCODES.iter().map(|o| o.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OPCODES.len());
        for info in OPCODES {
            let op = Op::from_code(info.code).expect("every row decodes");
            assert_eq!(op.info().name, info.name);
            assert!(info.arity <= 3);
        }
        assert_eq!(Op::from_code(0), None);
        assert_eq!(Op::from_code(9999), None);
    }
}
