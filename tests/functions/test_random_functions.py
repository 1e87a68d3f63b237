"""``BinomialFunction`` and ``poisson()``, drawn by the engine: moments
within tolerances justified by the sample sizes."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import BinomialFunction, NeuronGroup, StateMonitor, ms, run, seed, start_scope
from nerve.exceptions import InvalidArgumentError


@pytest.fixture(autouse=True)
def _scope():
    start_scope()
    seed(5)


def _draws(expr, n=20_000, steps=10, **namespace):
    G = NeuronGroup(n, f"x = {expr} : 1 (constant over dt)", namespace=namespace)
    M = StateMonitor(G, "x", record=True)
    run(steps * 0.1 * ms)
    return M.x[:].ravel()


@pytest.mark.parametrize("n, p", [(1000, 0.001), (20, 0.7), (10, 0.2)])
def test_exact_binomial_moments(n, p):
    draws = _draws("b()", b=BinomialFunction(n, p, approximate=False))
    assert np.all(draws == np.round(draws)) and draws.min() >= 0 and draws.max() <= n
    m, v = n * p, n * p * (1 - p)
    count = draws.size  # 2e5: sd of the mean sqrt(v/2e5), of the variance ~ v*sqrt(3/2e5)
    assert abs(draws.mean() - m) < 5 * np.sqrt(v / count)
    assert abs(draws.var() - v) < 5 * v * np.sqrt(3 / count)


def test_normal_approximation_as_brian2():
    # Brian2: approximate=True and n p > 5, n (1-p) > 5 -> normal draws (floats)
    b = BinomialFunction(100, 0.3)
    assert b.use_normal
    draws = _draws("b()", b=b)
    assert np.any(draws != np.round(draws))
    assert abs(draws.mean() - 30) < 5 * np.sqrt(21 / draws.size)
    assert not BinomialFunction(100, 0.3, approximate=False).use_normal


def test_binomial_arguments_are_checked():
    with pytest.raises(InvalidArgumentError, match="'p'"):
        BinomialFunction(10, 1.5)
    with pytest.raises(InvalidArgumentError, match="'n'"):
        BinomialFunction(2.5, 0.5)


@pytest.mark.parametrize("lam", [0.3, 4.0, 25.0])
def test_poisson_moments(lam):
    draws = _draws(f"poisson({lam})")
    assert np.all(draws == np.round(draws)) and draws.min() >= 0
    count = draws.size  # sd of the mean sqrt(l/n); of the variance sqrt((l + 2 l^2)/n)
    assert abs(draws.mean() - lam) < 5 * np.sqrt(lam / count)
    assert abs(draws.var() - lam) < 5 * np.sqrt((lam + 2 * lam ** 2) / count)


def test_poisson_per_neuron_rate():
    G = NeuronGroup(3, "x : 1")
    G.x = "poisson(i*1000)"
    assert G.x[0] == 0
    assert abs(G.x[2] - 2000) < 5 * np.sqrt(2000)
