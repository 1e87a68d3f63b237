"""The seeds of the copies of a sweep.

Copy ``k`` of a sweep with seed ``s`` is built and run under seed
``copy_seeds(s, K)[k]``: the first 32-bit word of numpy's
``SeedSequence(s, spawn_key=(k,))`` (the ``k``-th child that
``SeedSequence(s).spawn(K)`` gives). It depends on ``s`` and ``k`` only, not
on the number of copies, the batches or the machine, so copy ``k`` run alone
after ``seed(copy_seeds(s, k + 1)[k])`` gives the same numbers.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

from nerve.exceptions import SeedError

__all__ = ["copy_seeds", "sweep_seed"]

_MAX_SEED = 2**32 - 1


def sweep_seed(seed) -> int:
    """The seed of a sweep: ``seed`` checked, or a fresh one for ``None``."""
    if seed is None:
        return int.from_bytes(os.urandom(4), "little")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"the seed of a sweep is None or an integer, not "
                        f"{type(seed).__name__} ({seed!r})")
    if not 0 <= int(seed) <= _MAX_SEED:
        raise SeedError(f"the seed of a sweep must be between 0 and 2**32 - 1 = {_MAX_SEED}, "
                        f"got {seed}")
    return int(seed)


def copy_seeds(seed: int, count: int) -> np.ndarray:
    """The seeds (integers 0 to 2**32 - 1) of copies 0 to ``count - 1`` of a
    sweep with seed ``seed``; see the module documentation."""
    if seed is None:
        raise TypeError("copy_seeds() needs the sweep's seed (an integer), got None")
    seed = sweep_seed(seed)
    return np.array([np.random.SeedSequence(seed, spawn_key=(k,)).generate_state(1, np.uint32)[0]
                     for k in range(int(count))], dtype=np.int64)
