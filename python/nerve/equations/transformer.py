"""Turn Lark parse trees of ``grammar.lark`` into the nodes of :mod:`nodes`.

Each rule (or ``-> alias``) of the grammar has one method here; every node
gets the :class:`~nerve.equations.nodes.Span` of the text it came from, with
lines and columns relative to the string the user passed.
"""

from __future__ import annotations

from lark import Token, Transformer, v_args

from nerve.equations.errors import syntax_error_at
from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, EquationLine, Name, Number, Span, UnaryOp,
)

__all__ = ["ToNodes"]


def _span(meta) -> Span | None:
    if getattr(meta, "empty", True):
        return None
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(tok: Token) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


def number_value(text: str) -> tuple[float, bool]:
    """The value of a NUMBER token and whether it is written as an integer."""
    is_int = not any(c in text for c in ".eE")
    return float(text), is_int


@v_args(meta=True)
class ToNodes(Transformer):
    """Parse tree → nodes. ``source`` is the parsed text and ``where`` names it
    (both for error messages)."""

    def __init__(self, source: str, where: str = "the equations") -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.where = where

    # -- entry points -------------------------------------------------------

    def equations(self, meta, children):
        return tuple(children)

    def statements(self, meta, children):
        return tuple(children)

    def expression(self, meta, children):
        return children[0]

    # -- equation lines -----------------------------------------------------

    def differential(self, meta, children):
        dname, dt, expr, unit, *flags = children
        if not (len(dname) > 1 and dname.startswith("d")) or dt != "dt":
            raise syntax_error_at(
                self.source, self.where, _token_span(dname),
                f"'{dname}/{dt}' is not a time derivative; a differential "
                f"equation starts with 'dX/dt' (e.g. 'dv/dt = ...')",
            )
        return EquationLine("differential", str(dname)[1:], expr, unit,
                            flags[0] if flags else (), _span(meta))

    def subexpression(self, meta, children):
        name, expr, unit, *flags = children
        return EquationLine("subexpression", str(name), expr, unit,
                            flags[0] if flags else (), _span(meta))

    def parameter(self, meta, children):
        name, unit, *flags = children
        return EquationLine("parameter", str(name), None, unit,
                            flags[0] if flags else (), _span(meta))

    def flags(self, meta, children):
        return tuple(children)

    def flag(self, meta, children):
        return " ".join(str(word) for word in children)

    def flagword(self, meta, children):
        return "-".join(str(part) for part in children)

    def signed_number(self, meta, children):
        op, tok = children
        value, is_int = number_value(tok)
        return UnaryOp(op, Number(value, is_int, _token_span(tok)), _span(meta))

    # -- statements ---------------------------------------------------------

    def statement(self, meta, children):
        target, op, value = children
        return Assign(str(target), op, value, _span(meta))

    # -- expressions --------------------------------------------------------

    def name(self, meta, children):
        return Name(str(children[0]), _span(meta))

    def number(self, meta, children):
        value, is_int = number_value(children[0])
        return Number(value, is_int, _span(meta))

    def call(self, meta, children):
        func, args = children
        return Call(str(func), tuple(args) if args else (), _span(meta))

    def arguments(self, meta, children):
        return children

    def binop(self, meta, children):
        left, op, right = children
        return BinOp(op, left, right, _span(meta))

    def power(self, meta, children):
        left, right = children
        return BinOp("**", left, right, _span(meta))

    def unary(self, meta, children):
        op, operand = children
        return UnaryOp(op, operand, _span(meta))

    def compare(self, meta, children):
        left, op, right = children
        return Compare(op, left, right, _span(meta))

    def bool_or(self, meta, children):
        return BoolOp("or", children[0], children[1], _span(meta))

    def bool_and(self, meta, children):
        return BoolOp("and", children[0], children[1], _span(meta))

    def bool_not(self, meta, children):
        return UnaryOp("not", children[0], _span(meta))

    # The operator rules keep their single token: return it as a string.
    def _operator(self, meta, children):
        return str(children[0])

    assign_op = comp_op = add_op = mul_op = unary_op = _operator
