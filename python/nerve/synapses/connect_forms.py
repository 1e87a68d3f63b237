"""More forms of ``Synapses.connect`` (see ``connect.py`` for the others):

- ``n`` as an expression of ``i``, ``j`` and neuron variables (synapses per
  pair, evaluated for each pair the other arguments select);
- ``i='k for k in range(...) if cond'`` / ``sample(...)`` / ``i='expr of j'``:
  the sources generated for each target ``j`` (synapses ordered by target,
  then in the order generated), as Brian2 does;
- ``sample(..., size=m)``: ``m`` distinct candidates of the range, drawn
  uniformly without replacement (in increasing order), for each neuron.

Expressions are evaluated by the engine over all candidates
(``lanes.evaluate``); random draws come from the Synapses' stream.
"""

from __future__ import annotations

import re

import numpy as np

from nerve.equations import parse_expression
from nerve.exceptions import InvalidArgumentError, ModelDefinitionError

__all__ = ["repeat_by_expression", "generate_sources", "sample_size"]


def _evaluate(S, text, arrays, pre, post, count, namespace, where, condition=False):
    """An expression over ``count`` lanes: ``arrays`` are the index names
    (``i``, ``j``, the generator's variable), ``pre``/``post`` the neuron
    indices for ``x_pre``/``x_post`` (None: not available)."""
    from nerve.synapses.lanes import evaluate
    from nerve.units import DIMENSIONLESS

    expr = S._expand_neuron_subexpressions(parse_expression(text, where=where))
    namespace = {**(namespace or {}), "N_pre": S._pre_side.n, "N_post": S._post_side.n}
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in arrays.items()}
    dims = {k: DIMENSIONLESS for k in arrays}
    S._neuron_arrays(expr, pre, post, arrays, dims)
    return evaluate(expr, arrays, dims, count, namespace, f"Synapses {S.name!r}",
                    S._rng.get(), S.clock, source=text, where=where,
                    expected="boolean" if condition else DIMENSIONLESS)


def repeat_by_expression(S, pre, post, n: str, namespace):
    """Each pair ``(pre[k], post[k])`` repeated ``n`` times, ``n`` an
    expression of the pair (truncated to an integer, as Brian2)."""
    pre = np.asarray(pre, dtype=np.int64)
    post = np.asarray(post, dtype=np.int64)
    counts = _evaluate(S, n, {"i": pre, "j": post}, pre, post, len(pre), namespace,
                       f"the number of synapses n={n!r}").astype(np.int64)
    if np.any(counts < 0):
        k = int(np.flatnonzero(counts < 0)[0])
        raise InvalidArgumentError(
            f"connect(): n={n!r} is {int(counts[k])} for the pair i={int(pre[k])}, "
            f"j={int(post[k])}; the number of synapses per pair must not be negative")
    return (np.repeat(pre, counts).astype(np.int32), np.repeat(post, counts).astype(np.int32))


def sample_size(S, owner: np.ndarray, low, step, counts, size: str, var: str, index: str,
                namespace, text: str):
    """For each neuron ``owner[r]`` whose range has ``counts[r]`` candidates
    ``low[r] + step[r]*m``, ``size`` (an expression of the neuron index
    ``index``) distinct ones drawn uniformly, increasing; returns
    ``(owner_repeated, k)``."""
    size_values = _evaluate(S, size, {index: owner}, owner if index == "i" else None,
                            owner if index == "j" else None, len(owner), namespace,
                            f"size= in {text!r}").astype(np.int64)
    bad = (size_values < 0) | (size_values > counts)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise InvalidArgumentError(
            f"connect(): {text!r} asks for {int(size_values[r])} distinct values for "
            f"{index} = {int(owner[r])}, whose range has {int(counts[r])}; size must be "
            f"between 0 and the length of the range")
    from nerve.synapses.connect import _check_memory

    # synapses: two indices, a row, a draw and the sort's keys, 8 bytes each
    _check_memory(S, int(size_values.sum()), 48, "synapses drawn by sample(size=...)")
    rows = np.repeat(np.arange(len(owner)), size_values)
    m = _distinct(S, size_values, counts)
    k = np.repeat(low, size_values) + m * np.repeat(step, size_values)
    return owner[rows], k


def _uniform(S, count: int) -> np.ndarray:
    from nerve.synapses.lanes import evaluate
    from nerve.units import DIMENSIONLESS

    return evaluate(parse_expression("rand()"), {}, {}, count, {}, f"Synapses {S.name!r}",
                    S._rng.get(), S.clock, expected=DIMENSIONLESS)


def _distinct(S, sizes: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """For each row r, ``sizes[r]`` distinct values of ``[0, limits[r])``,
    uniformly over such sets, increasing; all rows concatenated in order.

    A row that takes at most a quarter of its range draws its values by
    rejection (each round draws again the values repeated within a row; a
    value collides with probability at most 1/4, so a few rounds suffice); a
    row that takes more gives each candidate a uniform key and keeps those
    with the smallest keys (O(its range), at most four times its synapses)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    limits = np.asarray(limits, dtype=np.int64)
    dense = 4 * sizes > limits
    out = np.empty(int(sizes.sum()), dtype=np.int64)
    offsets = np.r_[0, np.cumsum(sizes)]
    sparse_rows = np.flatnonzero(~dense)
    if len(sparse_rows):
        values = _rejection(S, sizes[sparse_rows], limits[sparse_rows])
        positions = np.repeat(offsets[sparse_rows], sizes[sparse_rows]) + _within(
            sizes[sparse_rows])
        out[positions] = values
    dense_rows = np.flatnonzero(dense)
    if len(dense_rows):
        # every candidate of these rows gets a uniform key; each row keeps the
        # candidates with its sizes[r] smallest keys (a uniform subset)
        counts = limits[dense_rows]
        owner = np.repeat(np.arange(len(dense_rows)), counts)
        candidate = _within(counts)
        by_key = np.lexsort((_uniform(S, len(owner)), owner))
        rank = np.empty(len(owner), dtype=np.int64)
        rank[by_key] = _within(counts)
        chosen = rank < np.repeat(sizes[dense_rows], counts)
        # chosen stays in row order and, within a row, in increasing order
        positions = np.repeat(offsets[dense_rows], sizes[dense_rows]) + _within(
            sizes[dense_rows])
        out[positions] = candidate[chosen]
    return out


def _within(counts: np.ndarray) -> np.ndarray:
    """0, 1, ..., counts[r] - 1 for each row r, concatenated."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def _rejection(S, sizes: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """``sizes[r]`` distinct values of ``[0, limits[r])`` per row (rows that
    take at most half their range), increasing within each row."""
    rows = np.repeat(np.arange(len(sizes)), sizes)
    limit = limits[rows]
    values = np.zeros(len(rows), dtype=np.int64)
    todo = np.arange(len(rows))
    width = int(limits.max()) + 1 if len(limits) else 1
    for _ in range(200):
        if not len(todo):
            break
        values[todo] = np.minimum((_uniform(S, len(todo)) * limit[todo]).astype(np.int64),
                                  limit[todo] - 1)
        key = rows * width + values  # row major, then value (rows * width < 2**63)
        order = np.argsort(key, kind="stable")
        repeated = key[order[1:]] == key[order[:-1]]
        todo = order[1:][repeated]
    else:
        if len(todo):
            from nerve.exceptions import SimulationError

            raise SimulationError(
                "connect(): sample(size=...) did not find distinct values in 200 rounds "
                "(this should not happen; please report)")
    return values[np.argsort(rows * width + values, kind="stable")]


def generate_sources(S, i: str, condition, p, skip_if_invalid, namespace):
    """``i='k for k in range(...)/sample(...) if cond'`` or ``i='expr of j'``:
    the sources of each target, as ``(pre, post)`` ordered by target."""
    from nerve.synapses.connect import _GENERATOR, _split_args, _valid

    n_pre, n_post = S._pre_side.n, S._post_side.n
    post_all = np.arange(n_post, dtype=np.int64)
    match = _GENERATOR.match(i)
    if match is None:
        # i = 'expression of j': one source per target
        pre = _evaluate(S, i, {"j": post_all}, None, post_all, n_post, namespace,
                        f"the source i={i!r}").astype(np.int64)
        pre, post = _valid(pre, post_all, n_pre, skip_if_invalid, i, generated="i")
        from nerve.synapses.connect import _filter

        keep = _filter(S, pre, post, condition, p, namespace)
        return pre[keep], post[keep]
    var, kind = match["var"], match["kind"]
    args = _split_args(match["args"])
    keywords = {}
    while args and re.match(r"^[A-Za-z_]\w*\s*=(?!=)", args[-1]):
        key, value = args.pop().split("=", 1)
        keywords[key.strip()] = value.strip()
    allowed = {"p", "size"} if kind == "sample" else set()
    if set(keywords) - allowed or (kind == "sample" and len(keywords) != 1):
        raise ModelDefinitionError(
            f"connect(): {kind}() in {i!r} takes "
            + ("one to three positions and one of p=... or size=..." if kind == "sample"
               else "one to three positions, no keywords") + f", got {match['args']!r}")
    if not 1 <= len(args) <= 3 or not all(args):
        raise ModelDefinitionError(
            f"connect(): {kind}() in {i!r} takes one to three positions (start, stop, "
            f"step), got {match['args']!r}")
    if len(args) == 1:
        args = ["0", args[0]]
    where = f"the generator {i!r}"
    bounds = [_evaluate(S, a, {"j": post_all}, None, post_all, n_post, namespace,
                        f"range() in {i!r}").astype(np.int64) for a in args]
    low, high = bounds[0], bounds[1]
    step = bounds[2] if len(bounds) == 3 else np.ones(n_post, dtype=np.int64)
    if np.any(step == 0):
        raise InvalidArgumentError(f"connect(): the step of range() in {i!r} is zero")
    counts = np.maximum(0, -((low - high) // step))
    from nerve.synapses.connect import _check_memory

    if "size" in keywords:
        post, k = sample_size(S, post_all, low, step, counts, keywords["size"], var, "j",
                              namespace, i)
    else:
        # candidates: indices, the generator's values and a float64 copy of each
        _check_memory(S, int(counts.sum()), 40, "candidates of the generator")
        post = np.repeat(post_all, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        k = np.repeat(low, counts) + offsets * np.repeat(step, counts)
        if "p" in keywords:
            keep = _evaluate(S, f"rand() < ({keywords['p']})", {"j": post, var: k}, None,
                             post, len(post), namespace, where, condition=True) != 0
            post, k = post[keep], k[keep]
    if match["cond"] is not None:
        keep = _evaluate(S, match["cond"], {"j": post, var: k}, None, post, len(post),
                         namespace, where, condition=True) != 0
        post, k = post[keep], k[keep]
    expr = match["expr"].strip()
    pre = k if expr == var else _evaluate(S, expr, {"j": post, var: k}, None, post,
                                          len(post), namespace, where).astype(np.int64)
    pre, post = _valid(pre, post, n_pre, skip_if_invalid, i, generated="i")
    from nerve.synapses.connect import _filter

    keep = _filter(S, pre, post, condition, p, namespace)
    return pre[keep], post[keep]
