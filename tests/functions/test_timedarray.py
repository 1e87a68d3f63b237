"""TimedArray: values at and between grid points, 2-D tables, units, use in
equations (exact and rk4 integration), thresholds, resets and string
assignments, and refusals of bad input.

The reference numbers were produced by Brian2 2.9.0 (numpy target) running
the same models (script in the docstring of each test: the model and run
are the ones written here, with ``from brian2 import *``)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, EquationSyntaxError, NeuronGroup, SpikeMonitor,
                   StateMonitor, TimedArray, Hz, arange, defaultclock, mV, ms, pi, run, sin,
                   start_scope, volt)
from nerve.exceptions import NerveError, NotSupportedError, UnknownNameError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    defaultclock.dt = 0.1 * ms


# Brian2 2.9.0: v = ta(t) : volt with ta = TimedArray(arange(1, 6)*mV, dt=...),
# recorded every 0.1 ms step for 2 ms (values in mV)
GRID = {
    0.1: [1, 2, 3, 4] + [5] * 16,
    0.25: [1, 1, 1, 2, 2, 3, 3, 3, 4, 4] + [5] * 10,
    1.0: [1] * 10 + [2] * 10,
    0.05: [1, 3] + [5] * 18,
}


@pytest.mark.parametrize("table_dt", sorted(GRID))
def test_values_on_and_between_grid_points_as_brian2(table_dt):
    ta = TimedArray(np.arange(1, 6) * mV, dt=table_dt * ms)
    G = NeuronGroup(1, "v = ta(t) : volt")
    M = StateMonitor(G, "v", record=True)
    run(2 * ms)
    np.testing.assert_array_equal(M.v[0] / mV, GRID[table_dt])


def test_two_dimensional_table_by_time_and_index():
    # Brian2 2.9.0: ta2 = TimedArray([[1, 2], [3, 4], [5, 6]]*mV, dt=0.1*ms),
    # 'v = ta2(t, i%2) : volt' over 4 neurons, 0.5 ms
    ta2 = TimedArray([[1, 2], [3, 4], [5, 6]] * mV, dt=0.1 * ms)
    G = NeuronGroup(4, "v = ta2(t, i%2) : volt")
    M = StateMonitor(G, "v", record=True)
    run(0.5 * ms)
    want = [[1, 3, 5, 5, 5], [2, 4, 6, 6, 6]] * 2
    np.testing.assert_array_equal(M.v / mV, want)


def test_column_outside_a_two_dimensional_table_is_nan():
    ta2 = TimedArray([[1, 2], [3, 4]], dt=0.1 * ms)
    G = NeuronGroup(4, "v = ta2(t, i - 1) : 1")
    M = StateMonitor(G, "v", record=True)
    run(0.1 * ms)
    assert np.isnan(M.v[0, 0]) and np.isnan(M.v[3, 0])
    np.testing.assert_array_equal(M.v[1:3, 0], [1, 2])


def test_called_from_python_with_units():
    ta = TimedArray([1, 2, 3, 4] * mV, dt=0.1 * ms)
    # Brian2 2.9.0 prints 4. mV, 1. mV, 1. mV, 1. mV, 2. mV, 4. mV
    got = [ta(x * ms) for x in (0.3, -1, 0.049, 0.05, 0.0999, 10)]
    assert [float(g / mV) for g in got] == [4, 1, 1, 1, 2, 4]
    assert got[0].dim is mV.dim
    np.testing.assert_array_equal(ta.values, [0.001, 0.002, 0.003, 0.004])
    assert ta.dt == pytest.approx(1e-4)
    ta2 = TimedArray([[1, 2], [3, 4], [5, 6]] * mV, dt=0.1 * ms)
    np.testing.assert_array_equal(ta2(0.1 * ms, [0, 1]) / mV, [3, 4])


def test_exact_integration_of_the_tutorial_cell():
    # Brian2 2.9.0, tutorial part 3 ("Adding input", the TimedArray cell)
    A, f, tau = 2.5, 10 * Hz, 5 * ms
    t_recorded = arange(int(200 * ms / defaultclock.dt)) * defaultclock.dt
    I_recorded = TimedArray(A * sin(2 * pi * f * t_recorded), dt=defaultclock.dt)
    eqs = """
    dv/dt = (I-v)/tau : 1
    I = I_recorded(t) : 1
    """
    G = NeuronGroup(1, eqs, threshold="v>1", reset="v=0", method="exact")
    M = StateMonitor(G, variables=True, record=True)
    S = SpikeMonitor(G)
    run(200 * ms)
    spikes = [0.0112, 0.0151, 0.0182, 0.021, 0.0237, 0.0263, 0.029, 0.0318, 0.035, 0.0392,
              0.1117, 0.1155, 0.1186, 0.1214, 0.124, 0.1266, 0.1293, 0.1322, 0.1355, 0.14]
    np.testing.assert_allclose(S.t_, spikes, rtol=0, atol=1e-9)
    v = [0.0, 0.8129702419942982, 0.45685850820996937, 0.0, 0.9437269071121209,
         0.6181815863575474, -0.5369662368779888, -1.745676030790372, -2.3612588089344584,
         -2.1316613788195697, -1.1351944436908168, 0.26994592043111215, 0.31157299391123544,
         0.82364135007066, 0.07688408083570125, 0.6784608252695709, -0.1390127890141099,
         -1.4159488494427142, -2.256227791526797, -2.2945706401040953, -1.5081603364290281]
    # (a closed-form step per 0.1 ms: round-off of ~1e-16 per step over 2000 steps)
    np.testing.assert_allclose(M.v[0][::97], v, rtol=0, atol=1e-12)
    np.testing.assert_allclose(M.I[0], A * np.sin(2 * np.pi * 10 * M.t_), atol=1e-12)


def test_rk4_evaluates_a_finer_table_inside_the_step():
    # Brian2 2.9.0: ta = TimedArray(linspace(0, 1, 41), dt=0.05*ms),
    # 'dv/dt = (ta(t) - v)/(0.5*ms) : 1', method='rk4', 2 ms
    ta = TimedArray(np.linspace(0, 1, 41), dt=0.05 * ms)
    G = NeuronGroup(1, "dv/dt = (ta(t) - v)/(0.5*ms) : 1", method="rk4")
    M = StateMonitor(G, "v", record=True)
    run(2 * ms)
    want = [0.0, 0.004683333333333334, 0.017581067777777782, 0.03720420622525926,
            0.0623336571101606, 0.09197130953132548, 0.12529997682361388,
            0.16165060102472015, 0.20047540207897255, 0.24132589419545747,
            0.28383488710762755, 0.32770174990458495, 0.3726803460385472,
            0.41856915531329325, 0.465203186426837, 0.5124473555005323, 0.5601910648601358,
            0.6083437645031552, 0.6568313181242166, 0.7055930278589002]
    np.testing.assert_allclose(M.v[0], want, rtol=1e-13, atol=1e-16)


def test_exact_refuses_a_table_that_changes_within_a_step():
    ta = TimedArray(np.linspace(0, 1, 41), dt=0.05 * ms)
    G = NeuronGroup(1, "dv/dt = (ta(t) - v)/(0.5*ms) : 1", method="exact")
    with pytest.raises(NerveError, match="time"):
        run(0.1 * ms)


def test_threshold_and_reset():
    # Brian2 2.9.0: spikes at steps [4, 4, 5, 5, 8, 8, 9, 9, 10, 10, 11, 11] of
    # neurons [0, 1]*6; final v [2, 8]
    ta = TimedArray(np.array([0, 0, 1, 0, 1, 1, 0]) * 1.0, dt=0.2 * ms)
    G = NeuronGroup(2, "v : 1", threshold="ta(t) > 0.5", reset="v += ta(t + 0.2*ms) + i")
    S = SpikeMonitor(G)
    run(1.6 * ms)
    np.testing.assert_array_equal(np.round(S.t_ / 1e-4), [4, 4, 5, 5, 8, 8, 9, 9, 10, 10, 11, 11])
    np.testing.assert_array_equal(S.i, [0, 1] * 6)
    np.testing.assert_array_equal(G.v, [2, 8])


def test_string_assignment_reads_the_table_at_the_current_time():
    ta = TimedArray([[1, 2], [3, 4]] * mV, dt=1 * ms)
    G = NeuronGroup(3, "v : volt")
    run(1 * ms)
    G.v = "ta(t, i)"
    np.testing.assert_array_equal(G.v / mV, [3, 4, np.nan])


def test_table_is_shared_by_every_program():
    ta = TimedArray(np.arange(4.0), dt=0.1 * ms)
    G = NeuronGroup(1, "dv/dt = ta(t)/ms : 1", threshold="ta(t) > 2", reset="v = ta(t)")
    text = G.code()
    assert "lookup" in text and "tables=1" in text
    assert ta.table() is ta.table()  # made once


# -- bad input -----------------------------------------------------------------------

def test_dt_must_be_a_time():
    with pytest.raises(DimensionMismatchError, match="'dt'"):
        TimedArray([1, 2, 3], dt=0.1)
    with pytest.raises(DimensionMismatchError, match="'dt'"):
        TimedArray([1, 2] * mV, dt=1 * mV)


def test_values_must_be_one_or_two_dimensional():
    with pytest.raises(NotSupportedError, match="1-D") as info:
        TimedArray(np.zeros((2, 2, 2)), dt=0.1 * ms)
    assert isinstance(info.value, NotImplementedError)


def test_wrong_number_of_arguments_points_at_the_call():
    ta = TimedArray([1, 2] * mV, dt=0.1 * ms)
    G = NeuronGroup(1, "v = 2*ta(t, i) : volt")
    with pytest.raises(EquationSyntaxError) as info:
        run(0.1 * ms)
    message = str(info.value)
    assert "'ta'" in message and "2 arguments" in message and "takes 1" in message
    assert "^" in message


def test_argument_with_wrong_units_is_named():
    ta = TimedArray([1, 2] * mV, dt=0.1 * ms)
    G = NeuronGroup(1, "v = ta(i) : volt")
    with pytest.raises(DimensionMismatchError, match=r"argument of ta\(\) must be a time"):
        run(0.1 * ms)


def test_result_units_are_checked():
    ta = TimedArray([1, 2] * mV, dt=0.1 * ms)
    G = NeuronGroup(1, "v = ta(t) : 1")
    with pytest.raises(DimensionMismatchError):
        run(0.1 * ms)


def test_a_table_used_as_a_value_is_refused():
    ta = TimedArray([1, 2] * mV, dt=0.1 * ms)
    G = NeuronGroup(1, "v = ta : volt")
    with pytest.raises(EquationSyntaxError, match="call it"):
        run(0.1 * ms)


def test_unknown_function_is_reported_when_the_run_starts():
    G = NeuronGroup(1, "dv/dt = expp(v)/ms : 1")
    with pytest.raises(UnknownNameError, match="expp") as info:
        run(0.1 * ms)
    assert "^" in str(info.value)


def test_in_synaptic_code_and_synaptic_assignments():
    # Brian2 2.9.0: Q.v = [24] mV (2 synapses x (1 + 2 + 3 + 3 + 3) mV), S.x = [2, 2] mV
    from nerve import Synapses

    ta = TimedArray([1, 2, 3] * mV, dt=0.1 * ms)
    P = NeuronGroup(2, "v : 1", threshold="True")
    Q = NeuronGroup(1, "v : volt")
    S = Synapses(P, Q, "x : volt", on_pre="v_post += ta(t)")
    S.connect()
    S.x = "ta(t + 0.1*ms)"  # (at the time of the synapses' clock, 0 in a fresh script)
    np.testing.assert_allclose(S.x / mV, [ta(S.clock.t + 0.1 * ms) / mV] * 2)
    run(0.5 * ms)
    np.testing.assert_allclose(Q.v / mV, [24])
