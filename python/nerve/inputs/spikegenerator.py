"""SpikeGeneratorGroup: neurons that spike at given times.

The spikes are kept as Brian2 keeps them (``neuron_index`` and
``spike_time``, sorted by time, then index). For a run they become a
``_core.SpikeTable``: pairs (step, neuron) sorted by step then neuron, each
time put in the step ``int((t + 1e-3*dt)/dt)`` as Brian2 bins it (a time off
the grid of ``dt`` goes to the step it falls in), and a cursor that lives
between runs. The engine emits a step's spikes in the ``thresholds`` slot
(operation ``generate``): they replace the group's spike buffer, so
monitors, ``Synapses`` and subgroups use them as any group's spikes, and no
Python runs during the run.

Brian2's checks are kept, as nerve errors that name the argument: lengths
of ``indices`` and ``times``, negative times, indices outside ``[0, N)``, a
negative period or one not beyond the last spike; and, when a run starts,
two spikes of one neuron in one step, a period shorter than ``dt`` or not a
multiple of it. Unlike Brian2, ``sorted=True`` is checked (an unsorted
array would otherwise emit spikes late, silently).
"""

from __future__ import annotations

import logging

import numpy as np

from nerve.core.schedule import Operation
from nerve.exceptions import ArgumentTypeError, InvalidArgumentError, NotSupportedError
from nerve.groups.neurongroup import NeuronGroup, _Programs

__all__ = ["SpikeGeneratorGroup"]

logger = logging.getLogger("nerve.inputs.spikegenerator")

#: Brian2's shift of spike times before binning them into steps (a time on
#: the grid must not fall into the step before through round-off)
_SHIFT = 1e-3


def _bins(times: np.ndarray, dt: float) -> np.ndarray:
    """The step each time falls in (Brian2's binning)."""
    return ((times + _SHIFT * dt) / dt).astype(np.int64)


class SpikeGeneratorGroup(NeuronGroup):
    """``N`` neurons; neuron ``indices[k]`` spikes at ``times[k]``, and the
    whole pattern repeats every ``period`` when it is not 0.

    ``sorted=True`` says the spikes are already sorted by time, then index
    (skips the sort; checked). ``set_spikes(...)`` replaces them between
    runs.
    """

    def __init__(self, N, indices, times, dt=None, clock=None, period=None,
                 when="thresholds", order=0, sorted=False, name=None, codeobj_class=None):
        if isinstance(N, bool) or not isinstance(N, (int, np.integer, float)) or N < 1 \
                or int(N) != N:
            raise ArgumentTypeError(
                f"SpikeGeneratorGroup: N must be an integer >= 1, got {N!r}")
        super().__init__(int(N), "", dt=dt, clock=clock, order=order, name=name)
        self.when = when
        # (a marker: the group has spikes, so monitors and Synapses accept it;
        # it is never lowered, see `_compile_now`)
        from nerve.equations import parse_expression

        self._threshold = parse_expression("False")
        self._table = None
        self._table_key = None
        self._changed = True
        self._set(indices, times, period, sorted)

    # -- the spikes ------------------------------------------------------------

    def set_spikes(self, indices, times, period=None, sorted=False) -> None:
        """Replace the spikes (and the period: 0, no repetition, unless
        given) for the next runs. Spikes before the time the next run starts
        are dropped, with a warning."""
        self._set(indices, times, period, sorted)

    def _set(self, indices, times, period, sorted_) -> None:
        from nerve.units import Quantity, fail_for_dimension_mismatch, second

        where = "SpikeGeneratorGroup"
        fail_for_dimension_mismatch(
            times, second, f"{where}: the spike times 'times' must be times (e.g. [1, 2]*ms)")
        if period is None:
            period = 0 * second
        fail_for_dimension_mismatch(
            period, second, f"{where}: the 'period' must be a time (e.g. 10*ms)")
        times_ = np.asarray(times, dtype=float).reshape(-1)
        raw = np.asarray(indices).reshape(-1)
        if len(raw) != len(times_):
            raise InvalidArgumentError(
                f"{where}: 'indices' and 'times' must have the same length, got "
                f"{len(raw)} indices and {len(times_)} times")
        if len(raw) and not np.issubdtype(raw.dtype, np.integer):
            if not (np.issubdtype(raw.dtype, np.floating)
                    and np.all(np.isfinite(raw)) and np.all(raw == np.round(raw))):
                raise InvalidArgumentError(
                    f"{where}: 'indices' must be whole numbers, got {raw[:5]!r}...")
        period_ = float(np.asarray(period, dtype=float))
        if not np.isfinite(period_) or period_ < 0:
            raise InvalidArgumentError(
                f"{where}: the 'period' cannot be negative, got {Quantity(period_, second.dim)}")
        if not np.all(np.isfinite(times_)):
            raise InvalidArgumentError(f"{where}: the spike 'times' must be finite")
        if len(times_) and times_.min() < 0:
            raise InvalidArgumentError(
                f"{where}: spike 'times' cannot be negative, got "
                f"{Quantity(times_.min(), second.dim)}")
        if len(raw) and (raw.min() < 0 or raw.max() >= self.N):
            bad = raw.min() if raw.min() < 0 else raw.max()
            raise InvalidArgumentError(
                f"{where}: 'indices' must lie in [0, {self.N}) (the group has {self.N} "
                f"neurons), got {int(bad)}")
        index = raw.astype(np.int32)
        dt = self.clock.dt_
        if len(times_) and period_ != 0:
            if int(_bins(times_.max(), dt)) >= np.round(period_ / dt):
                raise InvalidArgumentError(
                    f"{where}: the 'period' ({Quantity(period_, second.dim)}) must be longer "
                    f"than the last spike time ({Quantity(times_.max(), second.dim)})")
        if sorted_:
            order_ok = np.all((np.diff(times_) > 0)
                              | ((np.diff(times_) == 0) & (np.diff(index) > 0)))
            if not order_ok:
                k = int(np.argmin((np.diff(times_) > 0)
                                  | ((np.diff(times_) == 0) & (np.diff(index) > 0))))
                raise InvalidArgumentError(
                    f"{where}: sorted=True, but the spikes are not sorted by 'times' then "
                    f"'indices': spike {k + 1} (neuron {index[k + 1]} at "
                    f"{Quantity(times_[k + 1], second.dim)}) comes after spike {k} (neuron "
                    f"{index[k]} at {Quantity(times_[k], second.dim)}); pass sorted=False")
        else:
            perm = np.lexsort((index, times_))
            index, times_ = index[perm], times_[perm]
        index.flags.writeable = False
        times_.flags.writeable = False
        self._index, self._times, self._period = index, times_, period_
        self._changed = True
        self._table_key = None

    @property
    def neuron_index(self) -> np.ndarray:
        """The spiking neurons, sorted by spike time, then index (read-only)."""
        return self._index

    @property
    def spike_time(self):
        """The spike times, sorted (read-only)."""
        from nerve.units import Quantity, second

        return Quantity(self._times, second.dim)

    @property
    def spike_number(self) -> np.ndarray:
        """The number of each spike in the table (0, 1, 2...), as Brian2's."""
        return np.arange(len(self._index), dtype=np.int32)

    @property
    def period(self):
        """The period after which the spikes repeat (0: they do not)."""
        from nerve.units import Quantity, second

        return Quantity(self._period, second.dim)

    # -- the run ---------------------------------------------------------------

    def _spike_table(self, start: float):
        """The engine's table for the current dt (rebuilt when dt or the
        spikes changed; the cursor is kept unless the spikes changed)."""
        from nerve import _core
        from nerve.units import Quantity, second

        dt = self.clock.dt_
        if self._period != 0:
            if self._period < dt:
                raise InvalidArgumentError(
                    f"the period of {self.name!r} is {Quantity(self._period, second.dim)}, "
                    f"shorter than its dt of {Quantity(dt, second.dim)}")
            steps = np.round(self._period / dt)
            if abs(steps * dt - self._period) > self._period * np.finfo(float).eps:
                raise NotSupportedError(
                    f"the period of {self.name!r} is {Quantity(self._period, second.dim)}, "
                    f"which is not a whole number of its dt ({Quantity(dt, second.dim)})")
            period_steps = int(steps)
        else:
            period_steps = 0
        key = (dt, period_steps)
        if self._table is None or self._table_key != key:
            bins = _bins(self._times, dt)
            perm = np.lexsort((self._index, bins))
            bins, index = bins[perm], self._index[perm]
            same = (np.diff(bins) == 0) & (np.diff(index) == 0)
            if np.any(same):
                k = int(np.argmax(same))
                raise InvalidArgumentError(
                    f"with a dt of {Quantity(dt, second.dim)}, neuron {index[k]} of "
                    f"SpikeGeneratorGroup {self.name!r} spikes more than once in the step at "
                    f"{Quantity(bins[k] * dt, second.dim)}: a neuron spikes at most once per "
                    f"step (use a smaller dt, or remove the repeated spikes from 'times')")
            cursor = self._table.cursor if self._table is not None else 0
            self._table = _core.SpikeTable(np.ascontiguousarray(bins, dtype=np.int64),
                                           np.ascontiguousarray(index, dtype=np.int32),
                                           period_steps)
            self._table.cursor = cursor
            self._table_key = key
        if self._changed:
            # spikes before the start of this run are not emitted (Brian2)
            now = int((start + _SHIFT * dt) / dt)
            past = int(np.count_nonzero(_bins(self._times, dt) < now))
            if past:
                logger.warning(
                    f"The SpikeGeneratorGroup {self.name!r} has spike times earlier than the "
                    f"start of this run (t = {Quantity(start, second.dim)}); they are ignored.")
            self._table.cursor = past
            self._changed = False
        return self._table

    def _compile_now(self, run_namespace, observed=frozenset()) -> _Programs:
        # (no model: no programs; the threshold marker is not code)
        marker, self._threshold = self._threshold, None
        try:
            return super()._compile_now(run_namespace, observed)
        finally:
            self._threshold = marker

    def _contribute(self, run) -> None:
        g = self._engine_group(run)
        table = self._spike_table(run.start)
        run.add(Operation(self.name, "generate", self.clock, self.when, self.order, g,
                          run.input(table), None, self, "SpikeGeneratorGroup"))

    def _snapshot(self):
        cursor = self._table.cursor if self._table is not None else 0
        return (super()._snapshot(), self._index, self._times, self._period, self._changed,
                self._table_key, cursor)

    def _restore(self, snapshot) -> None:
        base, index, times, period, changed, key, cursor = snapshot
        super()._restore(base)
        if index is not self._index or times is not self._times or period != self._period:
            self._index, self._times, self._period = index, times, period
            self._table_key = None
        self._changed = changed
        if self._table is not None:
            self._table.cursor = cursor

    def __repr__(self) -> str:
        return (f"SpikeGeneratorGroup({self.N}, indices=<length {len(self._index)} array>, "
                f"times=<length {len(self._times)} array>)")
