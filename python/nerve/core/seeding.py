"""Seeding: ``seed(n)`` makes everything random that follows reproducible.

Each object draws from its own engine streams, derived from the current seed
and the order in which objects first need them after the seed was set, so a
script that calls ``seed(n)`` and then repeats the same steps gets the same
numbers (whatever the number of threads).

As in Brian2, ``seed(n)`` also seeds numpy's global generator
(``np.random.seed(n)``), so that numbers a script draws itself with
``np.random`` repeat too, and ``seed()`` reseeds both from fresh entropy.
Seeds are the integers numpy accepts there, 0 to 2**32 - 1.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from nerve.exceptions import SeedError

__all__ = ["seed"]

_state = {"seed": int.from_bytes(os.urandom(8), "little"), "epoch": 0, "streams": 0}


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
    _state["seed"] = engine_seed
    _state["epoch"] += 1
    _state["streams"] = 0


class RandomSource:
    """The engine streams of one object, re-created when ``seed()`` is called."""

    __slots__ = ("_rng", "_epoch")

    def __init__(self) -> None:
        self._rng = None
        self._epoch = -1

    def get(self):
        """The engine's ``Rng`` for this object under the current seed."""
        if self._rng is None or self._epoch != _state["epoch"]:
            from nerve import _core

            self._rng = _core.Rng(_state["seed"], _state["streams"])
            _state["streams"] += 1
            self._epoch = _state["epoch"]
        return self._rng

    def state(self):
        """The current streams (not copied) and the seed epoch they belong to."""
        return self._rng, self._epoch

    def set_state(self, state) -> None:
        """Put back streams returned by :meth:`state`."""
        self._rng, self._epoch = state

    def set(self, rng, epoch: int) -> None:
        """Restore a stored stream (``restore()``)."""
        self._rng, self._epoch = rng, epoch
