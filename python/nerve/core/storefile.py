"""``store(filename=...)`` / ``restore(filename=...)``: a network's state in a
numpy ``.npz`` file, read with ``allow_pickle=False`` (nothing in the file is
executed when it is loaded).

The snapshots objects give for ``store()`` (tuples, lists, dicts of arrays,
numbers, strings) are written as a JSON description plus one array entry per
numpy array, per stored name: ``<name>/__state__`` (the JSON, as bytes) and
``<name>/<k>``. Objects are matched by name when restored, so a fresh
process that builds the same network (same names) can restore it. Monitors
also store what they recorded (``_stored_data()``), so their recordings come
back too; streamed monitors keep theirs in their own file.

Not stored: the random streams (``restore(..., restore_random_state=True)``
is refused for a file) and spikes still travelling along synaptic delays
(storing refuses when there are any; the queues come back empty).
"""

from __future__ import annotations

import json
import os

import numpy as np

from nerve.exceptions import NotSupportedError

__all__ = ["write_state", "read_state"]


def _path(filename) -> str:
    return os.fspath(filename)


def _encode(node, arrays: dict, prefix: str, owner: str):
    if isinstance(node, np.ndarray):
        if node.dtype.hasobject:
            raise NotSupportedError(f"{owner}: an array of Python objects cannot be stored in "
                                    f"a file")
        key = f"{prefix}/{len(arrays)}"
        arrays[key] = node
        return {"a": key}
    if isinstance(node, np.generic):
        return {"v": node.item()}
    if node is None or isinstance(node, (bool, int, float, str)):
        return {"v": node}
    if isinstance(node, tuple):
        return {"t": [_encode(x, arrays, prefix, owner) for x in node]}
    if isinstance(node, list):
        return {"l": [_encode(x, arrays, prefix, owner) for x in node]}
    if isinstance(node, dict):
        return {"d": [[_encode(k, arrays, prefix, owner), _encode(v, arrays, prefix, owner)]
                      for k, v in node.items()]}
    kind = type(node).__name__
    if kind == "Rng":
        return {"rng": None}
    if kind == "SpikeQueue":
        if node.pending():
            raise NotSupportedError(
                f"{owner}: {node.pending()} spikes are still travelling along synaptic delays; "
                f"they cannot be stored in a file yet (store without a filename keeps them)")
        return {"queue": None}
    raise NotSupportedError(f"{owner}: its state holds a {kind}, which cannot be stored in "
                            f"a file")


def _decode(node: dict, arrays, current, owner: str):
    ((tag, value),) = node.items()
    if tag == "a":
        return np.array(arrays[value])
    if tag == "v":
        return value
    if tag in ("t", "l"):
        parts = current if isinstance(current, (tuple, list)) else ()
        items = [_decode(x, arrays, parts[k] if k < len(parts) else None, owner)
                 for k, x in enumerate(value)]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        out = {}
        for k, v in value:
            key = _decode(k, arrays, None, owner)
            here = current.get(key) if isinstance(current, dict) else None
            out[key] = _decode(v, arrays, here, owner)
        return out
    if tag == "rng":
        if current is None:
            raise NotSupportedError(f"{owner}: the stored state does not fit this object")
        return current.copy()  # (random streams are not stored: the current ones go on)
    if tag == "queue":
        if current is None:  # (not made yet in this process: an empty one)
            from nerve import _core

            return _core.SpikeQueue()
        queue = current.copy()
        queue.clear()
        return queue
    raise ValueError(f"unknown entry {tag!r} in a stored state")


def _load(path: str) -> dict:
    if not os.path.exists(path):
        return {}
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def write_state(filename, name: str, t: float, objects) -> None:
    """Add the state of ``objects`` (and the time ``t``) under ``name`` to the
    file (other names already in it are kept)."""
    path = _path(filename)
    entries = {k: v for k, v in _load(path).items() if not k.startswith(f"{name}/")}
    arrays: dict = {}
    description = {"t": t, "objects": {}}
    names = set()
    for obj in objects:
        if obj.name in names:
            raise NotSupportedError(f"two objects are named {obj.name!r}: a file stores "
                                    f"objects by name")
        names.add(obj.name)
        owner = f"{type(obj).__name__} {obj.name!r}"
        snapshot = obj._snapshot()
        data = obj._stored_data() if hasattr(obj, "_stored_data") else None
        description["objects"][obj.name] = {
            "snapshot": _encode(snapshot, arrays, f"{name}/{obj.name}", owner),
            "data": _encode(data, arrays, f"{name}/{obj.name}", owner),
            "dt": obj.clock._dt,
        }
    entries.update(arrays)
    entries[f"{name}/__state__"] = np.frombuffer(json.dumps(description).encode(), np.uint8)
    temporary = path + ".tmp.npz"
    np.savez(temporary, **entries)
    os.replace(temporary, path)


def read_state(filename, name: str, objects):
    """The state stored under ``name`` in the file, for ``objects``:
    ``(t, {id: snapshot}, {id(clock): (clock, dt)}, after)``, ``after()``
    putting back the monitors' recordings once the objects are restored."""
    path = _path(filename)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no stored state file {path!r}")
    entries = _load(path)
    key = f"{name}/__state__"
    if key not in entries:
        stored = sorted(k[:-len("/__state__")] for k in entries if k.endswith("/__state__"))
        raise KeyError(f"nothing was stored under the name {name!r} in {path!r} "
                       f"(stored: {stored})")
    description = json.loads(bytes(entries[key]).decode())
    snapshots, clocks, data = {}, {}, []
    for obj in objects:
        stored = description["objects"].get(obj.name)
        if stored is None:
            continue
        owner = f"{type(obj).__name__} {obj.name!r}"
        snapshots[id(obj)] = _decode(stored["snapshot"], entries, obj._snapshot(), owner)
        clocks[id(obj.clock)] = (obj.clock, stored["dt"])
        if hasattr(obj, "_load_stored_data"):
            data.append((obj, _decode(stored["data"], entries, None, owner)))

    def after():
        for obj, values in data:
            obj._load_stored_data(values)

    return description["t"], snapshots, clocks, after
