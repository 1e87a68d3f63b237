"""Compiling a neuron group's model into engine programs when a run starts.

Two stages:

1. *prepare*: check the units of the equations, threshold and reset, write
   the refractoriness statements, hoist calls constant over a step, integrate
   the differential equations, rewrite calls of Python functions. What comes
   out (statements and conditions) depends on the dimensions of the external
   names, not on their values.
2. *lower*: turn those statements into engine programs over the group's
   columns, the external names' values folded in as constants.

A group keeps its programs until something they depend on changes (the key
of ``_Programs``). Groups made from the same strings also share work
(:mod:`nerve.groups.compiled`): a group whose inputs are all those of an
earlier group (values included) takes its programs; one that differs only in
the values of external constants takes its prepared statements and only
lowers them. Groups whose code calls Python functions share nothing.
"""

from __future__ import annotations

from nerve._bounded import remember
from nerve.equations import nodes as n
from nerve.exceptions import ModelDefinitionError
from nerve.groups import compiled
from nerve.groups.compiled import number_key
from nerve.groups.namespace import called_names, free_names, substitute

__all__ = ["CompilingGroup"]

#: the temporary holding this step's ``not_refractory`` when it is derived
_NOT_REFRACTORY_NOW = "_not_refractory"

#: the methods compiling depends on: a subclass that redefines one does not
#: share its work with other groups
_COMPILE_METHODS = ("_compile_now", "_prepare", "_lower", "_program", "_resolver",
                    "_model_nodes", "_substituted_rhs", "_refractory_steps",
                    "_refractory_statements", "_runner_statements",
                    "_expanded_subexpressions", "_booleans", "_external_names",
                    "_period_key", "_shared_key", "_sources", "_adopt")
#: a refractory period that compiling will refuse
_INVALID = object()
#: CompilingGroup._external_names by model key (the names depend on the strings only)
_NAMES: dict = {}
#: whether a class compiles as its sharing base does, by class
_SHARES: dict = {}
#: programs kept per set of prepared statements (_Prepared.lowered)
_LOWERED_LIMIT = 64


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


class _Prepared:
    """What the first stage makes: checked statements, ready to be lowered."""

    __slots__ = ("update", "constant", "condition", "reset", "refractory", "method",
                 "logged", "recorded", "names", "lowered")

    def __init__(self, update, constant, condition, reset, refractory, method, logged,
                 recorded):
        #: the update statements (refractoriness and integration)
        self.update = update
        #: the assignments of subexpressions 'constant over dt'
        self.constant = constant
        #: the threshold condition (None: no threshold)
        self.condition = condition
        #: the statements run on a spike (empty: no reset program)
        self.reset = reset
        #: the statements computing ``not_refractory`` (for ``_Programs.refractory``)
        self.refractory = refractory
        #: the integration method used (None: no differential equation)
        self.method = method
        #: whether the method was chosen among several (logged for every group),
        #: and then whether by default (True) or from the methods given (False)
        self.logged = logged
        #: the expressions of recorded subexpressions
        self.recorded = recorded
        #: per program, the names its lowering looks up (see _program_names)
        self.names: dict = {}
        #: engine programs made from these statements, by program and the
        #: values of the constants it reads (groups differing in a constant
        #: that one program does not read share that program)
        self.lowered: dict = {}


def _host_calls(group, functions):
    from nerve.functions.host import HostCalls

    return HostCalls(group, functions)


def _log_choice(prepared: _Prepared, owner: str) -> None:
    """Log the choice of an integration method made for another group."""
    if prepared.logged is not None:
        from nerve.integrators.integrate import _log_choice as log

        log(prepared.method, prepared.logged, owner, 0.0)


class CompilingGroup:
    """Mixin of :class:`~nerve.groups.NeuronGroup`: its compilation (see the
    module docstring). The class named by ``_sharing_base`` (NeuronGroup) and
    subclasses that redefine none of :data:`_COMPILE_METHODS` share work."""

    _sharing_base: type | None = None

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
        prepared = None
        if shared is not None:
            entry = compiled.lookup(shared)
            if entry is not None:
                return self._adopt(entry, key, functions)
            # (the same inputs but the values of the external names)
            unvalued = ("prepared", shared[0], (inputs[0], tuple(e[:2] for e in externals),
                                                *inputs[2:]))
            prepared = compiled.lookup(unvalued)
            if prepared is not None:
                _log_choice(prepared, self.name)
        hosts = _host_calls(self, functions)
        if prepared is None:
            prepared = self._prepare(resolver, subexprs, dt, derived, functions, recorded,
                                     hosts, owner)
            if shared is not None and not hosts.functions:
                compiled.store(unvalued, prepared, functions.values())
        programs = self._lower(prepared, key, resolver, hosts, derived)
        if shared is not None and not hosts.functions:
            # (the programs without what belongs to this group: key, host calls)
            kept = _Programs(None, programs.update, programs.threshold, programs.reset,
                             programs.method, programs.statements, programs.refractory)
            kept.subexpressions, kept.recorded = programs.subexpressions, programs.recorded
            compiled.store(shared, (kept, prepared.logged), functions.values())
        return programs

    def _prepare(self, resolver, subexprs, dt, derived, functions, recorded, hosts,
                 owner) -> _Prepared:
        """The first stage (see the module docstring): checks, integration."""
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
            from nerve.functions.hoist import hoist_constant_calls, method_without_exact

            # (calls constant over the step, e.g. ta(t), computed before integrating)
            hoisted, diff = hoist_constant_calls(diff, functions, dt,
                                                 {eq.name for eq in diff})
            statements.extend(hoisted)
            frozen = frozenset(name_ for name_, eq in self.equations.items()
                               if "unless refractory" in eq.flags)
            asked = method_without_exact(diff, functions, self.method)
            # (a choice among several methods is logged, for every group)
            logged = None if isinstance(asked, str) else asked is None
            method, integrated = integrate(diff, asked, frozen=frozen, owner=self.name)
            statements.extend(substitute(s, now) for s in integrated)

        # calls of Python functions: read from scratch columns the host fills
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
        condition, reset = None, ()
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
                reset = tuple(hosts.statements(spike + user, "reset", where))
        elif self._reset:
            raise ModelDefinitionError(
                f"{owner} has a reset but no threshold: a reset only runs after a spike")
        return _Prepared(tuple(statements), tuple(constant), condition, reset,
                         tuple(refractory), method, logged, recorded_exprs)

    def _lower(self, prepared: _Prepared, key, resolver, hosts, derived) -> _Programs:
        """The second stage: the engine programs of ``prepared``, kept as this
        group's programs under ``key``."""
        scratch = hosts.slots() if hosts.functions else None
        columns = {**self._slots, **(scratch or {})}

        def program(role, stmts, condition=None):
            # (the names are the same for every group lowering these statements)
            names = prepared.names.get(role)
            if names is None:
                names = prepared.names[role] = _program_names(stmts, condition, columns)
            constants = resolver.constants(names[0])
            if scratch is not None:
                return self._program(stmts, resolver, condition, scratch=scratch, names=names,
                                     constants=constants)
            key = (role, tuple((k, number_key(v)) for k, v in constants.items()))
            found = prepared.lowered.get(key)
            if found is None:
                found = self._program(stmts, resolver, condition, names=names,
                                      constants=constants)
                if len(prepared.lowered) >= _LOWERED_LIMIT:
                    prepared.lowered.clear()
                prepared.lowered[key] = found
            return found

        update = program("update", prepared.update) if prepared.update else None
        subexpression_update = (program("constant", prepared.constant) if prepared.constant
                                else None)
        threshold = (program("threshold", (), prepared.condition)
                     if prepared.condition is not None else None)
        reset = program("reset", prepared.reset) if prepared.reset else None
        self.method_chosen = prepared.method
        programs = _Programs(key, update, threshold, reset, prepared.method, prepared.update,
                             program("refractory", prepared.refractory) if derived else None)
        #: the subexpressions constant over dt, computed before the step
        programs.subexpressions = subexpression_update
        #: the calls of Python functions, evaluated before the programs using them
        programs.hosts = self.__dict__["_host_calls"] = hosts
        programs.recorded = prepared.recorded
        self._programs = programs
        return programs

    def _external_names(self, resolver, subexprs) -> tuple[tuple, tuple]:
        """The names of the model's code that may be external (sorted), and
        the functions it calls that the model language does not know. Worked
        out once for the parsed threshold, reset and refractory condition."""
        parsed = self._sources()
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
                remember(_NAMES, self._model_key, found, compiled.LIMIT)
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
        shares = _SHARES.get(cls)
        if shares is None:
            base = self._sharing_base
            shares = _SHARES[cls] = base is not None and (cls is base or all(
                getattr(cls, m) is getattr(base, m) for m in _COMPILE_METHODS))
        if not shares or not all(a is b for a, b in zip(self._parsed, self._sources())):
            return None
        return (self._model_key, inputs)

    def _sources(self) -> tuple:
        """What the model key was made from, as the group holds it now: the
        parsed threshold, reset and refractory condition, and the equations
        (compared by identity with ``_parsed``, what they were when the group
        was made)."""
        return (self._threshold, self._reset, self._refractory, self.equations)

    def _adopt(self, entry, key, functions) -> _Programs:
        """The programs of another group compiled from the same inputs."""
        source, logged = entry
        programs = _Programs(key, source.update, source.threshold, source.reset,
                             source.method, source.statements, source.refractory)
        programs.subexpressions = source.subexpressions
        programs.recorded = source.recorded
        # (no Python functions: no calls to make)
        programs.hosts = self.__dict__["_host_calls"] = _host_calls(self, functions)
        self.method_chosen = source.method
        self._programs = programs
        if logged is not None:
            from nerve.integrators.integrate import _log_choice as log

            log(source.method, logged, self.name, 0.0)
        return programs

    def _program(self, statements, resolver, condition=None, scratch=None, names=None,
                 constants=None):
        """The engine program of checked ``statements`` (then ``condition``,
        for a threshold-like program) over this group's columns, external
        names resolved by ``resolver``; ``scratch`` maps extra temporaries to
        engine columns beyond the group's own (e.g. recorded subexpressions);
        ``names``: :func:`_program_names` of the code, and ``constants`` the
        values of the first ones, when known.
        The one place where a group's code is lowered."""
        from nerve import _core
        from nerve.ir.encode import encode
        from nerve.ir.lower import lower

        columns = {**self._slots, **(scratch or {})}
        if names is None:
            names = _program_names(statements, condition, columns)
        if constants is None:
            constants = resolver.constants(names[0])
        program = lower(tuple(statements), columns=columns, constants=constants,
                        condition=condition, dtypes=self._dtypes,
                        functions=resolver.functions_named(names[1]), dt=self.clock.dt_)
        return _core.Program(encode(program), list(program.tables))


def _program_names(statements, condition, columns) -> tuple[tuple, tuple]:
    """The names the lowering of ``statements`` and ``condition`` over
    ``columns`` looks up: those that may be external constants (sorted), and
    the called functions that the model language does not know."""
    nodes = (*statements, *(() if condition is None else (condition,)))
    temporaries = {s.target for s in statements} - set(columns)
    return (tuple(sorted(set(free_names(*nodes)) - temporaries - set(columns))),
            called_names(nodes))
