"""Python functions called from model strings (``Function``, ``@check_units``,
``@implementation``), evaluated once per step over the group; Brian2 2.9.0's
numbers (numpy target) for the same models are quoted in the tests."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from nerve import (DimensionMismatchError, EquationSyntaxError, Function, NeuronGroup,
                   SpikeMonitor, StateMonitor, check_units, implementation, mV, ms, run,
                   start_scope, volt)
from nerve.exceptions import ModelDefinitionError, NotSupportedError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


@check_units(x=volt, result=volt)
def clipv(x):
    return np.clip(x, -70 * mV, -50 * mV)


@implementation("cpp", "double sq(double x) { return x*x; }")
@check_units(x=1, result=1)
def sq(x):
    return x * x


def test_equations_threshold_and_reset_as_brian2():
    # Brian2 2.9.0, same model (euler, dt 0.1 ms, 5 ms): v of each neuron every 7th
    # step (volt), spikes (indices, steps)
    G = NeuronGroup(3, """dv/dt = (clipv(v0) - v)/(10*ms) + sq(w)/ms*mV : volt
                          v0 : volt
                          w : 1""", threshold="sq(v/mV) < 3900",
                    reset="v = clipv(v - 20*mV)", method="euler")
    G.v0 = [-80, -60, -40] * mV
    G.w = [0, 0.5, 1]
    G.v = -65 * mV
    M = StateMonitor(G, "v", record=True)
    S = SpikeMonitor(G)
    run(5 * ms)
    want = [[-0.065, -0.06533967326046504, -0.06565627093615509, -0.0659513606588937,
             -0.06622640356398184, -0.06648276152500217, -0.06672170389712931,
             -0.0669444138023357],
            [-0.065, -0.06449049010930243, -0.06401559359576733, -0.06357295901165944,
             -0.06316039465402724, -0.06277585771249677, -0.07, -0.06915081684883738],
            [-0.065, -0.06330163369767476, -0.06910897, -0.06713146225026413,
             -0.0652882958015178, -0.06357034422421658, -0.069403, -0.06740551742450922]]
    # (the same operations in the same order as Brian2's numpy code, up to round-off)
    np.testing.assert_allclose(M.v_[:, ::7], want, rtol=1e-13)
    assert S.i[:].tolist() == [2, 2, 1]
    np.testing.assert_array_equal(np.round(S.t_ / 1e-4), [10, 39, 41])


def test_function_with_declared_units_in_a_subexpression():
    # Brian2 2.9.0: [[2, 2], [4, 4]] mV
    f = Function(lambda x: x * 2, arg_units=[mV], return_unit=mV)
    G = NeuronGroup(2, "v = f(u) : volt\nu : volt")
    G.u = [1, 2] * mV
    M = StateMonitor(G, "v", record=True)
    run(0.2 * ms)
    np.testing.assert_allclose(M.v / mV, [[2, 2], [4, 4]])


def test_called_once_per_step_with_every_neuron():
    calls = []

    @check_units(x=1, result=1)
    def spy(x):
        calls.append(np.array(x))
        return x + 1

    G = NeuronGroup(5, "dv/dt = spy(v)/ms : 1", method="euler")
    run(0.3 * ms)
    assert len(calls) == 3 and all(c.shape == (5,) for c in calls)
    np.testing.assert_allclose(G.v, 0.1 + 0.11 + 0.121)


def test_other_targets_are_ignored_with_a_log_message(caplog):
    with caplog.at_level(logging.INFO, logger="nerve.functions"):
        @implementation("cython", "cdef double g(double x): return x")
        @check_units(x=1, result=1)
        def g(x):
            return x
    assert "cython" in caplog.text and "g()" in caplog.text
    assert isinstance(g, Function) and g.arity == 1


def test_wrong_arity_points_at_the_call():
    f = Function(lambda x: x * 2, arg_units=[mV], return_unit=mV)
    G = NeuronGroup(2, "v = f(u, u) : volt\nu : volt")
    with pytest.raises(EquationSyntaxError, match="'f' was called with 2 arguments") as info:
        run(0.1 * ms)
    assert "^" in str(info.value)


def test_wrong_argument_units_name_the_argument():
    f = Function(lambda x: x * 2, arg_units=[mV], arg_names=["x"], return_unit=mV)
    G = NeuronGroup(2, "v = f(i) : volt\nu : volt")
    with pytest.raises(DimensionMismatchError, match=r"argument of f\(\) must have units of "
                                                      r"volt \(argument 'x'\)"):
        run(0.1 * ms)


def test_result_with_wrong_units_is_an_error():
    f = Function(lambda x: x, arg_units=[1], return_unit=mV)
    G = NeuronGroup(2, "dv/dt = f(u)/ms : volt\nu : 1", method="euler")
    with pytest.raises(DimensionMismatchError, match="returned"):
        run(0.1 * ms)


def test_a_function_without_units_is_refused():
    with pytest.raises(ModelDefinitionError, match="unit information"):
        Function(lambda x: x)


def test_arguments_computed_in_the_step_are_refused():
    G = NeuronGroup(1, "dv/dt = sq(v)/ms : 1", method="rk4")
    with pytest.raises(NotSupportedError, match="euler"):
        run(0.1 * ms)


def test_calls_outside_group_code_are_refused_clearly():
    G = NeuronGroup(2, "v : 1")
    with pytest.raises(NotSupportedError, match="sq"):
        G.v = "sq(i)"
