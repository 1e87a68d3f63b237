"""StateMonitor: the values of a group's variables over time, for chosen neurons."""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.exceptions import InvalidIndexError
from nerve.core.schedule import Operation
from nerve.monitors._chunks import Chunks, RecordedTimes, recorded_group

__all__ = ["StateMonitor"]


def _indices(record, N: int) -> np.ndarray:
    if record is True:
        return np.arange(N, dtype=np.int64)
    if record is False or record is None:
        return np.zeros(0, dtype=np.int64)
    indices = np.atleast_1d(np.asarray(record))
    if indices.dtype == bool or not np.issubdtype(indices.dtype, np.integer) or indices.ndim != 1:
        raise InvalidIndexError(
            f"record must be True, False, an index or a list of indices, got {record!r}")
    bad = indices[(indices < 0) | (indices >= N)]
    if len(bad):
        raise InvalidIndexError(
            f"cannot record neuron {int(bad[0])}: the group has {N} neurons (0 to {N - 1})")
    return indices.astype(np.int64)


class StateMonitor(RecordedTimes, NerveObject):
    """Record ``variables`` of ``source`` at the start of every time step, for
    the neurons in ``record`` (``True``: all; an index or a list of indices).

    ``M.t`` are the recording times; ``M.v`` has shape (recorded neurons,
    time steps), in the variable's units; ``M.v[k]`` is the trace of the k-th
    recorded neuron and ``M[i].v`` the trace of neuron ``i``.

    ``record_to='file.h5'`` (or an open ``h5py`` File or Group) streams the
    recording to that file as the run goes, with bounded memory; ``M.v`` is
    then a :class:`~nerve.monitors.stream.LazyArray` that reads the file
    when indexed (see :mod:`nerve.monitors.stream`; needs h5py).
    """

    invalidates_magic_network = False

    def __init__(self, source, variables, record, dt=None, clock=None, when="start", order=0,
                 name=None, record_to=None):
        group, start, stop = recorded_group(source, "StateMonitor")
        if dt is None and clock is None:
            clock = group.clock
        super().__init__(name=name, dt=dt, clock=clock, when=when, order=order)
        if variables is True:
            # every variable of the model, subexpressions included (as Brian2)
            variables = [v for v in group.equations.names
                         if v in group._slots or (v in group._subexpressions
                                                  and hasattr(group, "_subexpression_slot"))]
        elif isinstance(variables, str):
            variables = [variables]
        variables = list(variables)
        for var in variables:
            recordable = hasattr(group, "_subexpression_slot")
            # (Synapses also compute neuron variables per synapse: 'g', 'v_pre')
            computed = getattr(group, "_computed_for_recording", None)
            if var not in group._slots and not (recordable and var in group._subexpressions) \
                    and not (computed is not None and computed(var)):
                from nerve.exceptions import UnknownNameError

                known = ", ".join([*group._slots, *sorted(group._subexpressions)])
                raise UnknownNameError(
                    f"StateMonitor: {source.name!r} has no variable {var!r} to record "
                    f"(its variables: {known})", var)
        object.__setattr__(self, "record_variables", variables)
        self.source = source
        self._group = group
        self.record = _indices(record, stop - start)
        self._absolute = self.record + start
        self._stream = None
        if record_to is None:
            self._times = Chunks(np.zeros(0))
            self._values = {v: Chunks(np.zeros((0, len(self.record)))) for v in variables}
        else:
            self._open_stream(record_to)

    def _open_stream(self, record_to) -> None:
        from nerve.monitors.stream import StreamTarget

        stream = StreamTarget(record_to, self.name)
        g = stream.group
        g.attrs["kind"] = "StateMonitor"
        g.attrs["source"] = self.source.name
        g.attrs["variables"] = list(self.record_variables)
        g.create_dataset("record", data=self.record)
        for var in self.record_variables:
            g.attrs[f"unit:{var}"] = np.array([float(x) for x in
                                               self._group._variable_dim(var)._exponents])
            g.attrs[f"dtype:{var}"] = self._group._variable_dtype(var)
        self._times = stream.column("t", None, np.float64)
        self._values = {v: stream.column(v, len(self.record), np.float64)
                        for v in self.record_variables}
        self._stream = stream

    # -- the run protocol -------------------------------------------------

    def _dependencies(self):
        return (self._group,)

    def _observes(self):
        return {self._group: set(self.record_variables)}

    def _contribute(self, run) -> None:
        source = self._group
        group = source._engine_group(run)
        operation = Operation(self.name, "record_state", self.clock, self.when, self.order,
                              0, owner=self, type_name="StateMonitor")
        links = getattr(source, "_link_prelude", None)  # (groups with linked variables)
        operation.prelude = links(run, operation, set(self.record_variables)) if links else []
        slots = []
        for var in self.record_variables:
            if var in source._slots:
                slots.append(source._slots[var])
            else:
                slot, compute = source._subexpression_slot(run, var, operation)
                slots.append(slot)
                operation.prelude.extend(compute)
        streamed = self._stream is not None
        operation.target = run.state_recorder(group, slots, self._absolute, self._append,
                                              owner=self, streamed=streamed)
        run.memory_need(self, self.clock, 8 + 8 * len(self._absolute) * len(slots), streamed)
        if streamed:
            run.after_run(self._stream.flush)
        run.add(operation)

    def _append(self, times, arrays) -> None:
        self._times.append(times)
        for var, values in zip(self.record_variables, arrays):
            self._values[var].append(values)

    def _snapshot(self):
        return len(self._times)

    def _restore(self, length) -> None:
        self._times.truncate(length)
        for chunks in self._values.values():
            chunks.truncate(length)

    def _stored_data(self):
        """What ``store(filename=...)`` writes (streamed: nothing, the file has it)."""
        if self._stream is not None:
            return None
        return {"t": self._times.array,
                **{var: chunks.array for var, chunks in self._values.items()}}

    def _load_stored_data(self, data) -> None:
        if data is None or self._stream is not None:
            return
        self._times = Chunks(np.zeros(0))
        self._times.append(data["t"])
        for var in self.record_variables:
            self._values[var] = Chunks(np.zeros((0, len(self.record))))
            self._values[var].append(data[var])

    def _values_of(self, var: str, raw: bool, row=None):
        """``M.v`` (``raw``: ``M.v_``), or with ``row`` the rows of ``M[i].v``.

        As in Brian2, ``M.v`` and ``M[i].v``/``M[i].v_`` are the user's own
        copies (writable; one copy per access, of only the rows asked for);
        ``M.v_`` is a read-only view (Brian2 hands out a writable view of its
        storage there, so a write would change its recording; here it raises
        instead, and reading stays free of copies)."""
        if self._stream is not None:
            from nerve.monitors.stream import LazyArray

            dim = None if raw else self._group._variable_dim(var)
            lazy = LazyArray(self._values[var].dataset, dim, self._group._variable_dtype(var),
                             transposed=True)
            return lazy if row is None else lazy[row]  # (read from the file: a new array)
        stored = self._values[var].array  # (times, neurons)
        dtype = self._group._variable_dtype(var)
        if row is None and raw and dtype not in ("boolean", "integer"):
            values = stored.T.view()
            values.flags.writeable = False  # a user's write cannot corrupt the recording
            return values
        values = stored.T if row is None else stored[:, row].T
        if dtype == "boolean":
            return values.astype(bool)  # (astype copies)
        if dtype == "integer":
            return values.astype(np.int64)
        if row is None or isinstance(row, (int, np.integer)):
            # one copy, keeping the memory order (a transposed block: a plain memcpy)
            values = np.array(values, order="K", copy=True)
        # (else: indexing with a list of rows has already copied)
        dim = self._group._variable_dim(var)
        if raw or dim.is_dimensionless:
            return values
        from nerve.units import Quantity

        return Quantity(values, dim=dim)

    def __dir__(self):
        """Attributes and methods, with the recorded variables (``v``, and ``v_``)."""
        names = list(self.__dict__.get("_values", {}))
        return sorted({*super().__dir__(), *names, *(n + "_" for n in names)})

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return self._values_of(name, raw=False)
        if name.endswith("_") and name[:-1] in values:
            return self._values_of(name[:-1], raw=True)
        raise AttributeError(f"StateMonitor {self.__dict__.get('name')!r} has no attribute {name!r}")

    def __len__(self) -> int:
        """The number of recordings (time points), as Brian2's."""
        return len(self._times)

    def _row(self, neuron) -> int:
        rows = np.flatnonzero(self.record == neuron)
        if len(rows) == 0:
            raise InvalidIndexError(
                f"neuron {neuron} is not recorded by {self.name!r} "
                f"(recorded: {self.record.tolist()})")
        return int(rows[0])

    def __getitem__(self, neuron):
        """The recording of one neuron, by its index in the group
        (``M[3].v``: one trace), or of several (``M[[1, 3]].v``: one row
        each)."""
        if isinstance(neuron, (int, np.integer)) and not isinstance(neuron, bool):
            return _Recording(self, self._row(neuron))
        if isinstance(neuron, (list, tuple, np.ndarray)):
            indices = np.asarray(neuron)
            if indices.ndim == 1 and (len(indices) == 0
                                      or np.issubdtype(indices.dtype, np.integer)):
                return _Recording(self, np.array([self._row(k) for k in indices],
                                                 dtype=np.int64))
        from nerve.exceptions import IndexTypeError

        raise IndexTypeError(f"index a StateMonitor with a neuron index or a list of them "
                             f"(M[3].v, M[[1, 3]].v), got {neuron!r}")

    def __repr__(self) -> str:
        return (f"<StateMonitor {self.name!r} of {self.source.name!r}: "
                f"{', '.join(self.record_variables)} for {len(self.record)} neurons>")


class _Recording:
    """The traces of one recorded neuron (``M[i]``; ``row`` an int) or of
    several (``M[[i, j]]``; ``row`` an array)."""

    def __init__(self, monitor: StateMonitor, row: int):
        self._monitor, self._row = monitor, row

    @property
    def t(self):
        return self._monitor.t

    def __getattr__(self, name):
        monitor = self._monitor
        values = monitor.__dict__.get("_values", {})
        if name in values:
            return monitor._values_of(name, raw=False, row=self._row)
        if name.endswith("_") and name[:-1] in values:
            return monitor._values_of(name[:-1], raw=True, row=self._row)
        return getattr(monitor, name)[self._row]

    def __repr__(self) -> str:
        return f"<recording of {self._monitor.name!r}, rows {self._row}>"
