"""PoissonInput: binomial counts drawn by the engine, one per neuron and
step. Moments of the counts against the binomial's (tolerances from the
sample size), Brian2's slot and checks, weights as quantities and
expressions, subgroups, and the same numbers whatever the thread count."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, Hz, Network, kHz, NeuronGroup, PoissonInput, defaultclock,
                   mV, ms, seed, set_num_threads, start_scope)
from nerve.exceptions import InvalidArgumentError, NotSupportedError, UnknownNameError

DT = 0.1e-3
NEURONS = 40_000


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    seed(11)
    defaultclock.dt = 0.1 * ms


def _counts(n_sources, rate_hz, steps=1, neurons=NEURONS):
    """The summed counts of ``steps`` steps, one value per neuron."""
    G = NeuronGroup(neurons, "v : volt")
    P = PoissonInput(G, "v", n_sources, rate_hz * Hz, weight=0.5 * mV)
    Network(G, P).run(steps * DT * 1e3 * ms)
    return np.asarray(G.v) / 0.5e-3


def _check_moments(x, n, p, steps):
    """Sample mean and variance of ``x`` (sums of ``steps`` independent
    B(n, p) counts) within 5 standard errors of the binomial's."""
    q = 1 - p
    mean, var = steps * n * p, steps * n * p * q
    m = len(x)
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / m), (x.mean(), mean)
    # standard error of a sample variance: sqrt((mu4 - var^2)/m), with the
    # binomial's fourth central moment mu4 = var^2 (3 + (1 - 6pq)/var')
    # (var' the variance of one count; a sum of `steps` counts has excess
    # kurtosis (1 - 6pq)/(steps n p q))
    kurt = (1 - 6 * p * q) / var
    se = var * np.sqrt((2 + kurt) / m)
    assert abs(x.var(ddof=1) - var) < 5 * se, (x.var(ddof=1), var)


def test_moments_small_rate_by_inversion():
    # N p = 1000 * 10 Hz * 0.1 ms = 1: drawn exactly (whole counts)
    x = _counts(1000, 10.0)
    assert np.all(x == np.round(x)) and x.min() >= 0
    _check_moments(x, 1000, 1e-3, 1)
    # P(0) = (1 - p)^N = 0.3677: the fraction of zeros, sd 0.0024 at 40000
    assert abs(np.mean(x == 0) - 0.999 ** 1000) < 5 * 0.0024


def test_moments_over_steps():
    x = _counts(20, 500.0, steps=10)  # N p = 1 per step, 10 steps
    _check_moments(x, 20, 0.05, 10)


def test_moments_large_rate_normal_approximation():
    # N p = 100 > 5 and N (1 - p) > 5: Brian2 draws N p + sqrt(N p q) z
    # (not rounded); so does nerve
    x = _counts(10_000, 100.0)
    assert np.any(x != np.round(x))
    _check_moments(x, 10_000, 0.01, 1)


def test_probability_above_one_half_uses_the_complement():
    x = _counts(8, 9000.0)  # p = 0.9: N (1 - p) = 0.8, exact
    assert set(np.unique(x)) <= set(range(9))
    _check_moments(x, 8, 0.9, 1)


def test_weight_expression_and_subgroup():
    G = NeuronGroup(NEURONS, "v : volt\nw : volt")
    G.w = "(i % 2) * 1*mV"
    P = PoissonInput(G[: NEURONS // 2], "v", 1000, 10 * Hz, weight="w")
    Network(G, P).run(0.1 * ms)
    v = np.asarray(G.v) / 1e-3
    half = NEURONS // 2
    assert np.all(v[half:] == 0)  # outside the subgroup: untouched
    assert np.all(v[:half:2] == 0)  # weight 0 there
    _check_moments(v[1:half:2], 1000, 1e-3, 1)


def test_subgroup_weight_sees_the_subgroups_i():
    G = NeuronGroup(10, "v : volt")
    P = PoissonInput(G[5:], "v", 5, 2000 * Hz, weight="(i + 1)*mV")  # p = 0.2
    Network(G, P).run(0.1 * ms)
    v = np.asarray(G.v) / 1e-3
    assert np.all(v[:5] == 0)
    counts = v[5:] / np.arange(1, 6)
    assert np.allclose(counts, np.round(counts))


def test_same_numbers_on_one_or_two_threads():
    results = []
    for threads in (1, 2):
        start_scope()
        seed(5)
        set_num_threads(threads)
        try:
            results.append(_counts(30, 300.0, steps=3, neurons=70_000))
        finally:
            set_num_threads(None)
    np.testing.assert_array_equal(results[0], results[1])


def test_slot_and_name_as_brian2():
    # Brian2 2.9.0: 'poissoninput (PoissonInput) | neurongroup (NeuronGroup) | ...
    # | synapses | 0'
    G = NeuronGroup(2, "v : volt")
    P = PoissonInput(G, "v", 10, 10 * Hz, weight=1 * mV)
    Q = PoissonInput(G, "v", 10, 10 * Hz, weight=1 * mV)
    line = [r for r in Network(G, P, Q).scheduling_summary().splitlines()
            if r.startswith(f"{P.name} ")][0]
    assert P.name.startswith("poissoninput") and Q.name.startswith("poissoninput_")
    assert P.name != Q.name
    assert "(PoissonInput)" in line and "| synapses " in line and "neurongroup" in line
    assert P.N == 10 and P.rate == 10 * Hz and P.weight == 1 * mV and P.target_var == "v"


def test_brian2_checks_as_nerve_errors():
    G = NeuronGroup(2, "v : volt")
    with pytest.raises(UnknownNameError, match="'x' is not a variable of 'neurongroup"):
        PoissonInput(G, "x", 100, 10 * Hz, 1 * mV)
    assert issubclass(UnknownNameError, KeyError)
    with pytest.raises(DimensionMismatchError, match="weight .* units of the target"):
        PoissonInput(G, "v", 100, 10 * Hz, 1 * Hz)
    with pytest.raises(DimensionMismatchError, match="'rate' must be in hertz"):
        PoissonInput(G, "v", 100, 10, 1 * mV)
    with pytest.raises(InvalidArgumentError, match="'rate' must be one finite, non-negative"):
        PoissonInput(G, "v", 100, -10 * Hz, 1 * mV)
    with pytest.raises(InvalidArgumentError, match="number of sources N"):
        PoissonInput(G, "v", 2.5, 10 * Hz, 1 * mV)
    P = PoissonInput(G, "v", 100, 20 * Hz, 1 * mV)
    defaultclock.dt = 0.2 * ms
    with pytest.raises(NotSupportedError, match="dt of 'neurongroup.*' changed"):
        Network(G, P).run(1 * ms)
    P = PoissonInput(G, "v", 100, 20 * kHz, 1 * mV)
    with pytest.raises(InvalidArgumentError, match="rate\\*dt = 4 is more than 1"):
        Network(G, P).run(1 * ms)

