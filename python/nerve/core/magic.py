"""``run()``, ``collect()`` and the implicit namespace: the only module that
looks at the caller's frame.

``run(duration)`` simulates the objects that the calling code can see (its
local and global variables) and that were created since the last
``start_scope()``. Time starts at 0 when all of them are new and continues
when all of them ran before; a mix is refused, as it is ambiguous.
"""

from __future__ import annotations

import sys

from nerve.core import base
from nerve.core.base import NerveObject
from nerve.core.network import Network, _network_ids
from nerve.exceptions import MagicError

__all__ = ["run", "collect", "caller_namespace", "magic_network"]


def caller_namespace(depth: int) -> dict:
    """The names visible in the frame ``depth`` levels above this function
    (globals overridden by locals)."""
    frame = sys._getframe(depth)
    try:
        namespace = dict(frame.f_globals)
        namespace.update(frame.f_locals)
        return namespace
    finally:
        del frame


def collect(level: int = 0) -> list:
    """The objects ``run()`` called from here would simulate."""
    namespace = caller_namespace(level + 2)
    found: dict[int, NerveObject] = {}
    for value in namespace.values():
        if isinstance(value, NerveObject) and value._scope_key == base._scope[0]:
            found[value.id] = value
    return [found[k] for k in sorted(found)]


class _MagicNetwork(Network):
    """The network behind ``run()``: its objects are re-collected each time.

    Time continues when the objects found ran (or were stored) here before,
    and starts at 0 when all of them are new; new monitors and operations
    next to objects that ran simply join. New groups next to old ones are
    ambiguous and refused, as in Brian2."""

    def _update(self, objects) -> None:
        found = []
        for obj in objects:
            found.append(obj)
            found.extend(obj.contained_objects)
        known = [o for o in found if o._network_id == self.id]
        new = [o for o in found if o._network_id is None and o.invalidates_magic_network]
        if known and new:
            names = ", ".join(o.name for o in new)
            raise MagicError(
                f"run() found objects that ran before together with new ones ({names}): it "
                f"cannot tell whether to continue the old simulation or start a new one. "
                f"Call start_scope() before creating the new model, or put the objects "
                f"in an explicit Network")
        if new:
            self._t = 0.0
            self._stored.clear()
            self.id = next(_network_ids)
        for obj in found:
            if obj._network_id is None:
                obj._network_id = self.id
        self.objects = []
        self.add(*objects)


magic_network = _MagicNetwork(name="magic_network")


def run(duration, report=None, report_period=None, namespace=None, profile=False, level=0):
    """Simulate, for ``duration``, the objects visible where ``run`` is called."""
    objects = collect(level + 1)
    if not objects:
        raise MagicError("run() found no nerve objects (NeuronGroup, monitors) in the calling "
                         "code's variables; create them in the same scope as the run() call")
    magic_network._update(objects)
    magic_network.run(duration, report=report, report_period=report_period,
                      namespace=namespace if namespace is not None else caller_namespace(2 + level),
                      profile=profile, level=level + 1)


def store(name: str = "default", filename=None) -> None:
    """Store the state of the objects visible here (see :meth:`Network.store`)."""
    magic_network._update(collect(1))
    magic_network.store(name, filename=filename)


def restore(name: str = "default", filename=None, restore_random_state: bool = False) -> None:
    """Restore the state stored with :func:`store` (see :meth:`Network.restore`)."""
    magic_network._update(collect(1))
    magic_network.restore(name, filename=filename, restore_random_state=restore_random_state)
