"""Streamed recordings are written to their files on a background thread.

The engine releases the GIL while it runs and hands a streamed recording
over whenever streamed monitors hold ``nerve.core.memory.FLUSH_BYTES``
bytes. Writing each hand-over to its HDF5 file before the run goes on
would make the run wait for the disk every time; instead the writes are
queued, in order, to one thread, which writes them while the engine
computes the next hand-over. At most ``FLUSH_BYTES`` bytes wait to be
written (a hand-over finds the previous one still being written: it waits),
so memory stays bounded whatever the length of the run.

Anything that reads a streamed monitor, and the end of every run, first
waits until everything queued is written; an error of a write (a full disk)
is raised there, or by the next hand-over (which stops the run).

:class:`WriteBehind` keeps the operating system's page cache from filling
with the file: the disk writes of what was just written are started at
once, and what is more than ``LAG`` bytes behind is waited for and dropped
from the cache (on Linux; elsewhere writes go through the cache as usual).
Left to itself, Linux lets gigabytes of a file accumulate in the cache and
then throttles the writer to its background write-back, several times
slower than what the disk takes (see ``benchmarks/monitors.py stream``).
"""

from __future__ import annotations

import collections
import os
import threading

__all__ = ["writer", "WriteBehind"]


class Writer:
    """Runs write tasks in order on one daemon thread."""

    def __init__(self):
        self._cond = threading.Condition()
        self._tasks: collections.deque = collections.deque()
        self._waiting = 0  # bytes queued or being written
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def submit(self, task, nbytes: int) -> None:
        """Queue ``task()``, which writes ``nbytes`` bytes; waits while the
        bytes already waiting and these would pass the budget."""
        from nerve.core.memory import FLUSH_BYTES

        with self._cond:
            self._raise_error()
            while self._waiting and self._waiting + nbytes > FLUSH_BYTES:
                self._cond.wait()
                self._raise_error()
            self._tasks.append((task, nbytes))
            self._waiting += nbytes
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="nerve-stream-writer",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait(self) -> None:
        """Return when everything queued is written (raise a write's error)."""
        with self._cond:
            while self._waiting:
                self._cond.wait()
            self._raise_error()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._tasks:
                    self._cond.wait()
                task, nbytes = self._tasks[0]
                failed = self._error is not None
            try:
                if not failed:  # (after a failed write, the rest is dropped until it is raised)
                    task()
            except BaseException as error:  # noqa: BLE001 - raised in the user's thread
                with self._cond:
                    self._error = self._error or error
            with self._cond:
                self._tasks.popleft()
                self._waiting -= nbytes
                self._cond.notify_all()


_writer: list = [None]


def writer() -> Writer:
    """The process's writer (created when first used)."""
    if _writer[0] is None:
        _writer[0] = Writer()
    return _writer[0]


def _forget_writer() -> None:
    # a forked child has no writer thread, and its lock may have been taken
    _writer[0] = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_writer)


#: Linux's sync_file_range flags
_WAIT_BEFORE, _WRITE, _WAIT_AFTER = 1, 2, 4
_PAGE = 4096


def _sync_file_range():
    """libc's ``sync_file_range`` (Linux), or None."""
    if not hasattr(os, "posix_fadvise"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


class WriteBehind:
    """Start the disk writes of an HDF5 file's new data as it is written,
    and drop from the page cache what is on disk and more than ``LAG``
    bytes behind the end (its sec2 driver's file descriptor, on Linux)."""

    LAG = 256 << 20
    #: disk writes are started in pieces of at least this many bytes (many
    #: small hand-overs, e.g. a network operation at every step, do not
    #: each start a write of their own)
    PIECE = 8 << 20

    def __init__(self, h5file):
        self._fd = None
        self._started = self._dropped = 0
        if h5file.driver != "sec2":
            return
        self._sync = _sync_file_range()
        if self._sync is None:
            return
        try:
            fd = int(h5file.id.get_vfd_handle())
            os.fstat(fd)
        except (OSError, TypeError, ValueError, AttributeError):  # pragma: no cover
            return
        self._fd = fd

    def written(self) -> None:
        """Data was appended to the file: start writing it to the disk."""
        fd = self._fd
        if fd is None:
            return
        try:
            end = os.fstat(fd).st_size
        except OSError:  # pragma: no cover - the file was closed
            self._fd = None
            return
        if end - self._started >= self.PIECE:
            self._sync(fd, self._started, end - self._started, _WRITE)
            self._started = end
        old = (end - self.LAG) // _PAGE * _PAGE
        if old > self._dropped:
            # what HDF5 rewrote there (its metadata) is written too, then the
            # pages leave the cache; a later read finds them on the disk
            self._sync(fd, self._dropped, old - self._dropped,
                       _WAIT_BEFORE | _WRITE | _WAIT_AFTER)
            os.posix_fadvise(fd, self._dropped, old - self._dropped, os.POSIX_FADV_DONTNEED)
            self._dropped = old
