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
from nerve.units.dimension import (DIMENSIONLESS, Dimension, UnitTypeError, get_dimensions,
                                   get_or_create_dimension)

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
    dim = getattr(values, "dim", None)
    if isinstance(dim, Dimension):  # an array-like with units (a group's variable view)
        return np.asarray(values), dim
    if isinstance(values, (list, tuple)):
        parts = [_from_nested(v) for v in values]
        dims = {d for _, d in parts}
        if len(dims) > 1:
            with_units = [v for v in values if _holds_quantity(v)]
            if len(with_units) < len(values):
                plain = next(v for v in values if not _holds_quantity(v))
                raise UnitTypeError(
                    f"Cannot make one quantity of {describe(with_units[0])} and {describe(plain)}:"
                    f" mixing quantities and plain numbers is not allowed (multiply the "
                    f"numbers by a unit)")
            first, *_ = (v for v in values if get_dimensions(v) is parts[0][1])
            other = next(v for v in values if get_dimensions(v) is not parts[0][1])
            raise mismatch("combine", first, other, get_dimensions(first), get_dimensions(other))
        dim = dims.pop() if dims else DIMENSIONLESS
        return [p for p, _ in parts], dim
    return values, DIMENSIONLESS


def _holds_quantity(value: Any) -> bool:
    if isinstance(value, Quantity):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_quantity(v) for v in value)
    return False


def _scalar(result: Any) -> Any:
    """A dimensionless 0-d result of Python arithmetic as a Python number (as Brian2)."""
    if not isinstance(result, Quantity) and isinstance(result, (np.generic, np.ndarray)) \
            and result.ndim == 0 and result.dtype.kind in "biuf":
        return result.item()
    return result


def _python_result(name: str):
    def operation(self, *args):
        return _scalar(getattr(np.ndarray, name)(self, *args))

    operation.__name__ = name
    return operation


def _scaling(name: str, ufunc: np.ufunc, reflected: bool):
    """``x * 2``, ``2 * x``, ``x / 2``: with a Python number the result has
    the dimension of ``x``, so the ufunc runs on the values directly, as the
    generic path would run it (that path, through ``__array_ufunc__``, costs
    several times the operation for a scalar: ``-60*mV`` in a loop)."""
    generic = _python_result(name)

    def operation(self, other):
        if type(other) is float or type(other) is int:
            raw = self.view(_plain)
            result = ufunc(other, raw) if reflected else ufunc(raw, other)
            return _scalar(wrap(result, self.dim))
        return generic(self, other)

    operation.__name__ = name
    return operation


def _ordering(name: str):
    """``x < y`` (and ``<=``, ``>``, ``>=``): a string or None on the other side is
    a ``UnitTypeError`` whatever numpy's version (numpy 1.x does not pass them
    to the ufunc, so it would raise its own TypeError)."""
    def operation(self, other):
        if isinstance(other, str) or other is None:
            get_dimensions(other)  # raises
        return getattr(np.ndarray, name)(self, other)

    operation.__name__ = name
    return operation


def _inplace(name: str, plain: str, keeps_dim):
    """``x op= y``: in place for an array whose dimension does not change; a new
    object otherwise (a 0-d quantity behaves like a number, and a name bound to
    the same array never sees its units change)."""
    def operation(self, other):
        if self.ndim > 0 and keeps_dim(self, other):
            return getattr(np.ndarray, name)(self, other)
        return getattr(self, plain)(other)

    operation.__name__ = name
    return operation


def _same_dim(self, other) -> bool:
    return True  # += and -= check and keep the dimension


def _dimensionless_other(self, other) -> bool:
    return get_dimensions(other) is DIMENSIONLESS


def _dimensionless_self(self, other) -> bool:
    return self.dim is DIMENSIONLESS


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
        if dim is not None and not isinstance(dim, Dimension):
            raise UnitTypeError(f"Quantity(): dim must be a Dimension (e.g. "
                                f"get_dimensions(volt)), not {dim!r}")
        raw, found_dim = _from_nested(value)
        try:
            arr = np.array(raw, dtype=dtype, copy=True) if copy else np.asarray(raw, dtype=dtype)
        except (TypeError, ValueError) as err:
            raise UnitTypeError(f"Quantities can only be made of numbers, not "
                                f"{describe(value)} ({err})") from None
        if arr.dtype.kind not in "biufc":
            raise UnitTypeError(f"Quantities can only be made of numbers, not "
                                f"{describe(value)} (of type {type(value).__name__})")
        self = arr.view(cls)
        # as in Brian2, an explicit dim replaces that of a quantity given as value
        self.dim = found_dim if dim is None else dim
        return self

    @staticmethod
    def with_dimensions(value: Any, *args: Any, **keywords: Any) -> "Quantity":
        """A quantity of ``value`` (in SI) with the given dimension: a
        :class:`Dimension`, seven exponents, or keywords such as ``m=1, s=-1``
        (see :func:`get_or_create_dimension`)."""
        if len(args) == 1 and not keywords and isinstance(args[0], Dimension):
            dim = args[0]
        else:
            dim = get_or_create_dimension(*args, **keywords)
        return Quantity(value, dim=dim)

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
        if dim is not self.dim and not (dim is DIMENSIONLESS and _all_zero(raw)):
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
        """Sum of the elements (numpy's arguments), in the same units."""
        return self._method("sum", self.dim, *args, **kwargs)

    def mean(self, *args, **kwargs):
        """Mean of the elements (numpy's arguments), in the same units."""
        return self._method("mean", self.dim, *args, **kwargs)

    def std(self, *args, **kwargs):
        """Standard deviation of the elements (numpy's arguments), in the same units."""
        return self._method("std", self.dim, *args, **kwargs)

    def var(self, *args, **kwargs):
        """Variance of the elements (numpy's arguments), in the units squared."""
        return self._method("var", self.dim ** 2, *args, **kwargs)

    def min(self, *args, **kwargs):
        """Smallest element (numpy's arguments), in the same units."""
        return self._method("min", self.dim, *args, **kwargs)

    def max(self, *args, **kwargs):
        """Largest element (numpy's arguments), in the same units."""
        return self._method("max", self.dim, *args, **kwargs)

    def ptp(self, *args, **kwargs):
        """Range (largest minus smallest element; numpy's arguments), in the same units."""
        return wrap(np.ptp(self.view(_plain), *args, **kwargs), self.dim)

    def cumsum(self, *args, **kwargs):
        """Cumulative sum (numpy's arguments), in the same units."""
        return self._method("cumsum", self.dim, *args, **kwargs)

    def round(self, *args, **kwargs):
        """Elements rounded to ``decimals`` places of the value in SI units."""
        return self._method("round", self.dim, *args, **kwargs)

    def prod(self, axis: Any = None, *args, **kwargs):
        """Product of the elements; the units are raised to the number of factors."""
        if self.dim is DIMENSIONLESS:
            return self._method("prod", None, axis, *args, **kwargs)
        axes = range(self.ndim) if axis is None else np.atleast_1d(axis)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self._method("prod", self.dim ** count, axis, *args, **kwargs)

    def cumprod(self, *args, **kwargs):
        """Cumulative product; only for dimensionless quantities (the units would differ)."""
        if self.dim is not DIMENSIONLESS:
            raise DimensionMismatchError(
                f"Cannot calculate the cumulative product of {describe(self)}: the units of "
                f"its elements would differ (unit incompatible with cumprod)", self.dim)
        return self._method("cumprod", None, *args, **kwargs)

    def clip(self, a_min: Any = None, a_max: Any = None, **kwargs):
        """Elements limited to ``[a_min, a_max]`` (bounds in the same units)."""
        from nerve.units._functions import clip

        return clip(self, a_min, a_max, **kwargs)

    def dot(self, other: Any, *args, **kwargs):
        """Dot product with ``other``; the units multiply."""
        return wrap(np.dot(self.view(_plain), _raw(other), *args, **kwargs),
                    self.dim * get_dimensions(other))

    def argmin(self, *args, **kwargs):
        """Index of the smallest element (a plain integer or array)."""
        return self.view(_plain).argmin(*args, **kwargs)

    def argmax(self, *args, **kwargs):
        """Index of the largest element (a plain integer or array)."""
        return self.view(_plain).argmax(*args, **kwargs)

    def argsort(self, *args, **kwargs):
        """Indices that sort the elements (a plain integer array)."""
        return self.view(_plain).argsort(*args, **kwargs)

    def nonzero(self):
        """Indices of the nonzero elements (plain integer arrays, as numpy's)."""
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
        if precision is not None and not isinstance(precision, (int, np.integer)):
            raise UnitTypeError(f"in_unit(): precision must be an integer, not {precision!r}")
        if get_dimensions(unit) is not self.dim:
            raise mismatch("express", self, "the unit " + str(unit), self.dim,
                           get_dimensions(unit))
        values = self.view(_plain) / float(np.asarray(unit))
        text = format_values(values, precision)
        return text if self.dim is DIMENSIONLESS and not isinstance(unit, Quantity) \
            else text + " " + str(unit)

    def in_best_unit(self, precision: int | None = None) -> str:
        """The values in the unit Brian2 would choose: ``'50. mV'``."""
        return str(self) if precision is None else self.in_unit(best_unit_for(self), precision)

    def item(self, *args: Any) -> Any:
        """One element as a Python number, or as a scalar quantity when it has
        units (as Brian2: ``(3*mV).item()`` is ``3. mV``)."""
        value = self.view(_plain).item(*args)
        return value if self.dim is DIMENSIONLESS else Quantity(value, dim=self.dim)

    def has_same_dimensions(self, other: Any) -> bool:
        """True when ``other`` (a quantity, unit, number or dimension) has this dimension."""
        return get_dimensions(other) is self.dim

    def get_best_unit(self, *regs: Any) -> Any:
        """The unit the quantity is displayed in (``mvolt`` for ``3*mV``)."""
        return best_unit_for(self)

    # -- display (as Brian2) ------------------------------------------------------------
    def __str__(self) -> str:
        """``'3. mV'``, ``'[1. 2.] mV'``; a dimensionless quantity shows its
        values only (``'3.'``)."""
        values = self.view(_plain).astype(float, copy=False) if self.dtype.kind in "biu" \
            else self.view(_plain)
        if self.dim is DIMENSIONLESS:
            return format_values(values)
        unit = best_unit_for(self)
        return format_values(values / float(unit.view(_plain))) + " " + unit.dispname

    def __repr__(self) -> str:
        """``'3. * mvolt'``, ``'array([1., 2.]) * mvolt'``; ``'Quantity(3.)'``
        when dimensionless."""
        values = self.view(_plain).astype(float, copy=False) if self.dtype.kind in "biu" \
            else self.view(_plain)
        if self.dim is DIMENSIONLESS:
            text = format_values(values) if self.ndim == 0 else np.array_repr(values)
            return f"Quantity({text})"
        unit = best_unit_for(self)
        values = values / float(unit.view(_plain))
        text = format_values(values) if self.ndim == 0 else np.array_repr(values)
        return f"{text} * {unit.name}"

    def __format__(self, spec: str) -> str:
        """With a format spec, the value in SI units formatted as a number
        (``f"{0.5*ms:g}"`` is ``'0.0005'``), as in Brian2; without, ``str``."""
        if not spec:
            return str(self)
        if self.ndim != 0:
            raise UnitTypeError(f"unsupported format string {spec!r} passed to "
                                f"Quantity.__format__ (an array of {self.size} values)")
        return format(self.view(_plain)[()].item(), spec)

    # -- Python arithmetic: dimensionless scalars come back as Python numbers ----------
    __add__ = _python_result("__add__")
    __radd__ = _python_result("__radd__")
    __sub__ = _python_result("__sub__")
    __rsub__ = _python_result("__rsub__")
    __mul__ = _scaling("__mul__", np.multiply, False)
    __rmul__ = _scaling("__rmul__", np.multiply, True)
    __truediv__ = _scaling("__truediv__", np.true_divide, False)
    __rtruediv__ = _python_result("__rtruediv__")
    __floordiv__ = _python_result("__floordiv__")
    __rfloordiv__ = _python_result("__rfloordiv__")
    __mod__ = _python_result("__mod__")
    __rmod__ = _python_result("__rmod__")
    __pow__ = _python_result("__pow__")
    __rpow__ = _python_result("__rpow__")
    __neg__ = _python_result("__neg__")
    __pos__ = _python_result("__pos__")
    __abs__ = _python_result("__abs__")
    __lt__ = _ordering("__lt__")
    __le__ = _ordering("__le__")
    __gt__ = _ordering("__gt__")
    __ge__ = _ordering("__ge__")

    __iadd__ = _inplace("__iadd__", "__add__", _same_dim)
    __isub__ = _inplace("__isub__", "__sub__", _same_dim)
    __imul__ = _inplace("__imul__", "__mul__", _dimensionless_other)
    __itruediv__ = _inplace("__itruediv__", "__truediv__", _dimensionless_other)
    __ifloordiv__ = _inplace("__ifloordiv__", "__floordiv__", _dimensionless_other)
    __imod__ = _inplace("__imod__", "__mod__", _same_dim)
    __ipow__ = _inplace("__ipow__", "__pow__", _dimensionless_self)


def _all_zero(raw: Any) -> bool:
    try:
        return bool(np.all(np.asarray(raw) == 0))
    except (TypeError, ValueError):
        return False


def _fmt(dim: Dimension) -> str:
    from nerve.units.dimension import format_dimension

    return format_dimension(dim)
