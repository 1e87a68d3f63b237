"""Recordings that do not fit in memory raise RecordingMemoryError (a
MemoryError), before the run when their size is known, during it otherwise,
and leave the session usable."""

import numpy as np
import pytest

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, PopulationRateMonitor, Network,
                   ms, second, start_scope)
from nerve.core.memory import (RecordingMemoryError, available_memory,
                               recording_memory_limit, set_recording_memory_limit)
from nerve.exceptions import NerveError


@pytest.fixture(autouse=True)
def _no_limit():
    yield
    set_recording_memory_limit(None)


def _group(n=1000):
    G = NeuronGroup(n, "dv/dt = (1.5 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact")
    G.v = "i * 1.0 / N"
    return G


def test_the_machine_limit_is_read():
    free = available_memory()
    assert free is not None and free > 0
    assert 0 < recording_memory_limit() <= free


def test_a_recording_larger_than_the_machine_raises_before_the_run():
    # 1000 neurons for 1e4 s at dt = 0.1 ms: 8e11 bytes, more than this machine has
    start_scope()
    G = _group()
    M = StateMonitor(G, "v", record=True)
    net = Network(G, M)
    v0 = G.v[:].copy()
    with pytest.raises(RecordingMemoryError) as info:
        net.run(1e4 * second)
    message = str(info.value)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, NerveError)
    # 1e8 steps * (8 + 8000) bytes = 745.8 GiB
    assert "'statemonitor" in message and "would record 745.8 GiB" in message
    assert "record fewer neurons" in message and "record_to=" in message
    assert "Nothing was run" in message
    # nothing ran, and the session goes on
    assert float(net.t) == 0 and len(M.t) == 0
    np.testing.assert_array_equal(G.v[:], v0)
    net.run(1 * ms)
    assert len(M.t) == 10 and M.v.shape == (1000, 10)


def test_the_limit_counts_every_monitor_and_names_the_largest():
    start_scope()
    G = _group(100)
    small = StateMonitor(G, "v", record=[0], name="small")
    big = StateMonitor(G, "v", record=True, name="big")
    P = PopulationRateMonitor(G)
    net = Network(G, small, big, P)
    # per step: small 16 bytes, big 808, rate 20: 844 * 100 steps = 84400 bytes
    set_recording_memory_limit(84400)
    net.run(10 * ms)
    set_recording_memory_limit(84399)
    with pytest.raises(RecordingMemoryError, match="StateMonitor 'big'"):
        net.run(10 * ms)
    assert float(net.t) == pytest.approx(0.01)


def test_a_spike_monitor_that_outgrows_the_limit_stops_the_run_cleanly():
    start_scope()
    G = _group(1000)
    S = SpikeMonitor(G)
    net = Network(G, S)
    # each spike takes 12 bytes in the engine (index 4, step 8: see record.rs),
    # so at most 800 spikes fit; 1000 neurons spiking every 11 steps give ~9000
    set_recording_memory_limit(12 * 800)
    with pytest.raises(RecordingMemoryError, match=r"SpikeMonitor 'spikemonitor.*' ran out "
                                                   r"of memory at t = ") as info:
        net.run(100 * ms)
    assert "the run stopped there" in str(info.value).lower()
    stopped = float(net.t)
    assert 0 < stopped < 0.1
    n = S.num_spikes
    assert 0 < n <= 800
    # the recording is whole: every spike before the stop, none after
    assert S.t_.max() < stopped
    # raising the limit, the run continues from where it stopped
    set_recording_memory_limit(None)
    net.run(100 * ms - stopped * second)
    assert float(net.t) == pytest.approx(0.1)
    H = _group(1000)
    R = SpikeMonitor(H)
    Network(H, R).run(100 * ms)
    # the same spikes, except those of the step whose recording did not fit
    lost = np.isclose(R.t_, stopped - 1e-4)
    assert lost.sum() > 0
    np.testing.assert_array_equal(S.i, R.i[~lost])
    np.testing.assert_array_equal(S.t_, R.t_[~lost])


def test_limit_argument_is_checked():
    from nerve.exceptions import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        set_recording_memory_limit(-1)
    with pytest.raises(InvalidArgumentError):
        set_recording_memory_limit("1 GB")
