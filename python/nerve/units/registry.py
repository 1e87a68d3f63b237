"""Look up the units that may be named inside model strings.

``lookup("mV")`` returns the :class:`Unit` millivolt; every long name
(``mvolt``, ``metre``, ``meter``, ``ampere``), short alias (``mV``, ``nA``,
``Hz``, ``cm2``) and prefix combination is known. Unknown names give ``None``.
"""

from __future__ import annotations

from nerve.units.standard import UNITS
from nerve.units.unit import Unit

__all__ = ["lookup", "names"]


def lookup(name: str) -> Unit | None:
    """The unit called ``name``, or ``None`` if no unit has that name."""
    return UNITS.get(name)


def names() -> frozenset[str]:
    """Every unit name and alias that :func:`lookup` knows."""
    return frozenset(UNITS)
