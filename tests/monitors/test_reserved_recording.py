"""The engine reserves a state recording's whole run at once (its size is
known before the run: see rust/nerve-core/src/schedule/record/ahead.rs) and
writes wide rows past the caches: the values must be those of the model
whatever the run's length, across runs, with the run stopped early, with
hand-overs in the middle of the run and within the memory limit exactly."""

import numpy as np
import pytest

from nerve import (NeuronGroup, Network, StateMonitor, defaultclock, ms, network_operation,
                   start_scope)
from nerve.core.memory import RecordingMemoryError, set_recording_memory_limit

N = 3000  # rows of 24 kB: the reservation is populated, rows are streamed
TAU = 10e-3


@pytest.fixture(autouse=True)
def _no_limit():
    yield
    set_recording_memory_limit(None)


def _group():
    # v relaxes to I from 0: v(t) = I (1 - exp(-t/tau)) exactly (method='exact')
    G = NeuronGroup(N, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", method="exact")
    G.I = "1 + i"
    return G


def _exact(t, indices):
    I = 1.0 + np.asarray(indices, dtype=float)
    return I[:, None] * (1 - np.exp(-np.asarray(t)[None, :] / TAU))


def test_the_recording_is_the_model_across_runs_of_different_lengths():
    start_scope()
    G = _group()
    everyone = StateMonitor(G, "v", record=True)
    scattered = StateMonitor(G, "v", record=[2999, 5, 17, 1000])
    slow = StateMonitor(G, "v", record=np.arange(1000, 2000), dt=0.5 * ms)
    net = Network(G, everyone, scattered, slow)
    net.run(10 * ms)
    net.run(10 * ms)
    net.run(3.3 * ms)  # (33 steps: not a multiple of the slow monitor's 5)
    assert everyone.v.shape == (N, 233) and len(everyone.t) == 233
    np.testing.assert_allclose(everyone.t_, np.arange(233) * 1e-4, rtol=0, atol=1e-15)
    np.testing.assert_allclose(everyone.v_, _exact(everyone.t_, np.arange(N)),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scattered.v_, _exact(everyone.t_, [2999, 5, 17, 1000]),
                               rtol=1e-12, atol=1e-12)
    # the slow monitor records at 0, 0.5, ... 23 ms: 47 recordings
    assert slow.v.shape == (1000, 47)
    np.testing.assert_allclose(slow.t_, np.arange(47) * 5e-4, rtol=0, atol=1e-15)
    np.testing.assert_allclose(slow.v_, _exact(slow.t_, np.arange(1000, 2000)),
                               rtol=1e-12, atol=1e-12)


def test_hand_overs_and_a_stop_in_the_middle_of_the_run():
    start_scope()
    G = _group()
    M = StateMonitor(G, "v", record=np.arange(500, 3000))
    seen = []

    @network_operation(dt=3 * ms)
    def look(t):
        # takes the recording so far from the engine; the rest of the run
        # records into new buffers
        seen.append(len(M.t))
        if float(t / ms) > 10:
            net.stop()

    net = Network(G, M, look)
    net.run(50 * ms)
    # stopped at t = 12 ms, after that step: 121 recordings
    assert seen == [0, 30, 60, 90, 120]
    assert M.v.shape == (2500, 121)
    np.testing.assert_allclose(M.v_, _exact(M.t_, np.arange(500, 3000)), rtol=1e-12,
                               atol=1e-12)


def test_a_recording_of_exactly_the_limit_runs_and_one_byte_less_raises_before():
    start_scope()
    defaultclock.dt = 0.1 * ms
    G = _group()
    M = StateMonitor(G, "v", record=True)
    net = Network(G, M)
    need = 100 * (8 + 8 * N)  # 10 ms: 100 recordings of a step and N values
    set_recording_memory_limit(need - 1)
    with pytest.raises(RecordingMemoryError, match="Nothing was run"):
        net.run(10 * ms)
    assert float(net.t) == 0 and len(M.t) == 0
    set_recording_memory_limit(need)
    net.run(10 * ms)
    np.testing.assert_allclose(M.v_, _exact(M.t_, np.arange(N)), rtol=1e-12, atol=1e-12)
