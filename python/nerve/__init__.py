"""nerve: a spiking neural network simulator with Brian2's model language and a Rust engine.

``from nerve import *`` gives what Brian2's star import gives a script: the
units, the classes and functions of the simulator, ``prefs`` and the device
functions, numpy's names (unit aware where it matters, with those of
numpy.random, numpy.linalg and numpy.fft: ``rand``, ``randn``...),
matplotlib's pyplot names (imported lazily, on first use, so ``import nerve``
stays fast), and ``np``, ``plt``, ``mpl``.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what the star import takes from numpy and pyplot (set at run time below)
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.pyplot import *  # noqa: F403
    from numpy import *  # noqa: F403
    from numpy.random import *  # noqa: F403

from nerve import _logging, _numpy_star, _pyplot, units
from nerve._logging import log_to_console
from nerve._numpy_star import *  # noqa: F403
from nerve._pyplot import *  # noqa: F403
from nerve.brianlogger import BrianLogger, get_logger, logger, std_silent
from nerve.core import (Clock, Network, NetworkOperation, collect, defaultclock, get_num_threads,
                        network_operation, restore, run, seed, set_num_threads, start_scope,
                        stop, store)
from nerve.device import (all_devices, check_cache, clear_cache, device, get_device,
                          reset_device, set_device)
from nerve.equations import Equations
from nerve.exceptions import (DimensionMismatchError, EquationSyntaxError, IntegrationError,
                              InvalidIndexError, MagicError, ModelDefinitionError, NerveError,
                              SimulationError, UnknownNameError)
from nerve.functions import BinomialFunction, Function, TimedArray, implementation
from nerve.groups import NeuronGroup, linked_var
from nerve.core.memory import RecordingMemoryError, set_recording_memory_limit
from nerve.inputs import PoissonGroup, PoissonInput, SpikeGeneratorGroup
from nerve.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor
from nerve.prefs import BrianPreference, PreferenceError, brian_prefs, prefs
from nerve.synapses import Synapses
from nerve.sweeps import SweepError, SweepResult, grid, sweep
from nerve.units import *  # noqa: F403

if TYPE_CHECKING:  # the units (set at run time by the line above), for type checkers
    from nerve.units._unit_names import *  # noqa: F403
    from nerve.units.numpy_names import *  # noqa: F403

__version__ = "0.1.0"

_logging.configure()

# units' helpers that Brian2's star import does not give (still nerve.Dimension...)
_NOT_STARRED = {"Dimension", "DIMENSIONLESS", "format_dimension", "fail_for_dimension_mismatch"}

_STAR_IMPORT = list(dict.fromkeys([
    *_numpy_star.__all__,
    *_pyplot.__all__,
    "NeuronGroup", "PoissonGroup", "PoissonInput", "SpikeGeneratorGroup", "Synapses",
    "StateMonitor", "SpikeMonitor", "EventMonitor", "PopulationRateMonitor",
    "RecordingMemoryError", "set_recording_memory_limit", "Network",
    "Equations", "TimedArray", "BinomialFunction", "Function", "implementation",
    "run", "collect", "start_scope", "seed", "store", "restore", "defaultclock", "Clock",
    "NetworkOperation", "network_operation", "stop", "linked_var",
    "set_num_threads", "get_num_threads",
    "prefs", "brian_prefs", "PreferenceError", "BrianPreference",
    "set_device", "get_device", "reset_device", "device", "all_devices", "clear_cache",
    "check_cache", "BrianLogger", "get_logger", "logger", "std_silent",
    "NerveError", "DimensionMismatchError", "EquationSyntaxError", "UnknownNameError",
    "ModelDefinitionError", "IntegrationError", "InvalidIndexError", "SimulationError",
    "MagicError",
    *(name for name in units.__all__ if name not in _NOT_STARRED),
]))
if not TYPE_CHECKING:  # (type checkers cannot read the list: they take every public name)
    __all__ = _STAR_IMPORT
