"""Seeding: ``seed(n)`` makes everything random that follows reproducible.

Each object draws from its own engine streams, derived from the current seed
and the order in which objects first need them after the seed was set, so a
script that calls ``seed(n)`` and then repeats the same steps gets the same
numbers (whatever the number of threads).

As in Brian2, ``seed(n)`` also seeds numpy's global generator
(``np.random.seed(n)``), so that numbers a script draws itself with
``np.random`` repeat too, and ``seed()`` reseeds both from fresh entropy.
Seeds are the integers numpy accepts there, 0 to 2**32 - 1.

A seed scope (:func:`seed_scope`, used by :func:`nerve.sweep` to build each
copy of a model) gives the objects created inside it streams of their own
seed, numbered from 0, as if ``seed(n)`` had been called just before: they
keep drawing from that seed after the scope ends, whatever ``seed()`` does
later, and ``seed()`` called inside the scope reseeds the scope only.
"""

from __future__ import annotations

import numbers
import os
import threading
from contextlib import contextmanager

import numpy as np

from nerve.exceptions import SeedError

__all__ = ["seed", "seed_scope"]

#: the seed state of scripts: the seed, how many times it was set (the
#: epoch), and how many streams were handed out since
_state = {"seed": int.from_bytes(os.urandom(8), "little"), "epoch": 0, "streams": 0}
#: per thread, the seed scopes entered (the innermost gives new objects
#: their streams; outside any scope, _state does)
_scopes = threading.local()


def _active() -> dict:
    stack = getattr(_scopes, "stack", None)
    return stack[-1] if stack else _state


_MAX_SEED = 2**32 - 1


def seed(seed: int | None = None) -> None:
    """Set the seed of all random numbers drawn from now on (``rand()``,
    ``randn()``, ``xi``) and of numpy's global generator. ``None`` picks a
    fresh random seed for both.

    Raises ``TypeError`` for a seed that is not an integer and
    :class:`~nerve.exceptions.SeedError` (a ``ValueError``) for one outside
    0 to 2**32 - 1, as Brian2 does.
    """
    if seed is None:
        np.random.seed(None)
        engine_seed = int.from_bytes(os.urandom(8), "little")
    else:
        if not isinstance(seed, numbers.Integral):
            raise TypeError(f"seed() takes None or an integer, not "
                            f"{type(seed).__name__} ({seed!r}).")
        seed = int(seed)
        if not 0 <= seed <= _MAX_SEED:
            raise SeedError(f"seed({seed}): the seed must be between 0 and "
                            f"2**32 - 1 = {_MAX_SEED}.")
        np.random.seed(seed)
        engine_seed = seed
    state = _active()
    state["seed"] = engine_seed
    state["epoch"] += 1
    state["streams"] = 0


def _checked_seed(value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"a seed is an integer, not {type(value).__name__} ({value!r}).")
    if not 0 <= int(value) <= _MAX_SEED:
        raise SeedError(f"the seed {value} is not between 0 and 2**32 - 1 = {_MAX_SEED}.")
    return int(value)


@contextmanager
def seed_scope(seed: int):
    """Objects created inside ``with seed_scope(n):`` draw from streams of
    seed ``n`` numbered from 0 in the order they first need them, exactly as
    after ``seed(n)``, and keep them after the block (later ``seed()`` calls
    do not change them). numpy's global generator is seeded with ``n`` on
    entry, as ``seed(n)`` does. Scopes nest; ``seed()`` inside one reseeds
    that scope only. A scope belongs to the thread that entered it (but
    numpy's global generator is shared by all threads)."""
    value = _checked_seed(seed)
    np.random.seed(value)
    state = {"seed": value, "epoch": 0, "streams": 0}
    stack = _scopes.__dict__.setdefault("stack", [])
    stack.append(state)
    try:
        yield state
    finally:
        stack.remove(state)


class RandomSource:
    """The engine streams of one object, re-created when ``seed()`` is called.

    The streams come from the seed state active when the object was created
    (a :func:`seed_scope`'s, or the script's), or from that of ``like``."""

    __slots__ = ("_rng", "_epoch", "_scope")

    def __init__(self, like: "RandomSource | None" = None) -> None:
        self._rng = None
        self._epoch = -1
        self._scope = like._scope if like is not None else _active()

    def get(self):
        """The engine's ``Rng`` for this object under the current seed."""
        scope = self._scope
        if self._rng is None or self._epoch != scope["epoch"]:
            from nerve import _core

            self._rng = _core.Rng(scope["seed"], scope["streams"])
            scope["streams"] += 1
            self._epoch = scope["epoch"]
        return self._rng

    def snapshot(self):
        """A copy of the current streams and the seed epoch they belong to
        (``store()``)."""
        rng = self.get().copy()
        return rng, self._epoch

    def state(self):
        """The current streams (not copied) and the seed epoch they belong to."""
        return self._rng, self._epoch

    def set_state(self, state) -> None:
        """Put back streams returned by :meth:`state`."""
        self._rng, self._epoch = state

    def set(self, rng, epoch: int) -> None:
        """Restore a stored stream (``restore()``)."""
        self._rng, self._epoch = rng, epoch
