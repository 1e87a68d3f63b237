"""Evaluating a model expression over arbitrary lanes (synapses, candidate
pairs of neurons) on the engine.

The lanes are given as float64 arrays, one per name the expression may read
(``i``, ``j``, ``v_pre``, ``x_post``...); the expression is unit-checked,
lowered with those arrays as its columns and run by ``_core.execute``, so no
Python loop runs per lane.
"""

from __future__ import annotations

import numpy as np

from nerve.equations import nodes as n
from nerve.groups.namespace import Resolver, free_names

__all__ = ["evaluate"]

#: the column the computed value goes to (not a valid model name)
_RESULT = "_nerve_result"


def evaluate(expr, arrays: dict, dims: dict, count: int, namespace, owner: str,
             rng, clock, *, source: str | None = None, where: str = "",
             expected=None, booleans=()) -> np.ndarray:
    """The value of ``expr`` (a node) for each of ``count`` lanes.

    ``arrays`` maps names to float64 arrays of ``count`` values (only the
    ones the expression uses are passed to the engine); ``dims`` their
    dimensions. ``expected``: the dimension the value must have, ``"boolean"``
    for a condition, or None (anything).
    """
    from nerve import _core
    from nerve.equations import check_expression
    from nerve.ir.encode import encode
    from nerve.ir.lower import lower

    resolver = Resolver(dims, namespace if namespace is not None else {}, owner=owner)
    check_expression(expr, resolver.reading(source, where).dimension, expected, source=source,
                     where=where, booleans=booleans)
    hosts = {k: f for k, f in resolver.functions((expr,)).items() if f.host}
    if hosts and count:
        # (calls of Python functions: evaluated now, over all the lanes)
        from nerve.functions.host import evaluate_now

        def compute(arg):
            return evaluate(arg, arrays, dims, count, namespace, owner, rng, clock,
                            where=where, booleans=booleans)

        statement, values = evaluate_now(n.Assign(_RESULT, "=", expr, expr.span), hosts,
                                         compute, count, owner, where or owner)
        expr, arrays = statement.value, {**arrays, **values}
    used = free_names(expr)
    slots, columns = {}, []
    for name in used:
        if name in arrays:
            slots[name] = len(columns)
            columns.append(np.ascontiguousarray(arrays[name], dtype=np.float64))
    result = np.empty(count)
    slots[_RESULT] = len(columns)
    columns.append(result)
    constants = resolver.constants([u for u in used if u not in arrays])
    if count == 0:
        return result
    program = _core.Program(encode(lower((n.Assign(_RESULT, "=", expr, expr.span),),
                                         columns=slots, constants=constants)))
    _core.execute(program, columns, count, rng, clock.t_, clock.dt_, clock.timestep)
    return result
