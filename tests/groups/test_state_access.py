"""G.v as Brian2's VariableView: reading, writing, indices, conditions,
casting, read-only variables and subexpressions.

Expected values and exception classes were produced by running the same
statements with Brian2 2.9.0 (numpy target); see the comment on each test.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, InvalidIndexError, NerveError, NeuronGroup,
                   StateMonitor, UnknownNameError, mV, ms, nA, nS, pA, run, seed, siemens,
                   start_scope, volt)
from nerve.groups import VariableView

MODEL = """
dv/dt = -v/(10*ms) : volt
ge : siemens
n : integer
b : boolean
x : 1
I_syn = ge*(E - v) : amp
"""


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


E = 0 * mV  # the reversal potential of I_syn, found in this module's names


def group(N=10):
    G = NeuronGroup(N, MODEL)
    G.v = "i*mV"
    return G


def test_a_variable_is_a_live_view_with_brians_repr():
    G = group()
    view = G.v
    assert isinstance(view, VariableView)
    # Brian2: <neurongroup.v: array([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.]) * mvolt>
    assert repr(view) == (f"<{G.name}.v: array([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.])"
                          f" * mvolt>")
    assert str(view) == repr(view)
    G.v = 0 * mV
    # the view made before the assignment shows the new values (Brian2 too)
    assert repr(view) == f"<{G.name}.v: array([0., 0., 0., 0., 0., 0., 0., 0., 0., 0.]) * volt>"
    assert len(view) == 10 and view.shape == (10,) and view.ndim == 1
    assert view.dim is volt.dim and view.unit == volt
    raw = G.v_
    G.v = 1 * mV
    np.testing.assert_array_equal(np.asarray(raw), [0.001] * 10)
    assert repr(G.x) == f"<{G.name}.x: array([0., 0., 0., 0., 0., 0., 0., 0., 0., 0.])>"


def test_reading_with_indices_gives_quantities():
    G = group()
    assert float(G.v[3] / mV) == pytest.approx(3)
    np.testing.assert_allclose(G.v[2:5] / mV, [2, 3, 4])
    np.testing.assert_allclose(G.v[np.array([1, 3])] / mV, [1, 3])
    np.testing.assert_allclose(G.v[[1, 3]] / mV, [1, 3])
    np.testing.assert_allclose(G.v[G.v_ > 0.0055] / mV, [6, 7, 8, 9])
    np.testing.assert_allclose(G.v[-1] / mV, 9)
    np.testing.assert_allclose(G.v[::3] / mV, [0, 3, 6, 9])
    assert G.v[:].dim is volt.dim
    # a slice of a float variable shares memory with the state (Brian2's numpy
    # target too): writing into it writes the group
    part = G.v[:]
    part[0] = 5 * mV
    assert float(G.v[0] / mV) == pytest.approx(5)
    assert type(G.v_[:]) is np.ndarray


def test_the_view_behaves_like_its_values():
    G = group(5)
    np.testing.assert_allclose(G.v * 2 / mV, [0, 2, 4, 6, 8])
    np.testing.assert_allclose((G.v + G.v) / mV, [0, 2, 4, 6, 8])
    np.testing.assert_allclose((1 * mV - G.v) / mV, [1, 0, -1, -2, -3])
    np.testing.assert_allclose((2 * mV + G.v) / mV, [2, 3, 4, 5, 6])
    assert (G.v > 2 * mV).tolist() == [False, False, False, True, True]
    assert (2 * mV < G.v).tolist() == [False, False, False, True, True]
    assert float(np.mean(G.v) / mV) == pytest.approx(2)
    assert float(G.v.max() / mV) == pytest.approx(4)
    assert float(np.max(G.v) / mV) == pytest.approx(4)
    np.testing.assert_allclose(np.abs(-G.v) / mV, [0, 1, 2, 3, 4])
    np.testing.assert_allclose(np.sqrt(G.v * G.v) / mV, [0, 1, 2, 3, 4])
    # numpy functions with views and quantities mixed, in either order
    np.testing.assert_allclose(np.where(G.v > 1 * mV, G.v, 0 * mV) / mV, [0, 0, 2, 3, 4])
    np.testing.assert_allclose(np.where(G.v < 1 * mV, 9 * mV, G.v) / mV, [9, 1, 2, 3, 4])
    np.testing.assert_allclose(np.concatenate([G.v, G.v[:1]]) / mV, [0, 1, 2, 3, 4, 0])
    np.testing.assert_allclose(np.clip(G.v, 1 * mV, 3 * mV) / mV, [1, 1, 2, 3, 3])
    np.testing.assert_allclose(np.maximum(2 * mV, G.v) / mV, [2, 2, 2, 3, 4])
    with pytest.raises(DimensionMismatchError):
        np.where(G.v > 1 * mV, G.v, 1)
    assert [float(v / mV) for v in G.v] == pytest.approx([0, 1, 2, 3, 4])
    assert 2 * mV in G.v
    with pytest.raises(DimensionMismatchError):
        G.v + 1
    with pytest.raises(DimensionMismatchError):
        np.ones(5) + G.v
    with pytest.raises(DimensionMismatchError):
        np.exp(G.v)
    assert np.asarray(G.v, dtype=float).tolist() == pytest.approx([0, 1e-3, 2e-3, 3e-3, 4e-3])
    G.v += 1 * mV
    np.testing.assert_allclose(G.v / mV, [1, 2, 3, 4, 5])
    G.v[:3] += 1 * mV
    np.testing.assert_allclose(G.v / mV, [2, 3, 4, 4, 5])


def test_conditions_select_neurons():
    G = group()
    limit = 3 * mV
    # Brian2: G.v['i>5'] -> [6, 7, 8, 9] mV; G.v['v > 3*mV'] -> [4, ..., 9] mV
    np.testing.assert_allclose(G.v["i>5"] / mV, [6, 7, 8, 9])
    np.testing.assert_allclose(G.v["v > limit"] / mV, [4, 5, 6, 7, 8, 9])
    assert G.v["False"].shape == (0,)
    np.testing.assert_allclose(G.v_["i > 7"], [0.008, 0.009])
    G.v["v > 0.5*mV"] = 0 * mV
    np.testing.assert_array_equal(np.asarray(G.v), 0)
    # a dimensionless value is a condition too, true when non-zero (Brian2: G.v['i'] = 1*mV
    # sets every neuron but the first)
    G.v["i"] = 1 * mV
    np.testing.assert_allclose(G.v / mV, [0] + [1] * 9)
    with pytest.raises(DimensionMismatchError, match="must be boolean"):
        G.v["v + 1*mV"]
    with pytest.raises(UnknownNameError, match="q"):
        G.v["q > 1"]


def test_string_assignment_to_indices_and_conditions():
    G = group(5)
    G.v = 0 * mV
    G.v[:2] = "3*i*volt"  # Brian2: [0, 3, 0, 0, 0] volt
    np.testing.assert_allclose(G.v / volt, [0, 3, 0, 0, 0])
    G.v[::2] = "i*mV"  # Brian2: i is the neuron's index: [0, 3 V, 2 mV, 0, 4 mV]
    np.testing.assert_allclose(G.v / mV, [0, 3000, 2, 0, 4])
    G.v["i > 2"] = "i*mV + 100*mV"  # Brian2: [.., 103, 104] mV
    np.testing.assert_allclose(G.v / mV, [0, 3000, 2, 103, 104])
    G.v[[0, 4]] = "-i*mV"
    np.testing.assert_allclose(G.v / mV, [0, 3000, 2, 103, -4])
    seed(3)
    G.v["i < 2"] = "rand()*mV"
    first = np.asarray(G.v_[:2]).copy()
    assert np.all((0 <= first) & (first < 0.001)) and first[0] != first[1]
    np.testing.assert_allclose(G.v[2:] / mV, [2, 103, -4])


def test_values_need_the_variables_units_except_zero():
    G = group(3)
    G.ge = 0  # 0 fits every unit (Brian2 too)
    G.ge = np.zeros(3)
    G.ge[1] = 0
    G.ge = 2 * nS
    np.testing.assert_allclose(G.ge / nS, [2, 2, 2])
    # Brian2: DimensionMismatchError "ge should be set with a value with units siemens, but
    # got 1 (unit is 1)"
    with pytest.raises(DimensionMismatchError, match="siemens"):
        G.ge = 1
    with pytest.raises(DimensionMismatchError):
        G.ge[2] = 1
    with pytest.raises(DimensionMismatchError):
        G.v = [0, 1, 0]
    with pytest.raises(DimensionMismatchError):
        G.v[:] = 3 * ms
    with pytest.raises(DimensionMismatchError):
        G.n = 0 * mV  # Brian2 refuses a quantity with units for a dimensionless variable
    with pytest.raises(DimensionMismatchError):
        G.v["i > 0"] = 1
    G.v_ = 3 * mV  # the raw view ignores units (Brian2 too): 0.003 V
    np.testing.assert_allclose(G.v / mV, [3, 3, 3])
    G.v = [1 * mV, 2 * mV, 3 * mV]
    np.testing.assert_allclose(G.v / mV, [1, 2, 3])


def test_wrong_numbers_of_values():
    G = group(5)
    # Brian2: ValueError "Provided values do not match the size of the indices, 3 != 2."
    with pytest.raises(ValueError, match="2 values"):
        G.v[[1, 2]] = [1, 2, 3] * mV
    with pytest.raises(ValueError, match="5 values"):
        G.v = [1, 2, 3] * mV
    with pytest.raises(ValueError, match="single value"):
        G.v[1] = [1, 2] * mV
    with pytest.raises(ValueError, match="give a number"):
        G.v = None
    G.v[[1, 2]] = [7] * mV  # one value is broadcast
    np.testing.assert_allclose(G.v[1:3] / mV, [7, 7])


def test_integer_and_boolean_variables_cast_as_brian2():
    G = group(5)
    # Brian2: n = 2.7 -> 2, n = -2.7 -> -2 (truncation, int32); b = 0.2 -> True
    G.n = 2.7
    assert G.n[:].tolist() == [2] * 5 and G.n[:].dtype == np.int32
    G.n = -2.7
    assert G.n[:].tolist() == [-2] * 5
    G.n = "2.7"
    assert G.n[:].tolist() == [2] * 5
    G.x = "n"  # the stored value is the cast one
    assert G.x[:].tolist() == [2.0] * 5
    G.n = "-2.7"
    assert G.n[:].tolist() == [-2] * 5
    G.n[1:] = "7.9"
    assert G.n[:].tolist() == [-2, 7, 7, 7, 7]
    G.n["i > 3"] = "1.5"
    assert G.n[:].tolist() == [-2, 7, 7, 7, 1]
    G.n[0] = 3.9
    assert G.n[0] == 3 and isinstance(G.n[0], np.int32)
    G.b = 0.2
    assert G.b[:].tolist() == [True] * 5 and G.b[:].dtype == bool
    G.b = "0.5"
    assert G.b[:].tolist() == [True] * 5
    G.b = "i > 2"
    assert G.b[:].tolist() == [False, False, False, True, True]
    G.b = np.array([0, 1, 2, 0.0, np.nan])  # Brian2: [F, T, T, F, T]
    assert G.b[:].tolist() == [False, True, True, False, True]
    G.x = "b"
    assert G.x[:].tolist() == [0, 1, 1, 0, 1]
    G.b["i < 2"] = "0"
    assert G.b[:].tolist() == [False, False, True, False, True]
    # Brian2: n dtype int32, b dtype bool
    assert G.n.dtype == np.int32 and G.b.dtype == bool and G.v.dtype == np.float64


def test_out_of_range_and_bad_indices():
    G = group(10)
    # Brian2: IndexError "index 10 is out of bounds for axis 0 with size 10"
    with pytest.raises(InvalidIndexError, match="index 10 is out of range.*10 neurons"):
        G.v[10]
    with pytest.raises(InvalidIndexError, match="-11"):
        G.v[-11]
    with pytest.raises(InvalidIndexError, match="12"):
        G.v[[1, 12]]
    with pytest.raises(InvalidIndexError, match="12"):
        G.v[12] = 1 * mV
    with pytest.raises(InvalidIndexError, match="mask"):
        G.v[np.arange(12) > 10]
    # Brian2: TypeError "Indexing is only supported for integer and boolean arrays"
    with pytest.raises(TypeError, match="integers"):
        G.v[1.5]
    with pytest.raises(TypeError, match="integers"):
        G.v[np.array([1.0, 2.0])]
    with pytest.raises(TypeError):
        G.v[None]
    with pytest.raises(InvalidIndexError):
        G.v[1, 2]
    with pytest.raises(NerveError):
        G.v[1.5]


def test_N_i_and_subexpressions_are_read_only():
    G = group(4)
    assert G.N == 4 and isinstance(G.N, int)
    assert G.i[:].tolist() == [0, 1, 2, 3] and G.i[:].dtype == np.int32
    # Brian2: TypeError "Variable N is read-only." (the same for i and subexpressions)
    with pytest.raises(TypeError, match="N.*read-only"):
        G.N = 3
    with pytest.raises(TypeError, match="i.*read-only"):
        G.i = 3
    with pytest.raises(TypeError, match="i.*read-only"):
        G.i[2] = 3
    with pytest.raises(TypeError, match="I_syn.*read-only"):
        G.I_syn = 3 * nA
    with pytest.raises(TypeError, match="I_syn.*read-only"):
        G.I_syn[2] = 3 * nA
    assert G.N == 4


def test_subexpressions_are_evaluated_from_the_current_state():
    G = group(10)
    G.ge = "i*nS"
    G.v = "-i*mV"
    # Brian2: G.I_syn -> [0, 1, 4, ..., 81] pA (ge*(0 mV - v) = i nS * i mV)
    expected = np.arange(10) ** 2
    view = G.I_syn
    np.testing.assert_allclose(view / pA, expected, rtol=1e-12)
    assert view.dim is pA.dim
    np.testing.assert_allclose(G.I_syn[2:4] / pA, [4, 9], rtol=1e-12)
    np.testing.assert_allclose(G.I_syn["i > 5"] / pA, [36, 49, 64, 81], rtol=1e-12)
    np.testing.assert_allclose(G.I_syn["I_syn > 50*pA"] / pA, [64, 81], rtol=1e-12)
    np.testing.assert_allclose(G.I_syn_, expected * 1e-12, rtol=1e-12)
    G.v = 0 * mV  # the view follows the state
    np.testing.assert_array_equal(np.asarray(view), 0)
    assert G.v["I_syn == 0*amp"].shape == (10,)


def test_subexpressions_use_the_names_where_they_are_read():
    G = NeuronGroup(3, "g : siemens\nv : volt\nI = g*(E_rev - v) : amp")
    G.g = 1 * siemens
    E_rev = 2 * volt
    np.testing.assert_allclose(G.I / volt / siemens, [2, 2, 2])
    E_rev = 5 * volt  # noqa: F841 (read by the next line)
    np.testing.assert_allclose(G.I[:] / volt / siemens, [5, 5, 5])
    explicit = NeuronGroup(2, "g : siemens\nv : volt\nI = g*(E_rev - v) : amp\nx : 1",
                           namespace={"E_rev": 1 * volt, "k": 1})
    explicit.g = 1 * siemens
    np.testing.assert_allclose(explicit.I / volt / siemens, [1, 1])  # the explicit one wins
    explicit.x = "k + 1"
    np.testing.assert_allclose(explicit.x[:], [2, 2])
    np.testing.assert_allclose(explicit.x["x > k"], [2, 2])


def test_views_after_a_run_and_with_monitors():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt")
    G.v = [1, 2] * mV
    M = StateMonitor(G, "v", record=True)
    run(1 * ms)
    # exact decay: v(1 ms) = v0*exp(-0.1)
    np.testing.assert_allclose(G.v / mV, np.array([1, 2]) * np.exp(-0.1), rtol=1e-12)
    np.testing.assert_allclose(M.v[0][0] / mV, 1)
    G.v["i == 1"] = 0 * mV
    run(1 * ms)
    assert float(G.v[1]) == 0.0


def test_strings_use_the_names_of_the_code_that_indexes():
    G = group(5)
    threshold = 2.5 * mV

    def inner():
        cut = 3.5 * mV  # a local of this function
        return G.v["v > cut"]

    np.testing.assert_allclose(inner() / mV, [4])
    np.testing.assert_allclose(G.v["v > threshold"] / mV, [3, 4])

    def helper(view):
        return view.get_item("v > threshold", level=1)  # the names of helper's caller

    np.testing.assert_allclose(helper(G.v) / mV, [3, 4])
    value = 7 * mV
    G.v["i == 0"] = "value"
    G.v.set_item(1, "value + 1*mV")
    np.testing.assert_allclose(G.v[:2] / mV, [7, 8])
