"""PoissonGroup: ``N`` independent Poisson spike trains.

A group whose only variable is ``rates`` (a parameter, or a subexpression
when the rates are given as a string) and whose threshold is
``rand() < rates*dt``: each neuron spikes in a step with probability
``rates*dt``, drawn by the engine from the group's own random streams (the
same numbers whatever the number of threads). It has no state update, so
a step costs one uniform number and a comparison per neuron.
"""

from __future__ import annotations

import numpy as np

from nerve.exceptions import DimensionMismatchError, InvalidArgumentError
from nerve.groups.neurongroup import NeuronGroup

__all__ = ["PoissonGroup"]


class PoissonGroup(NeuronGroup):
    """``N`` Poisson spike sources firing at ``rates`` (a rate, one rate per
    neuron, or a string expression in Hz that may use ``t`` and ``i``)."""

    def __init__(self, N, rates, dt=None, clock=None, when="thresholds", order=0,
                 namespace=None, name=None):
        from nerve.units import format_dimension, get_dimensions, hertz

        if isinstance(rates, str):
            model = f"rates = {rates} : Hz"
        else:
            if get_dimensions(rates) is not get_dimensions(hertz):
                raise DimensionMismatchError(
                    f"PoissonGroup: rates must be in hertz (e.g. 10*Hz), got {rates!r} with "
                    f"units {format_dimension(get_dimensions(rates))}",
                    get_dimensions(hertz), get_dimensions(rates))
            values = np.asarray(rates, dtype=float)
            if np.any(values < 0) or not np.all(np.isfinite(values)):
                raise InvalidArgumentError(
                    f"PoissonGroup: rates must be finite and non-negative, got {rates!r}")
            model = "rates : Hz"
        super().__init__(N, model, threshold="rand() < rates*dt", namespace=namespace, dt=dt,
                         clock=clock, order=order, name=name)
        if not isinstance(rates, str):
            self.rates = rates

    def __repr__(self) -> str:
        return f"<PoissonGroup {self.name!r} with {self.N} neurons>"
