"""What every simulated object shares: a name, a clock, and the scope it
was created in (``start_scope()`` starts a new one)."""

from __future__ import annotations

import itertools

from nerve.core.clock import Clock, defaultclock

__all__ = ["NerveObject", "start_scope"]

_ids = itertools.count()
_names: dict[str, itertools.count] = {}
_scope = [0]


def start_scope() -> None:
    """Objects created before this call are no longer collected by ``run()``."""
    _scope[0] += 1


def _default_name(cls: type) -> str:
    base = cls.__name__.lower()
    n = next(_names.setdefault(base, itertools.count()))
    return base if n == 0 else f"{base}_{n}"


class NerveObject:
    """Base of the objects a network runs (groups, monitors)."""

    def __init__(self, *, name: str | None = None, dt=None, clock: Clock | None = None):
        if dt is not None and clock is not None:
            raise ValueError("give either dt or clock, not both")
        self.id = next(_ids)
        self.name = name if name is not None else _default_name(type(self))
        self.clock = clock if clock is not None else (Clock(dt) if dt is not None else defaultclock)
        self._scope_key = _scope[0]
        #: id of the network this object last ran in (None: never ran)
        self._network_id: int | None = None

    @property
    def contained_objects(self) -> tuple:
        """Objects that run with this one (none by default)."""
        return ()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
