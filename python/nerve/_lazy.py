"""Names of other libraries that the star import gives without importing them.

``from nerve import *`` gives a script pyplot's, numpy.random's and a few
modules' names (as Brian2's star import does through pylab), but importing
matplotlib or numpy.random would make ``import nerve`` several times slower.
So these names are stand-ins that import their library the first time they
are used:

- :func:`forward` makes a function that calls the real function
  (``plot(...)``, ``rand(3)``);
- :class:`Lazy` stands for any other object (a class, a module, a mapping such
  as ``rcParams``): calling it, reading an attribute, indexing it, iterating
  over it, ``isinstance(x, Lazy)`` and subclassing it all act on the real
  object.

An object whose module is already imported when nerve is imported is given
as itself (see :func:`resolve_now`).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

__all__ = ["Lazy", "forward", "resolve_now"]


def _load(module: str, name: str | None) -> Any:
    target = importlib.import_module(module)
    return target if name is None else getattr(target, name)


def forward(module: str, name: str) -> Callable[..., Any]:
    """A function that imports ``module`` on first call and calls ``module.name``."""
    def call(*args: Any, **kwargs: Any) -> Any:
        return _load(module, name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"{module}.{name}, imported on first call (see its documentation)."
    return call


class Lazy:
    """Stands for ``module.name`` (or the module itself when ``name`` is None)
    and imports it when first used."""

    __slots__ = ("_module", "_name", "_target")

    def __init__(self, module: str, name: str | None = None) -> None:
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_target", None)

    def _resolve(self) -> Any:
        target = object.__getattribute__(self, "_target")
        if target is None:
            target = _load(object.__getattribute__(self, "_module"),
                           object.__getattribute__(self, "_name"))
            object.__setattr__(self, "_target", target)
        return target

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._resolve(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._resolve(), attr, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._resolve()(*args, **kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._resolve()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._resolve()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._resolve()[key]

    def __contains__(self, item: Any) -> bool:
        return item in self._resolve()

    def __iter__(self):
        return iter(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())

    def __bool__(self) -> bool:
        return bool(self._resolve())

    def __eq__(self, other: Any) -> bool:
        return self._resolve() == other

    def __hash__(self) -> int:
        return hash(self._resolve())

    def __instancecheck__(self, instance: Any) -> bool:
        return isinstance(instance, self._resolve())

    def __subclasscheck__(self, subclass: Any) -> bool:
        return issubclass(subclass, self._resolve())

    def __mro_entries__(self, bases: tuple) -> tuple:
        return (self._resolve(),)

    def __enter__(self) -> Any:
        return self._resolve().__enter__()

    def __exit__(self, *exc: Any) -> Any:
        return self._resolve().__exit__(*exc)

    def __dir__(self) -> list[str]:
        return dir(self._resolve())

    def __repr__(self) -> str:
        return repr(self._resolve())

    def __str__(self) -> str:
        return str(self._resolve())


def resolve_now(module: str, name: str | None) -> Any:
    """The object itself if ``module`` is already imported (and has ``name``),
    else a :class:`Lazy` stand-in."""
    loaded = sys.modules.get(module)
    if loaded is not None:
        if name is None:
            return loaded
        found = loaded.__dict__.get(name)
        if found is not None:
            return found
    return Lazy(module, name)
