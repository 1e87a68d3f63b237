"""Synaptic writes to ``(unless refractory)`` variables of a refractory neuron.

Brian2 2.9.0 writes a neuron variable flagged ``(unless refractory)`` from
synaptic code only where the neuron's ``not_refractory`` holds (the group's
own reset and state update excepted): a spike arriving during the refractory
period is lost. Numbers marked "Brian2 2.9.0" were printed by the same code run
under /work/brian2-venv/bin/python with prefs.codegen.target = 'numpy'.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, mV, ms, run, start_scope


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def _two_spikers():
    P = NeuronGroup(3, "dv/dt = -v/(20*ms) : volt (unless refractory)\nx : 1",
                    threshold="i >= 1 and t > 0.95*ms and t < 1.05*ms", reset="v = 10*mV",
                    refractory=2 * ms, method="euler")
    return P


def test_an_arrival_during_the_refractory_period_leaves_v_alone():
    """Neuron 2 spikes at 1 ms (refractory until 3 ms); the spike of neuron 1
    at 1 ms arrives at 2.5 ms. Brian2 2.9.0: v of neuron 2 stays 10 mV, x
    (not flagged) counts the arrival."""
    P = _two_spikers()
    S = Synapses(P, P, on_pre="v_post -= 2.5*mV; x_post += 1", delay=1.5 * ms)
    S.connect(i=[1], j=[2])
    M = StateMonitor(P, ["v", "x"], record=2, when="after_synapses")
    run(4 * ms)
    np.testing.assert_allclose(M.v[0][[9, 10, 24, 25, 26]] / mV, [0, 0, 10, 10, 10])
    np.testing.assert_array_equal(M.x[0][[9, 10, 24, 25, 26]], [0, 0, 0, 1, 1])


def test_an_arrival_outside_the_refractory_period_counts():
    """The same arrival onto neuron 0, which never spiked: -2.5 mV (Brian2 2.9.0)."""
    P = _two_spikers()
    S = Synapses(P, P, on_pre="v_post -= 2.5*mV", delay=1.5 * ms)
    S.connect(i=[1], j=[0])
    M = StateMonitor(P, "v", record=0, when="after_synapses")
    run(4 * ms)
    np.testing.assert_allclose(M.v[0][[24, 25]] / mV, [0, -2.5])


def test_plain_assignment_is_guarded_too():
    """``v_post = ...`` onto a refractory neuron does nothing either: Brian2
    2.9.0's cython target gives [50, 10] mV; its numpy target guards only the
    in-place operators (``+=``...) and gives [50, 50], which nerve does not
    follow (the cython and C++ targets guard every write)."""
    P = _two_spikers()
    S = Synapses(P, P, on_pre="v_post = 50*mV", delay=1.5 * ms)
    S.connect(i=[1, 1], j=[2, 0])
    M = StateMonitor(P, "v", record=[0, 2], when="after_synapses")
    run(4 * ms)
    np.testing.assert_allclose(M.v[:, 25] / mV, [50, 10])


#: Brian2 2.9.0, the network below: spiking neuron and spike step, in order
BRIAN2_INDICES = [
    48, 41, 47, 46, 40, 44, 45, 49, 42, 38, 37, 34, 33, 29, 41, 25, 48, 30, 46, 45, 49, 21, 36,
    44, 37, 26, 17, 42, 1, 41, 47, 33, 32, 40, 48, 46, 38, 43, 39, 31, 35, 27, 47, 23, 34, 19,
    44, 42, 49, 45, 29, 41, 37, 48, 33, 38, 46, 13, 18, 25, 28, 43, 40, 47, 39, 30, 42, 35, 34,
    15, 44, 31, 49, 45, 46, 41, 48, 37, 29, 33, 38, 49, 21, 43, 26, 36, 42, 16, 46, 40, 44, 32,
    47, 39, 31, 35, 45, 48, 34, 27, 41, 30, 46, 25, 49, 37]
BRIAN2_STEPS = [
    227, 263, 263, 295, 471, 478, 479, 485, 545, 550, 551, 556, 558, 572, 694, 699, 753, 800, 803,
    816, 841, 870, 973, 995, 1013, 1028, 1029, 1029, 1044, 1044, 1050, 1060, 1211, 1218, 1221,
    1242, 1257, 1264, 1319, 1340, 1353, 1368, 1384, 1468, 1485, 1501, 1501, 1502, 1517, 1598,
    1637, 1684, 1695, 1708, 1727, 1743, 1746, 1759, 1759, 1825, 1847, 1863, 1901, 1978, 2008,
    2011, 2021, 2027, 2029, 2043, 2045, 2123, 2127, 2139, 2232, 2260, 2268, 2333, 2361, 2366,
    2431, 2481, 2488, 2494, 2504, 2504, 2513, 2520, 2520, 2526, 2528, 2537, 2667, 2757, 2769,
    2810, 2826, 2826, 2832, 2838, 2848, 2873, 2887, 2889, 2921, 2932]


def test_deterministic_excitatory_inhibitory_network_spikes_as_brian2():
    """50 neurons with refractoriness, excitatory and inhibitory synapses with
    a delay, deterministic drive: every spike at Brian2 2.9.0's step (before
    the refractory guard, neuron 41 spiked 4 ms late and the runs diverged)."""
    P = NeuronGroup(50, "dv/dt = (mu - v)/tau : volt (unless refractory)\nmu : volt",
                    threshold="v > theta", reset="v = V_r", refractory=2 * ms,
                    method="euler", namespace={"tau": 20 * ms, "theta": 20 * mV,
                                               "V_r": 10 * mV})
    P.mu = "(19 + 3*i/50.)*mV"
    P.v = "10*mV + (i%7)*mV"
    E = Synapses(P, P, on_pre="v_post += J", delay=1.5 * ms, namespace={"J": 0.5 * mV})
    inh = Synapses(P, P, on_pre="v_post -= g*J", delay=1.5 * ms,
                   namespace={"J": 0.5 * mV, "g": 5})
    E.connect("i < 40 and (i*7 + j*3) % 5 == 0")
    inh.connect("i >= 40 and (i*7 + j*3) % 4 == 0")
    assert (len(E), len(inh)) == (400, 125)  # Brian2 2.9.0
    spikes = SpikeMonitor(P)
    run(300 * ms)
    assert spikes.i[:].tolist() == BRIAN2_INDICES
    assert np.round(spikes.t[:] / (0.1 * ms)).astype(int).tolist() == BRIAN2_STEPS


def test_guarded_writes_and_custom_events_do_not_depend_on_the_number_of_threads():
    """Refractoriness, guarded writes, a pathway on a custom event, 20 chunks:
    the same state bit for bit on one and on two threads."""
    from nerve import get_num_threads, seed, set_num_threads

    def simulate(threads):
        start_scope()
        seed(7)
        set_num_threads(threads)
        G = NeuronGroup(20 * 1024, "dv/dt = (1.2 - v)/(10*ms) : 1 (unless refractory)\nu : 1",
                        threshold="v > 1", reset="v = 0", refractory=1 * ms, method="exact",
                        events={"half": "v > 0.5 and v < 0.52"})
        G.v = "rand()"
        S = Synapses(G, G, "w : 1", on_pre={"pre": "v_post += 0.05*w", "h": "u_post += w"},
                     on_event={"h": "half"})
        S.connect(p=0.0005)
        S.w = "rand()"
        S.delay = "rand()*2*ms"
        run(5 * ms)
        return G.v[:].copy(), G.u[:].copy()

    before = get_num_threads()
    try:
        one, two = simulate(1), simulate(2)
    finally:
        set_num_threads(before)
    assert one[1].any()
    for a, b in zip(one, two):
        assert np.array_equal(a, b)


def test_on_post_writes_to_a_refractory_source_are_skipped_too():
    """on_post writing v_pre: neuron 1's spike at 2 ms finds neuron 0
    refractory (since 1 ms), neuron 2's at 3 ms finds neuron 1 refractory.
    Brian2 2.9.0: [[0, 10, 10, 9.95, 9.90025], [0, 0, 10, 10, 10]] mV at
    steps 10, 20, 21, 30, 31."""
    G = NeuronGroup(3, "dv/dt = -v/(20*ms) : volt (unless refractory)",
                    threshold="t > (0.95 + i)*ms and t < (1.05 + i)*ms", reset="v = 10*mV",
                    refractory=2 * ms, method="euler")
    S = Synapses(G, G, on_post="v_pre += 5*mV")
    S.connect(i=[0, 1], j=[1, 2])
    M = StateMonitor(G, "v", record=[0, 1], when="after_synapses")
    run(4 * ms)
    np.testing.assert_allclose(M.v[:, [10, 20, 21, 30, 31]] / mV,
                               [[0, 10, 10, 9.95, 9.90025], [0, 0, 10, 10, 10]], rtol=1e-12)
