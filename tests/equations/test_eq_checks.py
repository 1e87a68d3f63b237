"""Equations container and dimension checking."""

from __future__ import annotations

import re

import pytest

from eqtest_helpers import GROUP, dimension_of, make_resolver
from nerve.equations import (
    FUNCTIONS, Equations, check_expression, check_statements, expression_dimension,
    parse_expression, parse_statements, to_source,
)
from nerve.exceptions import DimensionMismatchError, ModelDefinitionError, UnknownNameError

BRIAN2_STYLE = r"(inconsistent|mismatch|incompatible|does not have the expected|not consistent).*(unit|dimension)"


def dim(text):
    return dimension_of(text)


def test_tutorial_error_without_tau():
    eqs = Equations("\n    dv/dt = 1-v : 1\n    ")
    with pytest.raises(DimensionMismatchError) as info:
        eqs.check_units(make_resolver())
    message = str(info.value)
    assert re.search(BRIAN2_STYLE, message, re.IGNORECASE | re.DOTALL)
    assert "'v'" in message and "dv/dt = 1-v : 1" in message   # which equation
    assert "has units of 1 (dimensionless)" in message           # what the RHS has
    assert "hertz" in message                                    # what was expected
    assert "(1 - v)/tau" in message                              # the fix
    assert info.value.dims == (dim("1"), dim("1") / dim("second"))


def test_equations_record_kinds_dims_dtypes_flags():
    eqs = Equations("""
        dv/dt = (I - g*v)/C : volt (unless refractory)
        I = g*(E - v) : amp
        g : siemens (constant)
        spiking : boolean
        count : integer
    """)
    assert list(eqs) == ["v", "I", "g", "spiking", "count"]
    assert eqs.diff_eq_names == {"v"}   # sets, as Brian2 gives them
    assert eqs.subexpr_names == {"I"}
    assert eqs.parameter_names == {"g", "spiking", "count"}
    assert eqs["v"].dim is dim("volt") and eqs["v"].flags == frozenset({"unless refractory"})
    assert eqs["g"].dim is dim("siemens") and eqs["g"].flags == frozenset({"constant"})
    assert (eqs["spiking"].dtype, eqs["count"].dtype, eqs["v"].dtype) == (
        "boolean", "integer", "float")
    assert eqs["v"].line.strip() == "dv/dt = (I - g*v)/C : volt (unless refractory)"
    assert eqs["v"].span.line == 2
    eqs.check_units(make_resolver())


def test_substituted_in_dependency_order():
    eqs = Equations("dv/dt = (I1 + I2)/C : volt\nI2 = 2*I1 : amp\nI1 = g*(E - v) : amp\n")
    assert eqs.subexpression_order == ("I1", "I2")
    ((name, rhs),) = eqs.substituted()
    assert name == "v"
    assert to_source(rhs) == "(g*(E - v) + 2*(g*(E - v)))/C"


def test_noise_units():
    eqs = Equations("dv/dt = -v/tau + sigma*xi*tau**-0.5 : volt\n"
                    "dw/dt = xi_w/sqrt(tau) : 1")
    eqs.check_units(make_resolver())
    with pytest.raises(DimensionMismatchError):
        Equations("dv/dt = -v/tau + sigma*xi : volt").check_units(make_resolver())


@pytest.mark.parametrize("text, expected", [
    ("v > 0", "1"), ("0 < v", "1"), ("v + 0", "volt"), ("-0 - v", "volt"),
    ("clip(v, 0, vmax)", "volt"), ("sqrt(area)", "metre"), ("abs(v)", "volt"),
    ("sign(v)", "1"), ("floor(v/mV)*mV", "volt"), ("v**2/v", "volt"),
    ("tau**-0.5*tau**0.5", "1"), ("where(v > vt, v, 0)", "volt"), ("rand()", "1"),
    ("exp(-t/tau)", "1"), ("v % vt", "volt"), ("i*N", "1"), ("x**x", "1"),
])
def test_expression_dimensions(text, expected):
    assert expression_dimension(parse_expression(text), make_resolver(GROUP)) is dim(expected)


@pytest.mark.parametrize("text, fragment", [
    ("v + 1", "adds 'v' with units of volt and '1' with units of 1 (dimensionless)"),
    ("v > 1*mV*ms", "compares 'v' with units of volt"),
    ("exp(v)", "the argument of exp() must be dimensionless, but 'v' has units of volt"),
    ("clip(v, 0*mV, 1)", "argument 3 of clip() must have the same units"),
    ("sin(t)", "the argument of sin() must be dimensionless"),
    ("v**x", "its exponent must be a number"),
    ("x**v", "exponents must be dimensionless"),
    ("v > 0 and v", "'and' combines conditions"),
    ("not v", "'not' negates a condition"),
])
def test_dimension_errors_say_what_and_where(text, fragment):
    with pytest.raises(DimensionMismatchError) as info:
        expression_dimension(parse_expression(text), make_resolver(GROUP), source=text)
    message = str(info.value)
    assert fragment in message
    assert re.search(BRIAN2_STYLE, message, re.IGNORECASE | re.DOTALL)
    assert "line 1, column" in message and "^" in message


def test_threshold_must_be_boolean():
    check_expression(parse_expression("v > vt"), make_resolver(GROUP), "boolean")
    with pytest.raises(DimensionMismatchError, match="a condition must be boolean"):
        check_expression(parse_expression("v"), make_resolver(GROUP), "boolean")
    check_expression(parse_expression("v"), make_resolver(GROUP), dim("volt"))
    check_expression(parse_expression("0"), make_resolver(GROUP), dim("volt"))
    with pytest.raises(DimensionMismatchError, match="expected units of volt"):
        check_expression(parse_expression("rand()"), make_resolver(GROUP), dim("volt"))


def test_statements_units():
    check_statements(parse_statements("v = vr\nvt += delta_vt0\nx *= 2\nv = 0"),
                     make_resolver(GROUP))
    with pytest.raises(DimensionMismatchError, match="gives 'v' .units of volt. a value"):
        check_statements(parse_statements("v = 1"), make_resolver(GROUP))


def test_unknown_identifier_message():
    text = "v > v_th"
    with pytest.raises(UnknownNameError) as info:
        check_expression(parse_expression(text),
                         make_resolver(GROUP, text, "the threshold condition"), "boolean")
    assert isinstance(info.value, KeyError) and info.value.name == "v_th"
    assert str(info.value).startswith(
        "unknown identifier 'v_th' in the threshold condition, line 1, column 5")
    assert str(info.value).endswith("    v > v_th\n        ^^^^")


def test_constants_resolve_unless_shadowed():
    assert expression_dimension(parse_expression("2*pi*e + inf"), make_resolver()) is dim("1")


@pytest.mark.parametrize("text, fragment", [
    ("v : volt\nv : volt", "defined twice"),
    ("dt : second", "reserved"), ("i : 1", "reserved"), ("N : 1", "reserved"),
    ("xi : 1", "reserved"), ("lastspike : second", "reserved"), ("_x : 1", "'_'"),
    ("exp : 1", "function"), ("ms : second", "unit"),
    ("v : volt (unless refractory)", "flag of differential equations only"),
    ("x = 1 : 1 (constant)", "flag of parameters only"),
    ("v : volt (constant, constant)", "given twice"),
    ("v : 2*volt", "not a unit"), ("v : boolean*volt", "is a type"),
    ("x = exp(1, 2) : 1", "exp() takes 1 argument, but 2 are given"),
    ("a = b : 1\nb = a : 1", "cycle: a -> b -> a"),
])
def test_model_definition_errors(text, fragment):
    with pytest.raises(ModelDefinitionError) as info:
        Equations(text)
    assert fragment in str(info.value)


def test_functions_table():
    assert set(FUNCTIONS) == {
        "exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
        "arcsin", "arccos", "arctan", "abs", "sign", "floor", "ceil", "clip", "int",
        "exprel", "expm1", "log1p", "timestep", "rand", "randn", "poisson", "where"}
    assert FUNCTIONS["clip"].arity == 3 and FUNCTIONS["rand"].arity == 0
    assert FUNCTIONS["where"].internal and not FUNCTIONS["exp"].internal
    assert FUNCTIONS["sqrt"].result([dim("metre**2")]) is dim("metre")
    assert FUNCTIONS["exp"].result([dim("volt")]) == (0, "be dimensionless")
