"""``sweep()``: run many copies of a model that differ in parameters (and
seeds), batched into single runs, in this process or on a Dask cluster."""

from __future__ import annotations

import math
import sys

from nerve.exceptions import ArgumentTypeError, InvalidArgumentError
from nerve.sweeps.params import check_build_parameters, parameter_rows
from nerve.sweeps.results import SweepResult
from nerve.sweeps.seeds import copy_seeds, sweep_seed

__all__ = ["sweep"]

_ERRORS = ("raise", "keep")


def sweep(build, params, duration, *, seed=None, measure=None, client=None,
          batch_size=None, retries: int = 2, progress: bool = False,
          errors: str = "raise") -> SweepResult:
    """Run one copy of a model per parameter set, many copies per run.

    ``build(**p)`` builds the model for parameter set ``p`` and returns the
    objects to simulate (a dict name -> object, a list, or a ``Network``).
    What a ``run()`` at the end of ``build`` would find takes part too: the
    objects in its local variables (and in those of functions it calls to
    make objects), and the groups that monitors and synapses need. The names
    model strings use (``tau`` in ``'dv/dt = -v/tau : 1'``) are looked up
    where the object was made, as that ``run()`` would. ``params`` is the
    table of parameter sets: a dict of equal-length sequences (Quantity
    arrays welcome; :func:`nerve.grid` makes every combination), a list of
    dicts, or a pandas DataFrame. Every copy runs for ``duration``.

    Copies are independent and reproducible: copy ``k`` is built under seed
    ``result.seeds[k]``, derived from ``seed`` and ``k`` only (see
    :mod:`nerve.sweeps.seeds`; ``seed=None`` picks one, kept in
    ``result.seed``), so ``seed(result.seeds[k])`` followed by the body of
    ``build`` and ``run(duration)`` gives the same numbers. The copies of a
    batch (``batch_size`` copies, by default all of them here, or one batch
    per Dask worker, of at most 1000 copies) are simulated together in one
    network, in one run (fused into one group per group of a copy when they
    allow it: see :mod:`nerve.sweeps.fuse`).

    ``measure(objects)`` (``objects``: what ``build`` returned) gives the
    results of a copy, a dict of numbers, arrays or Quantities; by default
    what the monitors recorded (see
    :func:`nerve.sweeps.measure.default_measure`).

    ``client`` runs the batches on Dask: ``'local'`` starts a
    ``LocalCluster`` of one worker process per core (one engine thread
    each) for this sweep, or give a ``distributed.Client`` (e.g. of a
    dask-jobqueue cluster). A failed task is retried ``retries`` times.
    ``progress=True`` shows a progress bar (tqdm when installed).

    A copy whose build, run or measurement fails is reported with its
    parameter set: ``errors='raise'`` (default) raises a
    :class:`~nerve.sweeps.SweepError` after all copies ran (its ``result``
    holds the others' results), ``errors='keep'`` returns them in
    ``result.failures``.
    """
    from nerve.core.network import _duration_seconds

    names, rows = parameter_rows(params)
    if not rows:
        raise InvalidArgumentError(
            f"the table of parameter sets is empty ({params!r}): a sweep needs at least one "
            f"parameter set (for repetitions of one model: {{'trial': range(n)}})")
    check_build_parameters(build, names)
    seconds = _duration_seconds(duration, "the duration of a sweep")
    if errors not in _ERRORS:
        raise InvalidArgumentError(f"errors must be 'raise' or 'keep', got {errors!r}")
    if measure is not None and not callable(measure):
        raise ArgumentTypeError(f"measure must be a function of the objects build() returned, "
                                f"got {measure!r}")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"retries must be a whole number >= 0, got {retries!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or
                                   not isinstance(batch_size, int) or batch_size < 1):
        raise InvalidArgumentError(f"batch_size must be a whole number >= 1, got "
                                   f"{batch_size!r}")
    base = sweep_seed(seed)
    seeds = copy_seeds(base, len(rows))
    table = [(k, row, int(s)) for k, (row, s) in enumerate(zip(rows, seeds))]
    if client is None:
        outcomes = _serial(build, table, seconds, measure, batch_size, progress)
    else:
        from nerve.sweeps.distributed import run_on_dask

        outcomes = run_on_dask(client, build, table, seconds, measure, batch_size, retries,
                               progress)
    values = [None] * len(rows)
    failures = []
    for outcome in outcomes:
        if outcome.failure is not None:
            failures.append(outcome.failure)
        else:
            values[outcome.index] = outcome.values
    result = SweepResult(names, rows, base, seeds, values, failures, seconds)
    if failures:
        if errors == "raise":
            result.raise_errors()
        import logging

        logging.getLogger("nerve.sweeps").warning(
            f"{len(failures)} of {len(rows)} copies of the sweep failed (result.failures); "
            f"first: {failures[0]}")
    return result


def batches(table: list, batch_size: int) -> list[list]:
    """``table`` cut into consecutive batches of ``batch_size`` copies."""
    return [table[k:k + batch_size] for k in range(0, len(table), batch_size)]


def _serial(build, table, seconds, measure, batch_size, progress) -> list:
    from nerve.sweeps.batch import run_batch

    size = batch_size or max(len(table), 1)
    parts = batches(table, size)
    bar = _Progress(len(table)) if progress else None
    outcomes = []
    for part in parts:
        outcomes.extend(run_batch(build, part, seconds, measure))
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    return outcomes


class _Progress:
    """A progress bar over copies: tqdm's when installed, else a text line."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=total, unit="copy", desc="sweep")

    def update(self, count: int) -> None:
        self.done += count
        if self.bar is not None:
            self.bar.update(count)
        else:
            percent = math.floor(100 * self.done / max(self.total, 1))
            print(f"\rsweep: {self.done}/{self.total} copies ({percent}%)", end="",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        else:
            print(file=sys.stderr)
