"""Which neurons an index selects.

``G.v[key]`` accepts what Brian2 accepts: an integer (negative counts from
the end), a slice, a 1-d array or list of integers, or a boolean mask (its
``True`` entries are the selected neurons, as ``numpy.nonzero`` gives them).
String conditions are evaluated by the group (see ``groups/access.py``), not
here. Indices are relative to the group (or subgroup) that is indexed.
"""

from __future__ import annotations

import numbers

import numpy as np

from nerve.exceptions import IndexTypeError, InvalidIndexError

__all__ = ["ALL", "normalize_index", "selected_count", "key_text"]


class _All:
    """The key meaning "every neuron" (``G.v`` itself, ``G.v = ...``);
    distinct from any key a user can write (``G.v[None]`` is an error)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ALL"


ALL = _All()


def normalize_index(key, n: int, what: str):
    """``key`` as an ``int``, a ``slice`` or a 1-d int64 array of indices in
    ``[0, n)``; ``what`` names the indexed variable in messages.

    Raises :class:`InvalidIndexError` (an ``IndexError``) for indices out of
    range or of more than one dimension, :class:`IndexTypeError` (a
    ``TypeError``) for keys that are not indices at all.
    """
    if isinstance(key, slice):
        return key
    if isinstance(key, tuple):
        raise InvalidIndexError(
            f"{what} has one dimension (one value per neuron); index it with a single "
            f"integer, slice, array or condition, not with {len(key)} indices {key!r}")
    if isinstance(key, (bool, np.bool_)):
        raise IndexTypeError(
            f"cannot index {what} with the boolean {key!r}: give a boolean array with one "
            f"entry per neuron, or a condition string such as 'v > 0*mV'")
    if isinstance(key, numbers.Integral):
        return _check_int(int(key), n, what)
    if isinstance(key, numbers.Number):
        raise IndexTypeError(
            f"cannot index {what} with {key!r}: indices must be integers (or a boolean "
            f"mask, a slice, or a condition string)")
    if key is None or key is Ellipsis or isinstance(key, (str, bytes, dict, set)):
        raise IndexTypeError(
            f"cannot index {what} with {key!r}: use an integer, a slice, an array of "
            f"integers or booleans, or a condition string")
    array = np.asarray(key)
    if array.ndim != 1:
        raise InvalidIndexError(
            f"{what} has one dimension: an index array must be 1-d, got shape {array.shape}")
    if array.dtype == bool:
        found = np.flatnonzero(array)
        if found.size and found[-1] >= n:
            raise InvalidIndexError(
                f"the boolean mask used to index {what} selects entry {found[-1]}, but there "
                f"are only {n} neurons (the mask has {array.size} entries)")
        return found
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise IndexTypeError(
            f"cannot index {what} with an array of {array.dtype}: indices must be "
            f"integers (or booleans for a mask)")
    array = array.astype(np.int64)
    bad = (array < -n) | (array >= n)
    if bad.any():
        raise InvalidIndexError(
            f"index {array[bad][0]} is out of range for {what}, which has {n} neurons "
            f"(valid indices: 0 to {n - 1}, or -{n} to -1 from the end)")
    return np.where(array < 0, array + n, array)


def _check_int(index: int, n: int, what: str) -> int:
    if not -n <= index < n:
        raise InvalidIndexError(
            f"index {index} is out of range for {what}, which has {n} neurons "
            f"(valid indices: 0 to {n - 1}, or -{n} to -1 from the end)")
    return index + n if index < 0 else index


def selected_count(index, n: int) -> int | None:
    """How many neurons a normalized index selects (None for a single int)."""
    if isinstance(index, int):
        return None
    if isinstance(index, slice):
        return len(range(*index.indices(n)))
    return int(index.size)


def key_text(key) -> str:
    """``key`` as written between brackets, for messages."""
    if isinstance(key, slice):
        text = ("" if key.start is None else str(key.start)) + ":" + (
            "" if key.stop is None else str(key.stop))
        return text if key.step is None else f"{text}:{key.step}"
    if isinstance(key, np.ndarray):
        return repr(key.tolist()) if key.size <= 6 else f"<array of {key.size}>"
    return repr(key)
