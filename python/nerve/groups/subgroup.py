"""``G[a:b]``: a contiguous part of a NeuronGroup.

A :class:`Subgroup` owns no state: its variables are the range
``[start, stop)`` of its root group's columns, read and written as the
group's are (``S.v``, ``S.v[:3]``, ``S.v['i < 5'] = ...``), with ``i`` the
index within the subgroup and ``N`` its size in string expressions, as in
Brian2. Subgroups of subgroups refer to the root group directly.

Attributes other parts of nerve rely on: ``source`` (the root NeuronGroup,
also for nested subgroups), ``start`` and ``stop`` (absolute indices in the
root, ``stop`` exclusive) and ``N``. A subgroup is not simulated by itself
and does not join networks.
"""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from nerve.exceptions import IndexTypeError, InvalidIndexError
from nerve.groups.access import StateAccess
from nerve.groups.indexing import key_text

__all__ = ["Subgroup", "subgroup_bounds"]

_counters: dict[str, itertools.count] = {}


def subgroup_bounds(key, n: int, what: str) -> tuple[int, int]:
    """``(start, stop)`` (relative to the indexed group of ``n`` neurons) of
    the subgroup ``key`` selects: a slice with step 1, a single index, or an
    array of consecutive indices."""
    if isinstance(key, slice):
        if key.step not in (None, 1):
            raise InvalidIndexError(
                f"{what}[{key_text(key)}]: a subgroup is a contiguous range "
                f"of neurons, so its slice cannot have a step other than 1")
        start, stop, _ = key.indices(n)
        if start >= stop:
            raise InvalidIndexError(
                f"{what}[{key_text(key)}] selects no neurons (start {start} >= stop "
                f"{stop} in a group of {n}): a subgroup needs at least one neuron")
        return start, stop
    if isinstance(key, numbers.Integral) and not isinstance(key, (bool, np.bool_)):
        index = int(key)
        if not -n <= index < n:
            raise InvalidIndexError(
                f"{what}[{index}]: index out of range for a group of {n} neurons")
        index += n if index < 0 else 0
        return index, index + 1
    if isinstance(key, (list, tuple, np.ndarray)):
        array = np.asarray(key)
        if array.ndim == 1 and array.size and np.issubdtype(array.dtype, np.integer):
            if not np.all(np.diff(array) == 1):
                raise InvalidIndexError(
                    f"{what}[...]: a subgroup is a contiguous range of neurons, but the "
                    f"indices {array.tolist()!r} are not consecutive; use a slice "
                    f"{what}[a:b]")
            start, stop = subgroup_bounds(int(array[0]), n, what)[0], int(array[-1]) + 1
            if stop > n:
                raise InvalidIndexError(
                    f"{what}[...]: index {stop - 1} out of range for a group of {n} neurons")
            return start, stop
    raise IndexTypeError(
        f"cannot make a subgroup of {what} from {key!r}: use a slice with step 1 "
        f"({what}[10:20]), a single index, or an array of consecutive indices")


class Subgroup(StateAccess):
    """The neurons ``key`` selects in ``group`` (a NeuronGroup or Subgroup);
    made by ``group[key]``."""

    def __init__(self, group, key):
        root = group._state_root
        start, stop = subgroup_bounds(key, group.N, group.name)
        start += group._state_start
        stop += group._state_start
        base = f"{root.name}_subgroup"
        number = next(_counters.setdefault(base, itertools.count()))
        for attr, value in (("source", root), ("start", start), ("stop", stop),
                            ("N", stop - start),
                            ("name", base if number == 0 else f"{base}_{number}"),
                            ("_state_root", root), ("_state_start", start),
                            ("_state_stop", stop), ("_locked", True)):
            object.__setattr__(self, attr, value)

    @property
    def clock(self):
        return self.source.clock

    @property
    def namespace(self):
        return self.source.namespace

    @property
    def equations(self):
        return self.source.equations

    def __len__(self) -> int:
        return self.N

    def __getitem__(self, key) -> "Subgroup":
        return Subgroup(self, key)

    def __repr__(self) -> str:
        return (f"<Subgroup {self.name!r} of {self.source.name!r} from {self.start} "
                f"to {self.stop}>")
