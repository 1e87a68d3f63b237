"""One batch of a sweep: build its copies, run them together, measure each.

This is what runs where the simulation runs (in the calling process, or in
a Dask worker): :func:`run_batch` takes picklable arguments and returns
picklable outcomes, one per copy, an error of one copy being data too (with
its parameter set), so the other copies' results are kept.

Copy ``k`` is built under ``seed_scope(seed_k)`` (its objects draw from
their own streams of ``seed_k``, numpy's generator is seeded with
``seed_k``). Its objects are those the build function returned, those in the
local variables of the functions that made objects (the build function, or
functions it called), and the groups these need: what ``run()`` called at the
end of those functions would collect. The names an object's model strings
use are looked up where it was made (that function's variables as they were
when it returned, then its module's globals), as such a ``run()`` would look
them up. All copies' objects then go into one ``Network``, run once (fused
into one group per group of a copy, when the copies allow it: see
:mod:`nerve.sweeps.fuse`). When
that run fails, each copy is built again and run alone, to tell which copies
fail; copies whose objects have the same names as another copy's (objects
given an explicit ``name=``) also run alone.
"""

from __future__ import annotations

import sys
import threading
from types import FrameType

from nerve.exceptions import ArgumentTypeError

__all__ = ["CopyFailure", "Outcome", "run_batch", "build_copy"]

#: one batch at a time per process: seed scopes, numpy's global generator
#: and the name counters are process-wide
_lock = threading.Lock()


class CopyFailure:
    """Why copy ``index`` of a sweep gave no result: the ``params`` it was
    built with, its ``seed``, the ``stage`` that failed (``'build'``,
    ``'run'``, ``'measure'``, or ``'task'`` when the worker running its
    batch failed), and the exception (``error``: the exception itself when
    it could be sent back from the worker, else None; ``type``, ``message``
    and ``traceback`` as text)."""

    def __init__(self, index: int, params: dict, seed: int, stage: str, type: str,
                 message: str, traceback: str = "", error: BaseException | None = None):
        self.index, self.params, self.seed, self.stage = index, params, seed, stage
        self.type, self.message, self.traceback, self.error = type, message, traceback, error

    def __repr__(self) -> str:
        return (f"CopyFailure(index={self.index}, params={self.params!r}, stage={self.stage!r}, "
                f"type={self.type!r}, message={self.message!r})")

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}"
                          for k, v in self.params.items())
        return f"copy {self.index} ({shown}) failed in {self.stage}: {self.type}: {self.message}"

    @classmethod
    def from_exception(cls, index, params, seed, stage, error) -> "CopyFailure":
        """The failure of a copy from the exception raised."""
        import traceback

        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(index, dict(params), int(seed), stage, type(error).__name__, str(error),
                   text, _picklable(error))


def _picklable(error):
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return None
    return error.with_traceback(None)


class Outcome:
    """What one copy gave: ``values`` (name -> result) or a ``failure``."""

    def __init__(self, index: int, values: dict | None = None,
                 failure: CopyFailure | None = None) -> None:
        self.index, self.values, self.failure = index, values, failure


def _call_capturing(build, params: dict):
    """``build(**params)``, the names visible where it returned (its globals
    updated with its locals), as ``run()`` called there would see them, and
    its local variables; None, None when they cannot be found (``build`` is
    not a Python function)."""
    import inspect

    code = getattr(inspect.unwrap(build), "__code__", None)
    if code is None:
        return build(**params), None, None
    found = []
    previous = sys.gettrace()

    def tracer(frame, event, arg):  # called for each new Python frame, until build's
        if frame.f_code is code:
            found.append(frame)
            sys.settrace(previous)
        # (a debugger's or coverage's tracer still sees the frames)
        return previous(frame, event, arg) if previous is not None else None

    sys.settrace(tracer)
    try:
        result = build(**params)
    finally:
        sys.settrace(previous)
    if not found:
        return result, None, None
    frame = found.pop()
    local = dict(frame.f_locals)
    namespace = _names(local, frame.f_globals)
    del frame
    return result, namespace, local


def _members(result, title: str) -> list:
    """The nerve objects a build function returned (dict values, list items,
    a Network's objects)."""
    from nerve.core.base import NerveObject
    from nerve.core.network import Network

    if isinstance(result, NerveObject):
        found = [result]
    elif isinstance(result, Network):
        found = list(result.objects)
    elif isinstance(result, dict):
        found = [v for v in result.values() if isinstance(v, NerveObject)]
    elif isinstance(result, (list, tuple)):
        found = []
        for item in result:
            if isinstance(item, (list, tuple)):
                found.extend(_members(item, title))
            elif isinstance(item, NerveObject):
                found.append(item)
            else:
                raise ArgumentTypeError(f"{title}() returned a list holding {item!r}: a list "
                                        f"holds the nerve objects to simulate")
    else:
        raise ArgumentTypeError(
            f"{title}() must return the objects to simulate: a dict (name -> object), a "
            f"list of objects or a Network, got {type(result).__name__}")
    if not found:
        raise ArgumentTypeError(f"{title}() returned no nerve objects to simulate "
                                f"(got {result!r})")
    return found


def _closure(objects: list, first_id: int, title: str) -> list:
    """``objects`` with what they need (e.g. a monitor's group), in order of
    creation, as ``run()`` collects them; all made by this copy's build
    (ids above ``first_id``)."""
    seen = {}
    todo = list(objects)
    while todo:
        obj = todo.pop()
        if id(obj) not in seen:
            if obj.id <= first_id:
                raise ArgumentTypeError(
                    f"{title}() returned or uses {type(obj).__name__} {obj.name!r}, which was "
                    f"created before it was called: the copies of a sweep share nothing, "
                    f"create every object inside {title}()")
            seen[id(obj)] = obj
            todo.extend(obj._dependencies())
    return sorted(seen.values(), key=lambda o: o.id)


class _Birthplaces:
    """While active, notes for each new nerve object the frame of the code
    outside nerve that made it (e.g. the build function, or a function it
    calls)."""

    def __init__(self) -> None:
        self.frames: dict[int, FrameType] = {}
        self.thread = threading.get_ident()

    def __call__(self, obj) -> None:
        if threading.get_ident() != self.thread:
            return  # (another thread's object: not this copy's)
        frame: FrameType | None = sys._getframe(1)
        while frame is not None and _in_nerve(frame):
            frame = frame.f_back
        if frame is not None:
            self.frames[id(obj)] = frame

    def __enter__(self) -> "_Birthplaces":
        from nerve.core import base

        base._creation_hooks.append(self)
        return self

    def __exit__(self, *exc) -> None:
        from nerve.core import base

        base._creation_hooks.remove(self)

    def namespaces(self) -> tuple[dict, list]:
        """``(namespaces, local_objects)``: id of object -> the names visible
        in the frame that made it (globals updated with the locals, as they
        were when the frame returned), and the nerve objects in the local
        variables of those frames."""
        from nerve.core.base import NerveObject

        by_frame: dict = {}
        out = {}
        local_objects: list = []
        for key, frame in self.frames.items():
            namespace = by_frame.get(id(frame))
            if namespace is None:
                local = dict(frame.f_locals)
                local_objects.extend(v for v in local.values() if isinstance(v, NerveObject))
                namespace = by_frame[id(frame)] = _names(local, frame.f_globals)
            out[key] = namespace
        self.frames.clear()
        return out, local_objects


def _names(local: dict, module: dict):
    """The names visible in a frame: its locals, then its module's globals
    (not copied: a script's star import holds a thousand names)."""
    from collections import ChainMap

    return ChainMap(local, module)


def _in_nerve(frame) -> bool:
    name = frame.f_globals.get("__name__", "")
    return name == "nerve" or name.startswith("nerve.")


def _set_namespaces(objects: list, namespaces: dict, fallback: dict | None) -> None:
    """Give each object without an explicit namespace the names visible
    where it was made (else ``fallback``: the build function's)."""
    for obj in objects:
        if isinstance(getattr(type(obj), "namespace", None), property):
            continue  # (a part of a group: it reads the group's)
        namespace = namespaces.get(id(obj), fallback)
        if namespace is not None and "namespace" in vars(obj) and vars(obj)["namespace"] is None:
            vars(obj)["namespace"] = namespace


class _Copy:
    """A built copy: what build returned, and the objects to run, in order."""

    def __init__(self, index: int, params: dict, seed: int, result, objects: list) -> None:
        self.index, self.params, self.seed = index, params, seed
        self.result, self.objects = result, objects


def build_copy(build, index: int, params: dict, seed: int) -> _Copy:
    """Build copy ``index`` under its seed; its objects in the order they run."""
    from nerve.core.seeding import seed_scope

    from nerve.core import base
    from nerve.core.base import NerveObject

    title = getattr(build, "__name__", "build")
    first_id = next(base._ids)  # (objects made from now on have larger ids)
    with seed_scope(seed), _Birthplaces() as birthplaces:
        result, namespace, local = _call_capturing(build, params)
    # what it returned, and what run() at the end of build, or of a function
    # that made objects, would collect (the objects in its local variables)
    namespaces, local_objects = birthplaces.namespaces()
    found = _members(result, title)
    found.extend(v for v in [*(local or {}).values(), *local_objects]
                 if isinstance(v, NerveObject) and v.id > first_id)
    objects = _closure(found, first_id, title)
    _set_namespaces(objects, namespaces, namespace)
    return _Copy(index, params, seed, result, objects)


def _measured(copy: _Copy, measure) -> Outcome:
    from nerve.sweeps.measure import checked_values, default_measure

    try:
        if measure is None:
            values = default_measure(copy.result)
        else:
            values = checked_values(measure(copy.result),
                                    getattr(measure, "__name__", "measure"))
    except Exception as error:
        return Outcome(copy.index, failure=CopyFailure.from_exception(
            copy.index, copy.params, copy.seed, "measure", error))
    return Outcome(copy.index, values=values)


def _run(objects: list, duration: float) -> None:
    from nerve.core.network import Network
    from nerve.units import second

    Network(*objects).run(duration * second, namespace={})


def _run_together(copies: list, duration: float) -> None:
    """Run ``copies`` in one network: fused into one group per group of a
    copy when they allow it (:mod:`nerve.sweeps.fuse`), else side by side."""
    from nerve.sweeps.fuse import fuse

    fused = fuse(copies)
    if fused is not None:
        try:
            start = fused.run(duration)
        except Exception:
            pass  # (the copies are untouched: run them unfused, which reports the error)
        else:
            fused.scatter(start)
            return
    _run([o for c in copies for o in c.objects], duration)


def _alone(build, index, params, seed, duration, measure, copy=None) -> Outcome:
    """Copy ``index`` run by itself (built first, unless ``copy`` is given)."""
    if copy is None:
        try:
            copy = build_copy(build, index, params, seed)
        except Exception as error:
            return Outcome(index, failure=CopyFailure.from_exception(index, params, seed,
                                                                     "build", error))
    try:
        _run(copy.objects, duration)
    except Exception as error:
        return Outcome(index, failure=CopyFailure.from_exception(index, params, seed, "run",
                                                                 error))
    return _measured(copy, measure)


def run_batch(build, rows: list, duration: float, measure=None, threads: int | None = None):
    """Build, run and measure the copies ``rows`` (tuples ``(index, params,
    seed)``) for ``duration`` seconds, in one run; a list of
    :class:`Outcome`, in the order of ``rows``."""
    from nerve.core.threads import get_num_threads, set_num_threads

    with _lock:
        old_threads = get_num_threads()
        if threads is not None:
            set_num_threads(threads)
        try:
            return _run_batch(build, rows, duration, measure)
        finally:
            if threads is not None:
                set_num_threads(old_threads)


def _run_batch(build, rows, duration, measure) -> list:
    import numpy as np

    saved = np.random.get_state()
    try:
        outcomes = {}
        copies = []
        for index, params, seed in rows:
            try:
                copies.append(build_copy(build, index, params, seed))
            except Exception as error:
                outcomes[index] = Outcome(index, failure=CopyFailure.from_exception(
                    index, params, seed, "build", error))
        together, alone = _by_names(copies)
        rebuild = []
        if together:
            try:
                _run_together(together, duration)
            except Exception:
                # which copies fail? each alone, built again (the failed run may have
                # drawn from their streams)
                rebuild, together = together, []
        for copy in together:
            outcomes[copy.index] = _measured(copy, measure)
        for copy in alone:
            outcomes[copy.index] = _alone(build, copy.index, copy.params, copy.seed, duration,
                                          measure, copy)
        for copy in rebuild:
            outcomes[copy.index] = _alone(build, copy.index, copy.params, copy.seed, duration,
                                          measure)
        return [outcomes[index] for index, _, _ in rows]
    finally:
        np.random.set_state(saved)


def _by_names(copies: list) -> tuple[list, list]:
    """The copies that can run together (their objects' names unique) and
    those that must run alone (names taken by an earlier copy)."""
    from nerve.core.network import Network

    taken: set[str] = set()
    together, alone = [], []
    for copy in copies:
        names = [o.name for o in Network(*copy.objects)._all_objects()]
        if taken.intersection(names):
            alone.append(copy)
        else:
            together.append(copy)
            taken.update(names)
    return together, alone
