"""EventMonitor and SpikeMonitor: the events of a group as (neuron index,
time) pairs, with the values of chosen variables at each event."""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.core.schedule import Operation
from nerve.exceptions import ModelDefinitionError, NerveError, UnknownNameError
from nerve.monitors._chunks import Chunks, RecordedTimes, recorded_group

__all__ = ["EventMonitor", "SpikeMonitor", "NotRecordedError"]


class NotRecordedError(NerveError, AttributeError):
    """Indices and times of a monitor created with ``record=False``."""


def _read_only(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` that cannot be written (the recording stays intact)."""
    view = array.view()
    view.flags.writeable = False
    return view


class EventMonitor(RecordedTimes, NerveObject):
    """Record every ``event`` of ``source`` (``'spike'`` or a custom event):
    ``t`` (times), ``i`` (neuron indices), ``count`` (events per neuron),
    ``num_events``, ``event_trains()``, and the values of ``variables`` at
    each event (``M.v``, ``M.values('v')``, ``M.all_values()``).
    ``record=False`` keeps only the counts. ``record_to='file.h5'`` (or an
    open h5py File or Group) streams the events to that file as the run goes
    (see :mod:`nerve.monitors.stream`)."""

    invalidates_magic_network = False

    def __init__(self, source, event, variables=None, record=True, when=None, order=None,
                 name=None, record_to=None):
        group, start, stop = recorded_group(source, type(self).__name__)
        if not hasattr(group, "_event_index"):
            raise TypeError(f"{type(self).__name__} records the events of a NeuronGroup (or "
                            f"a part of one), got {source!r}")
        index = group._event_index(event)  # refuses unknown events
        if when is None:
            when = "thresholds" if index == 0 else group.__dict__.get(
                "_event_schedule", {}).get(event, ("after_thresholds", group.order))[0]
        if order is None:
            order = group.order + 1
        super().__init__(name=name, clock=group.clock, when=when, order=order)
        if variables is None:
            variables = []
        elif isinstance(variables, str):
            variables = [variables]
        variables = list(variables)
        for var in variables:
            if var not in group._slots:
                raise UnknownNameError(
                    f"{type(self).__name__}: {source.name!r} has no state variable {var!r} to "
                    f"record at its events (its variables: {', '.join(group._slots)})", var)
        self.source, self.event = source, event
        self.record = bool(record)
        self.record_variables = variables
        self._group, self._event, self._range = group, index, (start, stop)
        self._count = np.zeros(stop - start, dtype=np.int64)
        self._stream = None
        if record_to is not None and not self.record:
            from nerve.exceptions import InvalidArgumentError

            raise InvalidArgumentError(
                f"{type(self).__name__}: record_to streams the recorded events to a file, "
                f"but record=False records none (only counts): drop one of the two")
        if record_to is not None:
            self._open_stream(record_to)
        else:
            self._i = Chunks(np.zeros(0, dtype=np.int32))
            self._times = Chunks(np.zeros(0))
            self._values = {v: Chunks(np.zeros(0)) for v in variables}

    def _open_stream(self, record_to) -> None:
        from nerve.monitors.stream import StreamTarget

        stream = StreamTarget(record_to, self.name)
        g = stream.group
        g.attrs["kind"] = type(self).__name__
        g.attrs["source"] = self.source.name
        g.attrs["event"] = self.event
        g.attrs["N"] = len(self._count)
        g.attrs["variables"] = list(self.record_variables)
        for var in self.record_variables:
            g.attrs[f"unit:{var}"] = np.array([float(x) for x in
                                               self._group._variable_dim(var)._exponents])
            g.attrs[f"dtype:{var}"] = self._group._variable_dtype(var)
        self._i = stream.column("i", None, np.int32)
        self._times = stream.column("t", None, np.float64)
        self._values = {v: stream.column(v, None, np.float64) for v in self.record_variables}
        self._stream = stream

    # -- the run protocol -------------------------------------------------

    def _dependencies(self):
        return (self._group,)

    def _observes(self):
        return {self._group: set(self.record_variables)} if self.record_variables else {}

    def _contribute(self, run) -> None:
        group = self._group._engine_group(run)
        columns = [self._group._slots[v] for v in self.record_variables]
        streamed = self._stream is not None
        if self.record:
            recorder = run.event_recorder(group, self._event, *self._range, self._append,
                                          columns=columns, owner=self, streamed=streamed)
        else:  # the engine counts per neuron
            recorder = run.event_recorder(group, self._event, *self._range, self._add_counts,
                                          owner=self, count_only=True)
        if streamed:
            run.after_run(self._stream.flush)
        operation = Operation(self.name, "record_events", self.clock, self.when, self.order,
                              recorder, owner=self, type_name=type(self).__name__)
        operation.prelude = self._group._link_prelude(run, operation,
                                                      set(self.record_variables))
        run.add(operation)

    def _add_counts(self, counts: np.ndarray) -> None:
        """Events per neuron counted by the engine (``record=False``)."""
        self._count += counts

    def _append(self, indices: np.ndarray, times: np.ndarray, values) -> None:
        """Events from the engine: neuron indices (relative to the source),
        times (``step*dt``, in seconds) and recorded values, arrays handed
        over without a copy (with records, counts are computed when asked)."""
        self._i.append(indices)
        self._times.append(times)
        for var, column in zip(self.record_variables, values):
            self._values[var].append(column)

    def _snapshot(self):
        return len(self._i), self._count.copy()

    def _restore(self, snapshot) -> None:
        length, count = snapshot
        self._i.truncate(length)
        self._times.truncate(length)
        for chunks in self._values.values():
            chunks.truncate(length)
        self._count[:] = count

    def _stored_data(self):
        """What ``store(filename=...)`` writes (streamed: nothing, the file has it)."""
        if self._stream is not None or not self.record:
            return None
        return {"i": self._i.array, "t": self._times.array,
                **{var: chunks.array for var, chunks in self._values.items()}}

    def _load_stored_data(self, data) -> None:
        if data is None or self._stream is not None:
            return
        self._i = Chunks(np.zeros(0, dtype=np.int32))
        self._i.append(data["i"].astype(np.int32))
        self._times = Chunks(np.zeros(0))
        self._times.append(data["t"])
        for var in self.record_variables:
            self._values[var] = Chunks(np.zeros(0))
            self._values[var].append(data[var])

    # -- what was recorded --------------------------------------------------

    def _recorded(self, what: str) -> None:
        if not self.record:
            raise NotRecordedError(
                f"{type(self).__name__} {self.name!r} was created with record=False: it keeps "
                f"only the number of events of each neuron (count, num_events), not their "
                f"{what}. Create it with record=True to record them.")

    @property
    def t_(self) -> np.ndarray:
        """Time of each event in seconds (a plain, read-only array)."""
        self._recorded("times")
        return _read_only(self._times.array)

    @property
    def t(self):
        """The time of each event."""
        from nerve.units import second

        self._recorded("times")
        return self._times.array * second

    @property
    def i(self) -> np.ndarray:
        """Index of the neuron of each event."""
        self._recorded("indices")
        return _read_only(self._i.array)

    @property
    def it(self) -> tuple:
        """``(i, t)``."""
        return self.i, self.t

    @property
    def it_(self) -> tuple:
        """``(i, t_)``: indices and times in seconds, without units."""
        return self.i, self.t_

    @property
    def count(self) -> np.ndarray:
        """Number of events of each neuron of the source (a copy)."""
        if not self.record:
            return self._count.copy()
        if self._stream is not None:
            from nerve.monitors.stream import chunked_count

            return chunked_count(self._i.dataset, len(self._count))
        return np.bincount(self._i.array, minlength=len(self._count))

    @property
    def num_events(self) -> int:
        """Total number of events recorded."""
        return len(self._i) if self.record else int(self._count.sum())

    def __len__(self) -> int:
        return self.num_events

    def _with_units(self, var: str, values: np.ndarray):
        dtype = self._group._variable_dtype(var)
        if dtype == "boolean":
            return values.astype(bool)
        if dtype == "integer":
            return values.astype(np.int32)
        dim = self._group._variable_dim(var)
        if dim.is_dimensionless:
            return _read_only(values)
        from nerve.units import Quantity

        return Quantity(values, dim=dim, copy=True)

    def __dir__(self):
        """Attributes and methods, with the recorded variables (``v``, and ``v_``)."""
        names = list(self.__dict__.get("_values", {}))
        return sorted({*super().__dir__(), *names, *(n + "_" for n in names)})

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return self._with_units(name, values[name].array)
        if name.endswith("_") and name[:-1] in values:
            return _read_only(values[name[:-1]].array)
        if name in ("i", "t", "t_", "it", "it_") and not self.__dict__.get("record", True):
            self._recorded("indices and times")  # (a property's error ends up here)
        raise AttributeError(f"{type(self).__name__} {self.__dict__.get('name')!r} has no "
                             f"attribute {name!r}")

    def _trains(self, values: np.ndarray, unit) -> dict:
        size = self._range[1] - self._range[0]
        order = np.argsort(self.i, kind="stable")
        i, v = self.i[order], values[order]
        bounds = np.searchsorted(i, np.arange(size + 1))
        return {k: v[bounds[k]:bounds[k + 1]] * unit for k in range(size)}

    def event_trains(self) -> dict:
        """Event times of each neuron: ``{index: times}``."""
        from nerve.units import second

        return self._trains(self.t_, second)

    def values(self, var: str) -> dict:
        """The values of ``var`` at the events of each neuron: ``{index: values}``."""
        if var not in self._values:
            raise UnknownNameError(f"{self.name!r} does not record {var!r} "
                                   f"(it records: {', '.join(self.record_variables)})", var)
        from nerve.units import Quantity

        dim = self._group._variable_dim(var)
        unit = 1 if dim.is_dimensionless else Quantity(1.0, dim=dim)
        return self._trains(self._values[var].array, unit)

    def all_values(self) -> dict:
        """``{'t': event_trains(), var: values(var), ...}``."""
        out = {"t": self.event_trains()}
        out.update({var: self.values(var) for var in self.record_variables})
        return out

    def __repr__(self) -> str:
        return (f"<{type(self).__name__} {self.name!r} of {self.source.name!r}: "
                f"{self.num_events} events>")


class SpikeMonitor(EventMonitor):
    """Record every spike of ``source``: ``t``, ``i``, ``count``,
    ``num_spikes``, ``spike_trains()``, and the values of ``variables`` at
    each spike."""

    def __init__(self, source, variables=None, record=True, when=None, order=None,
                 name=None, record_to=None):
        group = recorded_group(source, "SpikeMonitor")[0]
        if getattr(group, "_threshold", None) is None and hasattr(group, "_event_index"):
            raise ModelDefinitionError(
                f"SpikeMonitor: {source.name!r} has no threshold, so it never spikes")
        super().__init__(source, "spike", variables=variables, record=record, when=when,
                         order=order, name=name, record_to=record_to)

    @property
    def num_spikes(self) -> int:
        """Total number of spikes recorded."""
        return self.num_events

    def spike_trains(self) -> dict:
        """Spike times of each neuron: ``{index: times}``."""
        return self.event_trains()

    def __repr__(self) -> str:
        return (f"<SpikeMonitor {self.name!r} of {self.source.name!r}: "
                f"{self.num_spikes} spikes>")
