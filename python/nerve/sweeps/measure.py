"""What a sweep keeps of each copy: the default measurement (what the
monitors recorded) and the checking of a user's ``measure`` results.

Results cross process boundaries (Dask workers), so they are numbers, numpy
arrays or Quantities (all picklable); :class:`Labelled` adds names and
coordinates to the axes of an array, which :meth:`SweepResult.to_xarray`
turns into dimensions.
"""

from __future__ import annotations

import numbers

import numpy as np

from nerve.exceptions import ArgumentTypeError

__all__ = ["Labelled", "default_measure", "checked_values", "keyed_objects"]


class Labelled:
    """An array (or Quantity) with a name for each axis (``dims``) and, for
    some axes, coordinate values (``coords``: name -> 1-D array or Quantity)."""

    def __init__(self, values, dims, coords=None) -> None:
        from nerve.units import Quantity

        self.values = values if isinstance(values, Quantity) else np.asarray(values)
        self.dims = tuple(dims)
        self.coords = dict(coords or {})
        if len(self.dims) != np.ndim(self.values):
            raise ArgumentTypeError(f"{len(self.dims)} axis names {self.dims} for an array of "
                                    f"shape {np.shape(self.values)}")

    def __repr__(self) -> str:
        return f"Labelled({self.values!r}, dims={self.dims})"


def keyed_objects(objects) -> list:
    """``(key, object)`` pairs of what a build function returned: a dict's
    keys, else the kind of the object and its rank among objects of its kind
    (``spikemonitor``, ``spikemonitor_1``...), the same in every copy."""
    from nerve.core.base import NerveObject
    from nerve.core.network import Network

    if isinstance(objects, dict):
        return [(str(k), v) for k, v in objects.items() if isinstance(v, NerveObject)]
    if isinstance(objects, Network):
        objects = objects.objects
    elif isinstance(objects, NerveObject):
        objects = [objects]
    counts: dict[str, int] = {}
    pairs = []
    for obj in _flat(objects):
        kind = type(obj).__name__.lower()
        n = counts.get(kind, 0)
        counts[kind] = n + 1
        pairs.append((kind if n == 0 else f"{kind}_{n}", obj))
    return pairs


def _flat(items):
    for item in items:
        if isinstance(item, (list, tuple)):
            yield from _flat(item)
        else:
            yield item


def default_measure(objects) -> dict:
    """What the monitors among ``objects`` recorded, under ``key.what`` names:
    for a SpikeMonitor ``num_spikes`` and ``count`` (per neuron; an
    EventMonitor: ``num_events`` and ``count``), for a PopulationRateMonitor
    ``rate`` over ``t``, for a StateMonitor each recorded variable over the
    recorded neurons and ``t``. The keys are those of the dict the build
    function returned (else see :func:`keyed_objects`)."""
    from nerve.monitors import EventMonitor, PopulationRateMonitor, SpikeMonitor, StateMonitor

    out: dict[str, object] = {}
    for key, obj in keyed_objects(objects):
        if isinstance(obj, EventMonitor):
            total = "num_spikes" if isinstance(obj, SpikeMonitor) else "num_events"
            out[f"{key}.{total}"] = int(obj.num_events)
            count = np.asarray(obj.count)
            out[f"{key}.count"] = Labelled(count, (f"{key}.neuron",),
                                           {f"{key}.neuron": np.arange(len(count))})
        elif isinstance(obj, PopulationRateMonitor):
            out[f"{key}.rate"] = Labelled(obj.rate, (f"{key}.t",), {f"{key}.t": obj.t})
        elif isinstance(obj, StateMonitor):
            neurons, times = f"{key}.neuron", f"{key}.t"
            coords = {neurons: np.asarray(obj.record), times: obj.t}
            for var in obj.record_variables:
                out[f"{key}.{var}"] = Labelled(getattr(obj, var), (neurons, times), coords)
    return out


def checked_values(values, title: str = "measure") -> dict:
    """The results of one copy, checked: a dict of str -> number, array,
    Quantity, string or :class:`Labelled`."""
    from nerve.units import Quantity

    if not isinstance(values, dict):
        raise ArgumentTypeError(f"{title}() must return a dict (name -> number, array or "
                                f"Quantity), got {type(values).__name__}")
    out: dict[str, object] = {}
    for name, value in values.items():
        if not isinstance(name, str):
            raise ArgumentTypeError(f"{title}() returned a result named {name!r}: names are "
                                    f"strings")
        if isinstance(value, (Labelled, Quantity, str)):
            out[name] = value
        elif isinstance(value, (numbers.Number, np.ndarray, np.generic, list, tuple)):
            array = np.asarray(value)
            if array.dtype == object:
                raise ArgumentTypeError(f"{title}() returned {name!r} = {value!r}, which is "
                                        f"not a number or an array of numbers")
            out[name] = array
        else:
            raise ArgumentTypeError(f"{title}() returned {name!r} = {value!r} "
                                    f"({type(value).__name__}): results are numbers, arrays, "
                                    f"Quantities or strings")
    return out
