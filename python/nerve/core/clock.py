"""Clocks: the time step of the objects that use them, and their current time.

Time is kept as an integer number of steps of length ``dt`` (``t = step*dt``,
the same product Brian2 forms), so spike times and recorded times lie exactly
on the grid.
"""

from __future__ import annotations

import math

import numpy as np

from nerve.exceptions import InvalidArgumentError

__all__ = ["Clock", "defaultclock", "timestep"]

#: Relative tolerance under which a time that is not an exact multiple of
#: ``dt`` still counts as falling on the grid (as in Brian2).
_EPSILON_DT = 1e-4


def _seconds(value, what: str) -> float:
    """SI float seconds from a time quantity (plain numbers are rejected)."""
    from nerve.units import get_dimensions, second

    if get_dimensions(value) is not get_dimensions(second):
        from nerve.exceptions import DimensionMismatchError
        from nerve.units import format_dimension

        raise DimensionMismatchError(
            f"{what} must be a time (e.g. 0.1*ms), got {value!r} "
            f"with units {format_dimension(get_dimensions(value))}"
        )
    return float(np.asarray(value))


def timestep(t: float, dt: float) -> int:
    """The step on the grid of ``dt`` at which time ``t`` (seconds) falls:
    ``round(t/dt)`` when ``t`` is within a tiny tolerance of the grid,
    otherwise the next step up."""
    nearest = round(t / dt)
    if nearest * dt == t or abs(nearest * dt - t) / dt <= _EPSILON_DT:
        return int(nearest)
    return int(math.ceil(t / dt))


def _checked_dt(value) -> float:
    """``dt`` in seconds, refused unless it is a positive, finite time."""
    dt = _seconds(value, "dt")
    if not (math.isfinite(dt) and dt > 0):
        raise InvalidArgumentError(f"dt must be a positive, finite time, got {value!r}")
    return dt


class Clock:
    """A time step ``dt`` and the current time of the objects that use it.

    ``dt`` can be changed between runs; the next run checks that the
    current time is a multiple of the new ``dt`` (as Brian2 does)."""

    def __init__(self, dt=None, name: str = "clock"):
        self.name = name
        self._dt = 1e-4 if dt is None else _checked_dt(dt)
        self._old_dt: float | None = None
        self._step = 0

    @property
    def dt_(self) -> float:
        """The time step in seconds, as a float."""
        return self._dt

    @property
    def dt(self):
        """The time step, as a quantity."""
        from nerve.units import second

        return self._dt * second

    @dt.setter
    def dt(self, value) -> None:
        new = _checked_dt(value)
        if self._old_dt is None:
            self._old_dt = self._dt
        t = self._step * self._dt
        self._dt = new
        self._step = timestep(t, new)

    def _set_interval(self, start: float, end: float) -> tuple[int, int]:
        """Place the clock at time ``start`` for a run until ``end`` (seconds):
        returns (first step, end step). A ``dt`` changed since the last run
        must divide ``start``."""
        if self._old_dt is not None and self._old_dt != self._dt:
            steps = start / self._dt
            if abs(steps - round(steps)) > _EPSILON_DT:
                old, new = self._old_dt, self._dt
                self._dt = old
                self._old_dt = None
                self._step = timestep(start, old)
                raise InvalidArgumentError(
                    f"cannot change dt of {self.name!r} from {old:g} s to {new:g} s: the "
                    f"current time {start:g} s is not a multiple of the new dt (dt is left "
                    f"at {old:g} s)")
        self._old_dt = None
        self._step = timestep(start, self._dt)
        return self._step, timestep(end, self._dt)

    @property
    def timestep(self) -> int:
        """The current step number."""
        return self._step

    @property
    def t_(self) -> float:
        """The current time in seconds, as a float."""
        return self._step * self._dt

    @property
    def t(self):
        """The current time, as a quantity."""
        from nerve.units import second

        return self.t_ * second

    def _set_t(self, t: float) -> None:
        self._step = timestep(t, self._dt)

    def __repr__(self) -> str:
        return f"Clock(dt={self.dt!r}, name={self.name!r})"


#: The clock of every object that is not given ``dt`` or ``clock``.
defaultclock = Clock(name="defaultclock")
