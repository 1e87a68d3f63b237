"""method='exact' (alias 'linear'): the tutorial's value, analytic solutions,
a coupled system, and the rejections (coupled systems in detail:
test_exact_coupled.py)."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from evaluate import equations, simulate
from nerve.equations.printer import to_source
from nerve.exceptions import IntegrationError
from nerve.integrators import integrate

REFERENCE = pathlib.Path("/work/shared/spec/brian2-reference/tutorial-brian2-2.9.0-numpy-seed1.json")


def test_tutorial_value_matches_brian2():
    # dv/dt = (1-v)/tau, tau = 10 ms, dt = 0.1 ms, 100 ms from v = 0
    cells = {c["name"]: c for c in json.loads(REFERENCE.read_text())["cells"]}
    expected = cells["before_after_v"]["objects"]["G"]["vars"]["v"]["values"][0]
    method, statements = integrate(equations(v="(1 - v)/tau"), "exact")
    assert method == "exact"
    assert [to_source(s) for s in statements] == ["v = 1 + (v - 1)*exp(-dt/tau)"]
    v = simulate(statements, {"v": 0.0}, {"tau": 0.01}, dt=1e-4, n_steps=1000)["v"][0]
    assert abs(v - expected) <= 1e-15
    assert abs(v - (1 - np.exp(-10))) <= 1e-15


def test_linear_alias():
    assert integrate(equations(v="-v/tau"), "linear")[0] == "exact"


@pytest.mark.parametrize("rhs, solution", [
    ("(v0 - v)/tau", lambda t: 2.0 + (0.5 - 2.0) * np.exp(-t / 0.02)),
    ("-v/tau + c", lambda t: 3.0 * 0.02 + (0.5 - 3.0 * 0.02) * np.exp(-t / 0.02)),
    ("c", lambda t: 0.5 + 3.0 * t),                      # pure drift, A = 0
    ("-v/tau", lambda t: 0.5 * np.exp(-t / 0.02)),       # B = 0
])
def test_one_dimensional_against_analytic(rhs, solution):
    _, statements = integrate(equations(v=rhs), "exact")
    constants = {"v0": 2.0, "tau": 0.02, "c": 3.0}
    v = simulate(statements, {"v": 0.5}, constants, dt=1e-3, n_steps=37)["v"][0]
    assert v == pytest.approx(solution(0.037), rel=1e-13, abs=1e-15)


def test_rate_that_vanishes_at_run_time_is_guarded():
    # dv/dt = I - k*v with k = 0 in one lane: the limit v + I*dt, not NaN
    _, statements = integrate(equations(v="I - k*v"), "exact")
    k = np.array([0.0, 2.0])
    state = simulate(statements, {"v": 1.0}, {"I": 3.0, "k": k}, dt=0.01, n_steps=10, n=2)
    expected_k2 = 1.5 + (1.0 - 1.5) * np.exp(-2.0 * 0.1)
    np.testing.assert_allclose(state["v"], [1.0 + 3.0 * 0.1, expected_k2], rtol=1e-13)


def test_coupled_linear_system_against_analytic():
    _, statements = integrate(equations(v="(g - v)/tau", g="-g/taug"), "exact")
    tau, taug, v0, g0, t = 0.01, 0.005, 0.2, 1.0, 0.05
    state = simulate(statements, {"v": v0, "g": g0}, {"tau": tau, "taug": taug},
                     dt=1e-3, n_steps=50)
    g = g0 * np.exp(-t / taug)
    v = v0 * np.exp(-t / tau) + g0 * taug / (taug - tau) * (np.exp(-t / taug) - np.exp(-t / tau))
    assert state["g"][0] == pytest.approx(g, rel=1e-12)
    assert state["v"][0] == pytest.approx(v, rel=1e-12)


def test_exact_integration_does_not_import_sympy():
    code = ("import sys; import nerve; from nerve.integrators import integrate, DiffEquation\n"
            "from nerve.equations.parser import parse_expression as p\n"
            "integrate([DiffEquation('v', p('(1-v)/tau')), DiffEquation('w', p('-w/t2'))], 'exact')\n"
            "integrate([DiffEquation('v', p('(w-v)/tau')), DiffEquation('w', p('-v/t2'))], 'exact')\n"
            "assert 'sympy' not in sys.modules, 'sympy imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("rhs, message", [
    ("-v**2/tau", "not linear in v"),
    ("-v/tau + sigma*xi*tau**-0.5", "cannot integrate stochastic equations"),
    ("(sin(2*pi*100*Hz*t) - v)/tau", "depends on the time t"),
    ("-v*rand()", "calls rand()"),
])
def test_rejections_say_why_and_suggest_a_method(rhs, message):
    with pytest.raises(IntegrationError, match=message) as info:
        integrate(equations(v=rhs), "exact")
    assert "use '" in str(info.value)
    assert isinstance(info.value, ValueError)
