"""Running: magic run(), Network, clocks, consecutive runs, seeds, store/restore,
progress reports, and the monitors' views of what was recorded."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (MagicError, Network, NeuronGroup, SpikeMonitor, StateMonitor, defaultclock,
                   ms, run, second, seed, start_scope, store, restore)
from nerve.exceptions import InvalidIndexError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    dt = defaultclock.dt
    yield
    defaultclock.dt = dt


LIF = "dv/dt = (v0 - v)/(10*ms) : 1 (unless refractory)\nv0 : 1"


def _lif(N=3):
    G = NeuronGroup(N, LIF, threshold="v > 1", reset="v = 0", refractory=2 * ms,
                    method="exact")
    G.v0 = "1.5 + i*0.5"
    return G


def test_magic_run_collects_visible_objects_and_restarts_time():
    G = _lif()
    M = StateMonitor(G, "v", record=True)
    run(5 * ms)
    assert M.v.shape == (3, 50)
    np.testing.assert_allclose(M.t_, np.arange(50) * 1e-4, rtol=1e-15, atol=0)
    run(5 * ms)  # the same objects: time continues
    assert M.v.shape == (3, 100)
    np.testing.assert_allclose(M.t_[-1], 99e-4, rtol=1e-15)
    start_scope()
    G2 = _lif()
    M2 = StateMonitor(G2, "v", record=0)
    run(1 * ms)  # all objects new: time starts at 0
    np.testing.assert_allclose(M2.t_, np.arange(10) * 1e-4, rtol=1e-15)


def test_magic_run_refuses_a_new_group_next_to_old_objects():
    G = _lif()
    run(1 * ms)
    H = _lif()  # noqa: F841 (collected by run)
    with pytest.raises(MagicError, match="start_scope"):
        run(1 * ms)


def test_a_monitor_created_between_runs_joins_the_next_run():
    # Brian2 2.9.0: the new monitor records from t = 1 ms on, time continues
    G = _lif()
    run(1 * ms)
    M = StateMonitor(G, "v", record=0)
    S = SpikeMonitor(G)
    run(1 * ms)
    np.testing.assert_allclose(M.t_, np.arange(10, 20) * 1e-4, rtol=1e-12)
    assert G.t == 2 * ms


def test_store_before_the_first_run_is_kept():
    G = _lif()
    M = StateMonitor(G, "v", record=0)
    store()
    run(2 * ms)
    first = np.asarray(M.v_).copy()
    restore()
    assert len(M.t) == 0 and G.t == 0 * ms
    run(2 * ms)
    np.testing.assert_array_equal(M.v_, first)


def test_split_runs_equal_one_run():
    G1 = _lif()
    M1 = StateMonitor(G1, "v", record=True)
    S1 = SpikeMonitor(G1)
    net1 = Network(G1, M1, S1)
    net1.run(30 * ms)
    G2 = _lif()
    M2 = StateMonitor(G2, "v", record=True)
    S2 = SpikeMonitor(G2)
    net2 = Network(G2, M2, S2)
    net2.run(10 * ms)
    net2.run(20 * ms)
    np.testing.assert_array_equal(M1.v, M2.v)
    np.testing.assert_array_equal(M1.t_, M2.t_)
    np.testing.assert_array_equal(S1.i, S2.i)
    np.testing.assert_array_equal(S1.t_, S2.t_)
    assert net2.t_ == pytest.approx(0.03, rel=1e-12)


def test_state_monitor_views():
    G = _lif(4)
    M = StateMonitor(G, ["v", "v0"], record=[1, 3])
    Network(G, M).run(2 * ms)
    assert M.v.shape == (2, 20) and M.v0.shape == (2, 20)
    np.testing.assert_array_equal(M[3].v, M.v[1])
    np.testing.assert_allclose(M.v0[:, 0], [2.0, 3.0])
    assert M.t.dim is second.dim
    with pytest.raises(InvalidIndexError, match="not recorded"):
        M[0]
    with pytest.raises(InvalidIndexError, match="4 neurons"):
        StateMonitor(G, "v", record=[7])
    nothing = StateMonitor(G, "v", record=False)
    Network(G, nothing).run(1 * ms)
    assert nothing.v.shape == (0, 10)


def test_spike_monitor_views():
    G = _lif(3)
    S = SpikeMonitor(G)
    Network(G, S).run(50 * ms)
    assert len(S) == S.num_spikes == S.i.shape[0] == S.t.shape[0]
    np.testing.assert_array_equal(S.count, np.bincount(S.i, minlength=3))
    assert S.count[2] > S.count[1] > S.count[0] > 0  # larger v0 fires faster
    trains = S.spike_trains()
    assert sorted(trains) == [0, 1, 2]
    for k, times in trains.items():
        np.testing.assert_array_equal(np.asarray(times), S.t_[S.i == k])
    np.testing.assert_array_equal(S.t_, np.asarray(S.t))
    # every spike lies on the time grid
    steps = S.t_ / 1e-4
    np.testing.assert_allclose(steps, np.round(steps), atol=1e-9)


def test_changing_dt():
    defaultclock.dt = 0.05 * ms
    G = _lif(1)
    M = StateMonitor(G, "v", record=0)
    Network(G, M).run(1 * ms)
    assert M.v.shape == (1, 20)
    np.testing.assert_allclose(np.diff(M.t_), 0.05e-3, rtol=1e-9)


def test_seed_makes_noisy_runs_reproducible():
    def simulate(value):
        start_scope()
        seed(value)
        G = NeuronGroup(50, "dv/dt = -v/(10*ms) + 0.5*xi/sqrt(10*ms) : 1", method="euler")
        M = StateMonitor(G, "v", record=True)
        Network(G, M).run(5 * ms)
        return np.asarray(M.v).copy()

    a, b, c = simulate(7), simulate(7), simulate(8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_store_and_restore_replay_the_same_future_only_when_asked():
    # Brian2: restore() keeps drawing new random numbers unless
    # restore_random_state=True (tutorial part 3: "the noise is coming from
    # the fact that we run the Poisson group afresh each time")
    seed(11)
    G = NeuronGroup(20, "dv/dt = (2 - v)/(10*ms) + 0.3*xi/sqrt(10*ms) : 1",
                    threshold="v > 1", reset="v = 0", method="euler")
    S = SpikeMonitor(G)
    net = Network(G, S)
    net.run(5 * ms)
    net.store()
    net.run(20 * ms)
    first = (S.i.copy(), S.t_.copy(), np.asarray(G.v).copy())
    net.restore(restore_random_state=True)
    assert net.t_ == pytest.approx(0.005, rel=1e-12)
    net.run(20 * ms)
    np.testing.assert_array_equal(S.i, first[0])
    np.testing.assert_array_equal(S.t_, first[1])
    np.testing.assert_array_equal(G.v, first[2])
    net.restore()
    net.run(20 * ms)
    assert not np.array_equal(G.v, first[2])  # new noise
    with pytest.raises(KeyError, match="nothing was stored"):
        net.restore("other")


def test_magic_store_restore():
    G = _lif(2)
    M = StateMonitor(G, "v", record=True)
    run(5 * ms)
    store()
    run(5 * ms)
    after = np.asarray(M.v).copy()
    restore()
    assert M.v.shape == (2, 50)
    run(5 * ms)
    np.testing.assert_array_equal(M.v, after)


def test_text_report(capsys):
    # Brian2 2.9.0 prints the same two lines for this run
    G = _lif(1)
    Network(G).run(2 * ms, report="text")
    out = capsys.readouterr().out.splitlines()
    assert out == ["Starting simulation at t=0. s for a duration of 2. ms",
                   "2. ms (100%) simulated in < 1s"]


def test_report_function_gets_brian2s_arguments():
    calls = []
    G = _lif(1)
    net = Network(G)
    net.run(1 * ms)
    net.run(3 * ms, report=lambda elapsed, completed, start, duration:
            calls.append((float(elapsed), completed, start, duration)))
    assert calls[0][1] == 0.0 and calls[-1][1] == 1.0
    assert all(c[2] == 1 * ms and c[3] == 3 * ms for c in calls)
    assert all(c[0] >= 0 for c in calls)


def test_report_of_the_wrong_type_is_a_type_error():
    from nerve import NerveError

    G = _lif(1)
    with pytest.raises(TypeError) as info:
        Network(G).run(1 * ms, report=3)
    assert isinstance(info.value, NerveError)
    with pytest.raises(ValueError):
        Network(G).run(1 * ms, report="loud")


def test_negative_or_unitless_duration():
    G = _lif(1)
    net = Network(G)
    with pytest.raises(ValueError):
        net.run(-1 * ms)
    from nerve import DimensionMismatchError

    with pytest.raises(DimensionMismatchError, match="time"):
        net.run(5)


def test_recorded_times_survive_a_change_of_dt():
    G = _lif(1)
    M = StateMonitor(G, "v", record=0)
    net = Network(G, M)
    net.run(1 * ms)
    defaultclock.dt = 0.05 * ms
    net.run(1 * ms)
    expected = np.concatenate([np.arange(10) * 1e-4, np.arange(20, 40) * 0.05e-3])
    np.testing.assert_allclose(M.t_, expected, rtol=1e-12)
    assert M.v.shape == (1, 30)


def test_add_keeps_one_of_each_object_in_the_order_given():
    start_scope()
    groups = [NeuronGroup(1, "v : 1") for _ in range(3)]
    monitor = StateMonitor(groups[1], "v", record=0)
    net = Network(groups[0], [groups[1], (groups[0], monitor)], {groups[2]})
    net.add(groups[2], [groups[1]])
    assert net.objects == [groups[0], groups[1], monitor, groups[2]]
    with pytest.raises(TypeError, match="a Network holds nerve objects"):
        net.add([groups[0], "v"])
    assert len(net) == 4
