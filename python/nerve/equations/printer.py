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

__all__ = ["to_source", "format_number"]

# Binding strength of each construct, loosest first (as in grammar.lark).
_OR, _AND, _NOT, _COMPARE, _ADD, _MUL, _UNARY, _POWER, _ATOM = range(1, 10)
_BINARY = {"+": _ADD, "-": _ADD, "*": _MUL, "/": _MUL, "//": _MUL, "%": _MUL}


def format_number(value: float, is_int: bool = False) -> str:
    """A literal for ``value`` that reads back as exactly the same float
    (``inf``/``nan`` become the names ``inf``/``nan``)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
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


def _wrapped(node, minimum: int) -> str:
    text = _expr(node)
    return f"({text})" if _precedence(node) < minimum else text


def _expr(node) -> str:
    if isinstance(node, Number):
        return format_number(node.value, node.is_int)
    if isinstance(node, Name):
        return node.id
    if isinstance(node, Call):
        return f"{node.func}({', '.join(_expr(arg) for arg in node.args)})"
    if isinstance(node, UnaryOp):
        if node.op == "not":
            return f"not {_wrapped(node.operand, _NOT)}"
        return f"{node.op}{_wrapped(node.operand, _UNARY)}"
    if isinstance(node, BoolOp):
        level = _precedence(node)
        return f"{_wrapped(node.left, level)} {node.op} {_wrapped(node.right, level + 1)}"
    if isinstance(node, Compare):
        return f"{_wrapped(node.left, _ADD)} {node.op} {_wrapped(node.right, _ADD)}"
    if isinstance(node, BinOp):
        if node.op == "**":
            return f"{_wrapped(node.left, _ATOM)}**{_wrapped(node.right, _UNARY)}"
        level = _BINARY[node.op]
        left = _wrapped(node.left, level)
        right = _wrapped(node.right, level + 1)
        if level == _ADD:
            return f"{left} {node.op} {right}"
        return f"{left}{node.op}{right}"
    raise TypeError(f"cannot print {type(node).__name__} as model-language text")
