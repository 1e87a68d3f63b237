"""Dimension checking of expressions and statements.

Names are resolved by the caller through ``resolve(name, span) -> Dimension``
(which raises :class:`~nerve.exceptions.UnknownNameError` for unknown names);
``t``, ``dt``, ``i``, ``N``, ``xi``/``xi_*``, ``True`` and ``False`` are built
in, and ``pi``, ``e``, ``inf`` are dimensionless constants unless the
resolver knows them.

Rule for zero: a literal ``0`` (``0.``, ``-0``...) is zero in every unit, so
it may be added to, subtracted from, compared with, or used as a bound of
``clip``/``where`` together with a quantity of any dimension (``v > 0``,
``clip(v, 0, vmax)``). Any other number is dimensionless: ``v > 1`` with
``v`` in volts is an error (write ``v > 1*mV``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Container, Iterable, Optional

from nerve.equations.errors import describe_position, excerpt_for, syntax_error_at
from nerve.equations.functions import FUNCTIONS
from nerve.equations.nodes import walk
from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, Name, Number, Span, UnaryOp,
)
from nerve.equations.printer import abbreviated_source as _shown
from nerve.exceptions import (
    DimensionMismatchError, EquationSyntaxError, ModelDefinitionError, UnknownNameError,
)

__all__ = ["Resolver", "check_expression", "check_statements", "check_target",
           "statement_temporaries", "expression_dimension",
           "builtin_dimension", "check_calls", "describe_dimension", "is_noise_name"]

Resolver = Callable[[str, Optional[Span]], object]

_CONSTANTS = frozenset({"pi", "e", "inf"})


_DIMS: tuple = ()


def _dims():
    """(dimensionless, second), made once (dimensions are interned)."""
    global _DIMS
    if not _DIMS:
        from nerve.units.dimension import DIMENSIONLESS, dimension_from_exponents

        _DIMS = (DIMENSIONLESS, dimension_from_exponents(s=1))
    return _DIMS


def is_noise_name(name: str) -> bool:
    """True for the noise symbols ``xi`` and ``xi_<anything>``."""
    return name == "xi" or name.startswith("xi_")


def builtin_dimension(name: str):
    """The dimension of a name every model knows (``t``, ``dt``, ``i``,
    ``N``, ``xi``/``xi_*``, ``True``, ``False``), or ``None``."""
    if not _BUILTIN:
        dimensionless, second = _dims()
        _BUILTIN.update({"t": second, "dt": second, "i": dimensionless, "N": dimensionless,
                         "True": dimensionless, "False": dimensionless,
                         "xi": second ** -0.5})
    found = _BUILTIN.get(name)
    if found is None and name.startswith("xi_"):
        return _BUILTIN["xi"]
    return found


#: the dimensions of the built-in names (filled on first use)
_BUILTIN: dict = {}


def describe_dimension(dim) -> str:
    """How a dimension is named in messages: ``volt``, ``1 (dimensionless)``."""
    from nerve.units.dimension import format_dimension

    if dim.is_dimensionless:
        return "1 (dimensionless)"
    return format_dimension(dim)


def check_calls(expr, source: str | None = None, where: str = "the expression") -> None:
    """Check that every call names a known function with the right number of
    arguments (no names need resolving for that)."""
    for node in walk(expr):
        if isinstance(node, Call):
            check_call(node, source, where)


def check_call(node: Call, source: str | None = None, where: str = "the expression",
               resolve: Resolver | None = None):
    """:func:`check_calls` for one call (not the calls in its arguments).

    A name that is not a function of the model language may be a function
    of the namespace (a ``TimedArray``...): without ``resolve`` (equations
    being built, before any namespace is known) it is left for later; with
    it, the function is looked up and returned (``None`` for built-ins).
    """
    function = FUNCTIONS.get(node.func)
    if function is None:
        if resolve is None:
            return None
        return _external_function(node, source, where, resolve)
    if len(node.args) != function.arity:
        plural = "" if function.arity == 1 else "s"
        raise ModelDefinitionError(
            f"{node.func}() takes {function.arity} argument{plural}, but "
            f"{len(node.args)} {'is' if len(node.args) == 1 else 'are'} given "
            f"in {where}{_at(node.span, source)}")


def _external_function(node: Call, source: str | None, where: str, resolve: Resolver):
    """The function of the namespace ``node`` calls, its arity checked."""
    from nerve.functions.base import is_model_function

    try:
        found = resolve(node.func, node.span)
    except UnknownNameError:
        known = ", ".join(sorted(n for n, f in FUNCTIONS.items() if not f.internal))
        raise UnknownNameError(
            f"unknown function '{node.func}' in {where}: it is neither a function of the model "
            f"language ({known}) nor a function (TimedArray, Function...) defined where run() "
            f"was called (or in the namespace= given){_at(node.span, source)}",
            node.func) from None
    if not is_model_function(found):
        message = (f"'{node.func}' is called like a function in {where}, but it is a variable "
                   f"or constant, not a function")
        raise _syntax(message, node.span, source, where)
    if len(node.args) != found.arity:
        plural = "" if found.arity == 1 else "s"
        message = (f"the function '{node.func}' was called with {len(node.args)} "
                   f"argument{'' if len(node.args) == 1 else 's'}, but it takes {found.arity} "
                   f"argument{plural}")
        raise _syntax(message, node.span, source, where)
    return found


def _syntax(message: str, span: Span | None, source: str | None, where: str):
    if span is not None and source is not None:
        return syntax_error_at(source, where, span, message)
    return EquationSyntaxError(f"{message} (in {where})")


def _at(span: Span | None, source: str | None) -> str:
    if span is None:
        return ""
    text = f" (at {describe_position(span)})"
    excerpt = excerpt_for(source, span)
    return f"{text}:\n{excerpt}" if excerpt else text


@dataclass(frozen=True)
class _Typed:
    """What the checker knows of a sub-expression."""

    dim: object
    boolean: bool = False
    zero: bool = False  # a literal zero: fits any dimension


class DimensionChecker:
    """Infers dimensions of nodes, raising errors that point at the text."""

    def __init__(self, resolve: Resolver, *, source: str | None = None,
                 where: str = "the expression", booleans: Iterable[str] = (),
                 noise: bool = False) -> None:
        self.resolve = resolve
        self.source = source
        self.where = where
        self.booleans = frozenset(booleans)
        self.noise = noise  # whether xi/xi_* may appear (differential equations only)
        self.dimensionless, self.second = _dims()
        self._known: dict = {}
        #: temporaries of a block of statements: name -> dimension
        self.temporaries: dict = {}

    # -- errors ---------------------------------------------------------------
    def mismatch(self, node, what: str, *dims) -> DimensionMismatchError:
        position = _at(node.span, self.source)
        message = f"Inconsistent units in {self.where}: {what}{position}"
        return DimensionMismatchError(message, *dims)

    def name_dimension(self, node: Name):
        if node.id in self.temporaries:
            return self.temporaries[node.id]
        if is_noise_name(node.id) and not self.noise:
            raise UnknownNameError(
                f"'{node.id}' (white noise) can only be used in differential equations, not "
                f"in {self.where}{_at(node.span, self.source)}", node.id)
        builtin = builtin_dimension(node.id)
        if builtin is not None:
            return builtin
        try:
            found = self.resolve(node.id, node.span)
        except UnknownNameError:
            if node.id in _CONSTANTS:
                return self.dimensionless
            raise
        from nerve.functions.base import is_model_function

        if is_model_function(found):
            call = f"{node.id}({', '.join(['t', 'i'][:found.arity])})"
            raise _syntax(f"'{node.id}' is used like a variable or constant in {self.where}, "
                          f"but it is a function: call it, e.g. {call}", node.span,
                          self.source, self.where)
        return found

    # -- inference ------------------------------------------------------------
    def infer(self, node) -> _Typed:
        """What is known of ``node``. The subtree is visited children first
        with an explicit stack (each node once, its result kept), so the
        rules below, which ask for their children, never recurse deeply."""
        known = self._known
        entry = known.get(id(node))
        if entry is not None:
            return entry[1]
        stack = [(node, False)]
        while stack:
            item, children_done = stack.pop()
            if id(item) in known:
                continue
            if children_done:
                # (the node is kept beside its result so that its id stays its own)
                known[id(item)] = (item, self._infer_node(item))
                continue
            if isinstance(item, Call):
                # an unknown function first
                check_call(item, self.source, self.where, self.resolve)
            stack.append((item, True))
            stack.extend((child, False) for child in reversed(_children(item)))
        return known[id(node)][1]

    def _infer_node(self, node) -> _Typed:
        if isinstance(node, Number):
            return _Typed(self.dimensionless, zero=node.value == 0)
        if isinstance(node, Name):
            return _Typed(self.name_dimension(node),
                          boolean=node.id in self.booleans or node.id in ("True", "False"))
        if isinstance(node, UnaryOp):
            return self.unary(node)
        if isinstance(node, BoolOp):
            for side in (node.left, node.right):
                self.condition(side, f"'{node.op}' combines conditions, but")
            return _Typed(self.dimensionless, boolean=True)
        if isinstance(node, Compare):
            left, right = self.infer(node.left), self.infer(node.right)
            self.same(node, left, right, "'{}' compares")
            return _Typed(self.dimensionless, boolean=True)
        if isinstance(node, BinOp):
            return self.binop(node)
        if isinstance(node, Call):
            return self.call(node)
        raise TypeError(f"not an expression node: {node!r}")

    def condition(self, node, intro: str) -> None:
        typed = self.infer(node)
        if typed.dim is not self.dimensionless:
            raise self.mismatch(node, f"{intro} '{_shown(node)}' has units of "
                                      f"{describe_dimension(typed.dim)}", typed.dim)

    def unary(self, node: UnaryOp) -> _Typed:
        if node.op == "not":
            self.condition(node.operand, "'not' negates a condition, but")
            return _Typed(self.dimensionless, boolean=True)
        operand = self.infer(node.operand)
        return _Typed(operand.dim, zero=operand.zero)

    def same(self, node, left: _Typed, right: _Typed, verb: str) -> object:
        """The common dimension of two operands that must agree. ``verb`` is
        formatted with the text of ``node`` only for an error message."""
        if left.zero:
            return right.dim
        if right.zero or left.dim is right.dim:
            return left.dim
        raise self.mismatch(
            node, f"{verb.format(_shown(node))} '{_shown(node.left)}' with units of "
                  f"{describe_dimension(left.dim)} and '{_shown(node.right)}' with "
                  f"units of {describe_dimension(right.dim)}", left.dim, right.dim)

    def binop(self, node: BinOp) -> _Typed:
        left, right = self.infer(node.left), self.infer(node.right)
        op = node.op
        if op in ("+", "-"):
            verb = "'{}' adds" if op == "+" else "'{}' subtracts"
            dim = self.same(node, left, right, verb)
            return _Typed(dim, zero=left.zero and right.zero)
        if op == "%":
            self.same(node, left, right, "'{}' takes the remainder of")
            return _Typed(left.dim)
        if op == "*":
            return _Typed(left.dim * right.dim)
        if op in ("/", "//"):
            return _Typed(left.dim / right.dim)
        return self.power(node, left, right)

    def power(self, node: BinOp, base: _Typed, exponent: _Typed) -> _Typed:
        if exponent.dim is not self.dimensionless:
            raise self.mismatch(
                node, f"the exponent '{_shown(node.right)}' in '{_shown(node)}' has "
                      f"units of {describe_dimension(exponent.dim)}; exponents must be "
                      f"dimensionless", exponent.dim)
        if base.dim is self.dimensionless:
            return _Typed(self.dimensionless)
        value = constant_value(node.right)
        if value is None or value != value or abs(value) == float("inf"):
            raise self.mismatch(
                node, f"'{_shown(node.left)}' has units of "
                      f"{describe_dimension(base.dim)}, so its exponent must be a number, "
                      f"not '{_shown(node.right)}'", base.dim)
        return _Typed(base.dim ** value)

    def call(self, node: Call) -> _Typed:
        external = check_call(node, self.source, self.where, self.resolve)
        function = FUNCTIONS[node.func] if external is None else external
        typed = [self.infer(arg) for arg in node.args]
        if node.func == "where":
            self.condition(node.args[0], "the condition of where() must be dimensionless;")
        dims = [None if t.zero else t.dim for t in typed]
        verdict = function.result(dims)
        if isinstance(verdict, tuple):
            index, need = verdict
            arg = node.args[index]
            label = "argument" if function.arity == 1 else f"argument {index + 1}"
            raise self.mismatch(
                arg, f"the {label} of {node.func}() must {need}, but "
                     f"'{_shown(arg)}' has units of {describe_dimension(typed[index].dim)}",
                typed[index].dim)
        return _Typed(verdict)


def _children(node) -> tuple:
    if isinstance(node, (BinOp, Compare, BoolOp)):
        return (node.left, node.right)
    if isinstance(node, UnaryOp):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def constant_value(node) -> float | None:
    """The value of an expression made of numbers only (``-0.5``, ``1/3``);
    None if it has a name, a call or an undefined operation. (Evaluated with
    an explicit stack: any depth.)"""
    values: list = []
    stack: list = [(node, False)]
    while stack:
        item, children_done = stack.pop()
        if isinstance(item, Number):
            values.append(item.value)
            continue
        if isinstance(item, UnaryOp) and item.op in "+-":
            if not children_done:
                stack += [(item, True), (item.operand, False)]
            elif values[-1] is not None and item.op == "-":
                values[-1] = -values[-1]
            continue
        if isinstance(item, BinOp) and item.op in ("+", "-", "*", "/", "**"):
            if not children_done:
                stack += [(item, True), (item.right, False), (item.left, False)]
            else:
                right = values.pop()
                values[-1] = _constant_op(item.op, values[-1], right)
            continue
        return None  # a name, a call, a comparison...
    return values[0]


def _constant_op(op: str, left, right):
    if left is None or right is None:
        return None
    try:
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return left / right if right else None
        return float(left ** right) if left > 0 or right == int(right) else None
    except (OverflowError, ZeroDivisionError, TypeError, ValueError):
        return None


def expression_dimension(expr, resolve: Resolver, *, source: str | None = None,
                         where: str = "the expression", booleans: Iterable[str] = (),
                         noise: bool = False):
    """The dimension of ``expr``; raises on any inconsistency inside it.
    Noise symbols (``xi``) are refused unless ``noise`` is true (the
    right-hand side of a differential equation)."""
    checker = DimensionChecker(resolve, source=source, where=where, booleans=booleans,
                               noise=noise)
    return checker.infer(expr).dim


def check_expression(expr, resolve: Resolver, expected=None, *, source: str | None = None,
                     where: str = "the expression", booleans: Iterable[str] = ()):
    """Check ``expr`` and return its dimension.

    ``expected`` is a Dimension the expression must have, the string
    ``"boolean"`` for a condition (threshold), or ``None`` for no constraint.
    A literal zero fits any expected dimension.
    """
    checker = DimensionChecker(resolve, source=source, where=where, booleans=booleans)
    typed = checker.infer(expr)
    if expected == "boolean":
        if not typed.boolean:
            raise DimensionMismatchError(
                f"Inconsistent units in {where}: a condition must be boolean (a comparison "
                f"such as 'v > 1*mV', possibly combined with 'and', 'or', 'not'), but "
                f"'{_shown(expr)}' is a value with units of "
                f"{describe_dimension(typed.dim)}{_at(expr.span, source)}", typed.dim)
        return typed.dim
    if expected is not None and typed.dim is not expected and not typed.zero:
        raise DimensionMismatchError(
            f"Inconsistent units in {where}: expected units of "
            f"{describe_dimension(expected)}, but '{_shown(expr)}' has units of "
            f"{describe_dimension(typed.dim)}{_at(expr.span, source)}",
            typed.dim, expected)
    return typed.dim


#: Names a statement may not assign, and why.
_READ_ONLY = {"t": "the time", "dt": "the time step", "i": "the index of the neuron",
              "N": "the number of neurons", "True": "a constant", "False": "a constant"}


def check_target(statement: Assign, *, source: str | None = None,
                 where: str = "the statements", read_only: Iterable[str] = ()) -> None:
    """Refuse an assignment to a built-in name (``t``, ``dt``, ``i``,
    ``N``), a noise symbol or a name in ``read_only`` (subexpressions), with
    an :class:`EquationSyntaxError` pointing at the name."""
    name = statement.target
    if name in _READ_ONLY:
        why = f"'{name}' is {_READ_ONLY[name]}, which statements can read but not change"
    elif is_noise_name(name):
        why = f"'{name}' is white noise, which only differential equations can use"
    elif name in read_only:
        why = (f"'{name}' is a subexpression, defined by its equation: assign to the "
               f"variables it is computed from instead")
    else:
        return
    message = f"cannot assign to '{name}': {why}"
    span = statement.span
    if span is not None and source is not None:
        target = Span(span.line, span.column, span.line, span.column + len(name))
        raise syntax_error_at(source, where, target, message)
    raise EquationSyntaxError(f"{message} (in {where})")


def check_statements(statements: Iterable[Assign], resolve: Resolver, *,
                     source: str | None = None, where: str = "the statements",
                     booleans: Iterable[str] = (), read_only: Iterable[str] = (),
                     variables: Optional[Container[str]] = None) -> None:
    """Check that each statement assigns a variable it may change (see
    :func:`check_target`) a value with the units of its target (``*=`` and
    ``/=`` need a dimensionless value).

    With ``variables`` (the names the code's owner defines), a statement
    ``x = expr`` whose target is none of them is a temporary, as in Brian2:
    it takes the units (and booleanness) of its first value, later
    statements of the block read it (it hides an external name of the same
    name), and a later assignment must keep its units; reading it before
    that first assignment, or starting with ``x += ...``, is an unknown name.
    :func:`statement_temporaries` lists them for the lowering."""
    checker = DimensionChecker(resolve, source=source, where=where, booleans=booleans)
    read_only = frozenset(read_only)
    for statement in statements:
        check_target(statement, source=source, where=where, read_only=read_only)
        name = statement.target
        if (variables is not None and name not in variables
                and name not in checker.temporaries):
            if statement.op != "=":
                from nerve.equations.errors import unknown_name_error

                raise unknown_name_error(name, statement.span, source, where)
            typed = checker.infer(statement.value)
            checker.temporaries[name] = typed.dim
            if typed.boolean:
                checker.booleans = checker.booleans | {name}
            continue
        target = checker.name_dimension(Name(name, statement.span))
        typed = checker.infer(statement.value)
        if statement.op in ("*=", "/="):
            need = checker.dimensionless
        else:
            need = target
        if typed.dim is need or typed.zero:
            continue
        if statement.op in ("*=", "/="):
            what = (f"'{_shown(statement)}' must scale '{statement.target}' by a "
                    f"dimensionless factor, but '{_shown(statement.value)}' has units of "
                    f"{describe_dimension(typed.dim)}")
        else:
            what = (f"'{_shown(statement)}' gives '{statement.target}' (units of "
                    f"{describe_dimension(target)}) a value with units of "
                    f"{describe_dimension(typed.dim)}")
        raise checker.mismatch(statement, what, typed.dim, need)


def statement_temporaries(statements: Iterable[Assign], variables: Container[str]) -> set:
    """The temporaries of a block of statements (see :func:`check_statements`):
    the assigned names that are not in ``variables``."""
    return {s.target for s in statements if s.target not in variables}
