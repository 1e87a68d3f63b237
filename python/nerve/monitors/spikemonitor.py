"""SpikeMonitor: the spikes of a group, as (neuron index, time) pairs."""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.monitors._chunks import Chunks, RecordedTimes

__all__ = ["SpikeMonitor"]


class SpikeMonitor(RecordedTimes, NerveObject):
    """Record every spike of ``source``: ``t`` (spike times), ``i`` (neuron
    indices), ``count`` (spikes per neuron), ``num_spikes``,
    ``spike_trains()``."""

    def __init__(self, source, variables=None, record=True, when=None, order=None,
                 name=None):
        from nerve.groups.neurongroup import NeuronGroup

        if not isinstance(source, NeuronGroup):
            raise TypeError(f"SpikeMonitor needs a NeuronGroup to record from, got {source!r}")
        if source._threshold is None:
            from nerve.exceptions import ModelDefinitionError

            raise ModelDefinitionError(
                f"SpikeMonitor: {source.name!r} has no threshold, so it never spikes")
        if variables:
            raise NotImplementedError("recording variables at spike times is not supported yet")
        super().__init__(name=name, clock=source.clock)
        self.source = source
        self.record = bool(record)
        self._i = Chunks(np.zeros(0, dtype=np.int32))
        self._times = Chunks(np.zeros(0))

    def _append(self, indices: np.ndarray, times: np.ndarray) -> None:
        """The spikes of one run: neuron indices and times (``step*dt``, in
        seconds), arrays the engine handed over without a copy."""
        self._i.append(indices)
        self._times.append(times)

    @property
    def i(self) -> np.ndarray:
        """Index of the neuron of each spike."""
        return self._i.array

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron of the source."""
        return np.bincount(self.i, minlength=self.source.N)

    @property
    def num_spikes(self) -> int:
        """Total number of spikes recorded."""
        return len(self._i)

    def __len__(self) -> int:
        return self.num_spikes

    def spike_trains(self) -> dict:
        """Spike times of each neuron: ``{index: times}``."""
        from nerve.units import second

        order = np.argsort(self.i, kind="stable")
        i, t = self.i[order], self.t_[order]
        bounds = np.searchsorted(i, np.arange(self.source.N + 1))
        return {k: t[bounds[k]:bounds[k + 1]] * second for k in range(self.source.N)}

    def __repr__(self) -> str:
        return f"<SpikeMonitor {self.name!r} of {self.source.name!r}: {self.num_spikes} spikes>"
