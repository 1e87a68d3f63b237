"""The numpy names of the star import, unit-aware where that matters.

numpy's ufuncs (``exp``, ``sqrt``, ``abs``...) are exported as they are: on a
:class:`Quantity` they dispatch to :meth:`Quantity.__array_ufunc__`, which
checks units (``exp(1*volt)`` raises, ``sqrt(4*ms**2)`` is ``2. ms``). The
reductions are wrapped so that they also keep units for a list of quantities
(``mean([1*ms, 3*ms])`` is ``2. ms``), which numpy alone would drop.

As with matplotlib's pylab (which Brian2's star import goes through), the
builtins ``abs``, ``min``, ``max`` and ``round`` are NOT replaced by numpy's:
``min(a, b)`` on two numbers must keep working in a user's script (numpy's
would read ``b`` as an axis). ``amin``, ``amax``, ``absolute`` and ``around``
are the array versions.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable

import numpy as np

from nerve.units.quantity import Quantity

__all__ = [
    # constants
    "pi", "e", "inf", "nan", "newaxis",
    # array creation
    "array", "asarray", "ones", "zeros", "empty", "full", "ones_like", "zeros_like",
    "empty_like", "full_like", "linspace", "logspace", "arange", "meshgrid", "eye",
    # elementwise maths (ufuncs)
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt", "square",
    "power", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh",
    "tanh", "arcsinh", "arccosh", "arctanh", "hypot", "deg2rad", "rad2deg",
    "absolute", "fabs", "sign", "floor", "ceil", "trunc", "rint", "minimum", "maximum",
    "fmin", "fmax", "mod", "isnan", "isinf", "isfinite", "logical_and", "logical_or",
    "logical_not", "logical_xor",
    # reductions (unit-aware wrappers)
    "sum", "mean", "std", "var", "median", "amin", "amax", "ptp", "cumsum",
    "prod", "cumprod", "average", "percentile", "all", "any",
    # array manipulation and searching
    "clip", "where", "concatenate", "hstack", "vstack", "stack", "append", "diff", "sort",
    "argsort", "argmin", "argmax", "nonzero", "count_nonzero", "unique", "reshape", "ravel",
    "tile", "repeat", "roll", "flip", "histogram", "dot", "outer", "interp", "allclose",
    "isclose", "array_equal", "around", "searchsorted", "cross", "transpose",
    "floor_divide", "trace", "diagonal", "exprel",
]

pi, e, inf, nan, newaxis = np.pi, np.e, np.inf, np.nan, np.newaxis
array, asarray, ones, zeros, empty, full = np.array, np.asarray, np.ones, np.zeros, \
    np.empty, np.full
empty_like, full_like = np.empty_like, np.full_like
linspace, logspace, meshgrid, eye = np.linspace, np.logspace, np.meshgrid, np.eye


def ones_like(a: Any, dtype: Any = None, order: str = "K", subok: bool = True,
              shape: Any = None) -> np.ndarray:
    """An array of ones shaped like ``a``, without units (as Brian2's ones_like)."""
    return np.ones_like(np.asarray(a), dtype=dtype, order=order, shape=shape)


def zeros_like(a: Any, dtype: Any = None, order: str = "K", subok: bool = True,
               shape: Any = None) -> np.ndarray:
    """An array of zeros shaped like ``a``, without units (as Brian2's zeros_like)."""
    return np.zeros_like(np.asarray(a), dtype=dtype, order=order, shape=shape)


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Any:
    """numpy's arange, keeping units: ``arange(0, 10*ms, 2*ms)`` is
    ``[0. 2. 4. 6. 8.] ms``. Start, stop and step must share a unit (a plain
    0 fits every unit); an omitted step is 1, an omitted start 0."""
    from nerve.units._functions import common_dim
    from nerve.units.quantity import wrap

    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    dim = common_dim("make a range from", [start, stop, step])
    raw = [np.asarray(v.view(np.ndarray)) if isinstance(v, Quantity) else v
           for v in (start, stop, step)]
    return wrap(np.arange(*raw, dtype=dtype), dim)


exp, exp2, expm1, log, log2, log10, log1p = np.exp, np.exp2, np.expm1, np.log, np.log2, \
    np.log10, np.log1p
sqrt, cbrt, square, power = np.sqrt, np.cbrt, np.square, np.power
sin, cos, tan, arcsin, arccos, arctan, arctan2 = np.sin, np.cos, np.tan, np.arcsin, \
    np.arccos, np.arctan, np.arctan2
sinh, cosh, tanh, arcsinh, arccosh, arctanh = np.sinh, np.cosh, np.tanh, np.arcsinh, \
    np.arccosh, np.arctanh
hypot, deg2rad, rad2deg = np.hypot, np.deg2rad, np.rad2deg
abs, absolute, fabs, sign = np.absolute, np.absolute, np.fabs, np.sign
floor, ceil, trunc, rint = np.floor, np.ceil, np.trunc, np.rint
minimum, maximum, fmin, fmax, mod, floor_divide = np.minimum, np.maximum, np.fmin, np.fmax, \
    np.mod, np.floor_divide
isnan, isinf, isfinite = np.isnan, np.isinf, np.isfinite
logical_and, logical_or, logical_not, logical_xor = np.logical_and, np.logical_or, \
    np.logical_not, np.logical_xor

clip, where, concatenate, hstack, vstack, stack, append = np.clip, np.where, np.concatenate, \
    np.hstack, np.vstack, np.stack, np.append
diff, sort, argsort, argmin, argmax, nonzero = np.diff, np.sort, np.argsort, np.argmin, \
    np.argmax, np.nonzero
count_nonzero, unique, reshape, ravel, tile, repeat, roll, flip = np.count_nonzero, \
    np.unique, np.reshape, np.ravel, np.tile, np.repeat, np.roll, np.flip
histogram, dot, outer, interp, cross, transpose = np.histogram, np.dot, np.outer, np.interp, \
    np.cross, np.transpose
allclose, isclose, array_equal, searchsorted = np.allclose, np.isclose, np.array_equal, \
    np.searchsorted
round, around = np.round, np.round
all, any = np.all, np.any


def _coerce(value: Any) -> Any:
    """A list or tuple holding quantities becomes one Quantity (units checked)."""
    if isinstance(value, (list, tuple)) and _holds_quantity(value):
        return Quantity(value)
    return value


def _holds_quantity(value: Any) -> bool:
    if isinstance(value, Quantity):
        return True
    if isinstance(value, (list, tuple)):
        return builtins.any(_holds_quantity(v) for v in value)
    return False


def _reduction(func: Callable[..., Any]) -> Callable[..., Any]:
    def reduce(a: Any, *args: Any, **kwargs: Any) -> Any:
        return func(_coerce(a), *args, **kwargs)

    reduce.__name__ = reduce.__qualname__ = func.__name__
    reduce.__doc__ = (f"numpy.{func.__name__}, keeping units (also for a list of "
                      f"quantities).\n\n" + (func.__doc__ or "").split("\n\n")[0])
    return reduce


sum = _reduction(np.sum)
mean = _reduction(np.mean)
std = _reduction(np.std)
var = _reduction(np.var)
median = _reduction(np.median)
min = _reduction(np.min)
max = _reduction(np.max)
amin = _reduction(np.amin)
amax = _reduction(np.amax)
ptp = _reduction(np.ptp)
cumsum = _reduction(np.cumsum)
prod = _reduction(np.prod)
cumprod = _reduction(np.cumprod)
average = _reduction(np.average)
percentile = _reduction(np.percentile)


def trace(a: Any, *args: Any, **kwargs: Any) -> Any:
    """numpy.trace, keeping units (``trace(eye(2)*mV)`` is ``2. mV``)."""
    from nerve.units.quantity import wrap

    raw = a.view(np.ndarray) if isinstance(a, Quantity) else a
    return wrap(np.trace(raw, *args, **kwargs), getattr(a, "dim", None))


def diagonal(a: Any, *args: Any, **kwargs: Any) -> Any:
    """numpy.diagonal, keeping units."""
    from nerve.units.quantity import wrap

    raw = a.view(np.ndarray) if isinstance(a, Quantity) else a
    return wrap(np.diagonal(raw, *args, **kwargs), getattr(a, "dim", None))


def exprel(x: Any) -> Any:
    """``(exp(x) - 1) / x``, exact near 0 (1 at 0); ``x`` must be dimensionless."""
    from nerve.units.helpers import fail_for_dimension_mismatch

    fail_for_dimension_mismatch(x, None, f"Cannot calculate exprel({x!r}): its argument must"
                                         f" be dimensionless")
    value = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(value == 0, 1.0, np.expm1(value) / np.where(value == 0, 1.0, value))
    return result[()] if result.ndim == 0 else result
