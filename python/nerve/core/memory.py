"""How much memory the recordings of a run may take, checked before the run
and enforced by the engine while it runs.

Before a run, every recording whose size is known (a ``StateMonitor``: its
indices, variables and the steps of its clock; a ``PopulationRateMonitor``)
is added up; if the sum is over the limit, ``run()`` raises
:class:`RecordingMemoryError` without starting. During the run the engine
grows its buffers by need, within the same limit (spike monitors, whose size
is not known in advance, are checked as they grow): a recording that does
not fit stops the run after the current time step with the same error, the
state and earlier recordings intact.

The limit is what the machine has free when the run starts (``MemAvailable``
of ``/proc/meminfo``, and the room left under the process's cgroup limit),
less a tenth for what the program does with the recordings afterwards;
:func:`set_recording_memory_limit` (or the environment variable
``NERVE_RECORDING_MEMORY_LIMIT``, in bytes) sets it explicitly.
"""

from __future__ import annotations

import os

from nerve.exceptions import NerveError

__all__ = ["RecordingMemoryError", "available_memory", "recording_memory_limit",
           "set_recording_memory_limit", "check_before_run", "overflow_error"]

_limit: list = [None]

#: share of the free memory the recordings of one run may take
_SHARE = 0.9


class RecordingMemoryError(NerveError, MemoryError):
    """The recordings of a run need more memory than the machine has free."""


def set_recording_memory_limit(nbytes=None) -> None:
    """Let the recordings of a run take at most ``nbytes`` bytes (``None``:
    what the machine has free when each run starts)."""
    if nbytes is not None:
        if isinstance(nbytes, bool) or not isinstance(nbytes, (int, float)) or nbytes < 0:
            from nerve.exceptions import InvalidArgumentError

            raise InvalidArgumentError(
                f"the recording memory limit is a number of bytes (or None), got {nbytes!r}")
        nbytes = int(nbytes)
    _limit[0] = nbytes


def _read(path: str) -> bytes | None:
    """The contents of a small kernel file, or None. (Raw reads: these files
    are read before every run, and a text-mode file object costs several
    times the read itself.)"""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        parts = []
        while True:
            part = os.read(fd, 1 << 16)
            if not part:
                return b"".join(parts)
            parts.append(part)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_int(path: str) -> int | None:
    data = _read(path)
    if data is None:
        return None
    text = data.strip()
    return int(text) if text.isdigit() else None


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup memory limit (v2 or v1)."""
    data = _read("/proc/self/cgroup")
    if data is None:
        return None
    lines = data.decode(errors="replace").splitlines()
    rooms = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            base = "/sys/fs/cgroup" + path.rstrip("/")
            limit = _read_int(base + "/memory.max")
            used = _read_int(base + "/memory.current")
        elif "memory" in controllers.split(","):
            base = "/sys/fs/cgroup/memory" + path.rstrip("/")
            limit = _read_int(base + "/memory.limit_in_bytes")
            used = _read_int(base + "/memory.usage_in_bytes")
        else:
            continue
        if limit is not None and used is not None and limit < 1 << 60:
            rooms.append(max(limit - used, 0))
    return min(rooms) if rooms else None


def available_memory() -> int | None:
    """Bytes this process can still allocate without swapping or being
    killed: the smaller of ``MemAvailable`` and the room under its cgroup
    limit (None when neither is known)."""
    candidates = []
    for line in (_read("/proc/meminfo") or b"").splitlines():
        if line.startswith(b"MemAvailable:"):
            try:
                candidates.append(int(line.split()[1]) * 1024)
            except (ValueError, IndexError):
                pass
            break
    room = _cgroup_room()
    if room is not None:
        candidates.append(room)
    return min(candidates) if candidates else None


def recording_memory_limit() -> int | None:
    """The bytes the recordings of a run starting now may take (None: no
    limit known)."""
    if _limit[0] is not None:
        return _limit[0]
    env = os.environ.get("NERVE_RECORDING_MEMORY_LIMIT")
    if env:
        try:
            return int(float(env))
        except ValueError:
            pass
    free = available_memory()
    return None if free is None else int(free * _SHARE)


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


_REMEDIES = ("record fewer neurons (record=[...]) or variables, record less often "
             "(StateMonitor(..., dt=...)), run for a shorter time and read the results "
             "between runs, or stream the recording to a file (record_to='file.h5', "
             "which needs h5py: pip install nerve[io])")


def check_before_run(needs, steps_of, limit: int | None, chunk: int) -> None:
    """Raise :class:`RecordingMemoryError` when the recordings whose size is
    known before the run (``needs``: ``(owner, clock, bytes per recording,
    streamed)``; ``steps_of(clock)``: the recordings in this run) do not fit
    in ``limit`` bytes. A streamed recording needs only ``chunk`` bytes."""
    if limit is None or not needs:
        return
    sizes = []
    for owner, clock, per, streamed in needs:
        size = per * steps_of(clock)
        sizes.append((min(size, chunk) if streamed else size, size, owner, streamed))
    total = sum(s[0] for s in sizes)
    if total <= limit:
        return
    held, size, owner, _ = max((s for s in sizes if not s[3]), key=lambda s: s[0],
                               default=sizes[0])
    others = total - held
    raise RecordingMemoryError(
        f"{type(owner).__name__} {owner.name!r} would record {format_bytes(size)} in this "
        f"run" + (f" (and the other recordings {format_bytes(others)})" if others else "")
        + f", but only {format_bytes(limit)} of memory is free for recordings. Nothing was "
        f"run. To fit: {_REMEDIES}.")


def overflow_error(overflow, owners) -> RecordingMemoryError:
    """The error for a recording that did not fit during the run
    (``overflow`` as the engine reports it)."""
    kind, index, t, needed, limit, refused = overflow
    owner = owners[kind][index]
    what = f"{type(owner).__name__} {owner.name!r}" if owner is not None else "a recording"
    if refused:
        reason = (f"the system refused more memory when the recordings reached "
                  f"{format_bytes(needed)}")
    else:
        reason = (f"the recordings of this run would have grown to {format_bytes(needed)}, "
                  f"over the {format_bytes(limit)} free for them")
    return RecordingMemoryError(
        f"{what} ran out of memory at t = {t:g} s: {reason}. The run stopped there, after "
        f"that time step (which it could not record); the state and what was recorded "
        f"before are intact, and the network can run again. "
        f"To fit: {_REMEDIES}.")


#: streamed recordings are handed to their sinks whenever they hold this
#: many bytes (together). Below 32 MiB, glibc's largest threshold for
#: serving an allocation with fresh pages of its own (mmap): once the first
#: hand-over is freed, the next ones reuse its memory instead of faulting in
#: new pages (1e5 neurons x 2000 steps streamed, interleaved: 1.18-1.41 s
#: with 16 or 24 MiB, 1.29-1.76 s with 32 MiB).
FLUSH_BYTES = 24 << 20


def run_arguments(builder, clocks, intervals) -> dict:
    """Check the known recordings of a run against the limit (raises
    :class:`RecordingMemoryError`) and give the recording arguments of
    ``_core.run``."""
    limit = recording_memory_limit()
    steps = {id(c): max(e - s, 0) for c, (s, e) in zip(clocks, intervals)}
    check_before_run(builder.memory_needs, lambda clock: steps.get(id(clock), 0), limit,
                     FLUSH_BYTES)
    streamed = builder.streamed
    any_streamed = any(any(flags) for flags in streamed.values())
    return {
        "rate_recorders": builder.rate_recorders,
        "memory_limit": limit,
        "flush_at": FLUSH_BYTES if any_streamed else None,
        "streamed": (streamed["state"], streamed["events"], streamed["rate"]),
        "counted": builder.counted,
    }
