"""How a neuron group takes part in a run: its operations in the schedule
(state update, threshold, reset; user code run regularly or on events),
and what ``store()`` keeps of it."""

from __future__ import annotations

import numpy as np

from nerve.core.schedule import Operation
from nerve.exceptions import ModelDefinitionError
from nerve.groups.usercode import CodeRunner, condition_program, names_in

__all__ = ["ScheduledGroup"]

#: the event buffer of spikes (custom events get the next ones)
SPIKE = 0


class ScheduledGroup:
    """Mixin of :class:`~nerve.groups.NeuronGroup` (see the module docstring)."""

    default_when = "groups"

    def _engine_group(self, run, programs=None) -> int:
        """The group's index in the run. Its engine columns are its state
        columns, then one scratch column per subexpression that some object
        reads during the run (see :meth:`_subexpression_slot`). ``programs``:
        the group's programs for this run, when the caller has them."""
        if not run.has_group(self):
            observed = run.observed.get(id(self), ())
            # (compiled first: the scratch columns of Python function calls come next)
            if programs is None:
                programs = self._compile(run.namespace, frozenset(observed))
            hosts = programs.hosts
            host_columns = [hosts.arrays[name] for name in hosts.names] if hosts else []
            names = sorted(n for n in observed if n in self._subexpressions)
            scratch = self.__dict__.setdefault("_scratch", {})
            for name in names:
                if name not in scratch or len(scratch[name]) != self.N:
                    scratch[name] = np.zeros(self.N)
            first = len(self._columns) + len(host_columns)
            slots = {name: first + k for k, name in enumerate(names)}
            self.__dict__["_scratch_slots"] = slots
            columns = (self._column_list() + host_columns
                       + [scratch[name] for name in names])
            return run.group(self, self.N, columns, self._rng.get(), 1 + len(self.events))
        return run.group_index(self)

    def _subexpression_slot(self, run, name: str, operation) -> tuple[int, list]:
        """The engine column of subexpression ``name`` (declared observed by
        the caller) and the operation that computes it, to run just before
        ``operation``."""
        from nerve.equations import nodes as n

        g = self._engine_group(run)
        slots = self.__dict__["_scratch_slots"]
        target = f"_subexpression_{name}"
        namespace = self.namespace if self.namespace is not None else run.namespace
        resolver = self._resolver(namespace, f"the subexpression {self.name}.{name}")[0]
        programs = self._programs  # (compiled by _engine_group)
        hosts = programs.hosts
        expr = programs.recorded.get(name, self._expanded_subexpressions()[name])
        program = self._program((n.Assign(target, "=", expr),), resolver,
                                scratch={target: slots[name],
                                         **(hosts.slots() if hosts else {})})
        compute = Operation(f"{operation.name}_{name}", "update", operation.clock,
                            operation.when, operation.order, g, 0, program, self,
                            "Subexpression")
        compute.prelude = [*self._link_prelude(run, compute),
                           *(hosts.prelude(run, f"record_{name}", resolver, compute)
                             if hosts else [])]
        return slots[name], [compute]

    # -- user code and events -------------------------------------------------

    @property
    def contained_objects(self) -> tuple:
        """The code runners of this group (``run_regularly``, ``run_on_event``)."""
        return tuple(self.__dict__.get("_runners", ()))

    def _add_runner(self, runner):
        self.__dict__.setdefault("_runners", []).append(runner)
        return runner

    def run_regularly(self, code, dt=None, clock=None, when="start", order=0, name=None):
        """Run the statements ``code`` on every neuron at every step of the
        runner's clock (the group's, or one with ``dt``). Returns the runner
        (set ``.active = False`` to pause it)."""
        if name is None:
            name = self._runner_name("run_regularly")
        return self._add_runner(CodeRunner(self, code, dt=dt, clock=clock, when=when,
                                           order=order, name=name))

    def run_on_event(self, event, code, when="after_resets", order=None):
        """Run the statements ``code`` on the neurons where ``event``
        happened this step (``'spike'`` or a custom event)."""
        self._event_index(event)
        return self._add_runner(CodeRunner(
            self, code, event=event, when=when, order=self.order if order is None else order,
            name=self._runner_name(f"{event}_resetter"), type_name="Resetter"))

    def set_event_schedule(self, event, when="after_thresholds", order=None):
        """Where in a step the condition of a custom event is checked."""
        if event not in self.events:
            raise ModelDefinitionError(f"{self.name!r} has no custom event {event!r}")
        self.__dict__.setdefault("_event_schedule", {})[event] = (
            when, self.order if order is None else order)

    def _runner_name(self, suffix: str) -> str:
        taken = {r.name for r in self.contained_objects}
        base = f"{self.name}_{suffix}"
        name, k = base, 1
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        return name

    def _event_index(self, event: str) -> int:
        """The engine's event buffer of ``event`` (0: spikes)."""
        if event == "spike":
            if self._threshold is None:
                raise ModelDefinitionError(
                    f"{self.name!r} has no event 'spike': did you forget to define a threshold?")
            return SPIKE
        try:
            return 1 + list(self.events).index(event)
        except ValueError:
            known = ", ".join(["spike"] * (self._threshold is not None) + list(self.events))
            raise ModelDefinitionError(
                f"{self.name!r} has no event {event!r} (its events: {known or 'none'})"
            ) from None

    def _link_prelude(self, run, operation, names=None) -> list:
        """Copies of linked variables to run just before ``operation``."""
        if not self.__dict__.get("_links"):
            return []
        from nerve.groups.linked import prelude

        return prelude(self, run, operation.clock, operation.when, operation.order,
                       operation.name, names)

    def _dependencies(self):
        return tuple({id(source): source
                      for source, _, _ in self.__dict__.get("_links", {}).values()}.values())

    def _observes(self):
        names = set()
        for event, condition in self.events.items():
            names |= names_in(condition, f"the condition of event {event!r}", condition=True)
        return {self: names} if names else {}

    def _contribute(self, run) -> None:
        observed = frozenset(run.observed.get(id(self), ()))
        programs = self._compile(run.namespace, observed)
        g = self._engine_group(run, programs)
        name, clock = self.name, self.clock

        namespace = self.namespace if self.namespace is not None else run.namespace
        # (names of Python functions' arguments are resolved for their calls)
        resolver = (self._resolver(namespace, f"NeuronGroup {self.name!r}")[0]
                    if programs.hosts else None)

        def op(suffix, kind, when, type_name, program=None, event=SPIKE, role=None):
            operation = Operation(f"{name}_{suffix}", kind, clock, when, self.order, g, event,
                                  program, self, type_name)
            operation.prelude = [*self._link_prelude(run, operation),
                                 *(programs.hosts.prelude(run, role, resolver, operation)
                                   if programs.hosts else [])]
            run.add(operation)

        if programs.subexpressions is not None:
            op("subexpression_update", "update", "before_start", "SubexpressionUpdater",
               programs.subexpressions, role="subexpressions")
        if programs.update is not None:
            op("stateupdater", "update", self.when, "StateUpdater", programs.update,
               role="update")
        if programs.threshold is not None:
            op("spike_thresholder", "detect", "thresholds", "Thresholder", programs.threshold,
               role="threshold")
        if programs.reset is not None:
            op("spike_resetter", "on_event", "resets", "Resetter", programs.reset,
               role="reset")
        schedule = self.__dict__.get("_event_schedule", {})
        for k, (event, condition) in enumerate(self.events.items(), start=1):
            program = condition_program(self, condition, f"the condition of event {event!r}",
                                        namespace)
            when, order = schedule.get(event, ("after_thresholds", self.order))
            operation = Operation(f"{name}_{event}_thresholder", "detect", clock, when, order,
                                  g, k, program, self, "Thresholder")
            operation.prelude = self._link_prelude(run, operation)
            run.add(operation)
        run.after_run(lambda: self._after_run(programs, self.clock.timestep - 1))

    def _snapshot(self):
        return ({k: c.copy() for k, c in self._columns.items()}, *self._rng.snapshot())

    def _restore(self, snapshot) -> None:
        columns, rng, epoch = snapshot
        for k, column in columns.items():
            self._columns[k][:] = column
        self._rng.set(rng.copy(), epoch)

    @property
    def t(self):
        """The current time of the group's clock."""
        return self.clock.t

    @property
    def t_(self) -> float:
        return self.clock.t_

    @property
    def dt(self):
        """The time step of the group's clock."""
        return self.clock.dt

    @property
    def dt_(self) -> float:
        return self.clock.dt_
