"""The schedule of a run: what every object contributes, and in what order.

An object that takes part in a run implements ``_contribute(run)``: it
registers the state it needs (``run.group(...)``, ``run.state_recorder(...)``,
``run.event_recorder(...)``, ``run.host(...)``) and adds :class:`Operation`\\ s
(``run.add(...)``). The network sorts the operations as Brian2 does — by the
slot of ``when`` in the network's schedule, then ``order``, then name — and
hands them to the engine, which runs them on their clocks
(``rust/nerve-core/src/schedule``). Nothing here knows a concrete kind of
object: a new kind plugs in by contributing operations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from nerve.exceptions import ModelDefinitionError

__all__ = ["DEFAULT_SCHEDULE", "Operation", "RunBuilder", "slot_positions",
           "scheduling_table"]

#: Brian2's default order of the slots of a time step.
DEFAULT_SCHEDULE = ("start", "groups", "thresholds", "synapses", "resets", "end")

#: The kinds of operation the engine knows.
KINDS = ("update", "detect", "on_event", "record_state", "record_events", "link", "host",
         "propagate", "synaptic", "generate", "binomial", "record_rate")


@dataclass
class Operation:
    """One entry of the schedule.

    ``kind`` is one of :data:`KINDS`; ``target`` the index of the group,
    recorder or host function it acts on (as returned by the
    :class:`RunBuilder`), ``event`` an event buffer of the group (0: spikes),
    ``program`` a compiled program for ``update``/``detect``/``on_event``.
    ``name``, ``owner`` and ``type_name`` are for ``scheduling_summary()``.
    ``prelude``: operations that must run immediately before this one
    (e.g. copying linked variables it reads).
    """

    name: str
    kind: str
    clock: Any
    when: str
    order: int
    target: int = 0
    event: int = 0
    program: Any = None
    owner: Any = None
    type_name: str = ""
    prelude: list = field(default_factory=list)
    #: operations that must run immediately after this one (e.g. spreading a
    #: shared variable computed once to every neuron)
    postlude: list = field(default_factory=list)
    #: whether ``scheduling_summary()`` shows it (False for the second
    #: operation of one Brian2 object, e.g. a summed variable's zeroing, and
    #: for the copies of linked variables)
    listed: bool = True


def slot_positions(schedule) -> dict[str, int]:
    """The position of every slot name, with the ``before_``/``after_``
    variants around each slot of ``schedule``."""
    positions = {}
    for k, slot in enumerate(schedule):
        positions[f"before_{slot}"] = 3 * k
        positions[slot] = 3 * k + 1
        positions[f"after_{slot}"] = 3 * k + 2
    return positions


@dataclass
class RunBuilder:
    """What the objects of one run contribute (see the module docstring)."""

    namespace: dict
    #: the time (seconds) at which the run starts
    start: float = 0.0
    #: group variables that some object reads during the run, by group id
    observed: dict = field(default_factory=dict)
    groups: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    state_recorders: list = field(default_factory=list)
    event_recorders: list = field(default_factory=list)
    hosts: list = field(default_factory=list)
    links: list = field(default_factory=list)
    #: programs over synapses (see ``nerve.synapses.code``), as ``_core.run``
    #: takes them; ``propagate``/``synaptic`` operations name them by index
    pathways: list = field(default_factory=list)
    #: what ``generate``/``binomial`` operations use (a ``_core.SpikeTable``,
    #: or ``(column, start, stop, n, p, weight)``), named by their ``event``
    inputs: list = field(default_factory=list)
    _group_index: dict = field(default_factory=dict)
    _state_sinks: list = field(default_factory=list)
    _event_sinks: list = field(default_factory=list)
    #: per-step counts of events in a range (``PopulationRateMonitor``)
    rate_recorders: list = field(default_factory=list)
    _rate_sinks: list = field(default_factory=list)
    #: per kind ("state", "events", "rate"): the object that owns each
    #: recorder and whether it streams (see ``nerve.core.memory``)
    recorder_owners: dict = field(default_factory=lambda: {"state": [], "events": [],
                                                           "rate": []})
    streamed: dict = field(default_factory=lambda: {"state": [], "events": [], "rate": []})
    #: per event recorder: whether it only counts events per neuron
    counted: list = field(default_factory=list)
    #: ``(owner, clock, bytes per recording, streamed)`` of the recordings
    #: whose size is known before the run
    memory_needs: list = field(default_factory=list)
    _finishers: list = field(default_factory=list)

    def group(self, owner, n: int, columns: list, rng, n_events: int = 1) -> int:
        """The engine index of the state of ``owner`` (registered once)."""
        key = id(owner)
        if key not in self._group_index:
            self._group_index[key] = len(self.groups)
            self.groups.append((n, columns, rng, n_events))
        return self._group_index[key]

    def has_group(self, owner) -> bool:
        return id(owner) in self._group_index

    def group_index(self, owner) -> int:
        try:
            return self._group_index[id(owner)]
        except KeyError:
            raise ModelDefinitionError(
                f"{owner!r} is used by another object of the run but is not part of it: "
                f"add it to the network") from None

    def _owned(self, kind: str, owner, streamed: bool) -> None:
        self.recorder_owners[kind].append(owner)
        self.streamed[kind].append(bool(streamed))

    def state_recorder(self, group: int, columns, indices,
                       sink: Callable[[Any, list], None], owner=None,
                       streamed: bool = False) -> int:
        """Record ``columns`` of ``group`` at ``indices``; ``sink(times,
        values)`` receives what was recorded (values: one array of shape
        (recordings, indices) per column). ``streamed``: the sink writes it
        elsewhere (only what is not yet handed over counts against memory)."""
        self.state_recorders.append((group, list(columns), [int(i) for i in indices]))
        self._state_sinks.append(sink)
        self._owned("state", owner, streamed)
        return len(self.state_recorders) - 1

    def event_recorder(self, group: int, event: int, start: int, stop: int,
                       sink: Callable[[Any, Any, list], None], columns=(), owner=None,
                       streamed: bool = False, count_only: bool = False) -> int:
        """Record the events of buffer ``event`` of ``group`` in
        ``start:stop``, and the values of ``columns`` there; ``sink(indices,
        times, values)`` receives them. ``count_only``: the engine keeps only
        the number of events of each neuron, and ``sink(counts)`` receives
        them (uint32, one per neuron of ``start:stop``)."""
        self.event_recorders.append((group, event, int(start), int(stop), list(columns)))
        self._event_sinks.append((sink, count_only))
        self.counted.append(bool(count_only))
        self._owned("events", owner, streamed)
        return len(self.event_recorders) - 1

    def rate_recorder(self, group: int, event: int, start: int, stop: int,
                      sink: Callable[[Any, Any], None], owner=None,
                      streamed: bool = False) -> int:
        """Count the events of buffer ``event`` of ``group`` in ``start:stop``
        at every step of the operation's clock; ``sink(times, counts)``."""
        self.rate_recorders.append((group, event, int(start), int(stop)))
        self._rate_sinks.append(sink)
        self._owned("rate", owner, streamed)
        return len(self.rate_recorders) - 1

    def memory_need(self, owner, clock, bytes_per_recording: int, streamed: bool = False):
        """Declare a recording of ``bytes_per_recording`` bytes at every step
        of ``clock`` (checked against free memory before the run)."""
        self.memory_needs.append((owner, clock, int(bytes_per_recording), bool(streamed)))

    def link(self, from_group: int, from_column: int, to_group: int, to_column: int,
             indices) -> int:
        """Copy ``from_group``'s column into ``to_group``'s through ``indices``
        (one per lane of ``to_group``) when the link operation runs."""
        self.links.append((from_group, from_column, to_group, to_column,
                           [int(i) for i in indices]))
        return len(self.links) - 1

    def host(self, function: Callable[[float], Any]) -> int:
        """A Python function the engine calls with the time in seconds."""
        self.hosts.append(function)
        return len(self.hosts) - 1

    def pathway(self, spec: tuple) -> int:
        """Register a program over synapses; returns its index."""
        self.pathways.append(spec)
        return len(self.pathways) - 1

    def input(self, spec) -> int:
        """Register the input of a ``generate``/``binomial`` operation;
        returns the index to give as the operation's ``event``."""
        self.inputs.append(spec)
        return len(self.inputs) - 1

    def add(self, operation: Operation) -> None:
        if operation.kind not in KINDS:
            raise ValueError(f"unknown operation kind {operation.kind!r}")
        self.operations.append(operation)

    def after_run(self, function: Callable[[], None]) -> None:
        """Call ``function()`` when the run has ended (also after an error)."""
        self._finishers.append(function)

    def deliver(self, recordings) -> None:
        """Hand recorded data to the objects that asked for it."""
        state, events, rates = recordings[:3]
        for sink, (times, values) in zip(self._state_sinks, state):
            if len(times):
                sink(times, values)
        for (sink, count_only), (indices, times, values, counts) in zip(self._event_sinks,
                                                                        events):
            if count_only:
                if counts is not None:
                    sink(counts)
            elif len(indices):
                sink(indices, times, values)
        for sink, (times, counts) in zip(self._rate_sinks, rates):
            if len(times):
                sink(times, counts)

    def finish(self) -> None:
        for function in self._finishers:
            function()


def scheduling_table(rows) -> str:
    """A table of the schedule, one line per operation."""
    header = ("object", "part of", "Clock dt", "when", "order", "active")
    widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
    line = lambda r: " | ".join(str(v).ljust(w) for v, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), "-+-".join("-" * w for w in widths),
                      *(line(r) for r in rows)])
