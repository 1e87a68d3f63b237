"""Units behaving as Brian2's: zero, in-place operations, constructors, helpers, errors.

Every expected value and exception class below was printed by Brian2 2.9.0
(``/work/brian2-venv``) for the same expression.
"""

import numpy as np
import pytest

import nerve.units as u
from nerve.exceptions import DimensionMismatchError, NerveError
from nerve.units import (Quantity, Unit, amp, check_units, fail_for_dimension_mismatch,
                         get_dimensions,
                         get_or_create_dimension, metre, mV, ms, nA, second, volt)

star = {}
exec("from nerve import *", star)


# -- 0 is compatible with every unit ------------------------------------------------------
def test_zero_fits_every_unit():
    # Brian2: 3*mV + 0 -> 3. mV; 0 - 3*mV -> -3. mV; 3*mV > 0 -> True
    assert str(3 * mV + 0) == "3. mV"
    assert str(0 - 3 * mV) == "-3. mV"
    assert str(3 * mV - 0.0) == "3. mV"
    assert str(3 * mV + np.array([0, 0])) == "[3. 3.] mV"
    assert bool(3 * mV > 0) and not bool(3 * mV == 0) and bool(3 * mV != 0)
    assert str(np.maximum(3 * mV, 0)) == "3. mV"
    assert str(np.minimum(3 * mV, 0)) == "0. V"
    q = np.array([1., 2.]) * mV
    assert str(np.clip(q, 0, 1.5 * mV)) == "[1.  1.5] mV"
    # but only 0: Brian2 raises for 3*mV + 2, 3*mV + inf and 3*mV < 1
    for bad in (lambda: 3 * mV + 2, lambda: 3 * mV + np.inf, lambda: 3 * mV < 1):
        with pytest.raises(DimensionMismatchError):
            bad()
    assert not bool(3 * mV > np.inf)  # infinities compare in every unit


def test_an_empty_plain_array_fits_every_unit():
    # Brian2 2.9.0: 3*mV + array([]) -> array([]) * volt; Brian2's
    # Rossant et al. 2011 example stacks a neuron's empty spike values with
    # zeros(0) when the neuron did not fire
    assert (3 * mV + np.array([])).size == 0
    stacked = np.vstack((np.array([]) * mV, np.zeros(0)))
    assert stacked.shape == (2, 0)
    with pytest.raises(DimensionMismatchError):
        np.vstack((np.array([1.0]) * mV, np.ones(1)))


def test_zero_assignment():
    a = np.array([1., 2.]) * mV
    a[0] = 0  # Brian2: [0. 2.] mV
    assert str(a) == "[0. 2.] mV"
    with pytest.raises(DimensionMismatchError):
        a[0] = 1


def test_fail_for_dimension_mismatch_accepts_zero():
    # Brian2: fail_for_dimension_mismatch(0, volt) and (zeros(3), mV) pass, (inf, mV) and
    # (1, mV) raise
    fail_for_dimension_mismatch(0, volt)
    fail_for_dimension_mismatch(np.zeros(3), mV)
    fail_for_dimension_mismatch(0, get_dimensions(volt))
    for bad in (np.inf, 1):
        with pytest.raises(DimensionMismatchError):
            fail_for_dimension_mismatch(bad, mV)


def test_arange_with_units():
    arange = star["arange"]
    # Brian2: arange(0, 10*ms, 2*ms) and arange(0*ms, 10*ms, 2*ms) -> [0. 2. 4. 6. 8.] ms
    assert str(arange(0, 10 * ms, 2 * ms)) == "[0. 2. 4. 6. 8.] ms"
    assert repr(arange(0 * ms, 10 * ms, 2 * ms)) == "array([0., 2., 4., 6., 8.]) * msecond"
    assert str(arange(0, 5 * ms, 1 * ms)) == "[0. 1. 2. 3. 4.] ms"
    assert list(arange(3)) == [0, 1, 2]
    # Brian2 raises for a step of 1 (dimensionless) with a stop in ms, and a start of 1
    with pytest.raises(DimensionMismatchError):
        arange(10 * ms)
    with pytest.raises(DimensionMismatchError):
        arange(1, 5 * ms, 1 * ms)


# -- in-place operations ------------------------------------------------------------------
def test_inplace_on_a_scalar_leaves_other_names_alone():
    x = 3 * mV
    y = x
    x += 1 * mV  # Brian2: y is still 3. mV, x is 4. mV
    assert str(y) == "3. mV" and str(x) == "4. mV"
    a = 3 * mV
    b = a
    a **= 2  # Brian2: b 3. mV, a 9. mV^2
    assert str(b) == "3. mV" and str(a) == "9. mV^2"
    unit = mV
    unit *= 2
    assert float(mV) == 1e-3 and str(unit) == "2. mV"


def test_inplace_on_arrays():
    a = np.array([1., 2.]) * mV
    b = a
    a += 1 * mV  # Brian2: b is [2. 3.] mV too (same array)
    assert str(b) == "[2. 3.] mV"
    a = np.array([1., 2.]) * mV
    b = a
    a *= 2  # Brian2: b [2. 4.] mV
    assert str(b) == "[2. 4.] mV"
    # an operation that changes the units makes a new array: b keeps its units
    a = np.array([1., 2.]) * mV
    b = a
    a /= ms
    assert a.dim is get_dimensions(volt) / get_dimensions(second)
    np.testing.assert_allclose(np.asarray(a), [1., 2.])  # SI values, as Brian2's a
    assert str(b) == "[1. 2.] mV"  # Brian2's b would be [1. 2.] V: its units changed
    a = np.array([1., 2.]) * mV
    b = a
    a *= mV
    assert b.dim is get_dimensions(volt) and str(b) == "[1. 2.] mV"
    assert a.dim is get_dimensions(volt) ** 2


# -- functions ---------------------------------------------------------------------------
def test_ones_like_and_zeros_like_drop_units():
    # Brian2's star ones_like/zeros_like: plain arrays; numpy's own keep the units
    assert repr(star["ones_like"](3 * mV)) == "array(1.)"
    assert repr(star["zeros_like"](np.array([1, 2]) * mV)) == "array([0., 0.])"
    assert str(np.ones_like(3 * mV)) == "1. V"
    assert str(np.full_like(3 * mV, 2)) == "2. V"


def test_hypot_needs_dimensionless_arguments():
    # Brian2: hypot(3*mV, 4*mV) raises DimensionMismatchError; hypot(3, 4) is 5.0
    assert star["hypot"](3, 4) == 5.0
    assert star["hypot"](3 * mV / mV, 4) == 5.0
    with pytest.raises(DimensionMismatchError):
        star["hypot"](3 * mV, 4 * mV)


def test_exprel_trace_diagonal_is_scalar_type():
    assert star["exprel"](0) == 1.0
    assert star["exprel"](1.0) == pytest.approx(1.7182818284590453, rel=1e-15)
    np.testing.assert_allclose(star["exprel"](np.array([0., 1e-10, 2.])),
                               [1., 1., 3.19452805], rtol=1e-8)
    with pytest.raises(DimensionMismatchError):
        star["exprel"](3 * mV)
    assert str(star["trace"](np.eye(2) * mV)) == "2. mV"
    assert repr(star["diagonal"](np.eye(2) * mV)) == "array([1., 1.]) * mvolt"
    is_scalar_type = star["is_scalar_type"]
    assert is_scalar_type(3) and is_scalar_type(True) and is_scalar_type(np.array(1.))
    assert not is_scalar_type(3 * mV) and not is_scalar_type(np.array([1]))
    assert not is_scalar_type("a")


def test_in_best_unit():
    in_best_unit = star["in_best_unit"]
    assert in_best_unit(3 * ms) == "3. ms"
    assert in_best_unit(3) == "3"
    assert in_best_unit(3.14159 * ms, precision=2) == "3.14 ms"
    assert (3.14159 * ms).in_best_unit(3) == "3.142 ms"


# -- constructors and dimensions -----------------------------------------------------------
def test_with_dimensions():
    # Brian2: Quantity.with_dimensions(3, second.dim) -> 3. s; (3, s=1) -> 3. s;
    # ([1, 2], volt.dim) -> [1. 2.] V; (3, m=2, kg=1) -> 3. m^2 kg
    assert str(Quantity.with_dimensions(3, second.dim)) == "3. s"
    assert str(Quantity.with_dimensions(3, s=1)) == "3. s"
    assert str(Quantity.with_dimensions([1, 2], volt.dim)) == "[1. 2.] V"
    assert str(Quantity.with_dimensions(3, m=2, kg=1)) == "3. m^2 kg"
    with pytest.raises(TypeError):
        Quantity.with_dimensions(3, "a")


def test_quantity_methods():
    # Brian2: (3*mV).has_same_dimensions(2*volt) True, (3) False; get_best_unit() mvolt
    q = 3 * mV
    assert q.has_same_dimensions(2 * volt) and not q.has_same_dimensions(3)
    assert q.get_best_unit() is mV and repr((np.array([1, 2000]) * mV).get_best_unit()) == "mvolt"
    assert repr(Quantity(3).get_best_unit()) == "Unit(1)"
    assert q.dimensions is q.dim and not q.is_dimensionless
    # Brian2: (3*mV).item() is 3. mV; a dimensionless item is a Python float
    assert str(q.item()) == "3. mV" and type(Quantity(3.5).item()) is float


def test_get_or_create_dimension():
    # Brian2: str/repr 'm s^-1' / 'metre * second ** -1'
    dim = get_or_create_dimension(length=1, time=-1)
    assert str(dim) == "m s^-1" and repr(dim) == "metre * second ** -1"
    assert get_or_create_dimension([1, 0, -1, 0, 0, 0, 0]) is dim
    assert get_or_create_dimension(m=1) is get_dimensions(metre)
    assert str(get_or_create_dimension(length=0.5)) == "m^0.5"
    assert repr(get_or_create_dimension()) == "Dimension()"
    with pytest.raises(KeyError):  # Brian2: KeyError 'foo'
        get_or_create_dimension(foo=1)
    for bad in ([1, 2], "a"):  # Brian2: TypeError, 'Need a sequence of exactly 7 items'
        with pytest.raises(TypeError):
            get_or_create_dimension(bad)


def test_dimension_display():
    assert str(get_dimensions(mV)) == "m^2 kg s^-3 A^-1"
    assert repr(get_dimensions(mV)) == "metre ** 2 * kilogram * second ** -3 * amp ** -1"
    assert str(get_dimensions(amp * second)) == "s A"
    assert str(get_dimensions(1)) == "1" and repr(get_dimensions(1)) == "Dimension()"
    assert str(get_dimensions(second ** -0.5)) == "s^-0.5"
    assert str(get_dimensions(volt ** (1 / 3))) == "m^0.6666666666666666 kg^0.3333333333333333 " \
        "s^-1 A^-0.3333333333333333"


def test_unit_constructor():
    # Brian2: Unit(1, volt.dim) shows as 'm^2 kg s^-3 A^-1' / 'metre ** 2 * ...'
    plain = Unit(1, volt.dim)
    assert str(plain) == "m^2 kg s^-3 A^-1"
    assert repr(plain) == "metre ** 2 * kilogram * second ** -3 * amp ** -1"
    named = Unit(1, volt.dim, name="myv", dispname="myV")
    assert str(named) == "myV" and repr(named) == "myv"
    assert str(3 * named) == "3. V"
    assert str(Unit(1)) == "1" and repr(Unit(1)) == "Unit(1)"
    kilo = Unit(1e3, volt.dim, scale=3, name="kv2", dispname="kV2")
    assert float(kilo) == 1e3 and str(kilo) == "kV2"
    assert mV.scale == -3 and u.cm2.scale == -4
    # Brian2: AssertionError 'Unit value has to be 10**scale'
    with pytest.raises(AssertionError):
        Unit(1e-3, volt.dim)
    with pytest.raises(ValueError):
        Unit(2)


def test_quantity_constructor():
    assert Quantity([1, 2]).dtype.kind == "i"
    # Brian2: an explicit dim replaces the one of the value
    assert str(Quantity(3 * mV, dim=second.dim)) == "3. ms"
    with pytest.raises(DimensionMismatchError):  # Brian2: Mixing ... different dimensions
        Quantity([1 * mV, 2 * ms])


@pytest.mark.parametrize("make", [
    # Brian2 raises TypeError for each of these
    lambda: 3 * mV + "a", lambda: mV * "a", lambda: "a" * mV, lambda: 3 * mV < "a",
    lambda: 3 * mV * None, lambda: Quantity("abc"), lambda: Quantity(None),
    lambda: Quantity([1 * mV, 2]), lambda: get_dimensions("a"), lambda: get_dimensions(None),
    lambda: u.have_same_dimensions(3 * mV, "a"), lambda: u.is_dimensionless("a"),
    lambda: u.in_unit(3 * mV, "mV"), lambda: (3 * mV).in_unit(mV, "a"),
    lambda: Quantity(3, dim=3),
])
def test_type_errors(make):
    with pytest.raises(TypeError) as info:
        make()
    assert isinstance(info.value, NerveError)


# -- check_units -----------------------------------------------------------------------------
def test_check_units_with_lists():
    @check_units(x=volt, result=volt)
    def f(x):
        return x

    @check_units(x=1)
    def g(x):
        return x

    # Brian2: f([1*mV, 2*mV]) returns the list; f([1, 2]) and f([]) raise
    # DimensionMismatchError; f([1*mV, 2*ms]) too (mixing dimensions)
    assert f([1 * mV, 2 * mV]) == [1 * mV, 2 * mV]
    for bad in ([1, 2], [], [1 * mV, 2 * ms]):
        with pytest.raises(DimensionMismatchError):
            f(bad)
    assert g([1, 2]) == [1, 2]
    with pytest.raises(DimensionMismatchError):
        g([1 * mV])
    # Brian2: None passes where no unit is required, is a TypeError otherwise
    assert g(None) is None
    with pytest.raises(TypeError):
        f(None)


def test_check_units_references_and_result_functions():
    @check_units(x=None, y="x")
    def same(x, y):
        return y

    assert str(same(1 * mV, 2 * mV)) == "2. mV"
    with pytest.raises(DimensionMismatchError):
        same(1 * mV, 1 * ms)

    @check_units(x=volt, result=lambda x: x ** 2)
    def square(x):
        return x * x

    assert str(square(2 * mV)) == "4. mV^2"

    @check_units(x=volt, result=lambda x: x ** 2)
    def wrong(x):
        return x

    with pytest.raises(DimensionMismatchError):
        wrong(2 * mV)

    @check_units(x=bool)
    def flag(x):
        return x

    assert flag(True) is True
    with pytest.raises(TypeError):
        flag(3)


def test_constants():
    from nerve.units import constants as c

    # str/repr and SI values printed by Brian2 for brian2.units.constants
    expected = {
        "avogadro_constant": ("6.02214086e+23 mol^-1", 6.022140857e+23),
        "boltzmann_constant": ("1.38064852e-23 J/K", 1.38064852e-23),
        "electric_constant": ("8.85418782e-12 F/m", 8.854187817e-12),
        "electron_mass": ("0.00091094 yg", 9.10938356e-31),
        "elementary_charge": ("160.21766208 zC", 1.6021766208e-19),
        "faraday_constant": ("96485.33289 s A mol^-1", 96485.33289),
        "gas_constant": ("8.3144598 J/(mol K)", 8.3144598),
        "magnetic_constant": ("1.25663706e-06 H/m", 1.2566370614359173e-06),
        "molar_mass_constant": ("0.001 kg mol^-1", 0.001),
        "zero_celsius": ("273.15 K", 273.15),
    }
    assert sorted(c.__all__) == sorted(expected)
    for name, (text, value) in expected.items():
        quantity = getattr(c, name)
        assert str(quantity) == text, name
        assert float(quantity) == value, name
    assert repr(c.gas_constant) == "8.3144598 * joule / (mole * kelvin)"
    # the Nernst potential of potassium at 37 degrees, as Brian2 computes it:
    # R*T/F*log(4/140) with T = zero_celsius + 37*kelvin
    temperature = c.zero_celsius + 37 * u.kelvin
    e_k = c.gas_constant * temperature / c.faraday_constant * np.log(4 / 140)
    # Brian2: -0.09502254270328768 (shown as -95.0225427 mV)
    assert float(e_k) == pytest.approx(-0.09502254270328768, rel=1e-14)
    from nerve.units.registry import lookup

    assert "candle" not in star and str(lookup("candle")) == "cd"


def test_register_new_unit():
    # Brian2: a registered unit is a display candidate only where neither a standard
    # unit nor one the program made has the dimension
    dim = get_or_create_dimension(s=5, A=5)
    q = Quantity(3, dim=dim)
    assert str(q) == "3. s^5 A^5"
    u.register_new_unit(Unit(1, dim, name="pentamp", dispname="A5s5"))
    assert str(q) == "3. A5s5"
    assert str(3 * mV) == "3. mV"


def test_quantity_of_a_variable_view_keeps_units():
    # Brian2: Quantity(G.v) for a volt variable holding [1, 2] mV is [1. 2.] mV
    from nerve import NeuronGroup

    group = NeuronGroup(2, "v : volt\nx : 1")
    group.v = [1, 2] * mV
    assert str(Quantity(group.v)) == "[1. 2.] mV"
    assert str(Quantity(group.x)) == "[0. 0.]"
    assert u.get_dimensions(group.v) is get_dimensions(volt)
