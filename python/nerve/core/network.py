"""Network: a set of objects simulated together.

``Network.run`` asks every object for its operations (see
:mod:`nerve.core.schedule`), sorts them by the network's schedule, and
hands the whole run to the engine in one call, with the GIL released. The
engine returns to Python only for ``network_operation`` functions and
progress reports.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import deque

from nerve.core.base import NerveObject
from nerve.core.clock import _seconds
from nerve.core.report import Reporter, make_report
from nerve.core.schedule import (DEFAULT_SCHEDULE, RunBuilder, scheduling_table,
                                 slot_positions)
from nerve.core.threads import get_num_threads
from nerve.exceptions import (ArgumentTypeError, InvalidArgumentError, ModelDefinitionError,
                              SimulationError)

__all__ = ["Network", "run_lock", "running_networks"]

_network_ids = itertools.count(1)

#: Held for the whole of a run (re-entrant: code called from the run, such
#: as a ``network_operation``, may write state). nerve's own writes to group
#: state take it, so a write from another thread waits for the run to end
#: instead of racing with the engine.
run_lock = threading.RLock()

#: The networks whose run is in progress (``stop()`` stops them).
running_networks: list = []

#: Longest run accepted, in steps of the finest clock (2**40 as Brian2 warns
#: beyond; beyond 2**53 times stop being exact multiples of dt anyway).
_MAX_STEPS = 2 ** 40


def _duration_seconds(duration, what: str = "the duration of a run") -> float:
    value = _seconds(duration, what)
    if math.isnan(value) or value < 0:
        raise InvalidArgumentError(f"{what} must be a non-negative time, got {duration!r}")
    if math.isinf(value):
        raise InvalidArgumentError(f"{what} must be finite, got {duration!r}")
    return value


class _Host:
    """The engine's way back into Python during a run."""

    def __init__(self, builder: RunBuilder, reporter: Reporter | None, network):
        self.builder, self.reporter, self.network = builder, reporter, network

    def call(self, index, t, recordings):
        self.builder.deliver(recordings)
        self.network._t_now = t
        self.builder.hosts[index](t)
        return not self.network._stopped

    def flush(self, t, recordings):
        """Streamed recordings are due to be written out."""
        self.builder.deliver(recordings)
        return not self.network._stopped

    def poll(self, t):
        if self.reporter is not None:
            self.reporter.poll(t)
        return not self.network._stopped


class Network:
    """Objects (groups, monitors, operations) that run together, with their
    own time. ``Network(collect())`` takes what ``run()`` would take."""

    def __init__(self, *objects, name: str = "network"):
        self.id = next(_network_ids)
        self.name = name
        self.objects: list[NerveObject] = []
        self._t = 0.0
        self._t_now = None
        self._stored: dict[str, dict] = {}
        self._schedule: list[str] | None = None
        self._stopped = False
        self._running = False
        self.add(*objects)

    # -- membership -----------------------------------------------------------

    def add(self, *objects) -> None:
        """Add objects (or lists of objects) to the network."""
        self._add(objects, {id(o) for o in self.objects})

    def _add(self, objects, present: set) -> None:
        # (``present``: ids of the objects held, so adding n objects is not quadratic)
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self._add(obj, present)
            elif isinstance(obj, NerveObject):
                if id(obj) not in present:
                    present.add(id(obj))
                    self.objects.append(obj)
            else:
                raise ArgumentTypeError(f"a Network holds nerve objects, got {obj!r}")

    def remove(self, *objects) -> None:
        """Remove objects (or lists of objects) from the network."""
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self.remove(*obj)
                continue
            if obj not in self.objects:
                raise ArgumentTypeError(f"{obj!r} is not part of network {self.name!r}")
            self.objects.remove(obj)

    def __contains__(self, obj) -> bool:
        if isinstance(obj, str):
            return any(o.name == obj for o in self._all_objects())
        return obj in self._all_objects()

    def __getitem__(self, name: str):
        for obj in self._all_objects():
            if obj.name == name:
                return obj
        raise KeyError(f"network {self.name!r} has no object named {name!r}")

    def __len__(self) -> int:
        return len(self.objects)

    @property
    def t_(self) -> float:
        """The network's current time in seconds."""
        return self._t if self._t_now is None else self._t_now

    @property
    def t(self):
        """The network's current time."""
        from nerve.units import second

        return self.t_ * second

    # -- the schedule ---------------------------------------------------------

    @property
    def schedule(self) -> list[str]:
        """The order of the slots of a time step (Brian2's by default);
        ``before_X``/``after_X`` slots exist around each slot ``X``."""
        return list(DEFAULT_SCHEDULE if self._schedule is None else self._schedule)

    @schedule.setter
    def schedule(self, schedule) -> None:
        if schedule is None:
            self._schedule = None
            return
        if isinstance(schedule, str) or not all(isinstance(s, str) for s in schedule):
            raise ArgumentTypeError(f"a schedule is a list of slot names, got {schedule!r}")
        bad = [s for s in schedule if s.startswith(("before_", "after_"))]
        if bad:
            raise InvalidArgumentError(
                f"slot names cannot start with 'before_' or 'after_' ({bad[0]!r}): those "
                f"slots exist around every slot of the schedule")
        self._schedule = list(schedule)

    def _all_objects(self) -> list[NerveObject]:
        """The objects added and, recursively, the objects they contain
        (as they are now: e.g. a ``run_regularly`` added after the group)."""
        found: dict[int, NerveObject] = {}
        todo = deque(self.objects)
        while todo:
            obj = todo.popleft()
            if id(obj) not in found:
                found[id(obj)] = obj
                todo.extend(obj.contained_objects)
        return list(found.values())

    def _objects_in_order(self) -> list[NerveObject]:
        names = {}
        for obj in self._all_objects():
            if names.setdefault(obj.name, obj) is not obj:
                raise ModelDefinitionError(
                    f"two objects of network {self.name!r} are named {obj.name!r}; "
                    f"give them different names")
        return list(names.values())

    def _build(self, namespace) -> RunBuilder:
        """Every object's contribution, checked and sorted."""
        everything = self._objects_in_order()
        objects = [o for o in everything if o.active]
        present = {id(o) for o in everything}  # (a list's `in` made this quadratic)
        for obj in objects:
            for needed in obj._dependencies():
                if id(needed) not in present:
                    raise ModelDefinitionError(
                        f"{type(obj).__name__} {obj.name!r} uses {needed.name!r}, which is not "
                        f"part of the network: add it too")
        builder = RunBuilder(namespace=namespace, start=self._t)
        for obj in objects:
            for group, names in obj._observes().items():
                builder.observed.setdefault(id(group), set()).update(names)
        for obj in objects:
            obj._contribute(builder)
        positions = slot_positions(self.schedule)
        for op in builder.operations:
            if op.when not in positions:
                raise ModelDefinitionError(
                    f"{op.name!r} is scheduled in slot {op.when!r}, which is not in the "
                    f"network's schedule {self.schedule} (nor a before_/after_ slot of it)")
        builder.operations.sort(key=lambda op: (positions[op.when], op.order, op.name))
        builder.operations = [step for op in builder.operations for step in _expanded(op)]
        return builder

    def scheduling_summary(self) -> str:
        """The operations of a time step in the order they run: object, the
        object it belongs to, clock, slot, order, and whether it is active."""
        from nerve.core.magic import caller_namespace

        builder = self._build(caller_namespace(2))
        rows = []
        for op in builder.operations:
            if not op.listed:
                continue
            owner = op.owner
            part_of = f"{owner.name} ({type(owner).__name__})" if owner is not None else "--"
            dt = op.clock.dt
            steps = op.clock.dt_ / min(o.clock.dt_ for o in builder.operations)
            every = "every step" if round(steps) == 1 else f"every {round(steps)} steps"
            rows.append((f"{op.name} ({op.type_name})", part_of, f"{dt} ({every})", op.when,
                         op.order, "yes" if owner is None or owner.active else "no"))
        return scheduling_table(rows)

    # -- running --------------------------------------------------------------

    def stop(self) -> None:
        """Stop the run after the current time step (from a network operation)."""
        self._stopped = True

    def run(self, duration, report=None, report_period=None, namespace=None,
            profile=False, level=0):
        """Simulate for ``duration``; time continues from the previous run.

        ``namespace`` gives the external names of the model strings; by default
        they are looked up where ``run`` was called. ``report`` ('text',
        'stdout', 'stderr', 'tqdm' or a function ``f(elapsed, completed,
        start, duration)``) is called every ``report_period`` of wall time
        (10 s by default).
        """
        from nerve import _core

        if namespace is None:
            from nerve.core.magic import caller_namespace

            namespace = caller_namespace(level + 2)
        seconds = _duration_seconds(duration)
        report_fn = make_report(report)
        period = 10.0 if report_period is None else _duration_seconds(
            report_period, "report_period")
        with run_lock:
            if self._running:
                raise SimulationError(
                    f"network {self.name!r} is already running: run() cannot be called from "
                    f"a network_operation of the same network")
            self._running = True
            running_networks.append(self)
            try:
                self._run(_core, seconds, report_fn, period, namespace)
            finally:
                running_networks.remove(self)
                self._running = False
                self._t_now = None

    def _run(self, _core, seconds, report_fn, period, namespace) -> None:
        start = self._t
        end = start + seconds
        builder = self._build(namespace)
        everything = self._all_objects()
        for obj in everything:
            obj._network_id = self.id
        clocks = []
        clock_index = {}
        for op in builder.operations:
            if id(op.clock) not in clock_index:
                clock_index[id(op.clock)] = len(clocks)
                clocks.append(op.clock)
        for obj in everything:
            if id(obj.clock) not in clock_index:
                clock_index[id(obj.clock)] = len(clocks)
                clocks.append(obj.clock)
        intervals = [c._set_interval(start, end) for c in clocks]
        finest = min((c.dt_ for c in clocks), default=1.0)
        if seconds / finest > _MAX_STEPS:
            raise InvalidArgumentError(
                f"a run of {seconds:g} s at dt = {finest:g} s would take "
                f"{seconds / finest:.3g} time steps (at most {_MAX_STEPS:.3g}): "
                f"run for a shorter time or use a larger dt")
        from nerve.core.memory import overflow_error, run_arguments

        recording = run_arguments(builder, clocks, intervals)
        reporter = (Reporter(report_fn, start, seconds, period)
                    if report_fn is not None else None)
        ops = [(clock_index[id(op.clock)], op.kind, op.target, op.event, op.program)
               for op in builder.operations]
        self._stopped = False
        host = _Host(builder, reporter, self)
        error = None
        try:
            ticks, stopped, steps, recordings, error = _core.run(
                builder.groups, [(c.dt_, s, e) for c, (s, e) in zip(clocks, intervals)], ops,
                builder.state_recorders, builder.event_recorders, host,
                threads=get_num_threads(), links=builder.links,
                pathways=builder.pathways, inputs=builder.inputs, **recording)
            builder.deliver(recordings)
            if error is None and recordings[3] is not None:
                error = overflow_error(recordings[3], builder.recorder_owners)
            for clock, step in zip(clocks, steps):
                clock._step = step
            if stopped or error is not None:
                # the time of the next tick: the earliest clock
                self._t = min((c.t_ for c in clocks), default=end)
            else:
                self._t = end
        finally:
            builder.finish()
        if reporter is not None:
            reporter.done(self._t)
        if error is not None:
            if isinstance(error, KeyboardInterrupt):
                raise KeyboardInterrupt(
                    f"simulation interrupted at t={self._t:g} s; the state is consistent "
                    f"and a later run() continues from there")
            raise error

    # -- store / restore ------------------------------------------------------

    def store(self, name: str = "default", filename=None) -> None:
        """Remember the state of every object and the time, under ``name``
        (random streams too, for ``restore(..., restore_random_state=True)``).
        With ``filename``, the state goes to that file instead (a numpy
        ``.npz`` file, see :mod:`nerve.core.storefile`; random streams and
        spikes in flight along delays are not stored)."""
        everything = self._all_objects()
        if filename is not None:
            from nerve.core.storefile import write_state

            write_state(filename, name, self._t, everything)
            return
        self._stored[name] = {
            "t": self._t,
            "objects": {id(o): o._snapshot() for o in everything},
            "clocks": {id(o.clock): (o.clock, o.clock._dt) for o in everything},
        }

    def restore(self, name: str = "default", filename=None,
                restore_random_state: bool = False) -> None:
        """Go back to the state stored under ``name`` (recordings made since
        are dropped; ``dt`` is restored too). As in Brian2, random numbers
        are not restored unless ``restore_random_state=True``: runs after a
        restore draw new ones (e.g. new Poisson spikes each trial)."""
        after = None
        if filename is not None:
            from nerve.core.storefile import read_state

            if restore_random_state:
                from nerve.exceptions import NotSupportedError

                raise NotSupportedError("random streams are not stored in files: use "
                                        "restore(filename=...) without restore_random_state")
            t, objects, clocks, after = read_state(filename, name, self._all_objects())
            stored = {"t": t, "objects": objects, "clocks": clocks}
        elif name not in self._stored:
            raise KeyError(f"nothing was stored under the name {name!r} "
                           f"(stored: {sorted(self._stored)})")
        else:
            stored = self._stored[name]
        with run_lock:
            for obj in self._all_objects():
                if id(obj) in stored["objects"]:
                    source = getattr(obj, "_rng", None)
                    current = source.state() if source is not None else None
                    obj._restore(stored["objects"][id(obj)])
                    if current is not None and not restore_random_state:
                        source.set_state(current)
            self._t = stored["t"]
            for clock, dt in stored["clocks"].values():
                clock._dt = dt
                clock._old_dt = None
                clock._set_t(self._t)
            if after is not None:
                after()

    def __repr__(self) -> str:
        return f"<Network {self.name!r} with {len(self.objects)} objects at t={self._t:g} s>"


def _expanded(operation):
    """``operation`` with the operations that must run just before and after
    it (which may have their own), in order."""
    for before in operation.prelude:
        yield from _expanded(before)
    yield operation
    for after in operation.postlude:
        yield from _expanded(after)
