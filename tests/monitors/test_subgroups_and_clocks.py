"""Monitors on subgroups and monitors created between runs, against Brian2
2.9.0 (numpy target) running the same code: for G[5:8] of ten neurons with
v = 0.1*i rising towards 2 (threshold 1, reset 0), Brian2 recorded
v[0,:3] = [0.5, 0.51492525, 0.52970199], v[2,:3] = [0.7, 0.71293522,
0.72574172], spikes i = [2, 1, 0, 2] at [2.6, 3.3, 4.0, 9.6] ms, count
[1, 1, 2]; M[2].v is the third row (M.record holds subgroup indices)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import NeuronGroup, SpikeMonitor, StateMonitor, mV, ms, run, start_scope


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def test_monitors_of_a_subgroup_use_indices_within_it():
    G = NeuronGroup(10, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact")
    G.v = "i*0.1"
    S = G[5:8]
    M = StateMonitor(S, "v", record=[0, 2])
    SM = SpikeMonitor(S)
    run(10 * ms)
    np.testing.assert_allclose(M.v[:, :3], [[0.5, 0.51492525, 0.52970199],
                                            [0.7, 0.71293522, 0.72574172]], rtol=1e-7)
    np.testing.assert_array_equal(SM.i, [2, 1, 0, 2])
    np.testing.assert_allclose(SM.t / ms, [2.6, 3.3, 4.0, 9.6], rtol=1e-12)
    np.testing.assert_array_equal(SM.count, [1, 1, 2])
    np.testing.assert_array_equal(M[2].v, M.v[1])
    assert sorted(SM.spike_trains()) == [0, 1, 2]


def test_recording_index_outside_the_subgroup_is_refused():
    G = NeuronGroup(10, "v : 1")
    with pytest.raises(IndexError):
        StateMonitor(G[5:8], "v", record=3)


def test_progress_bar_with_tqdm():
    pytest.importorskip("tqdm")
    from nerve import Network

    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", method="exact")
    Network(G).run(1 * ms, report="tqdm")
    assert G.t_ == pytest.approx(1e-3)


def test_recording_a_subexpression():
    # Brian2 2.9.0: I[:, [0, 1, 9]] = [[5, 4.975, 4.78803797], [20, 19.8, 18.33747762]] mV
    G = NeuronGroup(2, """dv/dt = (I - v)/(10*ms) : volt
                          I = g*(E - v) : volt
                          g : 1
                          E : volt""", method="euler")
    G.g = [0.5, 1.0]
    G.E = [10 * mV, 20 * mV]
    M = StateMonitor(G, ["I", "v"], record=True)
    run(1 * ms)
    np.testing.assert_allclose(M.I[:, [0, 1, 9]] / mV,
                               [[5, 4.975, 4.78803797], [20, 19.8, 18.33747762]], rtol=1e-8)
    np.testing.assert_allclose(M.I_, G.g_[:, None] * (G.E_[:, None] - M.v_), rtol=1e-12)


def test_counts_only_monitor_agrees_with_a_recording_one():
    G = NeuronGroup(3, "dv/dt = (2 - v)/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    method="exact")
    G.v = "i*0.3"
    full, counts = SpikeMonitor(G), SpikeMonitor(G, record=False)
    run(20 * ms)
    run(5 * ms)
    np.testing.assert_array_equal(counts.count, full.count)
    assert counts.num_spikes == full.num_spikes > 0
    # as Brian2 2.9.0: a monitor with record=False has no i, t (AttributeError)
    for name in ("i", "t", "it"):
        with pytest.raises(AttributeError, match="record=False"):
            getattr(counts, name)
    with pytest.raises(AttributeError, match="record=False"):
        counts.spike_trains()
    with pytest.raises(ValueError):
        full.i[0] = 99  # read-only: the recording cannot be corrupted
