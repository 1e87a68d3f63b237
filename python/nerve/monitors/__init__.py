"""Monitors: record what a group does during a run."""

from nerve.monitors.spikemonitor import EventMonitor, SpikeMonitor
from nerve.monitors.statemonitor import StateMonitor

__all__ = ["EventMonitor", "SpikeMonitor", "StateMonitor"]
