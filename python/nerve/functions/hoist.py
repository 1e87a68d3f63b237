"""Calls that keep one value over a time step, taken out of the equations
before integration.

Brian2 treats a call such as ``ta(t)`` of a ``TimedArray`` whose ``dt`` is a
whole multiple of the group's as a constant of the step (so ``exact`` can
integrate ``dv/dt = (ta(t) - v)/tau``). Here such a call is computed once,
into a temporary, before the integration statements, and the equations read
the temporary: every method then sees the value of the step, as Brian2's do
(its explicit methods evaluate the call at ``t + dt/2`` etc., which lies in
the same value's interval).
"""

from __future__ import annotations

from dataclasses import replace

from nerve.equations import nodes as n
from nerve.equations.nodes import walk

__all__ = ["hoist_constant_calls"]


def _hoistable(call: n.Call, function, dt: float, state: set[str]) -> bool:
    if not (function.stateless and function.locally_constant(dt)):
        return False
    for index, arg in enumerate(call.args):
        names = {sub.id for sub in walk(arg) if isinstance(sub, n.Name)}
        if index == 0 and isinstance(arg, n.Name) and arg.id == "t":
            continue
        if "t" in names or names & state or any(isinstance(sub, n.Call) for sub in walk(arg)):
            return False
    return True


def hoist_constant_calls(equations, functions, dt: float, state: set[str]):
    """``(statements, equations)``: an assignment to a temporary for each
    distinct call constant over the step, and the equations (objects with
    ``name`` and ``expr``) reading the temporaries instead."""
    from nerve.equations import to_source

    if not functions:
        return [], list(equations)
    temporaries: dict[str, str] = {}   # printed call -> temporary
    statements: list[n.Assign] = []

    def rewrite(expr):
        if isinstance(expr, n.Call):
            function = functions.get(expr.func)
            if function is not None and _hoistable(expr, function, dt, state):
                text = to_source(expr)
                if text not in temporaries:
                    temporaries[text] = f"_constant_call_{len(temporaries)}"
                    statements.append(n.Assign(temporaries[text], "=", expr))
                return n.Name(temporaries[text], expr.span)
            return replace(expr, args=tuple(rewrite(a) for a in expr.args))
        if isinstance(expr, n.UnaryOp):
            return replace(expr, operand=rewrite(expr.operand))
        if isinstance(expr, (n.BinOp, n.Compare, n.BoolOp)):
            return replace(expr, left=rewrite(expr.left), right=rewrite(expr.right))
        return expr

    out = [replace(eq, expr=rewrite(eq.expr)) for eq in equations]
    return statements, out
