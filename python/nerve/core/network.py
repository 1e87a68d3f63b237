"""Network: a set of objects simulated together.

``Network.run`` compiles what changed, then hands the whole schedule (every
time step, every object) to the engine in one call, with the GIL released.
Per step, as in Brian2: state monitors record, groups update, thresholds
detect spikes, spike monitors record, resets run.
"""

from __future__ import annotations

import itertools
import sys
import time

from nerve.core.base import NerveObject
from nerve.core.clock import timestep
from nerve.core.threads import get_num_threads
from nerve.exceptions import ModelDefinitionError

__all__ = ["Network"]

_network_ids = itertools.count(1)


def _duration_seconds(duration) -> float:
    from nerve.core.clock import _seconds

    value = _seconds(duration, "the duration of a run")
    if value < 0:
        raise ValueError(f"the duration of a run cannot be negative, got {duration!r}")
    return value


class _TextReport:
    """``report='text'``: progress lines on stdout every ``period`` seconds."""

    def __init__(self, start_t: float, duration: float, n_steps: int, period: float,
                 stream=None):
        self.start_t, self.duration, self.n_steps, self.period = (
            start_t, duration, n_steps, period)
        self.stream = stream or sys.stdout
        self.began = time.perf_counter()
        self.last = self.began
        print(f"Starting simulation at t={self.start_t:g} s for a duration of "
              f"{self.duration:g} s", file=self.stream)

    def __call__(self, steps_done: int) -> None:
        now = time.perf_counter()
        if now - self.last < self.period and steps_done < self.n_steps:
            return
        self.last = now
        frac = steps_done / self.n_steps if self.n_steps else 1.0
        elapsed = now - self.began
        line = (f"{frac * self.duration:g} s ({100 * frac:.0f}%) simulated in "
                f"{elapsed:.2g} s")
        if 0 < frac < 1:
            line += f", estimated {elapsed * (1 - frac) / frac:.2g} s remaining."
        print(line, file=self.stream)


class Network:
    """Objects (groups, monitors) that run together, with their own time."""

    def __init__(self, *objects, name: str = "network"):
        self.id = next(_network_ids)
        self.name = name
        self.objects: list[NerveObject] = []
        self._t = 0.0
        self._stored: dict[str, dict] = {}
        self.add(*objects)

    # -- membership -----------------------------------------------------------

    def add(self, *objects) -> None:
        """Add objects (or lists of objects) to the network."""
        for obj in objects:
            if isinstance(obj, (list, tuple, set)):
                self.add(*obj)
            elif isinstance(obj, NerveObject):
                if obj not in self.objects:
                    self.objects.append(obj)
                    self.add(*obj.contained_objects)
            else:
                raise TypeError(f"a Network holds nerve objects, got {obj!r}")

    def remove(self, *objects) -> None:
        """Remove objects from the network."""
        for obj in objects:
            self.objects.remove(obj)

    def __contains__(self, obj) -> bool:
        return obj in self.objects

    def __len__(self) -> int:
        return len(self.objects)

    @property
    def t_(self) -> float:
        """The network's current time in seconds."""
        return self._t

    @property
    def t(self):
        """The network's current time."""
        from nerve.units import second

        return self._t * second

    # -- running --------------------------------------------------------------

    def _partition(self):
        from nerve.groups.neurongroup import NeuronGroup
        from nerve.monitors import SpikeMonitor, StateMonitor

        groups = [o for o in self.objects if isinstance(o, NeuronGroup)]
        state = [o for o in self.objects if isinstance(o, StateMonitor)]
        spikes = [o for o in self.objects if isinstance(o, SpikeMonitor)]
        for monitor in state + spikes:
            if monitor.source not in groups:
                raise ModelDefinitionError(
                    f"{type(monitor).__name__} {monitor.name!r} records from "
                    f"{monitor.source.name!r}, which is not part of the network: "
                    f"add the group too")
        return groups, state, spikes

    def run(self, duration, report=None, report_period=None, namespace=None,
            profile=False, level=0):
        """Simulate for ``duration``; time continues from the previous run.

        ``namespace`` gives the external names of the model strings; by default
        they are looked up where ``run`` was called. ``report='text'`` prints
        progress every ``report_period`` (10 s of wall time by default).
        """
        from nerve import _core

        if namespace is None:
            from nerve.core.magic import caller_namespace

            namespace = caller_namespace(level + 2)
        seconds = _duration_seconds(duration)
        groups, state_monitors, spike_monitors = self._partition()
        clocks = {o.clock for o in self.objects}
        dts = {c.dt_ for c in clocks}
        if len(dts) > 1:
            raise NotImplementedError(
                "objects with different time steps in one network are not supported yet "
                f"(dt values: {sorted(dts)})")
        dt = dts.pop() if dts else 1e-4
        start = timestep(self._t, dt)
        n_steps = timestep(self._t + seconds, dt) - start
        for clock in clocks:
            clock._step = start

        observed = {}
        for m in state_monitors:
            observed.setdefault(id(m.source), set()).update(m.record_variables)
        programs = [g._compile(namespace, frozenset(observed.get(id(g), ())))
                    for g in groups]
        engine_groups = [(g.N, g._column_list(), p.update, p.threshold, p.reset, g._rng.get())
                         for g, p in zip(groups, programs)]
        index = {id(g): k for k, g in enumerate(groups)}
        engine_state = [(index[id(m.source)], m._slots, m.record) for m in state_monitors]
        spike_groups = sorted({index[id(m.source)] for m in spike_monitors})

        progress = None
        if report is not None:
            period = 10.0 if report_period is None else _duration_seconds(report_period)
            if report == "text" or report == "stdout":
                progress = _TextReport(self._t, seconds, n_steps, period)
            elif report == "stderr":
                progress = _TextReport(self._t, seconds, n_steps, period, sys.stderr)
            elif callable(report):
                user = report

                def progress(steps_done, _n=n_steps, _t0=self._t):
                    user(steps_done * dt * _second(), _t0 * _second(),
                         seconds * _second(), steps_done / _n if _n else 1.0)
            else:
                raise ValueError(f"report must be None, 'text', 'stderr' or a function, "
                                 f"got {report!r}")

        steps_done, interrupted, spikes, records = _core.run(
            engine_groups, engine_state, spike_groups, start, n_steps, dt, progress,
            threads=get_num_threads())
        by_group = dict(zip(spike_groups, spikes))
        for monitor in spike_monitors:
            indices, times = by_group[index[id(monitor.source)]]
            monitor._append(indices, times)
        for monitor, arrays in zip(state_monitors, records):
            monitor._append(start, steps_done, arrays, dt)
        end = start + steps_done
        if steps_done:
            for g, p in zip(groups, programs):
                g._after_run(p, end - 1)
        self._t = end * dt
        for clock in clocks:
            clock._step = end
        for obj in self.objects:
            obj._network_id = self.id
        if progress is not None and not interrupted and isinstance(progress, _TextReport):
            progress(n_steps)
        if interrupted:
            raise KeyboardInterrupt(
                f"simulation interrupted at t={self._t:g} s after {steps_done} of {n_steps} "
                f"steps; the state is consistent and a later run() continues from there")

    # -- store / restore ------------------------------------------------------

    def store(self, name: str = "default") -> None:
        """Remember the state of every object and the time, under ``name``."""
        from nerve.core.seeding import _state

        groups, state_monitors, spike_monitors = self._partition()
        self._stored[name] = {
            "t": self._t,
            "groups": {id(g): ({k: c.copy() for k, c in g._columns.items()},
                               g._rng.get().copy(), _state["epoch"]) for g in groups},
            "state": {id(m): len(m._times) for m in state_monitors},
            "spikes": {id(m): len(m._i) for m in spike_monitors},
        }

    def restore(self, name: str = "default") -> None:
        """Go back to the state stored under ``name`` (recordings made since
        are dropped)."""
        if name not in self._stored:
            raise KeyError(f"nothing was stored under the name {name!r} "
                           f"(stored: {sorted(self._stored)})")
        stored = self._stored[name]
        groups, state_monitors, spike_monitors = self._partition()
        for g in groups:
            columns, rng, epoch = stored["groups"][id(g)]
            for k, column in columns.items():
                g._columns[k][:] = column
            g._rng.set(rng.copy(), epoch)
        for m in state_monitors:
            length = stored["state"][id(m)]
            m._times.truncate(length)
            for chunks in m._values.values():
                chunks.truncate(length)
        for m in spike_monitors:
            length = stored["spikes"][id(m)]
            m._i.truncate(length)
            m._times.truncate(length)
        self._t = stored["t"]
        for obj in self.objects:
            obj.clock._set_t(self._t)

    def __repr__(self) -> str:
        return f"<Network {self.name!r} with {len(self.objects)} objects at t={self._t:g} s>"


def _second():
    from nerve.units import second

    return second

