"""NeuronGroup: a population of neurons sharing one model.

The group owns its state as contiguous float64 numpy columns (one per
variable; the engine borrows them during a run, never copies them). Its model
strings are parsed when it is created; names are resolved, units checked,
equations integrated and programs lowered when a run starts
(``groups/compiling.py``), and the programs are kept until what they depend
on (namespace values, ``dt``...) changes; groups made from the same strings
share that work (``groups/compiled.py``).

State access (``G.v``, ``G.v[...]``, ``G.v = ...``, ``G[a:b]``) is shared
with subgroups and lives in ``groups/access.py``; integer and boolean
variables are stored as float64 columns holding whole numbers and 0/1.
"""

from __future__ import annotations

import numpy as np

from nerve.core.base import NerveObject
from nerve.core.clock import timestep
from nerve.core.seeding import RandomSource
from nerve.equations import nodes as n
from nerve.equations.dimensions import _dims
from nerve.exceptions import DimensionMismatchError, ModelDefinitionError
from nerve.groups.access import StateAccess
from nerve.groups.compiling import CompilingGroup, _Programs
from nerve.groups.namespace import Resolver, substitute
from nerve.groups.scheduled import ScheduledGroup
from nerve.groups.subgroup import Subgroup
from nerve.groups.usercode import check_events

__all__ = ["NeuronGroup"]

#: Brian2's initial value of ``lastspike``: long enough ago to never be refractory.
_NEVER_SPIKED = -1e4


def _time_dimension():
    return _dims()[1]


def _aligned_zeros(n: int, align: int = 64) -> np.ndarray:
    """``n`` float64 zeros starting on an ``align``-byte boundary (a cache
    line). numpy only promises 16 bytes, and the engine's 32-byte vector
    loads are slower when every other one straddles two cache lines."""
    extra = align // 8
    buffer = np.zeros(n + extra)
    skip = (-buffer.ctypes.data % align) // 8
    return buffer[skip:skip + n]


def group_size(N) -> int:
    """The number of neurons ``N`` as an int: a positive integer, or a float
    with a whole value (``NeuronGroup(8000/4, ...)``, which Brian2 accepts).
    A fractional, non-finite, boolean, text or dimensioned value is refused
    (Brian2 truncates ``2.5`` to 2 and even ``3*mV`` to 0)."""
    from nerve.units import get_dimensions, is_dimensionless

    value = None
    if not isinstance(N, (bool, np.bool_, str, bytes)):
        array = np.asarray(N) if is_dimensionless(get_dimensions(N)) else None
        if array is not None and array.ndim == 0 and array.dtype.kind in "iuf":
            number = array.item()
            if isinstance(number, int) or (np.isfinite(number) and number == int(number)):
                value = int(number)
    if value is None or value < 1:
        raise ModelDefinitionError(
            f"the number of neurons N must be a positive integer (or a float with a whole "
            f"value, such as 8000/4), got {N!r}")
    return value


class NeuronGroup(CompilingGroup, ScheduledGroup, StateAccess, NerveObject):
    """A group of ``N`` neurons described by equations.

    Parameters follow Brian2: ``model`` (equation string or ``Equations``),
    ``threshold`` (condition string), ``reset`` (statements), ``refractory``
    (a time, a string expression for a time, a boolean condition, or
    ``False``), ``method`` (integration method; chosen automatically when
    omitted), ``namespace`` (explicit external names), ``dt``/``clock``,
    ``name``.

    ``G.v`` is a live :class:`~nerve.groups.VariableView` of a variable (or
    subexpression), ``G.v_`` the same without units; ``G[a:b]`` is a
    :class:`~nerve.groups.Subgroup`.
    """

    #: shared variables are columns holding one value in every lane (groups/shared.py)
    _lane_shared_variables = True

    def __init__(self, N, model, method=None, threshold=None, reset=None,
                 refractory=False, events=None, namespace=None, dtype=None, dt=None,
                 clock=None, order=0, name=None, method_options=None):
        from nerve.equations import Equations, parse_expression, parse_statements

        N = group_size(N)
        object.__setattr__(self, "_columns", {})
        super().__init__(name=name, dt=dt, clock=clock)
        self.N = N
        self.equations = model if isinstance(model, Equations) else Equations(model)
        self.method = method
        self.method_options = method_options
        self.namespace = namespace
        self.order = order
        self.threshold = threshold
        self.reset = reset
        self.refractory = refractory
        self.events = check_events(events)
        self._threshold = (parse_expression(threshold, where="the threshold")
                           if threshold is not None else None)
        self._reset = parse_statements(reset, where="the reset") if reset is not None else ()
        self._refractory = (parse_expression(refractory, where="the refractory condition")
                            if isinstance(refractory, str) else None)
        self._rng = RandomSource()
        self._programs: _Programs | None = None
        self.method_chosen: str | None = None

        for name_, eq in self.equations.items():
            synaptic = [f for f in eq.flags if f in ("clock-driven", "event-driven", "summed")]
            if synaptic:
                raise ModelDefinitionError(
                    f"the flag '{synaptic[0]}' of '{name_}' is for the equations of Synapses; "
                    f"a NeuronGroup integrates its differential equations every step")
        dims, dtypes = {}, {}
        for name_ in self.equations.state_names:  # (with subexpressions constant over dt)
            eq = self.equations[name_]
            dims[name_] = eq.dim
            dtypes[name_] = eq.dtype
        if refractory is not False:
            from nerve.units import DIMENSIONLESS

            dims["lastspike"] = _time_dimension()
            dtypes["lastspike"] = "float"
            dims["not_refractory"] = DIMENSIONLESS
            dtypes["not_refractory"] = "boolean"
        self._dims = dims
        self._dtypes = dtypes
        columns = {name_: _aligned_zeros(self.N) for name_ in dims}
        if "lastspike" in columns:
            columns["lastspike"][:] = _NEVER_SPIKED
            columns["not_refractory"][:] = 1.0
        object.__setattr__(self, "_columns", columns)
        self._slots = {name_: k for k, name_ in enumerate(columns)}
        # (subexpressions 'constant over dt' are stored: they are columns)
        subexprs = {name_: self.equations[name_].expr
                    for name_ in self.equations.substituted_names}
        self._subexpressions = frozenset(subexprs)
        self._expanded_subexprs = self._expanded(subexprs)
        # what the programs are compiled from, as parsed here (groups/compiled.py)
        self._parsed = (self._threshold, self._reset, self._refractory, self.equations)
        self._model_key = (type(self), self.equations.text, threshold, reset,
                           refractory if isinstance(refractory, str) else None,
                           tuple(dims.items()), tuple(dtypes.items()))
        self._locked = True

    # -- state access (groups/access.py) -------------------------------------------

    @property
    def _state_root(self) -> "NeuronGroup":
        return self

    _state_start = 0

    @property
    def _state_stop(self) -> int:
        return self.N

    def __len__(self) -> int:
        return self.N

    def __getitem__(self, key) -> Subgroup:
        """``G[a:b]``: the neurons ``a`` to ``b - 1`` as a :class:`Subgroup`."""
        return Subgroup(self, key)

    def _expanded_subexpressions(self) -> dict:
        """Each subexpression's definition, with the subexpressions it uses
        substituted."""
        return self._expanded_subexprs

    def _booleans(self) -> tuple[str, ...]:
        return tuple(k for k, dtype in self._dtypes.items() if dtype == "boolean")

    def _column_list(self) -> list:
        return list(self._columns.values())

    # -- compiling the model --------------------------------------------------

    def _resolver(self, namespace, owner: str):
        # (the variables' dimensions, made once: resolvers only read them)
        made = self.__dict__.get("_variable_dims")
        if made is None or made[0] is not self.equations:
            dims = dict(self._dims)
            for name_ in self._subexpressions:
                dims[name_] = self.equations[name_].dim
            made = self.__dict__["_variable_dims"] = (self.equations, dims)
        return Resolver(made[1], namespace, owner=owner), self._expanded_subexprs

    @staticmethod
    def _expanded(subexprs: dict) -> dict:
        """Subexpressions with the subexpressions they use substituted, so one
        pass of substitution removes them all."""
        expanded = dict(subexprs)
        for _ in range(len(expanded)):
            changed = False
            for name_, expr in expanded.items():
                new = substitute(expr, expanded)
                if new != expr:
                    expanded[name_], changed = new, True
            if not changed:
                break
        return expanded

    def _after_run(self, programs: _Programs, last_step: int) -> None:
        """Bring derived columns up to date after a run whose last step was
        ``last_step`` (``not_refractory`` as the update of that step computed
        it; for a refractory period of at least one step, the reset of that
        step leaves the same value, as its spikes have ``lastspike = t``)."""
        if programs.refractory is None or last_step < 0:
            return
        from nerve import _core

        dt = self.clock.dt_
        _core.execute(programs.refractory, self._column_list(), self.N, self._rng.get(),
                      last_step * dt, dt, last_step)

    def code(self, namespace=None) -> str:
        """What the engine runs for this group, readable: the update
        statements produced by the integration method, and the disassembled
        bytecode of the update, threshold and reset programs. External names
        are looked up as ``run()`` would (or in ``namespace``)."""
        from nerve.core.magic import caller_namespace
        from nerve.equations import to_source

        if namespace is None:
            namespace = self.namespace if self.namespace is not None else caller_namespace(2)
        programs = self._compile(namespace)
        parts = [f"# {self.name}: integration method {programs.method or '(none)'}"]
        parts += [to_source(s) for s in programs.statements]
        for role in ("subexpressions", "update", "threshold", "reset"):
            program = getattr(programs, role)
            if program is not None:
                parts.append(f"# {role} program")
                parts.append(program.disassemble().rstrip())
        return "\n".join(parts)

    def _runner_statements(self, runner):
        """The statements of a code runner of this group, subexpressions
        substituted (parsed once)."""
        from nerve.equations import parse_statements

        cached = runner.__dict__.get("_parsed")
        if cached is None:
            parsed = parse_statements(runner.code, where=f"the code of {runner.name!r}")
            cached = runner.__dict__["_parsed"] = tuple(
                substitute(st, self._expanded_subexprs) for st in parsed)
        return cached

    def _model_nodes(self):
        nodes_ = [eq.expr for eq in self.equations.values() if eq.expr is not None]
        if self._threshold is not None:
            nodes_.append(self._threshold)
        nodes_.extend(self._reset)
        if self._refractory is not None:
            nodes_.append(self._refractory)
        return nodes_

    def _substituted_rhs(self):
        """(name, right-hand side) of each differential equation, with
        subexpressions substituted."""
        _, subexprs = self._resolver({}, "")
        return [(name_, substitute(eq.expr, subexprs))
                for name_, eq in self.equations.items() if eq.kind == "differential"]

    def _refractory_steps(self, dt: float) -> int:
        """A fixed refractory period (a time quantity) in whole steps."""
        from nerve.units import Quantity, get_dimensions

        refractory = self.refractory
        # (a Quantity is asked directly: np.ndim goes through its __array_function__)
        quick = isinstance(refractory, Quantity)
        if (refractory.ndim if quick else np.ndim(refractory)) != 0:
            raise TypeError(
                f"refractory must be a single time, got {refractory!r}; for a period "
                f"per neuron, declare a variable (e.g. 'ref : second') and give its name "
                f"as a string: refractory='ref'")
        if (refractory.dim if quick else get_dimensions(refractory)) is not _time_dimension():
            raise DimensionMismatchError(
                f"refractory must be a time (e.g. 5*ms), a string, or False; "
                f"got {refractory!r}")
        return timestep(float(refractory.view(np.ndarray) if quick else np.asarray(refractory)),
                        dt)

    def _refractory_statements(self, resolver, dt):
        """``not_refractory = ...`` computed in whole time steps, as Brian2 does:
        ``timestep(t - lastspike, dt) >= timestep(refractory, dt)``."""
        if self.refractory is False:
            return []
        from nerve.equations import check_expression

        # (t - lastspike + 1e-3*dt)/dt >= ref_steps  <=>  timestep(t - lastspike) >= ref_steps
        since = n.BinOp("/", n.BinOp("+", n.BinOp("-", n.Name("t"), n.Name("lastspike")),
                                     n.BinOp("*", n.Number(1e-3), n.Name("dt"))), n.Name("dt"))
        if self._refractory is None:
            steps = self._refractory_steps(dt)
            # timestep(t - lastspike) >= steps, i.e. (t - lastspike + 1e-3*dt)/dt >= steps,
            # written as t - lastspike >= (steps - 1e-3)*dt: no division per neuron, and the
            # same outcome, because t and lastspike lie on the grid, so (t - lastspike)/dt is
            # an integer to ~1e-12 and the 1e-3 margin dwarfs any rounding difference
            bound = n.BinOp("*", n.Number(steps - 1e-3), n.Name("dt"))
            elapsed = n.BinOp("-", n.Name("t"), n.Name("lastspike"))
            return [n.Assign("not_refractory", "=", n.Compare(">=", elapsed, bound))]
        ref = self._refractory
        if resolver_dimension_is_time(ref, resolver):
            steps = n.Call("int", (n.BinOp("/", n.BinOp("+", ref, n.BinOp(
                "*", n.Number(1e-3), n.Name("dt"))), n.Name("dt")),))
            return [n.Assign("not_refractory", "=", n.Compare(">=", since, steps))]
        where = f"the refractory condition of NeuronGroup {self.name!r}"
        check_expression(ref, resolver.reading(self.refractory, where).dimension, "boolean",
                         source=self.refractory, where=where, booleans=self._booleans())
        # refractory while the condition holds: once it fails, the neuron stays
        # responsive until its next spike
        return [n.Assign("not_refractory", "=", n.BoolOp(
            "or", n.Name("not_refractory"), n.UnaryOp("not", ref)))]

    def __repr__(self) -> str:
        return f"<NeuronGroup {self.name!r} with {self.N} neurons>"


def resolver_dimension_is_time(expr, resolver) -> bool:
    """Whether a refractory expression is a time (rather than a condition)."""
    from nerve.equations import infer_dimension

    try:
        return infer_dimension(expr, resolver.dimension) is _time_dimension()
    except DimensionMismatchError:
        return False


# (NeuronGroup and the subclasses that compile as it does share compiled work)
NeuronGroup._sharing_base = NeuronGroup
