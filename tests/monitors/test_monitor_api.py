"""Monitor API details checked against Brian2 2.9.0.

Reference numbers: Brian2 2.9.0 (numpy target) ran
``G = NeuronGroup(5, 'dv/dt = (I - v)/(5*ms) : volt\\nI : volt',
threshold='v>10*mV', reset='v=0*mV', method='exact'); G.I = '12*mV + 2*mV*i'``
with ``S = SpikeMonitor(G, variables='v')`` and
``S0 = SpikeMonitor(G[1:4], record=False)`` for 20 ms, then, created between
runs, ``M = StateMonitor(G, 'v', record=[1, 3, 4])`` and synapses
``dw/dt = -w/(2*ms) : 1 (clock-driven)`` from 0, 1 to 2, 3 (``w = [0.5,
0.25]``, ``on_pre='v_post += w*mV'``) recorded by ``StateMonitor(syn, 'w',
record=True)``, for 10 ms more.
"""

import numpy as np
import pytest

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, Synapses, Network, ms, mV,
                   start_scope)


def _net():
    start_scope()
    G = NeuronGroup(5, "dv/dt = (I - v)/(5*ms) : volt\nI : volt", threshold="v>10*mV",
                    reset="v=0*mV", method="exact")
    G.I = "12*mV + 2*mV*i"
    S = SpikeMonitor(G, variables="v")
    S0 = SpikeMonitor(G[1:4], record=False)
    net = Network(G, S, S0)
    net.run(20 * ms)
    M = StateMonitor(G, "v", record=[1, 3, 4])
    syn = Synapses(G, G, "dw/dt = -w/(2*ms) : 1 (clock-driven)", on_pre="v_post += w*mV",
                   method="exact")
    syn.connect(i=[0, 1], j=[2, 3])
    syn.w = [0.5, 0.25]
    MS = StateMonitor(syn, "w", record=True)
    net.add(M, syn, MS)
    net.run(10 * ms)
    return G, S, S0, M, MS


def test_spike_monitor_values_and_counts_as_brian2():
    G, S, S0, M, MS = _net()
    # Brian2 2.9.0 after the 30 ms: counts [3, 4, 6, 7, 8], [4, 6, 7] (17) for G[1:4],
    # neuron 0 spiking at v = 10.01641334 mV each time
    assert S.count.tolist() == [3, 4, 6, 7, 8]
    assert S0.num_spikes == 17 and S0.count.tolist() == [4, 6, 7]
    v0 = S.values("v")[0]
    np.testing.assert_allclose(np.asarray(v0 / mV), [10.01641334] * 3, rtol=1e-8)
    everything = S.all_values()
    assert set(everything) == {"t", "v"} and set(everything["t"]) == set(range(5))
    i, t = S.it
    np.testing.assert_array_equal(i, S.i)


def test_counts_only_monitor_of_a_subgroup_counted_by_the_engine():
    start_scope()
    G = NeuronGroup(5, "dv/dt = (I - v)/(5*ms) : volt\nI : volt", threshold="v>10*mV",
                    reset="v=0*mV", method="exact")
    G.I = "12*mV + 2*mV*i"
    S0 = SpikeMonitor(G[1:4], record=False)
    full = SpikeMonitor(G)
    net = Network(G, S0, full)
    net.run(20 * ms)
    np.testing.assert_array_equal(S0.count, full.count[1:4])
    assert S0.num_spikes == full.count[1:4].sum() > 0
    net.store()
    before = S0.count.copy()
    net.run(10 * ms)
    np.testing.assert_array_equal(S0.count, full.count[1:4])
    assert (S0.count > before).any()
    net.restore()
    np.testing.assert_array_equal(S0.count, before)


def test_state_monitor_created_between_runs_and_of_synapses_as_brian2():
    G, S, S0, M, MS = _net()
    assert len(M) == 100 and float(M.t[0]) == pytest.approx(0.02)
    np.testing.assert_allclose(np.asarray(M[[1, 4]].v[:, -1] / mV), [8.5312103, 6.32277182],
                               rtol=1e-7)
    np.testing.assert_allclose(M.v_[:, 50], [0.009866777663063797, 0.0013839057650405669,
                                              0.001903251639280807], rtol=1e-9)
    assert MS.w.shape == (2, 100)
    np.testing.assert_allclose(MS.w[:, [0, 1, 10, 99]],
                               [[0.5, 0.475614712250357, 0.30326532985631677,
                                 0.0035417044645260636],
                                [0.25, 0.2378073561251785, 0.15163266492815838,
                                 0.0017708522322630318]], rtol=1e-9)
    with pytest.raises(IndexError, match="not recorded"):
        M[2]
    with pytest.raises(TypeError):
        M[0:2]
