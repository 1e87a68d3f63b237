"""Groups of neurons."""

from nerve.groups.linked import linked_var
from nerve.groups.neurongroup import NeuronGroup
from nerve.groups.subgroup import Subgroup
from nerve.groups.variables import VariableView

__all__ = ["NeuronGroup", "Subgroup", "VariableView", "linked_var"]
