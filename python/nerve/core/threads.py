"""How many threads the engine may use for a run.

Large groups (at least 16384 neurons) share their chunks of 1024 neurons
among the threads, each chunk taken by whichever thread is free, so a thread
whose core is busy with another process takes fewer; results are the same
whatever the number of threads. Idle threads sleep instead of spinning, and
while the extra threads do not make the steps faster (other processes busy
on the cores), the run continues on one thread, trying the others again now
and then.

The default is one thread per CPU this process may use: the CPUs of its
affinity mask (``os.sched_getaffinity``, as set by ``taskset`` or a cpuset),
capped by a cgroup CPU quota (the engine asks the operating system, through
Rust's ``std::thread::available_parallelism``), or the value of the
environment variable ``NERVE_NUM_THREADS`` when it is set.
"""

from __future__ import annotations

import os

__all__ = ["set_num_threads", "get_num_threads"]

_threads = 0


def _from_environment() -> int:
    text = os.environ.get("NERVE_NUM_THREADS", "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"NERVE_NUM_THREADS must be a whole number, got {text!r}") from None
    if value < 0:
        raise ValueError(f"NERVE_NUM_THREADS cannot be negative, got {value}")
    return value


def set_num_threads(n: int | None) -> None:
    """Let runs use at most ``n`` threads (``None`` or 0: one per usable CPU)."""
    global _threads
    if n is None:
        n = 0
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of threads must be an int, got {n!r}")
    if n < 0:
        raise ValueError(f"the number of threads cannot be negative, got {n}")
    _threads = n


def get_num_threads() -> int:
    """The thread limit of the next run: what ``set_num_threads`` set, else
    ``NERVE_NUM_THREADS``, else 0 (one thread per usable CPU)."""
    return _threads or _from_environment()
