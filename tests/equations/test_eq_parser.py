"""Parsing: what the grammar accepts and the nodes (with spans) it builds."""

from __future__ import annotations

import pytest

from nerve.equations import (
    Assign, BinOp, BoolOp, Call, Compare, Name, Number, Span, UnaryOp,
    parse_equations, parse_expression, parse_statements,
)
from nerve.equations.nodes import strip_spans
from nerve.exceptions import EquationSyntaxError

TUTORIAL_EQUATIONS = [
    "\ndv/dt = (1-v)/tau : 1\n",
    "\ndv/dt = 1-v : 1\n",
    "\ndv/dt = (sin(2*pi*100*Hz*t)-v)/tau : 1\n",
    "\ndv/dt = (1-v)/tau : 1 (unless refractory)\n",
    "\ndv/dt = (2-v)/tau : 1\n",
    "\n    dv/dt = (v0-v)/tau : 1 (unless refractory)\n    v0 : 1\n    ",
    "\n    dv/dt = (v0-v)/tau+sigma*xi*tau**-0.5 : 1 (unless refractory)\n    v0 : 1\n    ",
    "\n    dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt\n"
    "    dvt/dt = (vt0-vt)/tau_t : volt\n    ",
]
TUTORIAL_CONDITIONS = ["v>0.8", "v>1", "v>vt"]
TUTORIAL_STATEMENTS = ["v = 0", "v=0", "\n    v = vr\n    vt += delta_vt0\n    "]
TUTORIAL_VALUES = ["rand()", "i*v0_max/(N-1)", "rand()*(vt0-vr)+vr"]


def plain(text):
    return strip_spans(parse_expression(text))


@pytest.mark.parametrize("text", TUTORIAL_EQUATIONS)
def test_tutorial_equations_parse(text):
    lines = parse_equations(text)
    assert lines and lines[0].kind == "differential" and lines[0].name == "v"


@pytest.mark.parametrize("text", TUTORIAL_CONDITIONS)
def test_tutorial_conditions_parse(text):
    assert isinstance(parse_expression(text), Compare)


@pytest.mark.parametrize("text", TUTORIAL_STATEMENTS)
def test_tutorial_statements_parse(text):
    assert all(isinstance(s, Assign) for s in parse_statements(text))


@pytest.mark.parametrize("text", TUTORIAL_VALUES)
def test_tutorial_values_parse(text):
    parse_expression(text)


def test_equation_kinds_units_and_flags():
    v, v0, current = parse_equations(
        "dv/dt = (v0-v)/tau : volt (unless refractory)\n"
        "v0 : volt (constant, shared)\n"
        "I = g*(E-v) : amp/meter**2\n")
    assert (v.kind, v.name, v.flags) == ("differential", "v", ("unless refractory",))
    assert (v0.kind, v0.expr, v0.flags) == ("parameter", None, ("constant", "shared"))
    assert current.kind == "subexpression"
    assert strip_spans(current.unit) == BinOp("/", Name("amp"), BinOp("**", Name("meter"),
                                                                      Number(2.0, True)))
    (noise,) = parse_equations("s : second**-0.5 (constant over dt)")
    assert strip_spans(noise.unit) == BinOp("**", Name("second"),
                                            UnaryOp("-", Number(0.5)))
    assert noise.flags == ("constant over dt",)


def test_type_names_are_names():
    assert strip_spans(parse_equations("b : boolean")[0].unit) == Name("boolean")
    assert strip_spans(parse_equations("n : integer")[0].unit) == Name("integer")


def test_spans_are_relative_to_the_string_given():
    text = "\n  # comment\n\n    dv/dt = (1-v)/tau : 1\n"
    (line,) = parse_equations(text)
    assert line.span == Span(4, 5, 4, 26)
    assert line.expr.span == Span(4, 13, 4, 22)          # (1-v)/tau
    assert line.expr.right.span == Span(4, 19, 4, 22)    # tau
    assert line.unit.span == Span(4, 25, 4, 26)


@pytest.mark.parametrize("text, value, is_int", [
    ("3", 3.0, True), ("3.", 3.0, False), (".5", 0.5, False), ("1e-3", 1e-3, False),
    ("2.5E+2", 250.0, False), ("1_000", 1000.0, True), ("0", 0.0, True),
])
def test_numbers_in_every_python_form(text, value, is_int):
    assert plain(text) == Number(value, is_int)


def test_power_binds_like_python():
    two = Number(2.0, True)
    assert plain("-2**2") == UnaryOp("-", BinOp("**", two, two))
    assert plain("2**-1") == BinOp("**", two, UnaryOp("-", Number(1.0, True)))
    assert plain("2**3**2") == BinOp("**", two, BinOp("**", Number(3.0, True), two))
    assert eval("-2**2") == -4 and eval("2**3**2") == 512


def test_boolean_and_comparison_precedence():
    assert plain("not a < b and c or d") == BoolOp(
        "or", BoolOp("and", UnaryOp("not", Compare("<", Name("a"), Name("b"))), Name("c")),
        Name("d"))
    assert plain("a - b - c") == BinOp("-", BinOp("-", Name("a"), Name("b")), Name("c"))
    assert plain("a / b * c") == BinOp("*", BinOp("/", Name("a"), Name("b")), Name("c"))


def test_calls():
    assert plain("rand()") == Call("rand", ())
    assert plain("clip(x, 0, 1)") == Call("clip", (Name("x"), Number(0.0, True),
                                                   Number(1.0, True)))


def test_statements_in_order_with_every_operator():
    stmts = parse_statements("v = 0\n  x += 1\nx -= 1\n\nx *= 2 # double\nx /= 2\n")
    assert [(s.target, s.op) for s in stmts] == [
        ("v", "="), ("x", "+="), ("x", "-="), ("x", "*="), ("x", "/=")]
    assert parse_statements("") == ()


def test_windows_line_ends_and_tabs():
    lines = parse_equations("dv/dt = -v/tau : volt\r\n\tw : 1\r\n")
    assert [line.name for line in lines] == ["v", "w"]


def test_syntax_error_attributes_and_cause():
    from lark.exceptions import UnexpectedInput

    with pytest.raises(EquationSyntaxError) as info:
        parse_equations("v0 : 1\ndv/dt = (1-v)/tau\n")
    error = info.value
    assert isinstance(error, SyntaxError)
    assert (error.lineno, error.offset, error.text) == (2, 18, "dv/dt = (1-v)/tau")
    assert isinstance(error.__cause__, UnexpectedInput)
    assert str(error).endswith("    dv/dt = (1-v)/tau\n                     ^")


@pytest.mark.parametrize("func, text, fragment", [
    (parse_equations, "dv/dt = 1 +\n", "incomplete"),
    (parse_equations, "x = (a : 1", "never closed"),
    (parse_equations, "\n\n\n  x = (a : 1", "never closed"),
    (parse_equations, "x = a) : 1", "never opened"),
    (parse_equations, "v0\n", "an equation line is"),
    (parse_equations, "x = a", "no unit"),
    (parse_expression, "v = 1", "use '=='"),
    (parse_expression, "a < b < c", "chained"),
    (parse_expression, "", "empty"),
    (parse_expression, "v & w", "'and'"),
    (parse_statements, "v == 1", "assigns with '='"),
    (parse_statements, "v 1", "a statement is"),
    (parse_statements, "v = a b", "an operator"),
])
def test_common_mistakes_get_labels(func, text, fragment):
    with pytest.raises(EquationSyntaxError) as info:
        func(text)
    assert fragment in str(info.value)


def test_generic_messages_list_what_was_expected():
    with pytest.raises(EquationSyntaxError) as info:
        parse_equations("v : 1 (constant,)")
    assert "found ')', expected a name" in str(info.value)


def test_error_examples_all_fail():
    from nerve.equations.parser import _EXAMPLES, _label_table

    for start in _EXAMPLES:
        assert _label_table(start)  # raises if an example parsed


def test_deep_unary_nesting_parses():
    # (This was a "nested too deeply" error when a recursive transformer built
    # the nodes; see test_eq_depth.py for the other deep shapes.)
    node = parse_expression("-" * 5000 + "1")
    depth = 0
    while isinstance(node, UnaryOp):
        node, depth = node.operand, depth + 1
    assert depth == 5000 and node.value == 1


def test_non_string_input():
    with pytest.raises(TypeError):
        parse_equations(None)
