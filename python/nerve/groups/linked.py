"""Linked variables: ``G2.w = linked_var(G1, 'v')`` makes ``w`` (declared
``w : 1 (linked)``) read ``G1.v`` — the same neuron, one chosen by ``index``,
or neuron 0 of a one-neuron group.

In a run the engine copies the linked values just before every operation
that may read them (a ``link`` operation in front of the group's updates,
thresholds, resets, code runners and monitor recordings), so they are as
live as in Brian2; outside a run they are copied when read.
"""

from __future__ import annotations

import numpy as np

from nerve.core.schedule import Operation
from nerve.exceptions import (ArgumentTypeError, DimensionMismatchError, InvalidArgumentError,
                              InvalidIndexError, ModelDefinitionError)

__all__ = ["linked_var", "LinkedVariable"]


class LinkedVariable:
    """What :func:`linked_var` returns: a variable of a group to link to."""

    def __init__(self, group, name: str, index=None):
        self.group, self.name, self.index = group, name, index

    def __repr__(self) -> str:
        return f"linked_var({self.group.name!r}, {self.name!r})"


def linked_var(group_or_variable, name: str | None = None, index=None) -> LinkedVariable:
    """Link to ``name`` of a group (``linked_var(G, 'v')``) or to a
    variable (``linked_var(G.v)``); ``index`` gives, for each neuron of
    the linking group, the neuron it reads."""
    from nerve.groups.variables import VariableView

    if isinstance(group_or_variable, VariableView):
        if name is not None:
            raise ArgumentTypeError("give a group and a name, or a variable (G.v), not both")
        return LinkedVariable(group_or_variable.group, group_or_variable.name, index)
    if name is None or not isinstance(name, str):
        raise ArgumentTypeError(
            f"linked_var needs a group and a variable name, or a variable: "
            f"linked_var(G, 'v') or linked_var(G.v), got name={name!r}")
    if not hasattr(group_or_variable, "_state_root"):
        raise ArgumentTypeError(f"linked_var links to a variable of a group, got "
                                f"{group_or_variable!r}")
    return LinkedVariable(group_or_variable, name, index)


def establish(group, name: str, link: LinkedVariable) -> None:
    """``group.name = link``: check the link and remember it."""
    eq = group.equations.get(name) if hasattr(group.equations, "get") else None
    if eq is None or "linked" not in eq.flags:
        raise ArgumentTypeError(
            f"cannot link {group.name}.{name}: declare it as a linked variable with "
            f"'(linked)' in the model equations (e.g. '{name} : 1 (linked)')")
    source, start, stop = link.group._state_root, link.group._state_start, link.group._state_stop
    if link.name not in source._columns:
        raise ModelDefinitionError(
            f"cannot link {group.name}.{name} to {link.group.name}.{link.name}: it is not a "
            f"state variable of {link.group.name!r}")
    if group._dims[name] is not source._dims[link.name]:
        from nerve.units import format_dimension

        raise DimensionMismatchError(
            f"the units of {group.name}.{name} ({format_dimension(group._dims[name])}) do not "
            f"match those of its link target {link.group.name}.{link.name} "
            f"({format_dimension(source._dims[link.name])})")
    size = stop - start
    if link.index is None:
        if size == group.N:
            indices = np.arange(group.N)
        elif size == 1:
            indices = np.zeros(group.N, dtype=np.int64)
        else:
            raise InvalidArgumentError(
                f"cannot link {group.name}.{name} to {link.group.name}.{link.name}: the groups "
                f"have different sizes ({group.N} and {size}); give index=... with the neuron "
                f"each of the {group.N} neurons reads")
    else:
        indices = np.asarray(link.index)
        if indices.shape != (group.N,) or not np.issubdtype(indices.dtype, np.integer):
            raise InvalidIndexError(
                f"index of a link from {group.name}.{name} must hold {group.N} integers, got "
                f"{link.index!r}")
        if len(indices) and (indices.min() < 0 or indices.max() >= size):
            raise InvalidIndexError(
                f"index of a link from {group.name}.{name} out of range: "
                f"{link.group.name!r} has {size} neurons")
    group.__dict__.setdefault("_links", {})[name] = (source, link.name,
                                                     indices.astype(np.int64) + start)
    refresh(group, name)


def refresh(group, name: str) -> None:
    """Copy the linked values of ``name`` now (outside runs)."""
    link = group.__dict__.get("_links", {}).get(name)
    if link is not None:
        source, source_name, indices = link
        group._columns[name][:] = source._columns[source_name][indices]


def prelude(group, run, clock, when, order, owner_name: str, names=None) -> list:
    """Gather operations that bring ``group``'s linked variables (those in
    ``names``, or all) up to date, to run just before an operation."""
    links = group.__dict__.get("_links", {})
    ops = []
    for name, (source, source_name, indices) in links.items():
        if names is not None and name not in names:
            continue
        k = run.link(source._engine_group(run), source._slots[source_name],
                     group._engine_group(run), group._slots[name], indices)
        ops.append(Operation(f"{owner_name}_link_{name}", "link", clock, when, order, k,
                             owner=group, type_name="LinkedVariable", listed=False))
    return ops
