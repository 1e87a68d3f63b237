"""Automatic method choice and its log message, method names, frozen
variables (unless refractory), and the printed form of every method."""

import logging

import numpy as np
import pytest

from evaluate import equations, simulate
from nerve.equations.parser import parse_statements
from nerve.equations.printer import to_source
from nerve.exceptions import IntegrationError
from nerve.integrators import DEFAULT_METHODS, METHODS, integrate
from nerve.integrators.algebra import strip_spans


@pytest.mark.parametrize("rhs, chosen", [
    ({"v": "(1 - v)/tau"}, "exact"),
    ({"v": "(g - v)/tau", "g": "-g/taug"}, "exact"),
    ({"v": "(sin(2*pi*100*Hz*t) - v)/tau"}, "euler"),
    ({"v": "-v**2/tau"}, "euler"),
    ({"v": "(mu - v)/tau + sigma*xi*tau**-0.5"}, "euler"),     # additive noise
    ({"X": "mu*X + sigma*X*xi"}, "heun"),                      # multiplicative
])
def test_default_choice_follows_brian2_and_is_logged(rhs, chosen, caplog):
    assert DEFAULT_METHODS == ("exact", "euler", "heun")
    with caplog.at_level(logging.INFO, logger="nerve.integrators"):
        method, _ = integrate(equations(**rhs), None, owner="neurongroup")
    assert method == chosen
    [record] = [r for r in caplog.records if r.name == "nerve.integrators"]
    assert record.levelno == logging.INFO
    assert (f"No numerical integration method specified for group 'neurongroup', "
            f"using method '{chosen}'") in record.getMessage()


def test_explicit_method_is_not_logged(caplog):
    with caplog.at_level(logging.INFO, logger="nerve.integrators"):
        integrate(equations(v="(1 - v)/tau"), "exact")
    assert not [r for r in caplog.records if r.name == "nerve.integrators"]


def test_sequence_of_methods_takes_the_first_that_applies():
    assert integrate(equations(v="-v**2"), ("exact", "rk4"))[0] == "rk4"
    with pytest.raises(IntegrationError, match="None of the integration methods"):
        integrate(equations(v="-v**2 + xi"), ["exact", "rk4"])


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(IntegrationError, match="Unknown integration method 'rk5'.*'rk4'"):
        integrate(equations(v="-v"), "rk5")


ALL = sorted(METHODS)


@pytest.mark.parametrize("method", ALL)
def test_frozen_variable_stays_exactly_constant(method):
    # v frozen in lane 0 (refractory), free in lane 1
    eqs = equations(v="(v0 - v)/tau")
    _, statements = integrate(eqs, method, frozen=frozenset({"v"}))
    assert to_source(statements[-1]).startswith("v = where(not_refractory, ")
    nr = np.array([0.0, 1.0])
    state = simulate(statements, {"v": 0.123456789}, {"v0": 1.0, "tau": 0.01,
                     "not_refractory": nr}, dt=1e-4, n_steps=50, n=2)
    assert state["v"][0] == 0.123456789
    free = 1 + (0.123456789 - 1) * np.exp(-0.5)
    assert state["v"][1] == pytest.approx(free, rel=5e-3)  # euler: error ~ t*dt/(2*tau**2)


@pytest.mark.parametrize("method", ["euler", "rk2", "rk4", "heun", "milstein"])
def test_other_variables_see_a_frozen_variable_held(method):
    # w is driven by v; with v frozen, w relaxes to v's held value exactly as
    # dw/dt = (v - w)/tau2 with constant v
    eqs = equations(v="(1 - v)/tau", w="(v - w)/tau2")
    _, statements = integrate(eqs, method, frozen=frozenset({"v"}))
    state = simulate(statements, {"v": 0.2, "w": 0.0},
                     {"tau": 0.01, "tau2": 0.02, "not_refractory": 0.0},
                     dt=1e-5, n_steps=1000)
    assert state["v"][0] == 0.2
    assert state["w"][0] == pytest.approx(0.2 * (1 - np.exp(-0.01 / 0.02)), rel=1e-3)


def test_freezing_a_variable_without_equation_is_an_error():
    with pytest.raises(IntegrationError, match="'u'"):
        integrate(equations(v="-v"), "euler", frozen=frozenset({"u"}))


SYSTEMS = {
    "exact": {"v": "(g - v)/tau", "g": "-g/taug", "u": "(1 - u)/tau",
              "x": "-(x - 0.5)/tau + y/tau", "y": "(a*x - y)/tau_w"},
    "exponential_euler": {"m": "alpha*(1 - m) - beta*m", "v": "(sin(t) - v)/tau"},
    "euler": {"v": "(sin(t) - v)/tau + s*xi", "w": "(v - w)/tau + s*xi_2"},
    "rk2": {"v": "(sin(t) - v)/tau", "w": "(v - w)/tau"},
    "rk4": {"v": "(sin(t) - v)/tau", "w": "(v - w)/tau"},
    "heun": {"X": "mu*X + s*X*xi", "v": "(X - v)/tau + s*xi_2"},
    "milstein": {"X": "mu*X + s*X*xi", "v": "(X - v)/tau + s*xi_2"},
}


@pytest.mark.parametrize("method", ALL)
def test_statements_print_and_parse_back(method):
    eqs = equations(**SYSTEMS[method])
    _, statements = integrate(eqs, method)
    text = "\n".join(to_source(s) for s in statements)
    reparsed = parse_statements(text)
    assert [strip_assign(s) for s in reparsed] == [strip_assign(s) for s in statements]
    names = [s.target for s in statements]
    state_vars = [eq.name for eq in eqs]
    # temporaries start with '_' and come first; every state variable is
    # assigned exactly once, at the end
    assert names[len(names) - len(state_vars):] == state_vars
    assert all(n.startswith("_") for n in names[:len(names) - len(state_vars)])


def strip_assign(statement):
    return (statement.target, statement.op, strip_spans(statement.value))
