"""Calls of Python functions in a neuron group's code, evaluated by the host
once per step, vectorised over the group.

For a block of code (the update statements, the threshold condition, the
reset, a recorded subexpression, run_regularly/run_on_event code) that calls
host functions, :class:`HostCalls` rewrites each call
``f(a, b)`` into a read of a scratch column ``_host_k``; before the block's
operation the schedule runs (1) a program computing ``a`` and ``b`` for every
neuron into scratch columns, (2) a host operation: the engine takes the GIL
and calls ``f`` once with those arrays (quantities with the declared units),
writing its result into ``_host_k``. The arguments must therefore be known
before the block runs: values the block itself computes (e.g. the
intermediate stages of ``rk2``/``rk4``) cannot be passed (refused with a
clear error: use ``euler``, or a subexpression of state variables).

Cost: per step and per block, one engine program over the group for the
arguments, one Python call with the GIL, and 8 bytes per neuron per argument
and result of scratch memory. Measured (``benchmarks/host_functions.py``,
2-core VM under a load of ~12, 2026-12-01): 31 µs per step for one neuron and
a ``@check_units`` function computing ``0.5*x`` (half of it the decorator's
own unit checks; the same drift in the model language costs 0.09 µs), and
about 27 ns more per neuron (2.8 ms per step at N = 1e5: copies, units, the
function's numpy work); the engine cannot fuse the group's update with its threshold
across a host call. A reset's function is evaluated for every neuron, not
only those that spiked.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from nerve.equations import nodes as n
from nerve.equations.nodes import walk
from nerve.exceptions import NotSupportedError
from nerve.units import DIMENSIONLESS as _DIMENSIONLESS
from nerve.units import Quantity as _Quantity

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
        #: role -> statements with the calls rewritten (code runners)
        self.rewritten: dict[str, list] = {}

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
        ops.append(self.call_operation(run, operation, calls, group))
        return ops

    def call_operation(self, run, operation, calls, owner):
        """The host operation that calls the functions of ``calls`` once per
        step, just before ``operation`` (same clock, slot and order)."""
        from nerve.core.schedule import Operation

        prepared = self._prepare(calls)
        host = run.host(lambda t: self._evaluate(prepared))
        return Operation(f"{operation.name}_host_call", "host", operation.clock,
                         operation.when, operation.order, host, owner=owner,
                         type_name="HostFunction", listed=False)

    def _prepare(self, calls) -> list:
        """What each call needs at every step, worked out once: the argument
        arrays and their units, the result's array and expected units."""
        from nerve.units import DIMENSIONLESS

        prepared = []
        for result, function, names, _ in calls:
            dims = [d if d is not None else DIMENSIONLESS for d in function.arg_dims]
            plain = getattr(function, "discard_units", False)
            args = [(self.arrays[name], None if plain or dim is None or dim is DIMENSIONLESS
                     else dim) for name, dim in zip(names, function.arg_dims)]
            need = function.result_dimension(dims)
            prepared.append((function, args, self.arrays[result],
                             None if plain else need))
        return prepared

    def _evaluate(self, prepared) -> None:
        for function, args, out, need in prepared:
            values = [array.copy() if dim is None else _Quantity(array.copy(), dim=dim)
                      for array, dim in args]
            value = function.pyfunc(*values)
            if need is not None:  # (None: units discarded, the result is in SI units)
                got = getattr(value, "dim", _DIMENSIONLESS)
                if got is not need:
                    _wrong_units(function, value, need)
            array = np.asarray(value, dtype=float)
            if array.size == out.size and array.ndim == 1:
                out[:] = array
            elif array.size == 1 and array.ndim <= 1:
                out[:] = array.reshape(())
            else:
                raise ValueError(
                    f"the Python function {function.name}() returned {array.size} values; it "
                    f"is called once for the {self.group.N} neurons of "
                    f"{self.group.name!r} and must return one value per neuron (or one)")


def _wrong_units(function, value, need):
    from nerve.exceptions import DimensionMismatchError
    from nerve.units import get_dimensions
    from nerve.units.dimension import format_dimension

    try:
        got = format_dimension(get_dimensions(value))
    except TypeError:
        got = type(value).__name__
    raise DimensionMismatchError(
        f"the Python function {function.name}() returned a value with units of {got}, but "
        f"it declares {format_dimension(need)}", need)



def evaluate_now(statement, functions, compute, count: int, owner: str, where: str):
    """A one-off statement (``G.v = 'f(v)'``) whose Python function calls are
    evaluated now: ``(statement reading their results, {name: values})``;
    ``compute(expr)`` gives an expression's values over the ``count`` lanes."""
    from types import SimpleNamespace

    hosts = HostCalls(SimpleNamespace(N=count, _columns={}, name=owner), functions)
    (rewritten,) = hosts.statements([statement], "now", where)
    calls = hosts.calls.get("now", [])
    for _, _, names, exprs in calls:
        for name, expr in zip(names, exprs):
            hosts.arrays[name][:] = compute(expr)
    hosts._evaluate(hosts._prepare(calls))
    return rewritten, {result: hosts.arrays[result] for result, _, _, _ in calls}
