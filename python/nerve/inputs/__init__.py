"""Inputs that drive networks: Poisson spike sources (more to come:
PoissonInput, SpikeGeneratorGroup, TimedArray)."""

from nerve.inputs.poissongroup import PoissonGroup

__all__ = ["PoissonGroup"]
