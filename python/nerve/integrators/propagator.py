"""Closed-form one-step solutions of coupled linear equations, without sympy.

``dX/dt = A X + c`` with ``A`` and ``c`` constant over the step has the
solution ``X(t + dt) = exp(A dt) X + phi c`` with
``phi = integral_0^dt exp(A s) ds``. Writing the constant as one more
variable (``d1/dt = 0``) makes ``phi c`` part of the exponential of the
augmented matrix ``[[A, c], [0, 0]]``. Three structures are solved, each in
closed form, with the formulas built directly as expression nodes:

* **Chains** (the coupling graph, "x reads y", has no cycle other than a
  variable reading itself; synaptic chains, currents driving a membrane):
  the augmented matrix is triangular in a suitable order, and entry
  ``(i, j)`` of its exponential is a sum over the paths ``i -> ... -> j`` of
  the product of the couplings along the path times the divided difference
  of ``lambda -> exp(lambda*dt)`` at the diagonal entries (the rates) of the
  variables visited. Divided differences at equal rates are derivatives,
  so ``tau_e == tau_s`` written with one name gives the ``dt*exp(-dt/tau)``
  form; rates written differently that turn out equal at run time are
  caught by ``where(a == b, <equal rates>, <distinct rates>)``, the limit of
  the general form (Brian2 produces NaN there). The two-point difference
  ``(exp(b*dt) - exp(a*dt))/(b - a)`` is written
  ``exp((a + b)*dt/2)*sinh(h*dt)/h`` with ``h = (b - a)/2``, exact to
  round-off however close the rates are; differences at three or more
  points still divide differences, and lose digits for close rates.
* **One pair** of variables that read each other (adaptation currents,
  resonators): with ``s = tr(A)/2`` and ``M = A - s*I``, ``M**2 = q*I``
  where ``q = ((a11 - a22)/2)**2 + a12*a21``, so
  ``exp(A dt) = exp(s*dt)*(C*I + S*M)`` with ``C = cosh(sqrt(q)*dt)``,
  ``S = sinh(sqrt(q)*dt)/sqrt(q)`` for ``q > 0``, ``cos``/``sin`` of
  ``sqrt(-q)*dt`` for complex eigenvalues (``q < 0``) and ``C = 1``,
  ``S = dt`` for a repeated eigenvalue; the choice is made at run time. The
  constant's part is ``alpha*I + beta*M`` with
  ``alpha = (exp(s*dt)*(s*C - q*S) - s)/det(A)`` and
  ``beta = (exp(s*dt)*(s*S - C) + 1)/det(A)``, replaced by its limit when
  ``det(A) == 0`` (a perfect integrator in the loop).
* **A pair within chains** (the pair driven by other variables, or read by
  them): Newton's interpolation of ``exp`` over the whole spectrum, in
  :mod:`nerve.integrators.mixed`.

Other structures (loops of three or more variables, two pairs in one
coupled group) raise :class:`UnsupportedEquationsException`.
"""

from __future__ import annotations

import dataclasses
from math import factorial
from typing import Mapping, Sequence

from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, Expr, Name, Number, UnaryOp,
)
from nerve.exceptions import UnsupportedEquationsException

from .algebra import (
    DT, ONE, ZERO, LinearForm, add, call, div, mul, neg, number, sub, total,
)

Step = tuple[list[Assign], dict[str, Expr]]
CONSTANT = "1"  # the constant, as a variable that never changes


def solve_coupled(names: Sequence[str],
                  forms: Mapping[str, LinearForm | None]) -> Step:
    """The exact update of coupled linear equations: ``forms[x]`` is the
    right-hand side of ``dx/dt`` as a linear form over ``names`` (``None``
    for ``dx/dt = 0``). Returns temporaries and the new value of every
    variable. Independent groups of variables are solved separately."""
    statements: list[Assign] = []
    new: dict[str, Expr] = {}
    for component in _components(names, forms):
        reads = {x: _reads(forms[x]) & set(component) - {x} for x in component}
        loops = [c for c in _strongly_connected(component, reads) if len(c) > 1]
        if not loops:
            temps, values = chain(component, forms, reads)
            statements += temps
            new.update(values)
        elif len(component) == 2:
            temps, values = _pair(component, forms)
            statements += temps
            new.update(values)
        elif len(loops) == 1 and len(loops[0]) == 2:
            from .mixed import solve_mixed
            temps, values = solve_mixed(component, forms, loops[0])
            statements += temps
            new.update(values)
        else:
            big = [loop for loop in loops if len(loop) > 2]
            if big:
                culprit = f"{', '.join(sorted(big[0]))} form a loop of {len(big[0])} variables"
            else:
                culprit = " and ".join(", ".join(sorted(loop)) for loop in loops[:2])
                culprit += " are two pairs of variables that read each other"
            raise UnsupportedEquationsException(
                f"Method 'exact' cannot solve the coupled linear equations of "
                f"{', '.join(component)}: their exact solution is computed in "
                "closed form for chains (variables driven by others without "
                "feedback) with at most one pair of variables that read each "
                f"other, but here {culprit}. Use 'rk4' (or 'euler', "
                "'exponential_euler').")
    statements = [Assign(s.target, s.op, _tidy(s.value)) for s in statements]
    return statements, {x: _tidy(value) for x, value in new.items()}


def _tidy(expr: Expr) -> Expr:
    """Negative literals written as a negation (``-1/tau``), the tree the
    parser builds for the printed text, so that the statements read back
    (``G.code()``) give the same nodes."""
    if isinstance(expr, Number):
        return UnaryOp("-", Number(-expr.value, expr.is_int)) if expr.value < 0 else expr
    if isinstance(expr, UnaryOp):
        return dataclasses.replace(expr, operand=_tidy(expr.operand))
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return dataclasses.replace(expr, left=_tidy(expr.left), right=_tidy(expr.right))
    if isinstance(expr, Call):
        return dataclasses.replace(expr, args=tuple(_tidy(a) for a in expr.args))
    return expr


def _reads(form: LinearForm | None) -> set[str]:
    return set() if form is None else set(form.coefficients)


def _components(names, forms) -> list[list[str]]:
    """Groups of variables connected by couplings (in either direction),
    each in the order of ``names``."""
    neighbours = {x: set() for x in names}
    for x in names:
        for y in _reads(forms[x]) - {x}:
            neighbours[x].add(y)
            neighbours[y].add(x)
    seen: set[str] = set()
    groups = []
    for x in names:
        if x in seen:
            continue
        group, stack = set(), [x]
        while stack:
            y = stack.pop()
            if y not in group:
                group.add(y)
                stack.extend(neighbours[y] - group)
        seen |= group
        groups.append([y for y in names if y in group])
    return groups


def _strongly_connected(names, reads) -> list[set[str]]:
    """Sets of variables that read each other, directly or through others
    (Tarjan's algorithm; the systems are small)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[set[str]] = []

    def visit(x: str) -> None:
        index[x] = low[x] = len(index)
        stack.append(x)
        on_stack.add(x)
        for y in sorted(reads[x]):
            if y not in index:
                visit(y)
                low[x] = min(low[x], low[y])
            elif y in on_stack:
                low[x] = min(low[x], index[y])
        if low[x] == index[x]:
            group = set()
            while True:
                y = stack.pop()
                on_stack.discard(y)
                group.add(y)
                if y == x:
                    break
            result.append(group)

    for x in names:
        if x not in index:
            visit(x)
    return result


# -- chains -------------------------------------------------------------------

def chain(names, forms, reads) -> Step:
    """Sum over paths of the coupling products times divided differences
    (see the module doc); each divided difference at two or more points is
    a temporary, so the statements grow with the number of distinct point
    sets, not with the size of the nested formulas."""
    rate = {x: None if forms[x] is None else forms[x].coefficients.get(x)
            for x in names}
    rate[CONSTANT] = None
    edges: dict[str, list[tuple[str, Expr]]] = {CONSTANT: []}
    for x in names:
        form = forms[x]
        edges[x] = [(y, form.coefficients[y]) for y in names if y in reads[x]]
        if form is not None and form.constant is not None:
            edges[x].append((CONSTANT, form.constant))
    differences = DividedDifferences(f"_E_{'_'.join(names)}_")
    new: dict[str, Expr] = {}
    for x in names:
        entries: dict[str, list[Expr]] = {}
        # depth-first over the paths starting at x (the graph has no cycle)
        pending: list[tuple[str, tuple[str, ...], Expr | None]] = [(x, (x,), None)]
        while pending:
            node, path, weight = pending.pop()
            points = tuple(rate[p] for p in path)
            factor = differences(points)
            term = factor if weight is None else mul(weight, factor)
            entries.setdefault(node, []).append(term)
            for target, coupling in edges[node]:
                product = coupling if weight is None else mul(weight, coupling)
                pending.append((target, path + (target,), product))
        terms = []
        for y in [*names, CONSTANT]:
            if y in entries:
                coefficient = total(entries[y])
                terms.append(coefficient if y == CONSTANT else mul(Name(y), coefficient))
        new[x] = total(terms)
    return differences.statements, new


def _key(point: Expr | None) -> Expr:
    return ZERO if point is None else point


class DividedDifferences:
    """Divided differences of ``lambda -> exp(lambda*dt)``, memoised, at
    points given as expressions (``None`` is zero); those at two or more
    points are assigned to temporaries ``<prefix><n>`` (in
    :attr:`statements`, each after the ones it reads)."""

    def __init__(self, prefix: str, statements: list[Assign] | None = None) -> None:
        self._memo: dict[tuple, Expr] = {}
        self._prefix = prefix
        self._count = 0
        self.statements: list[Assign] = [] if statements is None else statements

    def __call__(self, points: tuple[Expr | None, ...]) -> Expr:
        points = tuple(_key(p) for p in points)
        key = tuple(sorted(points, key=repr))
        if key not in self._memo:
            value = self._compute(key)
            if len(key) > 1:
                name = f"{self._prefix}{self._count}"
                self._count += 1
                self.statements.append(Assign(name, "=", value))
                value = Name(name)
            self._memo[key] = value
        return self._memo[key]

    def _compute(self, points: tuple[Expr, ...]) -> Expr:
        distinct: list[Expr] = []
        for p in points:
            if p not in distinct:
                distinct.append(p)
        m = len(points) - 1
        if len(distinct) == 1:  # the m-th derivative over m!
            rate = distinct[0]
            growth = ONE if rate == ZERO else call("exp", mul(rate, DT))
            if m == 0:
                return growth
            scale = _power(DT, m)
            if m > 1:
                scale = div(scale, number(factorial(m)))
            return mul(scale, growth)
        a, b = distinct[0], distinct[1]
        if m == 1:
            # (exp(b*dt) - exp(a*dt))/(b - a) without cancellation when the
            # rates are close: exp((a + b)*dt/2)*sinh(h*dt)/h, h = (b - a)/2
            half = div(sub(b, a), number(2))
            middle = div(add(a, b) or ZERO, number(2))
            growth = call("exp", mul(middle, DT)) if middle != ZERO else ONE
            quotient = mul(growth, div(call("sinh", mul(half, DT)), half))
        else:
            quotient = div(sub(self(_remove(points, a)), self(_remove(points, b))),
                           sub(b, a))
        if isinstance(a, Number) and isinstance(b, Number):
            return quotient
        confluent = self(_remove(points, b) + (a,))
        return call("where", Compare("==", a, b), confluent, quotient)


def _power(base: Expr, m: int) -> Expr:
    result = base
    for _ in range(m - 1):
        result = mul(result, base)
    return result


def _remove(points: tuple[Expr, ...], point: Expr) -> tuple[Expr, ...]:
    i = points.index(point)
    return points[:i] + points[i + 1:]


# -- one pair -----------------------------------------------------------------

def _pair(names, forms) -> Step:
    """The exact step of two variables that read each other (module doc)."""
    x, y = names
    fx, fy = forms[x], forms[y]
    a11, a12 = fx.coefficients.get(x), fx.coefficients[y]
    a21, a22 = fy.coefficients[x], fy.coefficients.get(y)
    suffix = f"{x}_{y}"

    def temp(kind: str, value: Expr) -> Name:
        statements.append(Assign(f"_{kind}_{suffix}", "=", value))
        return Name(f"_{kind}_{suffix}")

    statements: list[Assign] = []
    s, h, q, c, sn, decay = pair_basics(a11, a12, a21, a22, temp)
    e_diag_x = mul(decay, add(c, mul(sn, h)))
    e_diag_y = mul(decay, sub(c, mul(sn, h)))
    new = {x: add(mul(e_diag_x, Name(x)), mul(mul(mul(decay, sn), a12), Name(y))),
           y: add(mul(mul(mul(decay, sn), a21), Name(x)), mul(e_diag_y, Name(y)))}
    cx, cy = fx.constant, fy.constant
    if cx is None and cy is None:
        return statements, new
    det = temp("det", sub(mul(_zero(a11), _zero(a22)), mul(a12, a21)))
    # limits at det == 0: eigenvalues 0 and 2*s (and dt, dt**2/2 for s == 0)
    grown = div(sub(call("exp", mul(mul(number(2), s), DT)), number(1)), mul(number(2), s))
    alpha_singular = call("where", Compare("==", s, ZERO), DT,
                          div(add(grown, DT), number(2)))
    beta_singular = call("where", Compare("==", s, ZERO), div(mul(DT, DT), number(2)),
                         div(sub(grown, DT), mul(number(2), s)))
    alpha = temp("alpha", call(
        "where", Compare("==", det, ZERO), alpha_singular,
        div(sub(mul(decay, sub(mul(s, c), mul(q, sn))), s), det)))
    beta = temp("beta", call(
        "where", Compare("==", det, ZERO), beta_singular,
        div(add(mul(decay, sub(mul(s, sn), c)), number(1)), det)))
    # phi*c with phi = alpha*I + beta*M, M = [[h, a12], [a21, -h]]
    parts = {x: [], y: []}
    if cx is not None:
        parts[x].append(mul(add(alpha, mul(beta, h)), cx))
        parts[y].append(mul(mul(beta, a21), cx))
    if cy is not None:
        parts[x].append(mul(mul(beta, a12), cy))
        parts[y].append(mul(sub(alpha, mul(beta, h)), cy))
    for v in (x, y):
        new[v] = total([new[v], *parts[v]])
    return statements, new


def pair_basics(a11, a12, a21, a22, temp):
    """Temporaries ``s`` (half the trace), ``h`` (half the difference of
    the diagonal), ``q``, ``C``, ``S`` and ``exp(s*dt)`` of a pair whose
    block is ``[[a11, a12], [a21, a22]]`` (module doc)."""
    s = temp("s", div(_sum(a11, a22), number(2)))
    h = temp("h", div(sub(_zero(a11), _zero(a22)), number(2)))
    q = temp("q", add(mul(h, h), mul(a12, a21)))
    root, root_neg = call("sqrt", q), call("sqrt", neg(q))
    c = temp("C", _by_sign(q, call("cosh", mul(root, DT)),
                           call("cos", mul(root_neg, DT)), number(1)))
    sn = temp("S", _by_sign(q, div(call("sinh", mul(root, DT)), root),
                            div(call("sin", mul(root_neg, DT)), root_neg), DT))
    decay = temp("decay", call("exp", mul(s, DT)))
    return s, h, q, c, sn, decay


def _zero(value: Expr | None) -> Expr:
    return ZERO if value is None else value


def _sum(a: Expr | None, b: Expr | None) -> Expr:
    result = add(a, b)
    return ZERO if result is None else result


def _by_sign(q: Expr, positive: Expr, negative: Expr, zero: Expr) -> Expr:
    return call("where", Compare(">", q, ZERO), positive,
                call("where", Compare("<", q, ZERO), negative, zero))
