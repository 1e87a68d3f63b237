"""Small symbolic algebra over expression nodes, without sympy.

Integration methods build their update statements out of the right-hand
sides they are given. The constructors here (:func:`add`, :func:`mul`, ...)
fold what is numerically exact (``x + 0``, ``1*x``, ``--x``, arithmetic
between two literals) and move a division outwards (``(n/d)*x`` becomes
``n*x/d``), so that the generated statements stay readable and compute what
a person would write by hand (``-dt/tau`` rather than ``(-1/tau)*dt``).

:func:`linear_form` splits an expression into ``sum(c_k * x_k) + b`` over a
set of symbols (state variables, or noise symbols), which is all the
``exact`` 1-D path, ``exponential_euler`` and the noise split need.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Mapping

from nerve.equations.nodes import (
    BinOp, BoolOp, Call, Compare, Expr, Name, Number, UnaryOp,
)

ONE = Number(1.0, is_int=True)
ZERO = Number(0.0, is_int=True)
DT = Name("dt")
T = Name("t")


# -- tree utilities -----------------------------------------------------------

def strip_spans(expr: Expr) -> Expr:
    """The same expression with every ``span`` set to ``None``, so that
    structural equality (``==``) ignores where a node came from."""
    if isinstance(expr, Number):
        return Number(expr.value, expr.is_int)
    if isinstance(expr, Name):
        return Name(expr.id)
    if isinstance(expr, UnaryOp):
        return UnaryOp(expr.op, strip_spans(expr.operand))
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return type(expr)(expr.op, strip_spans(expr.left), strip_spans(expr.right))
    if isinstance(expr, Call):
        return Call(expr.func, tuple(strip_spans(a) for a in expr.args))
    raise TypeError(f"not an expression node: {expr!r}")


def children(expr: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node."""
    if isinstance(expr, UnaryOp):
        return (expr.operand,)
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return (expr.left, expr.right)
    if isinstance(expr, Call):
        return expr.args
    return ()


def names_in(expr: Expr) -> set[str]:
    """Every identifier an expression reads."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.add(node.id)
        stack.extend(children(node))
    return found


def calls_in(expr: Expr) -> set[str]:
    """Every function an expression calls."""
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            found.add(node.func)
        stack.extend(children(node))
    return found


def substitute(expr: Expr, mapping: Mapping[str, Expr]) -> Expr:
    """Replace names by expressions (simultaneously, not recursively)."""
    if not mapping:
        return expr
    if isinstance(expr, Name):
        return mapping.get(expr.id, expr)
    if isinstance(expr, Number):
        return expr
    if isinstance(expr, UnaryOp):
        return dataclasses.replace(expr, operand=substitute(expr.operand, mapping))
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return dataclasses.replace(expr, left=substitute(expr.left, mapping),
                                   right=substitute(expr.right, mapping))
    if isinstance(expr, Call):
        return dataclasses.replace(
            expr, args=tuple(substitute(a, mapping) for a in expr.args))
    raise TypeError(f"not an expression node: {expr!r}")


# -- simplifying constructors -------------------------------------------------

def number(value: float) -> Number:
    """A literal; integral values print without a decimal point."""
    value = float(value)
    return Number(value, is_int=value.is_integer() and abs(value) < 2**53)


def _literal(expr: Expr) -> float | None:
    return expr.value if isinstance(expr, Number) else None


def neg(a: Expr) -> Expr:
    """``-a``."""
    if isinstance(a, Number):
        return Number(-a.value, a.is_int)
    if isinstance(a, UnaryOp) and a.op == "-":
        return a.operand
    if isinstance(a, BinOp) and a.op in ("*", "/"):
        return BinOp(a.op, neg(a.left), a.right)  # -(x/y) is (-x)/y exactly
    return UnaryOp("-", a)


def add(a: Expr | None, b: Expr | None) -> Expr | None:
    """``a + b``; ``None`` stands for an exact zero."""
    if a is None or _literal(a) == 0:
        return b
    if b is None or _literal(b) == 0:
        return a
    if isinstance(a, Number) and isinstance(b, Number):
        return Number(a.value + b.value, a.is_int and b.is_int)
    if _is_negated(b):
        return BinOp("-", a, neg(b))
    return BinOp("+", a, b)


def _is_negated(a: Expr) -> bool:
    """``-x`` or a negative literal, or a product/quotient whose leftmost
    factor is one (so that ``x + -1/tau`` is written ``x - 1/tau``)."""
    while isinstance(a, BinOp) and a.op in ("*", "/"):
        a = a.left
    return (isinstance(a, UnaryOp) and a.op == "-"
            or isinstance(a, Number) and a.value < 0)


def sub(a: Expr | None, b: Expr | None) -> Expr | None:
    """``a - b``; ``None`` stands for an exact zero."""
    if b is None or _literal(b) == 0:
        return a
    if a is None or _literal(a) == 0:
        return neg(b)
    if isinstance(a, Number) and isinstance(b, Number):
        return Number(a.value - b.value, a.is_int and b.is_int)
    if _is_negated(b):
        return BinOp("+", a, neg(b))
    return BinOp("-", a, b)


def mul(a: Expr, b: Expr) -> Expr:
    """``a * b`` (``1*b`` is ``b``, ``-1*b`` is ``-b``, ``(n/d)*b`` is ``n*b/d``)."""
    if _literal(a) == 1:
        return b
    if _literal(b) == 1:
        return a
    if _literal(a) == -1:
        return neg(b)
    if _literal(b) == -1:
        return neg(a)
    if isinstance(a, Number) and isinstance(b, Number):
        return Number(a.value * b.value, a.is_int and b.is_int)
    if isinstance(a, BinOp) and a.op == "/":
        return div(mul(a.left, b), a.right)
    return BinOp("*", a, b)


def div(a: Expr, b: Expr) -> Expr:
    """``a / b`` (true division)."""
    if _literal(b) == 1:
        return a
    if _literal(b) == -1:
        return neg(a)
    if isinstance(a, Number) and isinstance(b, Number) and b.value != 0:
        return number(a.value / b.value)
    return BinOp("/", a, b)


def call(func: str, *args: Expr) -> Call:
    """``func(args...)``."""
    return Call(func, tuple(args))


def total(terms: Iterable[Expr | None]) -> Expr:
    """The sum of the terms (``0`` for none)."""
    result: Expr | None = None
    for term in terms:
        result = add(result, term)
    return ZERO if result is None else result


# -- linear decomposition -----------------------------------------------------

@dataclass(frozen=True)
class LinearForm:
    """``sum(coefficients[x] * x) + constant``; absent entries and ``None``
    are exact zeros. Coefficients and constant are free of the symbols the
    form was taken over."""

    coefficients: dict[str, Expr]
    constant: Expr | None

    def scaled(self, factor: Expr, *, left: bool) -> LinearForm:
        def scale(c: Expr) -> Expr:
            return mul(factor, c) if left else mul(c, factor)
        return LinearForm({k: scale(c) for k, c in self.coefficients.items()},
                          None if self.constant is None else scale(self.constant))

    def divided(self, divisor: Expr) -> LinearForm:
        return LinearForm({k: div(c, divisor) for k, c in self.coefficients.items()},
                          None if self.constant is None else div(self.constant, divisor))

    def negated(self) -> LinearForm:
        return LinearForm({k: neg(c) for k, c in self.coefficients.items()},
                          None if self.constant is None else neg(self.constant))

    def combined(self, other: LinearForm, op: str) -> LinearForm:
        join = add if op == "+" else sub
        coefficients = dict(self.coefficients)
        for k, c in other.coefficients.items():
            joined = join(coefficients.get(k), c)
            if joined is None:
                coefficients.pop(k, None)
            else:
                coefficients[k] = joined
        return LinearForm(coefficients, join(self.constant, other.constant))


def linear_form(expr: Expr, symbols: frozenset[str] | set[str]) -> LinearForm | None:
    """Write ``expr`` as a linear combination of ``symbols`` plus a remainder
    free of them, or return ``None`` when ``expr`` is not linear in them
    (a product of two of them, a symbol inside a function, a division by
    one, a power of one...)."""
    if not names_in(expr) & symbols:
        return LinearForm({}, expr)
    if isinstance(expr, Name):
        return LinearForm({expr.id: ONE}, None)
    if isinstance(expr, UnaryOp) and expr.op in "+-":
        inner = linear_form(expr.operand, symbols)
        if inner is None or expr.op == "+":
            return inner
        return inner.negated()
    if not isinstance(expr, BinOp):
        return None
    left = linear_form(expr.left, symbols)
    right = linear_form(expr.right, symbols)
    if left is None or right is None:
        return None
    if expr.op in ("+", "-"):
        return left.combined(right, expr.op)
    if expr.op == "*":
        if not left.coefficients:
            return right.scaled(expr.left, left=True)
        if not right.coefficients:
            return left.scaled(expr.right, left=False)
        return None
    if expr.op == "/" and not right.coefficients:
        return left.divided(expr.right)
    return None


def negated_ratio(b: Expr | None, a: Expr) -> Expr:
    """``-b/a``, cancelling a divisor common to both (``(1/tau)/(-1/tau)``
    becomes ``1``): the fixed point of ``dx/dt = a*x + b``."""
    if b is None:
        return ZERO
    a_divided = isinstance(a, BinOp) and a.op == "/"
    b_divided = isinstance(b, BinOp) and b.op == "/"
    if a_divided and b_divided and a.right == b.right:
        return neg(div(b.left, a.left))
    if a_divided and not b_divided:  # -b/(n/d) = -(b*d)/n
        return div(neg(mul(b, a.right)), a.left)
    return neg(div(b, a))


def numerator(a: Expr) -> Expr:
    """The numerator of ``a`` written as a division (``a`` itself otherwise)."""
    while isinstance(a, BinOp) and a.op == "/":
        a = a.left
    if isinstance(a, UnaryOp) and a.op == "-":
        return numerator(a.operand)
    return a
