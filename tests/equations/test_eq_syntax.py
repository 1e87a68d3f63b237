"""Separators, continued lines and comments.

What Brian2 2.9.0 accepts was found by running it (numpy target, in
NeuronGroup(1, ...) with threshold/reset and Equations(...)):
- equations: a line end inside parentheses, after a trailing operator,
  before a line that starts with a binary operator, and around ``=`` and
  ``:`` (``'dv/dt\\n = ...'``, ``'dv/dt = x\\n : 1'``, ``'v :\\n 1'``) and
  before the flags (``': 1\\n (unless refractory)'``) continues the line;
  ``#`` comments on any line, also inside continued parentheses; no ``;``;
  no backslash continuation;
- resets: ``'v = 2; w += 1'``, also with a trailing or doubled ``;``;
  a trailing ``# comment``; no continued lines, no backslash.
nerve accepts all of that, and continued lines in statements and
expressions too (a superset: every model Brian2 reads, nerve reads the same).
"""

from __future__ import annotations

import pytest

from nerve.equations import parse_equations, parse_expression, parse_statements, to_source
from nerve.equations.nodes import strip_spans
from nerve.exceptions import EquationSyntaxError


def same(parse, text, plain):
    assert strip_spans(parse(text)) == strip_spans(parse(plain))


@pytest.mark.parametrize("text", [
    "v = 0; w += 1", "v = 0;w += 1;", "v = 0;; w += 1", ";v = 0\n;w += 1;\n",
    "v = 0 ;\n w += 1 # comment; not a statement", "  v = 0;  # c\n\n  w += 1  ",
])
def test_semicolons_separate_statements(text):
    same(parse_statements, text, "v = 0\nw += 1")


def test_semicolons_alone_are_no_statements():
    assert parse_statements(";") == () and parse_statements(" ; ;\n;") == ()


@pytest.mark.parametrize("parse, text, fragment", [
    (parse_equations, "v : 1; w : 1", "';' does not separate equations"),
    (parse_expression, "v > 1;", "';' is not part of an expression"),
    (parse_statements, "v = ; w = 1", "nothing after '='"),
])
def test_semicolon_elsewhere_is_explained(parse, text, fragment):
    with pytest.raises(EquationSyntaxError, match=fragment) as info:
        parse(text)
    assert info.value.offset is not None and "^" in str(info.value)


@pytest.mark.parametrize("text", [
    "dv/dt = (1 -\n v)/tau : 1",
    "dv/dt = (1\n - v)/tau : 1",
    "dv/dt = (1 - # a comment\n   v)/tau : 1",
    "dv/dt = (1 -\n\n# a comment line\n v)/tau : 1",
    "dv/dt = (1 - v)/\n tau : 1",
    "dv/dt = (1 - v)\n  /tau : 1",
    "dv/dt = (1 - v)/tau  # a comment\n    : 1",
    "dv/dt = (1 - v)/tau :\n 1",
    "dv/dt\n = (1 - v)/tau : 1",
    "dv/dt =\n (1 - v)/tau : 1",
])
def test_continued_equation_lines(text):
    same(parse_equations, text, "dv/dt = (1 - v)/tau : 1")


def test_continued_flags_and_calls():
    same(parse_equations, "v : 1 (constant,\n shared)", "v : 1 (constant, shared)")
    same(parse_equations, "v : 1\n  (constant)\nw : 1", "v : 1 (constant)\nw : 1")
    same(parse_equations, "v\n : 1\nw : 1", "v : 1\nw : 1")
    same(parse_equations, "x = clip(v,\n 0,\n 1) : 1", "x = clip(v, 0, 1) : 1")


@pytest.mark.parametrize("text", [
    "v = (vr +\n 1*mV)", "v = vr +\n 1*mV", "v = vr\n  + 1*mV", "v = (vr  # c\n + 1*mV)",
])
def test_continued_statements(text):
    same(parse_statements, text, "v = vr + 1*mV")


@pytest.mark.parametrize("text", [
    "(v >\n vt)", "v >\n vt", "v\n > vt", "v > vt # a comment", "\n# c\nv > vt\n# c\n",
])
def test_continued_and_commented_conditions(text):
    same(parse_expression, text, "v > vt")


def test_a_line_end_still_ends_a_statement_and_an_equation():
    assert len(parse_statements("v = 0\nw = 1")) == 2
    assert len(parse_equations("dv/dt = -v/tau : 1\nw : 1")) == 2
    # 'not' starts an operand, not a continuation
    with pytest.raises(EquationSyntaxError):
        parse_statements("v = a\nnot b")


def test_continued_lines_keep_their_own_line_numbers():
    (line,) = parse_equations("dv/dt = (1 -\n   w)/tau : 1")
    assert line.span.line == 1 and line.span.end_line == 2
    assert line.expr.left.right.span.line == 2 and line.expr.left.right.span.column == 4
    with pytest.raises(EquationSyntaxError) as info:
        parse_equations("dv/dt = (1 -\n   w) $ 2 : 1")
    assert info.value.lineno == 2 and info.value.offset == 7
    assert "line 2, column 7" in str(info.value) and "      ^" in str(info.value)


def test_an_unclosed_parenthesis_across_lines_is_named():
    with pytest.raises(EquationSyntaxError) as info:
        parse_statements("v = (vr\nw = 2")
    message = str(info.value)
    assert "line 2, column 1" in message
    assert "the '(' at line 1, column 5 is still open" in message


def test_backslash_is_not_a_continuation():
    with pytest.raises(EquationSyntaxError, match="'\\\\' does not continue a line"):
        parse_statements("v = 1 + \\\n 2")


def test_round_trip_of_a_continued_block():
    text = ("dv/dt = (v0 - v)/tau +  # drift\n"
            "        sigma*xi*tau**-0.5  # noise\n"
            "    : volt (unless refractory,\n"
            "            constant over dt)\n"
            "v0 : volt\n")
    assert to_source(parse_equations(text)) == (
        "dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : volt "
        "(unless refractory, constant over dt)\nv0 : volt")


def test_statements_do_not_continue_around_assignments():
    # (an empty right-hand side stays an error, not a read of the next line)
    with pytest.raises(EquationSyntaxError, match="nothing after '='"):
        parse_statements("v =\nw = 1")


def test_a_reset_with_semicolons_runs_as_in_brian2():
    """Brian2 2.9.0 (numpy target) ran this script and printed
    v = [4. 4.], w = [3. 3.]: both neurons spike on each of the 3 steps, and
    the reset's statements run in order (v reads w before it is incremented)."""
    import nerve
    from nerve import NeuronGroup, ms, run

    nerve.start_scope()
    group = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1\nw : 1", threshold="v > 0.5 or i == 0",
                        reset="v = 2 + w; w += 1 # done", method="euler")
    group.v = [0, 1]
    run(0.3 * ms)
    assert list(group.v[:]) == [4.0, 4.0]
    assert list(group.w[:]) == [3.0, 3.0]
