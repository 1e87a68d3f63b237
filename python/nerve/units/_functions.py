"""Unit-aware versions of numpy functions that are not ufuncs.

``HANDLED`` maps a numpy function to its unit-aware implementation; it is
consulted by :meth:`Quantity.__array_function__`, so ``np.concatenate``,
``np.where``, ``np.clip``, ``np.median``... check and keep units. Functions
missing from the table run numpy's own implementation, whose ufunc calls are
unit-checked anyway.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from nerve.units._rules import mismatch, zero_compatible
from nerve.units.dimension import DIMENSIONLESS, Dimension, get_dimensions
from nerve.units.quantity import Quantity, wrap

__all__ = ["HANDLED", "clip", "common_dim"]

HANDLED: dict[Callable[..., Any], Callable[..., Any]] = {}


def _raw(value: Any) -> Any:
    return value.view(np.ndarray) if isinstance(value, Quantity) else value


def common_dim(operation: str, values: Sequence[Any]) -> Dimension:
    """The dimension shared by ``values`` (``None`` entries and plain zeros,
    which fit every unit, are skipped)."""
    present = [v for v in values if v is not None]
    with_dim = [v for v in present if not zero_compatible(v)]
    if with_dim:
        present = with_dim
    if not present:
        return DIMENSIONLESS
    first = present[0]
    dim = get_dimensions(first)
    for other in present[1:]:
        other_dim = get_dimensions(other)
        if other_dim is not dim:
            raise mismatch(operation, first, other, dim, other_dim)
    return dim


def _implements(*funcs: Callable[..., Any]):
    def register(impl: Callable[..., Any]) -> Callable[..., Any]:
        for func in funcs:
            HANDLED[func] = impl
        return impl

    return register


def _joining(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(arrays: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        arrays = list(arrays)
        dim = common_dim(f"{func.__name__}", arrays)
        return wrap(func([_raw(a) for a in arrays], *args, **kwargs), dim)

    return impl


for _f in (np.concatenate, np.stack, np.hstack, np.vstack, np.column_stack, np.dstack):
    HANDLED[_f] = _joining(_f)


@_implements(np.append)
def _append(arr: Any, values: Any, axis: Any = None) -> Any:
    dim = common_dim("append", [arr, values])
    return wrap(np.append(_raw(arr), _raw(values), axis=axis), dim)


@_implements(np.where)
def _where(condition: Any, *branches: Any) -> Any:
    if not branches:
        return np.where(_raw(condition))
    dim = common_dim("choose (where) between", branches)
    return wrap(np.where(_raw(condition), *(_raw(b) for b in branches)), dim)


@_implements(np.clip)
def clip(a: Any, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Any:
    """``a`` limited to [a_min, a_max]; the bounds must have ``a``'s unit."""
    dim = common_dim("clip", [a, a_min, a_max])
    out = kwargs.pop("out", None)
    result = np.clip(_raw(a), _raw(a_min), _raw(a_max), out=_raw(out), **kwargs)
    if out is not None:
        if isinstance(out, Quantity):
            out.dim = dim
        return out
    return wrap(result, dim)


def _keeping(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(a: Any, *args: Any, **kwargs: Any) -> Any:
        return wrap(func(_raw(a), *args, **kwargs), get_dimensions(a))

    return impl


for _f in (np.median, np.nanmedian, np.nanmean, np.nanmin, np.nanmax, np.nansum, np.nanstd,
           np.diff, np.sort, np.unique, np.ravel, np.reshape, np.transpose, np.squeeze,
           np.atleast_1d, np.atleast_2d, np.tile, np.repeat, np.roll, np.flip, np.ptp,
           np.amin, np.amax, np.cumsum, np.nancumsum, np.trim_zeros, np.copy):
    HANDLED[_f] = _keeping(_f)


def _percentile_for(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(a: Any, q: Any, *args: Any, **kwargs: Any) -> Any:
        return wrap(func(_raw(a), _raw(q), *args, **kwargs), get_dimensions(a))

    return impl


for _f in (np.percentile, np.quantile, np.nanpercentile, np.nanquantile):
    HANDLED[_f] = _percentile_for(_f)


@_implements(np.average)
def _average(a: Any, axis: Any = None, weights: Any = None, **kwargs: Any) -> Any:
    return wrap(np.average(_raw(a), axis=axis, weights=_raw(weights), **kwargs),
                get_dimensions(a))


def _product_for(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        return wrap(func(_raw(a), _raw(b), *args, **kwargs),
                    get_dimensions(a) * get_dimensions(b))

    return impl


for _f in (np.dot, np.inner, np.outer, np.cross, np.kron):
    HANDLED[_f] = _product_for(_f)


@_implements(np.linspace)
def _linspace(start: Any, stop: Any, *args: Any, **kwargs: Any) -> Any:
    dim = common_dim("make a linspace between", [start, stop])
    result = np.linspace(_raw(start), _raw(stop), *args, **kwargs)
    if isinstance(result, tuple):
        return wrap(result[0], dim), wrap(result[1], dim)
    return wrap(result, dim)


@_implements(np.interp)
def _interp(x: Any, xp: Any, fp: Any, *args: Any, **kwargs: Any) -> Any:
    common_dim("interpolate", [x, xp])
    return wrap(np.interp(_raw(x), _raw(xp), _raw(fp), *args, **kwargs), get_dimensions(fp))


def _comparing(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(a: Any, b: Any, *args: Any, **kwargs: Any) -> Any:
        common_dim("compare", [a, b])
        if "atol" in kwargs:
            kwargs["atol"] = _raw(kwargs["atol"])
        return func(_raw(a), _raw(b), *args, **kwargs)

    return impl


for _f in (np.allclose, np.isclose, np.array_equal):
    HANDLED[_f] = _comparing(_f)


@_implements(np.histogram)
def _histogram(a: Any, bins: Any = 10, range: Any = None, **kwargs: Any) -> Any:
    dim = get_dimensions(a)
    if isinstance(bins, (np.ndarray, list, tuple)) and not isinstance(bins, str):
        common_dim("histogram", [a, bins])
    if range is not None:
        common_dim("histogram", [a, *range])
        range = tuple(_raw(r) for r in range)
    counts, edges = np.histogram(_raw(a), bins=_raw(bins), range=range, **kwargs)
    return counts, wrap(edges, dim)


def _trapezoid_for(func: Callable[..., Any]) -> Callable[..., Any]:
    def impl(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
        step_dim = get_dimensions(x) if x is not None else get_dimensions(dx)
        return wrap(func(_raw(y), _raw(x), _raw(dx), axis), get_dimensions(y) * step_dim)

    return impl


_f = np.trapezoid if hasattr(np, "trapezoid") else np.trapz  # numpy < 2.0
HANDLED[_f] = _trapezoid_for(_f)
