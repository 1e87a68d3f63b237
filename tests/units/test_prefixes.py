"""The unit names of model strings and of the star import, as Brian2 has them.

The expected sets were taken from Brian2 2.9.0: ``brian2.core.namespace.DEFAULT_UNITS``
(the units a model string may name) and the Unit objects in the namespace of
``from brian2 import *``.
"""

import pytest

from nerve.units import get_dimensions
from nerve.units.registry import lookup, names
from nerve.units.standard import PREFIXES, STAR_NAMES, THOUSANDS

LONG_SHORT = [("volt", "V"), ("amp", "A"), ("siemens", "S"), ("farad", "F"),
              ("second", "s"), ("metre", "m"), ("hertz", "Hz"), ("mole", "mol")]


@pytest.mark.parametrize("prefix", list(PREFIXES))
@pytest.mark.parametrize("long, short", LONG_SHORT)
def test_every_thousand_prefix_and_power(prefix, long, short):
    base = lookup(long)
    unit = lookup(prefix + long)
    if prefix not in THOUSANDS:
        # Brian2's model strings know no centi-, deci-, deca- or hecto- units
        assert unit is None or prefix + long in ("cmetre",), prefix + long
        return
    assert unit is not None, prefix + long
    assert float(unit) == pytest.approx(float(base) * 10.0 ** PREFIXES[prefix], rel=1e-12)
    assert unit.dim is get_dimensions(base)
    assert repr(unit) == prefix + long
    assert str(unit) == prefix + short
    squared = lookup(prefix + long + "2")
    assert squared.dim is get_dimensions(base) ** 2
    assert float(squared) == pytest.approx(float(unit) ** 2, rel=1e-12)
    assert str(squared) == f"{prefix}{short}^2"
    assert lookup(prefix + long + "3").dim is get_dimensions(base) ** 3


def test_alternative_names_are_their_own_units():
    # Brian2: repr(meter) is 'meter', repr(metre) is 'metre': equal units, own names
    assert lookup("kmeter") is not lookup("kmetre") and float(lookup("kmeter")) == 1e3
    assert repr(lookup("nampere")) == "nampere" and str(lookup("nampere")) == "nA"
    assert repr(lookup("mmol")) == "mmol" and str(lookup("mmol")) == "mmol"
    assert lookup("um2") is lookup("umetre2")
    assert lookup("mV") is lookup("mvolt") and lookup("ms") is lookup("msecond")
    assert float(lookup("um2")) == pytest.approx(1e-12)
    assert float(lookup("mm3")) == pytest.approx(1e-9)
    assert repr(lookup("kgram")) == "kgram" and repr(lookup("kilogram")) == "kilogram"
    assert str(lookup("candle")) == "cd" and lookup("radian").dim is get_dimensions(1)


def test_model_string_names_count():
    # Brian2: len(DEFAULT_UNITS) == 1710, all of which are known here; the star
    # import adds cmetre, cmeter and mS
    known = names()
    assert len(known) == 1713
    for name in ("Eliter", "Ekatal3", "ylux2", "kelvin3", "kilogramme2", "molar3", "Hz",
                 "dlitre", "daliter", "cm3", "uM", "steradian", "lumen", "becquerel2",
                 "sievert"):
        assert name in known, name
    # sizes in SI (Brian2: float(Eliter) == 1e15, float(ylux2) == 1e-48...)
    for name, size in (("Eliter", 1e15), ("ylux2", 1e-48), ("kilogramme2", 1.0),
                       ("kgram3", 1.0), ("dlitre", 1e-4), ("molar3", 1e9), ("mmol", 1e-3)):
        assert float(lookup(name)) == pytest.approx(size, rel=1e-12), name
    assert all(lookup(name) is not None for name in known)


# The 203 units of Brian2 2.9.0's star import.
BRIAN2_STAR_UNITS = set("""
Gamp Gcoulomb Gfarad Ggram Ggramme Ghertz Gjoule Gliter Glitre Gmeter Gmetre Gmolar Gmole
Gohm Gpascal Gsecond Gsiemens Gvolt Gwatt Hz MHz Mamp Mcoulomb Mfarad Mgram Mgramme Mhertz
Mjoule Mliter Mlitre Mmeter Mmetre Mmolar Mmole Mohm Mpascal Msecond Msiemens Mvolt Mwatt
Tamp Tcoulomb Tfarad Tgram Tgramme Thertz Tjoule Tliter Tlitre Tmeter Tmetre Tmolar Tmole
Tohm Tpascal Tsecond Tsiemens Tvolt Twatt amp cm cm2 cm3 cmeter cmetre coulomb farad gram
gramme hertz joule kHz kamp kcoulomb kelvin kfarad kgram kgramme khertz kilogram kjoule
kliter klitre kmeter kmetre kmolar kmole kohm kpascal ksecond ksiemens kvolt kwatt liter
litre mA mM mS mV mamp mcoulomb meter metre mfarad mgram mgramme mhertz mjoule mliter
mlitre mm mm2 mm3 mmeter mmetre mmolar mmole mohm molar mole mpascal ms msecond msiemens
mvolt mwatt nA nF nM nS namp ncoulomb nfarad ngram ngramme nhertz njoule nliter nlitre
nmeter nmetre nmolar nmole nohm npascal nsecond nsiemens nvolt nwatt ohm pA pF pamp pascal
pcoulomb pfarad pgram pgramme phertz pjoule pliter plitre pmeter pmetre pmolar pmole pohm
ppascal psecond psiemens pvolt pwatt second siemens uA uF uM uS uamp ucoulomb ufarad ugram
ugramme uhertz ujoule uliter ulitre um um2 um3 umeter umetre umolar umole uohm upascal us
usecond usiemens uvolt uwatt volt watt
""".split())


def test_star_units_are_brian2s():
    assert len(BRIAN2_STAR_UNITS) == 203
    assert set(STAR_NAMES) == BRIAN2_STAR_UNITS
    namespace = {}
    exec("from nerve.units import *", namespace)
    for name in ("El", "EK", "Em", "newton", "henry", "mol", "kg", "Hz2", "GHz", "metre2"):
        assert name not in namespace, name
    with pytest.raises(NameError):
        exec("v = El", namespace)
