"""PoissonInput: the summed effect of ``N`` independent Poisson sources on
a variable of every neuron of a group, without simulating the sources.

At every step of the target's clock, for every target neuron, the engine
draws the number of sources that fired, one count of the binomial
distribution ``B(N, rate*dt)`` from the target group's random stream
(operation ``binomial``: inversion of the distribution function, or the
normal approximation ``N p + sqrt(N p (1-p)) z`` where Brian2 uses it too,
i.e. when ``N p > 5`` and ``N (1-p) > 5``), and adds ``count*weight`` to
``target_var``. A quantity ``weight`` is added by that operation directly;
an expression ``weight`` (evaluated per neuron, in the target's namespace)
makes the operation write the counts into a scratch column that an update
program then adds, ``target_var += count*(weight)``. Scheduled in Brian2's
slot, ``synapses`` with order 0, on the target's clock.
"""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.core.schedule import Operation
from nerve.exceptions import (ArgumentTypeError, DimensionMismatchError, InvalidArgumentError,
                              NotSupportedError, UnknownNameError)

__all__ = ["PoissonInput"]

#: the scratch column holding the counts when the weight is an expression
_COUNT = "_poissoninput_count"


class PoissonInput(NerveObject):
    """``N`` Poisson sources of rate ``rate`` per neuron of ``target``, each
    event adding ``weight`` (a quantity with the units of ``target_var``,
    or an expression) to ``target_var``."""

    invalidates_magic_network = True

    def __init__(self, target, target_var, N, rate, weight, when="synapses", order=0):
        from nerve.units import format_dimension, get_dimensions, hertz

        root = getattr(target, "_state_root", None)
        if root is None or not hasattr(root, "_slots"):
            raise ArgumentTypeError(
                f"PoissonInput: the target must be a NeuronGroup or a subgroup of one, got "
                f"{target!r}")
        if not isinstance(target_var, str) or target_var not in root._slots:
            known = ", ".join(n for n in root._slots if not n.startswith("_")) or "none"
            raise UnknownNameError(
                f"PoissonInput: {target_var!r} is not a variable of {root.name!r} "
                f"(its variables: {known})")
        if isinstance(N, bool) or not isinstance(N, (int, np.integer, float)) or N < 0 \
                or int(N) != N:
            raise InvalidArgumentError(
                f"PoissonInput: the number of sources N must be a whole number >= 0, "
                f"got {N!r}")
        if get_dimensions(rate) is not get_dimensions(hertz):
            raise DimensionMismatchError(
                f"PoissonInput: the 'rate' must be in hertz (e.g. 10*Hz), got {rate!r} with "
                f"units {format_dimension(get_dimensions(rate))}",
                get_dimensions(hertz), get_dimensions(rate))
        rate_ = float(np.asarray(rate, dtype=float))
        if np.ndim(rate) != 0 or not np.isfinite(rate_) or rate_ < 0:
            raise InvalidArgumentError(
                f"PoissonInput: the 'rate' must be one finite, non-negative rate, got {rate!r}")
        target_dim = root._dims[target_var]
        if isinstance(weight, str):
            from nerve.equations import parse_expression

            self._weight_expr = parse_expression(weight, where="the weight of PoissonInput")
        else:
            if get_dimensions(weight) is not target_dim:
                raise DimensionMismatchError(
                    f"PoissonInput: the weight {weight!r} does not have the units of the "
                    f"target variable {target_var!r} ({format_dimension(target_dim)})",
                    get_dimensions(weight), target_dim)
            if np.ndim(weight) != 0:
                raise InvalidArgumentError(
                    f"PoissonInput: the weight must be one value or a string expression, "
                    f"got {weight!r}")
            self._weight_expr = None
        super().__init__(name=None, clock=root.clock, when=when, order=order)
        self._target, self._root = target, root
        self._target_var, self._N, self._rate, self._weight = target_var, int(N), rate, weight
        self._stored_dt = root.clock.dt_

    @property
    def rate(self):
        """The rate of each source."""
        return self._rate

    @property
    def N(self) -> int:
        """The number of sources."""
        return self._N

    @property
    def target_var(self) -> str:
        """The name of the target's variable the input adds to."""
        return self._target_var

    @property
    def weight(self):
        """What each input spike adds (a quantity or an expression string)."""
        return self._weight

    def _dependencies(self):
        return (self._root,)

    def _observes(self):
        return {self._root: {self._target_var}}

    def _probability(self) -> float:
        from nerve.units import Quantity, second

        dt = self._root.clock.dt_
        if dt != self._stored_dt:
            raise NotSupportedError(
                f"the dt of {self._root.name!r} changed after {self.name!r} was created "
                f"(from {Quantity(self._stored_dt, second.dim)} to {Quantity(dt, second.dim)});"
                f" create the PoissonInput again after changing dt")
        p = float(np.asarray(self._rate, dtype=float)) * dt
        if p > 1:
            raise InvalidArgumentError(
                f"{self.name!r}: rate*dt = {p:g} is more than 1 (rate {self._rate!r}): "
                f"each source fires at most once per step; use a smaller dt or rate")
        return p

    def _contribute(self, run) -> None:
        root, target = self._root, self._target
        p = self._probability()
        g = root._engine_group(run)
        start, stop = target._state_start, target._state_stop
        column = root._slots[self._target_var]
        float_target = root._dtypes.get(self._target_var, "float") == "float"
        if self._weight_expr is None and float_target:
            weight = float(np.asarray(self._weight, dtype=float))
            spec = (column, start, stop, self._N, p, weight)
            run.add(Operation(self.name, "binomial", self.clock, self.when, self.order, g,
                              run.input(spec), None, root, "PoissonInput"))
            return
        count_slot, program = self._weighted(run, g)
        spec = (count_slot, start, stop, self._N, p, None)
        run.add(Operation(self.name, "binomial", self.clock, self.when, self.order, g,
                          run.input(spec), None, root, "PoissonInput"))
        add = Operation(f"{self.name}_add", "update", self.clock, self.when, self.order, g, 0,
                        program, root, "PoissonInput", listed=False)
        run.add(add)

    def _weighted(self, run, g):
        """A scratch column for the counts (appended to the group's engine
        columns for this run) and the program ``target_var +=
        count*(weight)``."""
        from nerve.equations import check_expression
        from nerve.equations import nodes as n
        from nerve.groups.namespace import substitute

        root = self._root
        columns = run.groups[g][1]
        counts = self.__dict__.get("_counts")
        if counts is None or len(counts) != root.N:
            counts = np.zeros(root.N)
            self._counts = counts
        counts[:] = 0.0
        columns.append(counts)
        slot = len(columns) - 1
        namespace = root.namespace if root.namespace is not None else run.namespace
        where = f"the weight of {self.name!r}"
        resolver, subexprs = root._resolver(namespace, where)
        if self._weight_expr is not None:
            weight = substitute(self._weight_expr, subexprs)
            start, stop = self._target._state_start, self._target._state_stop
            if (start, stop) != (0, root.N):
                # (a subgroup's `i` and `N` are its own)
                weight = substitute(weight, {
                    "i": n.BinOp("-", n.Name("i"), n.Number(float(start))),
                    "N": n.Number(float(stop - start))})
            check_expression(weight, resolver.reading(self._weight, where).dimension,
                             root._dims[self._target_var], source=self._weight, where=where,
                             booleans=root._booleans())
        else:
            weight = n.Number(float(np.asarray(self._weight, dtype=float)))
        statement = n.Assign(self._target_var, "+=", n.BinOp("*", n.Name(_COUNT), weight))
        return slot, root._program((statement,), resolver, scratch={_COUNT: slot})

    def __repr__(self) -> str:
        return (f"PoissonInput({self._target!r}, {self._target_var!r}, {self._N}, "
                f"{self._rate!r}, {self._weight!r})")
