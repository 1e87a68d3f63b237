"""Choosing the unit a quantity is displayed in, and formatting its values.

Each dimension with a named unit has a *display family*: that unit under the
prefixes that are powers of 1000 (``mV``, ``V``, ``kV``...). The family
member chosen puts the values' mantissas nearest the middle of [1, 1000) on a
log scale (for one value: the mantissa lies in [1, 1000)), as Brian2 does.
Dimensions without a named unit are shown in SI base units.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from nerve.units.dimension import Dimension, _base_product

__all__ = ["FAMILIES", "register_display", "best_unit_for", "format_values"]

#: dimension -> list of (log10 of scale, unit), filled by the unit tables.
FAMILIES: dict[Dimension, list[tuple[float, Any]]] = {}
_fallback: dict[Dimension, Any] = {}


def register_display(unit: Any) -> None:
    """Make ``unit`` a candidate for displaying quantities of its dimension."""
    scale = float(unit.view(np.ndarray))
    FAMILIES.setdefault(unit.dim, []).append((math.log10(scale), unit))


def _si_unit(dim: Dimension) -> Any:
    unit = _fallback.get(dim)
    if unit is None:
        from nerve.units.unit import Unit

        unit = Unit(1.0, dim, _base_product(dim), _base_product(dim, symbols=True))
        _fallback[dim] = unit
    return unit


def _per_second_family(dim: Dimension) -> list[tuple[float, Any]]:
    """For rates of a named quantity (``V/s``, ``A/s``): that unit per second."""
    from nerve.units.dimension import dimension_from_exponents
    from nerve.units.unit import Unit

    base = FAMILIES.get(dim * dimension_from_exponents(s=1))
    if not base:
        return []
    family = [(log_scale, Unit(float(unit.view(np.ndarray)), dim, f"{unit.name} / second",
                               f"{unit.dispname}/s")) for log_scale, unit in base]
    FAMILIES[dim] = family
    return family


def best_unit_for(quantity: Any) -> Any:
    """The unit in which ``quantity`` is displayed."""
    family = FAMILIES.get(quantity.dim) or _per_second_family(quantity.dim)
    if not family:
        return _si_unit(quantity.dim)
    values = np.abs(np.asarray(quantity, dtype=float).ravel())
    values = values[np.isfinite(values) & (values != 0)]
    if values.size == 0:
        for log_scale, unit in family:
            if log_scale == 0:
                return unit
        return family[0][1]
    centre = float(np.mean(np.log10(values))) - 1.5
    # nearest to the centre; on a tie the larger unit (so 1000 A is 1 kA)
    return min(family, key=lambda item: (abs(centre - item[0]), -item[0]))[1]


def format_values(values: Any, precision: int | None = None) -> str:
    """numpy's text for ``values`` (``'20.'``, ``'[16.  32.1 48.2]'``)."""
    return np.array2string(np.asarray(values), precision=precision)
