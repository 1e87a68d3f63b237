"""How each numpy ufunc treats the dimensions of its inputs.

:func:`ufunc_result_dim` returns the dimension of a ufunc's result, or raises
:class:`DimensionMismatchError` naming the operation and both operands.
``None`` as a result means "a plain array" (booleans, dimensionless maths).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from nerve.exceptions import DimensionMismatchError
from nerve.units.dimension import DIMENSIONLESS, Dimension, format_dimension

__all__ = ["ufunc_result_dim", "describe", "mismatch", "zero_compatible"]

# Binary ufuncs whose operands must share a dimension, which the result keeps.
_SAME_KEEP = {"add": "add", "subtract": "subtract", "maximum": "take the maximum of",
              "minimum": "take the minimum of", "fmax": "take the maximum of",
              "fmin": "take the minimum of",
              "remainder": "calculate the remainder of", "fmod": "calculate fmod of",
              "nextafter": "calculate nextafter of"}
# Binary ufuncs whose operands must share a dimension, giving a plain result.
_SAME_PLAIN = {"less": "compare", "less_equal": "compare", "greater": "compare",
               "greater_equal": "compare", "equal": "compare", "not_equal": "compare",
               "arctan2": "calculate arctan2 of"}
_COMPARISONS = {"less", "less_equal", "greater", "greater_equal", "equal", "not_equal"}
# Unary ufuncs that keep the dimension.
_KEEP = {"negative", "positive", "absolute", "fabs", "rint", "floor", "ceil", "trunc",
         "conjugate", "spacing"}
# Ufuncs that accept any dimension and give a plain result.
_PLAIN_ANY = {"isnan", "isinf", "isfinite", "signbit", "sign", "logical_not",
              "logical_and", "logical_or", "logical_xor"}


def describe(value: Any) -> str:
    """A short display of an operand for error messages."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


def mismatch(operation: str, a: Any, b: Any, dim_a: Dimension,
             dim_b: Dimension) -> DimensionMismatchError:
    """The error for a binary operation on operands of different dimensions."""
    return DimensionMismatchError(
        f"Cannot {operation} {describe(a)} and {describe(b)}: the units do not match "
        f"({format_dimension(dim_a)} and {format_dimension(dim_b)})", dim_a, dim_b)


def _needs_dimensionless(name: str, inputs: Sequence[Any],
                         dims: Sequence[Dimension]) -> None:
    for value, dim in zip(inputs, dims):
        if dim is not DIMENSIONLESS:
            raise DimensionMismatchError(
                f"Cannot calculate {name}({describe(value)}): its unit is incompatible "
                f"(the argument must be dimensionless, not {format_dimension(dim)})", dim)


def _unit_free(value: Any, infinities: bool = True) -> bool:
    """Plain zeros (and, for comparisons, infinities) are the same in every unit."""
    if getattr(value, "dim", None) is not None:
        return False
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    # (an empty array has no value that could carry a unit: it fits every one,
    # as in Brian2, e.g. ``vstack((v[spikes], zeros(len(spikes))))`` without spikes)
    return bool(np.all((arr == 0) | np.isinf(arr))) if infinities else bool(np.all(arr == 0))


def zero_compatible(value: Any) -> bool:
    """A plain zero (or array of zeros): compatible with every unit, as in Brian2."""
    return _unit_free(value, infinities=False)


def _exponent(value: Any, base_dim: Dimension, base: Any) -> Fraction | float:
    dim = getattr(value, "dim", DIMENSIONLESS)
    if dim is not DIMENSIONLESS:
        raise DimensionMismatchError(
            f"Cannot raise {describe(base)} to the power {describe(value)}: the exponent's "
            f"unit is incompatible (it must be dimensionless, not {format_dimension(dim)})",
            dim)
    arr = np.asarray(value)
    if base_dim is DIMENSIONLESS:
        return 0
    if arr.size == 0 or not np.all(arr == arr.flat[0]):
        raise DimensionMismatchError(
            f"Cannot raise {describe(base)} to an array of different powers: the units of "
            f"the result would differ from element to element", base_dim)
    return float(arr.flat[0])


def ufunc_result_dim(ufunc: np.ufunc, method: str, inputs: Sequence[Any],
                     dims: Sequence[Dimension]) -> Dimension | None:
    """The dimension of ``ufunc.method(*inputs)`` (``None``: a plain result)."""
    name = ufunc.__name__
    if method == "reduce" or method == "accumulate" or method == "reduceat":
        return _reduction_dim(name, method, inputs, dims)
    if name in _PLAIN_ANY:
        return None
    if name in _KEEP:
        return dims[0]
    if name in _SAME_KEEP or name in _SAME_PLAIN:
        if len(dims) == 2 and dims[0] is not dims[1]:
            free = (lambda v: _unit_free(v)) if name in _COMPARISONS else zero_compatible
            if free(inputs[1]):
                return None if name in _SAME_PLAIN else dims[0]
            if free(inputs[0]):
                return None if name in _SAME_PLAIN else dims[1]
            operation = _SAME_KEEP.get(name) or _SAME_PLAIN[name]
            raise mismatch(operation, inputs[0], inputs[1], dims[0], dims[1])
        return None if name in _SAME_PLAIN else dims[0]
    if name == "multiply" or name == "matmul":
        return dims[0] * dims[1]
    if name in ("divide", "true_divide", "floor_divide"):
        return dims[0] / dims[1]
    if name == "reciprocal":
        return DIMENSIONLESS / dims[0]
    if name == "sqrt":
        return dims[0] ** Fraction(1, 2)
    if name == "cbrt":
        return dims[0] ** Fraction(1, 3)
    if name == "square":
        return dims[0] ** 2
    if name in ("power", "float_power"):
        return dims[0] ** _exponent(inputs[1], dims[0], inputs[0])
    if name == "copysign":
        return dims[0]
    _needs_dimensionless(name, inputs, dims)
    return None


def _reduction_dim(name: str, method: str, inputs: Sequence[Any],
                   dims: Sequence[Dimension]) -> Dimension | None:
    dim = dims[0]
    if name in ("add", "maximum", "minimum", "fmax", "fmin"):
        return dim
    if name in _PLAIN_ANY:
        return None
    if dim is DIMENSIONLESS:
        return None
    raise DimensionMismatchError(
        f"Cannot apply {name}.{method} to {describe(inputs[0])}: the units of the "
        f"result are incompatible with a {format_dimension(dim)} input (use a "
        f"dimensionless array)", dim)
