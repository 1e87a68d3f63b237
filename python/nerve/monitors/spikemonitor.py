"""SpikeMonitor: the spikes of a group, as (neuron index, time) pairs."""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.core.schedule import Operation
from nerve.monitors._chunks import Chunks, RecordedTimes, recorded_group

__all__ = ["SpikeMonitor"]


class SpikeMonitor(RecordedTimes, NerveObject):
    """Record every spike of ``source``: ``t`` (spike times), ``i`` (neuron
    indices), ``count`` (spikes per neuron), ``num_spikes``,
    ``spike_trains()``."""

    invalidates_magic_network = False

    def __init__(self, source, variables=None, record=True, when="thresholds", order=1,
                 name=None):
        group, start, stop = recorded_group(source, "SpikeMonitor")
        if group._threshold is None:
            from nerve.exceptions import ModelDefinitionError

            raise ModelDefinitionError(
                f"SpikeMonitor: {source.name!r} has no threshold, so it never spikes")
        if variables:
            raise NotImplementedError("recording variables at spike times is not supported yet")
        super().__init__(name=name, clock=group.clock, when=when, order=order)
        self.source = source
        self._group, self._range = group, (start, stop)
        self.record = bool(record)
        self._i = Chunks(np.zeros(0, dtype=np.int32))
        self._times = Chunks(np.zeros(0))

    # -- the run protocol -------------------------------------------------

    def _dependencies(self):
        return (self._group,)

    def _contribute(self, run) -> None:
        group = self._group._engine_group(run)
        recorder = run.event_recorder(group, 0, *self._range, self._append)
        run.add(Operation(self.name, "record_events", self.clock, self.when, self.order,
                          recorder, owner=self, type_name="SpikeMonitor"))

    def _append(self, indices: np.ndarray, times: np.ndarray) -> None:
        """Spikes from the engine: neuron indices (relative to the source)
        and times (``step*dt``, in seconds), arrays handed over without a
        copy."""
        self._i.append(indices)
        self._times.append(times)

    def _snapshot(self):
        return len(self._i)

    def _restore(self, length) -> None:
        self._i.truncate(length)
        self._times.truncate(length)

    @property
    def i(self) -> np.ndarray:
        """Index of the neuron of each spike."""
        return self._i.array

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron of the source."""
        return np.bincount(self.i, minlength=self._range[1] - self._range[0])

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
        bounds = np.searchsorted(i, np.arange(self._range[1] - self._range[0] + 1))
        return {k: t[bounds[k]:bounds[k + 1]] * second for k in range(self._range[1] - self._range[0])}

    def __repr__(self) -> str:
        return f"<SpikeMonitor {self.name!r} of {self.source.name!r}: {self.num_spikes} spikes>"
