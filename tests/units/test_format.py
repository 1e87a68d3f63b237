"""Display as Brian2 shows it (reference values from the tutorial)."""

import numpy as np
import pytest

import nerve.units as u
from nerve.units import (Mohm, Quantity, amp, cm, kilogram, mM, ms, mV, nA, namp, ufarad,
                         um, volt)


@pytest.mark.parametrize("value, text, rep", [
    (lambda: 20 * volt, "20. V", "20. * volt"),
    (lambda: 1000 * amp, "1. kA", "1. * kamp"),
    (lambda: 1e6 * volt, "1. MV", "1. * Mvolt"),
    (lambda: 1000 * namp, "1. uA", "1. * uamp"),
    (lambda: 10 * nA * 5 * Mohm, "50. mV", "50. * mvolt"),
    (lambda: -70 * mV, "-70. mV", "-70. * mvolt"),
    (lambda: 0 * volt, "0. V", "0. * volt"),
    (lambda: 1 * kilogram, "1. kg", "1. * kilogram"),
    (lambda: 3 * mM, "3. mM", "3. * mmolar"),
    (lambda: 1 * mV / ms, "1. V/s", "1. * volt / second"),
    (lambda: 999 * ms, "999. ms", "999. * msecond"),
])
def test_scalar_display(value, text, rep):
    q = value()
    assert str(q) == text
    assert repr(q) == rep


def test_array_display_one_unit():
    t = np.array([16., 32.1, 48.2]) * ms
    assert str(t) == "[16.  32.1 48.2] ms"
    assert "Spike times: %s" % t == "Spike times: [16.  32.1 48.2] ms"
    assert str(np.array([16., 37.]) * ms) == "[16. 37.] ms"
    assert repr(t) == "array([16. , 32.1, 48.2]) * msecond"
    assert str(np.array([8., 23., 38.]) * ms) == "[ 8. 23. 38.] ms"


def test_dimensionless_scalar_prints_as_float():
    q = Quantity(0.9999546000702376)
    assert "After v = %s" % q == "After v = 0.9999546000702376"
    assert "%s" % Quantity(0.0) == "0.0"
    assert str(Quantity([1.0, 2.0])) == "[1. 2.]"


def test_units_display():
    assert str(mV) == "mV" and repr(mV) == "mvolt"
    assert repr(mV / ms) == "mvolt / msecond" and str(mV / ms) == "mV/ms"
    assert repr(ufarad / cm ** 2) == "ufarad / (cmetre ** 2)"
    assert str(um ** 2) == "um^2"


def test_format_spec():
    assert f"{3 * mV}" == "3. mV"
    assert f"{3 * mV:.2f}" == "3.00 mV"


def test_no_named_unit_shows_si_base_units():
    q = 5 * ufarad / cm ** 2
    assert str(q) == "0.05 m^-4 kg^-1 s^4 A^2"
    assert repr(q) == "0.05 * metre ** -4 * kilogram ** -1 * second ** 4 * amp ** 2"


@pytest.mark.parametrize("make", [
    lambda: 20 * volt, lambda: 1000 * namp, lambda: 10 * nA * 5 * Mohm,
    lambda: np.array([16., 32.1, 48.2]) * ms, lambda: 5 * ufarad / cm ** 2,
    lambda: (10 * ms) ** -0.5, lambda: np.array([[1., 2.], [3., 4.]]) * mV,
    lambda: 1 * mV / ms, lambda: 3 * mM,
])
def test_repr_round_trip(make):
    q = make()
    namespace = {name: getattr(u, name) for name in u.__all__}
    back = eval(repr(q), namespace)
    assert back.dim is q.dim
    # repr shows numpy's 8 significant digits, as Brian2 does
    np.testing.assert_allclose(np.asarray(back), np.asarray(q), rtol=1e-8)


def test_in_unit_and_best_unit():
    assert u.in_unit(0.05 * volt, mV) == "50. mV"
    assert (3 * mV).in_unit(volt) == "0.003 V"
    assert (3 * mV).in_best_unit() == "3. mV"
    with pytest.raises(u.DimensionMismatchError):
        u.in_unit(3 * mV, ms)
