"""The tables of SI units: base and derived units under every prefix.

Every unit gets its long name with a prefix (``mvolt``, ``kmetre``,
``nampere``), and, where its symbol differs from its name, the short alias
(``mV``, ``km``, ``nA``). ``UNITS`` maps every name to its :class:`Unit`;
``STAR_NAMES`` is the list exported by ``from nerve.units import *``.
"""

from __future__ import annotations

import keyword

from nerve.units._display import register_display
from nerve.units.dimension import Dimension, dimension_from_exponents as _d
from nerve.units.unit import Unit

__all__ = ["UNITS", "STAR_NAMES", "PREFIXES", "COHERENT", "get_unit"]

#: SI prefixes: symbol -> power of ten (``u`` is micro).
PREFIXES = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6, "m": -3,
            "c": -2, "d": -1, "": 0, "da": 1, "h": 2, "k": 3, "M": 6, "G": 9, "T": 12,
            "P": 15, "E": 18, "Z": 21, "Y": 24}

_VOLT = _d(m=2, kg=1, s=-3, A=-1)

# (names, symbol, dimension, size of the unprefixed unit in SI as a power of ten,
# power applied to the prefix, shown in displays). The first name is canonical.
_FAMILIES: tuple[tuple[tuple[str, ...], str, Dimension, int, int, bool], ...] = (
    (("metre", "meter"), "m", _d(m=1), 0, 1, True),
    (("metre2", "meter2"), "m^2", _d(m=2), 0, 2, True),
    (("metre3", "meter3"), "m^3", _d(m=3), 0, 3, True),
    (("gram", "gramme"), "g", _d(kg=1), -3, 1, True),
    (("second",), "s", _d(s=1), 0, 1, True),
    (("amp", "ampere"), "A", _d(A=1), 0, 1, True),
    (("kelvin",), "K", _d(K=1), 0, 1, True),
    (("mole", "mol"), "mol", _d(mol=1), 0, 1, True),
    (("candela",), "cd", _d(cd=1), 0, 1, True),
    (("hertz",), "Hz", _d(s=-1), 0, 1, True),
    (("newton",), "N", _d(m=1, kg=1, s=-2), 0, 1, True),
    (("pascal",), "Pa", _d(m=-1, kg=1, s=-2), 0, 1, True),
    (("joule",), "J", _d(m=2, kg=1, s=-2), 0, 1, True),
    (("watt",), "W", _d(m=2, kg=1, s=-3), 0, 1, True),
    (("coulomb",), "C", _d(s=1, A=1), 0, 1, True),
    (("volt",), "V", _VOLT, 0, 1, True),
    (("farad",), "F", _d(m=-2, kg=-1, s=4, A=2), 0, 1, True),
    (("ohm",), "ohm", _d(m=2, kg=1, s=-3, A=-2), 0, 1, True),
    (("siemens",), "S", _d(m=-2, kg=-1, s=3, A=2), 0, 1, True),
    (("weber",), "Wb", _d(m=2, kg=1, s=-2, A=-1), 0, 1, True),
    (("tesla",), "T", _d(kg=1, s=-2, A=-1), 0, 1, True),
    (("henry",), "H", _d(m=2, kg=1, s=-2, A=-2), 0, 1, True),
    (("katal",), "kat", _d(s=-1, mol=1), 0, 1, True),
    (("gray",), "Gy", _d(m=2, s=-2), 0, 1, True),
    (("sievert",), "Sv", _d(m=2, s=-2), 0, 1, False),
    (("becquerel",), "Bq", _d(s=-1), 0, 1, False),
    (("litre", "liter"), "l", _d(m=3), -3, 1, False),
    (("molar",), "M", _d(m=-3, mol=1), 3, 1, True),
)

# Bare symbols worth exporting on their own (single letters such as V, s or
# N would shadow users' variables and the model language's N, t, e...).
_BARE_SYMBOLS = {"Hz", "mol", "Pa", "Wb", "Gy", "Sv", "Bq", "kat"}

UNITS: dict[str, Unit] = {}
STAR_NAMES: list[str] = []
#: dimension -> the unit of SI size 1 with a name (``volt``, ``kilogram``, ``mmolar``).
COHERENT: dict[Dimension, Unit] = {}


def _add(name: str, unit: Unit) -> None:
    if name in UNITS or keyword.iskeyword(name):
        return
    UNITS[name] = unit
    STAR_NAMES.append(name)


def _build() -> None:
    for names, symbol, dim, size, power, shown in _FAMILIES:
        for prefix, exponent in PREFIXES.items():
            scale = 10.0 ** (size + exponent * power)
            canonical = prefix + names[0]
            short = prefix + symbol.replace("^", "")
            unit = Unit(scale, dim, canonical, prefix + symbol)
            for name in names:
                _add(prefix + name, unit)
            if short not in (prefix + n for n in names) and (prefix or symbol in _BARE_SYMBOLS):
                _add(short, unit)
            if shown and exponent % 3 == 0:
                register_display(unit)
            if scale == 1.0 and shown:
                COHERENT.setdefault(dim, unit)
    UNITS["kgram"].name = "kilogram"
    _add("kilogram", UNITS["kgram"])
    _add("kilogramme", UNITS["kgram"])


_build()


def get_unit(dim: Dimension) -> Unit:
    """The named unit of SI size 1 for ``dim`` (``volt``, ``hertz``,
    ``kilogram``), or a unit named by its SI base units when there is none."""
    from nerve.units._display import _si_unit
    from nerve.units.dimension import DIMENSIONLESS

    if dim is DIMENSIONLESS:
        return Unit(1.0, DIMENSIONLESS, "1", "1")
    unit = COHERENT.get(dim)
    return unit if unit is not None else _si_unit(dim)
