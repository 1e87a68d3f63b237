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


@pytest.mark.parametrize("method, order", [("euler", 1), ("rk2", 2), ("heun", 2), ("rk4", 4)])
def test_time_dependent_input_converges_at_the_method_order(method, order):
    coarse, fine = _sine_driven(method, 0.1), _sine_driven(method, 0.05)
    measured = np.log2(coarse / fine)
    assert abs(measured - order) < 0.3, (coarse, fine, measured)


def test_rk4_matches_the_analytic_solution():
    assert _sine_driven("rk4", 0.1) < 1e-8
