"""Inputs that drive networks: Poisson spike sources (``PoissonGroup``),
Poisson input summed per step (``PoissonInput``) and spikes at given times
(``SpikeGeneratorGroup``)."""

from nerve.inputs.poissongroup import PoissonGroup
from nerve.inputs.poissoninput import PoissonInput
from nerve.inputs.spikegenerator import SpikeGeneratorGroup

__all__ = ["PoissonGroup", "PoissonInput", "SpikeGeneratorGroup"]
