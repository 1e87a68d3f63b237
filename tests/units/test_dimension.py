"""Dimension algebra, interning, names used in messages, the registry."""

import pickle
from fractions import Fraction

import numpy as np
import pytest

from nerve.units import (DIMENSIONLESS, Dimension, amp, format_dimension, get_dimensions,
                         kilogram, metre, mV, ms, second, volt)
from nerve.units.dimension import dimension_from_exponents
from nerve.units.registry import lookup, names


def test_interned_one_object_per_exponent_vector():
    a = dimension_from_exponents(m=2, kg=1, s=-3, A=-1)
    assert a is get_dimensions(volt)
    assert get_dimensions(mV) is get_dimensions(volt)
    assert (get_dimensions(metre) * get_dimensions(metre)) is dimension_from_exponents(m=2)
    assert pickle.loads(pickle.dumps(a)) is a


def test_algebra_and_fractional_exponents():
    s = get_dimensions(second)
    assert s / s is DIMENSIONLESS
    assert (s ** -0.5) ** 2 is s ** -1
    assert s ** Fraction(1, 3) is s ** (1 / 3)
    assert (s ** 0.5).exponents[2] == Fraction(1, 2)
    assert DIMENSIONLESS.is_dimensionless and not s.is_dimensionless
    assert len({s, s ** 1, s * DIMENSIONLESS}) == 1


def test_get_dimensions_of_plain_values():
    assert get_dimensions(3) is DIMENSIONLESS
    assert get_dimensions(np.ones(3)) is DIMENSIONLESS
    assert get_dimensions(3 * ms) is get_dimensions(second)
    assert get_dimensions(get_dimensions(volt)) is get_dimensions(volt)


@pytest.mark.parametrize("value, name", [
    (volt, "volt"), (1 / second, "hertz"), (amp / volt, "siemens"), (DIMENSIONLESS, "1"),
    (kilogram, "kilogram"), (volt / amp, "ohm"), (amp * second, "coulomb"),
    (volt / second, "metre ** 2 * kilogram * second ** -4 * amp ** -1"),
    (second ** -0.5, "second ** -0.5"),
])
def test_format_dimension(value, name):
    assert format_dimension(get_dimensions(value)) == name


@pytest.mark.parametrize("name, scale, dim_of", [
    ("mV", 1e-3, volt), ("mvolt", 1e-3, volt), ("volt", 1, volt), ("Hz", 1, 1 / second),
    ("ms", 1e-3, second), ("second", 1, second), ("nA", 1e-9, amp),
    ("pF", 1e-12, amp * second / volt),
    ("Mohm", 1e6, volt / amp), ("uS", 1e-6, amp / volt), ("siemens", 1, amp / volt),
    ("metre", 1, metre), ("meter", 1, metre), ("cm", 1e-2, metre), ("um", 1e-6, metre),
    ("mM", 1, lookup("mole") / metre ** 3), ("molar", 1e3, lookup("mole") / metre ** 3),
    ("kHz", 1e3, 1 / second), ("usecond", 1e-6, second), ("msecond", 1e-3, second),
    ("namp", 1e-9, amp), ("ampere", 1, amp), ("cm2", 1e-4, metre ** 2), ("kgram", 1, kilogram),
    ("kilogram", 1, kilogram), ("gram", 1e-3, kilogram), ("liter", 1e-3, metre ** 3),
])
def test_registry_lookup(name, scale, dim_of):
    unit = lookup(name)
    assert unit is not None
    assert float(unit) == pytest.approx(scale, rel=1e-12)
    assert unit.dim is get_dimensions(dim_of)


def test_registry_unknown_and_no_bare_letters():
    assert lookup("foo") is None
    for letter in ("V", "A", "s", "m", "N", "t", "e", "g", "as"):
        assert lookup(letter) is None
    # names Brian2 does not know in model strings either (its DEFAULT_UNITS and
    # star import): exa-litre as El, exa-kelvin as EK, kg, prefixed kelvin, dmetre
    for name in ("El", "EK", "kg", "mK", "dmetre", "candela", "Sv", "Bq", "l", "ml"):
        assert lookup(name) is None, name
    assert {"mV", "Hz", "ms"} <= names()
