"""How a neuron group takes part in a run: its operations in the schedule
(state update, threshold, reset; user code run regularly or on events),
and what ``store()`` keeps of it."""

from __future__ import annotations

from nerve.core.schedule import Operation

__all__ = ["ScheduledGroup"]

#: the event buffer of spikes (custom events get the next ones)
SPIKE = 0


class ScheduledGroup:
    """Mixin of :class:`~nerve.groups.NeuronGroup` (see the module docstring)."""

    default_when = "groups"

    def _engine_group(self, run) -> int:
        return run.group(self, self.N, self._column_list(), self._rng.get(),
                         1 + len(getattr(self, "_custom_events", ())))

    def _contribute(self, run) -> None:
        observed = frozenset(run.observed.get(id(self), ()))
        programs = self._compile(run.namespace, observed)
        g = self._engine_group(run)
        name, clock = self.name, self.clock

        def op(suffix, kind, when, type_name, program=None, event=SPIKE):
            run.add(Operation(f"{name}_{suffix}", kind, clock, when, self.order, g, event,
                              program, self, type_name))

        if programs.update is not None:
            op("stateupdater", "update", self.when, "StateUpdater", programs.update)
        if programs.threshold is not None:
            op("spike_thresholder", "detect", "thresholds", "Thresholder", programs.threshold)
        if programs.reset is not None:
            op("spike_resetter", "on_event", "resets", "Resetter", programs.reset)
        for extra in getattr(self, "_extra_operations", lambda run, g: ())(run, g):
            run.add(extra)
        run.after_run(lambda: self._after_run(programs, self.clock.timestep - 1))

    def _snapshot(self):
        from nerve.core.seeding import _state

        return ({k: c.copy() for k, c in self._columns.items()}, self._rng.get().copy(),
                _state["epoch"])

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
