"""Recordings streamed to an HDF5 file as the run goes (``record_to=``).

A monitor given ``record_to='file.h5'`` (or an open ``h5py.File``/``Group``)
writes what it records into a group of the file named after the monitor,
in chunked, resizable datasets; the engine hands the recordings over
whenever streamed monitors hold ``nerve.core.memory.FLUSH_BYTES`` bytes, so
memory stays bounded whatever the length of the run. They are written on a
background thread while the run goes on (:mod:`nerve.monitors._writer`). The monitor's
attributes (``M.v``, ``M.t``, ``S.i``...) then read the file lazily:
:class:`LazyArray` reads only what is indexed. :func:`open_recording`
reads a file written by an earlier process.

Layout of a monitor's group (attributes: ``kind`` = ``'StateMonitor'``,
``'SpikeMonitor'`` or ``'EventMonitor'``, ``source``, and per variable
``unit:<var>``, the seven base exponents of its dimension, and
``dtype:<var>``):

- StateMonitor: ``t`` (recordings,) in seconds; ``record`` (indices,);
  one dataset per variable of shape (recordings, indices): time is the
  growing axis, so a flush appends whole rows.
- Spike/EventMonitor: ``i`` (events,) int32, ``t`` (events,) seconds, one
  (events,) dataset per recorded variable; attribute ``N`` (neurons).

Needs h5py (``pip install nerve[io]``).
"""

from __future__ import annotations

import os

import numpy as np

from nerve.exceptions import NerveError

__all__ = ["LazyArray", "open_recording", "StreamTarget"]

#: bytes per chunk of a dataset (HDF5 reads and writes whole chunks)
_CHUNK_BYTES = 1 << 20


class RecordingFileError(NerveError, ValueError):
    """A file or group given to ``record_to`` cannot be used."""


def _h5py():
    try:
        import h5py
    except ImportError:  # pragma: no cover - depends on the installation
        from nerve.exceptions import NotSupportedError

        raise NotSupportedError(
            "streaming a recording to a file needs h5py: pip install nerve[io] "
            "(or pip install h5py)") from None
    return h5py


def _dimension_of(exponents):
    from nerve.units import get_or_create_dimension

    return get_or_create_dimension([float(x) for x in exponents])


def _typed(values: np.ndarray, dtype: str, dim):
    if dtype == "boolean":
        return values.astype(bool)
    if dtype == "integer":
        return values.astype(np.int64)
    if dim is None or dim.is_dimensionless:
        return values
    from nerve.units import Quantity

    return Quantity(values, dim=dim)


class LazyArray:
    """A recorded array in a file, read when indexed.

    ``shape``, ``len``, ``a[...]`` (reads only what the index selects, in
    the variable's units) and ``np.asarray(a)`` (reads everything).
    ``transposed``: the dataset is stored time-major (recordings, neurons)
    and shown as (neurons, recordings), as ``StateMonitor`` attributes are.
    """

    def __init__(self, dataset, dim=None, dtype="float", transposed=False):
        self._ds, self._dim, self._dtype, self._t = dataset, dim, dtype, transposed

    @property
    def shape(self) -> tuple:
        shape = tuple(self._ds.shape)
        return shape[::-1] if self._t else shape

    @property
    def ndim(self) -> int:
        return len(self._ds.shape)

    @property
    def dim(self):
        from nerve.units import DIMENSIONLESS

        return DIMENSIONLESS if self._dim is None else self._dim

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, key):
        if not self._t:
            if isinstance(key, (int, np.integer, slice)) or key is Ellipsis:
                return self._ds[key]
            return self._ds[()][key]
        if not isinstance(key, tuple):
            key = (key,)
        if key and key[0] is Ellipsis:
            key = key[1:] if len(key) > 1 else (slice(None),)
        if len(key) > 2:
            raise IndexError(f"too many indices for an array of shape {self.shape}")
        neurons = key[0]
        times = key[1] if len(key) == 2 else slice(None)
        simple = all(isinstance(k, (int, np.integer, slice)) for k in (neurons, times))
        if simple:
            return np.asarray(self._ds[times, neurons]).T
        return np.asarray(self._ds[()]).T[key]

    def __getitem__(self, key):
        return _typed(np.asarray(self._read(key)), self._dtype, self._dim)

    def __array__(self, dtype=None, copy=None):
        values = np.asarray(self._ds[()])
        values = values.T if self._t else values
        return values if dtype is None else values.astype(dtype)

    def __iter__(self):
        for k in range(len(self)):
            yield self[k]

    def __repr__(self) -> str:
        return (f"<LazyArray {self.shape} of {self._ds.name!r} in "
                f"{os.path.basename(self._ds.file.filename)!r}>")


def _slots(chunks: int) -> int:
    """A prime number of hash slots, about 25 per cached chunk (HDF5's advice)."""
    n = max(25 * chunks, 521) | 1
    while any(n % d == 0 for d in range(3, int(n ** 0.5) + 1, 2)):
        n += 2
    return n


class StreamTarget:
    """Where one monitor streams to: a group of an HDF5 file (created or
    emptied when the monitor is created)."""

    def __init__(self, target, name: str):
        h5py = _h5py()
        if isinstance(target, (str, os.PathLike)):
            self._file = h5py.File(os.fspath(target), "a")
            parent = self._file
        elif isinstance(target, h5py.Group):
            self._file, parent = target.file, target
        else:
            raise RecordingFileError(
                f"record_to takes a file name or an open h5py File or Group, got {target!r}")
        if self._file.mode == "r":
            raise RecordingFileError(f"{self._file.filename!r} is open read-only")
        if name in parent:
            del parent[name]
        self.group = parent.create_group(name)
        from nerve.monitors._writer import WriteBehind

        self._behind = WriteBehind(self._file)

    def column(self, name: str, width: int | None, dtype) -> "H5Column":
        """A resizable dataset growing along its first axis, used as a
        monitor uses its in-memory ``Chunks``."""
        return H5Column(self.dataset(name, width, dtype), self._behind)

    def dataset(self, name: str, width: int | None, dtype):
        """A resizable dataset growing along its first axis."""
        itemsize = np.dtype(dtype).itemsize
        if width is None:
            rows = max(_CHUNK_BYTES // itemsize, 1)
            return self.group.create_dataset(name, shape=(0,), maxshape=(None,), dtype=dtype,
                                             chunks=(rows,))
        # chunks of whole rows (about 1 MiB, at least one row): appended rows
        # fill chunks in order, each written once, and the memory HDF5 keeps
        # does not grow with the file (chunks that split the rows into
        # column blocks made it grow by ~4 % of the data written). Reading
        # one neuron's trace then reads every row: see LazyArray.
        if width == 0:  # (nothing per row: HDF5 needs no chunks)
            return self.group.create_dataset(name, shape=(0, 0), maxshape=(None, 0),
                                             dtype=dtype)
        rows = max(_CHUNK_BYTES // (itemsize * max(width, 1)), 1)
        chunk = rows * max(width, 1) * itemsize
        return self.group.create_dataset(name, shape=(0, width), maxshape=(None, width),
                                         dtype=dtype, chunks=(rows, max(width, 1)),
                                         rdcc_nbytes=max(4 * chunk, _CHUNK_BYTES),
                                         rdcc_nslots=_slots(4), rdcc_w0=1.0)

    def flush(self) -> None:
        """Write what is queued and flush the file (the end of a run)."""
        from nerve.monitors._writer import writer

        writer().wait()
        self._file.flush()


class H5Column:
    """An append-only dataset with the interface of ``Chunks``: ``append``
    (queued to the background writer), ``truncate``, ``len``, and ``array``
    (reads everything); each of these but ``append`` first waits until what
    was appended is written."""

    __slots__ = ("_dataset", "_behind")

    def __init__(self, dataset, behind=None):
        self._dataset, self._behind = dataset, behind

    @property
    def dataset(self):
        """The dataset, with everything appended so far written to it."""
        from nerve.monitors._writer import writer

        writer().wait()
        return self._dataset

    def append(self, part: np.ndarray) -> None:
        """Queue ``part`` (handed over by the engine: nothing else writes
        to it) to be appended to the dataset."""
        if not len(part):
            return
        from nerve.monitors._writer import writer

        writer().submit(lambda: self._write(part), part.nbytes)

    def _write(self, part: np.ndarray) -> None:
        self._append(part)
        if self._behind is not None:
            self._behind.written()

    def _append(self, part: np.ndarray) -> None:
        dataset = self._dataset
        n = dataset.shape[0]
        dataset.resize(n + len(part), axis=0)
        chunks = dataset.chunks
        if chunks is None or chunks[1:] != part.shape[1:] or not part.flags.c_contiguous \
                or part.dtype != dataset.dtype:
            dataset[n:] = part
            return
        # whole chunks (rows k*rows to (k+1)*rows, every column) go to the
        # file as they are, past HDF5's chunk cache (one copy less: see
        # docs/recording.md); a chunk begun by an earlier append, or not yet
        # full, goes through the cache
        rows, rest = chunks[0], (0,) * (part.ndim - 1)
        lo = min(-n % rows, len(part))
        if lo:
            dataset[n:n + lo] = part[:lo]
        while lo + rows <= len(part):
            dataset.id.write_direct_chunk((n + lo, *rest), part[lo:lo + rows])
            lo += rows
        if lo < len(part):
            dataset[n + lo:] = part[lo:]

    def truncate(self, length: int) -> None:
        self.dataset.resize(length, axis=0)

    @property
    def array(self) -> np.ndarray:
        return np.asarray(self.dataset[()])

    def __len__(self) -> int:
        return int(self.dataset.shape[0])


class StoredRecording:
    """A monitor's recording read back from a file: ``t``, ``t_``, the
    recorded variables (``R.v``, ``R.v_``) as :class:`LazyArray`, and for
    event monitors ``i``, ``count``, ``num_events``."""

    def __init__(self, h5group):
        self._g = h5group
        self.kind = str(h5group.attrs.get("kind", ""))
        self.name = h5group.name.rsplit("/", 1)[-1]
        self.variables = [str(v) for v in h5group.attrs.get("variables", [])]

    def _lazy(self, var, raw=False):
        g = self._g
        dim = None if raw else _dimension_of(g.attrs[f"unit:{var}"])
        dtype = str(g.attrs[f"dtype:{var}"])
        return LazyArray(g[var], dim, dtype, transposed=self.kind == "StateMonitor")

    @property
    def t_(self) -> np.ndarray:
        return np.asarray(self._g["t"][()])

    @property
    def t(self):
        from nerve.units import second

        return self.t_ * second

    @property
    def i(self) -> np.ndarray:
        return np.asarray(self._g["i"][()])

    @property
    def record(self) -> np.ndarray:
        return np.asarray(self._g["record"][()])

    @property
    def count(self) -> np.ndarray:
        return chunked_count(self._g["i"], int(self._g.attrs["N"]))

    @property
    def num_events(self) -> int:
        return int(self._g["i"].shape[0])

    num_spikes = num_events

    def __getattr__(self, name):
        variables = self.__dict__.get("variables", [])
        if name in variables:
            return self._lazy(name)
        if name.endswith("_") and name[:-1] in variables:
            return self._lazy(name[:-1], raw=True)
        raise AttributeError(f"recording {self.__dict__.get('name')!r} has no {name!r}")

    def __repr__(self) -> str:
        return f"<StoredRecording {self.name!r} ({self.kind})>"


def chunked_count(dataset, n: int) -> np.ndarray:
    """Events per neuron, read a chunk at a time."""
    counts = np.zeros(n, dtype=np.int64)
    step = max(dataset.chunks[0] if dataset.chunks else 1 << 20, 1 << 16)
    for lo in range(0, dataset.shape[0], step):
        counts += np.bincount(dataset[lo:lo + step], minlength=n)
    return counts


def open_recording(filename) -> dict:
    """The monitors' recordings in a file written with ``record_to=``:
    ``{monitor name: StoredRecording}`` (read lazily; the file stays open
    while they are used)."""
    h5py = _h5py()
    f = h5py.File(os.fspath(filename), "r")
    return {name: StoredRecording(g) for name, g in f.items()
            if isinstance(g, h5py.Group) and "kind" in g.attrs}
