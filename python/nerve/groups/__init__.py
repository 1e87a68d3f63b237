"""Groups of neurons."""

from nerve.groups.neurongroup import NeuronGroup
from nerve.groups.subgroup import Subgroup
from nerve.groups.variables import VariableView

__all__ = ["NeuronGroup", "Subgroup", "VariableView"]
