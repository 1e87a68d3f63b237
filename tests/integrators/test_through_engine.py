"""The integration methods, run by the engine through NeuronGroup (the other
tests here evaluate the generated statements with numpy)."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Network, NeuronGroup, StateMonitor, ms, start_scope


def _sine_driven(method: str, dt_ms: float) -> float:
    """Max error of dv/dt = (sin(2*pi*f*t) - v)/tau, v(0) = 0, over 20 ms."""
    from nerve import defaultclock

    start_scope()
    old = defaultclock.dt
    defaultclock.dt = dt_ms * ms
    try:
        tau = 10 * ms  # noqa: F841 (read by run())
        G = NeuronGroup(1, "dv/dt = (sin(2*pi*100*Hz*t) - v)/tau : 1", method=method)
        M = StateMonitor(G, "v", record=0)
        Network(G, M).run(20 * ms)
        t = M.t_
        w, k = 2 * np.pi * 100, 1 / 0.01
        # analytic solution of v' = k*(sin(w t) - v), v(0) = 0
        exact = k * (k * np.sin(w * t) - w * np.cos(w * t) + w * np.exp(-k * t)) / (k**2 + w**2)
        return float(np.max(np.abs(M.v[0] - exact)))
    finally:
        defaultclock.dt = old


@pytest.mark.parametrize("method, order", [("euler", 1), ("rk2", 2), ("heun", 1), ("rk4", 4)])
def test_time_dependent_input_converges_at_the_method_order(method, order):
    coarse, fine = _sine_driven(method, 0.1), _sine_driven(method, 0.05)
    measured = np.log2(coarse / fine)
    assert abs(measured - order) < 0.3, (coarse, fine, measured)


def test_rk4_matches_the_analytic_solution():
    assert _sine_driven("rk4", 0.1) < 1e-8


@pytest.mark.parametrize("method", ["euler", "heun", "milstein"])
def test_ornstein_uhlenbeck_stationary_statistics(method):
    """dv/dt = -v/tau + sigma*sqrt(2/tau)*xi keeps v ~ N(0, sigma^2); with
    additive noise each scheme's one-step map is v' = a*v + b*z, whose
    stationary variance is b^2/(1 - a^2)."""
    from nerve import seed

    start_scope()
    seed(5)
    tau, sigma, dt, n = 10e-3, 2.0, 1e-4, 20000
    G = NeuronGroup(n, "dv/dt = -v/tau + sigma*sqrt(2/tau)*xi : 1", method=method,
                    namespace={"tau": tau * 1000 * ms, "sigma": sigma})
    G.v = "2.0*randn()"
    Network(G).run(30 * ms)
    a = 1 - dt / tau  # additive noise: every one of these is Euler-Maruyama here
    b2 = sigma**2 * 2 * dt / tau
    expected_var = b2 / (1 - a * a)
    v = np.asarray(G.v)
    # standard errors: mean sigma/sqrt(n), variance var*sqrt(2/n); allow 5 of each
    assert abs(v.mean()) < 5 * np.sqrt(expected_var / n)
    assert abs(v.var() - expected_var) < 5 * expected_var * np.sqrt(2 / n)
