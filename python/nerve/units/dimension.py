"""Physical dimensions: exponent vectors over the seven SI base dimensions.

A :class:`Dimension` is interned: there is exactly one object per exponent
vector, so dimensions are compared with ``is`` (``==`` works too) and can be
used as dictionary keys. Exponents are :class:`fractions.Fraction`, so
``(second ** -0.5) ** 2`` is exactly ``second ** -1``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from nerve.exceptions import NerveError, UnknownNameError

__all__ = [
    "Dimension",
    "DIMENSIONLESS",
    "BASE_NAMES",
    "BASE_SYMBOLS",
    "get_dimensions",
    "format_dimension",
    "dimension_from_exponents",
    "get_or_create_dimension",
    "UnitTypeError",
]


class UnitTypeError(NerveError, TypeError):
    """A value of the wrong type where a quantity, a unit or a dimension was
    expected (a string, ``None``...); Brian2 raises a TypeError there too."""

#: Names of the base units, in the order of the exponent vector.
BASE_NAMES = ("metre", "kilogram", "second", "amp", "kelvin", "mole", "candela")
#: Their display symbols.
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")

_Exponents = tuple  # tuple of seven Fractions

_interned: dict[_Exponents, "Dimension"] = {}


def _as_fraction(value: Any) -> Fraction:
    """An exponent as an exact fraction (``0.5`` -> ``1/2``, ``1/3.`` -> ``1/3``)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    try:
        as_float = float(value)
    except (TypeError, ValueError):
        raise UnitTypeError(f"a dimension can only be raised to a number, not {value!r}") \
            from None
    if as_float != as_float or as_float in (float("inf"), float("-inf")):
        raise ValueError(f"a dimension cannot be raised to the power {value!r}")
    return Fraction(as_float).limit_denominator(1000)


class Dimension:
    """The physical dimension of a quantity (interned; compare with ``is``).

    Build one with :func:`dimension_from_exponents` or by combining the base
    dimensions of existing units; never call the constructor directly.
    """

    __slots__ = ("_exponents", "_hash", "__weakref__")

    def __new__(cls, exponents: _Exponents) -> "Dimension":
        found = _interned.get(exponents)
        if found is not None:
            return found
        self = object.__new__(cls)
        self._exponents = exponents
        self._hash = hash(exponents)
        _interned[exponents] = self
        return self

    # -- identity ------------------------------------------------------------
    @property
    def exponents(self) -> tuple[Fraction, ...]:
        """The seven exponents (metre, kilogram, second, amp, kelvin, mole, candela)."""
        return self._exponents

    @property
    def is_dimensionless(self) -> bool:
        """True for the dimension of plain numbers."""
        return self is DIMENSIONLESS

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    def __reduce__(self):  # pickling keeps interning
        return (Dimension, (self._exponents,))

    def __copy__(self) -> "Dimension":
        return self

    def __deepcopy__(self, memo: dict) -> "Dimension":
        return self

    # -- algebra -------------------------------------------------------------
    def __mul__(self, other: "Dimension") -> "Dimension":
        if not isinstance(other, Dimension):
            return NotImplemented
        key = (self, other, "*")
        found = _op_cache.get(key)
        if found is None:
            found = Dimension(tuple(a + b for a, b in zip(self._exponents, other._exponents)))
            _op_cache[key] = found
        return found

    def __truediv__(self, other: "Dimension") -> "Dimension":
        if not isinstance(other, Dimension):
            return NotImplemented
        key = (self, other, "/")
        found = _op_cache.get(key)
        if found is None:
            found = Dimension(tuple(a - b for a, b in zip(self._exponents, other._exponents)))
            _op_cache[key] = found
        return found

    def __pow__(self, power: Any) -> "Dimension":
        if type(power) in (int, float):
            # (by the power as given: equal numbers give equal fractions)
            found = _op_cache.get((self, power, "**n"))
            if found is not None:
                return found
            found = self ** _as_fraction(power)
            _op_cache[(self, power, "**n")] = found
            return found
        exponent = _as_fraction(power)
        key = (self, exponent, "**")
        found = _op_cache.get(key)
        if found is None:
            found = Dimension(tuple(a * exponent for a in self._exponents))
            _op_cache[key] = found
        return found

    def __rtruediv__(self, other: Any) -> "Dimension":
        if other == 1:
            return DIMENSIONLESS / self
        return NotImplemented

    # -- display (as Brian2 shows dimensions) -----------------------------------
    def __str__(self) -> str:
        """Base-unit symbols: ``'m^2 kg s^-3 A^-1'``, ``'1'`` when dimensionless."""
        return _base_product(self, symbols=True)

    def __repr__(self) -> str:
        """Base-unit names: ``'metre ** 2 * kilogram'``; ``'Dimension()'`` when dimensionless."""
        return "Dimension()" if self is DIMENSIONLESS else _base_product(self)


_op_cache: dict[tuple, Dimension] = {}


def dimension_from_exponents(m: Any = 0, kg: Any = 0, s: Any = 0, A: Any = 0,
                             K: Any = 0, mol: Any = 0, cd: Any = 0) -> Dimension:
    """The dimension with the given base exponents, e.g. ``dimension_from_exponents(s=-1)``."""
    key = (m, kg, s, A, K, mol, cd)
    try:
        found = _by_exponents.get(key)
    except TypeError:  # (an unhashable exponent: _as_fraction judges it)
        found = key = None
    if found is None:
        found = Dimension(tuple(_as_fraction(x) for x in (m, kg, s, A, K, mol, cd)))
        if key is not None:
            _by_exponents[key] = found
    return found


#: dimension_from_exponents' results by its arguments as given (ints and
#: floats hash quickly, unlike the Fractions of the exponent vector); equal
#: arguments give equal fractions, so a hit is always the right dimension
_by_exponents: dict[tuple, Dimension] = {}


DIMENSIONLESS = dimension_from_exponents()


#: Keyword names accepted by :func:`get_or_create_dimension`, per base dimension.
_KEYWORDS = (("length", "m", "metre", "meter"), ("mass", "kg", "kilogram"),
             ("time", "s", "second"), ("current", "A", "amp", "ampere"),
             ("temperature", "K", "kelvin"), ("substance", "mol", "mole"),
             ("luminosity", "cd", "candle", "candela"))
_KEYWORD_INDEX = {word: i for i, words in enumerate(_KEYWORDS) for word in words}


def get_or_create_dimension(*args: Any, **kwds: Any) -> Dimension:
    """The dimension with the given base exponents, as Brian2 builds one.

    Either one sequence of seven exponents (metre, kilogram, second, amp,
    kelvin, mole, candela), or keywords: ``length``/``m``, ``mass``/``kg``,
    ``time``/``s``, ``current``/``A``, ``temperature``/``K``,
    ``substance``/``mol``, ``luminosity``/``cd``:
    ``get_or_create_dimension(length=1, time=-1)`` is metre per second.
    """
    if args:
        sequence = args[0] if len(args) == 1 else args
        if isinstance(sequence, (str, bytes)) or not hasattr(sequence, "__len__") \
                or len(sequence) != 7 or kwds:
            raise UnitTypeError("get_or_create_dimension() needs one sequence of exactly 7 "
                            "exponents (metre, kilogram, second, amp, kelvin, mole, "
                            f"candela) or keywords such as length=1, time=-1; got {args!r}")
        return Dimension(tuple(_as_fraction(x) for x in sequence))
    exponents = [Fraction(0)] * 7
    for word, value in kwds.items():
        index = _KEYWORD_INDEX.get(word)
        if index is None:
            raise UnknownNameError(
                f"get_or_create_dimension(): {word!r} is not a base dimension (use one of "
                f"{', '.join(words[0] + '/' + words[1] for words in _KEYWORDS)})", word)
        exponents[index] = _as_fraction(value)
    return Dimension(tuple(exponents))


def get_dimensions(value: Any) -> Dimension:
    """The dimension of ``value``: that of a Quantity or Unit, a Dimension
    itself, :data:`DIMENSIONLESS` for plain numbers and arrays, the common
    dimension of a list of quantities. Anything else (a string, ``None``)
    has no dimension: :class:`TypeError`, as in Brian2."""
    if isinstance(value, Dimension):
        return value
    dim = getattr(value, "dim", None)
    if isinstance(dim, Dimension):
        return dim
    if isinstance(value, (int, float, complex, np.number, np.bool_, np.ndarray)):
        return DIMENSIONLESS
    if isinstance(value, (list, tuple)):
        from nerve.units.quantity import Quantity

        return Quantity(value).dim
    raise UnitTypeError(f"{value!r} (of type {type(value).__name__}) does not have "
                    f"dimensions: expected a number, an array or a quantity")


# -- names used in messages ---------------------------------------------------

#: Named coherent SI units, keyed by dimension (filled below and by the unit
#: tables); the first name registered for a dimension wins.
_NAMED: dict[Dimension, str] = {}


def _register_name(dim: Dimension, name: str) -> None:
    _NAMED.setdefault(dim, name)


def _format_exponent(exp: Fraction) -> str:
    """``2``, ``-1``, ``0.5``, ``0.3333333333333333`` (Brian2 shows float exponents)."""
    if exp.denominator == 1:
        return str(exp.numerator)
    return repr(float(exp))


def _base_product(dim: Dimension, python: bool = True, symbols: bool = False) -> str:
    """``metre ** 2 * kilogram * second ** -3`` (or ``m^2 kg s^-3`` with ``symbols``)."""
    names = BASE_SYMBOLS if symbols else BASE_NAMES
    parts = []
    for name, exp in zip(names, dim.exponents):
        if exp == 0:
            continue
        if exp == 1:
            parts.append(name)
        elif symbols:
            parts.append(f"{name}^{_format_exponent(exp)}")
        else:
            parts.append(f"{name} ** {_format_exponent(exp)}")
    if not parts:
        return "1"
    return (" " if symbols else " * ").join(parts)


def format_dimension(dim: Dimension) -> str:
    """The name of a dimension for messages: a named unit (``"volt"``,
    ``"hertz"``), ``"1"`` when dimensionless, otherwise a product of base units
    (``"metre ** 2 * kilogram * second ** -3"``)."""
    if not isinstance(dim, Dimension):
        dim = get_dimensions(dim)
    if dim is DIMENSIONLESS:
        return "1"
    name = _NAMED.get(dim)
    if name is not None:
        return name
    return _base_product(dim)


def _init_names() -> None:
    d = dimension_from_exponents
    for i, name in enumerate(BASE_NAMES):
        exps = [0] * 7
        exps[i] = 1
        _register_name(d(*exps), name)
    for name, exps in (
        ("hertz", d(s=-1)), ("newton", d(m=1, kg=1, s=-2)), ("pascal", d(m=-1, kg=1, s=-2)),
        ("joule", d(m=2, kg=1, s=-2)), ("watt", d(m=2, kg=1, s=-3)), ("coulomb", d(s=1, A=1)),
        ("volt", d(m=2, kg=1, s=-3, A=-1)), ("farad", d(m=-2, kg=-1, s=4, A=2)),
        ("ohm", d(m=2, kg=1, s=-3, A=-2)), ("siemens", d(m=-2, kg=-1, s=3, A=2)),
        ("weber", d(m=2, kg=1, s=-2, A=-1)), ("tesla", d(kg=1, s=-2, A=-1)),
        ("henry", d(m=2, kg=1, s=-2, A=-2)), ("katal", d(s=-1, mol=1)),
        ("gray", d(m=2, s=-2)), ("molar", d(m=-3, mol=1)),
    ):
        _register_name(exps, name)


_init_names()
