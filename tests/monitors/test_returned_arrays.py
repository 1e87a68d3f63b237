"""Arrays a monitor hands to the user can never change its recording.

Which attributes are the user's own (writable) copies and which are protected
was found by running Brian2 2.9.0 (numpy target) on a 3-neuron group recorded
by a StateMonitor, a SpikeMonitor, an EventMonitor and a PopulationRateMonitor,
writing into each returned array and reading the attribute again:

- writable copies (the write succeeds, the monitor is unchanged): StateMonitor
  ``M.v`` (plain array or Quantity), ``M.v[k]``, ``M[i].v``, ``M[i].v_``,
  ``M[[i, j]].v``; ``values()``/``spike_trains()``/``event_trains()``/
  ``all_values()`` entries; ``smooth_rate()``; ``count[:]``;
- protected (Brian2: a read-only VariableView, ``TypeError: Variable t is
  read-only.``): ``M.t``, ``M.t_``, ``S.i``, ``S.t``, ``S.t_``, ``S.count``,
  ``S.it``, ``E.v``, ``E.v_``, ``R.rate``, ``R.rate_``, ``R.t``, ``R.t_``;
- ``M.v_``: Brian2 hands out a writable view of its storage, so a write
  changes its recording. nerve keeps it a read-only view instead.

nerve's protected arrays are numpy read-only arrays (writing raises numpy's
ValueError); the ones with units (``S.t``, ``R.rate``, ``M.t``) are computed
afresh at each access (seconds times a unit), so writes to them are harmless.
"""

import numpy as np
import pytest

from nerve import (EventMonitor, NeuronGroup, PopulationRateMonitor, SpikeMonitor,
                   StateMonitor, mV, ms, run, start_scope)


def _recorded(runs=1):
    start_scope()
    G = NeuronGroup(3, """dv/dt = (20*mV - v)/(10*ms) : volt
                          x = v/mV : 1
                          dy/dt = -y/(50*ms) : 1
                          n : integer
                          flag : boolean""",
                    threshold="v > 10*mV", reset="v = 0*mV", method="exact")
    G.v = [0, 5, 9] * mV
    G.n = [1, 2, 3]
    G.flag = [True, False, True]
    G.y = [1, 2, 3]
    M = StateMonitor(G, ["v", "x", "n", "flag"], record=True)
    S = SpikeMonitor(G, variables="v")
    E = EventMonitor(G, "spike", variables="y")
    R = PopulationRateMonitor(G)
    for _ in range(runs):
        run(20 * ms)
    return M, S, E, R


def _snapshot(M, S, E, R):
    return {"M.v": M.v_.copy(), "M.x": M.x_.copy(), "M.n": M.n.copy(),
            "M.flag": M.flag.copy(), "M.t": M.t_.copy(), "S.i": S.i.copy(),
            "S.t": S.t_.copy(), "S.v": S.v_.copy(), "S.count": S.count.copy(),
            "E.y": E.y_.copy(), "R.rate": R.rate_.copy(), "R.t": R.t_.copy()}


def _assert_intact(monitors, before):
    after = _snapshot(*monitors)
    for name, values in before.items():
        np.testing.assert_array_equal(after[name], values, err_msg=name)


@pytest.mark.parametrize("runs", [1, 2])  # (two runs: the recording is joined from pieces)
def test_state_monitor_traces_are_the_users_own_copies(runs):
    monitors = _recorded(runs)
    M = monitors[0]
    before = _snapshot(*monitors)
    assert M.v_.shape == (3, 200 * runs)
    for get in (lambda: M.v, lambda: M.x, lambda: M.v[1], lambda: M[1].v, lambda: M[1].v_,
                lambda: M[[0, 2]].v, lambda: M[[0, 2]].x_, lambda: M.n, lambda: M[2].flag,
                lambda: M[0].v[:]):
        values = get()
        assert values.flags.writeable
        expected = np.asarray(values).copy()
        values[...] = 0 * values[...]  # (a zero with the values' units)
        assert np.any(expected != 0)  # (so that a write reaching the recording shows)
        assert not np.any(np.asarray(values))  # the write took effect in the user's array
        np.testing.assert_array_equal(np.asarray(get()), expected)
    _assert_intact(monitors, before)


def test_brette_gerstner_writes_into_a_trace():
    # Brian2's example Brette_Gerstner_2005.py: vm = trace[0].vm[:]; vm[i] = 20*mV
    monitors = _recorded()
    M = monitors[0]
    before = _snapshot(*monitors)
    vm = M[0].v[:]
    vm[3] = 20 * mV
    assert float(vm[3]) == pytest.approx(0.02)
    assert float(M[0].v[3]) != pytest.approx(0.02)
    _assert_intact(monitors, before)


def test_raw_traces_and_protected_arrays_are_read_only():
    monitors = _recorded()
    M, S, E, R = monitors
    before = _snapshot(*monitors)
    protected = {"M.v_": M.v_, "M.x_": M.x_, "M.t_": M.t_, "S.i": S.i, "S.t_": S.t_,
                 "S.v_": S.v_, "S.it[0]": S.it[0], "S.it_[1]": S.it_[1], "E.i": E.i,
                 "E.y": E.y, "E.y_": E.y_, "R.rate_": R.rate_, "R.t_": R.t_}
    for name, values in protected.items():
        assert len(values) > 0, name
        with pytest.raises(ValueError, match="read-only"):
            values[0] = 1
        with pytest.raises(ValueError, match="read-only"):
            values[...] = 0
    _assert_intact(monitors, before)


def test_arrays_computed_at_each_access_do_not_reach_the_monitor():
    monitors = _recorded()
    M, S, E, R = monitors
    before = _snapshot(*monitors)
    computed = [M.t, S.t, S.v, S.count, S.it[1], R.rate, R.t, R.smooth_rate("flat", 1 * ms)]
    computed += list(S.spike_trains().values()) + list(E.event_trains().values())
    computed += list(S.values("v").values()) + list(E.values("y").values())
    computed += [values for per_neuron in S.all_values().values()
                 for values in per_neuron.values()]
    for values in computed:
        if len(values):
            values[...] = 0 * values
    _assert_intact(monitors, before)
    assert S.count.tolist() == before["S.count"].tolist()


def test_traces_read_from_a_file_are_the_users_own(tmp_path):
    pytest.importorskip("h5py")
    start_scope()
    G = NeuronGroup(3, "dv/dt = (20*mV - v)/(10*ms) : volt", method="exact")
    G.v = [1, 5, 9] * mV
    M = StateMonitor(G, "v", record=True, record_to=str(tmp_path / "trace.h5"))
    run(5 * ms)
    expected = np.asarray(M.v[:]).copy()
    for get in (lambda: M.v[:], lambda: M.v[1], lambda: M[1].v, lambda: M[[0, 2]].v_):
        values = get()
        values[...] = 0 * values
        assert not np.any(np.asarray(values))
    np.testing.assert_array_equal(np.asarray(M.v[:]), expected)
    assert np.all(expected > 0)
