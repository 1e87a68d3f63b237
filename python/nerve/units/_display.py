"""Choosing the unit a quantity is displayed in, and formatting its values.

As in Brian2, the candidates for a dimension come from three registries, the
first that knows the dimension wins:

1. the standard units: every named SI unit under the prefixes that are powers
   of 1000, and their squares and cubes (``mV``, ``kHz``, ``um^2``, ``mM``);
2. the compound units the program has made (``mV/ms``, ``siemens/meter**2``):
   a quantity of a dimension no standard unit has is shown in the last one made
   with each size;
3. a few compound units of physics (``J/(mol K)``, ``W/(m^2)``...).

Among the candidates, the chosen unit puts the (shown) values' mantissas
nearest 10 on a log scale: it minimises the sum over the non-zero values of
``(log10(|value| / unit) - 1) ** 2``. All-zero (or NaN) values are shown in the
candidate of size 1. A dimension with no candidate is shown in SI base units
(``m^-4 kg^-1 s^3 A^2``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nerve.units.dimension import DIMENSIONLESS, Dimension

__all__ = ["remember", "register_additional", "candidates", "best_unit_for", "format_values",
           "si_unit"]

_Registry = dict  # Dimension -> {SI size: Unit}, in registration order

_STANDARD: _Registry = {}
_MADE: _Registry = {}
_ADDITIONAL: _Registry = {}
_built = False
_si_units: dict[Dimension, Any] = {}


def _build() -> None:
    global _built
    if _built:
        return
    _built = True
    from nerve.units.standard import additional_display_units, standard_display_units

    for unit in standard_display_units():
        _STANDARD.setdefault(unit.dim, {})[float(unit)] = unit
    for unit in additional_display_units():
        _ADDITIONAL.setdefault(unit.dim, {})[float(unit)] = unit


def remember(unit: Any) -> None:
    """Make a compound unit the program built a display candidate (replacing an
    earlier one of the same dimension and size)."""
    _MADE.setdefault(unit.dim, {})[float(unit.view(np.ndarray))] = unit


def register_additional(unit: Any) -> None:
    """A unit for display after the standard and the program's units."""
    _build()
    _ADDITIONAL.setdefault(unit.dim, {})[float(unit.view(np.ndarray))] = unit


def candidates(dim: Dimension) -> dict[float, Any]:
    """The units ``dim`` may be displayed in (empty when there are none)."""
    _build()
    for registry in (_STANDARD, _MADE, _ADDITIONAL):
        found = registry.get(dim)
        if found:
            return found
    return {}


def si_unit(dim: Dimension) -> Any:
    """A unit of size 1 named by the SI base units of ``dim``."""
    unit = _si_units.get(dim)
    if unit is None:
        from nerve.units.unit import Unit

        name = "Unit(1)" if dim is DIMENSIONLESS else repr(dim)
        unit = Unit._make(1.0, dim, name, str(dim), scale=0)
        _si_units[dim] = unit
    return unit


def _shown_values(values: np.ndarray) -> np.ndarray:
    """The values numpy prints: all of them, or only the edge items of a
    summarised array (more than ``threshold`` elements)."""
    options = np.get_printoptions()
    if values.size <= options["threshold"]:
        return values.ravel()
    edge = options["edgeitems"]
    picks = []
    for length in values.shape:
        if length > 2 * edge:
            picks.append(np.r_[0:edge, length - edge:length])
        else:
            picks.append(np.arange(length))
    return values[np.ix_(*picks)].ravel()


def best_unit_for(quantity: Any) -> Any:
    """The unit in which ``quantity`` is displayed."""
    found = candidates(quantity.dim)
    if not found:
        return si_unit(quantity.dim)
    units = list(found.values())
    sizes = np.array(list(found.keys()))
    values = np.abs(_shown_values(np.asarray(quantity.view(np.ndarray), dtype=float)))
    values = values[(values != 0) & ~np.isnan(values)]
    if values.size == 0:
        return found.get(1.0, units[0])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        deviation = ((np.log10(values[:, None] / sizes[None, :]) - 1.0) ** 2).sum(axis=0)
    return units[int(np.argmin(deviation))]


def format_values(values: Any, precision: int | None = None) -> str:
    """numpy's text for ``values`` (``'20.'``, ``'[16.  32.1 48.2]'``)."""
    return np.array2string(np.asarray(values), precision=precision)
