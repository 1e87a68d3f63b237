"""A reference interpreter of the bytecode, in numpy.

Slow and simple on purpose: it gives the meaning of a program in a few lines,
so tests can check that lowering preserves the meaning of statements, and it
is the oracle for differential tests against the Rust engine. Every pure
opcode applies :data:`nerve.ir.semantics.SEMANTICS` lane by lane (so folded
constants and interpreted values agree bit for bit); random numbers come from
a numpy ``Generator`` (the engine's streams are different).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from nerve.exceptions import ProgramError
from nerve.ir.encode import decode
from nerve.ir.opcodes import Op
from nerve.ir.program import CONST, SREG, VREG, Program, operand_index, operand_kind
from nerve.ir.semantics import SEMANTICS

__all__ = ["interpret"]

_ARITHMETIC = {Op.ADD: np.add, Op.SUB: np.subtract, Op.MUL: np.multiply}  # exact in numpy


def interpret(program: Program | bytes, columns: Sequence[np.ndarray], *, n: int | None = None,
              lanes: Sequence[int] | np.ndarray | None = None, t: float = 0.0,
              dt: float = 1e-4, step: int = 0,
              rng: np.random.Generator | None = None) -> np.ndarray:
    """Run ``program`` once over ``lanes`` (default: all ``n`` neurons),
    updating ``columns`` (float64 arrays, bound by slot) in place.

    ``N`` is ``n`` (default: the length of the first column). Returns the
    indices collected by a threshold program (empty otherwise).
    """
    if not isinstance(program, Program):
        program = decode(program)
    if len(columns) < program.n_columns:
        raise ProgramError(f"program uses {program.n_columns} columns, got {len(columns)}")
    if n is None:
        n = len(columns[0]) if len(columns) else 0
    idx = np.arange(n) if lanes is None else np.asarray(lanes, dtype=np.int64)
    rng = rng if rng is not None else np.random.default_rng(0)
    sregs: list[float] = [float(t), float(dt), float(n), float(step)]
    sregs += [np.nan] * (program.n_sregs - len(sregs))
    consts = program.consts

    def scalar_source(code: int) -> float:
        kind, k = operand_kind(code), operand_index(code)
        if kind == SREG:
            return sregs[k]
        if kind == CONST:
            return consts[k]
        raise ProgramError(f"vector register V{k} read in the scalar block")

    for ins in program.scalar:
        args = [scalar_source(code) for code in (ins.a, ins.b, ins.c)[: ins.op.arity]]
        sregs[operand_index(ins.dst)] = SEMANTICS[ins.op](*args)

    vregs: list[np.ndarray | None] = [None] * program.n_vregs
    collected = np.zeros(0, dtype=np.int64)

    def source(code: int) -> np.ndarray | float:
        if operand_kind(code) == VREG:
            value = vregs[operand_index(code)]
            if value is None:
                raise ProgramError(f"V{operand_index(code)} read before it is written")
            return value
        return scalar_source(code)

    for ins in program.vector:
        op = ins.op
        if op is Op.STORE:
            columns[ins.dst][idx] = source(ins.a)
            continue
        if op is Op.COLLECT:
            flags = np.broadcast_to(np.asarray(source(ins.a), dtype=float), idx.shape)
            collected = idx[flags != 0]
            continue
        if op is Op.LOAD:
            value = np.asarray(columns[ins.a], dtype=float)[idx].copy()
        elif op is Op.INDEX:
            value = idx.astype(float)
        elif op is Op.RAND:
            value = rng.random(idx.size)
        elif op is Op.RANDN:
            value = rng.standard_normal(idx.size)
        else:
            args = [source(code) for code in (ins.a, ins.b, ins.c)[: op.arity]]
            value = _apply(op, args, idx.size)
        vregs[operand_index(ins.dst)] = value
    return collected


def _apply(op: Op, args: list[np.ndarray | float], size: int) -> np.ndarray:
    if op in _ARITHMETIC:
        with np.errstate(all="ignore"):
            return np.broadcast_to(_ARITHMETIC[op](*args), (size,)).astype(float)
    lanes = [np.broadcast_to(np.asarray(a, dtype=float), (size,)) for a in args]
    fn = SEMANTICS[op]
    return np.fromiter((fn(*map(float, values)) for values in zip(*lanes)),
                       dtype=float, count=size)
