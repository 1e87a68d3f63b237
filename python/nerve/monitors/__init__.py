"""Monitors: record what a group does during a run."""

from nerve.monitors.ratemonitor import PopulationRateMonitor
from nerve.monitors.spikemonitor import EventMonitor, SpikeMonitor
from nerve.monitors.statemonitor import StateMonitor

__all__ = ["EventMonitor", "PopulationRateMonitor", "SpikeMonitor", "StateMonitor"]
