"""Building ``_core.run`` schedules for the engine tests: the one-clock
schedule of neuron groups (update, threshold, reset), state recorders at
the start of each step and spike recorders after the thresholds."""

from __future__ import annotations

from nerve import _core


def one_clock_run(groups, state_monitors, spike_groups, start, n_steps, dt, threads=0,
                  host=None):
    """``groups``: ``(n, columns, update, threshold, reset, rng)``;
    ``state_monitors``: ``(group, column_slots, indices)``; ``spike_groups``:
    group indices. Returns ``(steps, stopped, spikes, records, error)``:
    per spike group ``(indices, times)``, per state monitor a list of
    ``(steps, len(indices))`` arrays (one per column)."""
    engine_groups = [(n, cols, rng, 1) for n, cols, _, _, _, rng in groups]
    ops = [(0, "record_state", k, 0, None) for k in range(len(state_monitors))]
    for g, (_, _, update, threshold, reset, _) in enumerate(groups):
        if update is not None:
            ops.append((0, "update", g, 0, update))
    for g, (_, _, _, threshold, _, _) in enumerate(groups):
        if threshold is not None:
            ops.append((0, "detect", g, 0, threshold))
    ops += [(0, "record_events", k, 0, None) for k in range(len(spike_groups))]
    for g, (_, _, _, _, reset, _) in enumerate(groups):
        if reset is not None:
            ops.append((0, "on_event", g, 0, reset))
    events = [(g, 0, 0, groups[g][0], []) for g in spike_groups]
    ticks, stopped, _, (state, spikes, _, _), error = _core.run(
        engine_groups, [(dt, start, start + n_steps)], ops, state_monitors, events, host,
        threads=threads)
    records = [values for _, values in state]
    spikes = [(indices, times) for indices, times, _, _ in spikes]
    return ticks, stopped, spikes, records, error
