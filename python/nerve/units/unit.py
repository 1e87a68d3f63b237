"""Units: named scalar quantities (``mvolt``, ``Hz``, ``mV/ms``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from nerve.units.dimension import DIMENSIONLESS, Dimension
from nerve.units.quantity import Quantity

__all__ = ["Unit"]


def _compound(name: str) -> bool:
    return any(c in name for c in " */")


class Unit(Quantity):
    """A named quantity of one unit: its value is the unit's size in SI.

    ``name`` is the Python name (``mvolt``), used by ``repr``; ``dispname``
    the symbol (``mV``), used by ``str``. Multiplying, dividing or raising
    units gives a unit again (``mV/ms``); anything with a number gives a
    :class:`Quantity`.
    """

    def __new__(cls, scale: float, dim: Dimension = DIMENSIONLESS, name: str | None = None,
                dispname: str | None = None) -> "Unit":
        self = np.asarray(float(scale)).view(cls)
        self.dim = dim
        self.name = name if name is not None else repr(float(scale))
        self.dispname = dispname if dispname is not None else self.name
        return self

    def __array_finalize__(self, obj: Any) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)
        self.name = getattr(obj, "name", "")
        self.dispname = getattr(obj, "dispname", "")

    def __reduce__(self):
        return (Unit, (float(self.view(np.ndarray)), self.dim, self.name, self.dispname))

    def __hash__(self) -> int:
        return hash((float(self.view(np.ndarray)), self.dim))

    @property
    def scale(self) -> float:
        """The size of the unit in SI units (``mvolt.scale == 0.001``)."""
        return float(self.view(np.ndarray))

    def __str__(self) -> str:
        return self.dispname

    def __repr__(self) -> str:
        return self.name

    # -- unit algebra: Unit op Unit -> Unit --------------------------------------
    def _combine(self, other: "Unit", op: str) -> Any:
        dim = self.dim * other.dim if op == "*" else self.dim / other.dim
        scale = self.scale * other.scale if op == "*" else self.scale / other.scale
        if dim is DIMENSIONLESS:
            return np.float64(scale)
        right = other.name if op == "*" or not _compound(other.name) else f"({other.name})"
        rdisp = other.dispname if op == "*" or not _compound(other.dispname) \
            else f"({other.dispname})"
        joiner = " " if op == "*" else "/"
        return Unit(scale, dim, f"{self.name} {op} {right}",
                    f"{self.dispname}{joiner}{rdisp}")

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, Unit):
            return self._combine(other, "*")
        return super().__mul__(other)

    def __truediv__(self, other: Any) -> Any:
        if isinstance(other, Unit):
            return self._combine(other, "/")
        return super().__truediv__(other)

    def __rtruediv__(self, other: Any) -> Any:
        if isinstance(other, (int, float)) and other == 1 and not isinstance(other, bool):
            return self ** -1
        return super().__rtruediv__(other)

    def __pow__(self, power: Any) -> Any:
        if isinstance(power, (int, float)) and not isinstance(power, bool):
            dim = self.dim ** power
            if dim is DIMENSIONLESS:
                return np.float64(self.scale ** power)
            base = f"({self.name})" if _compound(self.name) else self.name
            dbase = f"({self.dispname})" if _compound(self.dispname) else self.dispname
            return Unit(self.scale ** power, dim, f"{base} ** {power!r}", f"{dbase}^{power!r}")
        return super().__pow__(power)
