"""Quantities: numpy arrays (and scalars) that carry a physical dimension.

A :class:`Quantity` stores its values in SI units and its :class:`Dimension`
in ``.dim``. Every numpy ufunc goes through :meth:`Quantity.__array_ufunc__`,
which checks or combines the dimensions (see ``_rules``). A result without
dimension is returned as a plain ``ndarray`` or numpy scalar, so
``M.t / ms`` can be handed to matplotlib or numpy directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nerve.exceptions import DimensionMismatchError
from nerve.units._display import best_unit_for, format_values
from nerve.units._rules import describe, mismatch, ufunc_result_dim
from nerve.units.dimension import DIMENSIONLESS, Dimension, get_dimensions

__all__ = ["Quantity", "wrap"]

_plain = np.ndarray


def wrap(raw: Any, dim: Dimension | None) -> Any:
    """``raw`` with dimension ``dim``: a plain value when dimensionless."""
    if dim is None or dim is DIMENSIONLESS:
        return raw
    q = np.asarray(raw).view(Quantity)
    q.dim = dim
    return q


def _raw(value: Any) -> Any:
    return value.view(_plain) if isinstance(value, Quantity) else value


def _from_nested(values: Any) -> tuple[Any, Dimension]:
    """Values and common dimension of a (nested) list of quantities."""
    if isinstance(values, Quantity):
        return values.view(_plain), values.dim
    if isinstance(values, (list, tuple)):
        parts = [_from_nested(v) for v in values]
        dims = {d for _, d in parts}
        if len(dims) > 1:
            first, *_ = (v for v in values if get_dimensions(v) is parts[0][1])
            other = next(v for v in values if get_dimensions(v) is not parts[0][1])
            raise mismatch("combine", first, other, get_dimensions(first), get_dimensions(other))
        dim = dims.pop() if dims else DIMENSIONLESS
        return [p for p, _ in parts], dim
    return values, DIMENSIONLESS


def _foreign(value: Any) -> bool:
    """Whether ``value`` is not an array but takes part in ufuncs itself."""
    return (not isinstance(value, (np.ndarray, np.generic))
            and getattr(type(value), "__array_ufunc__", None) is not None)


class Quantity(np.ndarray):
    """An array or scalar with a physical dimension, stored in SI units.

    ``Quantity(value, dim=None, dtype=None, copy=False)``: ``value`` may be a
    number, an array, another Quantity or a list of quantities of one
    dimension. Usually made by multiplying with a unit: ``3 * mV``.
    """

    __array_priority__ = 1000

    def __new__(cls, value: Any = 0.0, dim: Dimension | None = None, dtype: Any = None,
                copy: bool = False) -> "Quantity":
        raw, found_dim = _from_nested(value)
        arr = np.array(raw, dtype=dtype, copy=True) if copy else np.asarray(raw, dtype=dtype)
        self = arr.view(cls)
        if dim is None:
            self.dim = found_dim
        else:
            if found_dim is not DIMENSIONLESS and found_dim is not dim:
                raise mismatch("convert", value, f"a quantity in {dim}", found_dim, dim)
            self.dim = dim
        return self

    def __array_finalize__(self, obj: Any) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)

    def __reduce__(self):
        return (Quantity, (self.view(_plain).copy(), self.dim))

    # -- numpy protocol --------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any):
        if any(_foreign(x) for x in inputs):
            # an operand with its own __array_ufunc__ (a group's VariableView):
            # let it replace itself by its values first (NEP 13)
            return NotImplemented
        dims = [get_dimensions(x) for x in inputs]
        result_dim = ufunc_result_dim(ufunc, method, inputs, dims)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_raw(o) for o in out)
        kwargs.pop("subok", None)
        result = getattr(ufunc, method)(*(_raw(x) for x in inputs), **kwargs)
        if method == "at":
            return None
        if out is not None:
            for o in out:
                if isinstance(o, Quantity):
                    o.dim = result_dim or DIMENSIONLESS
            return out[0] if len(out) == 1 else out
        if isinstance(result, tuple):
            return tuple(wrap(r, result_dim) for r in result)
        return wrap(result, result_dim)

    def __array_function__(self, func, types, args, kwargs):
        from nerve.units._functions import HANDLED

        if not all(issubclass(t, np.ndarray) for t in types):
            return NotImplemented  # a foreign array-like (a VariableView) goes first
        handler = HANDLED.get(func)
        if handler is not None:
            return handler(*args, **kwargs)
        return super().__array_function__(func, types, args, kwargs)

    # -- indexing ----------------------------------------------------------------
    def __getitem__(self, key: Any) -> Any:
        return wrap(self.view(_plain)[key], self.dim)

    def __setitem__(self, key: Any, value: Any) -> None:
        raw, dim = _from_nested(value)
        if dim is not self.dim:
            raise DimensionMismatchError(
                f"Cannot assign {describe(value)} to elements of a quantity in "
                f"{best_unit_for(self).name}: the units do not match "
                f"({_fmt(dim)} and {_fmt(self.dim)})", dim, self.dim)
        self.view(_plain)[key] = raw

    def __iter__(self):
        # not a generator function: iter() itself must fail on a 0-d quantity,
        # as it does on a 0-d array (matplotlib relies on it to tell scalars
        # from sequences)
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d quantity")
        return (self[i] for i in range(len(self)))

    # -- properties ------------------------------------------------------------
    @property
    def dimensions(self) -> Dimension:
        """The physical dimension (same as ``.dim``)."""
        return self.dim

    @property
    def is_dimensionless(self) -> bool:
        """True when the quantity has no physical dimension."""
        return self.dim is DIMENSIONLESS

    # -- reductions and other methods -------------------------------------------
    def _method(self, name: str, dim: Dimension | None, *args: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _raw(out)
        result = getattr(self.view(_plain), name)(*args, **kwargs)
        if out is not None:
            if isinstance(out, Quantity):
                out.dim = dim or DIMENSIONLESS
            return out
        return wrap(result, dim)

    def sum(self, *args, **kwargs):
        return self._method("sum", self.dim, *args, **kwargs)

    def mean(self, *args, **kwargs):
        return self._method("mean", self.dim, *args, **kwargs)

    def std(self, *args, **kwargs):
        return self._method("std", self.dim, *args, **kwargs)

    def var(self, *args, **kwargs):
        return self._method("var", self.dim ** 2, *args, **kwargs)

    def min(self, *args, **kwargs):
        return self._method("min", self.dim, *args, **kwargs)

    def max(self, *args, **kwargs):
        return self._method("max", self.dim, *args, **kwargs)

    def ptp(self, *args, **kwargs):
        return wrap(np.ptp(self.view(_plain), *args, **kwargs), self.dim)

    def cumsum(self, *args, **kwargs):
        return self._method("cumsum", self.dim, *args, **kwargs)

    def round(self, *args, **kwargs):
        return self._method("round", self.dim, *args, **kwargs)

    def prod(self, axis: Any = None, *args, **kwargs):
        if self.dim is DIMENSIONLESS:
            return self._method("prod", None, axis, *args, **kwargs)
        axes = range(self.ndim) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self._method("prod", self.dim ** count, axis, *args, **kwargs)

    def cumprod(self, *args, **kwargs):
        if self.dim is not DIMENSIONLESS:
            raise DimensionMismatchError(
                f"Cannot calculate the cumulative product of {describe(self)}: the units of "
                f"its elements would differ (unit incompatible with cumprod)", self.dim)
        return self._method("cumprod", None, *args, **kwargs)

    def clip(self, a_min: Any = None, a_max: Any = None, **kwargs):
        from nerve.units._functions import clip

        return clip(self, a_min, a_max, **kwargs)

    def dot(self, other: Any, *args, **kwargs):
        return wrap(np.dot(self.view(_plain), _raw(other), *args, **kwargs),
                    self.dim * get_dimensions(other))

    def argmin(self, *args, **kwargs):
        return self.view(_plain).argmin(*args, **kwargs)

    def argmax(self, *args, **kwargs):
        return self.view(_plain).argmax(*args, **kwargs)

    def argsort(self, *args, **kwargs):
        return self.view(_plain).argsort(*args, **kwargs)

    def nonzero(self):
        return self.view(_plain).nonzero()

    def tolist(self):
        """A (nested) list of Python floats, or of scalar quantities when dimensioned."""
        if self.dim is DIMENSIONLESS:
            return self.view(_plain).tolist()
        if self.ndim == 0:
            return self
        return [item.tolist() if item.ndim else item for item in self]

    # -- units ---------------------------------------------------------------------
    def in_unit(self, unit: Any, precision: int | None = None) -> str:
        """The values expressed in ``unit`` as a string: ``'3. mV'``."""
        if get_dimensions(unit) is not self.dim:
            raise mismatch("express", self, "the unit " + str(unit), self.dim,
                           get_dimensions(unit))
        values = self.view(_plain) / float(np.asarray(unit))
        return format_values(values, precision) + " " + str(unit)

    def in_best_unit(self, precision: int | None = None) -> str:
        """The values in the unit Brian2 would choose: ``'50. mV'``."""
        return str(self) if precision is None else self.in_unit(best_unit_for(self), precision)

    # -- display ---------------------------------------------------------------------
    def __str__(self) -> str:
        if self.dim is DIMENSIONLESS:
            return str(self.view(_plain)[()]) if self.ndim == 0 else str(self.view(_plain))
        unit = best_unit_for(self)
        values = self.view(_plain) / float(unit.view(_plain))
        return format_values(values) + " " + unit.dispname

    def __repr__(self) -> str:
        if self.dim is DIMENSIONLESS:
            return repr(float(self)) if self.ndim == 0 else np.array_repr(self.view(_plain))
        unit = best_unit_for(self)
        values = self.view(_plain) / float(unit.view(_plain))
        text = format_values(values) if self.ndim == 0 else np.array_repr(values)
        return f"{text} * {unit.name}"

    def __format__(self, spec: str) -> str:
        if not spec:
            return str(self)
        if self.dim is DIMENSIONLESS:
            return format(self.view(_plain)[()] if self.ndim == 0 else self.view(_plain), spec)
        unit = best_unit_for(self)
        value = self.view(_plain) / float(unit.view(_plain))
        return format(value[()] if self.ndim == 0 else value, spec) + " " + unit.dispname


def _fmt(dim: Dimension) -> str:
    from nerve.units.dimension import format_dimension

    return format_dimension(dim)
