"""Clocks, networks, seeding and the magic ``run()``."""

from nerve.core.base import start_scope
from nerve.core.clock import Clock, defaultclock
from nerve.core.magic import collect, restore, run, store
from nerve.core.network import Network
from nerve.core.operations import NetworkOperation, network_operation, stop
from nerve.core.seeding import seed
from nerve.core.threads import get_num_threads, set_num_threads

__all__ = ["Clock", "defaultclock", "Network", "NetworkOperation", "network_operation",
           "stop", "run", "collect", "start_scope", "seed",
           "store", "restore", "set_num_threads", "get_num_threads"]
