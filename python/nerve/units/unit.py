"""Units: named scalar quantities (``mvolt``, ``Hz``, ``mV/ms``).

Multiplying, dividing or raising units gives a *compound* unit, named after
its parts the way Brian2 names it (``mvolt / msecond`` shown as ``mV/ms``,
``siemens / (meter ** 2)`` shown as ``S/(m^2)``); such a unit is remembered
as a candidate for displaying quantities of its dimension when no standard
unit has that dimension (see ``_display``). Anything combined with a number
or a quantity gives a :class:`Quantity`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nerve.exceptions import NerveError
from nerve.units.dimension import DIMENSIONLESS, Dimension
from nerve.units.quantity import Quantity

__all__ = ["Unit", "UnitDefinitionError"]


class UnitDefinitionError(NerveError, ValueError, AssertionError):
    """A :class:`Unit` whose value is not ``10 ** scale`` (Brian2 raises an
    AssertionError for this, so ``except AssertionError`` keeps working)."""


def _power_text(power: Any) -> tuple[str, str]:
    """The exponent as Brian2 writes it in a unit's name and in its display."""
    return repr(power), str(power)


class Unit(Quantity):
    """A named quantity of one unit: its value is the unit's size in SI.

    ``Unit(value, dim=None, scale=0, name=None, dispname=None, latexname=None,
    iscompound=False)`` as in Brian2: ``value`` must be ``10 ** scale``;
    ``name`` (used by ``repr``) defaults to the SI base units of ``dim``,
    ``dispname`` (used by ``str``) to their symbols. The standard units
    (``mvolt``, ``Hz``...) already exist; a new one is rarely needed.
    """

    def __new__(cls, arr: Any = 1.0, dim: Dimension | None = None, scale: Any = 0,
                name: str | None = None, dispname: str | None = None,
                latexname: str | None = None, iscompound: bool = False, dtype: Any = None,
                copy: bool = False) -> "Unit":
        if dim is None:
            dim = DIMENSIONLESS
        if not isinstance(dim, Dimension):
            raise TypeError(f"Unit(): dim must be a Dimension (e.g. get_dimensions(volt)), "
                            f"not {dim!r}")
        try:
            value = float(arr)
        except (TypeError, ValueError):
            raise TypeError(f"Unit(): the value must be a number, not {arr!r}") from None
        if not math.isclose(value, 10.0 ** float(scale), rel_tol=1e-12):
            raise UnitDefinitionError(
                f"Unit(): the value of a unit must be 10**scale, but value={value!r} and "
                f"scale={scale!r} (give scale={math.log10(value):g} for this value, or "
                f"multiply a number by an existing unit to get a quantity)"
                if value > 0 else f"Unit(): the value of a unit must be 10**scale, not {value!r}")
        if name is None:
            name = "Unit(1)" if dim is DIMENSIONLESS else repr(dim)
        if dispname is None:
            dispname = str(dim)
        return cls._make(value, dim, name, dispname, scale=scale, iscompound=iscompound,
                         latexname=latexname)

    @classmethod
    def _make(cls, value: float, dim: Dimension, name: str, dispname: str, *, scale: Any = None,
              iscompound: bool = False, latexname: str | None = None) -> "Unit":
        """A unit without the ``10 ** scale`` check (for units built from others)."""
        self = np.asarray(float(value)).view(cls)
        self.dim = dim
        self.name = name
        self.dispname = dispname
        self.latexname = latexname if latexname is not None else dispname
        self.iscompound = iscompound
        if scale is None:
            exponent = math.log10(value) if value > 0 else 0.0
            scale = int(round(exponent)) if abs(exponent - round(exponent)) < 1e-9 else exponent
        self.scale = scale
        return self

    def __array_finalize__(self, obj: Any) -> None:
        self.dim = getattr(obj, "dim", DIMENSIONLESS)
        self.name = getattr(obj, "name", "")
        self.dispname = getattr(obj, "dispname", "")
        self.latexname = getattr(obj, "latexname", "")
        self.iscompound = getattr(obj, "iscompound", False)
        self.scale = getattr(obj, "scale", 0)

    def __reduce__(self):
        return (_rebuild, (float(self.view(np.ndarray)), self.dim, self.name, self.dispname,
                           self.scale, self.iscompound))

    def __hash__(self) -> int:
        return hash((float(self.view(np.ndarray)), self.dim))

    def __str__(self) -> str:
        return self.dispname

    def __repr__(self) -> str:
        return self.name

    # -- unit algebra: Unit op Unit -> Unit --------------------------------------
    def _compound(self, value: float, dim: Dimension, name: str, dispname: str) -> "Unit":
        from nerve.units._display import remember

        unit = Unit._make(value, dim, name, dispname, iscompound=True)
        remember(unit)
        return unit

    def __mul__(self, other: Any) -> Any:
        if isinstance(other, Unit):
            return self._compound(float(self) * float(other), self.dim * other.dim,
                                  f"{self.name} * {other.name}",
                                  f"{self.dispname} {other.dispname}")
        return super().__mul__(other)

    def __truediv__(self, other: Any) -> Any:
        if isinstance(other, Unit):
            left, ldisp = self.name, self.dispname
            if self.iscompound:
                left, ldisp = f"({left})", f"({ldisp})"
            right, rdisp = other.name, other.dispname
            if other.iscompound:
                right, rdisp = f"({right})", f"({rdisp})"
            return self._compound(float(self) / float(other), self.dim / other.dim,
                                  f"{left} / {right}", f"{ldisp}/{rdisp}")
        return super().__truediv__(other)

    def __rtruediv__(self, other: Any) -> Any:
        if isinstance(other, (int, float, np.integer, np.floating)) and \
                not isinstance(other, (bool, np.bool_, Quantity)) and other == 1:
            return self ** -1
        return super().__rtruediv__(other)

    def __pow__(self, power: Any) -> Any:
        if isinstance(power, (int, float, np.integer, np.floating)) and \
                not isinstance(power, (bool, np.bool_, Quantity)):
            dim = self.dim ** power
            base, dbase = self.name, self.dispname
            if self.iscompound:
                base, dbase = f"({base})", f"({dbase})"
            name_power, disp_power = _power_text(power)
            return self._compound(float(self) ** power, dim, f"{base} ** {name_power}",
                                  f"{dbase}^{disp_power}")
        return super().__pow__(power)


def _rebuild(value: float, dim: Dimension, name: str, dispname: str, scale: Any,
             iscompound: bool) -> Unit:
    return Unit._make(value, dim, name, dispname, scale=scale, iscompound=iscompound)

