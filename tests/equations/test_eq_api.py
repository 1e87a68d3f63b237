"""The Equations object as Brian2 has it: substitution, ``+``, the name sets,
``ordered``, ``dependencies``, expressions, str and repr.

The expected values were read off Brian2 2.9.0 (``/work/brian2-venv``) for
the same equations; where nerve differs on purpose it says so.
"""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Equations, NeuronGroup, StateMonitor, ms, mV, run, second, start_scope, usecond
from nerve.exceptions import EquationSyntaxError, ModelDefinitionError

BASE = """
dv/dt = (I - v)/tau : volt (unless refractory)
I = g*(E - v) : volt
g : 1 (constant)
E : volt
"""


def test_name_sets_are_brian2s():
    eqs = Equations(BASE + "n : integer\nb : boolean\ndw/dt = -w/tau + s*xi/sqrt(tau) : 1")
    assert eqs.names == {"v", "I", "g", "E", "n", "b", "w"}
    assert eqs.diff_eq_names == {"v", "w"}
    assert eqs.subexpr_names == {"I"}
    assert eqs.parameter_names == {"g", "E", "n", "b"}
    assert eqs.eq_names == {"v", "w", "I"}
    # Brian2 counts called functions and noise among the identifiers
    assert eqs.identifiers == {"tau", "s", "xi", "sqrt"}
    assert eqs.stochastic_variables == {"xi"} and eqs.is_stochastic
    assert not Equations(BASE).is_stochastic
    assert eqs.dimensions["v"] is eqs["v"].dim


def test_str_and_repr_as_brian2():
    eqs = Equations(BASE + "n : integer")
    assert repr(eqs) == "<Equations object consisting of 5 equations>"
    # Brian2: subexpressions, then differential equations, then parameters by name
    assert str(eqs) == ("I = g*(E - v) : V\n"
                        "dv/dt = (I - v)/tau : V (unless refractory)\n"
                        "E : V\n"
                        "g : 1 (constant)\n"
                        "n : 1")
    assert [eq.varname for eq in eqs.ordered] == ["I", "v", "E", "g", "n"]
    assert repr(eqs["v"]) == ("<differential equation v: (I - v)/tau "
                              "(Unit: V, flags: unless refractory)>")
    assert repr(eqs["g"]) == "<parameter g (Unit: 1, flags: constant)>"
    assert (eqs["v"].type, eqs["I"].type, eqs["n"].type) == (
        "differential equation", "subexpression", "parameter")
    assert eqs["n"].var_type == "integer" and eqs["v"].var_type == "float"


def test_expressions():
    eqs = Equations("dv/dt = (I1 + I2)/C : volt\nI2 = 2*I1 : amp\nI1 = g*(E - v) : amp")
    assert [(n, e.code) for n, e in eqs.eq_expressions] == [
        ("v", "(I1 + I2)/C"), ("I2", "2*I1"), ("I1", "g*(E - v)")]
    assert [(n, e.code) for n, e in eqs.diff_eq_expressions] == [("v", "(I1 + I2)/C")]
    ((name, expr),) = eqs.get_substituted_expressions()
    assert name == "v" and expr.code == "(g*(E - v) + 2*(g*(E - v)))/C"
    assert expr.identifiers == {"g", "E", "v", "C"}
    assert [n for n, _ in eqs.get_substituted_expressions(include_subexpressions=True)] == [
        "I1", "I2", "v"]
    assert repr(eqs.eq_expressions[1][1]) == "Expression('2*I1')"


def test_dependencies():
    eqs = Equations(BASE)
    deps = {name: {(d.equation.name, d.via) for d in found}
            for name, found in eqs.dependencies.items()}
    # the same sets as Brian2's (its lists come in another order)
    assert deps == {"I": {("v", ()), ("g", ()), ("E", ())},
                    "v": {("v", ()), ("I", ()), ("g", ("I",)), ("E", ("I",))}}


def test_rename_variable_and_external_name():
    eqs = Equations(BASE, v="u", E="E_L", tau="tau_m")
    assert eqs.names == {"u", "I", "g", "E_L"}
    assert str(eqs["u"]) == "du/dt = (I - u)/tau_m : V (unless refractory)"
    assert str(eqs["I"]) == "I = g*(E_L - u) : V"
    swapped = Equations("dv/dt = -w/tau : 1\ndw/dt = v/tau : 1", v="w", w="v")
    assert str(swapped) == "dv/dt = w/tau : 1\ndw/dt = -v/tau : 1"


def test_replace_by_values_and_expressions():
    eqs = Equations(BASE, tau=10 * ms)
    assert eqs["v"].expr is not None
    assert str(eqs["v"]) == "dv/dt = (I - v)/(10.0*msecond) : V (unless refractory)"
    # an expression replaces the name as a whole (Brian2 pastes the text,
    # which gives (I - v)/2*tau_m here)
    assert str(Equations(BASE, tau="2*tau_m")["v"]) == (
        "dv/dt = (I - v)/(2*tau_m) : V (unless refractory)")
    assert str(Equations(BASE, tau=3)["v"]) == "dv/dt = (I - v)/3 : V (unless refractory)"
    # 100.*usecond is not exactly 1e-4 s in floats: the SI value is kept instead
    assert "0.0001*second" in str(Equations(BASE, tau=0.1 * ms))
    assert Equations(Equations(BASE), tau=5 * ms).identifiers == {"msecond"}
    assert str(Equations("I = g*(E - v) : volt").substitute(E=-70 * mV)["I"]) == (
        "I = g*(-70.0*mvolt - v) : V")


def test_substituted_value_runs_like_a_namespace_value():
    start_scope()
    G = NeuronGroup(1, Equations("dv/dt = (v0 - v)/tau : volt", tau=10 * ms, v0=-50 * mV),
                    method="exact")
    M = StateMonitor(G, "v", record=0)
    run(1 * ms)
    expected = -50e-3 * (1 - np.exp(-np.arange(10) * 0.1 * ms / (10 * ms)))
    np.testing.assert_allclose(np.asarray(M.v[0]), expected, rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("kwargs, match", [
    ({"g": 2}, "cannot replace the model variable 'g' by a value"),
    ({"E": True}, "cannot replace the model variable 'E' by a value"),
    ({"v": "2*u"}, "cannot replace the model variable 'v' by an expression"),
    ({"v": "g"}, "would define 'g' twice"),
    ({"v": "exp"}, "exp\\(\\) is a function"),
    ({"v": "xi"}, "reserved"),
    ({"v": "_u"}, "starting with '_'"),
])
def test_bad_substitutions(kwargs, match):
    with pytest.raises(ModelDefinitionError, match=match):
        Equations(BASE, **kwargs)


def test_bad_replacement_values():
    with pytest.raises(TypeError, match="single value"):
        Equations(BASE, tau=np.array([1.0, 2.0]) * ms)
    with pytest.raises(TypeError, match="string, a number or a quantity"):
        Equations(BASE, tau=[1, 2])
    with pytest.raises(EquationSyntaxError, match="replacement for 'tau'"):
        Equations(BASE, tau="1 +")
    # a name that does not occur is ignored, as in Brian2
    assert str(Equations(BASE, unused=3)) == str(Equations(BASE))


def test_adding_equations():
    both = Equations("dv/dt = -v/tau : 1") + Equations("I : amp")
    assert both.names == {"v", "I"}
    assert (Equations("dv/dt = -v/tau : 1") + "x : 1").names == {"v", "x"}
    with pytest.raises(ModelDefinitionError, match="'v' is defined twice"):
        Equations("dv/dt = -v/tau : 1") + "v : 1"
    with pytest.raises(TypeError):
        Equations("dv/dt = -v/tau : 1") + 3
    assert Equations(list(Equations(BASE).values())).names == Equations(BASE).names
    assert usecond is not None and second is not None


# Brian2 2.9.0's Equations(text).stochastic_type for each text
@pytest.mark.parametrize("text, brian2", [
    ("dv/dt = -v/tau : 1", None),
    ("dv/dt = -v/tau + v*xi/sqrt(tau) : 1", "multiplicative"),
    ("dv/dt = (s*xi*sqrt(tau) + v)/tau : 1", "additive"),
    ("dv/dt = -v/tau + I*xi/sqrt(tau) : 1\nI = 2*v : 1", "multiplicative"),
    ("dv/dt = -v/tau + w*xi_1/sqrt(tau) : 1\ndw/dt = xi_2/sqrt(tau) : 1", "multiplicative"),
    ("dv/dt = -v/tau + g*xi/sqrt(tau) : 1\ng : 1", "additive"),
])
def test_stochastic_type(text, brian2):
    assert Equations(text).stochastic_type == brian2
