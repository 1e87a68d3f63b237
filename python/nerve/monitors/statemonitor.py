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
    """

    invalidates_magic_network = False

    def __init__(self, source, variables, record, dt=None, clock=None, when="start", order=0,
                 name=None):
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
        self._times = Chunks(np.zeros(0))
        self._values = {v: Chunks(np.zeros((0, len(self.record)))) for v in variables}

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
        operation.target = run.state_recorder(group, slots, self._absolute, self._append)
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

    def _values_of(self, var: str, raw: bool):
        values = self._values[var].array.T.view()
        values.flags.writeable = False  # a user's write cannot corrupt the recording
        dtype = self._group._variable_dtype(var)
        if dtype == "boolean":
            return values.astype(bool)
        if dtype == "integer":
            return values.astype(np.int64)
        dim = self._group._variable_dim(var)
        if raw or dim.is_dimensionless:
            return values
        from nerve.units import Quantity

        return Quantity(values, dim=dim)

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return self._values_of(name, raw=False)
        if name.endswith("_") and name[:-1] in values:
            return self._values_of(name[:-1], raw=True)
        raise AttributeError(f"StateMonitor {self.__dict__.get('name')!r} has no attribute {name!r}")

    def __getitem__(self, neuron):
        """The recording of one neuron, by its index in the group: ``M[3].v``."""
        if isinstance(neuron, (int, np.integer)):
            rows = np.flatnonzero(self.record == neuron)
            if len(rows) == 0:
                raise InvalidIndexError(
                    f"neuron {neuron} is not recorded by {self.name!r} "
                    f"(recorded: {self.record.tolist()})")
            return _Recording(self, int(rows[0]))
        raise TypeError(f"index a StateMonitor with one neuron index, got {neuron!r}")

    def __repr__(self) -> str:
        return (f"<StateMonitor {self.name!r} of {self.source.name!r}: "
                f"{', '.join(self.record_variables)} for {len(self.record)} neurons>")


class _Recording:
    """The traces of one recorded neuron (``M[i]``)."""

    def __init__(self, monitor: StateMonitor, row: int):
        self._monitor, self._row = monitor, row

    @property
    def t(self):
        return self._monitor.t

    def __getattr__(self, name):
        return getattr(self._monitor, name)[self._row]
