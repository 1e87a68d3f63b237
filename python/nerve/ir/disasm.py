"""Bytecode to readable text.

The text format is a contract (``docs/architecture.md``, section "ir"): the
Rust disassembler prints the same bytes for the same program, and the golden
files in ``tests/ir/golden/`` pin both. One line per constant and per
instruction, every line ending in a newline::

    ; nerve IR v2: columns=2 consts=2 sregs=6 vregs=3
    K0 = 1e-1
    scalar:
      S4 = div S1 K0
    vector:
      V0 = load col0
      col0 = store V0
"""

from __future__ import annotations

import math
from decimal import Decimal

from nerve.ir.encode import decode
from nerve.ir.opcodes import IR_VERSION, Op
from nerve.ir.program import Instr, Program, operand_index, operand_kind

__all__ = ["disassemble", "format_const", "format_operand"]

_KIND_PREFIX = ("V", "S", "K")


def format_const(x: float) -> str:
    """``x`` as Rust's ``{:e}`` prints an ``f64``: the shortest digits that
    round-trip, one digit before the point, no ``+`` and no leading zeros in
    the exponent (``1e-1``, ``1.005e2``, ``-2.5e-7``, ``inf``, ``NaN``)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    sign, digits, exponent = Decimal(repr(x)).as_tuple()
    assert isinstance(exponent, int)
    while len(digits) > 1 and digits[-1] == 0:
        digits = digits[:-1]
        exponent += 1
    while len(digits) > 1 and digits[0] == 0:  # repr never gives these, but be safe
        digits = digits[1:]
    if digits == (0,):
        exponent = len(digits) - 1
    head, tail = str(digits[0]), "".join(map(str, digits[1:]))
    mantissa = f"{head}.{tail}" if tail else head
    return f"{'-' if sign else ''}{mantissa}e{exponent + len(digits) - 1}"


def format_operand(code: int) -> str:
    """An encoded source operand as ``V3``, ``S1`` or ``K0``."""
    kind = operand_kind(code)
    prefix = _KIND_PREFIX[kind] if kind < len(_KIND_PREFIX) else "?"
    return f"{prefix}{operand_index(code)}"


def _format_instr(ins: Instr) -> str:
    if ins.op is Op.LOAD:
        return f"{format_operand(ins.dst)} = load col{ins.a}"
    if ins.op is Op.STORE:
        return f"col{ins.dst} = store {format_operand(ins.a)}"
    if ins.op is Op.COLLECT:
        return f"collect {format_operand(ins.a)}"
    sources = (ins.a, ins.b, ins.c)[: ins.op.arity]
    return " ".join([format_operand(ins.dst), "=", ins.op.mnemonic, *map(format_operand, sources)])


def disassemble(data: bytes | Program) -> str:
    """The listing of an encoded program (or of a :class:`Program`)."""
    program = data if isinstance(data, Program) else decode(data)
    lines = [f"; nerve IR v{IR_VERSION}: columns={program.n_columns} "
             f"consts={len(program.consts)} sregs={program.n_sregs} vregs={program.n_vregs}"
             + (f" tables={program.n_tables}" if program.n_tables else "")]
    lines += [f"K{k} = {format_const(x)}" for k, x in enumerate(program.consts)]
    lines.append("scalar:")
    lines += [f"  {_format_instr(ins)}" for ins in program.scalar]
    lines.append("vector:")
    lines += [f"  {_format_instr(ins)}" for ins in program.vector]
    return "\n".join(lines) + "\n"
