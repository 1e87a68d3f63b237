"""The star import, unit-aware numpy names, lazy pyplot and import time."""

import subprocess
import sys

import numpy as np
import pytest

import nerve.units as units
from nerve.exceptions import DimensionMismatchError


def star():
    namespace = {}
    exec("from nerve.units import *", namespace)
    return namespace


def test_star_import_names():
    ns = star()
    for name in ["volt", "mV", "mvolt", "ms", "nA", "pF", "Mohm", "kHz", "uS", "cm", "um",
                 "mM", "Hz", "second", "siemens", "metre", "meter", "Quantity", "Unit",
                 "check_units", "get_unit", "in_unit", "have_same_dimensions", "pi", "e",
                 "inf", "nan", "ones", "zeros", "linspace", "arange", "array", "asarray",
                 "exp", "log", "sin", "cos", "sqrt", "absolute", "mean", "sum", "floor", "ceil",
                 "clip", "where", "concatenate", "isnan", "DimensionMismatchError"]:
        assert name in ns, name
    for private in ("np", "numpy", "_UNITS", "wrap", "Any", "annotations"):
        assert private not in ns, private
    # as with pylab, the builtins keep their meaning: min(a, b) of two numbers works
    for builtin in ("abs", "min", "max", "round"):
        assert builtin not in ns, builtin
    assert len(set(units.__all__)) == len(units.__all__)


def test_unit_aware_numpy_names():
    ns = star()
    ms, volt = ns["ms"], ns["volt"]
    assert str(ns["sqrt"](4 * ms ** 2)) == "2. ms"
    with pytest.raises(DimensionMismatchError):
        ns["exp"](1 * volt)
    assert str(ns["mean"](np.array([1., 3.]) * ms)) == "2. ms"
    assert str(ns["mean"]([1 * ms, 3 * ms])) == "2. ms"
    assert str(ns["sum"]([1 * ms, 3 * ms])) == "4. ms"
    assert str(ns["absolute"](-3 * ms)) == "3. ms"
    assert str(abs(-3 * ms)) == "3. ms"
    assert str(ns["amax"]([1 * ms, 3 * ms])) == "3. ms"
    assert ns["exp"](0.0) == 1.0


def run_python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_pyplot_is_lazy():
    out = run_python("import sys, nerve._pyplot as p; print('matplotlib' in sys.modules, "
                     "len(p.__all__) > 20)")
    assert out == "False True"


def test_pyplot_forwards():
    code = ("import matplotlib; matplotlib.use('Agg'); import sys\n"
            "from nerve._pyplot import *\n"
            "figure(); plot([0, 1], [1, 2]); xlabel('t'); axhline(0.5); "
            "print(gca().get_xlabel(), len(gca().lines))")
    assert run_python(code) == "t 2"


def units_import_seconds():
    """Cumulative import time of nerve.units (numpy already imported), from -X importtime."""
    result = subprocess.run([sys.executable, "-X", "importtime", "-c",
                             "import numpy; import nerve.units"],
                            capture_output=True, text=True, check=True)
    for line in result.stderr.splitlines():
        fields = line.split("|")
        if len(fields) == 3 and fields[2].strip() == "nerve.units":
            return int(fields[1]) * 1e-6
    raise AssertionError("nerve.units not in the import-time report")


def test_import_time_small():
    assert min(units_import_seconds() for _ in range(3)) < 0.1
