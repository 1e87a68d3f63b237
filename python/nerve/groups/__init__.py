"""Groups of neurons."""

from nerve.groups.neurongroup import NeuronGroup

__all__ = ["NeuronGroup"]
