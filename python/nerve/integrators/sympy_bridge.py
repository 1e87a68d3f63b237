"""Conversion between expression nodes and sympy, and the exact solution of
coupled linear systems.

This module imports sympy at the top: import it lazily (inside a function)
so that ``import nerve`` stays free of sympy.
"""

from __future__ import annotations

from typing import Mapping

import sympy

from nerve.equations.nodes import (
    BinOp, BoolOp, Call, Compare, Expr, Name, Number, UnaryOp,
)
from nerve.exceptions import IntegrationError

from .algebra import (
    DT, LinearForm, add, calls_in, div, mul, neg, number, sub, total,
)

_KNOWN_FUNCTIONS = ("exp", "log", "log10", "sqrt", "sin", "cos", "tan", "sinh",
                    "cosh", "tanh", "arcsin", "arccos", "arctan", "abs", "sign",
                    "floor", "ceil", "clip", "int", "where")

_FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "sqrt": sympy.sqrt, "sin": sympy.sin,
    "cos": sympy.cos, "tan": sympy.tan, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "tanh": sympy.tanh, "arcsin": sympy.asin, "arccos": sympy.acos,
    "arctan": sympy.atan, "abs": sympy.Abs, "sign": sympy.sign,
    "floor": sympy.floor, "ceil": sympy.ceiling,
}
_NAMES_BACK = {sympy.exp: "exp", sympy.log: "log", sympy.sin: "sin", sympy.cos: "cos",
               sympy.tan: "tan", sympy.sinh: "sinh", sympy.cosh: "cosh",
               sympy.tanh: "tanh", sympy.asin: "arcsin", sympy.acos: "arccos",
               sympy.atan: "arctan", sympy.Abs: "abs", sympy.sign: "sign",
               sympy.floor: "floor", sympy.ceiling: "ceil"}
_CONSTANTS = {"pi": sympy.pi, "e": sympy.E, "inf": sympy.oo}
_COMPARE = {"<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt, ">=": sympy.Ge,
            "==": sympy.Eq, "!=": sympy.Ne}


def to_sympy(expr: Expr) -> sympy.Expr:
    """A sympy expression equal to ``expr``. Names become real symbols
    (``pi``, ``e``, ``inf`` become sympy's constants); functions sympy does
    not know (``clip``, ``int``, ``where``, ``rand``...) become undefined
    sympy functions of the same name."""
    if isinstance(expr, Number):
        if expr.is_int:
            return sympy.Integer(int(expr.value))
        return sympy.Float(expr.value)
    if isinstance(expr, Name):
        return _CONSTANTS.get(expr.id) or sympy.Symbol(expr.id, real=True)
    if isinstance(expr, UnaryOp):
        inner = to_sympy(expr.operand)
        return {"-": lambda: -inner, "+": lambda: inner,
                "not": lambda: sympy.Not(inner)}[expr.op]()
    if isinstance(expr, BinOp):
        a, b = to_sympy(expr.left), to_sympy(expr.right)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: a / b, "**": lambda: a ** b,
                "//": lambda: sympy.floor(a / b), "%": lambda: sympy.Mod(a, b),
                }[expr.op]()
    if isinstance(expr, Compare):
        return _COMPARE[expr.op](to_sympy(expr.left), to_sympy(expr.right))
    if isinstance(expr, BoolOp):
        join = sympy.And if expr.op == "and" else sympy.Or
        return join(to_sympy(expr.left), to_sympy(expr.right))
    if isinstance(expr, Call):
        args = [to_sympy(a) for a in expr.args]
        if expr.func == "log10":
            return sympy.log(args[0], 10)
        function = _FUNCTIONS.get(expr.func) or sympy.Function(expr.func)
        return function(*args)
    raise TypeError(f"not an expression node: {expr!r}")


def from_sympy(value) -> Expr:
    """Expression nodes equal to a (real) sympy expression; raises
    :class:`IntegrationError` for complex values."""
    if value.is_Integer:
        return number(int(value))
    if value.is_Rational:
        return div(number(value.p), number(value.q))
    if value.is_Float:
        return Number(float(value))
    if value is sympy.pi:
        return Name("pi")
    if value is sympy.E:
        return Name("e")
    if value is sympy.oo:
        return Name("inf")
    if value is sympy.I or value.has(sympy.I):
        raise IntegrationError("the exact solution has complex values")
    if value.is_Symbol:
        return Name(value.name)
    if value.is_Add:
        result = None
        for term in value.as_ordered_terms():
            if term.could_extract_minus_sign():
                result = sub(result, from_sympy(-term))
            else:
                result = add(result, from_sympy(term))
        return result
    if value.is_Mul:
        return _product(value)
    if value.is_Pow:
        base, exponent = value.args
        if exponent == sympy.Rational(1, 2):
            return Call("sqrt", (from_sympy(base),))
        if exponent.is_number and exponent.is_negative:
            return div(number(1), from_sympy(base ** -exponent))
        return BinOp("**", from_sympy(base), from_sympy(exponent))
    if isinstance(value, sympy.Piecewise):
        return _piecewise(value.args)
    if isinstance(value, sympy.Mod):
        return BinOp("%", from_sympy(value.args[0]), from_sympy(value.args[1]))
    if value.is_Relational:
        op = {sympy.StrictLessThan: "<", sympy.LessThan: "<=",
              sympy.StrictGreaterThan: ">", sympy.GreaterThan: ">=",
              sympy.Equality: "==", sympy.Unequality: "!="}[type(value)]
        return Compare(op, from_sympy(value.lhs), from_sympy(value.rhs))
    if isinstance(value, (sympy.And, sympy.Or)):
        op = "and" if isinstance(value, sympy.And) else "or"
        parts = [from_sympy(a) for a in value.args]
        result = parts[0]
        for part in parts[1:]:
            result = BoolOp(op, result, part)
        return result
    if isinstance(value, sympy.Not):
        return UnaryOp("not", from_sympy(value.args[0]))
    if value.is_Function:
        name = _NAMES_BACK.get(value.func) or str(value.func)
        return Call(name, tuple(from_sympy(a) for a in value.args))
    raise IntegrationError(f"cannot express {value} in the model language")


def _product(value) -> Expr:
    coefficient, rest = value.as_coeff_Mul()
    if coefficient.is_negative:
        return neg(from_sympy(-value))
    top: Expr | None = None if coefficient == 1 else from_sympy(coefficient)
    bottom: Expr | None = None
    for factor in sympy.Mul.make_args(rest):
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            part = from_sympy(factor.base ** -factor.exp)
            bottom = part if bottom is None else mul(bottom, part)
        else:
            part = from_sympy(factor)
            top = part if top is None else mul(top, part)
    top = number(1) if top is None else top
    return top if bottom is None else div(top, bottom)


def _piecewise(pieces) -> Expr:
    (expr, condition), rest = pieces[0], pieces[1:]
    if condition is sympy.true or not rest:
        return from_sympy(expr)
    return Call("where", (from_sympy(condition), from_sympy(expr), _piecewise(rest)))


def solve_linear_system(names: list[str],
                        forms: Mapping[str, LinearForm | None]) -> dict[str, Expr]:
    """The exact one-step update of ``dX/dt = M X + c`` (``M``, ``c``
    constant over the step): ``X(t+dt)`` is read from the exponential of
    the augmented matrix ``[[M, c], [0, 0]]*dt``, which also covers a
    singular ``M``."""
    n = len(names)
    augmented = sympy.zeros(n + 1, n + 1)
    for i, x in enumerate(names):
        form = forms[x]
        if form is None:
            continue
        for j, y in enumerate(names):
            if y in form.coefficients:
                augmented[i, j] = to_sympy(form.coefficients[y])
        if form.constant is not None:
            augmented[i, n] = to_sympy(form.constant)
    dt = to_sympy(DT)
    try:
        propagator = (augmented * dt).exp()
    except Exception as error:  # sympy raises a variety of classes here
        raise IntegrationError(
            f"Method 'exact' could not solve the coupled linear equations for "
            f"{', '.join(names)} ({error}); use 'rk4' or 'euler'.") from None
    result: dict[str, Expr] = {}
    for i, x in enumerate(names):
        terms = []
        for j in range(n + 1):
            coefficient = _simplest(propagator[i, j])
            if coefficient == 0:
                continue
            if coefficient.has(sympy.I):
                coefficient = _simplest(sympy.re(sympy.expand_complex(coefficient)))
            try:
                part = from_sympy(coefficient)
            except IntegrationError as error:
                raise IntegrationError(
                    f"Method 'exact' could not write the solution for {x} in real "
                    f"terms ({error}); use 'rk4' or 'euler'.") from None
            unknown = calls_in(part) - set(_KNOWN_FUNCTIONS)
            if unknown:
                raise IntegrationError(
                    f"Method 'exact' found no real closed form for {x} (sympy "
                    f"needs {', '.join(sorted(unknown))}, e.g. for an oscillating "
                    "system whose parameters' signs are unknown); use 'rk4'.")
            terms.append(part if j == n else mul(Name(names[j]), part))
        result[x] = total(terms)
    return result


def _simplest(value):
    """The shortest of a few simplifications of a propagator entry."""
    candidates = [value, sympy.simplify(value), sympy.factor(sympy.expand(value)),
                  sympy.factor(sympy.powsimp(sympy.expand(value)))]
    return min(candidates, key=sympy.count_ops)
