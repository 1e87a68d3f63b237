"""The Python form of one bytecode program, and the operand encoding.

The format itself (header, registers, blocks, invariants) is documented once,
in the module doc of ``rust/nerve-core/src/ir/mod.rs``. A source operand is a
``u16`` whose bits 15..14 give its kind and bits 13..0 its index; the helpers
below build and take apart such operands. Instructions here hold operands
already encoded, exactly as they go into the binary.
"""

from __future__ import annotations

from dataclasses import dataclass

from nerve.ir.opcodes import Op

__all__ = [
    "Instr", "Program", "MAGIC", "PRELOADED_SREGS", "MAX_INDEX",
    "VREG", "SREG", "CONST", "operand", "operand_kind", "operand_index",
]

#: The magic bytes every encoded program starts with.
MAGIC = b"NRVP"
#: Scalar registers preloaded before the scalar block runs: S0 = t, S1 = dt, S2 = N, S3 = step.
PRELOADED_SREGS = 4
#: Largest register or constant index an operand can name (14 bits).
MAX_INDEX = (1 << 14) - 1

#: Operand kinds (bits 15..14 of an operand).
VREG, SREG, CONST = 0, 1, 2


def operand(kind: int, index: int) -> int:
    """Encode a source operand of ``kind`` (:data:`VREG`, :data:`SREG`, :data:`CONST`)."""
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"operand index {index} out of range 0..{MAX_INDEX}")
    return (kind << 14) | index


def operand_kind(code: int) -> int:
    """The kind of an encoded operand."""
    return code >> 14


def operand_index(code: int) -> int:
    """The register or constant index of an encoded operand."""
    return code & MAX_INDEX


@dataclass(frozen=True)
class Instr:
    """One instruction: five ``u16`` as in the binary. ``dst`` is an encoded
    register operand, except for ``store`` (a raw column slot) and ``collect``
    (unused, 0); ``a`` of ``load`` is a raw column slot."""

    op: Op
    dst: int = 0
    a: int = 0
    b: int = 0
    c: int = 0


@dataclass(frozen=True)
class Program:
    """A lowered program: constants, the scalar block (run once per execution),
    the vector block (run per chunk of lanes) and the register counts."""

    consts: tuple[float, ...]
    scalar: tuple[Instr, ...]
    vector: tuple[Instr, ...]
    n_sregs: int
    n_vregs: int
    n_columns: int
    #: the tables ``lookup`` reads (``nerve._core.Table`` objects), by number;
    #: passed to the engine beside the bytes (only their count is encoded)
    tables: tuple = ()

    @property
    def n_tables(self) -> int:
        return len(self.tables)

    @property
    def collects(self) -> bool:
        """Whether the program ends with ``collect`` (a threshold program)."""
        return any(ins.op is Op.COLLECT for ins in self.vector)
