"""PoissonGroup: Poisson statistics (tolerances from the sample sizes),
Brian2's argument checks, and the first cells of Brian2's tutorial part 3
(numbers Brian2 2.9.0 gave for the same cells are quoted where used)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, Hz, Network, NeuronGroup, PoissonGroup, SpikeMonitor,
                   Synapses, linspace, ms, restore, run, second, seed, start_scope, store)
from nerve.exceptions import InvalidArgumentError, NerveError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    seed(3)


def test_spike_counts_are_poisson():
    P = PoissonGroup(1000, rates=50 * Hz)
    M = SpikeMonitor(P)
    run(1 * second)
    # 10^7 Bernoulli draws with p = 0.005: sd of the total 223; 5 sd allowed
    assert abs(M.num_spikes - 50_000) < 5 * 223
    # per neuron Poisson(50): sample variance of 1000 counts has sd about 2.3
    assert 40 < np.var(M.count) < 60
    assert np.all(np.diff(M.t_) >= 0)


def test_rates_per_neuron_and_as_an_expression():
    P = PoissonGroup(3, rates="10*Hz + i*5*Hz")
    np.testing.assert_allclose(P.rates / Hz, [10, 15, 20])
    Q = PoissonGroup(2, rates=np.array([0, 200]) * Hz)
    M = SpikeMonitor(Q)
    Network(Q, M).run(1 * second)
    assert M.count[0] == 0
    # 10^4 draws with p = 0.02: mean 200, sd 14; 5 sd allowed
    assert abs(M.count[1] - 200) < 70


def test_bad_rates_are_refused():
    with pytest.raises(DimensionMismatchError, match="hertz"):
        PoissonGroup(2, rates=5)
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        PoissonGroup(2, rates=-5 * Hz)
    assert issubclass(InvalidArgumentError, NerveError)


def _tutorial_cell_2():
    # Brian2's tutorial part 3, second cell (store/restore over 30 time constants)
    num_inputs, input_rate, weight = 100, 10 * Hz, 0.1  # noqa: F841 (model strings)
    tau_range = linspace(1, 10, 30) * ms
    output_rates = []
    P = PoissonGroup(num_inputs, rates=input_rate)
    eqs = "dv/dt = -v/tau : 1"
    G = NeuronGroup(1, eqs, threshold="v>1", reset="v=0", method="exact")
    S = Synapses(P, G, on_pre="v += weight")
    S.connect()
    M = SpikeMonitor(G)
    store()
    for tau in tau_range:  # noqa: B007 (read by the model strings)
        restore()
        run(1 * second)
        output_rates.append(M.num_spikes)
    return np.array(output_rates)


def test_tutorial_part3_store_restore_cell():
    # Brian2 2.9.0 gave 0 Hz up to tau = 3.8 ms and 35-46 Hz for the last
    # five time constants (8.4-10 ms); output counts of ~40 in 1 s vary by
    # about 6 (Poisson input), so the mean of five by about 3.
    rates = _tutorial_cell_2()
    assert rates[:5].sum() <= 2
    assert 30 < rates[-5:].mean() < 50
    # restore() draws new input spikes each trial, so the curve is noisy
    # (the tutorial's point), not monotonic
    assert np.any(np.diff(rates[9:]) < 0)


def _spikes(with_operation: bool):
    from nerve import network_operation

    start_scope()
    seed(7)
    P = PoissonGroup(5000, rates=40 * Hz)
    M = SpikeMonitor(P)
    objects = [P, M]
    if with_operation:
        objects.append(network_operation(lambda: None))
    Network(*objects).run(20 * ms)
    return np.asarray(M.i), np.asarray(M.t_)


def test_uniform_rate_compared_as_a_constant_gives_the_same_spikes():
    # without a network operation the threshold compares with rate*dt, a
    # constant; with one (which could change P.rates) it reads the column:
    # the same products, so the same spikes
    constant, column = _spikes(False), _spikes(True)
    assert len(constant[0]) > 1000
    np.testing.assert_array_equal(constant[0], column[0])
    np.testing.assert_array_equal(constant[1], column[1])


def test_rates_changed_by_a_network_operation_take_effect():
    from nerve import network_operation

    P = PoissonGroup(1000, rates=0 * Hz)
    M = SpikeMonitor(P)

    @network_operation(dt=10 * ms)
    def switch(t):
        if t >= 10 * ms:
            P.rates = 100 * Hz

    Network(P, M, switch).run(20 * ms)
    # nothing before 10 ms; then 1000 neurons * 10 ms * 100 Hz = 1000 spikes
    # (sd 32), 5 sd allowed
    assert np.all(M.t_ >= 10e-3 - 1e-12)
    assert abs(M.num_spikes - 1000) < 160


def test_time_dependent_rates_and_subgroups():
    # rates as an expression of t and i; a subgroup as a monitor's and a
    # Synapses' source
    P = PoissonGroup(2000, rates="(t >= 5*ms)*(i < 1000)*400*Hz")
    part = SpikeMonitor(P[:1000])
    G = NeuronGroup(1, "v : 1")
    S = Synapses(P[1000:], G, on_pre="v += 1")
    S.connect()
    Network(P, part, G, S).run(10 * ms)
    assert np.all(part.t_ >= 5e-3 - 1e-12)
    # 1000 neurons * 5 ms * 400 Hz = 2000 spikes (sd 44); 5 sd allowed
    assert abs(part.num_spikes - 2000) < 5 * 44
    assert G.v[0] == 0  # the second half never fires
