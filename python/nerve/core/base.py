"""What every simulated object shares: a name, a clock, a place in the
schedule (``when``, ``order``), the scope it was created in
(``start_scope()`` starts a new one), and the protocol by which it takes
part in a run (see :mod:`nerve.core.schedule`)."""

from __future__ import annotations

import itertools

from nerve.core.clock import Clock, defaultclock

__all__ = ["NerveObject", "start_scope"]

_ids = itertools.count()
_names: dict[str, itertools.count] = {}
_scope = [0]
#: functions called with every new object (``nerve.sweep`` notes where the
#: objects of each copy are made, to look up their names there)
_creation_hooks: list = []


def start_scope() -> None:
    """Objects created before this call are no longer collected by ``run()``."""
    _scope[0] += 1


def _default_name(cls: type) -> str:
    base = cls.__name__.lower()
    n = next(_names.setdefault(base, itertools.count()))
    return base if n == 0 else f"{base}_{n}"


class NerveObject:
    """Base of the objects a network runs (groups, monitors, operations).

    Subclasses contribute to a run by overriding :meth:`_contribute`; they
    say which other objects they need (:meth:`_dependencies`), which group
    variables they read during a run (:meth:`_observes`), and what
    ``store()``/``restore()`` must keep (:meth:`_snapshot`, :meth:`_restore`).
    """

    #: the slot of the schedule this object's operations go in by default
    default_when = "start"
    #: whether a new object of this kind, found by the magic ``run()`` next
    #: to objects that ran before, makes the run ambiguous (groups do;
    #: monitors and operations just join)
    invalidates_magic_network = True

    def __init__(self, *, name: str | None = None, dt=None, clock: Clock | None = None,
                 when: str | None = None, order: int = 0):
        if dt is not None and clock is not None:
            raise ValueError("give either dt or clock, not both")
        self.id = next(_ids)
        self.name = name if name is not None else _default_name(type(self))
        self.clock = clock if clock is not None else (Clock(dt) if dt is not None else defaultclock)
        self.when = self.default_when if when is None else when
        self.order = order
        self.active = True
        self._scope_key = _scope[0]
        #: id of the network this object belongs to (None: none yet)
        self._network_id: int | None = None
        for hook in _creation_hooks:
            hook(self)

    @property
    def contained_objects(self) -> tuple:
        """Objects that run with this one (none by default)."""
        return ()

    # -- the run protocol -------------------------------------------------

    def _dependencies(self) -> tuple:
        """Objects that must be in the same network (e.g. a monitor's group)."""
        return ()

    def _observes(self) -> dict:
        """Group variables read during a run: ``{group: {names}}``."""
        return {}

    def _contribute(self, run) -> None:
        """Register state and add operations to ``run`` (a ``RunBuilder``)."""

    def _snapshot(self):
        """What ``store()`` keeps of this object (None: nothing)."""
        return None

    def _restore(self, snapshot) -> None:
        """Go back to a snapshot taken by :meth:`_snapshot`."""

    def __copy__(self):
        raise TypeError(
            f"{type(self).__name__} {self.name!r} cannot be copied: a copy would share "
            f"its identity in networks and its engine state. Create a new object with "
            f"the same arguments, or use store()/restore() to go back to a state")

    def __deepcopy__(self, memo):
        self.__copy__()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
