"""Test helper: build model-language nodes from Python-syntax text.

The IR tests must not depend on the model-language parser (written
separately), and the statement syntax is a subset of Python's, so Python's
own ``ast`` module turns test snippets into :mod:`nerve.equations.nodes`.
"""

from __future__ import annotations

import ast

from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, Expr, Name, Number, UnaryOp,
)

_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
        ast.Mod: "%", ast.FloorDiv: "//"}
_CMP = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_UNARY = {ast.USub: "-", ast.UAdd: "+", ast.Not: "not"}


def _expr(node: ast.expr) -> Expr:
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        return Number(float(node.value), is_int=isinstance(node.value, int))
    if isinstance(node, ast.Constant):  # True / False
        return Name(str(node.value))
    if isinstance(node, ast.Name):
        return Name(node.id)
    if isinstance(node, ast.UnaryOp):
        return UnaryOp(_UNARY[type(node.op)], _expr(node.operand))
    if isinstance(node, ast.BinOp):
        return BinOp(_BIN[type(node.op)], _expr(node.left), _expr(node.right))
    if isinstance(node, ast.Compare):
        assert len(node.ops) == 1, "no chained comparisons"
        return Compare(_CMP[type(node.ops[0])], _expr(node.left), _expr(node.comparators[0]))
    if isinstance(node, ast.BoolOp):
        op = "and" if isinstance(node.op, ast.And) else "or"
        result = _expr(node.values[0])
        for value in node.values[1:]:
            result = BoolOp(op, result, _expr(value))
        return result
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        return Call(node.func.id, tuple(_expr(a) for a in node.args))
    raise ValueError(f"unsupported syntax: {ast.dump(node)}")


def expr(text: str) -> Expr:
    """One expression."""
    return _expr(ast.parse(text.strip(), mode="eval").body)


def statements(text: str) -> tuple[Assign, ...]:
    """Statements, one per line or separated by ``;``."""
    result = []
    for stmt in ast.parse("\n".join(line.strip() for line in text.strip().splitlines())).body:
        if isinstance(stmt, ast.Assign):
            (target,) = stmt.targets
            assert isinstance(target, ast.Name)
            result.append(Assign(target.id, "=", _expr(stmt.value)))
        elif isinstance(stmt, ast.AugAssign):
            assert isinstance(stmt.target, ast.Name)
            result.append(Assign(stmt.target.id, _BIN[type(stmt.op)] + "=", _expr(stmt.value)))
        else:
            raise ValueError(f"unsupported statement: {ast.dump(stmt)}")
    return tuple(result)
