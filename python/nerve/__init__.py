"""nerve: a spiking neural network simulator with Brian2's model language and a Rust engine.

``from nerve import *`` gives what Brian2's star import gives a tutorial user:
the units, the classes and functions of the simulator, the numpy names (unit
aware where it matters) and matplotlib's pyplot names (imported lazily, on
first use, so ``import nerve`` stays fast).
"""

from nerve import _logging, _pyplot, units
from nerve._pyplot import *  # noqa: F403
from nerve.core import (Clock, Network, collect, defaultclock, get_num_threads, restore, run,
                        seed, set_num_threads, start_scope, store)
from nerve.equations import Equations
from nerve.exceptions import (DimensionMismatchError, EquationSyntaxError, IntegrationError,
                              InvalidIndexError, MagicError, ModelDefinitionError, NerveError,
                              SimulationError, UnknownNameError)
from nerve.groups import NeuronGroup
from nerve.monitors import SpikeMonitor, StateMonitor
from nerve.synapses import Synapses
from nerve.units import *  # noqa: F403

__version__ = "0.1.0"

_logging.configure()

__all__ = [
    "NeuronGroup", "Synapses", "StateMonitor", "SpikeMonitor", "Network", "Equations",
    "run", "collect", "start_scope", "seed", "store", "restore", "defaultclock", "Clock",
    "set_num_threads", "get_num_threads",
    "NerveError", "DimensionMismatchError", "EquationSyntaxError", "UnknownNameError",
    "ModelDefinitionError", "IntegrationError", "InvalidIndexError", "SimulationError",
    "MagicError",
    *units.__all__,
    *_pyplot.__all__,
]
