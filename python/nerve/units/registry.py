"""Look up the units that may be named inside model strings.

``lookup("mV")`` returns the :class:`Unit` millivolt. The names are Brian2's:
every SI unit's long name (``mvolt``, ``metre``, ``meter``, ``ampere``)
under the prefixes that are powers of 1000, its square and cube (``umetre2``),
the short forms of the star import (``mV``, ``nA``, ``Hz``, ``cm2``) and
``cmetre``. Unknown names (``El``, ``EK``, ``kg``) give ``None``.
"""

from __future__ import annotations

from nerve.units.standard import model_unit, model_unit_names
from nerve.units.unit import Unit

__all__ = ["lookup", "names"]


def lookup(name: str) -> Unit | None:
    """The unit called ``name``, or ``None`` if no unit has that name."""
    return model_unit(name)


def names() -> frozenset[str]:
    """Every unit name and alias that :func:`lookup` knows."""
    return model_unit_names()
