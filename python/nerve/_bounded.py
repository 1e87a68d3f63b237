"""A small helper for the bounded caches of model strings and compiled work
(parses, equation blocks, names of a model: see their modules)."""

from __future__ import annotations

__all__ = ["remember"]


def remember(cache: dict, key, value, limit: int):
    """Put ``value`` in ``cache`` under ``key``, first dropping the oldest
    entry when ``cache`` holds ``limit`` of them; returns ``value``. (Safe
    when another thread changes ``cache`` meanwhile: a cache may then hold an
    entry more or less, never a wrong one.)"""
    if len(cache) >= limit:
        try:
            del cache[next(iter(cache))]
        except (KeyError, RuntimeError, StopIteration):
            pass
    cache[key] = value
    return value
