"""PoissonGroup: ``N`` independent Poisson spike trains.

A group whose only variable is ``rates`` (a parameter, or a subexpression
when the rates are given as a string) and whose threshold is
``rand() < rates*dt``: each neuron spikes in a step with probability
``rates*dt``, drawn by the engine from the group's own random streams (the
same numbers whatever the number of threads). It has no state update, so
a step costs one uniform number and a comparison per neuron.

When every neuron has the same rate and nothing in the network can change
``rates`` during the run (no network operation, no code of this group, no
synaptic code naming ``rates``, no PoissonInput onto it), the threshold
compares with the constant ``rate*dt`` instead of reading the column: the
same products, so the same spikes, without streaming 8 bytes per neuron and
step from memory (at 1e6 neurons that read cost two thirds of the step).
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

    # -- a constant rate (see the module docstring) ----------------------------

    def _contribute(self, run) -> None:
        self._constant_rate = self._uniform_rate() if self._rates_fixed_in_run() else None
        try:
            super()._contribute(run)
        finally:
            self._constant_rate = None

    def _uniform_rate(self) -> float | None:
        if "rates" not in self._columns:  # (rates given as an expression)
            return None
        values = self._columns["rates"]
        first = float(values[0])
        return first if np.all(values == first) else None

    def _rates_fixed_in_run(self) -> bool:
        """Whether no object of the network being run could write ``rates``
        during the run (conservative: unknown kinds of objects could)."""
        from nerve.core.network import running_networks
        from nerve.groups.usercode import CodeRunner
        from nerve.inputs.poissoninput import PoissonInput
        from nerve.inputs.spikegenerator import SpikeGeneratorGroup
        from nerve.monitors.spikemonitor import EventMonitor
        from nerve.monitors.statemonitor import StateMonitor
        from nerve.synapses.synapses import Synapses

        if not running_networks:
            return False
        for obj in running_networks[-1]._all_objects():
            if obj is self or isinstance(obj, (EventMonitor, StateMonitor,
                                               SpikeGeneratorGroup)):
                continue
            if isinstance(obj, CodeRunner):
                if obj.group is self:
                    return False
            elif isinstance(obj, PoissonInput):
                if obj._root is self:
                    return False
            elif isinstance(obj, Synapses):
                texts = [text for _, text, _ in obj._statements.values()]
                texts.append(obj.equations.text)
                if any("rates" in text for text in texts):
                    return False
            elif not isinstance(obj, NeuronGroup):
                return False
        return True

    def _compile_now(self, run_namespace, observed=frozenset()):
        programs = super()._compile_now(run_namespace, observed)
        rate = self.__dict__.get("_constant_rate")
        if rate is None or programs.threshold is None:
            return programs
        cached = self.__dict__.get("_constant_programs")
        if cached is not None and cached[0] == (programs.key, rate):
            return cached[1]
        from nerve.equations import parse_expression
        from nerve.groups.neurongroup import _Programs

        namespace = self.namespace if self.namespace is not None else run_namespace
        resolver = self._resolver(namespace, f"PoissonGroup {self.name!r}")[0]
        condition = parse_expression(f"rand() < {rate!r}*dt")
        constant = _Programs.__new__(_Programs)
        for slot in _Programs.__slots__:  # (every attribute, then the threshold)
            if hasattr(programs, slot):
                setattr(constant, slot, getattr(programs, slot))
        constant.threshold = self._program((), resolver, condition)
        self._constant_programs = ((programs.key, rate), constant)
        return constant

    def __repr__(self) -> str:
        return f"<PoissonGroup {self.name!r} with {self.N} neurons>"
