"""``Synapses.connect``: which pairs of neurons get synapses.

Every form produces two int32 arrays (presynaptic and postsynaptic index of
each new synapse, relative to the source and target (sub)groups), in
Brian2's order: for explicit ``i``/``j`` the order given; otherwise by
presynaptic neuron, then in the order the targets are generated.

Expressions (conditions, ``p``, the generator's range and ``j``) are
evaluated by the engine over all candidates at once (``lanes.evaluate``).
This first cut enumerates candidate pairs explicitly, so a condition or a
``p`` over all pairs takes O(N_pre x N_post) memory and time.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from nerve.equations import parse_expression
from nerve.exceptions import InvalidArgumentError, InvalidIndexError, ModelDefinitionError

__all__ = ["connect_pairs"]

#: ``EXPR for VAR in range(ARGS) if COND`` (the ``if`` part optional), or
#: ``sample(ARGS, p=P)``: the same range, each candidate kept with probability P
_GENERATOR = re.compile(
    r"^\s*(?P<expr>.+?)\s+for\s+(?P<var>[A-Za-z_]\w*)\s+in\s+(?P<kind>range|sample)\s*"
    r"\((?P<args>.*)\)"
    r"\s*(?:\bif\b\s*(?P<cond>.+?))?\s*$", re.S)

#: ``EXPR if COND``: the target EXPR of each source neuron where COND holds
_CONDITIONAL = re.compile(r"^\s*(?P<expr>.+?)\s+if\s+(?P<cond>.+?)\s*$", re.S)


def _split_args(text: str) -> list[str]:
    """The comma-separated arguments of ``range(...)`` (commas inside
    parentheses kept)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _indices(value, n: int, what: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(value))
    if array.ndim != 1 or (array.size and not np.issubdtype(array.dtype, np.integer)):
        raise InvalidIndexError(
            f"connect(): {what} must be an integer or a 1-d array of integers, got {value!r}")
    array = array.astype(np.int64)
    bad = array[(array < 0) | (array >= n)]
    if bad.size:
        raise InvalidIndexError(
            f"connect(): {what} = {int(bad[0])} is out of range: the group has {n} neurons "
            f"(0 to {n - 1})")
    return array


def connect_pairs(S, condition, i, j, p, n, skip_if_invalid, namespace):
    """The (pre, post) index arrays of the synapses one ``connect`` call
    creates (see the module documentation)."""
    n_pre, n_post = S._pre_side.n, S._post_side.n
    if isinstance(n, bool) or not isinstance(n, (numbers.Integral, str)) or (
            not isinstance(n, str) and n < 0):
        raise InvalidArgumentError(f"connect(): n must be a non-negative integer, got {n!r}")
    if isinstance(n, str):  # synapses per pair, an expression (connect_forms.py)
        from nerve.synapses.connect_forms import repeat_by_expression

        if i is not None and not isinstance(i, str) or j is not None and not isinstance(j, str):
            from nerve.exceptions import ArgumentTypeError

            raise ArgumentTypeError(
                f"connect(): n={n!r} is an expression, which cannot be combined with explicit "
                f"indices i/j: give n as a number, or the connections as a string")
        pre, post = connect_pairs(S, condition, i, j, p, 1, skip_if_invalid, namespace)
        return repeat_by_expression(S, pre, post, n, namespace)
    if i is not None and not isinstance(i, str) and j is not None and not isinstance(j, str):
        if condition is not None or (not isinstance(p, str) and p != 1):
            raise InvalidArgumentError(
                "connect(): with explicit i and j, give neither a condition nor p")
        pre, post = np.broadcast_arrays(_indices(i, n_pre, "i"), _indices(j, n_post, "j"))
        return _repeat(pre, post, n)
    if isinstance(i, str):  # the sources of each target (connect_forms.py)
        if j is not None:
            raise InvalidArgumentError(
                f"connect(): i={i!r} generates the sources of each target j; give no j with it")
        from nerve.synapses.connect_forms import generate_sources

        pre, post = generate_sources(S, i, condition, p, skip_if_invalid, namespace)
        return _repeat(pre, post, n)
    if i is not None:
        raise InvalidArgumentError(
            f"connect(): i={i!r} given without j: give the targets j too (indices, broadcast "
            f"with i), or i as a string that generates the sources of each j")
    if isinstance(condition, (bool, np.bool_)):
        condition = None if condition else "False"
    if condition is not None and not isinstance(condition, str):
        raise InvalidArgumentError(
            f"connect(): the condition must be a string (or True/False), got {condition!r}")
    if j is None:
        if not isinstance(p, str):
            _check_probability(p)
        if not isinstance(p, str) and p < 1:
            # a pair is kept when it passes the draw and the condition: draw first
            # (skip sampling, O(synapses)), then test the condition on the drawn pairs
            rows = _rows(S, condition, namespace)
            if rows is not None:  # a condition on the source neuron only: its rows
                pre, post = _skip_sample(S, rows, n_post, float(p))
                return _repeat(pre, post, n)
            pre, post = _skip_sample(S, np.arange(n_pre, dtype=np.int32), n_post, float(p))
            keep = _filter(S, pre, post, condition, 1, namespace)
        else:
            # candidates: two int64 indices, two float64 copies, a result and a mask
            _check_memory(S, n_pre * n_post, 41, "candidate pairs")
            pre = np.repeat(np.arange(n_pre, dtype=np.int64), n_post)
            post = np.tile(np.arange(n_post, dtype=np.int64), n_pre)
            keep = _filter(S, pre, post, condition, p, namespace)
        return _repeat(pre[keep], post[keep], n)
    if not isinstance(j, str):
        raise InvalidArgumentError(
            f"connect(): j must be indices with i, or a string, got {j!r}")
    match = _GENERATOR.match(j)
    if match is None:
        # j = 'expression of i' (then 'if COND' optional): one target per
        # source neuron (where COND holds)
        pre = np.arange(n_pre, dtype=np.int64)
        conditional = _CONDITIONAL.match(j)
        expr = j if conditional is None else conditional["expr"]
        if conditional is not None:
            if condition is not None:
                raise InvalidArgumentError(
                    "connect(): give a condition either as condition= or inside the target "
                    "(j='expression if condition'), not both")
            keep = _values(S, conditional["cond"], {"i": pre}, pre, None, namespace,
                           f"the condition of j={j!r}", condition=True) != 0
            pre = pre[keep]
        post = _values(S, expr, {"i": pre}, pre, None, namespace, f"the target j={j!r}")
        pre, post = _valid(pre, post, n_post, skip_if_invalid, j)
        keep = _filter(S, pre, post, condition, p, namespace)
        return _repeat(pre[keep], post[keep], n)
    return _generator(S, match, condition, p, n, skip_if_invalid, namespace, j)


def _generator(S, match, condition, p, n, skip_if_invalid, namespace, text):
    n_pre, n_post = S._pre_side.n, S._post_side.n
    if condition is not None:
        raise InvalidArgumentError(
            "connect(): give a condition either as condition= or inside the generator "
            "(j='k for k in range(...) if condition'), not both")
    var, kind = match["var"], match["kind"]
    args = _split_args(match["args"])
    keywords = {}
    while args and re.match(r"^[A-Za-z_]\w*\s*=(?!=)", args[-1]):
        key, value = args.pop().split("=", 1)
        keywords[key.strip()] = value.strip()
    allowed = {"p", "size"} if kind == "sample" else set()
    if set(keywords) - allowed or (kind == "sample" and len(keywords) != 1):
        raise ModelDefinitionError(
            f"connect(): {kind}() in {text!r} takes "
            + ("one to three positions and one of p=... or size=..." if kind == "sample" else
               "one to three positions, no keywords") + f", got {match['args']!r}")
    if not 1 <= len(args) <= 3 or not all(args):
        raise ModelDefinitionError(
            f"connect(): {kind}() in {text!r} takes one to three positions (start, stop, "
            f"step), got {match['args']!r}")
    if len(args) == 1:
        args = ["0", args[0]]
    pre_all = np.arange(n_pre, dtype=np.int64)
    bounds = [_values(S, a, {"i": pre_all}, pre_all, None, namespace, f"range() in {text!r}")
              for a in args]
    low, high = bounds[0], bounds[1]
    step = bounds[2] if len(bounds) == 3 else np.ones(n_pre, dtype=np.int64)
    if np.any(step == 0):
        raise InvalidArgumentError(f"connect(): the step of range() in {text!r} is zero")
    counts = np.maximum(0, -((low - high) // step))
    where = f"the generator {text!r}"
    if "size" in keywords:  # a fixed number per neuron (connect_forms.py)
        from nerve.synapses.connect_forms import sample_size

        pre, k = sample_size(S, pre_all, low, step, counts, keywords["size"], var, "i",
                             namespace, text)
    else:
        # candidates: indices, the generator's values and a float64 copy of each
        _check_memory(S, int(counts.sum()), 40, "candidates of the generator")
        pre = np.repeat(pre_all, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        k = np.repeat(low, counts) + offsets * np.repeat(step, counts)
    if kind == "sample" and "p" in keywords:
        keep = _values(S, f"rand() < ({keywords['p']})", {"i": pre, var: k}, pre, None,
                       namespace, where, condition=True) != 0
        pre, k = pre[keep], k[keep]
    if match["cond"] is not None:
        keep = _values(S, match["cond"], {"i": pre, var: k}, pre, None, namespace, where,
                       condition=True) != 0
        pre, k = pre[keep], k[keep]
    expr = match["expr"].strip()
    post = k if expr == var else _values(S, expr, {"i": pre, var: k}, pre, None, namespace,
                                         where)
    pre, post = _valid(pre, post, n_post, skip_if_invalid, text)
    keep = _filter(S, pre, post, None, p, namespace)
    return _repeat(pre[keep], post[keep], n)


def _valid(pre, post, n, skip_if_invalid, text, generated="j"):
    """The pairs whose generated index (``post`` for ``connect(j=...)``, ``pre``
    for ``connect(i=...)``) lies in its group of ``n`` neurons: the others are
    left out with ``skip_if_invalid``, refused otherwise."""
    made, given = (post, pre) if generated == "j" else (pre, post)
    bad = (made < 0) | (made >= n)
    if bad.any():
        if not skip_if_invalid:
            k = int(np.flatnonzero(bad)[0])
            made_side, given_side, group = (("target", "source", "target") if generated == "j"
                                            else ("source", "target", "source"))
            raise InvalidIndexError(
                f"connect({generated}={text!r}) gives {made_side} {int(made[k])} for "
                f"{given_side} {int(given[k])}, outside the {group} group of {n} neurons "
                f"(0 to {n - 1}); pass skip_if_invalid=True to leave such {made_side}s out")
        pre, post = pre[~bad], post[~bad]
    return pre, post


def _repeat(pre, post, n):
    if n != 1:
        pre, post = np.repeat(pre, n), np.repeat(post, n)
    return pre.astype(np.int32, copy=False), post.astype(np.int32, copy=False)


#: candidates evaluated per call of the engine (bounds the temporary copies)
_PIECE = 1 << 20


def _check_probability(p) -> None:
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0 <= p <= 1:
        raise InvalidArgumentError(
            f"connect(): p must be a probability between 0 and 1, got {p!r}")


def _available_bytes() -> int:
    import os

    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1 << 62


def _check_memory(S, count: int, per_item: int, what: str) -> None:
    """Refuse, before allocating, work that needs more memory than is free."""
    need = count * per_item
    free = _available_bytes()
    if need > free:
        from nerve.exceptions import SynapseMemoryError

        raise SynapseMemoryError(
            f"connect() on Synapses {S.name!r} would need about {need / 2**30:.3g} GiB for "
            f"{count:.4g} {what} ({per_item} bytes each), but only {free / 2**30:.3g} GiB "
            f"are free: connect fewer pairs, or give p < 1 (drawn without enumerating "
            f"every pair)")


def _rows(S, condition, namespace):
    """The source neurons that satisfy a condition naming only ``i``,
    presynaptic variables and constants (None for any other condition), as
    an int32 array: then only their rows are drawn."""
    if condition is None:
        return None
    from nerve.groups.namespace import free_names

    expr = S._expand_neuron_subexpressions(parse_expression(condition,
                                                            where="the condition"))
    for name in free_names(expr):
        if name == "j" or name in ("N_incoming", "N_outgoing") or name in S._columns:
            return None
        found = S._neuron_variable(name)
        if found is not None and found[0] is not S._pre_side:
            return None
    pre = np.arange(S._pre_side.n, dtype=np.int64)
    keep = _values(S, condition, {"i": pre}, pre, None, namespace,
                   f"the condition {condition!r}", condition=True) != 0
    return np.flatnonzero(keep).astype(np.int32)


def _skip_sample(S, rows: np.ndarray, n_post: int, p: float):
    """Each pair of ``rows`` (source neurons, int32) and the ``n_post``
    targets independently with probability ``p``, in order, drawn by the
    engine with one uniform per kept pair (geometric gaps)."""
    from nerve import _core

    total = len(rows) * n_post
    # synapses: two int32 indices and one float64 per variable
    _check_memory(S, int(total * p + 5 * np.sqrt(total * p)) + 1,
                  8 + 8 * len(S._columns) + 8, "expected synapses")
    return _core.skip_sample(S._rng.get(), np.ascontiguousarray(rows, dtype=np.int32),
                             n_post, p)


def _filter(S, pre, post, condition, p, namespace) -> np.ndarray:
    """Which candidate pairs are kept: the condition holds and a uniform
    draw is below ``p`` (a number or an expression)."""
    keep = np.ones(len(pre), dtype=bool)
    if condition is not None:
        # in pieces: the float64 copies the engine evaluates stay small
        for a in range(0, len(pre), _PIECE):
            b = min(a + _PIECE, len(pre))
            keep[a:b] = _values(S, condition, {"i": pre[a:b], "j": post[a:b]}, pre[a:b],
                                post[a:b], namespace, f"the condition {condition!r}",
                                condition=True) != 0
    if isinstance(p, str) or p != 1:
        if isinstance(p, str):
            expr_p = p
        else:
            _check_probability(p)
            expr_p = repr(float(p))
        draws = _values(S, f"rand() < ({expr_p})", {"i": pre[keep], "j": post[keep]},
                        pre[keep], post[keep], namespace, f"the probability p={p!r}",
                        condition=True) != 0
        keep[np.flatnonzero(keep)[~draws]] = False
    return keep


def _values(S, text, indices, pre, post, namespace, where, condition=False):
    """An expression of indices and neuron variables over candidate pairs,
    as int64 (or 0/1 for a condition)."""
    from nerve.synapses.lanes import evaluate
    from nerve.units import DIMENSIONLESS

    expr = S._expand_neuron_subexpressions(parse_expression(text, where=where))
    # the sizes of the source and target are known by name (as in Brian2)
    namespace = {**(namespace or {}), "N_pre": S._pre_side.n, "N_post": S._post_side.n}
    arrays = {name: np.asarray(v, dtype=np.float64) for name, v in indices.items()}
    dims = {name: DIMENSIONLESS for name in arrays}
    S._neuron_arrays(expr, pre, post, arrays, dims)
    values = evaluate(expr, arrays, dims, len(pre), namespace, f"Synapses {S.name!r}",
                      S._rng.get(), S.clock, source=text, where=where,
                      expected="boolean" if condition else DIMENSIONLESS)
    return values.astype(np.int64) if not condition else values
