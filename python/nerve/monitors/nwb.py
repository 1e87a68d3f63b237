"""Recordings as an NWB file (Neurodata Without Borders), through ``pynwb``
(``pip install nerve[nwb]``).

:func:`to_nwb` puts monitors into one ``pynwb.NWBFile`` and writes it when
given a file name:

- ``SpikeMonitor``: the file's units table, one row per neuron of the
  monitor's source (neurons that never spiked too), with ``spike_times``
  (seconds), the columns ``neuron`` (index in the source, as ``S.i``),
  ``source`` (the group's name) and ``monitor``, and one ragged column per
  variable recorded at the spikes (its values at each spike, in SI units);
- ``StateMonitor``: one ``TimeSeries`` per recorded variable, named
  ``<monitor>_<variable>`` in the file's acquisition, data of shape
  (time, recorded neurons), in SI units (``unit`` ``'volts'``,
  ``'amperes'``...), ``rate`` and ``starting_time`` when the recording is
  regular, ``timestamps`` otherwise; the recorded indices are the column
  ``neuron`` (``synapse`` for Synapses) of the table
  ``<monitor>_neurons`` next to it, row k naming data column k;
- ``PopulationRateMonitor``: a ``TimeSeries`` named after the monitor, in
  ``'hertz'``.

Time zero of the simulation is the session's start. A monitor streamed to
HDF5 (``record_to=``) is copied into the NWB file piece by piece, with
memory bounded whatever its size (see :func:`to_nwb`).
"""

from __future__ import annotations

import os

import numpy as np

from nerve.exceptions import ArgumentTypeError, InvalidArgumentError, NerveError

__all__ = ["to_nwb", "nwb_unit", "NWBFileExistsError"]

#: events sorted per pass over a streamed spike monitor (bounds the memory
#: the export of a streamed monitor takes: about 20 bytes per event)
_EVENTS_PER_PASS = 1 << 22
#: bytes of a streamed trace read per piece
_TRACE_BUFFER_BYTES = 1 << 25


class NWBFileExistsError(NerveError, FileExistsError):
    """``to_nwb(filename=...)`` would replace an existing file (pass
    ``overwrite=True`` to replace it)."""


def _imports():
    try:
        import pynwb
    except ImportError:
        from nerve.exceptions import NotSupportedError

        raise NotSupportedError("exporting to NWB needs the pynwb package: "
                                "pip install nerve[nwb] (or pip install pynwb)") from None
    return pynwb


def nwb_unit(dim) -> str:
    """The NWB ``unit`` string of a nerve dimension: the SI name of a named
    unit (``'volts'``, ``'amperes'``, ``'siemens'``, ``'hertz'``...),
    ``'dimensionless'``, or else a product of SI base units
    (``'m^-2 kg^-1 s^4 A^2'``). Values are stored in these units."""
    from nerve.units import (amp, coulomb, farad, hertz, joule, kilogram, metre, ohm, second,
                             siemens, volt, watt)

    if dim.is_dimensionless:
        return "dimensionless"
    named = [(volt, "volts"), (amp, "amperes"), (siemens, "siemens"), (hertz, "hertz"),
             (second, "seconds"), (ohm, "ohms"), (farad, "farads"), (coulomb, "coulombs"),
             (metre, "meters"), (kilogram, "kilograms"), (joule, "joules"), (watt, "watts")]
    for unit, name in named:
        if unit.dim is dim:
            return name
    return str(dim)


def _cast(values: np.ndarray, dtype: str) -> np.ndarray:
    """Recorded values (float64) in the variable's type."""
    if dtype == "boolean":
        return values.astype(bool)
    if dtype == "integer":
        return values.astype(np.int64)
    return values


def _numpy_dtype(dtype: str):
    return {"boolean": np.dtype(bool), "integer": np.dtype(np.int64)}.get(dtype,
                                                                        np.dtype(np.float64))


# -- pieces of data written one at a time (monitors streamed to HDF5) ---------

def _chunk_iterators():
    from hdmf.data_utils import AbstractDataChunkIterator, DataChunk

    class Pieces(AbstractDataChunkIterator):
        """A 1-D or 2-D dataset of known shape written piece after piece
        along its first axis, from a generator of arrays."""

        def __init__(self, pieces, shape: tuple, dtype, chunk_rows: int):
            self._pieces, self._shape, self._dtype = pieces, tuple(shape), np.dtype(dtype)
            self._chunk = (max(min(chunk_rows, shape[0]), 1), *shape[1:])
            self._at = 0

        def __iter__(self):
            return self

        def __next__(self):
            while True:
                piece = next(self._pieces)  # (StopIteration ends the write)
                if len(piece):
                    break
            start, self._at = self._at, self._at + len(piece)
            rest = tuple(slice(0, n) for n in self._shape[1:])  # (hdmf wants every axis)
            return DataChunk(data=np.asarray(piece, dtype=self._dtype),
                             selection=(slice(start, self._at), *rest))

        def __len__(self):
            return self._shape[0]

        @property
        def shape(self):
            return self._shape

        def recommended_chunk_shape(self):
            return self._chunk

        def recommended_data_shape(self):
            return self._shape

        @property
        def dtype(self):
            return self._dtype

        @property
        def maxshape(self):
            return self._shape

    return Pieces


def _rows_of(dataset, dtype: str, rows: int):
    """The rows of a (time, neurons) dataset, ``rows`` at a time."""
    for lo in range(0, dataset.shape[0], rows):
        yield _cast(np.asarray(dataset[lo:lo + rows]), dtype)


def _in_neuron_order(i_dataset, values, counts: np.ndarray, dtype: str = "float"):
    """The values of the events of a streamed monitor in the order of their
    neuron (stable: in time within a neuron), with bounded memory: each pass
    reads the whole file and keeps the events of a block of neurons holding
    at most ``_EVENTS_PER_PASS`` events (or one neuron)."""
    ends = np.cumsum(counts)
    step = max(i_dataset.chunks[0] if i_dataset.chunks else 1 << 20, 1 << 16)
    lo, n = 0, len(counts)
    while lo < n:
        before = int(ends[lo - 1]) if lo else 0
        hi = max(int(np.searchsorted(ends, before + _EVENTS_PER_PASS, side="right")), lo + 1)
        kept_i, kept_v = [], []
        for a in range(0, i_dataset.shape[0], step):
            i = np.asarray(i_dataset[a:a + step])
            mask = (i >= lo) & (i < hi)
            if mask.any():
                kept_i.append(i[mask])
                kept_v.append(np.asarray(values[a:a + step])[mask])
        if kept_i:
            i = np.concatenate(kept_i)
            yield _cast(np.concatenate(kept_v)[np.argsort(i, kind="stable")], dtype)
        lo = hi


# -- the parts of the file ----------------------------------------------------

def _monitor_kind(monitor) -> str:
    from nerve.monitors.ratemonitor import PopulationRateMonitor
    from nerve.monitors.spikemonitor import EventMonitor
    from nerve.monitors.statemonitor import StateMonitor

    if isinstance(monitor, EventMonitor):
        if monitor.event != "spike":
            raise InvalidArgumentError(
                f"to_nwb: {monitor.name!r} records the {monitor.event!r} events of "
                f"{monitor.source.name!r}; NWB's units table holds spikes only (export custom "
                f"events with nerve.monitors.neo, or stream them with record_to=)")
        if not monitor.record:
            raise InvalidArgumentError(
                f"to_nwb: {monitor.name!r} was created with record=False and keeps only spike "
                f"counts; NWB's units table needs the spike times (record=True)")
        return "spikes"
    if isinstance(monitor, (StateMonitor, PopulationRateMonitor)):
        if len(monitor._times) == 0:
            raise InvalidArgumentError(
                f"to_nwb: {monitor.name!r} has recorded nothing yet (run the network first)")
        if isinstance(monitor, StateMonitor) and len(monitor.record) == 0:
            raise InvalidArgumentError(
                f"to_nwb: {monitor.name!r} records no neurons (record=False or an empty "
                f"list), so it has no trace to export")
        return "state" if isinstance(monitor, StateMonitor) else "rate"
    raise ArgumentTypeError(
        f"to_nwb takes SpikeMonitors, StateMonitors and PopulationRateMonitors, got "
        f"{monitor!r}")


def _timing(monitor) -> dict:
    """``rate`` and ``starting_time`` when the recording times are
    ``t0 + k*dt`` (to a millionth of a step), else ``timestamps``."""
    t = np.asarray(monitor.t_)
    dt = float(monitor.clock.dt_)
    regular = np.abs(t - (t[0] + np.arange(len(t)) * dt)).max() <= 1e-6 * dt
    if regular:
        return {"rate": 1.0 / dt, "starting_time": float(t[0])}
    return {"timestamps": np.array(t)}


def _compressed(data, compression):
    """``data`` written with HDF5 ``compression`` (``None``: as it is)."""
    if compression is None or len(data) == 0:
        return data
    from hdmf.backends.hdf5 import H5DataIO

    return H5DataIO(data=data, compression=compression)


def _state_series(pynwb, monitor, compression=None) -> list:
    from hdmf.common import DynamicTable, VectorData

    from nerve.synapses import Synapses

    group = monitor._group
    what = "synapse" if isinstance(group, Synapses) else "neuron"
    table = DynamicTable(
        name=f"{monitor.name}_neurons",
        description=(f"the {what}s of {monitor.source.name!r} recorded by StateMonitor "
                     f"{monitor.name!r}: row k is column k of the data of its series"),
        columns=[VectorData(name=what, description=f"index of the {what} in "
                            f"{monitor.source.name!r}", data=np.array(monitor.record))])
    out = [table]
    timing = _timing(monitor)
    for var in monitor.record_variables:
        dtype = group._variable_dtype(var)
        stored = monitor._values[var]
        if monitor._stream is None:
            data = _cast(stored.array, dtype)  # (times, neurons): NWB's order already
        else:
            dataset = stored.dataset
            width = max(dataset.shape[1], 1)
            rows = max(_TRACE_BUFFER_BYTES // (8 * width), 1)
            data = _chunk_iterators()(_rows_of(dataset, dtype, rows), dataset.shape,
                                      _numpy_dtype(dtype), max((1 << 20) // (8 * width), 1))
        out.append(pynwb.TimeSeries(
            name=f"{monitor.name}_{var}", data=_compressed(data, compression),
            unit=nwb_unit(group._variable_dim(var)),
            description=(f"{var} of {monitor.source.name!r} recorded by StateMonitor "
                         f"{monitor.name!r}; data column k is row k of the table "
                         f"{monitor.name}_neurons"),
            **timing))
    return out


def _rate_series(pynwb, monitor, compression=None):
    return pynwb.TimeSeries(
        name=monitor.name, data=_compressed(np.array(monitor.rate_), compression), unit="hertz",
        description=(f"population rate of {monitor.source.name!r} (spikes per step / dt / "
                     f"neurons) recorded by PopulationRateMonitor {monitor.name!r}"),
        **_timing(monitor))


def _units_table(pynwb, monitors: list, compression=None):
    """One units table for the spike monitors, one row per neuron."""
    from hdmf.common import ElementIdentifiers, VectorData, VectorIndex

    variables: dict[str, object] = {}  # name -> dimension
    for monitor in monitors:
        for var in monitor.record_variables:
            dim = monitor._group._variable_dim(var)
            if var in ("spike_times", "neuron", "source", "monitor", "id", "obs_intervals",
                       "electrodes", "electrode_group", "waveform_mean", "waveform_sd",
                       "waveforms"):
                raise InvalidArgumentError(
                    f"to_nwb: the variable {var!r} recorded by {monitor.name!r} has the name "
                    f"of a column of NWB's units table; record it under another name")
            if variables.setdefault(var, dim) is not dim:
                raise InvalidArgumentError(
                    f"to_nwb: the spike monitors record {var!r} in different units "
                    f"({nwb_unit(variables[var])} and {nwb_unit(dim)}); they cannot share one "
                    f"column of the units table: export them to separate files")
    sizes = [m._range[1] - m._range[0] for m in monitors]
    counts, columns = [], {"spike_times": [], **{var: [] for var in variables}}
    streamed = any(m._stream is not None for m in monitors)
    for monitor, size in zip(monitors, sizes):
        count = np.asarray(monitor.count)
        counts.append(count)
        if monitor._stream is None:
            order = np.argsort(np.asarray(monitor.i), kind="stable")
            sources = {"spike_times": np.asarray(monitor.t_)}
            sources.update({v: monitor._values[v].array for v in monitor.record_variables})
            for name in columns:
                if name in sources:
                    piece = _cast(sources[name][order], "float" if name == "spike_times"
                                  else monitor._group._variable_dtype(name))
                    columns[name].append(("array", piece))
                else:
                    columns[name].append(("none", None))
        else:
            i_dataset = monitor._i.dataset
            sources = {"spike_times": monitor._times.dataset}
            sources.update({v: monitor._values[v].dataset for v in monitor.record_variables})
            for name in columns:
                if name in sources:
                    dtype = ("float" if name == "spike_times"
                             else monitor._group._variable_dtype(name))
                    columns[name].append(("stream", (i_dataset, sources[name], count, dtype)))
                else:
                    columns[name].append(("none", None))
    resolution = {float(m.clock.dt_) for m in monitors}

    def pieces(parts):
        for kind, part in parts:
            if kind == "array":
                yield part
            elif kind == "stream":
                yield from _in_neuron_order(*part)

    def column_data(name, parts, dtype, count_of):
        """The flat values of a ragged column and the index ends."""
        lengths = np.concatenate([c if kind != "none" else np.zeros_like(c)
                                  for (kind, _), c in zip(parts, count_of)])
        ends = np.cumsum(lengths)
        n = int(ends[-1]) if len(ends) else 0
        if not streamed:
            arrays = [p for kind, p in parts if kind == "array"]
            flat = np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)
            return flat.astype(dtype, copy=False), ends
        if n == 0:
            return np.zeros(0, dtype=dtype), ends
        return _chunk_iterators()(pieces(parts), (n,), dtype, 1 << 17), ends

    table_columns = []
    for name, parts in columns.items():
        if name == "spike_times":
            dtype, description = np.dtype(np.float64), "the spike times of each neuron (seconds)"
        else:
            types = {m._group._variable_dtype(name) for m in monitors
                     if name in m.record_variables}
            dtype = _numpy_dtype(types.pop() if len(types) == 1 else "float")
            description = (f"the value of {name} at each spike, in {nwb_unit(variables[name])} "
                           f"(empty for neurons of monitors that do not record it)")
        flat, ends = column_data(name, parts, dtype, counts)
        data = VectorData(name=name, description=description,
                          data=_compressed(flat, compression))
        # (the index before its target: hdmf 6.2 checks them in order and
        # drops a column written from an iterator as soon as it meets it)
        table_columns += [VectorIndex(name=f"{name}_index", data=ends, target=data), data]
    table_columns += [
        VectorData(name="neuron", description="index of the neuron in its source group "
                   "(as SpikeMonitor.i)", data=np.concatenate([np.arange(s) for s in sizes])),
        VectorData(name="source", description="name of the group the neuron belongs to",
                   data=[m.source.name for m, s in zip(monitors, sizes) for _ in range(s)]),
        VectorData(name="monitor", description="name of the SpikeMonitor that recorded it",
                   data=[m.name for m, s in zip(monitors, sizes) for _ in range(s)]),
    ]
    n_rows = int(sum(sizes))
    extra = {"resolution": resolution.pop()} if len(resolution) == 1 else {}
    from pynwb.misc import Units

    return Units(
        name="units", id=ElementIdentifiers(name="id", data=np.arange(n_rows)),
        columns=table_columns,
        description=("spikes of a nerve simulation, one row per neuron, recorded by "
                     + ", ".join(repr(m.name) for m in monitors)),
        **extra)


def to_nwb(*monitors, filename=None, nwbfile=None, overwrite=False, compression=None,
           session_description="a simulation run with nerve", identifier=None,
           session_start_time=None, **nwbfile_options):
    """Put the recordings of ``monitors`` into an NWB file.

    Spike monitors fill the units table; each ``StateMonitor`` variable and
    each ``PopulationRateMonitor`` becomes a ``TimeSeries`` in the
    acquisition (layout: :mod:`nerve.monitors.nwb`). Returns the
    ``pynwb.NWBFile``.

    ``filename``: write the file there (refused if it exists, unless
    ``overwrite=True``). ``nwbfile``: add to this ``pynwb.NWBFile`` (e.g.
    one holding recorded data to compare with) instead of a new one; it
    must not have a units table yet when spike monitors are given.
    Otherwise a new file is made with ``session_description``,
    ``identifier`` (default: a new UUID), ``session_start_time`` (default:
    now, UTC; simulation time 0) and any other ``pynwb.NWBFile`` argument
    (``experimenter=``, ``lab=``...).

    Monitors streamed to HDF5 (``record_to=``) are copied piece by piece
    while the file is written: traces about 32 MiB at a time, spikes in
    passes of about 4 million spikes (each pass reads the whole stream, to
    put the spikes in the neuron order NWB's units table wants). Returned
    without ``filename``, such an ``NWBFile`` can be written once.

    ``compression``: ``'gzip'`` (or an h5py filter: ``'lzf'``...) for the
    traces, rates, spike times and values at spikes; ``None`` (default):
    uncompressed.

    Needs ``pynwb`` (``pip install nerve[nwb]``).
    """
    pynwb = _imports()
    if not monitors:
        raise ArgumentTypeError("to_nwb needs at least one monitor to export")
    kinds = [_monitor_kind(m) for m in monitors]
    names = [m.name for m in monitors]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"to_nwb: a monitor is given twice ({names})")
    if filename is not None:
        filename = os.fspath(filename)
        if os.path.exists(filename) and not overwrite:
            raise NWBFileExistsError(
                f"to_nwb: {filename!r} exists; pass overwrite=True to replace it")
        for m in monitors:
            stream = getattr(m, "_stream", None)
            if stream is not None and os.path.exists(filename) and \
                    os.path.samefile(stream._file.filename, filename):
                raise InvalidArgumentError(
                    f"to_nwb: {filename!r} is the file {m.name!r} streams to; write the NWB "
                    f"file elsewhere")
    if nwbfile is None:
        import datetime
        import uuid

        if session_start_time is None:
            session_start_time = datetime.datetime.now(datetime.timezone.utc)
        nwbfile = pynwb.NWBFile(session_description=session_description,
                                identifier=str(uuid.uuid4()) if identifier is None
                                else identifier,
                                session_start_time=session_start_time, **nwbfile_options)
    elif not isinstance(nwbfile, pynwb.NWBFile):
        raise ArgumentTypeError(f"to_nwb: nwbfile must be a pynwb.NWBFile, got {nwbfile!r}")
    elif nwbfile_options:
        raise ArgumentTypeError(f"to_nwb: {sorted(nwbfile_options)} make a new NWBFile; they "
                                f"cannot be given with nwbfile=")

    spikes = [m for m, kind in zip(monitors, kinds) if kind == "spikes"]
    objects = []
    for monitor, kind in zip(monitors, kinds):
        if kind == "state":
            objects += _state_series(pynwb, monitor, compression)
        elif kind == "rate":
            objects.append(_rate_series(pynwb, monitor, compression))
    for obj in objects:
        if obj.name in nwbfile.acquisition:
            raise InvalidArgumentError(
                f"to_nwb: the NWB file already has {obj.name!r} in its acquisition")
    if spikes and nwbfile.units is not None:
        raise InvalidArgumentError("to_nwb: the NWB file already has a units table; spike "
                                   "monitors go into a new one: export them to a new file")
    for obj in objects:
        nwbfile.add_acquisition(obj)
    if spikes:
        nwbfile.units = _units_table(pynwb, spikes, compression)
    if filename is not None:
        with pynwb.NWBHDF5IO(filename, "w") as io:
            io.write(nwbfile)
    return nwbfile
