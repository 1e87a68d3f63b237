"""The tables of SI units, with the names Brian2 gives them.

Three sets of names, as in Brian2:

- ``STAR_NAMES``: the units ``from nerve import *`` gives a script (Brian2's
  star import: the common units under the prefixes p, n, u, m, k, M, G, T,
  plus ``kilogram``, ``kelvin``, ``cmetre`` and the short forms ``mV``,
  ``ms``, ``nA``, ``cm2``, ``kHz``...). ``El``, ``EK``, ``Hz2`` are not among
  them, so a forgotten ``El = ...`` is a NameError, not exalitre.
- :func:`model_unit`: every name a model string may use for a unit: each SI
  unit (long name) under the prefixes that are powers of 1000, its square and
  cube (``mvolt2``, ``umetre3``), litres under every prefix (``dlitre``), and
  the names of the star import.
- :func:`standard_display_units`: the units quantities are displayed in.

Each long name is its own :class:`Unit` (``meter`` and ``metre`` are equal
units with their own names); a short form is the same object as its long
name (``mV is mvolt``).
"""

from __future__ import annotations

from typing import Iterator

from nerve.units.dimension import DIMENSIONLESS, Dimension, dimension_from_exponents as _d
from nerve.units.unit import Unit

__all__ = ["STAR_NAMES", "PREFIXES", "model_unit", "model_unit_names", "star_units", "get_unit",
           "standard_display_units", "additional_display_units"]

#: SI prefixes: symbol -> power of ten (``u`` is micro).
PREFIXES = {"y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6, "m": -3,
            "c": -2, "d": -1, "": 0, "da": 1, "h": 2, "k": 3, "M": 6, "G": 9, "T": 12,
            "P": 15, "E": 18, "Z": 21, "Y": 24}
#: The prefixes that are powers of 1000 (the ones model strings and displays use).
THOUSANDS = ("y", "z", "a", "f", "p", "n", "u", "m", "", "k", "M", "G", "T", "P", "E", "Z",
             "Y")

# canonical name -> (other long names, symbol, dimension, log10 of the unprefixed
# unit's size in SI, displayed: a candidate for showing quantities)
_FAMILIES: dict[str, tuple[tuple[str, ...], str, Dimension, int, bool]] = {
    "metre": (("meter",), "m", _d(m=1), 0, True),
    "gram": (("gramme",), "g", _d(kg=1), -3, True),
    "second": ((), "s", _d(s=1), 0, True),
    "amp": (("ampere",), "A", _d(A=1), 0, True),
    "kelvin": ((), "K", _d(K=1), 0, True),
    "mole": (("mol",), "mol", _d(mol=1), 0, True),
    "candle": ((), "cd", _d(cd=1), 0, True),
    "radian": ((), "rad", DIMENSIONLESS, 0, False),
    "steradian": ((), "sr", DIMENSIONLESS, 0, False),
    "hertz": ((), "Hz", _d(s=-1), 0, True),
    "newton": ((), "N", _d(m=1, kg=1, s=-2), 0, True),
    "pascal": ((), "Pa", _d(m=-1, kg=1, s=-2), 0, True),
    "joule": ((), "J", _d(m=2, kg=1, s=-2), 0, True),
    "watt": ((), "W", _d(m=2, kg=1, s=-3), 0, True),
    "coulomb": ((), "C", _d(s=1, A=1), 0, True),
    "volt": ((), "V", _d(m=2, kg=1, s=-3, A=-1), 0, True),
    "farad": ((), "F", _d(m=-2, kg=-1, s=4, A=2), 0, True),
    "ohm": ((), "ohm", _d(m=2, kg=1, s=-3, A=-2), 0, True),
    "siemens": ((), "S", _d(m=-2, kg=-1, s=3, A=2), 0, True),
    "weber": ((), "Wb", _d(m=2, kg=1, s=-2, A=-1), 0, True),
    "tesla": ((), "T", _d(kg=1, s=-2, A=-1), 0, True),
    "henry": ((), "H", _d(m=2, kg=1, s=-2, A=-2), 0, True),
    "lumen": ((), "lm", _d(cd=1), 0, False),
    "lux": ((), "lx", _d(m=-2, cd=1), 0, True),
    "becquerel": ((), "Bq", _d(s=-1), 0, False),
    "gray": ((), "Gy", _d(m=2, s=-2), 0, True),
    "sievert": ((), "Sv", _d(m=2, s=-2), 0, False),
    "katal": ((), "kat", _d(s=-1, mol=1), 0, True),
    "molar": ((), "M", _d(m=-3, mol=1), 3, True),
    "litre": (("liter",), "l", _d(m=3), -3, False),
}
_FAMILY_OF = {name: canonical for canonical, (others, *_rest) in _FAMILIES.items()
              for name in (canonical, *others)}

#: Short forms: name -> (long name, prefix, power).
_SHORT = {
    "Hz": ("hertz", "", 1), "kHz": ("hertz", "k", 1), "MHz": ("hertz", "M", 1),
    "cm": ("metre", "c", 1), "cm2": ("metre", "c", 2), "cm3": ("metre", "c", 3),
    "mm": ("metre", "m", 1), "mm2": ("metre", "m", 2), "mm3": ("metre", "m", 3),
    "um": ("metre", "u", 1), "um2": ("metre", "u", 2), "um3": ("metre", "u", 3),
    "ms": ("second", "m", 1), "us": ("second", "u", 1),
    "mA": ("amp", "m", 1), "nA": ("amp", "n", 1), "pA": ("amp", "p", 1), "uA": ("amp", "u", 1),
    "mV": ("volt", "m", 1), "mS": ("siemens", "m", 1), "nS": ("siemens", "n", 1),
    "uS": ("siemens", "u", 1), "nF": ("farad", "n", 1), "pF": ("farad", "p", 1),
    "uF": ("farad", "u", 1), "mM": ("molar", "m", 1), "uM": ("molar", "u", 1),
    "nM": ("molar", "n", 1),
}

_made: dict[str, Unit] = {}


def _unit(long: str, prefix: str, power: int = 1) -> Unit:
    """The unit ``prefix + long`` to the ``power`` (made once, then shared)."""
    suffix = "" if power == 1 else str(power)
    name = prefix + long + suffix
    if long == "gram" and prefix == "k":
        name = "kilogram" + suffix  # the display name of Brian2's kgram
    unit = _made.get(name)
    if unit is None:
        _others, symbol, dim, size, _shown = _FAMILIES[_FAMILY_OF[long]]
        exponent = (size + PREFIXES[prefix]) * power
        display = prefix + symbol + ("" if power == 1 else f"^{power}")
        unit = Unit._make(10.0 ** exponent, dim ** power, name, display, scale=exponent)
        _made[name] = unit
    return unit


def _named(name: str, long: str, prefix: str, power: int = 1) -> Unit:
    """A unit whose Python name differs from the display-name rule (``kgram``)."""
    unit = _made.get(name)
    if unit is None:
        base = _unit(long, prefix, power)
        unit = Unit._make(float(base), base.dim, name, base.dispname, scale=base.scale)
        _made[name] = unit
    return unit


def _long_unit(long: str, prefix: str, power: int) -> tuple[str, Unit]:
    suffix = "" if power == 1 else str(power)
    name = prefix + long + suffix
    if long in ("gram", "gramme") and prefix == "k":
        return name, _named(name, long, prefix, power)
    return name, _unit(long, prefix, power)


# -- the star import -------------------------------------------------------------
_STAR_FAMILIES = ("amp", "coulomb", "farad", "gram", "gramme", "hertz", "joule", "liter",
                  "litre", "meter", "metre", "molar", "mole", "ohm", "pascal", "second",
                  "siemens", "volt", "watt")
_STAR_PREFIXES = ("p", "n", "u", "m", "", "k", "M", "G", "T")


def star_units() -> dict[str, Unit]:
    """The units of ``from nerve import *``, by name (Brian2's set)."""
    units: dict[str, Unit] = {}
    for long in _STAR_FAMILIES:
        for prefix in _STAR_PREFIXES:
            name, unit = _long_unit(long, prefix, 1)
            units[name] = unit
    units["kilogram"] = _unit("gram", "k")
    units["kelvin"] = _unit("kelvin", "")
    units["cmetre"] = _unit("metre", "c")
    units["cmeter"] = _unit("meter", "c")
    for short, spec in _SHORT.items():
        units[short] = _unit(*spec)
    return units


_STAR_UNITS = star_units()
STAR_NAMES: list[str] = list(_STAR_UNITS)

_model_names: dict[str, tuple[str, str, int]] = {}


def _model_names_table() -> dict[str, tuple[str, str, int]]:
    """Every unit name a model string may use -> (long name, prefix, power)."""
    if not _model_names:
        for canonical, (others, _symbol, _dim, _size, _shown) in _FAMILIES.items():
            prefixes = ("",) if canonical == "kelvin" else THOUSANDS
            powers = (1, 2, 3)
            if canonical == "litre":  # every prefix, no powers (as in Brian2)
                prefixes, powers = tuple(PREFIXES), (1,)
            for long in (canonical, *others):
                for prefix in prefixes:
                    for power in powers:
                        name = prefix + long + ("" if power == 1 else str(power))
                        _model_names[name] = (long, prefix, power)
        for power in (1, 2, 3):
            suffix = "" if power == 1 else str(power)
            _model_names["kilogram" + suffix] = ("kilogram", "k", power)
            _model_names["kilogramme" + suffix] = ("kilogramme", "k", power)
    return _model_names


def model_unit(name: str) -> Unit | None:
    """The unit a model string means by ``name`` (made on first use), or None."""
    unit = _STAR_UNITS.get(name)
    if unit is not None:
        return unit
    spec = _model_names_table().get(name)
    if spec is None:
        return None
    long, prefix, power = spec
    if long == "kilogram":
        return _unit("gram", "k", power)
    if long == "kilogramme":
        return _named(name, "gram", "k", power)
    return _long_unit(long, prefix, power)[1]


def model_unit_names() -> frozenset[str]:
    """Every unit name a model string may use."""
    return frozenset(_model_names_table()) | frozenset(_STAR_UNITS)


# -- display ---------------------------------------------------------------------------
def standard_display_units() -> Iterator[Unit]:
    """The units quantities are displayed in, when one has their dimension."""
    for canonical, (_others, _symbol, _dim, _size, shown) in _FAMILIES.items():
        if not shown:
            continue
        prefixes = ("",) if canonical == "kelvin" else THOUSANDS
        for prefix in prefixes:
            for power in (1, 2, 3):
                yield _unit(canonical, prefix, power)


# Compound units Brian2 also displays in (for dimensions no standard unit has):
# (numerator, denominator) as (long name, power) pairs.
_ADDITIONAL = (
    ((("newton", 1), ("metre", 1)), ()),
    ((("pascal", 1), ("second", 1)), ()),
    ((("coulomb", 1),), (("metre", 2),)),
    ((("coulomb", 1),), (("metre", 3),)),
    ((("coulomb", 1),), (("kilogram", 1),)),
    ((("farad", 1),), (("metre", 1),)),
    ((("gray", 1),), (("second", 1),)),
    ((("henry", 1),), (("metre", 1),)),
    ((("joule", 1),), (("kilogram", 1), ("kelvin", 1))),
    ((("joule", 1),), (("metre", 3),)),
    ((("joule", 1),), (("mole", 1), ("kelvin", 1))),
    ((("joule", 1),), (("kelvin", 1),)),
    ((("joule", 1),), (("kilogram", 1),)),
    ((("joule", 1),), (("mole", 1),)),
    ((("katal", 1),), (("metre", 3),)),
    ((("volt", 1),), (("metre", 3),)),
    ((("watt", 1),), (("metre", 1), ("kelvin", 1))),
    ((("watt", 1),), (("metre", 2),)),
)


def _product(parts: tuple[tuple[str, int], ...]) -> tuple[float, Dimension, str, str, bool]:
    size, dim, names, shown = 1.0, DIMENSIONLESS, [], []
    for long, power in parts:
        unit = _unit("gram", "k") if long == "kilogram" else _unit(long, "")
        size *= float(unit) ** power
        dim = dim * unit.dim ** power
        names.append(long if power == 1 else f"{long} ** {power}")
        shown.append(unit.dispname if power == 1 else f"{unit.dispname}^{power}")
    compound = len(parts) > 1 or any(power != 1 for _, power in parts)
    return size, dim, " * ".join(names), " ".join(shown), compound


def additional_display_units() -> Iterator[Unit]:
    """Compound units of physics (``J/(mol K)``, ``W/(m^2)``), for display."""
    for numerator, denominator in _ADDITIONAL:
        size, dim, name, shown, _ = _product(numerator)
        if denominator:
            dsize, ddim, dname, dshown, compound = _product(denominator)
            size, dim = size / dsize, dim / ddim
            if compound:
                dname, dshown = f"({dname})", f"({dshown})"
            name, shown = f"{name} / {dname}", f"{shown}/{dshown}"
        yield Unit._make(size, dim, name, shown, iscompound=True)
    for prefix in PREFIXES:
        yield _unit("litre", prefix)


def get_unit(dim: Dimension) -> Unit:
    """The unit of SI size 1 for ``dim`` (``volt``, ``hertz``, ``kilogram``,
    or a compound unit the program made), or a unit named by its SI base
    units when there is none (``1`` for dimensionless)."""
    from nerve.units._display import candidates, si_unit

    if dim is not DIMENSIONLESS:
        unit = candidates(dim).get(1.0)
        if unit is not None:
            return unit
    return si_unit(dim)
