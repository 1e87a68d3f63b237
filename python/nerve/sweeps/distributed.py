"""A sweep on a Dask cluster (``pip install 'nerve[distributed]'``).

The table of copies is cut into batches; each batch is one task
(:func:`nerve.sweeps.batch.run_batch`: build its copies in the worker, run
them together, measure each), submitted with ``client.map`` and retried
``retries`` times if its worker fails. Errors of single copies come back as
data with the outcomes; a task that still fails after its retries is
reported for each of its copies (stage ``'task'``), as is a copy whose
results cannot be pickled. The build and measure functions travel to the
workers pickled by cloudpickle (functions defined in a script or a notebook
travel by value, functions of a module by name, so the workers must be able
to import that module).

What a task costs beyond its work is Dask's messages, so the sweep sends
few and small ones: the functions and each batch's rows travel as pickled
bytes inside the tasks (no round trip to the workers before they start,
nothing for the scheduler to unpickle, one buffer instead of one per
Quantity; a function larger than :data:`INLINE_BYTES` is sent to every
worker once instead), each task sends back its outcomes pickled, and the
client fetches all of them in one request once the tasks ended (none while
the workers compute: on a small machine the scheduler and the client share
the workers' cores).
"""

from __future__ import annotations

import functools
import os

from nerve.exceptions import ArgumentTypeError, NotSupportedError

__all__ = ["run_on_dask"]

#: the most copies in one batch when ``batch_size`` is not given: below it,
#: one batch per worker (each batch runs its copies fused into one network,
#: whose every step costs the same whatever the number of copies, and each
#: task costs Dask a few milliseconds: fewer, larger batches are faster);
#: above it, batches of about this size balance the load, show progress and
#: retry in pieces
MAX_BATCH = 1000


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

    if not table:
        return []
    if batch_size is None:
        per_worker = -(-len(table) // _worker_count(client))
        batch_size = max(1, -(-per_worker // -(-per_worker // MAX_BATCH)))
    parts = batches(table, batch_size)
    build_payload = _payload(client, build, "build")
    measure_payload = None if measure is None else _payload(client, measure, "measure")
    futures = client.map(_task, [_pickled_rows(p) for p in parts], build=build_payload,
                         duration=seconds, measure=measure_payload, threads=threads,
                         retries=retries, pure=False)
    if progress:
        bar = _Progress(len(table))
        try:
            sizes = {f.key: len(p) for f, p in zip(futures, parts)}
            for future in distributed.as_completed(futures):
                bar.update(sizes[future.key])
        finally:
            bar.close()
    return sorted(_gathered(client, futures, parts), key=lambda o: o.index)


def _worker_count(client) -> int:
    """The number of workers (at least 1): from the client's cluster object
    when it has one (its ``scheduler_info`` is kept up to date by the
    scheduler, no request), else asked to the scheduler."""
    workers = getattr(getattr(client, "cluster", None), "scheduler_info", {}).get("workers")
    if not workers:
        workers = client.scheduler_info().get("workers", {})
    return max(len(workers), 1)


def _gathered(client, futures, parts) -> list:
    """The outcomes of all tasks, fetched together once they ended (one
    request, not one per task while the others still run); a task that
    failed after its retries gives a failure for each of its copies."""
    import pickle

    from nerve.sweeps.batch import CopyFailure, Outcome

    # (waits for every task; a failed one comes back as None, its error asked apart)
    got = client.gather({f.key: f for f in futures}, errors="skip")
    outcomes = []
    for future, part in zip(futures, parts):
        data = got.get(future.key)
        if data is None:
            try:
                data = future.result()  # (raises the task's error)
            except Exception as error:
                outcomes.extend(
                    Outcome(k, failure=CopyFailure.from_exception(k, params, seed, "task",
                                                                  error))
                    for k, params, seed in part)
                continue
        outcomes.extend(pickle.loads(data))
    return outcomes


#: a function pickled to at most this many bytes travels inside each task;
#: a larger one is sent to every worker once, beforehand
INLINE_BYTES = 64 * 1024


def _payload(client, function, what: str):
    """``function`` pickled (cloudpickle) for the workers: the bytes, or for
    large ones a future of the bytes already sent to every worker. Sending
    bytes in the tasks spares a round trip to the workers before the tasks
    start, and the scheduler never unpickles the user's code."""
    import cloudpickle

    try:
        data = cloudpickle.dumps(function)
    except Exception as error:  # (pickling errors come in many classes)
        raise ArgumentTypeError(
            f"the {what} function {function!r} cannot be sent to the Dask workers "
            f"({type(error).__name__}: {error}): it must be picklable by cloudpickle (e.g. "
            f"not hold locks, open files or a live Network)") from error
    if len(data) <= INLINE_BYTES:
        return data
    [future] = client.scatter([data], broadcast=True, hash=False)
    return future


@functools.lru_cache(maxsize=2)
def _loaded(data: bytes):
    """The function pickled in ``data`` (one object per worker process for
    the tasks of a sweep: the last two kept, a sweep's build and measure)."""
    import pickle

    return pickle.loads(data)


def _pickled_rows(part: list) -> bytes:
    """The rows of a batch pickled in one piece: Dask would send each
    Quantity's number as a buffer of its own (a message of 64 parts for 64
    rows, a few ms to pickle, send and unpickle)."""
    import cloudpickle

    try:
        return cloudpickle.dumps(part)
    except Exception as error:
        raise ArgumentTypeError(
            f"a parameter set of the sweep cannot be sent to the Dask workers "
            f"({type(error).__name__}: {error}): parameter values must be picklable") from error


def _task(rows: bytes, build, duration, measure, threads) -> bytes:
    """One batch, in a worker: its outcomes, pickled."""
    import pickle

    from nerve.sweeps.batch import run_batch

    part = pickle.loads(rows)
    outcomes = run_batch(_loaded(build), part, duration,
                         None if measure is None else _loaded(measure), threads)
    return _packed(part, outcomes)


def _packed(part, outcomes) -> bytes:
    """``outcomes`` pickled; a copy whose results cannot be pickled is sent
    back as a failure of its own (stage ``'task'``), the others' results kept."""
    import cloudpickle

    try:
        return cloudpickle.dumps(outcomes)
    except Exception:
        pass
    from nerve.sweeps.batch import CopyFailure, Outcome

    kept = []
    for (index, params, seed), outcome in zip(part, outcomes):
        try:
            cloudpickle.dumps(outcome)
        except Exception as error:
            outcome = Outcome(index, failure=CopyFailure.from_exception(
                index, params, seed, "task", TypeError(
                    f"its results cannot be sent back from the Dask worker: "
                    f"{type(error).__name__}: {error}")))
        kept.append(outcome)
    return cloudpickle.dumps(kept)
