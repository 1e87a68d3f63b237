"""Compiled programs shared between groups whose compilation has the same inputs.

A parameter sweep built as K copies of one model in one network compiles the
same equations K times: unit checks, integration and lowering give the same
programs for every copy. The first copy's products are kept here, under a key
made of everything they are computed from, and the next copies reuse them
(``groups/compiling.py`` builds the keys and decides what may be shared):

- the model as parsed when the group was made: the class, the equation text,
  the threshold, reset and refractory strings, the column layout (names,
  types and dimensions in slot order);
- what the run gives it: ``dt``, each external name of the model's strings
  resolved (dimension and exact SI value, ``-0.0`` told from ``0.0``; a
  function by its ``key()``), the integration method asked for, the
  refractory period in steps, whether ``not_refractory`` is derived, the
  recorded subexpressions.

A second kind of entry, keyed the same way but without the values of the
external names, holds the prepared (checked, integrated) statements, which
do not depend on those values.

Nothing here is read from a file or runs code: an entry is the Python
objects the first compilation made (engine programs are immutable), never a
group or anything holding one. Groups that call Python functions are never
shared (their programs read scratch columns of the group). An entry whose
programs use functions of the namespace (a ``TimedArray``...) is dropped
when one of them is deleted: the entry does not keep the function's table
alive, and the ``id`` in the function's key cannot be reused by a new object
while the entry exists. At most :data:`LIMIT` entries are kept, the least
recently used dropped first.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict

__all__ = ["LIMIT", "lookup", "store", "clear", "number_key"]

#: the number of entries kept
LIMIT = 256

_entries: OrderedDict = OrderedDict()
#: keys whose functions were deleted, dropped before the next lookup (a
#: weakref callback only notes them: it may run in the middle of any
#: allocation, also one of ``_entries``'s own)
_dead: list = []


def _purge() -> None:
    while _dead:
        _entries.pop(_dead.pop(), None)


def number_key(value: float) -> str:
    """A float as a key: exact, and ``-0.0`` differs from ``0.0`` (they
    compare equal, but ``1/x`` tells them apart)."""
    return float(value).hex()


def lookup(key):
    """The entry stored under ``key``, or None (also for an unhashable key)."""
    _purge()
    try:
        found = _entries.get(key)
    except TypeError:
        return None
    if found is None:
        return None
    try:
        _entries.move_to_end(key)
    except KeyError:  # (dropped meanwhile by another thread)
        pass
    return found[0]


def store(key, entry, functions=()) -> None:
    """Keep ``entry`` under ``key`` until one of ``functions`` (the objects
    whose keys are part of ``key``) is deleted. An unhashable key, or a
    function that cannot be referenced weakly, keeps nothing."""
    _purge()
    try:
        hash(key)
        watchers = [weakref.ref(f, lambda _, key=key: _dead.append(key)) for f in functions]
    except TypeError:
        return
    _entries[key] = (entry, watchers)
    try:
        _entries.move_to_end(key)
        while len(_entries) > LIMIT:
            _entries.popitem(last=False)
    except KeyError:  # (changed meanwhile by another thread)
        pass


def clear() -> None:
    """Forget every entry."""
    _entries.clear()
    _dead.clear()
