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
:class:`~nerve.sweeps.fused.Fused` makes the fused objects and then gives
each copy's objects their part: state, streams, clocks and recordings, as
if each copy had run alone.

Fusing is an optimisation, never a change of results: copies that do not
allow it run as separate groups (see :func:`fuse` for what is fused), and
a fused run that fails is run again unfused.
"""

from __future__ import annotations

import numpy as np

from nerve import _core

__all__ = ["fuse"]

#: the most neurons of a fused copy: half of the engine's chunk of lanes
#: (a fused copy fits in one chunk, and a chunk holds at least two copies for
#: fusing to pay)
MAX_COPY = _core.CHUNK // 2

#: the model language's functions that draw random numbers
_RANDOM_CALLS = frozenset({"rand", "randn", "poisson"})


def fuse(copies: list):
    """The fused objects of ``copies`` (built copies of a sweep): a
    :class:`~nerve.sweeps.fused.Fused`, or None when they cannot be fused.

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
    from nerve.sweeps.fused import Fused

    return Fused(columns, groups, synapses, monitors)


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
    if n > MAX_COPY:
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
