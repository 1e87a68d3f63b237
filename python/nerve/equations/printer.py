"""Print nodes back as model-language text (:func:`to_source`).

The output parses back to the same tree (spans aside) and uses as few
parentheses as the grammar's precedence allows: ``(1 - v)/tau``,
``-x**2``, ``(-x)**2``, ``a**-0.5``.
"""

from __future__ import annotations

import math

from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, EquationLine, Name, Number, UnaryOp,
)

__all__ = ["to_source", "format_number", "abbreviated_source"]

# Binding strength of each construct, loosest first (as in grammar.lark).
_OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _UNARY, _POWER, _ATOM = range(1, 10)
_BINARY = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "//": _MUL, "%": _MUL}


def format_number(value: float, is_int: bool = False) -> str:
    """A literal for ``value`` that reads back as exactly the same float.
    An infinite value (a literal too large for a float, ``1e1000``) prints
    as the literal ``1e999``, which reads back as the same number (the name
    ``inf`` would read back as a name); ``nan`` (no literal has it) prints
    as the name ``nan``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    if is_int and value == int(value):
        return str(int(value))
    return repr(float(value))


def to_source(node) -> str:
    """The text of any node (or of a sequence of equation lines or
    statements, one per line)."""
    if isinstance(node, (tuple, list)):
        return "\n".join(to_source(item) for item in node)
    if isinstance(node, Assign):
        return f"{node.target} {node.op} {_expr(node.value)}"
    if isinstance(node, EquationLine):
        return _equation_line(node)
    return _expr(node)


def abbreviated_source(node, limit: int = 100) -> str:
    """:func:`to_source` for a message: a text longer than ``limit`` keeps
    its beginning and end around ``' ... '``."""
    text = to_source(node)
    if len(text) <= limit:
        return text
    half = max((limit - 5) // 2, 1)
    return f"{text[:half]} ... {text[-half:]}"


def _equation_line(line: EquationLine) -> str:
    unit = _expr(line.unit)
    if line.kind == "differential":
        text = f"d{line.name}/dt = {_expr(line.expr)} : {unit}"
    elif line.kind == "subexpression":
        text = f"{line.name} = {_expr(line.expr)} : {unit}"
    else:
        text = f"{line.name} : {unit}"
    if line.flags:
        text += f" ({', '.join(line.flags)})"
    return text


def _precedence(node) -> int:
    if isinstance(node, BoolOp):
        return _OR if node.op == "or" else _AND
    if isinstance(node, UnaryOp):
        return _NOT if node.op == "not" else _UNARY
    if isinstance(node, Compare):
        return _COMPARE
    if isinstance(node, BinOp):
        return _POWER if node.op == "**" else _BINARY[node.op]
    if isinstance(node, Number) and (node.value < 0 or node.value == -math.inf):
        return _UNARY  # printed with a leading minus
    return _ATOM


def _expr(node) -> str:
    """The text of an expression. The tree is walked with an explicit stack
    of pieces (text, or a node with the least binding strength it may have
    without parentheses), so any depth prints, in time linear in its size."""
    out: list[str] = []
    stack: list = [(node, 0)]
    while stack:
        piece = stack.pop()
        if type(piece) is str:
            out.append(piece)
            continue
        item, minimum = piece
        parts = _pieces(item)
        if _precedence(item) < minimum:
            parts = ["(", *parts, ")"]
        stack.extend(reversed(parts))
    return "".join(out)


def _pieces(node) -> list:
    """The text of ``node`` as strings and (child, least strength) pairs."""
    if isinstance(node, Number):
        return [format_number(node.value, node.is_int)]
    if isinstance(node, Name):
        return [node.id]
    if isinstance(node, Call):
        parts: list = [f"{node.func}("]
        for index, arg in enumerate(node.args):
            if index:
                parts.append(", ")
            parts.append((arg, 0))
        parts.append(")")
        return parts
    if isinstance(node, UnaryOp):
        if node.op == "not":
            return ["not ", (node.operand, _NOT)]
        return [node.op, (node.operand, _UNARY)]
    if isinstance(node, BoolOp):
        level = _precedence(node)
        return [(node.left, level), f" {node.op} ", (node.right, level + 1)]
    if isinstance(node, Compare):
        return [(node.left, _ADD), f" {node.op} ", (node.right, _ADD)]
    if isinstance(node, BinOp):
        if node.op == "**":
            return [(node.left, _ATOM), "**", (node.right, _UNARY)]
        level = _BINARY[node.op]
        operator = f" {node.op} " if level == _ADD else node.op
        return [(node.left, level), operator, (node.right, level + 1)]
    raise TypeError(f"cannot print {type(node).__name__} as model-language text")
