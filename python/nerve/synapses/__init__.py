"""Synapses between groups of neurons."""

from nerve.synapses.synapses import Synapses

__all__ = ["Synapses"]
