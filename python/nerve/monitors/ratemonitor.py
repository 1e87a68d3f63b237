"""PopulationRateMonitor: the spikes of a group per time step, as a rate."""

from __future__ import annotations

import itertools

import numpy as np

from nerve.core.base import NerveObject, _names
from nerve.core.schedule import Operation
from nerve.exceptions import ArgumentTypeError, InvalidValueError, NotSupportedError
from nerve.monitors._chunks import Chunks, RecordedTimes, recorded_group

__all__ = ["PopulationRateMonitor"]


def _default_name() -> str:
    # Brian2 names these 'ratemonitor', 'ratemonitor_1', ...
    n = next(_names.setdefault("ratemonitor", itertools.count()))
    return "ratemonitor" if n == 0 else f"ratemonitor_{n}"


class PopulationRateMonitor(RecordedTimes, NerveObject):
    """The rate of ``source`` (a group or a part of one) at every time step of
    its clock: the number of neurons that spiked in the step, divided by
    ``dt`` and by the number of neurons. Recorded at the end of each step
    (slot ``'end'``), as Brian2 does. ``rate``/``rate_`` (hertz), ``t``/``t_``,
    and :meth:`smooth_rate`.

    The counting is done by the engine (one number per step), so the monitor
    costs the same whatever the size of the group.
    """

    invalidates_magic_network = False

    def __init__(self, source, name=None, codeobj_class=None, dtype=np.float64):
        group, start, stop = recorded_group(source, "PopulationRateMonitor")
        if not hasattr(group, "_event_index"):
            raise ArgumentTypeError(f"PopulationRateMonitor records the spikes of a "
                                    f"NeuronGroup (or a part of one), got {source!r}")
        if np.dtype(dtype) != np.float64:
            raise NotSupportedError(
                f"PopulationRateMonitor records rates as float64, dtype={dtype!r} is not "
                f"supported")
        super().__init__(name=_default_name() if name is None else name, clock=group.clock,
                         when="end", order=0)
        self.source = source
        self._group, self._range = group, (start, stop)
        self._times = Chunks(np.zeros(0))
        self._rates = Chunks(np.zeros(0))

    # -- the run protocol -------------------------------------------------

    def _dependencies(self):
        return (self._group,)

    def _contribute(self, run) -> None:
        group = self._group._engine_group(run)
        size = self._range[1] - self._range[0]
        dt = self.clock.dt_

        def append(times, counts):
            # (the number of spikes divided by dt, then by the number of
            # neurons: Brian2's order of operations, so equal to the last bit)
            self._times.append(times)
            self._rates.append(counts / dt / size)

        recorder = run.rate_recorder(group, 0, *self._range, append, owner=self)
        run.memory_need(self, self.clock, 8 + 8 + 4)  # time, rate, and the engine's count
        run.add(Operation(self.name, "record_rate", self.clock, self.when, self.order,
                          recorder, owner=self, type_name="PopulationRateMonitor"))

    def _snapshot(self):
        return len(self._times)

    def _restore(self, length) -> None:
        self._times.truncate(length)
        self._rates.truncate(length)

    def _stored_data(self):
        return {"t": self._times.array, "rate": self._rates.array}

    def _load_stored_data(self, data) -> None:
        self._times, self._rates = Chunks(np.zeros(0)), Chunks(np.zeros(0))
        self._times.append(data["t"])
        self._rates.append(data["rate"])

    # -- what was recorded --------------------------------------------------

    @property
    def rate_(self) -> np.ndarray:
        """The rate at each recorded step, in hertz (a plain, read-only array)."""
        view = self._rates.array.view()
        view.flags.writeable = False
        return view

    @property
    def rate(self):
        """The rate at each recorded step."""
        from nerve.units import hertz

        return self._rates.array * hertz

    def smooth_rate(self, window="gaussian", width=None):
        """The rate convolved with a window: ``'gaussian'`` (``width`` is the
        standard deviation; the window spans two of them on each side),
        ``'flat'`` (``width`` is the full width, rounded to an odd number of
        steps), or an array of an odd number of weights. The window is
        normalised to sum 1; the result has the length of the recording
        (numpy's ``convolve(..., mode='same')``)."""
        from nerve.units import hertz, second

        dt = self.clock.dt_
        if isinstance(window, str):
            if width is None:
                raise ArgumentTypeError(
                    f"smooth_rate(window={window!r}) needs a width, e.g. width=5*ms")
            from nerve.units import get_dimensions

            if get_dimensions(width) is not second.dim:
                from nerve.exceptions import DimensionMismatchError

                raise DimensionMismatchError(
                    f"the width of smooth_rate's window is a time, got {width!r}")
            steps = float(width) / dt  # the width in time steps
            if window == "gaussian":
                reach = int(np.round(2 * steps))
                k = np.arange(-reach, reach + 1)
                weights = np.exp(-(k ** 2) * 1.0 / (2 * steps ** 2))
            elif window == "flat":
                weights = np.ones(int(steps / 2) * 2 + 1)
            else:
                raise NotSupportedError(
                    f"unknown window {window!r} for smooth_rate: use 'gaussian', 'flat' or "
                    f"an array of weights")
        else:
            weights = np.asarray(window, dtype=float)
            if weights.ndim != 1 or len(weights) % 2 != 1:
                raise ArgumentTypeError(
                    f"smooth_rate's window must be a 1-D array with an odd number of values, "
                    f"got one of shape {weights.shape}")
            if not np.isfinite(weights).all() or weights.sum() == 0:
                raise InvalidValueError("smooth_rate's window must be finite with a "
                                        "non-zero sum")
        total = np.cumsum(weights)[-1]  # (summed in order)
        return np.convolve(self.rate_, weights * 1.0 / total, mode="same") * hertz

    def __repr__(self) -> str:
        return f"<PopulationRateMonitor, recording {self.source.name}>"
