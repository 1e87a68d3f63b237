"""The typed syntax tree of the model language.

The parser turns equation, expression and statement strings into these
immutable nodes; dimension checking, integration methods and the lowering to
bytecode all consume them, and nothing downstream re-parses a string. Each
node carries the :class:`Span` of the text it came from (``None`` for nodes
built by a program, e.g. by an integration method).

Expressions are unit-agnostic: a unit name inside a string (``-50*mV``) is a
:class:`Name` like any other identifier, resolved later against the group's
variables, the namespace and the unit registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node came from: 1-based line and column of its first
    character, and of the character after its last one."""

    line: int
    column: int
    end_line: int
    end_column: int


# -- expressions ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Number:
    """A numeric literal. ``is_int`` is true for literals written without a
    decimal point or exponent (``3``), false for ``3.``, ``.5``, ``1e-3``."""

    value: float
    is_int: bool = False
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier: a variable, an external constant, a unit, ``t``, ``dt``,
    ``i``, ``N``, ``xi``/``xi_*``, ``pi``, ``e``, ``inf``, ``True``/``False``."""

    id: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class UnaryOp:
    """``op`` is ``'-'``, ``'+'`` or ``'not'``."""

    op: str
    operand: Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class BinOp:
    """``op`` is one of ``+ - * / // % **``."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Compare:
    """``op`` is one of ``< <= > >= == !=`` (no chained comparisons)."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``op`` is ``'and'`` or ``'or'``."""

    op: str
    left: Expr
    right: Expr
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """A function call: ``exp(x)``, ``rand()``, ``clip(x, lo, hi)``..."""

    func: str
    args: tuple[Expr, ...]
    span: Span | None = None


Expr = Union[Number, Name, UnaryOp, BinOp, Compare, BoolOp, Call]


# -- statements --------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Assign:
    """``target op value`` with ``op`` one of ``= += -= *= /=``.

    Statements of one block (a reset, an update) run in order, each seeing
    the effects of the ones before it.
    """

    target: str
    op: str
    value: Expr
    span: Span | None = None


# -- equations ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EquationLine:
    """One line of an equation block, as written (before any checking).

    ``kind`` is ``'differential'`` (``dv/dt = expr : unit``),
    ``'subexpression'`` (``I = expr : unit``) or ``'parameter'``
    (``v0 : unit``, ``expr`` is ``None``). ``unit`` is the unit specification
    as an expression over unit names and numbers (``volt``, ``1``,
    ``amp/meter**2``, ``second**-0.5``), or a :class:`Name` for the type names
    ``boolean``, ``integer``. ``flags`` keep their written order and spelling
    (``'unless refractory'``, ``'constant'``, ``'constant over dt'``,
    ``'shared'``, ``'linked'``).
    """

    kind: str
    name: str
    expr: Expr | None
    unit: Expr
    flags: tuple[str, ...] = ()
    span: Span | None = None


# -- helpers -------------------------------------------------------------------

def walk(node):
    """Every node of an expression or statement, parents first, left to right."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, Assign):
            stack.append(item.value)
        elif isinstance(item, (BinOp, Compare, BoolOp)):
            stack += [item.right, item.left]
        elif isinstance(item, UnaryOp):
            stack.append(item.operand)
        elif isinstance(item, Call):
            stack += reversed(item.args)


def rebuild(node, leaf):
    """``node`` with every :class:`Name` replaced by ``leaf(name)`` (an
    expression), built bottom-up without recursion, so expressions of any
    depth can be rewritten. Subtrees without a replaced name are reused."""
    done: dict[int, object] = {}
    stack = [(node, False)]
    while stack:
        item, children_done = stack.pop()
        if isinstance(item, Name):
            done[id(item)] = leaf(item)
            continue
        if isinstance(item, (BinOp, Compare, BoolOp)):
            kids = (item.left, item.right)
        elif isinstance(item, UnaryOp):
            kids = (item.operand,)
        elif isinstance(item, Call):
            kids = item.args
        elif isinstance(item, Assign):
            kids = (item.value,)
        else:
            done[id(item)] = item
            continue
        if not children_done:
            stack.append((item, True))
            stack.extend((k, False) for k in kids if id(k) not in done)
            continue
        new = [done[id(k)] for k in kids]
        if all(a is b for a, b in zip(new, kids)):
            done[id(item)] = item
        elif isinstance(item, (BinOp, Compare, BoolOp)):
            done[id(item)] = type(item)(item.op, new[0], new[1], item.span)
        elif isinstance(item, UnaryOp):
            done[id(item)] = UnaryOp(item.op, new[0], item.span)
        elif isinstance(item, Call):
            done[id(item)] = Call(item.func, tuple(new), item.span)
        else:
            done[id(item)] = type(item)(item.target, item.op, new[0], item.span)
    return done[id(node)]


def strip_spans(node):
    """``node`` (or a tuple of nodes) with every span removed, for comparing
    trees by structure only."""
    import dataclasses

    if isinstance(node, tuple):
        return tuple(strip_spans(item) for item in node)
    if not dataclasses.is_dataclass(node):
        return node
    changes = {f.name: strip_spans(getattr(node, f.name)) for f in dataclasses.fields(node)
               if f.name != "span"}
    return dataclasses.replace(node, span=None, **changes)
