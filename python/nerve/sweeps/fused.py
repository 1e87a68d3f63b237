"""The fused objects of a batch of a sweep's copies, made from the plans of
:func:`nerve.sweeps.fuse.fuse`, and the copies' parts of their run given
back to the copies' objects (see :mod:`nerve.sweeps.fuse`)."""

from __future__ import annotations

import numpy as np

from nerve.core.clock import timestep
from nerve.sweeps.fuse import _GroupPlan, _parameter_lines

__all__ = ["Fused"]


class Fused:
    """The fused objects of a batch (``objects``, to run), and how to give
    each copy its part afterwards (:meth:`scatter`)."""

    def __init__(self, columns, groups, synapses, monitors) -> None:
        from nerve.core.seeding import seed_scope

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
