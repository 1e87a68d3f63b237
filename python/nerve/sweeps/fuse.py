"""Fusing the copies of a batch into one group.

The copies of a sweep are usually the same model with other values: the
same groups, of the same sizes, with the same equations, monitored the
same way. Run as K separate groups of N neurons, each engine step pays its
costs (one pass of the program, its events, its recorders) K times over N
lanes; fused, it pays them once over K*N lanes, which is what one big
group costs.

:func:`fuse` looks at the copies of a batch and, when they allow it, makes
one *fused* object for each object of a copy: a NeuronGroup of K*N neurons
whose lanes are the copies' neurons one copy after the other, Synapses
whose synapses are the copies' synapses one copy after the other (each
copy's connecting its own neurons), and one monitor recording all copies
for each monitor of a copy (the population rates of the copies are counted
from the spikes of one fused SpikeMonitor). An external constant the
copies' model strings use with different values (the swept parameter, say
``tau``) becomes a constant parameter of the fused group (or synapses),
holding each copy's value in its lanes; the same value in every copy stays
a constant. Each copy's lanes draw random numbers from the copy's own
streams (the engine's fused streams give a copy exactly the numbers it
draws alone), so a copy's results do not depend on being fused.
:meth:`Fused.scatter` then gives each copy's objects their part: state,
streams, clocks and recordings, as if each copy had run alone.

Fusing is an optimisation, never a change of results: copies that do not
allow it run as separate groups (see :func:`fuse` for what is fused), and
a fused run that fails is run again unfused.
"""

from __future__ import annotations

import numpy as np

from nerve.core.clock import timestep

__all__ = ["fuse", "Fused"]

#: lanes of the engine's chunks (nerve_core::CHUNK): a fused copy fits in
#: one, and a chunk holds at least two copies for fusing to pay
CHUNK = 1024

#: the model language's functions that draw random numbers
_RANDOM_CALLS = frozenset({"rand", "randn", "poisson"})


def fuse(copies: list) -> "Fused | None":
    """The fused objects of ``copies`` (built copies of a sweep), or None
    when they cannot be fused.

    Fused are copies whose objects are, in the same order, of these kinds,
    the same in every copy but for the values of external constants and
    the state:

    - NeuronGroups and PoissonGroups (rates given as values) of at most
      half a chunk (512 neurons), with the same model strings, method,
      refractoriness, custom events, clock, schedule and code runners
      (``run_regularly``, ``run_on_event``); no linked or shared variables,
      no Python functions in their code (a TimedArray only when it is the
      same object in every copy), no ``i`` or ``N`` in the
      code that runs (they would mean the fused group's), no random numbers
      in the reset or in code run on spikes;
    - Synapses between these groups or the same parts of them, with the
      same equations and code, on the spikes of the source (``on_pre``,
      with any delays: events still in flight at the end of the run go
      back to the copies' queues; named pathways, on custom events too) and
      of the target (``on_post``, without a delay of its own); no shared variables, random numbers or indices
      (``i``, ``j``, ``N``...) in the code that runs;
    - PoissonInputs onto whole groups with the same variable, number of
      sources, rate and weight (a value);
    - SpikeMonitors, EventMonitors, StateMonitors and PopulationRateMonitors
      of the groups or the same parts of them, in memory.

    Anything else runs unfused.
    """
    if len(copies) < 2:
        return None
    from nerve.groups.neurongroup import NeuronGroup
    from nerve.inputs.poissongroup import PoissonGroup
    from nerve.inputs.poissoninput import PoissonInput
    from nerve.monitors.ratemonitor import PopulationRateMonitor
    from nerve.monitors.spikemonitor import SpikeMonitor
    from nerve.monitors.statemonitor import StateMonitor
    from nerve.synapses.synapses import Synapses

    from nerve.groups.usercode import CodeRunner

    from nerve.monitors.spikemonitor import EventMonitor

    monitor_kinds = (SpikeMonitor, EventMonitor, StateMonitor, PopulationRateMonitor)
    kinds = [type(o) for o in copies[0].objects]
    if any(k not in (NeuronGroup, PoissonGroup, Synapses, PoissonInput, CodeRunner,
                     *monitor_kinds) for k in kinds):
        return None
    if any([type(o) for o in c.objects] != kinds for c in copies[1:]):
        return None
    columns = list(zip(*(c.objects for c in copies)))  # one tuple per object of a copy
    groups = {}
    for position, objs in enumerate(columns):
        if kinds[position] in (NeuronGroup, PoissonGroup):
            plan = _group_plan(objs)
            if plan is None:
                return None
            groups[position] = plan
    synapses, monitors = {}, {}
    for position, objs in enumerate(columns):
        if kinds[position] is Synapses:
            sides = (_position(copies, position, lambda S: S._pre_side.root),
                     _position(copies, position, lambda S: S._post_side.root))
            plan = _synapse_plan(objs) if all(p in groups for p in sides) else None
            if plan is None:
                return None
            plan.sides = sides
            synapses[position] = plan
        elif kinds[position] in monitor_kinds:
            source = _position(copies, position, lambda m: m._group)
            if source not in groups or not _same_monitors(objs):
                return None
            monitors[position] = source
        elif kinds[position] is PoissonInput:
            target = _position(copies, position, lambda p: p._root)
            if target not in groups or not _same_inputs(objs):
                return None
            monitors[position] = target
        elif kinds[position] is CodeRunner:  # (held by a variable: its group runs it)
            group = _position(copies, position, lambda r: r.group)
            if group not in groups:
                return None
    return Fused(copies, columns, groups, synapses, monitors)


def _same_inputs(inputs) -> bool:
    """PoissonInputs onto whole groups with the same target variable,
    number of sources, rate and weight (a value) in every copy."""
    first = inputs[0]

    def same(a, b) -> bool:
        return float(np.asarray(_si(a))) == float(np.asarray(_si(b)))

    for p in inputs:
        if (p._target is not p._root or p._weight_expr is not None
                or (p._target_var, p._N, p.when, p.order, p.active)
                != (first._target_var, first._N, first.when, first.order, True)
                or not same(p._rate, first._rate) or not same(p._weight, first._weight)
                or p.clock.dt_ != first.clock.dt_):
            return False
    return True


def _position(copies, position, of):
    """The position, in every copy, of the object ``of(object at
    position)`` (None when it is not the same position in every copy)."""
    found = set()
    for copy in copies:
        wanted = of(copy.objects[position])
        at = [k for k, o in enumerate(copy.objects) if o is wanted]
        found.add(at[0] if at else None)
    return found.pop() if len(found) == 1 else None


class _GroupPlan:
    """How the copies of one group (or synapses) fuse: the copies' objects
    (``groups``), the external constants whose values differ (name ->
    their dimension and each copy's SI value), and for synapses the
    positions of their sides' groups in a copy (``sides``)."""

    def __init__(self, groups, varying) -> None:
        self.groups, self.varying = groups, varying
        self.sides: tuple | None = None


def _group_plan(groups) -> "_GroupPlan | None":
    """The plan of the copies' ``groups`` (one NeuronGroup or PoissonGroup
    of each copy), or None when they cannot be fused (see :func:`fuse`)."""
    first = groups[0]
    n = first.N
    if n > CHUNK // 2:
        return None
    for g in groups:
        if (g.N != n or g._model_key != first._model_key or g.method != first.method
                or g.method_options is not None or g.events != first.events
                or _runners(g) != _runners(first)
                or g.__dict__.get("_links")
                or g.__dict__.get("_event_schedule") != first.__dict__.get("_event_schedule")
                or g.clock.dt_ != first.clock.dt_ or g.clock.t_ != first.clock.t_
                or (g.when, g.order, g.active) != (first.when, first.order, True)
                or not _same_refractory(g.refractory, first.refractory)):
            return None
    if any("shared" in eq.flags for _, eq in first.equations.items()):
        return None
    from nerve.equations import parse_expression, parse_statements

    code = {r: parse_statements(r.code, where=r.name) for r in first.contained_objects}
    conditions = [parse_expression(c, where=f"the event {e!r}") for e, c in first.events.items()]
    if (_calls(first._reset) & _RANDOM_CALLS
            or any(r.event is not None and _calls(code[r]) & _RANDOM_CALLS for r in code)):
        return None  # (resets and code on events draw from one stream per group)
    from nerve.groups.namespace import called_names, free_names
    from nerve.inputs.poissongroup import PoissonGroup

    if isinstance(first, PoissonGroup) and "rates" not in first._columns:
        return None  # (rates given as a string)
    keys = []
    for g in groups:
        namespace = g.namespace if g.namespace is not None else {}
        try:
            resolver, subexprs = g._resolver(namespace, f"NeuronGroup {g.name!r}")
            candidates, called = g._external_names(resolver, subexprs)
            # (and the names of the code runners' code and events' conditions)
            candidates = sorted({*candidates, *(n for r in g.contained_objects
                                                for n in r._names),
                                 *free_names(*conditions)})
            called = (*called, *called_names([*(s for c in code.values() for s in c),
                                              *conditions]))
            key = resolver.external_key(candidates)
        except Exception:
            return None  # (the unfused run reports it)
        if {"i", "N"} & set(candidates):
            return None
        keys.append(key)
    if not _shared_tables(called, groups):
        return None
    varying = _varying(keys, groups)
    if varying is None or (varying and isinstance(first, PoissonGroup)):
        return None
    return _GroupPlan(groups, varying)


def _shared_tables(called, objects) -> bool:
    """Whether every function among ``called`` is one TimedArray, the same
    object in every copy's namespace (a table the engine looks up: the
    fused lanes read what each copy reads). Python functions are not fused:
    they see the fused group's arrays, and may keep state between calls."""
    from nerve.functions.timedarray import TimedArray

    for name in called:
        found = [(o.namespace or {}).get(name) for o in objects]
        if not isinstance(found[0], TimedArray) or any(f is not found[0] for f in found):
            return False
    return True


def _runners(group) -> list:
    """What the fused group must run of ``group``'s code runners
    (``run_regularly``, ``run_on_event``)."""
    return [(type(r), r.code, r.event, r.when, r.order, r.active,
             None if r.clock is group.clock else r.clock.dt_)
            for r in group.contained_objects]


def _varying(keys, objects) -> "dict | None":
    """The external constants whose values differ between the copies
    (name -> (dimension, SI value of each copy)), from the copies' external
    keys; None when the copies' names differ otherwise."""
    varying = {}
    for at, entry in enumerate(keys[0]):
        name = entry[0]
        if len(entry) != 3:  # a unit, function, math constant or unknown name
            if any(k[at] != entry for k in keys):
                return None
            continue
        if any(len(k[at]) != 3 or k[at][:2] != entry[:2] for k in keys):
            return None
        if any(k[at][2] != entry[2] for k in keys):
            values = [float(np.asarray(_si(o.namespace[name]))) for o in objects]
            varying[name] = (entry[1], values)
    return varying


#: names whose meaning in synaptic code differs between a copy and fused synapses
_SYNAPTIC_INDICES = frozenset({"i", "j", "N", "N_pre", "N_post", "N_incoming", "N_outgoing"})


def _synapse_plan(synapses) -> "_GroupPlan | None":
    """The plan of synapses between groups (or the same parts of them) with
    the same equations and code in every copy, on the spikes of their
    source (``on_pre``, with any delays) and target (``on_post``, without a
    delay of its own), without shared variables, random numbers, or indices
    (``i``, ``j``, ``N``...) in the code that runs; None for others."""
    from nerve.equations import nodes as n
    from nerve.groups.namespace import called_names, free_names

    first = synapses[0]
    pathways = {key: first._statements[key][:2] for key in first._statements}
    for S in synapses:
        if ({k: v[:2] for k, v in S._statements.items()} != pathways
                or S._events != first._events
                or S.equations.text != first.equations.text
                or (S.method, S.method_options) != (first.method, None)
                or S._multisynaptic is not None or S.contained_objects
                or any(S._statements[k][0] == "post" for k in S._delay_columns)
                or S._shared - set(S._delay_columns.values())
                or any(q.pending() for q in S._queues.values())
                or any(eq.stochastic_variables for _, eq in S.equations.items())
                or S.clock.dt_ != first.clock.dt_ or S.clock.t_ != first.clock.t_
                or (S.when, S.order, S.active) != (first.when, first.order, True)
                or _range(S._pre_side) != _range(first._pre_side)
                or _range(S._post_side) != _range(first._post_side)):
            return None
    statements = [s for key in pathways for s in first._statements[key][2]]
    expressions = [eq.expr for _, eq in first.equations.items() if eq.expr is not None]
    names = set(free_names(*statements, *expressions))
    names -= {s.target for s in statements if isinstance(s, n.Assign) and s.op == "="}
    if (names & _SYNAPTIC_INDICES or _calls([*statements, *expressions]) & _RANDOM_CALLS
            or not _shared_tables(called_names([*statements, *expressions]), synapses)):
        return None
    keys = []
    for S in synapses:
        namespace = S.namespace if S.namespace is not None else {}
        try:
            resolver = S._resolver(namespace, f"Synapses {S.name!r}")[0]
            keys.append(resolver.external_key(sorted(names)))
        except Exception:
            return None
    varying = _varying(keys, synapses)
    return None if varying is None else _GroupPlan(synapses, varying)


def _range(side) -> tuple:
    """A side of synapses as ``(start, size)`` in its group (None for a side
    that is not part of a neuron group)."""
    return (side.start, side.n) if side.n is not None else None


def _parameter_lines(varying: dict) -> str:
    """Equations declaring each varying constant a constant parameter."""
    from nerve.units import DIMENSIONLESS, get_unit

    return "\n".join(f"{name} : {'1' if dim is DIMENSIONLESS else repr(get_unit(dim))} "
                     f"(constant)" for name, (dim, _) in varying.items())


def _si(value):
    """The SI number of a Quantity or number."""
    return getattr(value, "_value", value)


def _same_refractory(a, b) -> bool:
    if isinstance(a, (str, bool)) or isinstance(b, (str, bool)):
        return type(a) is type(b) and a == b
    try:
        return float(np.asarray(_si(a))) == float(np.asarray(_si(b)))
    except (TypeError, ValueError):
        return False


def _calls(nodes_) -> set:
    from nerve.equations import nodes as n
    from nerve.equations.nodes import walk

    return {sub.func for node in nodes_ for sub in walk(node) if isinstance(sub, n.Call)}


def _same_monitors(monitors) -> bool:
    from nerve.monitors.ratemonitor import PopulationRateMonitor
    from nerve.monitors.spikemonitor import EventMonitor

    first = monitors[0]
    for m in monitors:
        if (getattr(m, "_stream", None) is not None
                or (m.when, m.order, m.active) != (first.when, first.order, True)
                or m.clock.dt_ != first.clock.dt_):
            return False
        if isinstance(m, PopulationRateMonitor):
            if m._range != first._range or len(m._times):
                return False
        elif isinstance(m, EventMonitor):
            if (m.event != first.event or m.record != first.record
                    or m.record_variables != first.record_variables
                    or m._range != first._range or len(m._i) or m._count.any()):
                return False
        elif (m.record_variables != first.record_variables or len(m._times)
              or not np.array_equal(m._absolute, first._absolute)):
            return False
    return True


class Fused:
    """The fused objects of a batch (``objects``, to run), and how to give
    each copy its part afterwards (:meth:`scatter`)."""

    def __init__(self, copies, columns, groups, synapses, monitors) -> None:
        from nerve.core.seeding import seed_scope

        self.copies = copies
        self._columns = columns
        self._groups = groups
        self._synapses = synapses
        self._monitors = monitors
        self._made: dict[int, object] = {}
        self._rngs: dict[int, list] = {}
        self._rates: set[int] = set()
        # (made in a scope of their own: they take no stream of the script's seed)
        with seed_scope(0):
            for position, plan in groups.items():
                self._made[position] = self._fused_group(position, plan)
            for position, plan in synapses.items():
                self._made[position] = self._fused_synapses(plan)
            for position, source in monitors.items():
                self._made[position] = self._fused_monitor(position, self._made[source])
        # (code runners a copy's variables held run with their fused group)
        self.objects = [self._made[p] for p in range(len(columns)) if p in self._made]

    # -- making the fused objects ----------------------------------------

    def _fused_group(self, position: int, plan: _GroupPlan):
        from nerve.equations import Equations
        from nerve.groups.neurongroup import NeuronGroup

        groups = plan.groups
        first = groups[0]
        n, k = first.N, len(groups)
        model = first.equations
        if plan.varying:
            model = model + Equations(_parameter_lines(plan.varying))
        namespace = first.namespace if first.namespace is not None else {}
        name = f"fused_{first.name}_{id(self)}"
        if type(first) is NeuronGroup:
            fused = NeuronGroup(k * n, model, method=first.method, threshold=first.threshold,
                                reset=first.reset, refractory=first.refractory,
                                events=dict(first.events) or None, namespace=namespace,
                                clock=first.clock, order=first.order, name=name)
            fused.when = first.when
            for event, (when, order) in first.__dict__.get("_event_schedule", {}).items():
                fused.set_event_schedule(event, when, order)
        else:  # a PoissonGroup (its rates copied below)
            from nerve.units import Hz

            fused = type(first)(k * n, rates=0 * Hz, clock=first.clock, when=first.when,
                                order=first.order, namespace=namespace, name=name)
        for r in first.contained_objects:
            if r.event is None:
                dt = None if r.clock is first.clock else r.clock.dt
                fused.run_regularly(r.code, dt=dt, when=r.when, order=r.order)
            else:
                fused.run_on_event(r.event, r.code, when=r.when, order=r.order)
        for name, column in first._columns.items():
            fused._columns[name][:] = np.concatenate([g._columns[name] for g in groups])
        for name, (_, values) in plan.varying.items():
            fused._columns[name][:] = np.repeat(np.asarray(values, dtype=float), n)
        # each copy's lanes draw from the copy's own streams
        from nerve import _core

        parts = [g._rng.get() for g in groups]
        self._rngs[position] = parts
        source = fused._rng
        source.set(_core.Rng.fused(parts, n), source._scope["epoch"])
        return fused

    def _fused_synapses(self, plan: _GroupPlan):
        from nerve.equations import Equations
        from nerve.synapses.synapses import Synapses

        first = plan.groups[0]
        source, target = (self._made[p] for p in plan.sides)
        # (the fused synapses connect the fused groups whole: a copy's side,
        # part of its group or all of it, is a part of the copy's lanes)
        n_pre, n_post = first._pre_side.root.N, first._post_side.root.N
        a_pre, a_post = first._pre_side.start, first._post_side.start
        model = first.equations
        if plan.varying:
            model = model + Equations(_parameter_lines(plan.varying))
        code: dict = {}
        for key, (role, text, _) in first._statements.items():
            code.setdefault(f"on_{role}", {})[key] = text
        code["on_event"] = dict(first._events)
        # one delay for all (the same in every copy), else a delay per synapse
        delays = {}
        for key, column in first._delay_columns.items():
            values = {S._shared_values.get(column) if column in S._shared else None
                      for S in plan.groups}
            value = values.pop() if len(values) == 1 else None
            if value is not None:
                from nerve.units import second

                delays[key] = value * second
        if delays:
            code["delay"] = delays
        fused = Synapses(source, target, model, **code, method=first.method,
                         namespace=first.namespace if first.namespace is not None else {},
                         clock=first.clock, order=first.order,
                         name=f"fused_{first.name}_{id(self)}")
        fused.when = first.when
        fused.connect(i=np.concatenate([S._pre.astype(np.int64) + k * n_pre + a_pre
                                        for k, S in enumerate(plan.groups)]),
                      j=np.concatenate([S._post.astype(np.int64) + k * n_post + a_post
                                        for k, S in enumerate(plan.groups)]))
        for name in first._columns:
            fused._columns[name][:] = np.concatenate([S._columns[name] for S in plan.groups])
        sizes = [len(S._pre) for S in plan.groups]
        for name, (_, values) in plan.varying.items():
            fused._columns[name][:] = np.repeat(np.asarray(values, dtype=float), sizes)
        return fused

    def _fused_monitor(self, position: int, group):
        """The fused monitor (or Poisson input) of the copies' ``position``."""
        from nerve.inputs.poissoninput import PoissonInput
        from nerve.monitors.ratemonitor import PopulationRateMonitor
        from nerve.monitors.spikemonitor import EventMonitor, SpikeMonitor
        from nerve.monitors.statemonitor import StateMonitor

        monitors = self._columns[position]
        first = monitors[0]
        if isinstance(first, PoissonInput):
            return PoissonInput(group, first._target_var, first._N, first._rate, first._weight,
                                when=first.when, order=first.order)
        clock = group.clock if first.clock is first._group.clock else first.clock
        name = f"fused_{first.name}_{id(self)}"
        if isinstance(first, PopulationRateMonitor):
            # (the spikes of all copies, counted per copy and step afterwards)
            self._rates.add(position)
            return SpikeMonitor(group, name=name)
        if isinstance(first, SpikeMonitor):
            return SpikeMonitor(group, variables=first.record_variables or None,
                                record=first.record, when=first.when, order=first.order,
                                name=name)
        if isinstance(first, EventMonitor):
            return EventMonitor(group, first.event, variables=first.record_variables or None,
                                record=first.record, when=first.when, order=first.order,
                                name=name)
        n = first._group.N
        record = np.concatenate([m._absolute + k * n for k, m in enumerate(monitors)])
        fused = StateMonitor(group, first.record_variables, record=record, clock=clock,
                             when=first.when, order=first.order, name=name)
        return fused

    # -- giving each copy its part ----------------------------------------

    def run(self, duration: float) -> float:
        """Run the fused objects for ``duration`` seconds, in a network of
        their own; the time the run started (for :meth:`scatter`)."""
        from nerve.core.network import Network
        from nerve.units import second

        network = Network(*self.objects)
        start = network.t_
        network.run(duration * second, namespace={})
        return start

    def scatter(self, start: float = 0.0) -> None:
        """Give each copy's objects their part of the fused run (or runs)
        that started at time ``start`` (seconds): state, random streams,
        clocks, and what the monitors recorded."""
        for position, plan in self._groups.items():
            fused = self._made[position]
            n = plan.groups[0].N
            for k, g in enumerate(plan.groups):
                for name, column in g._columns.items():
                    column[:] = fused._columns[name][k * n:(k + 1) * n]
            fused._rng.get().unfuse(self._rngs[position])
            self._set_clocks(plan.groups, fused.clock)
            for k, runner in enumerate(fused.contained_objects):
                self._set_clocks([g.contained_objects[k] for g in plan.groups], runner.clock)
        for position, plan in self._synapses.items():
            fused = self._made[position]
            bounds = np.cumsum([0] + [len(S._pre) for S in plan.groups])
            for S, first, last in zip(plan.groups, bounds[:-1], bounds[1:]):
                for name, column in S._columns.items():
                    column[:] = fused._columns[name][first:last]
            self._set_clocks(plan.groups, fused.clock)
            self._scatter_in_flight(fused, plan.groups, bounds)
        for position in self._monitors:
            fused = self._made[position]
            monitors = self._columns[position]
            self._set_clocks(monitors, fused.clock)
            if not hasattr(fused, "_group"):
                continue  # (a Poisson input: nothing recorded)
            if position in self._rates:
                self._scatter_rates(fused, monitors, timestep(start, fused.clock.dt_))
            elif hasattr(fused, "_count"):
                self._scatter_spikes(fused, monitors)
            else:
                self._scatter_states(fused, monitors)

    @staticmethod
    def _scatter_in_flight(fused, synapses, bounds) -> None:
        """Events still in flight through the fused synapses' delays at the
        end of the run, handed to the copies' own queues: a copy run again
        delivers them as it would have alone."""
        for key, queue in fused._queues.items():
            flight = queue.in_flight()
            if not any(len(events) for events in flight):
                continue
            for S, first, last in zip(synapses, bounds[:-1], bounds[1:]):
                mine = [events[(events >= first) & (events < last)] - first
                        for events in flight]
                if any(len(events) for events in mine):
                    own = S._prepared_queue(key)
                    for steps, events in enumerate(mine):
                        if len(events):
                            own.inject(steps, events.astype(np.int32))

    @staticmethod
    def _set_clocks(objects, clock) -> None:
        for obj in objects:
            if obj.clock is not clock:
                obj.clock._set_t(clock.t_)

    @staticmethod
    def _copy_of(fused, monitors):
        """Of each spike the fused monitor recorded: the copy whose monitor
        records it (``len(monitors)`` when its neuron lies outside the
        monitor's part of the group) and its index in that monitor."""
        n, (a, b) = monitors[0]._group.N, monitors[0]._range
        i = fused._i.array
        copy, lane = np.divmod(i, n)
        outside = (lane < a) | (lane >= b)
        copy[outside] = len(monitors)
        return copy, lane - a

    @classmethod
    def _scatter_spikes(cls, fused, monitors) -> None:
        n, (a, b) = monitors[0]._group.N, monitors[0]._range
        k = len(monitors)
        if not fused.record:
            counts = fused._count.reshape(k, n)[:, a:b]
            for m, c in zip(monitors, counts):
                m._add_counts(c.copy())
            return
        copy, local = cls._copy_of(fused, monitors)
        order = np.argsort(copy, kind="stable")  # (each copy's events stay in time order)
        bounds = np.searchsorted(copy[order], np.arange(k + 1))
        times = fused._times.array[order]
        local = local[order].astype(np.int32)
        values = [fused._values[v].array[order] for v in fused.record_variables]
        for c, m in enumerate(monitors):
            part = slice(bounds[c], bounds[c + 1])
            m._append(local[part], times[part], [v[part] for v in values])

    @classmethod
    def _scatter_rates(cls, fused, monitors, start: int) -> None:
        """Each copy's spikes per step, as its PopulationRateMonitor computes
        its rates: the count divided by dt, then by the number of neurons."""
        clock = fused.clock
        (a, b), k = monitors[0]._range, len(monitors)
        dt, n = clock.dt_, b - a
        steps = clock.timestep - start
        step = np.rint(fused._times.array / dt).astype(np.int64) - start
        copy = cls._copy_of(fused, monitors)[0]
        counts = np.bincount(copy * steps + step, minlength=(k + 1) * steps)
        counts = counts[:k * steps].reshape(k, steps)
        times = np.arange(start, clock.timestep, dtype=np.int64) * dt
        for m, c in zip(monitors, counts):
            m._times.append(times.copy())
            m._rates.append(c / dt / n)

    @staticmethod
    def _scatter_states(fused, monitors) -> None:
        times = fused._times.array
        start = 0
        for m in monitors:
            stop = start + len(m.record)
            m._append(times.copy(), [np.ascontiguousarray(fused._values[v].array[:, start:stop])
                                     for v in m.record_variables])
            start = stop
