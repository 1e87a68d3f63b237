"""Helpers for checking and converting units."""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import numpy as np

from nerve.exceptions import DimensionMismatchError
from nerve.units._display import format_values
from nerve.units._rules import describe, zero_compatible
from nerve.units.dimension import (DIMENSIONLESS, Dimension, UnitTypeError, format_dimension,
                                   get_dimensions)
from nerve.units.quantity import Quantity

__all__ = ["have_same_dimensions", "is_dimensionless", "in_unit", "in_best_unit",
           "check_units", "fail_for_dimension_mismatch", "is_scalar_type", "register_new_unit"]


def have_same_dimensions(a: Any, b: Any) -> bool:
    """True when ``a`` and ``b`` (quantities, units, numbers or dimensions)
    have the same physical dimension."""
    return get_dimensions(a) is get_dimensions(b)


def is_dimensionless(value: Any) -> bool:
    """True for plain numbers and arrays, and for dimensionless quantities."""
    return get_dimensions(value) is DIMENSIONLESS


def in_unit(value: Any, unit: Any, precision: int | None = None) -> str:
    """``value`` written in ``unit``: ``in_unit(0.05*volt, mV) == '50. mV'``."""
    if isinstance(value, Quantity):
        return value.in_unit(unit, precision)
    fail_for_dimension_mismatch(value, unit, f"Cannot express {describe(value)} in {unit}")
    return format_values(np.asarray(value) / float(np.asarray(unit)), precision) + " " + str(unit)


def is_scalar_type(obj: Any) -> bool:
    """True for a plain number or a 0-d plain array (not for a quantity), as Brian2."""
    if isinstance(obj, Quantity):
        return False
    if isinstance(obj, (int, float, complex, np.number, np.bool_)):
        return True
    return isinstance(obj, np.ndarray) and obj.ndim == 0


def register_new_unit(unit: Any) -> None:
    """Make ``unit`` a candidate for displaying quantities of its dimension
    (after the standard units and those the program made, as Brian2)."""
    from nerve.units._display import register_additional
    from nerve.units.unit import Unit

    if not isinstance(unit, Unit):
        raise UnitTypeError(f"register_new_unit() takes a Unit, not {describe(unit)}")
    register_additional(unit)


def in_best_unit(value: Any, precision: int | None = None) -> str:
    """``value`` written in the unit it is displayed in: ``in_best_unit(0.05*volt)``
    is ``'50. mV'``; a plain number is written as it is (``'3'``)."""
    if isinstance(value, Quantity):
        return value.in_best_unit(precision)
    get_dimensions(value)  # a TypeError for strings and None
    return str(value)


def fail_for_dimension_mismatch(a: Any, b: Any = None, message: str | None = None,
                                ) -> tuple[Dimension, Dimension]:
    """Raise :class:`DimensionMismatchError` unless ``a`` and ``b`` have the
    same dimension (``b=None``: unless ``a`` is dimensionless). As in Brian2,
    a plain 0 (or array of zeros) fits every unit, so ``G.v = 0`` can be
    checked with ``fail_for_dimension_mismatch(0, volt)``. ``message`` says
    what was being done; the units involved are appended to it. Returns the
    two dimensions."""
    dim_a = get_dimensions(a)
    dim_b = get_dimensions(b) if b is not None else DIMENSIONLESS
    if dim_a is not dim_b and not (zero_compatible(a) or zero_compatible(b)):
        text = message or f"Cannot combine {describe(a)} and {describe(b)}"
        raise DimensionMismatchError(
            f"{text}: the units do not match ({format_dimension(dim_a)} and "
            f"{format_dimension(dim_b)})", dim_a, dim_b)
    return dim_a, dim_b


def _expected_dim(spec: Any) -> Dimension | None:
    """The dimension a ``check_units`` specification asks for (None: no check)."""
    if spec is None or isinstance(spec, bool):
        return None
    if isinstance(spec, Dimension):
        return spec
    if isinstance(spec, str) or callable(spec) and not isinstance(spec, Quantity):
        raise UnitTypeError(f"check_units: {spec!r} is not a unit specification here")
    return get_dimensions(spec)


def _mismatch(func: Callable[..., Any], name: str, value: Any, found: Dimension,
              expected: Dimension) -> DimensionMismatchError:
    return DimensionMismatchError(
        f"{func.__name__}() was called with {name}={describe(value)}, whose unit does not "
        f"match the declared one ({format_dimension(found)} instead of "
        f"{format_dimension(expected)})", found, expected)


def check_units(**specs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator checking the units of a function's arguments and result.

    ``@check_units(v=volt, tau=second, result=volt)``; ``1`` asks for a
    dimensionless value, ``None`` for no check, ``bool`` for a boolean, the
    name of another argument for that argument's units (``y='x'``). An
    argument may be a list of quantities (``[1*mV, 2*mV]``). ``result`` may
    also be a function of the arguments' dimensions
    (``result=lambda x: x**2``). A mismatch raises
    :class:`DimensionMismatchError` naming the function, the argument, its
    value and both units; ``None`` passes only where no unit is required.
    """
    result_spec = specs.pop("result", None)

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func)
        unknown = set(specs) - set(signature.parameters)
        if unknown and not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
            raise UnitTypeError(f"check_units: {func.__name__}() has no argument(s) "
                                f"{', '.join(sorted(unknown))}")
        for name, spec in specs.items():
            if isinstance(spec, str) and spec not in signature.parameters:
                raise UnitTypeError(f"check_units: {name}={spec!r} names no argument of "
                                    f"{func.__name__}()")

        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            for name, spec in specs.items():
                if name not in bound.arguments:
                    continue
                value = bound.arguments[name]
                if spec is bool:
                    if not isinstance(value, (bool, np.bool_)) and \
                            np.asarray(value).dtype != np.bool_:
                        raise UnitTypeError(f"{func.__name__}(): argument '{name}' must be a "
                                            f"boolean, not {describe(value)}")
                    continue
                if isinstance(spec, str):
                    other = bound.arguments.get(spec)
                    if other is None or value is None:
                        continue
                    found, expected = get_dimensions(value), get_dimensions(other)
                    if found is not expected:
                        raise DimensionMismatchError(
                            f"{func.__name__}() was called with {name}={describe(value)} and "
                            f"{spec}={describe(other)}, but {name} must have the units of "
                            f"{spec} ({format_dimension(found)} instead of "
                            f"{format_dimension(expected)})", found, expected)
                    continue
                expected = _expected_dim(spec)
                if expected is None or isinstance(value, str):
                    continue
                if value is None:
                    if expected is DIMENSIONLESS:
                        continue
                    raise UnitTypeError(f"{func.__name__}() was called with {name}=None, but "
                                        f"{name} must be a quantity in "
                                        f"{format_dimension(expected)}")
                found = get_dimensions(value)
                if found is not expected:
                    raise _mismatch(func, name, value, found, expected)
            result = func(*args, **kwargs)
            if callable(result_spec) and not isinstance(result_spec, (Quantity, Dimension)) \
                    and result_spec is not bool:
                bound.apply_defaults()
                expected = get_dimensions(result_spec(*(get_dimensions(v) if v is not None
                                                        else DIMENSIONLESS
                                                        for v in bound.arguments.values())))
            else:
                expected = _expected_dim(result_spec)
            if expected is not None and get_dimensions(result) is not expected:
                found = get_dimensions(result)
                raise DimensionMismatchError(
                    f"{func.__name__}() returned {describe(result)}, whose unit does not "
                    f"match the declared result unit ({format_dimension(found)} instead of "
                    f"{format_dimension(expected)})", found, expected)
            return result

        checked._orig_func = func  # type: ignore[attr-defined]
        # (what Brian2's decorator records, read when a model string calls it)
        checked._arg_names = list(signature.parameters)  # type: ignore[attr-defined]
        checked._arg_units = [specs.get(p) for p in signature.parameters]  # type: ignore
        checked._return_unit = result_spec  # type: ignore[attr-defined]
        return checked

    return decorate
