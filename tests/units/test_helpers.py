"""have_same_dimensions, get_unit, is_dimensionless, check_units, fail_for_dimension_mismatch."""

import re

import numpy as np
import pytest

from nerve.exceptions import DimensionMismatchError
from nerve.units import (DIMENSIONLESS, Hz, amp, check_units, fail_for_dimension_mismatch,
                         get_dimensions, get_unit, have_same_dimensions, is_dimensionless,
                         kilogram, mM, mV, ms, second, volt)

MISMATCH = re.compile(r"(unit|dimension).*(not match|mismatch|incompatible|inconsistent|differ)")


def test_have_same_dimensions_and_is_dimensionless():
    assert have_same_dimensions(3 * mV, volt)
    assert not have_same_dimensions(3 * mV, ms)
    assert have_same_dimensions(2, np.ones(3))
    assert is_dimensionless(3) and is_dimensionless((3 * ms) / ms)
    assert not is_dimensionless(mV)


def test_get_unit():
    assert get_unit(get_dimensions(mV)) is volt
    assert get_unit(get_dimensions(1 / ms)) is Hz
    assert get_unit(get_dimensions(kilogram)) is kilogram
    assert float(get_unit(get_dimensions(mM))) == 1.0
    # a dimension without a standard unit: SI base units, unless the program made
    # a unit of that dimension and size 1 (Brian2: get_unit(volt.dim/second.dim) is
    # 'metre ** 2 * kilogram * second ** -4 * amp ** -1', then 'volt / second'
    # once volt/second was evaluated)
    assert repr(get_unit(get_dimensions(volt) ** 4)) == \
        "metre ** 8 * kilogram ** 4 * second ** -12 * amp ** -4"
    made = volt / second
    assert get_unit(get_dimensions(made)) is made
    assert float(get_unit(DIMENSIONLESS)) == 1.0


def test_fail_for_dimension_mismatch():
    assert fail_for_dimension_mismatch(3 * mV, volt) == (volt.dim, volt.dim)
    fail_for_dimension_mismatch(3)
    with pytest.raises(DimensionMismatchError) as info:
        fail_for_dimension_mismatch(3 * mV, 2 * amp, "Cannot set the threshold")
    assert str(info.value) == "Cannot set the threshold: the units do not match (volt and amp)"
    with pytest.raises(DimensionMismatchError):
        fail_for_dimension_mismatch(3 * mV)


def test_check_units():
    @check_units(v=volt, tau=second, n=1, flag=bool, result=volt / second)
    def rate(v, tau, n=1, flag=False):
        return n * v / tau

    assert float(rate(10 * mV, 10 * ms)) == pytest.approx(1.0)
    assert rate.__name__ == "rate"
    with pytest.raises(DimensionMismatchError) as info:
        rate(10 * mV, 10)
    assert MISMATCH.search(str(info.value))
    assert "rate()" in str(info.value) and "tau" in str(info.value)
    with pytest.raises(DimensionMismatchError):
        rate(10 * mV, 10 * ms, n=2 * ms)
    with pytest.raises(TypeError):
        rate(10 * mV, 10 * ms, flag=3)

    @check_units(x=volt, result=volt)
    def wrong(x):
        return x / ms

    with pytest.raises(DimensionMismatchError, match="result"):
        wrong(1 * mV)
    with pytest.raises(TypeError):
        check_units(nope=volt)(lambda x: x)
