"""``TimedArray``: a function of time (and of a neuron index) given by a
table of values, looked up by the engine.

Indexing is Brian2's: with ``dt_g`` the time step of the group evaluating
the call, ``K = max(2**ceil(log2(8*dt/dt_g)), 1)`` and ``eps = dt/K``, the
value at time ``t`` is row ``trunc(round(t/eps)/K)`` (numpy's rounding,
ties to even), clipped to the first and last rows: times are rounded to a
grid eight or more times finer than the group's steps, then each value holds
for ``dt`` from its start (``ta(0.05*ms)`` with ``dt = 0.1*ms`` is the first
value), and the first and last values hold before and after the table.
In a program the row index is computed in the scalar block (once per step
when it depends only on ``t``); the values are one ``nerve._core.Table``
shared by every program that reads them, read by the ``lookup`` opcode.
A column index outside a 2-D table gives nan (Brian2's compiled targets;
its numpy target raises or wraps around).
"""

from __future__ import annotations

import math

import numpy as np

from nerve.functions.base import ModelFunction

__all__ = ["TimedArray"]


def _second():
    from nerve.units import get_dimensions, second

    return get_dimensions(second)


def _fine_steps(group_dt: float, dt: float) -> int:
    """``K``: how many rounding steps one value of the table spans."""
    return max(int(2 ** math.ceil(math.log2(8 / group_dt * dt))), 1)


class TimedArray(ModelFunction):
    """``TimedArray(values, dt, name=None)``: a function of time from an
    array of values, one every ``dt``.

    ``values`` is a 1-D array (call it as ``ta(t)``) or a 2-D array whose
    first axis is time (``ta(t, i)``, ``i`` a column); a quantity gives a
    function with its units. ``dt`` is a time.
    """

    stateless = True

    def __init__(self, values, dt, name=None):
        from nerve.exceptions import DimensionMismatchError, NotSupportedError
        from nerve.units import DIMENSIONLESS, get_dimensions, is_dimensionless  # noqa: F401
        from nerve.units.dimension import format_dimension

        try:
            dt_dim = get_dimensions(dt)
        except TypeError:
            dt_dim = None
        if dt_dim is not _second() or np.ndim(dt) != 0:
            shown = f"{dt!r}" if dt_dim is None else f"{dt} (units of {format_dimension(dt_dim)})"
            raise DimensionMismatchError(
                f"TimedArray: the argument 'dt' must be a single time (e.g. dt=0.1*ms), "
                f"got {shown}", *(() if dt_dim is None else (dt_dim,)))
        dt_value = float(np.asarray(dt))
        if not (dt_value > 0 and math.isfinite(dt_value)):
            from nerve.exceptions import InvalidArgumentError

            raise InvalidArgumentError(
                f"TimedArray: the argument 'dt' must be a positive, finite time, got {dt}")
        try:
            dim = get_dimensions(values)
        except TypeError:
            dim = None
        array = np.asarray(values, dtype=np.float64) if dim is not None else None
        if array is None:
            raise TypeError(
                f"TimedArray: the argument 'values' must be an array of numbers or a "
                f"quantity, got {type(values).__name__}")
        if array.ndim not in (1, 2):
            raise NotSupportedError(
                f"TimedArray: the argument 'values' must be a 1-D array (a function of t) "
                f"or a 2-D array with time along its first axis (a function of t and i); "
                f"got an array of shape {array.shape}. Only 1d and 2d arrays are supported "
                f"for TimedArray")
        if array.shape[0] == 0 or array.size == 0:
            from nerve.exceptions import InvalidValueError

            raise InvalidValueError(
                f"TimedArray: the argument 'values' is empty (shape {array.shape})")
        self.values = array
        self.values.setflags(write=False)
        self.dt = dt_value
        self.dim = dim
        self.arity = array.ndim
        self.name = name if name is not None else "_timedarray"
        self._table = None

    # -- the model language ----------------------------------------------------------

    def result(self, dims):
        from nerve.units import DIMENSIONLESS

        if dims[0] is not None and dims[0] is not _second():
            return 0, "be a time (units of second)"
        if self.arity == 2 and dims[1] is not None and dims[1] is not DIMENSIONLESS:
            return 1, "be a dimensionless index"
        return self.dim

    def locally_constant(self, dt: float) -> bool:
        if dt > self.dt:
            return False
        ratio = self.dt / dt
        return math.floor(ratio) == ratio

    def table(self):
        """The values as one engine table (made once)."""
        if self._table is None:
            from nerve import _core

            self._table = _core.Table(np.ascontiguousarray(self.values).ravel())
        return self._table

    def row(self, b, t: int, group_dt: float) -> int:
        """The node of the row index at time node ``t``."""
        from nerve.ir.opcodes import Op

        k = _fine_steps(group_dt, self.dt)
        eps = self.dt / k
        fine = b.apply(Op.ROUND, b.apply(Op.DIV, t, b.const(eps)))
        row = b.apply(Op.TRUNC, b.apply(Op.DIV, fine, b.const(float(k))))
        return b.apply(Op.CLIP, row, b.const(0.0), b.const(float(self.values.shape[0] - 1)))

    def build(self, b, args, dt):
        from nerve.ir.opcodes import Op

        row = self.row(b, args[0], dt)
        if self.arity == 1:
            return b.lookup(self.table(), row)
        n_cols = float(self.values.shape[1])
        col = b.apply(Op.TRUNC, args[1])
        inside = b.apply(Op.AND, b.apply(Op.GE, col, b.const(0.0)),
                         b.apply(Op.LT, col, b.const(n_cols)))
        flat = b.apply(Op.ADD, b.apply(Op.MUL, row, b.const(n_cols)), col)
        return b.lookup(self.table(), b.apply(Op.SELECT, inside, flat, b.const(-1.0)))

    def key(self):
        return ("timedarray", id(self))

    # -- called from Python ------------------------------------------------------------

    def __call__(self, t, i=None):
        """The values at times ``t`` (and columns ``i``), with units; the
        grid is rounded as for a group on ``defaultclock``."""
        from nerve.core.clock import defaultclock
        from nerve.exceptions import DimensionMismatchError
        from nerve.units import Quantity, get_dimensions
        from nerve.units.dimension import format_dimension

        try:
            t_dim = get_dimensions(t)
        except TypeError:
            t_dim = None
        if t_dim is not _second():
            raise DimensionMismatchError(
                f"{self.name}(): the argument 't' must be a time, got {t!r}"
                + (f" (units of {format_dimension(t_dim)})" if t_dim is not None else ""))
        if (i is None) != (self.arity == 1):
            raise TypeError(f"{self.name}() takes {self.arity} argument(s): "
                            f"{'t' if self.arity == 1 else 't, i'}")
        k = _fine_steps(float(defaultclock.dt_), self.dt)
        eps = self.dt / k
        rows = np.clip((np.round(np.asarray(t, dtype=float) / eps) / k).astype(np.int64),
                       0, self.values.shape[0] - 1)
        if i is None:
            found = self.values[rows]
        else:
            found = self.values[rows, np.asarray(i, dtype=np.int64)]
        return Quantity(np.array(found), dim=self.dim)

    def __repr__(self) -> str:
        return (f"<TimedArray {self.name!r}: {self.values.shape[0]} values every "
                f"{self.dt} s{'' if self.arity == 1 else f' for {self.values.shape[1]} columns'}>")
