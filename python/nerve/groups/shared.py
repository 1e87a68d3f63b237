"""Shared variables of a neuron group (``I : amp (shared)``): one value for
the whole group.

Storage: a shared variable is an ordinary column whose every lane holds the
same value, so per-neuron code, monitors and subgroups read it unchanged.

Writing: code that assigns a shared variable (``G.run_regularly('I =
rand()*50*nA')``, ``G.I = 'rand()*nA'``) computes ONE value, as Brian2 does:
the statements run on a one-lane copy of the group (its own engine group,
with its own random stream), then the value is spread to every neuron (a
``link`` operation with every index 0). Such statements come first in a code
block, may read only shared variables, constants, ``t``, ``dt``, ``N`` (the
group's size) and random numbers, and are refused in thresholds, resets and
events (Brian2 refuses them there too).
"""

from __future__ import annotations

import numpy as np

from nerve.equations import nodes as n
from nerve.equations.nodes import walk
from nerve.exceptions import EquationSyntaxError

__all__ = ["shared_names", "split_shared", "check_shared", "SharedLane", "refuse_shared_writes"]


def shared_names(group) -> frozenset:
    """The shared variables and shared subexpressions of ``group``."""
    return frozenset(name for name, eq in group.equations.items() if "shared" in eq.flags)


def _error(message: str, statement, source, where) -> EquationSyntaxError:
    from nerve.equations.errors import syntax_error_at

    span = getattr(statement, "span", None)
    if span is not None and source is not None:
        return syntax_error_at(source, where, span, message)
    return EquationSyntaxError(f"{message} (in {where})")


def check_shared(statement: n.Assign, group, source, where) -> None:
    """Refuse a shared assignment whose value differs from neuron to neuron."""
    shared = shared_names(group)
    per_neuron = (set(group._columns) | set(group._subexpressions) | {"i"}) - shared
    for sub in walk(statement.value):
        if isinstance(sub, n.Name) and sub.id in per_neuron:
            raise _error(
                f"cannot write to the shared variable '{statement.target}' with an expression "
                f"referring to the per-neuron variable '{sub.id}': a shared variable holds one "
                f"value for the whole group", sub if sub.span else statement, source, where)


def split_shared(statements, group, source, where):
    """``(shared, rest)``: the leading statements that assign shared
    variables (checked), and the per-neuron statements after them."""
    shared = shared_names(group)
    first, rest = [], []
    for statement in statements:
        if statement.target in shared:
            if rest:
                raise _error(
                    f"the shared variable '{statement.target}' is assigned after a per-neuron "
                    f"statement: put the statements that assign shared variables first",
                    statement, source, where)
            check_shared(statement, group, source, where)
            first.append(statement)
        else:
            rest.append(statement)
    return first, rest


def refuse_shared_writes(statements, group, source, where) -> None:
    """Thresholds, resets and events run per neuron: no shared writes there."""
    shared = shared_names(group)
    for statement in statements:
        if statement.target in shared:
            raise _error(f"writing to the shared variable '{statement.target}' is not allowed "
                         f"in {where}: a shared variable can be set by run_regularly code or "
                         f"by assignment (G.{statement.target} = ...)", statement, source, where)


def with_group_size(statement: n.Assign, size: int) -> n.Assign:
    """``statement`` with ``N`` the group's size (the one-lane copy has 1)."""
    from nerve.groups.namespace import substitute

    return substitute(statement, {"N": n.Number(float(size), is_int=True)})


class SharedLane:
    """The one-lane copy of a group on which shared assignments run."""

    def __init__(self, group) -> None:
        from nerve.core.seeding import RandomSource

        self.group = group
        self.columns = {name: np.zeros(1) for name in group._columns}
        # its own streams (one draw per assignment), of the group's seed scope
        self.rng = RandomSource(like=getattr(group, "_rng", None))

    @staticmethod
    def of(group) -> "SharedLane":
        """The lane of ``group`` (made once, so its random stream goes on)."""
        lane = group.__dict__.get("_shared_lane")
        if lane is None:
            lane = group.__dict__["_shared_lane"] = SharedLane(group)
        return lane

    def program(self, statements, resolver):
        sized = tuple(with_group_size(s, self.group.N) for s in statements)
        return self.group._program(sized, resolver)

    def operations(self, run, clock, when, order, name, program, type_name):
        """``(prelude, operation, postlude)``: copy the shared variables in,
        run ``program`` on the lane, spread what it assigned."""
        from nerve.core.schedule import Operation

        group = self.group
        g = group._engine_group(run)
        lane = run.group(self, 1, list(self.columns.values()), self.rng.get(), 1)
        shared = sorted(shared_names(group) & set(group._columns))
        prelude = []
        for var in shared:
            k = run.link(g, group._slots[var], lane, group._slots[var], [0])
            prelude.append(Operation(f"{name}_shared_in_{var}", "link", clock, when, order, k,
                                     owner=group, type_name="SharedVariable", listed=False))
        operation = Operation(name, "update", clock, when, order, lane, 0, program, group,
                              type_name)
        postlude = []
        for var in shared:
            k = run.link(lane, group._slots[var], g, group._slots[var],
                         np.zeros(group.N, dtype=np.int64))
            postlude.append(Operation(f"{name}_shared_out_{var}", "link", clock, when, order,
                                      k, owner=group, type_name="SharedVariable",
                                      listed=False))
        return prelude, operation, postlude

    def execute(self, statements, resolver, t, dt, step) -> None:
        """Run shared assignments once now (``G.I = 'rand()*nA'``)."""
        from nerve import _core

        group = self.group
        shared = shared_names(group) & set(group._columns)
        for var in shared:
            self.columns[var][0] = group._columns[var][0]
        program = self.program(statements, resolver)
        _core.execute(program, list(self.columns.values()), 1, self.rng.get(), t, dt, step)
        for var in shared:
            group._columns[var][:] = self.columns[var][0]
