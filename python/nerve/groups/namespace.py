"""Resolving the names used in a group's model strings.

A name is, in this order: a variable of the group (a column of its state);
a subexpression of its equations (substituted by its definition); one of the
built-ins ``t``, ``dt``, ``i``, ``N``; an external constant from the
namespace (the group's explicit ``namespace=``, otherwise the one ``run()``
was called from); a unit (``mV``); a mathematical constant (``pi``, ``e``,
``inf``). Resolution happens once per run, before lowering: the lowering sees
only column slots and SI floats.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from dataclasses import replace

import numpy as np

from nerve.equations import nodes as n
from nerve.exceptions import ModelDefinitionError, UnknownNameError

__all__ = ["free_names", "substitute", "Resolver"]

#: Names the lowering knows without being told (values come from the engine).
BUILTIN_SECONDS = ("t", "dt")
BUILTIN_COUNTS = ("i", "N")
#: Mathematical constants the lowering folds itself.
MATH_CONSTANTS = ("pi", "e", "inf", "True", "False")


def walk(node) -> Iterator:
    """Every node of an expression or statement, parents first."""
    yield node
    if isinstance(node, n.UnaryOp):
        yield from walk(node.operand)
    elif isinstance(node, (n.BinOp, n.Compare, n.BoolOp)):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, n.Call):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, n.Assign):
        yield from walk(node.value)


def free_names(*nodes_) -> list[str]:
    """The identifiers used by the given nodes, in order of first use
    (assignment targets included)."""
    seen: dict[str, None] = {}
    for node in nodes_:
        if isinstance(node, n.Assign):
            seen.setdefault(node.target)
        for sub in walk(node):
            if isinstance(sub, n.Name):
                seen.setdefault(sub.id)
    return list(seen)


def substitute(node, mapping: Mapping[str, n.Expr]):
    """``node`` with every :class:`Name` in ``mapping`` replaced by its
    expression (the tree structure keeps the substitution parenthesised)."""
    if isinstance(node, n.Name):
        return mapping.get(node.id, node)
    if isinstance(node, n.UnaryOp):
        return replace(node, operand=substitute(node.operand, mapping))
    if isinstance(node, (n.BinOp, n.Compare, n.BoolOp)):
        return replace(node, left=substitute(node.left, mapping),
                       right=substitute(node.right, mapping))
    if isinstance(node, n.Call):
        return replace(node, args=tuple(substitute(a, mapping) for a in node.args))
    if isinstance(node, n.Assign):
        return replace(node, value=substitute(node.value, mapping))
    return node


class Resolver:
    """Dimensions and SI values of the names a group's strings use.

    ``variables`` maps the group's variable names to their dimensions;
    ``namespace`` is the external namespace for this run.
    """

    def __init__(self, variables: Mapping, namespace: Mapping, *, owner: str):
        self.variables = variables
        self.namespace = namespace
        self.owner = owner

    def _external(self, name: str):
        """(dimension, SI float) of an external name, or None."""
        from nerve.units import get_dimensions
        from nerve.units.registry import lookup

        if name in self.namespace:
            value = self.namespace[name]
            if isinstance(value, bool):
                return get_dimensions(1), float(value)
            if isinstance(value, (numbers.Number, np.ndarray, np.generic)):
                arr = np.asarray(value)
                if arr.ndim != 0:
                    raise ModelDefinitionError(
                        f"the external name {name!r} used by {self.owner} is an array of "
                        f"shape {arr.shape}; only scalars can be used in model strings "
                        f"(make it a parameter of the group instead)"
                    )
                return get_dimensions(value), float(arr)
            raise ModelDefinitionError(
                f"the external name {name!r} used by {self.owner} refers to a "
                f"{type(value).__name__}, not a number or quantity"
            )
        unit = lookup(name)
        if unit is not None:
            return get_dimensions(unit), float(np.asarray(unit))
        return None

    def dimension(self, name: str, span: n.Span | None = None):
        """The dimension of ``name``; raises :class:`UnknownNameError`."""
        from nerve.units import DIMENSIONLESS, second

        if name in self.variables:
            return self.variables[name]
        if name in BUILTIN_SECONDS:
            from nerve.units import get_dimensions

            return get_dimensions(second)
        if name in BUILTIN_COUNTS or name in MATH_CONSTANTS:
            return DIMENSIONLESS
        found = self._external(name)
        if found is None:
            where = f" (line {span.line}, column {span.column})" if span else ""
            raise UnknownNameError(
                f"unknown identifier {name!r} in {self.owner}{where}: it is not a variable "
                f"of the group, an external constant, or a unit", name)
        return found[0]

    def constants(self, names) -> dict[str, float]:
        """SI values of the external names among ``names`` (group variables
        and built-ins are left to the lowering)."""
        out = {}
        for name in names:
            if (name in self.variables or name in BUILTIN_SECONDS
                    or name in BUILTIN_COUNTS or name in MATH_CONSTANTS):
                continue
            found = self._external(name)
            if found is None:
                self.dimension(name)  # raises the unknown-name error
            else:
                out[name] = found[1]
        return out
