"""Stochastic equations: strong order on geometric Brownian motion with a
fixed Brownian path, Ornstein-Uhlenbeck stationary statistics, shared and
independent noise symbols."""

import numpy as np
import pytest

from evaluate import equations, simulate
from nerve.exceptions import IntegrationError
from nerve.integrators import integrate
from nerve.integrators.explicit import euler
from nerve.integrators.integrate import _assemble
from nerve.integrators.system import analyse

MU, SIGMA, X0, T_END = 2.0, 1.0, 1.0, 1.0
PATHS, FINE = 4000, 512
GBM = equations(X="mu*X + sigma*X*xi")


def brownian_increments(seed=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((FINE, PATHS)) * np.sqrt(T_END / FINE)


def replay(increments, n_steps):
    """randn() hook reproducing the fine path at a coarser dt: each coarse
    increment is the sum of the fine ones, divided by sqrt(dt)."""
    coarse = increments.reshape(n_steps, FINE // n_steps, PATHS).sum(axis=1)
    draws = iter(coarse / np.sqrt(T_END / n_steps))
    return lambda target, n: next(draws)


def strong_errors(statements, exact, steps, increments):
    errors = []
    for n in steps:
        x = simulate(statements, {"X": X0}, {"mu": MU, "sigma": SIGMA},
                     dt=T_END / n, n_steps=n, n=PATHS, noise=replay(increments, n))
        errors.append(np.mean(np.abs(x["X"] - exact)))
    return errors


def order(errors, steps):
    return -np.polyfit(np.log(steps), np.log(errors), 1)[0]


STEPS = [16, 32, 64, 128, 256]


@pytest.mark.parametrize("method, expected", [("milstein", 1.0), ("heun", 1.0)])
def test_stratonovich_strong_order_on_gbm(method, expected):
    # Stratonovich GBM (Brian2's reading of multiplicative noise):
    # X(T) = X0*exp(mu*T + sigma*W(T))
    increments = brownian_increments()
    exact = X0 * np.exp(MU * T_END + SIGMA * increments.sum(axis=0))
    _, statements = integrate(GBM, method)
    errors = strong_errors(statements, exact, STEPS, increments)
    assert order(errors, STEPS) == pytest.approx(expected, abs=0.15)


def test_euler_maruyama_strong_order_one_half_on_ito_gbm():
    # the Euler-Maruyama scheme itself (public 'euler' refuses multiplicative
    # noise, as Brian2's does): converges to the Ito solution
    # X(T) = X0*exp((mu - sigma**2/2)*T + sigma*W(T)) with strong order 1/2
    increments = brownian_increments()
    exact = X0 * np.exp((MU - SIGMA**2 / 2) * T_END + SIGMA * increments.sum(axis=0))
    system = analyse(GBM)
    statements = _assemble(system, *euler(system, ito=True), frozenset())
    errors = strong_errors(statements, exact, STEPS, increments)
    assert order(errors, STEPS) == pytest.approx(0.5, abs=0.15)


def test_euler_refuses_multiplicative_noise():
    with pytest.raises(IntegrationError, match="multiplicative noise.*'heun' or 'milstein'"):
        integrate(GBM, "euler")


N_NEURONS = 20000
OU = equations(v="(mu - v)/tau + sigma*xi*tau**-0.5")


@pytest.mark.parametrize("method", ["euler", "heun", "milstein"])
def test_ornstein_uhlenbeck_stationary_mean_and_variance(method):
    mu, sigma, tau, dt = 0.3, 0.5, 0.01, 1e-4
    _, statements = integrate(OU, method)
    rng = np.random.default_rng(11)
    v = simulate(statements, {"v": mu}, {"mu": mu, "sigma": sigma, "tau": tau},
                 dt=dt, n_steps=1000, n=N_NEURONS,      # 10 tau: transient < e**-20
                 noise=lambda target, n: rng.standard_normal(n))["v"]
    # the stationary variance of the discrete scheme (an AR(1) process
    # v' - mu = r*(v - mu) + s*randn()) is s**2/(1 - r**2); it differs from
    # the continuous sigma**2/2 by O(dt/tau); with additive noise all three
    # methods (Brian2's heun included) take the Euler-Maruyama step
    a = dt / tau
    r, s = 1 - a, sigma * np.sqrt(a)
    variance = s**2 / (1 - r**2)
    assert variance == pytest.approx(sigma**2 / 2, rel=2 * a)
    # tolerances: 5 standard errors of the sample mean (sqrt(var/N)) and of
    # the sample variance (var*sqrt(2/N)); the lanes are independent
    assert abs(v.mean() - mu) < 5 * np.sqrt(variance / N_NEURONS)
    assert abs(v.var() - variance) < 5 * variance * np.sqrt(2 / N_NEURONS)


def test_one_draw_per_noise_symbol_shared_between_equations():
    eqs = equations(v="s*xi", w="2*s*xi", u="s*xi_1")
    _, statements = integrate(eqs, "euler")
    draws = [s for s in statements if getattr(s.value, "func", None) == "randn"]
    assert [s.target for s in draws] == ["_xi", "_xi_1"]
    state = simulate(statements, {"v": 0.0, "w": 0.0, "u": 0.0}, {"s": 1.0},
                     dt=0.01, n_steps=200, n=N_NEURONS)
    np.testing.assert_allclose(state["w"], 2 * state["v"], rtol=1e-12, atol=1e-12)
    # independent symbols: correlation across lanes within 5/sqrt(N)
    correlation = np.corrcoef(state["v"], state["u"])[0, 1]
    assert abs(correlation) < 5 / np.sqrt(N_NEURONS)
    # each is a Wiener process: variance s**2*t = 2 (within 5 standard errors)
    assert state["v"].var() == pytest.approx(2.0, rel=5 * np.sqrt(2 / N_NEURONS))


def test_noise_must_enter_linearly():
    with pytest.raises(IntegrationError, match="not linear in the noise"):
        integrate(equations(v="-v + xi**2"), "heun")
