"""NeuronGroup: a population of neurons sharing one model.

The group owns its state as contiguous float64 numpy columns (one per
variable; the engine borrows them during a run, never copies them). Its model
strings are parsed when it is created; names are resolved, units checked,
equations integrated and programs lowered when a run starts, and the
programs are cached until the namespace values or ``dt`` change.

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
from nerve.exceptions import DimensionMismatchError, ModelDefinitionError
from nerve.groups.access import StateAccess
from nerve.groups import compiled
from nerve.groups.compiled import number_key
from nerve.groups.namespace import Resolver, called_names, free_names, substitute
from nerve.groups.scheduled import ScheduledGroup
from nerve.groups.subgroup import Subgroup
from nerve.groups.usercode import check_events
from nerve.equations.dimensions import _dims

__all__ = ["NeuronGroup"]

#: Brian2's initial value of ``lastspike``: long enough ago to never be refractory.
_NEVER_SPIKED = -1e4


def _time_dimension():
    return _dims()[1]


def _host_calls(group, functions):
    from nerve.functions.host import HostCalls

    return HostCalls(group, functions)


def _aligned_zeros(n: int, align: int = 64) -> np.ndarray:
    """``n`` float64 zeros starting on an ``align``-byte boundary (a cache
    line). numpy only promises 16 bytes, and the engine's 32-byte vector
    loads are slower when every other one straddles two cache lines."""
    extra = align // 8
    buffer = np.zeros(n + extra)
    skip = (-buffer.ctypes.data % align) // 8
    return buffer[skip:skip + n]


#: the temporary holding this step's ``not_refractory`` when it is derived
_NOT_REFRACTORY_NOW = "_not_refractory"

#: the methods whose results a compilation depends on: a class that redefines
#: one does not share its programs with other groups (groups/compiled.py)
_COMPILE_METHODS = ("_compile_now", "_program", "_resolver", "_model_nodes",
                    "_substituted_rhs", "_refractory_steps", "_refractory_statements",
                    "_runner_statements", "_expanded_subexpressions", "_booleans",
                    "_external_names", "_period_key", "_shared_key", "_adopt")
#: a refractory period that compiling will refuse
_INVALID = object()
#: NeuronGroup._external_names by model key (the names depend on the strings only)
_NAMES: dict = {}


class _Programs:
    """The compiled programs of a group for one namespace and dt."""

    __slots__ = ("key", "update", "threshold", "reset", "method", "statements", "refractory",
                 "subexpressions", "hosts", "recorded")

    def __init__(self, key, update, threshold, reset, method, statements, refractory=None):
        self.key, self.update, self.threshold, self.reset, self.method = (
            key, update, threshold, reset, method)
        #: the update statements (refractoriness and integration) before lowering
        self.statements = statements
        #: when ``not_refractory`` is derived during a run (see ``_compile``): the
        #: program that brings the column up to date for a given step, else None
        self.refractory = refractory
        #: the program computing subexpressions 'constant over dt', or None
        self.subexpressions = None
        #: calls of Python functions (nerve.functions.host.HostCalls), or None
        self.hosts = None
        #: the recorded subexpressions with those calls rewritten
        self.recorded = {}



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


class NeuronGroup(ScheduledGroup, StateAccess, NerveObject):
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
        self._parsed = (self._threshold, self._reset, self._refractory)
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
        dims = dict(self._dims)
        for name_ in self._subexpressions:
            dims[name_] = self.equations[name_].dim
        return Resolver(dims, namespace, owner=owner), self._expanded_subexprs

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

    def _compile(self, run_namespace, observed=frozenset()) -> _Programs:
        """:meth:`_compile_now`, with expressions too deep for the integration
        methods' rewriting refused by a clear error (as Brian2, which fails at
        about 500 terms, nerve's parser and checks take any depth)."""
        try:
            return self._compile_now(run_namespace, observed)
        except RecursionError:
            raise ModelDefinitionError(
                f"the model of NeuronGroup {self.name!r} has an expression nested too deeply "
                f"(e.g. a sum of thousands of terms) for its integration to rewrite: split it "
                f"into subexpressions of a few hundred terms each") from None

    def _compile_now(self, run_namespace, observed=frozenset()) -> _Programs:
        """Check units and build the update, threshold and reset programs.

        ``observed``: this group's variables that a monitor records during the
        run. When the refractory period is a fixed time and ``not_refractory``
        is not observed, the flag is derived: the update computes it into a
        temporary and the threshold recomputes it from ``lastspike`` (the same
        comparison on the same values, so the same spikes), instead of writing
        the column every step; this saves 16 bytes of memory traffic per
        neuron and step. The column is brought up to date after the run
        (``_Programs.refractory``) and the reset still clears it on a spike.
        """
        namespace = self.namespace if self.namespace is not None else run_namespace
        owner = f"NeuronGroup {self.name!r}"
        resolver, subexprs = self._resolver(namespace, owner)
        dt = self.clock.dt_
        candidates, called = self._external_names(resolver, subexprs)
        externals = resolver.external_key(candidates)
        steps = self._period_key(dt)
        # (a period under one step: the reset's `not_refractory = 0` is not what
        # the comparison gives for a spike of this step, so keep the column)
        derived = (self._refractory is None and self.refractory is not False
                   and "not_refractory" not in observed
                   and (self._refractory_steps(dt) if steps is _INVALID else steps) >= 1)
        functions = resolver.functions_named(called)
        recorded = tuple(sorted(set(observed) & self._subexpressions))
        runners = tuple((r.name, r.code) for r in self.contained_objects)
        functions.update(resolver.functions(
            [s for r in self.contained_objects for s in self._runner_statements(r)]))
        method = self.method
        method_key = (method if method is None or isinstance(method, str)
                      else ("sequence", *method) if isinstance(method, (list, tuple))
                      else ("object", id(method)))
        inputs = (number_key(dt), externals, derived,
                  tuple(sorted((k, f.key()) for k, f in functions.items())), recorded,
                  method_key, self.refractory is False, steps)
        key = (inputs, runners)
        if self._programs is not None and self._programs.key == key:
            return self._programs
        shared = self._shared_key(inputs) if steps is not _INVALID else None
        if shared is not None:
            entry = compiled.lookup(shared)
            if entry is not None:
                return self._adopt(entry, key, functions)

        from nerve.equations import check_expression, check_statements
        from nerve.integrators import DiffEquation, integrate

        self.equations.check_units(
            resolver.reading(self.equations.text, f"the equations of {owner}").dimension)
        refractory = list(self._refractory_statements(resolver, dt))
        statements = list(refractory)
        now = {}
        if derived:
            # the flag of this step, in a temporary (see the docstring)
            flag = refractory[0].value
            statements = [n.Assign(_NOT_REFRACTORY_NOW, "=", flag)]
            now = {"not_refractory": n.Name(_NOT_REFRACTORY_NOW)}
        # subexpressions constant over dt: evaluated and stored by their own
        # program before everything else of a step (slot 'before_start', as
        # Brian2), so the update, threshold, reset and monitors read one value
        constant = [n.Assign(name_, "=", substitute(self.equations[name_].expr, subexprs))
                    for name_ in self.equations.constant_over_dt_names]
        diff = [DiffEquation(name_, expr) for name_, expr in self._substituted_rhs()]
        method = logged = None
        if diff:
            from nerve.functions.hoist import hoist_constant_calls

            # (calls constant over the step, e.g. ta(t), computed before integrating)
            hoisted, diff = hoist_constant_calls(diff, functions, dt,
                                                 {eq.name for eq in diff})
            statements.extend(hoisted)
            from nerve.functions.hoist import method_without_exact

            frozen = frozenset(name_ for name_, eq in self.equations.items()
                               if "unless refractory" in eq.flags)
            asked = method_without_exact(diff, functions, self.method)
            # (a choice among several methods is logged, for every group)
            logged = None if isinstance(asked, str) else asked is None
            method, integrated = integrate(diff, asked, frozen=frozen, owner=self.name)
            statements.extend(substitute(s, now) for s in integrated)

        from nerve.functions.host import HostCalls

        # calls of Python functions: read from scratch columns the host fills
        hosts = HostCalls(self, functions)
        statements = hosts.statements(statements, "update", f"the equations of {owner}")
        constant = hosts.statements(constant, "subexpressions", f"the equations of {owner}")
        if hosts.functions:
            # (run_regularly / run_on_event code: its calls get scratch columns too)
            for runner in self.contained_objects:
                hosts.rewritten[f"runner_{runner.name}"] = hosts.statements(
                    self._runner_statements(runner), f"runner_{runner.name}",
                    f"the code of {runner.name!r}")
        # (subexpressions a monitor records, computed by their own programs)
        recorded_exprs = {name_: hosts.condition(self._expanded_subexprs[name_],
                                                 f"record_{name_}", f"the equations of {owner}")
                          for name_ in recorded}

        def program(stmts, condition=None):
            return self._program(stmts, resolver, condition,
                                 scratch=hosts.slots() if hosts.functions else None)

        update = program(statements) if statements else None
        subexpression_update = program(constant) if constant else None
        threshold = reset = None
        if self._threshold is not None:
            condition = substitute(self._threshold, subexprs)
            where = f"the threshold of {owner}"
            check_expression(condition, resolver.reading(self.threshold, where).dimension,
                             "boolean", source=self.threshold, where=where,
                             booleans=self._booleans())
            if "not_refractory" in self._dims:
                flag = refractory[0].value if derived else n.Name("not_refractory")
                # (a threshold that names the flag itself reads this step's)
                condition = n.BoolOp("and", substitute(condition, {"not_refractory": flag}),
                                     flag)
            condition = hosts.condition(condition, "threshold", where)
            threshold = program((), condition)
            spike = []
            if "lastspike" in self._dims:
                spike = [n.Assign("lastspike", "=", n.Name("t")),
                         n.Assign("not_refractory", "=", n.Number(0.0))]
            user = [substitute(s, subexprs) for s in self._reset]
            where = f"the reset of {owner}"
            check_statements(tuple(self._reset), resolver.reading(self.reset, where).dimension,
                             source=self.reset, where=where, booleans=self._booleans(),
                             read_only=subexprs, variables=resolver.variables)
            from nerve.groups.shared import refuse_shared_writes

            refuse_shared_writes(self._reset, self, self.reset, where)
            if spike or user:
                reset = program(hosts.statements(spike + user, "reset", where))
        elif self._reset:
            raise ModelDefinitionError(
                f"{owner} has a reset but no threshold: a reset only runs after a spike")
        self.method_chosen = method
        self._programs = _Programs(key, update, threshold, reset, method, tuple(statements),
                                   program(refractory) if derived else None)
        #: the subexpressions constant over dt, computed before the step
        self._programs.subexpressions = subexpression_update
        #: the calls of Python functions, evaluated before the programs using them
        self._programs.hosts = hosts
        self._programs.recorded = recorded_exprs
        self.__dict__["_host_calls"] = hosts
        if shared is not None and not hosts.functions:
            compiled.store(shared, (self._programs, logged, functions))
        return self._programs

    def _external_names(self, resolver, subexprs) -> tuple[tuple, tuple]:
        """The names of the model's code that may be external (sorted), and
        the functions it calls that the model language does not know. Worked
        out once for the parsed threshold, reset and refractory condition."""
        parsed = (self._threshold, self._reset, self._refractory)
        memo = self.__dict__.get("_names_memo")
        if memo is not None and all(a is b for a, b in zip(memo[0], parsed)):
            return memo[1], memo[2]
        # (the same for every group made from the same strings)
        unchanged = all(a is b for a, b in zip(self._parsed, parsed))
        found = _NAMES.get(self._model_key) if unchanged else None
        if found is None:
            from nerve.equations import statement_temporaries

            # (the reset's temporaries are not external names)
            temporaries = statement_temporaries(self._reset, resolver.variables)
            nodes_ = self._model_nodes()
            names = set(self.equations.names) | set(free_names(*nodes_)) - temporaries
            found = (tuple(sorted(names - set(self._dims) - set(subexprs))),
                     called_names(nodes_))
            if unchanged:
                if len(_NAMES) >= compiled.LIMIT:
                    del _NAMES[next(iter(_NAMES))]  # (the oldest)
                _NAMES[self._model_key] = found
        self.__dict__["_names_memo"] = (parsed, *found)
        return found

    def _period_key(self, dt: float):
        """A fixed refractory period in steps (None when there is none or it is
        a string, ``_INVALID`` when it is wrong: compiling reports it)."""
        if self._refractory is not None or self.refractory is False:
            return None
        try:
            return self._refractory_steps(dt)
        except Exception:
            return _INVALID

    def _shared_key(self, inputs):
        """The key of this compilation among all groups' (groups/compiled.py),
        or None when it must not be shared: a class that compiles otherwise,
        code changed since the group was made."""
        cls = type(self)
        if cls is not NeuronGroup and not all(
                getattr(cls, m) is getattr(NeuronGroup, m) for m in _COMPILE_METHODS):
            return None
        if not all(a is b for a, b in zip(self._parsed, (self._threshold, self._reset,
                                                          self._refractory))):
            return None
        return (self._model_key, inputs)

    def _adopt(self, entry, key, functions) -> _Programs:
        """The programs of another group compiled from the same inputs."""
        source, logged, _ = entry
        programs = _Programs(key, source.update, source.threshold, source.reset,
                             source.method, source.statements, source.refractory)
        programs.subexpressions = source.subexpressions
        programs.recorded = source.recorded
        # (no Python functions: no calls to make)
        programs.hosts = self.__dict__["_host_calls"] = _host_calls(self, functions)
        self.method_chosen = source.method
        self._programs = programs
        if logged is not None:
            from nerve.integrators.integrate import _log_choice

            _log_choice(source.method, logged, self.name, 0.0)
        return programs

    def _program(self, statements, resolver, condition=None, scratch=None):
        """The engine program of checked ``statements`` (then ``condition``,
        for a threshold-like program) over this group's columns, external
        names resolved by ``resolver``; ``scratch`` maps extra temporaries to
        engine columns beyond the group's own (e.g. recorded subexpressions).
        The one place where a group's code is lowered."""
        from nerve import _core
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        columns = {**self._slots, **(scratch or {})}
        nodes = (*statements, *(() if condition is None else (condition,)))
        temporaries = {s.target for s in statements} - set(columns)
        constants = resolver.constants(
            sorted(set(free_names(*nodes)) - temporaries - set(columns)))
        program = lower(tuple(statements), columns=columns, constants=constants,
                        condition=condition, dtypes=self._dtypes,
                        functions=resolver.functions(nodes), dt=self.clock.dt_)
        return _core.Program(encode(program), list(program.tables))

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
