"""Recorded data arrives from the engine one run at a time; it is kept as
the list of arrays the engine handed over (no copy) and joined only when
read after more than one run."""

from __future__ import annotations

import numpy as np


class Chunks:
    """An append-only 1-D (or row-stacked 2-D) array built from pieces."""

    __slots__ = ("_parts", "_joined", "_empty")

    def __init__(self, empty: np.ndarray):
        self._parts: list[np.ndarray] = []
        self._joined: np.ndarray | None = empty
        self._empty = empty

    def append(self, part: np.ndarray) -> None:
        if len(part):
            self._parts.append(part)
            self._joined = None

    def truncate(self, length: int) -> None:
        """Keep the first ``length`` entries (``restore()``)."""
        data = self.array[:length].copy()
        self._parts = [data] if len(data) else []
        self._joined = None

    @property
    def array(self) -> np.ndarray:
        if self._joined is None:
            if not self._parts:
                self._joined = self._empty
            elif len(self._parts) == 1:
                self._joined = self._parts[0]
            else:
                self._joined = np.concatenate(self._parts)
                self._parts = [self._joined]
        return self._joined

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)


class RecordedTimes:
    """``t`` and ``t_`` of a monitor that keeps its recording times (seconds)
    in ``self._times``; times are computed as ``step*dt`` when recorded, so a
    change of ``dt`` between runs keeps earlier times right."""

    _times: Chunks

    @property
    def t_(self) -> np.ndarray:
        """The recording times in seconds (a plain, read-only array)."""
        view = self._times.array.view()
        view.flags.writeable = False
        return view

    @property
    def t(self):
        """The recording times."""
        from nerve.units import second

        return self._times.array * second


def recorded_group(source, monitor: str):
    """The group a monitor records from and the range of its neurons
    (``start``, ``stop``): the whole group, or a subgroup's slice of it."""
    from nerve.groups.neurongroup import NeuronGroup

    if isinstance(source, NeuronGroup):
        return source, 0, source.N
    from nerve.synapses import Synapses

    if isinstance(source, Synapses):
        return source, 0, source.N
    root = getattr(source, "source", None)
    if isinstance(root, NeuronGroup):
        return root, int(source.start), int(source.stop)
    raise TypeError(f"{monitor} records from a NeuronGroup or a part of one "
                    f"(G[a:b]), got {source!r}")
