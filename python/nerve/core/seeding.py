"""Seeding: ``seed(n)`` makes everything random that follows reproducible.

Each object draws from its own engine streams, derived from the current seed
and the order in which objects first need them after the seed was set, so a
script that calls ``seed(n)`` and then repeats the same steps gets the same
numbers (whatever the number of threads).
"""

from __future__ import annotations

import os

__all__ = ["seed"]

_state = {"seed": int.from_bytes(os.urandom(8), "little"), "epoch": 0, "streams": 0}


def seed(seed: int | None = None) -> None:
    """Set the seed of all random numbers drawn from now on (``rand()``,
    ``randn()``, ``xi``). ``None`` picks a fresh random seed."""
    if seed is None:
        seed = int.from_bytes(os.urandom(8), "little")
    if not isinstance(seed, (int,)) or isinstance(seed, bool):
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise TypeError(f"seed must be an integer, got {seed!r}") from None
    _state["seed"] = seed % (1 << 64)
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

    def set(self, rng, epoch: int) -> None:
        """Restore a stored stream (``restore()``)."""
        self._rng, self._epoch = rng, epoch
