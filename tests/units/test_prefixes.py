"""Every SI prefix on a few units, with long names and short aliases."""

import keyword

import pytest

from nerve.units import get_dimensions
from nerve.units.registry import lookup
from nerve.units.standard import PREFIXES

LONG_SHORT = [("volt", "V"), ("amp", "A"), ("siemens", "S"), ("farad", "F"),
              ("second", "s"), ("metre", "m"), ("hertz", "Hz"), ("mole", "mol")]


@pytest.mark.parametrize("prefix", list(PREFIXES))
@pytest.mark.parametrize("long, short", LONG_SHORT)
def test_every_prefix(prefix, long, short):
    base = lookup(long)
    unit = lookup(prefix + long)
    assert unit is not None, prefix + long
    assert float(unit) == pytest.approx(float(base) * 10.0 ** PREFIXES[prefix], rel=1e-12)
    assert unit.dim is get_dimensions(base)
    alias = lookup(prefix + short)
    if keyword.iskeyword(prefix + short):
        assert alias is None  # 'as' (attosecond) cannot be a Python name
    elif prefix:
        assert alias is unit, prefix + short
    assert repr(unit) == prefix + long
    assert str(unit) == prefix + short


def test_keyword_alias_skipped_and_alternative_names():
    assert lookup("as") is None  # attosecond's short form is a Python keyword
    assert lookup("asecond") is not None
    assert lookup("kmeter") is lookup("kmetre")
    assert lookup("nampere") is lookup("namp")
    assert lookup("mmol") is lookup("mmole")
    assert lookup("um2") is lookup("umetre2")
    assert float(lookup("um2")) == pytest.approx(1e-12)
    assert float(lookup("mm3")) == pytest.approx(1e-9)
