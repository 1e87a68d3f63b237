"""PopulationRateMonitor against Brian2 2.9.0.

The reference numbers were produced with Brian2 2.9.0 (numpy target) running
the same deterministic model (no random numbers, so both simulators give the
same spikes): ``G = NeuronGroup(10, 'dv/dt = (I - v)/(5*ms) : 1\\nI : 1',
threshold='v>1', reset='v=0', method='exact'); G.I = '1.2 + 0.15*i'``,
monitors on ``G`` and ``G[3:7]``, ``run(12*ms); run(3*ms)``, then
``P.rate_``, ``P.smooth_rate(window='gaussian', width=0.4*ms)``,
``P.smooth_rate(window='flat', width=0.55*ms)`` and
``P.smooth_rate(window=np.array([1., 3, 1]))`` printed with ``repr``.
"""

import numpy as np
import pytest

from nerve import (NeuronGroup, PopulationRateMonitor, SpikeMonitor, Network, ms, Hz,
                   mV, start_scope, run, store, restore, defaultclock)
from nerve.exceptions import NerveError

# step -> rate (Hz) where it is not 0 (Brian2 2.9.0, see the module doc)
RATE = {24: 1000.0, 26: 1000.0, 29: 1000.0, 32: 1000.0, 35: 1000.0, 40: 1000.0, 46: 1000.0,
        49: 1000.0, 53: 1000.0, 54: 1000.0, 59: 1000.0, 65: 1000.0, 67: 1000.0, 71: 1000.0,
        74: 1000.0, 80: 1000.0, 81: 1000.0, 89: 2000.0, 93: 1000.0, 98: 1000.0, 99: 1000.0,
        107: 2000.0, 109: 1000.0, 119: 1000.0, 122: 1000.0, 124: 1000.0, 131: 1000.0,
        134: 1000.0, 135: 1000.0, 140: 1000.0, 143: 1000.0, 149: 2000.0}
RATE_SUB = {32: 2500.0, 35: 2500.0, 40: 2500.0, 46: 2500.0, 65: 2500.0, 71: 2500.0,
            81: 2500.0, 93: 2500.0, 98: 2500.0, 107: 2500.0, 122: 2500.0, 131: 2500.0,
            140: 2500.0, 143: 2500.0}
GAUSS = {0: 0.0, 1: 0.0, 22: 175.90541095532413, 23: 211.3313804417305,
         24: 255.37138468898684, 25: 284.83143717686005, 26: 305.53691952907485,
         60: 225.31104560076304, 100: 257.9357680735614, 147: 266.9372776046378,
         148: 261.1447920370673, 149: 239.7939899786537}
FLAT = {0: 0.0, 1: 0.0, 22: 200.0, 23: 200.0, 24: 400.0, 25: 400.0, 26: 400.0, 60: 200.0,
        100: 400.0, 147: 400.0, 148: 400.0, 149: 400.0}
CUSTOM = {0: 0.0, 1: 0.0, 22: 0.0, 23: 200.0, 24: 600.0, 25: 400.0, 26: 600.0, 60: 200.0,
          100: 200.0, 147: 0.0, 148: 400.0, 149: 1200.0}


def _model(**kwargs):
    G = NeuronGroup(10, "dv/dt = (I - v)/(5*ms) : 1\nI : 1", threshold="v>1", reset="v=0",
                    method="exact", **kwargs)
    G.I = "1.2 + 0.15*i"
    return G


def _dense(sparse, n=150):
    out = np.zeros(n)
    for k, v in sparse.items():
        out[k] = v
    return out


def test_rates_of_a_group_and_a_subgroup_equal_brian2s():
    start_scope()
    G = _model()
    P = PopulationRateMonitor(G)
    P2 = PopulationRateMonitor(G[3:7])
    run(12 * ms)
    run(3 * ms)
    assert len(P.t) == 150
    np.testing.assert_array_equal(P.t_, np.arange(150) * 1e-4)
    np.testing.assert_array_equal(P.rate_, _dense(RATE))  # exact: counts/dt/N
    np.testing.assert_array_equal(P2.rate_, _dense(RATE_SUB))
    assert P.rate.dim is Hz.dim
    assert (P.when, P.order) == ("end", 0)
    assert P.name.startswith("ratemonitor") and P2.name.startswith("ratemonitor")


def test_smooth_rate_equals_brian2s():
    start_scope()
    G = _model()
    P = PopulationRateMonitor(G)
    run(15 * ms)
    gauss = P.smooth_rate(window="gaussian", width=0.4 * ms)
    flat = P.smooth_rate(window="flat", width=0.55 * ms)
    custom = P.smooth_rate(window=np.array([1.0, 3, 1]))
    for result, expected in ((gauss, GAUSS), (flat, FLAT), (custom, CUSTOM)):
        assert result.dim is Hz.dim and len(result) == 150
        for k, v in expected.items():
            # same window and the same convolution: equal to round-off
            assert float(result[k]) == pytest.approx(v, rel=1e-12, abs=1e-9), k


def test_rate_agrees_with_a_spike_monitor_on_another_clock():
    # Brian2 2.9.0 with dt=0.25*ms, G.I = '1.5 + 0.5*i', 4 neurons, 10 ms: 40 steps,
    # spikes at steps 8, 10, 13, 17, 21, 26, 27, 32, 35, rates 1000 or 2000 Hz
    start_scope()
    G = NeuronGroup(4, "dv/dt = (I - v)/(5*ms) : 1\nI : 1", threshold="v>1", reset="v=0",
                    method="exact", dt=0.25 * ms)
    G.I = "1.5 + 0.5*i"
    P = PopulationRateMonitor(G)
    S = SpikeMonitor(G)
    run(10 * ms)
    assert len(P.t) == 40
    np.testing.assert_allclose(P.t_[:3], [0, 0.25e-3, 0.5e-3])
    assert np.flatnonzero(P.rate_).tolist() == [8, 10, 13, 17, 21, 26, 27, 32, 35]
    counts = np.bincount(np.round(S.t_ / 0.25e-3).astype(int), minlength=40)
    np.testing.assert_allclose(P.rate_, counts / 0.25e-3 / 4)


def test_smooth_rate_errors():
    start_scope()
    G = _model()
    P = PopulationRateMonitor(G)
    run(1 * ms)
    with pytest.raises(TypeError, match="width"):
        P.smooth_rate(window="gaussian")
    with pytest.raises(NotImplementedError, match="unknown window"):
        P.smooth_rate(window="foo", width=1 * ms)
    with pytest.raises(TypeError, match="odd"):
        P.smooth_rate(window=np.ones(4))
    with pytest.raises(ValueError, match="time"):
        P.smooth_rate(window="flat", width=1 * mV)
    for cls in (TypeError, NotImplementedError):
        assert issubclass(cls, Exception)
    with pytest.raises(NerveError):
        P.smooth_rate(window="gaussian")


def test_store_restore_and_read_only():
    start_scope()
    G = _model()
    P = PopulationRateMonitor(G)
    net = Network(G, P)
    net.run(5 * ms)
    net.store()
    first = P.rate_.copy()
    net.run(5 * ms)
    assert len(P.t) == 100
    net.restore()
    assert len(P.t) == 50
    np.testing.assert_array_equal(P.rate_, first)
    with pytest.raises(ValueError):
        P.rate_[0] = 5
    assert "PopulationRateMonitor" in repr(P)


def test_a_rate_monitor_does_not_change_the_spikes():
    start_scope()
    G = _model()
    S = SpikeMonitor(G)
    run(15 * ms)
    spikes = (S.i.copy(), S.t_.copy())
    start_scope()
    G = _model()
    S = SpikeMonitor(G)
    P = PopulationRateMonitor(G)
    run(15 * ms)
    np.testing.assert_array_equal(S.i, spikes[0])
    np.testing.assert_array_equal(S.t_, spikes[1])
    assert P.rate_.sum() * 1e-4 * 10 == pytest.approx(len(spikes[0]))
