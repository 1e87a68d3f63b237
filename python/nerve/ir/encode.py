"""Programs to bytes and back (the binary layout of ``rust/nerve-core/src/ir/mod.rs``).

:func:`decode` checks only what it needs to read a blob safely (magic,
version, length, known opcodes); the full validation (operand kinds, ranges,
read-after-write) is the engine's, done once by ``nerve._core.Program``.
"""

from __future__ import annotations

import struct

from nerve.exceptions import ProgramError
from nerve.ir.opcodes import IR_VERSION, Op
from nerve.ir.program import MAGIC, Instr, Program

__all__ = ["encode", "decode"]

_HEADER = struct.Struct("<4sHHHHHHII")  # magic, version, columns, consts, sregs, vregs, tables, n_scalar, n_vector
_INSTR = struct.Struct("<5H")
_U16 = 0xFFFF
_U32 = 0xFFFFFFFF


def encode(program: Program) -> bytes:
    """The binary form of ``program``."""
    for field, value, limit in (
        ("columns", program.n_columns, _U16), ("constants", len(program.consts), _U16),
        ("scalar registers", program.n_sregs, _U16), ("vector registers", program.n_vregs, _U16),
        ("tables", program.n_tables, _U16),
        ("scalar instructions", len(program.scalar), _U32),
        ("vector instructions", len(program.vector), _U32),
    ):
        if not 0 <= value <= limit:
            raise ProgramError(f"program too large to encode: {value} {field} (at most {limit})")
    parts = [
        _HEADER.pack(MAGIC, IR_VERSION, program.n_columns, len(program.consts),
                     program.n_sregs, program.n_vregs, program.n_tables, len(program.scalar), len(program.vector)),
        struct.pack(f"<{len(program.consts)}d", *program.consts),
    ]
    for ins in (*program.scalar, *program.vector):
        try:
            parts.append(_INSTR.pack(int(ins.op), ins.dst, ins.a, ins.b, ins.c))
        except struct.error:
            raise ProgramError(f"instruction operand out of the u16 range: {ins}") from None
    return b"".join(parts)


def decode(data: bytes) -> Program:
    """Read a binary program back (the inverse of :func:`encode`; the
    tables, which are not in the bytes, come back as ``None`` placeholders)."""
    data = bytes(data)
    if len(data) < _HEADER.size:
        raise ProgramError(f"bytecode too short for its header: {len(data)} bytes")
    magic, version, n_columns, n_consts, n_sregs, n_vregs, n_tables, n_scalar, n_vector = (
        _HEADER.unpack_from(data, 0))
    if magic != MAGIC:
        raise ProgramError(f"not a nerve program: magic {magic!r}, expected {MAGIC!r}")
    if version != IR_VERSION:
        raise ProgramError(f"bytecode IR v{version}, this version of nerve reads v{IR_VERSION}")
    expected = _HEADER.size + 8 * n_consts + _INSTR.size * (n_scalar + n_vector)
    if len(data) != expected:
        raise ProgramError(f"bytecode is {len(data)} bytes, its header announces {expected}")
    offset = _HEADER.size
    consts = struct.unpack_from(f"<{n_consts}d", data, offset)
    offset += 8 * n_consts
    instrs = []
    for _ in range(n_scalar + n_vector):
        code, dst, a, b, c = _INSTR.unpack_from(data, offset)
        try:
            op = Op(code)
        except ValueError:
            raise ProgramError(f"unknown opcode {code} at byte {offset}") from None
        instrs.append(Instr(op, dst, a, b, c))
        offset += _INSTR.size
    return Program(consts=tuple(consts), scalar=tuple(instrs[:n_scalar]),
                   vector=tuple(instrs[n_scalar:]), n_sregs=n_sregs, n_vregs=n_vregs,
                   n_columns=n_columns, tables=(None,) * n_tables)
