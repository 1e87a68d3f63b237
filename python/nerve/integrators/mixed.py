"""Exact step of a chain with one pair of mutually coupled variables in it
(e.g. an adaptive neuron ``v``, ``w`` driven by a synaptic current).

The augmented matrix ``T`` of such a component (the constant as one more
variable, see :mod:`nerve.integrators.propagator`) is block triangular: the
variables outside the pair and the constant contribute their rates
``mu_1..mu_m`` to the spectrum, the pair its two eigenvalues
``lambda = s +- r`` (``r**2 = q``). Newton's interpolation of
``f(z) = exp(z*dt)`` on the whole spectrum gives ``exp(T*dt)``::

    sum_{k<m} f[mu_1..mu_k+1] P_k  +  P_m (a*I + b*T),
    P_k = (T - mu_1*I)...(T - mu_k*I)

where, with ``H = f[mu_1..mu_m, lambda_+]``, ``b = f[mu.., lambda_+,
lambda_-]`` and ``a = f[mu.., lambda_+] - lambda_+ * b``. Both are real:
computing ``H`` in numbers of the form ``u + r*v`` (``r**2 = q``, so only
``q`` ever appears, whatever its sign) gives ``H = U + r*V``, and then
``b = V`` and ``a = U - s*V``. ``f(lambda_+) = exp(s*dt)*(C + r*S)`` with
the pair's ``C`` and ``S``.

A rate of the chain equal at run time to an eigenvalue of the pair (e.g. a
constant input to a pair with a zero determinant) divides by zero and gives
NaN, as Brian2's closed forms do.
"""

from __future__ import annotations

from dataclasses import dataclass

from nerve.equations.nodes import Assign, Expr, Name

from .algebra import ONE, LinearForm, add, div, mul, sub, total
from .propagator import CONSTANT, DividedDifferences, chain, pair_basics

Step = tuple[list[Assign], dict[str, Expr]]


@dataclass(frozen=True)
class _Root:
    """``u + r*v`` with ``r**2 = q``; ``None`` parts are zero."""

    u: Expr | None
    v: Expr | None


def solve_mixed(names: list[str], forms: dict[str, LinearForm | None],
                pair: set[str]) -> Step:
    """The exact step of ``names`` (one component: chains around the pair
    ``pair``); see the module doc."""
    statements: list[Assign] = []
    suffix = "_".join(names)

    def temp(kind: str, value: Expr | None) -> Expr | None:
        if value is None or isinstance(value, Name):
            return value
        name = f"_{kind}_{suffix}"
        statements.append(Assign(name, "=", value))
        return Name(name)

    has_constant = any(forms[n] is not None and forms[n].constant is not None
                       for n in names)
    columns = [*names, CONSTANT] if has_constant else list(names)
    size = len(columns)
    matrix: list[list[Expr | None]] = [[None] * size for _ in range(size)]
    for i, x in enumerate(names):
        form = forms[x]
        if form is None:
            continue
        for j, y in enumerate(columns):
            if y == CONSTANT:
                matrix[i][j] = form.constant
            else:
                matrix[i][j] = form.coefficients.get(y)

    x, y = [n for n in names if n in pair]
    ix, iy = names.index(x), names.index(y)
    s, h, q, c, sn, decay = pair_basics(matrix[ix][ix], matrix[ix][iy],
                                        matrix[iy][ix], matrix[iy][iy], temp)
    others = [i for i, n in enumerate(columns) if n not in pair]
    rates = [matrix[i][i] for i in others]      # None for the constant (0)

    differences = DividedDifferences(f"_E_{suffix}_", statements)
    # H = f[mu_1..mu_m, lambda_+], from f(lambda_+) by peeling the rates
    value = _Root(mul(decay, c), mul(decay, sn))
    for k in reversed(range(len(rates))):
        known = differences(tuple(rates[k:]))
        value = _divide(_Root(sub(value.u, known), value.v), s, rates[k], q)
        value = _Root(temp(f"U{k}", value.u), temp(f"V{k}", value.v))
    b = value.v
    a = temp("a", sub(value.u, mul(s, b)))

    # Newton's form: sum_k f[mu_1..mu_k+1] P_k + P_m (a I + b T)
    product = _identity(size)
    result = [[None] * size for _ in range(size)]
    for k, rate in enumerate(rates):
        result = _add(result, _scale(product, differences(tuple(rates[:k + 1]))))
        product = _multiply(product, _shift(matrix, rate))
    last = _add(_scale(_identity(size), a), _scale(matrix, b))
    result = _add(result, _multiply(product, last))
    new: dict[str, Expr] = {}
    upstream = _not_reading(names, forms, pair)
    if upstream:   # rows that do not see the pair: the plain chain formula
        reads = {n: _reads(forms[n], names) - {n} for n in upstream}
        temps, values = chain([n for n in names if n in upstream], forms, reads)
        statements += temps
        new.update(values)
    for i, name in enumerate(names):
        if name in upstream:
            continue
        terms = []
        for j, column in enumerate(columns):
            entry = result[i][j]
            if entry is None:
                continue
            terms.append(entry if column == CONSTANT else mul(Name(column), entry))
        new[name] = total(terms)
    return statements, new


def _reads(form: LinearForm | None, names) -> set[str]:
    return set() if form is None else set(form.coefficients) & set(names)


def _not_reading(names, forms, pair) -> set[str]:
    """The variables whose equations read neither the pair nor (through
    other equations) anything that does."""
    seeing = set(pair)
    changed = True
    while changed:
        changed = False
        for n in names:
            if n not in seeing and _reads(forms[n], names) & seeing:
                seeing.add(n)
                changed = True
    return set(names) - seeing


def _divide(value: _Root, s: Expr, rate: Expr | None, q: Expr) -> _Root:
    """``value / (lambda_+ - rate)`` with ``lambda_+ = s + r``:
    ``(u + r v)(d - r)/(d**2 - q)`` with ``d = s - rate``."""
    d = s if rate is None else sub(s, rate)
    norm = sub(mul(d, d), q)
    u = sub(_times(value.u, d), _times(value.v, q))
    v = sub(_times(value.v, d), value.u)
    return _Root(None if u is None else div(u, norm), None if v is None else div(v, norm))


def _times(a: Expr | None, b: Expr) -> Expr | None:
    return None if a is None else mul(a, b)


# -- small matrices of expressions (None is zero) -------------------------------

def _identity(n: int) -> list[list[Expr | None]]:
    return [[ONE if i == j else None for j in range(n)] for i in range(n)]


def _shift(matrix, rate: Expr | None):
    """``matrix - rate*I``."""
    n = len(matrix)
    return [[sub(matrix[i][j], rate) if i == j and rate is not None else matrix[i][j]
             for j in range(n)] for i in range(n)]


def _scale(matrix, factor: Expr | None):
    if factor is None:
        return [[None] * len(row) for row in matrix]
    return [[None if e is None else mul(e, factor) for e in row] for row in matrix]


def _add(left, right):
    return [[add(a, b) for a, b in zip(ra, rb)] for ra, rb in zip(left, right)]


def _multiply(left, right):
    n = len(left)
    out = []
    for i in range(n):
        row = []
        for j in range(n):
            terms = [mul(left[i][k], right[k][j]) for k in range(n)
                     if left[i][k] is not None and right[k][j] is not None]
            row.append(None if not terms else total(terms))
        out.append(row)
    return out

