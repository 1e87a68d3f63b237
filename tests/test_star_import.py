"""``from nerve import *`` gives a script what Brian2's star import gives it.

Names and behaviour checked against Brian2 2.9.0 (``from brian2 import *`` in
``/work/brian2-venv``): numpy's and pyplot's names, ``prefs``, the device
functions, and no unit Brian2 does not export.
"""

import logging
import subprocess
import sys

import numpy as np
import pytest

import nerve


def star():
    namespace = {}
    exec("from nerve import *", namespace)
    return namespace


def run_python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_names_a_brian2_script_uses():
    ns = star()
    for name in ["np", "plt", "mpl", "float64", "float32", "int_", "int32", "rand", "randn",
                 "randint", "uniform", "normal", "choice", "shuffle", "poisson", "axes",
                 "rcParams", "hlines", "vlines", "GridSpec", "subplot2grid", "figure", "plot",
                 "prefs", "set_device", "device", "get_device", "all_devices", "PreferenceError",
                 "BrianPreference", "brian_prefs", "linalg", "norm", "inv", "fft", "fftfreq",
                 "zeros", "ones", "cumsum", "digitize", "bincount", "histogram2d", "r_", "c_",
                 "mgrid", "nanmean", "isscalar", "ndarray", "dtype", "errstate", "sys", "time",
                 "in_best_unit", "get_or_create_dimension", "exprel", "get_unit"]:
        assert name in ns, name
    assert ns["np"] is np and ns["float64"] is np.float64 and ns["int_"] is np.int_
    # nerve's own names win over numpy's and pyplot's (unit-aware versions, seed)
    assert ns["seed"] is nerve.seed and ns["arange"] is nerve.units.arange
    # as with Brian2 (through pylab), the builtins keep their meaning
    for builtin in ("abs", "min", "max", "round", "pow", "bool", "bytes"):
        assert builtin not in ns, builtin
    # units' internals that Brian2 does not export
    for internal in ("Dimension", "DIMENSIONLESS", "format_dimension",
                     "fail_for_dimension_mismatch"):
        assert internal not in ns and hasattr(nerve, internal), internal


def test_numpy_names_removed_from_recent_numpy():
    # Brian2 2.9.0 (numpy 2.2) exports trapz and in1d; they work here on any numpy
    ns = star()
    from nerve import ms, mV

    area = ns["trapz"](np.array([0., 1., 2.]) * mV, np.array([0., 1., 2.]) * ms)
    assert str(area) == "2. uWb"  # Brian2: trapz([0,1,2]*mV, [0,1,2]*ms) -> 2. uWb
    assert list(ns["in1d"](np.array([[1, 2], [3, 4]]), [2, 3])) == [False, True, True, False]


def test_units_brian2_does_not_export_are_name_errors():
    # Brian2: 'El' and 'EK' are NameErrors after from brian2 import * (no exa units)
    ns = star()
    for name in ("El", "EK", "Em", "EV", "kg", "newton", "henry", "mol", "metre2"):
        assert name not in ns, name
    with pytest.raises(NameError):
        exec("ge = El + 1", ns)


def test_star_import_does_not_import_matplotlib_or_numpy_random():
    # numpy 1.x imports numpy.random itself (``import numpy``); nerve must not add it
    by_numpy = run_python("import sys, numpy\nprint('numpy.random' in sys.modules)")
    out = run_python("import sys\nfrom nerve import *\n"
                     "print('matplotlib' in sys.modules, 'numpy.random' in sys.modules)")
    assert out == f"False {by_numpy}"


def test_lazy_names_work_when_used():
    code = """
import matplotlib
matplotlib.use('Agg')
import sys
from nerve import *
seed(3)
x = rand(3)
print(x.shape, 'numpy.random' in sys.modules, randint(5, 6), float64(2) == 2.0)
rcParams['font.size'] = 9
print(rcParams['font.size'], 'font.size' in rcParams)
fig = figure(figsize=(4, 3))
grid = GridSpec(2, 2)
ax = subplot(grid[0, :])
hlines(0.5, 0, 1); vlines([0.2, 0.4], 0, 1)
print(isinstance(ax, Axes), isinstance(fig, Figure), type(gca()).__name__)
print(len(ax.lines) + len(ax.collections), plt.gcf() is fig, mpl.rcParams['font.size'])
class MyFormatter(Formatter):
    pass
print(issubclass(MyFormatter, plt.matplotlib.ticker.Formatter))
print(norm(np.array([3., 4.])), fftfreq(4).shape, linalg.det(eye(2)))
"""
    lines = run_python(code).splitlines()
    assert lines[0] == "(3,) True 5 True"
    assert lines[1] == "9.0 True"
    assert lines[2] == "True True Axes"
    assert lines[3] == "2 True 9.0"
    assert lines[4] == "True"
    assert lines[5] == "5.0 (4,) 1.0"


def test_lazy_stand_in_behaves_like_its_object():
    from nerve._lazy import Lazy

    fractions = Lazy("fractions", "Fraction")
    assert fractions(1, 2) == 0.5
    assert isinstance(fractions(1, 3), fractions)
    assert fractions.__name__ == "Fraction"
    decimal = Lazy("decimal")
    assert str(decimal.Decimal("1.5")) == "1.5"
    mapping = Lazy("os", "environ")
    assert ("PATH" in mapping) == ("PATH" in __import__("os").environ)


# -- prefs ---------------------------------------------------------------------------------
@pytest.fixture
def prefs():
    from nerve.prefs import prefs as p

    yield p
    p.reset_to_defaults()


def test_prefs_accept_brian2_settings(prefs, caplog):
    # Brian2: prefs.codegen.target is 'auto' until set, then reads back the value
    assert prefs.codegen.target == "auto"
    with caplog.at_level(logging.INFO, logger="nerve"):
        prefs.codegen.target = "numpy"
        prefs.codegen.target = "cython"
    assert prefs.codegen.target == "cython" and prefs["codegen.target"] == "cython"
    logged = [r.getMessage() for r in caplog.records if "codegen.target" in r.getMessage()]
    assert len(logged) == 1 and "not needed" in logged[0]
    prefs.codegen.cpp.extra_compile_args_gcc = ["-O3", "-ffast-math"]
    assert prefs.codegen.cpp.extra_compile_args_gcc == ["-O3", "-ffast-math"]
    prefs.devices.cpp_standalone.openmp_threads = 2
    assert prefs["devices.cpp_standalone.openmp_threads"] == 2
    prefs.codegen.runtime.cython.multiprocess_safe = False
    prefs.logging.file_log = False
    prefs["codegen.loop_invariant_optimisations"] = False
    assert prefs.core.network.default_schedule == ["start", "groups", "thresholds",
                                                   "synapses", "resets", "end"]
    assert prefs.core.default_float_dtype is np.float64
    assert len(prefs) == 46 and "codegen.target" in prefs  # Brian2: len(prefs) == 46
    prefs.reset_to_defaults()
    assert prefs.codegen.target == "auto"


def test_prefs_unknown_names_and_invalid_values(prefs):
    from nerve import NerveError, PreferenceError

    # Brian2: PreferenceError 'Preference 'codegen.foo' is unregistered'
    with pytest.raises(PreferenceError) as info:
        prefs.codegen.foo = 1
    assert isinstance(info.value, KeyError) and isinstance(info.value, NerveError)
    assert "codegen.foo" in str(info.value)
    with pytest.raises(AttributeError):  # Brian2: AttributeError on reading it
        prefs.codegen.foo
    with pytest.raises(KeyError):  # Brian2: KeyError 'codegen.nope'
        prefs["codegen.nope"]
    with pytest.raises(PreferenceError):  # Brian2: 'Cannot set a preference category'
        prefs.codegen = 3
    with pytest.raises(PreferenceError):
        prefs.codegen.cpp = 3
    with pytest.raises(PreferenceError):  # Brian2: "Value '3' ... is invalid"
        prefs.codegen.cpp.extra_compile_args_gcc = 3
    with pytest.raises(PreferenceError):  # Brian2: "Value 'float32' ... is invalid"
        prefs.core.default_float_dtype = "float32"
    prefs.foo = 1  # Brian2 keeps a plain attribute of the preferences object
    assert prefs.foo == 1


def test_prefs_that_would_change_results_warn(prefs, caplog):
    with caplog.at_level(logging.WARNING, logger="nerve"):
        prefs.core.default_float_dtype = np.float32
    assert any("float64" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    prefs.logging.console_log_level = "WARNING"
    assert logging.getLogger("nerve").level == logging.WARNING
    prefs.reset_to_defaults()
    assert logging.getLogger("nerve").level == logging.INFO


# -- devices ---------------------------------------------------------------------------------
def test_standalone_script_runs_unchanged(tmp_path):
    code = f"""
from nerve import *
set_device('cpp_standalone', directory={str(tmp_path / 'standalone')!r}, build_on_run=False)
prefs.devices.cpp_standalone.openmp_threads = 2
G = NeuronGroup(1, 'dv/dt = (1 - v)/(10*ms) : 1', threshold='v > 0.8', reset='v = 0',
                method='exact')
M = SpikeMonitor(G)
run(50*ms)
device.build(directory={str(tmp_path / 'standalone')!r}, compile=True, run=True, debug=False)
print(M.t[:])
print(get_device().name, get_device().build_on_run)
device.reinit()
device.activate(build_on_run=True)
set_device('runtime')
print(get_device().name)
"""
    lines = run_python(code).splitlines()
    assert lines[0] == "[16.  32.1 48.2] ms"  # Brian2's tutorial numbers
    assert lines[1:] == ["cpp_standalone False", "runtime"]


def test_unknown_device():
    from nerve import NerveError, set_device

    # Brian2: KeyError 'foo'
    with pytest.raises(KeyError) as info:
        set_device("foo")
    assert isinstance(info.value, NerveError) and "foo" in str(info.value)
    with pytest.raises(TypeError):
        set_device(3)


def test_brian2_logging_and_cache_functions(caplog):
    from nerve import BrianLogger, check_cache, clear_cache, get_logger, std_silent

    nerve_logger = logging.getLogger("nerve")
    try:
        BrianLogger.log_level_warn()
        assert nerve_logger.level == logging.WARNING
        BrianLogger.log_level_debug()
        assert nerve_logger.level == logging.DEBUG
    finally:
        BrianLogger.log_level_info()
    mine = get_logger("myscript")
    assert mine.name == "nerve.myscript"
    with caplog.at_level(logging.INFO, logger="nerve.myscript"):
        mine.info("hello")
        mine.warn("careful")
    assert [r.getMessage() for r in caplog.records if r.name == "nerve.myscript"] == \
        ["hello", "careful"]
    with std_silent():
        clear_cache("cython")
        check_cache("cython")


def test_suppressed_logger_names():
    code = """
from nerve import *
BrianLogger.log_level_info()
BrianLogger.suppress_hierarchy('nerve.integrators')
G = NeuronGroup(1, 'dv/dt = -v**2/(10*ms) : 1')
run(0.1*ms)
BrianLogger.suppress_name('device')
set_device('cpp_standalone')
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # without suppression, nerve tells which method it chose (as Brian2 does at INFO)
    shown = subprocess.run([sys.executable, "-c", code.replace("BrianLogger.suppress", "#")],
                           capture_output=True, text=True)
    assert "nerve.integrators" in shown.stderr and "nerve.device" in shown.stderr
