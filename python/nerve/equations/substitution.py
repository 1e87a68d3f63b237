"""Substitutions in an equation block: ``Equations(eqs, tau=10*ms, v='u')``.

Each keyword names an identifier of the equations and says what replaces it:

- a string that is a single name renames: a variable defined by the
  equations (its equation and every use, ``dv/dt`` becoming ``du/dt``), or
  an external name wherever it is used;
- any other string is parsed as an expression and replaces an external name
  (as a whole: ``tau='2*tau_m'`` in ``v/tau`` gives ``v/(2*tau_m)``);
- a number or a scalar quantity replaces an external name by its value,
  written with its unit (``10*ms`` becomes ``10.0*msecond``).

All replacements happen at once (``v='w', w='v'`` swaps two names). A
variable of the equations can only be renamed, not replaced by a value or an
expression; names that do not occur are ignored, as in Brian2.
"""

from __future__ import annotations

from typing import Callable, Mapping

from nerve.equations.nodes import (
    BinOp, BoolOp, Call, Compare, EquationLine, Name, Number, UnaryOp,
)
from nerve.exceptions import ModelDefinitionError

__all__ = ["substitute_lines", "value_node"]


def substitute_lines(lines: list[EquationLine], replacements: Mapping[str, object],
                     reserved_reason: Callable[[str], str]) -> list[EquationLine]:
    """``lines`` with ``replacements`` applied (see the module doc)."""
    defined = {line.name for line in lines}
    renames: dict[str, str] = {}
    nodes: dict[str, object] = {}
    for name, value in replacements.items():
        node = value_node(name, value)
        if name in defined:
            if not (isinstance(value, str) and isinstance(node, Name)):
                what = "an expression" if isinstance(value, str) else "a value"
                raise ModelDefinitionError(
                    f"cannot replace the model variable '{name}' by {what} ({value!r}): a "
                    f"variable of the equations can only be renamed (e.g. {name}='{name}_2')")
            why = reserved_reason(node.id)
            if why:
                raise ModelDefinitionError(
                    f"cannot rename the model variable '{name}' to '{node.id}': {why}")
            renames[name] = node.id
        nodes[name] = node
    new_names = [renames.get(line.name, line.name) for line in lines]
    for new in set(new_names):
        if new_names.count(new) > 1:
            raise ModelDefinitionError(
                f"cannot rename to '{new}': the equations would define '{new}' twice")
    return [EquationLine(line.kind, renames.get(line.name, line.name),
                         None if line.expr is None else _replace(line.expr, nodes),
                         line.unit, line.flags)
            for line in lines]


def value_node(name: str, value: object):
    """The node that replaces ``name``: a parsed string, or a number or
    scalar quantity written as a literal times its unit."""
    if isinstance(value, str):
        from nerve.equations.parser import parse_expression

        return parse_expression(value, where=f"the replacement for '{name}'")
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return Name("True" if value else "False")
    if isinstance(value, int):
        return Number(float(value), is_int=True)
    from nerve.units import Quantity, get_dimensions

    if not isinstance(value, (float, np.number, np.ndarray, Quantity)):
        raise TypeError(f"the replacement for '{name}' must be a string, a number or a "
                        f"quantity, not {type(value).__name__}")
    if np.ndim(value) != 0:
        raise TypeError(f"the replacement for '{name}' must be a single value, not an array "
                        f"of shape {np.shape(value)}")
    dim = get_dimensions(value)
    si = float(np.asarray(value, dtype=float))
    if dim.is_dimensionless:
        return Number(si)
    return _quantity_node(si, dim, value)


def _quantity_node(si: float, dim, value):
    """``si`` (in SI units of ``dim``) as ``number*unit``: in the unit Brian2
    would display (``10.0*msecond``) when that gives back exactly ``si``,
    else in the SI unit of ``dim``."""
    from nerve.equations.parser import parse_expression
    from nerve.units import get_unit
    from nerve.units.registry import lookup

    shown = parse_expression(repr(value))
    if isinstance(shown, BinOp) and shown.op == "*":
        number, unit = shown.left, shown.right
        sign = 1.0
        if isinstance(number, UnaryOp) and number.op == "-":
            number, sign = number.operand, -1.0
        if isinstance(number, Number) and isinstance(unit, Name):
            found = lookup(unit.id)
            if found is not None and sign * number.value * float(found) == si:
                return BinOp("*", Number(sign * number.value), unit)
    return BinOp("*", Number(si), parse_expression(repr(get_unit(dim))))


def _replace(expr, nodes: Mapping[str, object]):
    if isinstance(expr, Name):
        return nodes.get(expr.id, expr)
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return type(expr)(expr.op, _replace(expr.left, nodes), _replace(expr.right, nodes))
    if isinstance(expr, UnaryOp):
        return UnaryOp(expr.op, _replace(expr.operand, nodes))
    if isinstance(expr, Call):
        return Call(expr.func, tuple(_replace(a, nodes) for a in expr.args))
    return expr
