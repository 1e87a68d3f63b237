"""What each opcode computes on one ``float``: used to fold constants while
lowering and by the reference interpreter (:mod:`nerve.ir.reference`).

The semantics follow the doc lines of the Rust opcode table. Exact IEEE
operations are plain float arithmetic; transcendental functions call the C
library through :mod:`math` (the same ``libm`` the engine's ``f64`` methods
call), and fall back to numpy only where :mod:`math` raises instead of
returning the IEEE special value (overflow, domain errors).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from nerve.ir.opcodes import Op

__all__ = ["SEMANTICS", "evaluate"]


def _libm(math_fn: Callable[..., float], np_fn: Callable[..., object]) -> Callable[..., float]:
    def fn(*args: float) -> float:
        try:
            return float(math_fn(*args))
        except (OverflowError, ValueError, ZeroDivisionError):
            with np.errstate(all="ignore"):
                return float(np_fn(*(np.float64(x) for x in args)))  # type: ignore[arg-type]
    return fn


def _exact(np_fn: Callable[..., object]) -> Callable[..., float]:
    def fn(*args: float) -> float:
        with np.errstate(all="ignore"):
            return float(np_fn(*(np.float64(x) for x in args)))  # type: ignore[arg-type]
    return fn


def _min(a: float, b: float) -> float:  # IEEE minNum, as Rust's f64::min
    if a != a:
        return b
    if b != b:
        return a
    return a if a <= b else b


def _max(a: float, b: float) -> float:  # IEEE maxNum, as Rust's f64::max
    if a != a:
        return b
    if b != b:
        return a
    return a if a >= b else b


def _mod(a: float, b: float) -> float:  # Python's %: the sign of b
    try:
        return a % b
    except ZeroDivisionError:
        return math.nan


def _floordiv(a: float, b: float) -> float:  # Python's // on floats, as the table says
    if b == 0.0:  # Python raises; the engine follows IEEE division
        with np.errstate(all="ignore"):
            return float(np.floor(np.float64(a) / np.float64(b)))
    return float(a) // float(b)


def _sign(a: float) -> float:
    if a != a:
        return a
    return 1.0 if a > 0 else (-1.0 if a < 0 else 0.0)


def _truth(a: float) -> bool:
    return a != 0  # nan counts as true, as any non-zero value


def _exprel(a: float) -> float:  # as sem::exprel in the engine
    if a == 0.0:
        return 1.0
    if a == math.inf:
        return a
    if a > 700.0:
        half = _libm(math.exp, np.exp)(0.5 * a)
        return half * (half / a)
    return math.expm1(a) / a


SEMANTICS: dict[Op, Callable[..., float]] = {
    Op.MOV: lambda a: a,
    Op.ADD: lambda a, b: a + b,
    Op.SUB: lambda a, b: a - b,
    Op.MUL: lambda a, b: a * b,
    Op.DIV: _exact(np.divide),
    Op.POW: _libm(math.pow, np.power),
    Op.MOD: _mod,
    Op.FLOORDIV: _floordiv,
    Op.MIN: _min,
    Op.MAX: _max,
    Op.NEG: lambda a: -a,
    Op.LT: lambda a, b: float(a < b),
    Op.LE: lambda a, b: float(a <= b),
    Op.GT: lambda a, b: float(a > b),
    Op.GE: lambda a, b: float(a >= b),
    Op.EQ: lambda a, b: float(a == b),
    Op.NE: lambda a, b: float(a != b),
    Op.AND: lambda a, b: float(_truth(a) and _truth(b)),
    Op.OR: lambda a, b: float(_truth(a) or _truth(b)),
    Op.NOT: lambda a: float(not _truth(a)),
    Op.SELECT: lambda a, b, c: b if _truth(a) else c,
    Op.ABS: abs,
    Op.SQRT: _exact(np.sqrt),
    Op.EXP: _libm(math.exp, np.exp),
    Op.LOG: _libm(math.log, np.log),
    Op.LOG10: _libm(math.log10, np.log10),
    Op.SIN: _libm(math.sin, np.sin),
    Op.COS: _libm(math.cos, np.cos),
    Op.TAN: _libm(math.tan, np.tan),
    Op.SINH: _libm(math.sinh, np.sinh),
    Op.COSH: _libm(math.cosh, np.cosh),
    Op.TANH: _libm(math.tanh, np.tanh),
    Op.ARCSIN: _libm(math.asin, np.arcsin),
    Op.ARCCOS: _libm(math.acos, np.arccos),
    Op.ARCTAN: _libm(math.atan, np.arctan),
    Op.FLOOR: _exact(np.floor),
    Op.CEIL: _exact(np.ceil),
    Op.TRUNC: _exact(np.trunc),
    Op.SIGN: _sign,
    Op.CLIP: lambda a, lo, hi: _min(_max(a, lo), hi),
    Op.EXPREL: _exprel,
    Op.EXPM1: _libm(math.expm1, np.expm1),
    Op.LOG1P: _libm(math.log1p, np.log1p),
    Op.ROUND: _exact(np.rint),  # ties to even, as f64::round_ties_even
}


def evaluate(op: Op, *args: float) -> float:
    """``op`` applied to float arguments (pure operations only)."""
    return SEMANTICS[op](*(float(x) for x in args))
