"""Calls of Python functions in a neuron group's code, evaluated by the host
once per step, vectorised over the group.

For a block of code (the update statements, the threshold condition, the
reset) that calls host functions, :class:`HostCalls` rewrites each call
``f(a, b)`` into a read of a scratch column ``_host_k``; before the block's
operation the schedule runs (1) a program computing ``a`` and ``b`` for every
neuron into scratch columns, (2) a host operation: the engine takes the GIL
and calls ``f`` once with those arrays (quantities with the declared units),
writing its result into ``_host_k``. The arguments must therefore be known
before the block runs: values the block itself computes (e.g. the
intermediate stages of ``rk2``/``rk4``) cannot be passed (refused with a
clear error: use ``euler``, or a subexpression of state variables).

Cost: per step and per block, one engine program over the group for the
arguments, one Python call (GIL taken, ~5-20 µs plus the function's own
vectorised numpy work), and 8 bytes per neuron per argument and result of
scratch memory; the engine cannot fuse the group's update with its threshold
across a host call. A reset's function is evaluated for every neuron, not
only those that spiked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nerve.equations import nodes as n
from nerve.equations.nodes import walk
from nerve.exceptions import NotSupportedError

__all__ = ["HostCalls"]


class HostCalls:
    """The host-function calls of one group's programs."""

    def __init__(self, group, functions) -> None:
        self.group = group
        self.functions = {k: f for k, f in functions.items() if f.host}
        #: scratch column names, in slot order (results and arguments)
        self.names: list[str] = []
        #: role -> [(result name, function, [argument names], [argument exprs])]
        self.calls: dict[str, list] = {}
        self.arrays: dict[str, np.ndarray] = {}

    def __bool__(self) -> bool:
        return bool(self.names)

    def _scratch(self, name: str) -> str:
        self.names.append(name)
        self.arrays[name] = np.zeros(self.group.N)
        return name

    def slots(self) -> dict[str, int]:
        base = len(self.group._columns)
        return {name: base + k for k, name in enumerate(self.names)}

    # -- rewriting ----------------------------------------------------------------

    def _rewrite(self, expr, role: str, assigned: set, where: str):
        if isinstance(expr, n.Call) and expr.func in self.functions:
            function = self.functions[expr.func]
            for arg in expr.args:
                inner = [s for s in walk(arg)
                         if isinstance(s, n.Call) and s.func in self.functions]
                if inner:
                    raise NotSupportedError(
                        f"{expr.func}() is called with an argument that calls the Python "
                        f"function {inner[0].func}() in {where}: nested calls of Python "
                        f"functions are not supported; use a subexpression")
                used = {s.id for s in walk(arg) if isinstance(s, n.Name)} & assigned
                if used:
                    raise NotSupportedError(
                        f"the Python function {expr.func}() is called in {where} with an "
                        f"argument computed in the same step ({sorted(used)[0]!r}); nerve "
                        f"evaluates Python functions once per step, before the code, so "
                        f"their arguments must be state variables, constants or t (for "
                        f"differential equations use method='euler' or 'exact')")
            k = sum(len(c) for c in self.calls.values())
            result = self._scratch(f"_host_{k}")
            args = [self._scratch(f"_host_{k}_arg{j}") for j in range(len(expr.args))]
            self.calls.setdefault(role, []).append((result, function, args, list(expr.args)))
            return n.Name(result, expr.span)
        if isinstance(expr, n.Call):
            return replace(expr, args=tuple(self._rewrite(a, role, assigned, where)
                                            for a in expr.args))
        if isinstance(expr, n.UnaryOp):
            return replace(expr, operand=self._rewrite(expr.operand, role, assigned, where))
        if isinstance(expr, (n.BinOp, n.Compare, n.BoolOp)):
            return replace(expr, left=self._rewrite(expr.left, role, assigned, where),
                           right=self._rewrite(expr.right, role, assigned, where))
        return expr

    def statements(self, statements, role: str, where: str):
        """``statements`` reading scratch columns instead of calling."""
        if not self.functions:
            return list(statements)
        assigned: set = set()
        out = []
        for statement in statements:
            out.append(replace(statement, value=self._rewrite(statement.value, role, assigned,
                                                              where)))
            assigned.add(statement.target)
        return out

    def condition(self, condition, role: str, where: str):
        if not self.functions or condition is None:
            return condition
        return self._rewrite(condition, role, set(), where)

    # -- the schedule -----------------------------------------------------------------

    def prelude(self, run, role: str, resolver, operation):
        """The operations computing the calls of ``role`` just before
        ``operation``: the arguments' program, then the host call."""
        from nerve.core.schedule import Operation

        calls = self.calls.get(role)
        if not calls:
            return []
        group = self.group
        assigns = [n.Assign(arg_name, "=", expr)
                   for _, _, names, exprs in calls for arg_name, expr in zip(names, exprs)]
        ops = []
        if assigns:
            program = group._program(tuple(assigns), resolver, scratch=self.slots())
            ops.append(Operation(f"{operation.name}_host_arguments", "update", operation.clock,
                                 operation.when, operation.order, operation.target, 0, program,
                                 group, "HostArguments", listed=False))
        host = run.host(lambda t, calls=calls: self._evaluate(calls))
        ops.append(Operation(f"{operation.name}_host_call", "host", operation.clock,
                             operation.when, operation.order, host, owner=group,
                             type_name="HostFunction", listed=False))
        return ops

    def _evaluate(self, calls) -> None:
        from nerve.exceptions import DimensionMismatchError
        from nerve.units import DIMENSIONLESS, Quantity, get_dimensions
        from nerve.units.dimension import format_dimension

        for result, function, names, _ in calls:
            args = []
            for name, dim in zip(names, function.arg_dims):
                values = self.arrays[name]
                args.append(values.copy() if dim is None or dim is DIMENSIONLESS
                            else Quantity(values.copy(), dim=dim))
            value = function.pyfunc(*args)
            need = function.result_dimension(
                [d if d is not None else get_dimensions(a) for d, a in zip(function.arg_dims,
                                                                            args)])
            try:
                got = get_dimensions(value)
            except TypeError:
                got = None
            if got is not need and not (got is DIMENSIONLESS and need is None):
                raise DimensionMismatchError(
                    f"the Python function {function.name}() returned a value with units of "
                    f"{format_dimension(got) if got is not None else type(value).__name__}, "
                    f"but it declares {format_dimension(need)}", need)
            array = np.asarray(value, dtype=float)
            if array.ndim > 1 or array.size not in (1, self.group.N):
                raise ValueError(
                    f"the Python function {function.name}() returned {array.size} values; it "
                    f"is called once for the {self.group.N} neurons of "
                    f"{self.group.name!r} and must return one value per neuron (or one)")
            self.arrays[result][:] = array.reshape(-1) if array.size == self.group.N else \
                array.reshape(())
