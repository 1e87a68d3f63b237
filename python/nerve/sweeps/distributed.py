"""A sweep on a Dask cluster (``pip install 'nerve[distributed]'``).

The table of copies is cut into batches; each batch is one task
(:func:`nerve.sweeps.batch.run_batch`: build its copies in the worker, run
them together, measure each), submitted with ``client.map`` and retried
``retries`` times if its worker fails. Errors of single copies come back as
data with the outcomes; a task that still fails after its retries is
reported for each of its copies (stage ``'task'``). The build and measure
functions travel to the workers pickled by Dask (cloudpickle: functions
defined in a script or a notebook travel by value, functions of a module
by name, so the workers must be able to import that module).
"""

from __future__ import annotations

import os

from nerve.exceptions import ArgumentTypeError, NotSupportedError

__all__ = ["run_on_dask"]

#: batches per worker when ``batch_size`` is not given: enough to balance
#: the load and show progress, few enough to keep the runs batched
BATCHES_PER_WORKER = 4


def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise NotSupportedError(
            "sweep(client=...) runs on Dask, which is not installed: "
            "pip install 'nerve[distributed]' (dask[distributed], xarray, pandas)") from None
    return distributed


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # (not on Linux)
        return os.cpu_count() or 1


def run_on_dask(client, build, table, seconds, measure, batch_size, retries, progress):
    """The outcomes of the copies ``table`` run on ``client`` (``'local'``:
    a LocalCluster of one single-threaded worker process per core, closed
    at the end)."""
    distributed = _import_distributed()
    own = None
    threads = None
    if isinstance(client, str):
        if client != "local":
            raise ArgumentTypeError(f"client is 'local', a distributed.Client or None, got "
                                    f"{client!r}")
        # (dashboard on a free port: another cluster may hold Dask's default one)
        cluster = distributed.LocalCluster(n_workers=_usable_cores(), threads_per_worker=1,
                                           processes=True, dashboard_address=":0")
        own = (distributed.Client(cluster), cluster)
        client = own[0]
        threads = 1  # one engine thread per worker process: the processes fill the cores
    elif not (hasattr(client, "map") and hasattr(client, "submit")):
        raise ArgumentTypeError(f"client is 'local', a distributed.Client or None, got "
                                f"{client!r}")
    try:
        return _run(distributed, client, build, table, seconds, measure, batch_size, retries,
                    progress, threads)
    finally:
        if own is not None:
            own[0].close()
            own[1].close()


def _run(distributed, client, build, table, seconds, measure, batch_size, retries, progress,
         threads):
    from nerve.sweeps.api import _Progress, batches
    from nerve.sweeps.batch import CopyFailure, Outcome

    if not table:
        return []
    if batch_size is None:
        workers = max(len(client.scheduler_info().get("workers", {})), 1)
        batch_size = max(1, -(-len(table) // (workers * BATCHES_PER_WORKER)))
    parts = batches(table, batch_size)
    # one copy of the functions for all tasks
    build_future = _scattered(client, build, "build")
    measure_future = None if measure is None else _scattered(client, measure, "measure")
    futures = client.map(_task, parts, build=build_future, duration=seconds,
                         measure=measure_future, threads=threads, retries=retries, pure=False)
    part_of = {f.key: p for f, p in zip(futures, parts)}
    bar = _Progress(len(table)) if progress else None
    outcomes = []
    try:
        for future in distributed.as_completed(futures):
            part = part_of[future.key]
            try:
                outcomes.extend(future.result())
            except Exception as error:
                outcomes.extend(
                    Outcome(k, failure=CopyFailure.from_exception(k, params, seed, "task",
                                                                  error))
                    for k, params, seed in part)
            if bar is not None:
                bar.update(len(part))
    finally:
        if bar is not None:
            bar.close()
    return sorted(outcomes, key=lambda o: o.index)


def _scattered(client, function, what: str):
    """``function`` sent to every worker (a future of it)."""
    try:
        [future] = client.scatter([function], broadcast=True, hash=False)
    except Exception as error:  # (pickling errors come in many classes)
        raise ArgumentTypeError(
            f"the {what} function {function!r} cannot be sent to the Dask workers "
            f"({type(error).__name__}: {error}): it must be picklable by cloudpickle (e.g. "
            f"not hold locks, open files or a live Network)") from error
    return future


def _task(part, build, duration, measure, threads):
    """One batch, in a worker."""
    from nerve.sweeps.batch import run_batch

    return run_batch(build, part, duration, measure, threads)
