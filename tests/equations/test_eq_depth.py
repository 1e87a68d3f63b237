"""Deep and long model strings: no step of parsing, dimension checking or
printing recurses, so they give a result (or a nerve error), never a
RecursionError or a lark exception."""

from __future__ import annotations

import pytest

from eqtest_helpers import make_resolver
from nerve.equations import (
    BinOp, Equations, UnaryOp, check_expression, expression_dimension, parse_equations,
    parse_expression, parse_statements, to_source,
)
from nerve.equations.dimensions import constant_value
from nerve.exceptions import DimensionMismatchError, EquationSyntaxError
from nerve.units.registry import lookup

VOLT = lookup("volt").dim


def left_depth(node, op="+") -> int:
    depth = 0
    while isinstance(node, BinOp) and node.op == op:
        node, depth = node.left, depth + 1
    return depth


def test_flat_sum_of_10000_terms_parses_checks_and_prints():
    # 493 terms raised lark's VisitError (recursion in the transformer).
    text = " + ".join(f"{k % 9}*v" for k in range(10_000))
    expr = parse_expression(text)
    assert left_depth(expr) == 9_999
    assert expression_dimension(expr, make_resolver({"v": "volt"})) is VOLT
    assert to_source(expr).replace(" ", "") == text.replace(" ", "")


def test_flat_sum_in_an_equation_block_and_in_statements():
    rhs = " - ".join("v/tau" for _ in range(10_000))
    eqs = Equations(f"dv/dt = {rhs} : volt\n")
    eqs.check_units(make_resolver({}))
    (line,) = parse_equations(f"dv/dt = {rhs} : volt")
    assert to_source(line) == f"dv/dt = {rhs} : volt"
    (assign,) = parse_statements(f"v += {rhs.replace('/tau', '')}")
    assert left_depth(assign.value, "-") == 9_999


def test_a_mismatch_in_a_long_sum_has_a_short_message():
    text = " + ".join(["v"] * 5000 + ["tau"] + ["v"] * 10)
    with pytest.raises(DimensionMismatchError) as info:
        check_expression(parse_expression(text), make_resolver({"v": "volt"}), VOLT,
                         source=text)
    message = str(info.value)
    assert "+ v + tau' adds 'v + v + " in message and " ... " in message
    assert "+ v' with units of volt and 'tau' with units of second" in message
    assert "line 1, column 1" in message and len(message) < 800


def test_chain_of_powers_is_right_associative_at_any_length():
    text = "**".join(["2"] * 5000)
    expr = parse_expression(text)
    depth = 0
    while isinstance(expr, BinOp):
        assert expr.op == "**" and expr.left.value == 2
        expr, depth = expr.right, depth + 1
    assert depth == 4999
    assert to_source(parse_expression(text)) == text
    # a dimensionless base needs no constant exponent
    assert expression_dimension(parse_expression(text), make_resolver({})).is_dimensionless


def test_constant_exponent_of_any_depth():
    exponent = "(" + " + ".join(["0.001"] * 3000) + ")"
    expr = parse_expression(f"v**{exponent}")
    assert constant_value(expr.right) == pytest.approx(3.0)
    assert expression_dimension(expr, make_resolver({"v": "volt"})) is VOLT ** 3.0


@pytest.mark.parametrize("depth", [1, 100, 5000])
def test_deep_parentheses(depth):
    text = "(" * depth + "v + 1*mV" + ")" * depth + " > 0*mV"
    expr = parse_expression(text)
    assert to_source(expr) == "v + 1*mV > 0*mV"
    check_expression(expr, make_resolver({"v": "volt"}), "boolean")


def test_deep_parentheses_unbalanced_is_a_syntax_error():
    with pytest.raises(EquationSyntaxError, match="never closed") as info:
        parse_expression("(" * 5000 + "v")
    assert "line 1, column 5002" in str(info.value)
    with pytest.raises(EquationSyntaxError, match="never opened"):
        parse_expression("v" + ")" * 5000)


def test_deep_calls_and_unary_operators():
    text = "exp(" * 3000 + "-" * 3000 + "x" + ")" * 3000
    expr = parse_expression(text)
    assert to_source(expr) == text
    assert expression_dimension(expr, make_resolver({"x": "1"})).is_dimensionless
    node = parse_expression("not " * 4000 + "v > 0")
    assert isinstance(node, UnaryOp) and to_source(node) == "not " * 4000 + "v > 0"
