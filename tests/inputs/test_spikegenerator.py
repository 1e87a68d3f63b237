"""SpikeGeneratorGroup: the exact spike steps Brian2 2.9.0 gives (with a
period, times off the grid of dt, set_spikes between runs, as a source of
Synapses), subgroups, store/restore, and Brian2's argument checks as nerve
errors naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                   Synapses, defaultclock, ms, second, start_scope)
from nerve.exceptions import (ArgumentTypeError, DimensionMismatchError, InvalidArgumentError,
                              NerveError, NotSupportedError)


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    defaultclock.dt = 0.1 * ms


def _steps(times):
    return np.round(np.asarray(times, dtype=float) / 1e-4).astype(int)


def test_period_off_grid_times_and_synapses_as_brian2():
    # Brian2 2.9.0 (numpy target, dt = 0.1 ms) printed these for the same
    # script: M.i, M.t/ms after 3 ms, then G.v, then M.i, M.t after
    # set_spikes([1, 2], [3.5, 3.0]*ms) and 1 ms more. 0.45 ms and 1.19 ms
    # fall in the steps at 0.4 and 1.1 ms (Brian2 bins int((t + 1e-3 dt)/dt)).
    SG = SpikeGeneratorGroup(5, [4, 0, 2, 1, 3, 0], [0.0, 0.3, 0.3, 0.45, 1.0, 1.19] * ms,
                             period=1.3 * ms)
    M = SpikeMonitor(SG)
    G = NeuronGroup(5, "v : 1")
    S = Synapses(SG, G, on_pre="v += 1 + i", delay=0.2 * ms)
    S.connect(j="4-i")
    net = Network(SG, M, G, S)
    net.run(3 * ms)
    assert list(M.i) == [4, 0, 2, 1, 3, 0, 4, 0, 2, 1, 3, 0, 4, 0, 2]
    assert list(_steps(M.t)) == [0, 3, 3, 4, 10, 11, 13, 16, 16, 17, 23, 24, 26, 29, 29]
    assert list(G.v) == [15.0, 8.0, 6.0, 4.0, 4.0]
    SG.set_spikes([1, 2], [3.5, 3.0] * ms)
    net.run(1 * ms)
    assert list(M.i[15:]) == [2, 1]
    assert list(_steps(M.t[15:])) == [30, 35]
    assert SG.period == 0 * second  # set_spikes without a period: none (Brian2)
    assert "spikegeneratorgroup" in net.scheduling_summary()


def test_spikes_before_the_run_are_dropped_and_the_cursor_lives_between_runs(caplog):
    SG = SpikeGeneratorGroup(3, [0, 1, 2, 0], [0.5, 1.0, 1.5, 2.5] * ms)
    M = SpikeMonitor(SG)
    net = Network(SG, M)
    net.run(1.2 * ms)
    net.run(2 * ms)
    assert list(M.i) == [0, 1, 2, 0]
    assert list(_steps(M.t)) == [5, 10, 15, 25]
    SG.set_spikes([0, 1], [1.0, 4.0] * ms)  # at t = 3.2 ms: the first is in the past
    with caplog.at_level("WARNING"):
        net.run(1 * ms)
    assert "earlier than the start" in caplog.text
    assert list(M.i[4:]) == [1] and list(_steps(M.t[4:])) == [40]


def test_subgroup_monitor_sees_its_part():
    # (Brian2 2.9.0 cannot index a SpikeGeneratorGroup; nerve's is a group)
    SG = SpikeGeneratorGroup(6, [5, 1, 3, 2, 4], [0.1, 0.2, 0.2, 0.4, 0.4] * ms)
    whole, part = SpikeMonitor(SG), SpikeMonitor(SG[2:5])
    Network(SG, whole, part).run(1 * ms)
    inside = (whole.i >= 2) & (whole.i < 5)
    assert list(part.i) == list(whole.i[inside] - 2) == [1, 0, 2]
    assert list(part.t) == list(whole.t[inside])


def test_store_restore_replays_the_same_spikes():
    SG = SpikeGeneratorGroup(2, [0, 1, 0], [0.2, 0.5, 0.9] * ms)
    M = SpikeMonitor(SG)
    net = Network(SG, M)
    net.store()
    counts = []
    for _ in range(3):
        net.restore()
        net.run(1 * ms)
        counts.append((list(M.i), list(_steps(M.t))))
    assert counts[0] == counts[1] == counts[2] == ([0, 1, 0], [2, 5, 9])


def test_a_large_generator_emits_without_python():
    # 1e5 neurons, one spike each at a random step of 100; recorded exactly
    rng = np.random.default_rng(1)
    n = 100_000
    steps = rng.integers(0, 100, n)
    SG = SpikeGeneratorGroup(n, np.arange(n), steps * 0.1 * ms)
    M = SpikeMonitor(SG)
    Network(SG, M).run(10 * ms)
    assert M.num_spikes == n
    np.testing.assert_array_equal(_steps(M.t[np.argsort(M.i, kind="stable")]), steps)


def test_exact_on_a_state_monitor_driven_neuron():
    SG = SpikeGeneratorGroup(1, [0, 0], [1, 3] * ms)
    G = NeuronGroup(1, "v : 1")
    S = Synapses(SG, G, on_pre="v += 1")
    S.connect()
    mon = StateMonitor(G, "v", record=0)
    Network(SG, G, S, mon).run(4 * ms)
    # v changes in the synapses slot of the spike's step; monitors record at
    # the start of a step, so the step after shows it
    v = mon.v[0]
    assert v[10] == 0 and v[11] == 1 and v[30] == 1 and v[31] == 2


def test_brian2_checks_as_nerve_errors():
    with pytest.raises(InvalidArgumentError, match="'indices' and 'times' must have the same"):
        SpikeGeneratorGroup(2, [0, 1, 1], [1, 2] * ms)
    with pytest.raises(InvalidArgumentError, match=r"'indices' must lie in \[0, 2\)"):
        SpikeGeneratorGroup(2, [0, 3], [1, 2] * ms)
    with pytest.raises(InvalidArgumentError, match="'times' cannot be negative"):
        SpikeGeneratorGroup(2, [0, 1], [1, -2] * ms)
    with pytest.raises(DimensionMismatchError, match="'times'"):
        SpikeGeneratorGroup(2, [0, 1], [1, 2])
    with pytest.raises(ArgumentTypeError, match="N must be an integer"):
        SpikeGeneratorGroup(2.5, [0, 1], [1, 2] * ms)
    with pytest.raises(InvalidArgumentError, match="'period' cannot be negative"):
        SpikeGeneratorGroup(2, [0, 1], [1, 2] * ms, period=-1 * ms)
    with pytest.raises(InvalidArgumentError, match="'period'.*longer than the last spike"):
        SpikeGeneratorGroup(2, [0, 1], [1, 2] * ms, period=2 * ms)
    with pytest.raises(InvalidArgumentError, match="sorted=True.*spike 1 \\(neuron 0"):
        SpikeGeneratorGroup(2, [1, 0], [2, 1] * ms, sorted=True)
    with pytest.raises(InvalidArgumentError, match="sorted=True"):
        SpikeGeneratorGroup(2, [1, 0], [1, 1] * ms, sorted=True)
    SpikeGeneratorGroup(2, [0, 1], [1, 1] * ms, sorted=True)  # sorted: accepted
    assert issubclass(InvalidArgumentError, ValueError)  # what Brian2 raises


def test_checks_made_when_a_run_starts():
    # two spikes of neuron 0 in one step of 0.1 ms (Brian2: ValueError)
    SG = SpikeGeneratorGroup(2, [0, 0], [1, 1.04] * ms)
    with pytest.raises(InvalidArgumentError, match="neuron 0 .* spikes more than once"):
        Network(SG).run(1 * ms)
    # caught also when the two are not next to each other in time order
    # (Brian2 2.9.0 misses this one and emits neuron 0 twice in a step)
    SG = SpikeGeneratorGroup(2, [0, 1, 0], [1.0, 1.02, 1.04] * ms)
    with pytest.raises(InvalidArgumentError, match="more than once"):
        Network(SG).run(1 * ms)
    SG = SpikeGeneratorGroup(2, [0, 0], [1, 2] * ms, period=5.05 * ms)
    with pytest.raises(NotSupportedError, match="not a whole number of its dt"):
        Network(SG).run(1 * ms)
    SG = SpikeGeneratorGroup(2, [0], [0] * ms, period=3 * ms, dt=4 * ms)
    with pytest.raises(InvalidArgumentError, match="shorter than its dt"):
        Network(SG).run(8 * ms)
    assert issubclass(NotSupportedError, NerveError)
