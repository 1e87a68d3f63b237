"""Deterministic methods against analytic solutions, and their order of
convergence (slope of log error against log dt)."""

import numpy as np
import pytest

from evaluate import equations, simulate
from nerve.exceptions import IntegrationError
from nerve.integrators import integrate

TAU, OMEGA, V0, T_END = 0.5, 2 * np.pi, 1.5, 1.0


def driven_solution(t, v0=V0, tau=TAU, omega=OMEGA):
    """dv/dt = (sin(omega*t) - v)/tau."""
    a = omega * tau
    particular = lambda s: (np.sin(omega * s) - a * np.cos(omega * s)) / (1 + a * a)
    return particular(t) + (v0 - particular(0.0)) * np.exp(-t / tau)


def logistic_solution(t, v0=0.1, tau=0.3):
    """dv/dt = v*(1 - v)/tau."""
    return 1 / (1 + (1 / v0 - 1) * np.exp(-t / tau))


DRIVEN = equations(v="(sin(omega*t) - v)/tau")
LOGISTIC = equations(v="v*(1 - v)/tau")


def final_error(method, eqs, solution, constants, v0, n_steps):
    _, statements = integrate(eqs, method)
    v = simulate(statements, {"v": v0}, constants, dt=T_END / n_steps, n_steps=n_steps)
    return abs(v["v"][0] - solution(T_END))


def order(errors, steps):
    return -np.polyfit(np.log(steps), np.log(errors), 1)[0]


@pytest.mark.parametrize("method, expected, steps", [
    ("euler", 1, [40, 80, 160, 320, 640]),
    ("rk2", 2, [40, 80, 160, 320, 640]),
    ("heun", 1, [40, 80, 160, 320, 640]),   # Brian2's heun: Euler for the drift
    ("milstein", 1, [40, 80, 160, 320, 640]),
    ("rk4", 4, [10, 20, 40, 80, 160]),
])
def test_order_on_time_dependent_drive(method, expected, steps):
    # a wrong stage time (t instead of t + dt/2) would cap the order at 1
    errors = [final_error(method, DRIVEN, driven_solution,
                          {"omega": OMEGA, "tau": TAU}, V0, n) for n in steps]
    assert order(errors, steps) == pytest.approx(expected, abs=0.1)


@pytest.mark.parametrize("method, expected", [
    ("euler", 1), ("rk2", 2), ("heun", 1), ("rk4", 4)])
def test_order_on_nonlinear_equation(method, expected):
    steps = [20, 40, 80, 160]
    errors = [final_error(method, LOGISTIC, logistic_solution, {"tau": 0.3}, 0.1, n)
              for n in steps]
    assert order(errors, steps) == pytest.approx(expected, abs=0.15)


def test_rk4_sine_drive_as_in_the_tutorial():
    # dv/dt = (sin(2*pi*100*Hz*t) - v)/tau, tau = 10 ms, dt = 0.1 ms, v(0) = 5
    eqs = equations(v="(sin(2*pi*100*Hz*t) - v)/tau")
    _, statements = integrate(eqs, "rk4")
    v = simulate(statements, {"v": 5.0}, {"Hz": 1.0, "tau": 0.01}, dt=1e-4, n_steps=600)
    exact = driven_solution(0.06, v0=5.0, tau=0.01, omega=2 * np.pi * 100)
    assert v["v"][0] == pytest.approx(exact, abs=1e-9)


def test_exponential_euler_is_exact_for_constant_coefficients():
    # gating variable with constant rates: m -> alpha/(alpha + beta)
    eqs = equations(m="alpha*(1 - m) - beta*m")
    _, statements = integrate(eqs, "exponential_euler")
    alpha, beta, t = 30.0, 70.0, 0.05
    m = simulate(statements, {"m": 0.9}, {"alpha": alpha, "beta": beta},
                 dt=1e-3, n_steps=50)["m"][0]
    inf = alpha / (alpha + beta)
    assert m == pytest.approx(inf + (0.9 - inf) * np.exp(-(alpha + beta) * t), rel=1e-12)


def test_exponential_euler_uses_old_values_and_converges_first_order():
    # conditionally linear: the rate of w depends on v
    eqs = equations(v="(sin(omega*t) - v)/tau", w="-v*v*w")
    _, statements = integrate(eqs, "exponential_euler")

    def run(n):
        return simulate(statements, {"v": V0, "w": 1.0}, {"omega": OMEGA, "tau": TAU},
                        dt=T_END / n, n_steps=n)
    reference_statements = integrate(eqs, "rk4")[1]
    reference = simulate(reference_statements, {"v": V0, "w": 1.0},
                         {"omega": OMEGA, "tau": TAU}, dt=T_END / 4000, n_steps=4000)
    steps = [40, 80, 160, 320]
    errors = [abs(run(n)["w"][0] - reference["w"][0]) for n in steps]
    assert order(errors, steps) == pytest.approx(1, abs=0.15)


def test_exponential_euler_rate_zero_at_run_time():
    _, statements = integrate(equations(v="k*v + 1"), "exponential_euler")
    k = np.array([0.0, -2.0])
    v = simulate(statements, {"v": 0.0}, {"k": k}, dt=0.01, n_steps=10, n=2)["v"]
    np.testing.assert_allclose(v, [0.1, 0.5 * (1 - np.exp(-0.2))], rtol=1e-12)


def test_exponential_euler_rejects_non_linear_own_variable():
    with pytest.raises(IntegrationError, match="linear in v"):
        integrate(equations(v="-v**3"), "exponential_euler")


@pytest.mark.parametrize("method", ["rk2", "rk4", "exponential_euler"])
def test_deterministic_methods_reject_noise(method):
    with pytest.raises(IntegrationError, match="stochastic"):
        integrate(equations(v="-v/tau + xi"), method)
