"""Quantity arithmetic, errors and their messages, numpy interplay."""

import pickle
import re

import numpy as np
import pytest

from nerve.exceptions import DimensionMismatchError
from nerve.units import (DIMENSIONLESS, Hz, Quantity, amp, get_dimensions, mV, ms, nA, ohm,
                         second, siemens, volt)
from nerve.units.unit import Unit

MISMATCH = re.compile(r"(unit|dimension).*(not match|mismatch|incompatible|inconsistent|differ)")


def test_arithmetic_combines_dimensions():
    r = 10 * nA * 5 * (1e6 * ohm)
    assert r.dim is get_dimensions(volt)
    assert float(r) == pytest.approx(0.05)
    assert (1 / (2 * ms)).dim is get_dimensions(Hz)
    assert ((3 * mV) ** 2).dim is get_dimensions(volt) ** 2
    assert (amp / volt).dim is get_dimensions(siemens)
    assert float(2 * mV + 3 * mV) == pytest.approx(5e-3)
    assert float(-(2 * mV)) == pytest.approx(-2e-3)


def test_dimensionless_results_are_plain():
    t = np.array([0., 0.1, 0.2]) * ms
    scaled = t / ms
    assert type(scaled) is np.ndarray
    np.testing.assert_allclose(scaled, [0, 0.1, 0.2])
    five = (5 * ms) / ms
    assert not isinstance(five, Quantity) and five == 5.0
    assert not isinstance(np.exp(-(1 * ms) / (10 * ms)), Quantity)
    assert not isinstance((3 * mV)[()] > 2 * mV, Quantity)


def test_fractional_powers():
    tau = 10 * ms
    x = tau ** -0.5
    assert x.dim is get_dimensions(second) ** -0.5
    assert float(x) == pytest.approx(0.01 ** -0.5)
    assert (x * x * tau) == pytest.approx(1.0)
    assert np.sqrt(4 * ms ** 2).dim is get_dimensions(second)
    assert float(np.sqrt(4 * ms ** 2)) == pytest.approx(2e-3)
    with pytest.raises(DimensionMismatchError):
        (2 * ms) ** np.array([1, 2])
    with pytest.raises(DimensionMismatchError):
        2 ** (1 * ms)


@pytest.mark.parametrize("action, words", [
    (lambda: 5 * amp + 10 * volt, ["add", "5. A", "10. V", "amp", "volt"]),
    (lambda: 5 * amp - 10 * volt, ["subtract", "amp", "volt"]),
    (lambda: 5 * amp < 10 * volt, ["compare", "amp", "volt"]),
    (lambda: 5 * amp + 3, ["add", "amp", "1"]),
    (lambda: np.exp(1 * volt), ["exp", "1. V", "volt"]),
    (lambda: np.sin(1 * ms), ["sin", "second"]),
    (lambda: np.maximum(1 * ms, 1 * mV), ["maximum", "second", "volt"]),
])
def test_mismatch_errors_name_operation_and_units(action, words):
    with pytest.raises(DimensionMismatchError) as info:
        action()
    message = str(info.value)
    assert MISMATCH.search(message), message
    for word in words:
        assert word in message, (word, message)
    assert isinstance(info.value, ValueError)


def test_tutorial_message():
    with pytest.raises(DimensionMismatchError, match="units do not match") as info:
        5 * amp + 10 * volt
    assert str(info.value) == "Cannot add 5. A and 10. V: the units do not match (amp and volt)"


def test_comparisons():
    assert 3 * mV < 1 * volt
    assert (np.array([1, 5]) * mV > 2 * mV).tolist() == [False, True]
    assert 3 * mV > 0  # zero and infinities compare in any unit
    assert 3 * mV < np.inf
    with pytest.raises(DimensionMismatchError):
        3 * mV > 1
    assert 3 * mV == 0.003 * volt


def test_indexing_slicing_iteration():
    v = np.array([1., 2., 3., 4.]) * mV
    assert v[0].dim is get_dimensions(volt) and float(v[0]) == pytest.approx(1e-3)
    assert str(v[1:3]) == "[2. 3.] mV"
    assert [str(x) for x in v[:2]] == ["1. mV", "2. mV"]
    assert v[v > 2 * mV].shape == (2,)
    w = v[1:3]
    w[0] = 10 * mV  # slices are views
    assert float(v[1]) == pytest.approx(0.01)


def test_assignment_checks_units():
    v = np.zeros(3) * mV
    v[0] = 5 * mV
    v[1:] = [1 * volt, 2 * volt]
    np.testing.assert_allclose(np.asarray(v), [5e-3, 1, 2])
    with pytest.raises(DimensionMismatchError, match="units do not match"):
        v[0] = 5
    with pytest.raises(DimensionMismatchError):
        v[0] = 5 * ms


def test_reductions_keep_or_check_units():
    v = np.array([1., 2., 3.]) * mV
    for result, expected in [(v.sum(), 6e-3), (np.sum(v), 6e-3), (np.mean(v), 2e-3),
                             (v.max(), 3e-3), (np.min(v), 1e-3), (np.median(v), 2e-3),
                             (np.std(v), np.std([1e-3, 2e-3, 3e-3])), (np.abs(-v).max(), 3e-3),
                             (np.ptp(v), 2e-3)]:
        assert result.dim is get_dimensions(volt)
        assert float(result) == pytest.approx(expected)
    assert np.var(v).dim is get_dimensions(volt) ** 2
    assert np.cumsum(v).dim is get_dimensions(volt)
    np.testing.assert_allclose(np.asarray(np.cumsum(v)), [1e-3, 3e-3, 6e-3])
    assert np.prod(v).dim is get_dimensions(volt) ** 3
    assert type(np.argmax(v)) is not Quantity and np.argmax(v) == 2
    with pytest.raises(DimensionMismatchError):
        np.cumprod(v)


def test_array_functions():
    a = np.array([1., 2.]) * mV
    b = np.array([3.]) * volt
    c = np.concatenate([a, b])
    assert c.dim is get_dimensions(volt) and c.shape == (3,)
    with pytest.raises(DimensionMismatchError):
        np.concatenate([a, np.ones(2) * ms])
    w = np.where(a > 1.5 * mV, a, 0 * mV)
    np.testing.assert_allclose(np.asarray(w), [0, 2e-3])
    # a plain 0 fits every unit (Brian2: where(q > 1.5*mV, q, 0) is [0. 2.] mV)
    assert str(np.where(a > 1.5 * mV, a, 0)) == "[0. 2.] mV"
    with pytest.raises(DimensionMismatchError):
        np.where(a > 0 * mV, a, 1)
    clipped = np.clip(a, 1.5 * mV, 10 * mV)
    assert clipped.dim is a.dim and float(clipped[0]) == pytest.approx(1.5e-3)
    with pytest.raises(DimensionMismatchError):
        np.clip(a, 1, 2)
    line = np.linspace(0 * ms, 10 * ms, 3)
    assert line.dim is get_dimensions(second)
    assert np.allclose(3 * mV, 0.003 * volt)
    assert np.dot(a, a).dim is get_dimensions(volt) ** 2
    counts, edges = np.histogram(np.array([1., 2., 3.]) * ms, bins=2)
    assert counts.sum() == 3 and edges.dim is get_dimensions(second)


def test_in_place_and_out():
    v = np.array([1., 2.]) * mV
    v += 1 * mV
    np.testing.assert_allclose(np.asarray(v), [2e-3, 3e-3])
    with pytest.raises(DimensionMismatchError):
        v += 1 * ms
    v *= 2
    assert v.dim is get_dimensions(volt)


def test_constructor_from_list_of_quantities():
    q = Quantity([1 * mV, 2 * volt])
    assert q.dim is get_dimensions(volt)
    np.testing.assert_allclose(np.asarray(q), [1e-3, 2])
    with pytest.raises(DimensionMismatchError):
        Quantity([1 * mV, 2 * ms])
    assert Quantity(3.0).dim is DIMENSIONLESS
    assert Quantity(3.0, dim=get_dimensions(volt)).dim is get_dimensions(volt)


def test_plain_conversions_give_si_values():
    assert float(5 * mV) == pytest.approx(0.005)
    assert np.asarray(np.array([1., 2.]) * ms).tolist() == pytest.approx([1e-3, 2e-3])
    assert type(np.asarray(3 * mV)) is np.ndarray


def test_pickle_and_copy():
    import copy

    v = np.array([1., 2.]) * mV
    for clone in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v), v.copy()):
        assert clone.dim is v.dim
        np.testing.assert_array_equal(np.asarray(clone), np.asarray(v))
    assert pickle.loads(pickle.dumps(mV)) == mV
    assert repr(pickle.loads(pickle.dumps(mV))) == "mvolt"


def test_iter_on_a_scalar_quantity_fails_at_once():
    """iter() must raise on a 0-d quantity, as on a 0-d array: matplotlib's
    hist(weights=list_of_scalar_quantities) tells scalars from sequences this way."""
    from nerve.units import ms

    with pytest.raises(TypeError):
        iter(5 * ms)
    assert [float(x) for x in iter([1, 2] * ms)] == [0.001, 0.002]


@pytest.mark.parametrize("x", [3 * mV, np.array([1.0, -2.0, np.nan]) * nA,
                               Quantity(np.arange(3), dim=get_dimensions(second)),
                               Quantity(2.0), mV, Quantity(-0.0, dim=get_dimensions(volt))])
@pytest.mark.parametrize("number", [2, 2.5, -0.0, float("inf"), 0, 10**30])
def test_a_python_number_scales_as_the_ufunc_does(x, number):
    # (x * number has a quick path; np.multiply goes through __array_ufunc__)
    pairs = [(lambda: number * x, lambda: np.multiply(number, x))]
    if not isinstance(x, Unit):
        pairs.append((lambda: x * number, lambda: np.multiply(x, number)))
    if number != 0:
        pairs.append((lambda: x / number, lambda: np.true_divide(x, number)))
    for quick, generic in pairs:
        quick, generic = _outcome(quick), _outcome(generic)
        if isinstance(generic, Exception):  # (an int array times 10**30)
            assert type(quick) is type(generic)
            continue
        assert type(quick) is type(_as_python(generic))
        assert get_dimensions(quick) is get_dimensions(generic)
        q, g = np.asarray(quick), np.asarray(generic)
        assert q.dtype == g.dtype
        if q.dtype == object:  # (numpy 1.x: a float array times 10**30 holds Python floats)
            q, g = q.astype(float), g.astype(float)
        np.testing.assert_array_equal(q, g)
        assert np.array_equal(np.signbit(q), np.signbit(g))


def _as_python(value):
    """What Python arithmetic gives for a ufunc's result (a dimensionless 0-d
    value is a Python number, as in Brian2)."""
    if not isinstance(value, Quantity) and np.ndim(value) == 0:
        return np.asarray(value).item()
    return value


def _outcome(compute):
    try:
        with np.errstate(all="ignore"):  # (inf * 0: the same nan both ways)
            return compute()
    except Exception as error:  # (compared with the other path's)
        return error
