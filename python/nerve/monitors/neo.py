"""Recordings as Neo objects, for Elephant and the other tools of the Neo
ecosystem (needs ``neo``: ``pip install nerve[io]``).

- :func:`spike_trains_to_neo`: a ``SpikeMonitor``/``EventMonitor`` (in
  memory or streamed) as one ``neo.SpikeTrain`` per neuron (times in
  seconds, ``t_stop`` the end of the recording, the values of recorded
  variables as array annotations);
- :func:`trace_to_neo`: one variable of a ``StateMonitor`` as a
  ``neo.AnalogSignal`` (time along the first axis, one channel per recorded
  neuron, in the variable's units), or a ``PopulationRateMonitor``'s rate;
- :func:`to_neo_block`: several monitors in one ``neo.Block`` with one
  ``Segment``.

Units: a dimension with a name in ``quantities`` (volt, amp, siemens,
hertz...) gets that unit; any other is written as a product of SI base
units. Values are in SI units, as nerve stores them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spike_trains_to_neo", "trace_to_neo", "to_neo_block", "to_quantities_unit"]


def _imports():
    try:
        import neo
        import quantities as pq
    except ImportError:  # pragma: no cover - depends on the installation
        from nerve.exceptions import NotSupportedError

        raise NotSupportedError("exporting to Neo needs the neo package: "
                                "pip install nerve[io] (or pip install neo)") from None
    return neo, pq


def to_quantities_unit(dim):
    """The ``quantities`` unit of a nerve dimension (SI)."""
    _, pq = _imports()
    from nerve.units import (amp, coulomb, farad, hertz, ohm, second, siemens, volt, metre,
                             kilogram, joule, watt)

    named = [(volt, pq.V), (amp, pq.A), (siemens, pq.S), (hertz, pq.Hz), (second, pq.s),
             (ohm, pq.ohm), (farad, pq.F), (coulomb, pq.C), (metre, pq.m),
             (kilogram, pq.kg), (joule, pq.J), (watt, pq.W)]
    if dim.is_dimensionless:
        return pq.dimensionless
    for unit, q in named:
        if unit.dim is dim:
            return q
    base = (pq.m, pq.kg, pq.s, pq.A, pq.K, pq.mol, pq.cd)
    result = pq.dimensionless
    for b, exponent in zip(base, dim._exponents):
        if exponent:
            result = result * b ** float(exponent)
    return result


def _stop_time(monitor) -> float:
    """The time the monitor's clock has reached (the end of the last run)."""
    return float(monitor.clock.t_)


def spike_trains_to_neo(monitor, t_stop=None) -> list:
    """One ``neo.SpikeTrain`` per neuron of the monitor's source."""
    neo, pq = _imports()
    i = np.asarray(monitor.i)
    t = np.asarray(monitor.t_)
    size = monitor._range[1] - monitor._range[0]
    stop = _stop_time(monitor) if t_stop is None else float(t_stop)
    if len(t):
        stop = max(stop, float(t.max()) + monitor.clock.dt_)
    order = np.argsort(i, kind="stable")
    bounds = np.searchsorted(i[order], np.arange(size + 1))
    extra = {var: np.asarray(monitor._values[var].array)[order]
             for var in monitor.record_variables}
    trains = []
    for k in range(size):
        part = order[bounds[k]:bounds[k + 1]]
        train = neo.SpikeTrain(t[part], units=pq.s, t_start=0.0 * pq.s, t_stop=stop * pq.s,
                               name=f"{monitor.source.name}[{k}]")
        train.annotate(neuron=k, source=monitor.source.name, monitor=monitor.name)
        for var, values in extra.items():
            local = values[bounds[k]:bounds[k + 1]]
            dim = monitor._group._variable_dim(var)
            train.array_annotate(**{var: local * to_quantities_unit(dim)})
        trains.append(train)
    return trains


def trace_to_neo(monitor, variable=None):
    """A ``neo.AnalogSignal`` of a ``StateMonitor`` variable (shape: time x
    recorded neurons) or of a ``PopulationRateMonitor``'s rate."""
    neo, pq = _imports()
    from nerve.monitors.ratemonitor import PopulationRateMonitor

    if isinstance(monitor, PopulationRateMonitor):
        values, unit, name, channels = monitor.rate_[:, None], pq.Hz, "rate", None
    else:
        if variable is None:
            if len(monitor.record_variables) != 1:
                raise TypeError(f"{monitor.name!r} records {monitor.record_variables}: say "
                                f"which variable to export")
            variable = monitor.record_variables[0]
        values = np.asarray(getattr(monitor, variable + "_")).T
        unit = to_quantities_unit(monitor._group._variable_dim(variable))
        name, channels = variable, np.asarray(monitor.record)
    t = monitor.t_
    start = float(t[0]) if len(t) else 0.0
    signal = neo.AnalogSignal(values, units=unit, t_start=start * pq.s,
                              sampling_period=monitor.clock.dt_ * pq.s, name=name)
    signal.annotate(source=monitor.source.name, monitor=monitor.name)
    if channels is not None:
        signal.array_annotate(neuron=channels)
    return signal


def to_neo_block(*monitors, name=None):
    """A ``neo.Block`` with one ``Segment`` holding the spike trains and
    signals of ``monitors`` (each StateMonitor variable one signal)."""
    neo, _ = _imports()
    from nerve.monitors.spikemonitor import EventMonitor
    from nerve.monitors.statemonitor import StateMonitor

    block = neo.Block(name=name)
    segment = neo.Segment(name=name)
    block.segments.append(segment)
    for monitor in monitors:
        if isinstance(monitor, EventMonitor):
            segment.spiketrains.extend(spike_trains_to_neo(monitor))
        elif isinstance(monitor, StateMonitor):
            for var in monitor.record_variables:
                segment.analogsignals.append(trace_to_neo(monitor, var))
        else:
            segment.analogsignals.append(trace_to_neo(monitor))
    return block
