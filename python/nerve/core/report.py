"""Progress reports of a run: ``report='text'``, ``'stdout'``, ``'stderr'``,
``'tqdm'`` (a progress bar, when tqdm is installed) or a function called as
Brian2 calls it, ``report(elapsed, completed, start, duration)``: the wall
time elapsed (a quantity in seconds), the fraction completed, the
simulated time at the start of the run and its duration. It is called at
0.0, every ``report_period`` of wall time, and at 1.0 (or the fraction
reached when the run was stopped)."""

from __future__ import annotations

import sys
import time

from nerve.exceptions import ArgumentTypeError, InvalidArgumentError

__all__ = ["make_report"]


def _second():
    from nerve.units import second

    return second


class _Text:
    """Brian2-like progress lines on a stream."""

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, elapsed, completed, start, duration):
        if completed == 0.0:
            print(f"Starting simulation at t={start} for a duration of {duration}",
                  file=self.stream)
        else:
            line = (f"{completed * duration} ({int(completed * 100)}%) simulated in "
                    f"{_wall(float(elapsed))}")
            if completed < 1.0:
                line += f", estimated {_wall((1 - completed) / completed * float(elapsed))} remaining."
            print(line, file=self.stream)
        self.stream.flush()


def _wall(seconds: float) -> str:
    """A wall-clock duration as days, hours, minutes and seconds ('< 1s'
    under a second)."""
    if seconds < 1:
        return "< 1s"
    parts, rest = [], round(seconds)
    for size, letter in ((86400, "d"), (3600, "h"), (60, "m"), (1, "s")):
        if rest >= size or (parts and letter == "s"):
            parts.append(f"{rest // size}{letter}")
            rest %= size
    return " ".join(parts)


class _Bar:
    """A tqdm progress bar (``report='tqdm'``)."""

    def __init__(self):
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - depends on the environment
            raise InvalidArgumentError(
                "report='tqdm' needs the tqdm package: pip install tqdm") from None
        self._tqdm = tqdm
        self.bar = None

    def __call__(self, elapsed, completed, start, duration):
        if self.bar is None:
            self.bar = self._tqdm(total=100, unit="%", desc="simulating")
        self.bar.n = round(100 * completed, 1)
        self.bar.refresh()
        if completed >= 1.0:
            self.bar.close()


def make_report(report):
    """The report function for a ``report=`` argument (None: no report)."""
    if report is None:
        return None
    if isinstance(report, str):
        if report in ("text", "stdout"):
            return _Text(sys.stdout)
        if report == "stderr":
            return _Text(sys.stderr)
        if report == "tqdm":
            return _Bar()
        raise InvalidArgumentError(
            f"report must be 'text', 'stdout', 'stderr', 'tqdm' or a function, got {report!r}")
    if callable(report):
        return report
    raise ArgumentTypeError(
        f"report must be 'text', 'stdout', 'stderr', 'tqdm' or a function called as "
        f"report(elapsed, completed, start, duration), got {type(report).__name__}")


class Reporter:
    """Calls a report function at 0.0, every ``period`` seconds of wall
    time, and at the end."""

    def __init__(self, function, start: float, duration: float, period: float):
        self.function, self.start, self.duration, self.period = (
            function, start, duration, period)
        self.began = time.perf_counter()
        self.next = self.began + period
        second = _second()
        self._args = (start * second, duration * second)
        function(0 * second, 0.0, *self._args)

    def poll(self, t: float) -> None:
        now = time.perf_counter()
        if now >= self.next:
            self.next = now + self.period
            self._call(t, now)

    def done(self, t: float) -> None:
        self._call(t, time.perf_counter())

    def _call(self, t: float, now: float) -> None:
        completed = (t - self.start) / self.duration if self.duration > 0 else 1.0
        self.function((now - self.began) * _second(), min(max(completed, 0.0), 1.0),
                      *self._args)
