"""Display as Brian2 shows it (expected strings printed by Brian2 2.9.0)."""

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
    (lambda: 999 * ms, "0.999 s", "0.999 * second"),
    (lambda: 0.5 * ms, "0.5 ms", "0.5 * msecond"),
    (lambda: 0.05 * ms, "50. us", "50. * usecond"),
    (lambda: 1500 * ms, "1.5 s", "1.5 * second"),
    (lambda: 3 * mV ** 2, "3. mV^2", "3. * mvolt2"),
    (lambda: 3 * u.ms * mV, "3. uWb", "3. * uweber"),
    (lambda: 1 * cm, "10. mm", "10. * mmetre"),
    (lambda: 3 * u.liter, "0.003 m^3", "0.003 * metre3"),
    (lambda: 5 * u.kgram, "5. kg", "5. * kilogram"),
    (lambda: 5 * u.kelvin, "5. K", "5. * kelvin"),
    (lambda: 3 * u.second ** -2, "3. Hz^2", "3. * hertz2"),
    (lambda: np.nan * mV, "nan V", "nan * volt"),
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


def test_dimensionless_quantity():
    # Brian2: str(Quantity(0.9999546000702376)) is '0.9999546', its repr
    # 'Quantity(0.9999546)'; integer values print as floats
    q = Quantity(0.9999546000702376)
    assert "After v = %s" % q == "After v = 0.9999546"
    assert repr(q) == "Quantity(0.9999546)"
    assert "%s" % Quantity(0.0) == "0."
    assert str(Quantity([1, 2])) == "[1. 2.]"
    assert repr(Quantity([1, 2])) == "Quantity(array([1., 2.]))"
    assert Quantity([1, 2]).dtype.kind == "i"  # the values keep their type


def test_dimensionless_results_are_python_numbers():
    # Brian2: (3*mV)/mV is the float 3.0, Quantity(3)+1 the int 4
    assert type(3 * mV / mV) is float and 3 * mV / mV == 3.0
    assert repr((3 * mV) * (2 / mV)) == "6.0"
    assert type(Quantity(3) + 1) is int
    assert type(np.array([3.]) * mV / mV) is np.ndarray


def test_array_display_uses_shown_values_only():
    # more values than numpy shows: the unit is chosen from the shown ones
    # (Brian2: [1 µs]*3 + [1 s]*1997 + [1 µs]*3... prints in us)
    values = np.full(2000, 1.0)
    values[:3] = values[-3:] = 1e-6
    values[3:-3] = 1e3
    assert str(values * u.second).endswith("] us")


@pytest.mark.parametrize("make, text, rep", [
    # (expression, str, repr) as Brian2 prints them
    (lambda: mV, "mV", "mvolt"),
    (lambda: mV / ms, "mV/ms", "mvolt / msecond"),
    (lambda: ufarad / cm ** 2, "uF/(cm^2)", "ufarad / (cmetre ** 2)"),
    (lambda: um ** 2, "um^2", "umetre ** 2"),
    (lambda: u.siemens / u.meter ** 2, "S/(m^2)", "siemens / (meter ** 2)"),
    (lambda: u.metre, "m", "metre"),
    (lambda: u.meter, "m", "meter"),
    (lambda: amp * u.second, "A s", "amp * second"),
    (lambda: amp * u.second / ms, "(A s)/ms", "(amp * second) / msecond"),
    (lambda: volt / (amp * u.second), "V/(A s)", "volt / (amp * second)"),
    (lambda: (mV / ms) ** 2, "(mV/ms)^2", "(mvolt / msecond) ** 2"),
    (lambda: 1 / (mV * ms), "(mV ms)^-1", "(mvolt * msecond) ** -1"),
    (lambda: (mV / ms) * nA, "mV/ms nA", "mvolt / msecond * namp"),
    (lambda: mV ** 0.5, "mV^0.5", "mvolt ** 0.5"),
    (lambda: 1 / u.second ** 0.5, "(s^0.5)^-1", "(second ** 0.5) ** -1"),
    (lambda: mV / mV, "mV/mV", "mvolt / mvolt"),
    (lambda: u.cm2, "cm^2", "cmetre2"),
    (lambda: u.kgram, "kg", "kgram"),
    (lambda: u.gramme, "g", "gramme"),
    (lambda: u.liter, "l", "liter"),
    (lambda: u.mM, "mM", "mmolar"),
    (lambda: u.mS, "mS", "msiemens"),
    (lambda: Mohm, "Mohm", "Mohm"),
])
def test_units_display(make, text, rep):
    unit = make()
    assert isinstance(unit, u.Unit)
    assert str(unit) == text and repr(unit) == rep


def test_format_spec():
    # Brian2: a format spec formats the value in SI units, without a unit
    assert f"{3 * mV}" == "3. mV"
    assert f"{0.5 * ms:g}" == "0.0005"
    assert f"{0.5 * ms:.3f}" == "0.001"
    assert "{:>10}".format(3 * mV) == "     0.003"
    assert "%.2f" % (0.5 * ms / ms) == "0.50"
    assert f"{np.array([1., 2.]) * ms}" == "[1. 2.] ms"
    with pytest.raises(TypeError):
        f"{np.array([1., 2.]) * ms:.2f}"
    # units too (Brian2: 'mV', '0.001', 'mV/ms')
    assert f"{mV}" == "mV" and f"{mV:g}" == "0.001" and f"{mV / ms}" == "mV/ms"


def test_no_named_unit_shows_si_base_units():
    q = 5 * u.ohm * u.metre
    assert str(q) == "5. m^3 kg s^-3 A^-2"
    assert repr(q) == "5. * metre ** 3 * kilogram * second ** -3 * amp ** -2"


def test_units_made_by_the_program_become_display_units():
    # Brian2: 3*volt/metre**3 shows in base units until volt/(metre**3)... and a
    # unit made for a dimension without a standard unit is then used to show it
    dim_before = str(7 * volt * u.metre ** 5)
    assert dim_before == "7. m^7 kg s^-3 A^-1"
    made = volt * u.metre ** 5
    assert str(7 * volt * u.metre ** 5) == "7. V m^5"
    assert repr(made) == "volt * metre ** 5"
    # the last unit made with a given size replaces the earlier one
    other = mV * u.kmetre ** 5 / u.kmetre ** 5 * u.metre ** 5 / mV * volt
    assert float(other) == pytest.approx(1.0)
    assert str(7 * volt * u.metre ** 5).startswith("7. ")


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
