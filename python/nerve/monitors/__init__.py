"""Monitors: record what a group does during a run."""

from nerve.monitors.spikemonitor import SpikeMonitor
from nerve.monitors.statemonitor import StateMonitor

__all__ = ["SpikeMonitor", "StateMonitor"]
