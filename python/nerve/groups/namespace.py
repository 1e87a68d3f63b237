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

import functools
import numbers
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from nerve.equations import nodes as n
from nerve.equations.dimensions import builtin_dimension as _builtin
from nerve.equations.nodes import walk
from nerve.exceptions import ModelDefinitionError

__all__ = ["free_names", "called_names", "substitute", "Resolver"]

#: Mathematical constants the lowering folds itself (unless the namespace
#: gives the name another meaning).
MATH_CONSTANTS = ("pi", "e", "inf")


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


def called_names(nodes_) -> tuple[str, ...]:
    """The names of the functions called by ``nodes_`` that are not
    functions of the model language (they may be functions of the
    namespace), in order of first call."""
    from nerve.equations import FUNCTIONS

    seen: dict[str, None] = {}
    for node in nodes_:
        for sub in walk(node):
            if isinstance(sub, n.Call) and sub.func not in FUNCTIONS:
                seen.setdefault(sub.func)
    return tuple(seen)


def substitute(node, mapping: Mapping[str, n.Expr]):
    """``node`` (an expression or an assignment) with every :class:`Name` in
    ``mapping`` replaced by its expression."""
    from nerve.equations import substitute as substitute_expr

    if not mapping:
        return node
    if isinstance(node, n.Assign):
        return replace(node, value=substitute_expr(node.value, mapping))
    return substitute_expr(node, mapping)


@functools.lru_cache(maxsize=1024)
def _unit(name: str):
    """(dimension, SI float) of the unit called ``name``, or None (the
    units a model string may name are fixed: looked up once per name)."""
    from nerve.units import get_dimensions
    from nerve.units.registry import lookup

    unit = lookup(name)
    if unit is None:
        return None
    return get_dimensions(unit), float(np.asarray(unit))


class Resolver:
    """Dimensions and SI values of the names a group's strings use.

    ``variables`` maps the group's variable names to their dimensions;
    ``namespace`` is the external namespace for this run.
    """

    def __init__(self, variables: Mapping, namespace: Mapping, *, owner: str,
                 source: str | None = None, where: str | None = None):
        self.variables = variables
        self.namespace = namespace
        self.owner = owner
        self.source = source
        self.where = where or owner

    def reading(self, source: str | None, where: str) -> "Resolver":
        """The same resolver, for names read from ``source`` (used in messages)."""
        return Resolver(self.variables, self.namespace, owner=self.owner, source=source,
                        where=where)

    def function(self, name: str):
        """The function of the namespace called ``name`` (a
        :class:`~nerve.functions.base.ModelFunction`; a Python function
        carrying units, e.g. decorated with ``@check_units``, is wrapped in a
        :class:`~nerve.functions.userfunc.Function`), or None."""
        if name in self.variables or name not in self.namespace:
            return None
        from nerve.functions import as_model_function

        return as_model_function(self.namespace[name], name)

    def functions(self, nodes_) -> dict:
        """The functions of the namespace called by ``nodes_`` (by name)."""
        return self.functions_named(called_names(nodes_))

    def functions_named(self, names) -> dict:
        """The functions of the namespace among ``names`` (see
        :func:`called_names`), in that order."""
        out = {}
        for name in names:
            found = self.function(name)
            if found is not None:
                out[name] = found
        return out

    def _external(self, name: str):
        """(dimension, SI float) of an external name, or None."""
        from nerve.units import get_dimensions

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
        return _unit(name)
        return None

    def dimension(self, name: str, span: n.Span | None = None):
        """The dimension of ``name``; raises :class:`UnknownNameError`."""
        if name in self.variables:
            return self.variables[name]
        builtin = _builtin(name)
        if builtin is not None:
            return builtin
        function = self.function(name)
        if function is not None:
            return function  # (the checker tells a call from a misuse)
        found = self._external(name)
        if found is not None:
            return found[0]
        if name in MATH_CONSTANTS:
            from nerve.units import DIMENSIONLESS

            return DIMENSIONLESS
        from nerve.equations import unknown_name_error

        raise unknown_name_error(name, span, self.source, self.where)

    def external_key(self, names) -> tuple:
        """How each external name among ``names`` resolves, as a key for
        caches of compiled programs: ``(name, dimension, exact SI value)``
        for a constant or unit, ``(name, "function")`` (the function's own
        key is the caller's business), ``(name, "math")`` for ``pi``, ``e``,
        ``inf``, ``(name, None)`` for an unknown name. Group variables and
        built-ins are left out (they are the same for every run). Raises as
        :meth:`constants` for a name that cannot be used."""
        from nerve.groups.compiled import number_key

        out = []
        for name in names:
            if name in self.variables or _builtin(name) is not None:
                continue
            if self.function(name) is not None:
                out.append((name, "function"))
                continue
            found = self._external(name)
            if found is not None:
                out.append((name, found[0], number_key(found[1])))
            else:
                out.append((name, "math" if name in MATH_CONSTANTS else None))
        return tuple(out)

    def constants(self, names, *, missing_ok: bool = False) -> dict[str, float]:
        """SI values of the external names among ``names`` (group variables
        and built-ins are left to the lowering). Unknown names raise, unless
        ``missing_ok`` (then the unit checks, which know where each name was
        used, report them)."""
        out = {}
        for name in names:
            if name in self.variables or _builtin(name) is not None:
                continue
            if self.function(name) is not None:
                continue  # (a function used as a value: the unit checks say so)
            found = self._external(name)
            if found is not None:
                out[name] = found[1]
            elif name not in MATH_CONSTANTS and not missing_ok:
                self.dimension(name)  # raises the unknown-name error
        return out
