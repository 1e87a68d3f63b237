"""Lowering typed statements to a bytecode :class:`~nerve.ir.program.Program`.

Three steps:

1. **Build a value graph.** Statements are walked in order; each name maps to
   the value it currently holds, so a statement sees the assignments before it
   (``v = vr; vt += v`` reads the new ``v``). Identical pure operations are
   one node (common-subexpression elimination); every ``rand()``/``randn()``
   call is its own node. An operation whose operands are all constants is
   folded on the spot, in the order written (nothing is reassociated), with
   the engine's semantics (:mod:`nerve.ir.semantics`). An operation that
   reads no lane (only constants, ``t``, ``dt``, ``N``) is *scalar*.
2. **Schedule.** Starting from the roots (the final value of each assigned
   column, in the order of their last assignment, then the threshold
   condition), operands are emitted before their users, left to right: scalar
   nodes into the scalar block (computed once per execution), lane-dependent
   ones into the vector block. A column is loaded once, before any store to it.
3. **Allocate registers** over the straight-line code by liveness: a register
   is reused once its value is dead, lowest number first. A destination never
   shares a register with a source of the same instruction.
"""

from __future__ import annotations

import heapq
import math
import struct
from typing import Mapping, Sequence

from nerve.equations.nodes import Assign, BinOp, BoolOp, Call, Compare, Expr, Name, Number, UnaryOp
from nerve.exceptions import ProgramError
from nerve.ir.opcodes import Op
from nerve.ir.program import (
    CONST, MAX_INDEX, PRELOADED_SREGS, SREG, VREG, Instr, Program, operand,
)
from nerve.ir.semantics import evaluate

__all__ = ["lower", "Program", "FUNCTIONS", "Builder"]

_BINARY = {"+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV, "**": Op.POW,
           "%": Op.MOD, "//": Op.FLOORDIV}
_COMPARE = {"<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE, "==": Op.EQ, "!=": Op.NE}
_BOOL = {"and": Op.AND, "or": Op.OR}
_AUGMENTED = {"+=": "+", "-=": "-", "*=": "*", "/=": "/"}

#: Functions of the model language and the opcode each lowers to.
FUNCTIONS: dict[str, Op] = {
    "exp": Op.EXP, "log": Op.LOG, "log10": Op.LOG10, "sqrt": Op.SQRT,
    "sin": Op.SIN, "cos": Op.COS, "tan": Op.TAN, "sinh": Op.SINH, "cosh": Op.COSH,
    "tanh": Op.TANH, "arcsin": Op.ARCSIN, "arccos": Op.ARCCOS, "arctan": Op.ARCTAN,
    "abs": Op.ABS, "sign": Op.SIGN, "floor": Op.FLOOR, "ceil": Op.CEIL, "int": Op.TRUNC,
    "clip": Op.CLIP, "where": Op.SELECT, "rand": Op.RAND, "randn": Op.RANDN,
    "poisson": Op.POISSON,
    "exprel": Op.EXPREL, "expm1": Op.EXPM1, "log1p": Op.LOG1P,
}
_RANDOM = (Op.RAND, Op.RANDN, Op.POISSON)
#: Operations whose result is already 0 or 1, or already a whole number: an
#: assignment of one to a boolean or integer variable needs no cast.
_LOGICAL = frozenset({Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ, Op.NE, Op.AND, Op.OR, Op.NOT})
_INTEGRAL = _LOGICAL | {Op.TRUNC, Op.FLOOR, Op.CEIL, Op.SIGN, Op.ROUND}
_BUILTIN_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf, "True": 1.0, "False": 0.0}
_PRELOADED = {"t": 0, "dt": 1, "N": 2}  # S0 = t, S1 = dt, S2 = N (S3 = step)
_RESERVED = frozenset(_PRELOADED) | {"i"}

_CONST, _SCALAR, _VECTOR = 0, 1, 2  # where a value lives


class _Graph:
    """Hash-consed value nodes. A node is ``(kind, payload, args)``."""

    def __init__(self) -> None:
        self.kind: list[str] = []        # const | pre | load | index | random | op
        self.payload: list[object] = []  # float | sreg | slot | None | Op | Op
        self.args: list[tuple[int, ...]] = []
        self.space: list[int] = []
        self._memo: dict[tuple[object, ...], int] = {}

    def _node(self, key: tuple[object, ...] | None, kind: str, payload: object,
              args: tuple[int, ...], space: int) -> int:
        if key is not None and key in self._memo:
            return self._memo[key]
        self.kind.append(kind)
        self.payload.append(payload)
        self.args.append(args)
        self.space.append(space)
        node = len(self.kind) - 1
        if key is not None:
            self._memo[key] = node
        return node

    def const(self, x: float) -> int:
        x = float(x)  # keyed by bits: 0.0 and -0.0 differ, every nan is one
        return self._node(("k", struct.pack("<d", x)), "const", x, (), _CONST)

    def preloaded(self, sreg: int) -> int:
        return self._node(("pre", sreg), "pre", sreg, (), _SCALAR)

    def load(self, slot: int) -> int:
        return self._node(("load", slot), "load", slot, (), _VECTOR)

    def loaded(self, slot: int) -> int | None:
        return self._memo.get(("load", slot))

    def index(self) -> int:
        return self._node(("index",), "index", None, (), _VECTOR)

    def random(self, op: Op, args: tuple[int, ...] = ()) -> int:
        return self._node(None, "random", op, args, _VECTOR)  # never shared

    def lookup(self, table: int, index: int) -> int:
        """``table[index]``; the table number is a constant operand. Never
        folded (Python does not hold the table), so at least scalar."""
        args = (self.const(float(table)), index)
        space = max(_SCALAR, self.space[index])
        return self._node(("op", Op.LOOKUP, args), "op", Op.LOOKUP, args, space)

    def apply(self, op: Op, args: tuple[int, ...]) -> int:
        spaces = [self.space[a] for a in args]
        if all(s == _CONST for s in spaces):
            return self.const(evaluate(op, *(self.payload[a] for a in args)))  # type: ignore[arg-type]
        return self._node(("op", op, args), "op", op, args, max(spaces))


class Builder:
    """What a :class:`~nerve.functions.base.ModelFunction` uses to build the
    value of a call: constants, operations (folded when constant), table
    lookups and random draws. Values are node numbers."""

    def __init__(self, graph: _Graph, tables: list) -> None:
        self._g = graph
        self._tables = tables

    def const(self, x: float) -> int:
        return self._g.const(x)

    def apply(self, op: Op, *args: int) -> int:
        return self._g.apply(op, tuple(args))

    def lookup(self, table: object, index: int) -> int:
        """``table[trunc(index)]`` (nan outside), ``table`` a ``_core.Table``
        passed to the engine with the program (once, however often read)."""
        for number, known in enumerate(self._tables):
            if known is table:
                break
        else:
            self._tables.append(table)
            number = len(self._tables) - 1
        return self._g.lookup(number, index)

    def random(self, op: Op, *args: int) -> int:
        """A fresh draw (``rand``, ``randn``, ``binomial``): never shared."""
        return self._g.random(op, tuple(args))


class _Lowerer:
    def __init__(self, columns: Mapping[str, int], constants: Mapping[str, float],
                 dtypes: Mapping[str, str] | None = None,
                 functions: Mapping[str, object] | None = None, dt: float | None = None) -> None:
        self.g = _Graph()
        self.functions = dict(functions or {})
        self.dt = dt
        self.tables: list = []
        self.columns = dict(columns)
        self.dtypes = dict(dtypes or {})
        self.constants = dict(constants)
        self.env: dict[str, int] = {}          # name -> node of its current value
        self.stores: dict[str, int] = {}       # column -> final node, in order of last assignment

    # -- expressions ----------------------------------------------------------

    def name(self, node: Name) -> int:
        ident = node.id
        if ident in self.env:
            return self.env[ident]
        if ident in self.columns:
            value = self.g.load(self.columns[ident])
        elif ident in self.constants:
            value = self.g.const(self.constants[ident])
        elif ident in _PRELOADED:
            value = self.g.preloaded(_PRELOADED[ident])
        elif ident == "i":
            value = self.g.index()
        elif ident in _BUILTIN_CONSTANTS:
            value = self.g.const(_BUILTIN_CONSTANTS[ident])
        else:
            raise ProgramError(
                f"internal error: lowering met the unresolved name '{ident}'"
                f"{_where(node)}; names must be resolved before lowering (please report)")
        self.env[ident] = value
        return value

    def expr(self, node: Expr) -> int:
        g = self.g
        if isinstance(node, Number):
            return g.const(node.value)
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, UnaryOp):
            operand_ = self.expr(node.operand)
            if node.op == "+":
                return operand_
            return g.apply(Op.NEG if node.op == "-" else Op.NOT, (operand_,))
        if isinstance(node, BinOp):
            left, right = self.expr(node.left), self.expr(node.right)
            if node.op == "**" and g.kind[right] == "const" and g.payload[right] == 2.0:
                return g.apply(Op.MUL, (left, left))  # x**2 is x*x, exactly
            return g.apply(_BINARY[node.op], (left, right))
        if isinstance(node, Compare):
            return g.apply(_COMPARE[node.op], (self.expr(node.left), self.expr(node.right)))
        if isinstance(node, BoolOp):
            return g.apply(_BOOL[node.op], (self.expr(node.left), self.expr(node.right)))
        if isinstance(node, Call):
            return self.call(node)
        raise ProgramError(f"internal error: cannot lower {type(node).__name__} node {node!r}")

    def call(self, node: Call) -> int:
        if node.func == "timestep" and len(node.args) == 2:
            return self.timestep(*(self.expr(arg) for arg in node.args))
        op = FUNCTIONS.get(node.func)
        if op is None and node.func in self.functions:
            return self.external_call(node)
        if op is None:
            raise ProgramError(
                f"internal error: lowering met the unknown function '{node.func}'"
                f"{_where(node)} (please report)")
        if len(node.args) != op.arity:
            raise ProgramError(
                f"internal error: {node.func}() takes {op.arity} argument(s), "
                f"got {len(node.args)}{_where(node)} (please report)")
        if op in _RANDOM:
            return self.g.random(op, tuple(self.expr(arg) for arg in node.args))
        return self.g.apply(op, tuple(self.expr(arg) for arg in node.args))

    def external_call(self, node: Call) -> int:
        """A call of a function of the namespace (``TimedArray``...), built
        by the function itself."""
        function = self.functions[node.func]
        if len(node.args) != function.arity:
            raise ProgramError(
                f"internal error: {node.func}() takes {function.arity} argument(s), "
                f"got {len(node.args)}{_where(node)} (please report)")
        if self.dt is None:
            raise ProgramError(
                f"internal error: {node.func}() lowered without a time step (please report)")
        args = tuple(self.expr(arg) for arg in node.args)
        return function.build(Builder(self.g, self.tables), args, self.dt)

    def timestep(self, t: int, dt: int) -> int:
        """Brian2's ``timestep(t, dt)``: ``int((t + 1e-3*dt)/dt)``, the step
        a time falls in (the small shift keeps a multiple of ``dt`` in its own
        step despite rounding), truncated toward zero as Brian2's int64 cast."""
        g = self.g
        shifted = g.apply(Op.ADD, (t, g.apply(Op.MUL, (g.const(1e-3), dt))))
        return g.apply(Op.TRUNC, (g.apply(Op.DIV, (shifted, dt)),))

    # -- statements -----------------------------------------------------------

    def cast(self, target: str, value: int) -> int:
        """``value`` as the type of the variable it is assigned to, as Brian2
        casts on assignment: an integer is truncated toward zero (``2.7`` and
        ``-2.7`` give ``2`` and ``-2``), a boolean is ``1`` for any non-zero
        value. Later statements read the cast value (as C does with an int32_t
        local; Brian2's numpy target only casts on the final write)."""
        dtype = self.dtypes.get(target)
        g = self.g
        op = g.payload[value] if g.kind[value] == "op" else None
        if dtype == "integer" and op not in _INTEGRAL and g.kind[value] != "index":
            return g.apply(Op.TRUNC, (value,))
        if dtype == "boolean" and op not in _LOGICAL:
            return g.apply(Op.NE, (value, g.const(0.0)))
        return value

    def assign(self, stmt: Assign) -> None:
        target = stmt.target
        if target in _RESERVED:  # (an external constant's name makes a temporary, as in Brian2)
            raise ProgramError(
                f"internal error: cannot assign to '{target}'{_where(stmt)} (please report)")
        value_expr: Expr = stmt.value
        if stmt.op != "=":
            if stmt.op not in _AUGMENTED:
                raise ProgramError(f"internal error: unknown assignment operator {stmt.op!r}")
            value_expr = BinOp(_AUGMENTED[stmt.op], Name(target, stmt.span), stmt.value, stmt.span)
        value = self.cast(target, self.expr(value_expr))
        self.env[target] = value
        if target in self.columns:
            self.stores.pop(target, None)
            self.stores[target] = value


def _where(node: object) -> str:
    span = getattr(node, "span", None)
    return f" (line {span.line}, column {span.column})" if span is not None else ""


def lower(statements: Sequence[Assign], *, columns: Mapping[str, int],
          constants: Mapping[str, float], condition: Expr | None = None,
          dtypes: Mapping[str, str] | None = None,
          functions: Mapping[str, object] | None = None, dt: float | None = None) -> Program:
    """Lower ``statements`` (run in order), then optionally a threshold
    ``condition``, to a program.

    ``columns`` maps state-variable names to column slots; ``constants`` maps
    every other resolved name to its value in SI units. ``t``, ``dt``, ``N``,
    ``i``, ``pi``, ``e``, ``inf``, ``True``, ``False``, ``rand()`` and
    ``randn()`` are built in. Assigned names that are not columns are
    temporaries. With a ``condition`` the program ends with ``collect`` (a
    threshold program). Unresolved names raise :class:`ProgramError`.
    ``dtypes`` gives the type (``"integer"``, ``"boolean"``) of variables
    that are not floats: every assignment to one is cast (:meth:`_Lowerer.cast`).
    ``functions`` maps the names of functions of the namespace that the code
    calls to :class:`~nerve.functions.base.ModelFunction` objects, which build
    their calls for a program run with time step ``dt``; the tables they read
    end up in ``Program.tables``.
    """
    lw = _Lowerer(columns, constants, dtypes, functions, dt)
    for stmt in statements:
        lw.assign(stmt)
    g = lw.g
    roots: list[tuple[str, int, int]] = []  # (what, slot, node)
    for name, value in lw.stores.items():
        slot = lw.columns[name]
        if value != g.loaded(slot):  # `v = v` stores nothing
            roots.append(("store", slot, value))
    if condition is not None:
        roots.append(("collect", 0, lw.expr(condition)))
    n_columns = max(columns.values(), default=-1) + 1
    program = _Emitter(g).program(roots, n_columns)
    if lw.tables:
        from dataclasses import replace

        program = replace(program, tables=tuple(lw.tables))
    return program


class _Emitter:
    """Scheduling and register allocation over a value graph."""

    def __init__(self, g: _Graph) -> None:
        self.g = g
        self.scalar: list[int] = []           # scalar op nodes, in order
        self.vector: list[tuple[str, int, int]] = []  # ("node"|"store"|"collect", slot, node)
        self.emitted: set[int] = set()
        self.consts: dict[bytes, int] = {}
        self.const_values: list[float] = []

    def emit(self, root: int) -> None:
        g, stack = self.g, [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if node in self.emitted:
                continue
            if expanded or not g.args[node]:
                self.emitted.add(node)
                if g.kind[node] in ("const", "pre"):
                    continue
                if g.space[node] == _SCALAR:
                    self.scalar.append(node)
                else:
                    self.vector.append(("node", 0, node))
            else:
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(g.args[node]) if a not in self.emitted)

    def reachable(self, roots: list[tuple[str, int, int]]) -> set[int]:
        seen: set[int] = set()
        todo = [node for _, _, node in roots]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self.g.args[node])
        return seen

    def program(self, roots: list[tuple[str, int, int]], n_columns: int) -> Program:
        live = self.reachable(roots)
        for what, slot, node in roots:
            if what == "store":
                old = self.g.loaded(slot)
                if old is not None and old in live:
                    self.emit(old)  # read the old value before overwriting it
            self.emit(node)
            self.vector.append((what, slot, node))
        sregs, n_sregs = self.allocate_scalar()
        vregs, n_vregs = self.allocate_vector()
        regs = {**sregs, **vregs}
        scalar = tuple(self.instr(node, regs) for node in self.scalar)
        vector = []
        for what, slot, node in self.vector:
            if what == "store":
                vector.append(Instr(Op.STORE, slot, self.operand(node, regs)))
            elif what == "collect":
                vector.append(Instr(Op.COLLECT, 0, self.operand(node, regs)))
            else:
                vector.append(self.instr(node, regs))
        return Program(consts=tuple(self.const_values), scalar=scalar, vector=tuple(vector),
                       n_sregs=n_sregs, n_vregs=n_vregs, n_columns=n_columns)

    # -- registers --------------------------------------------------------------

    def allocate_scalar(self) -> tuple[dict[int, int], int]:
        g = self.g
        pinned = {a for _, _, node in self.vector for a in (*g.args[node], node)
                  if g.space[a] == _SCALAR}
        items = [(node, [a for a in g.args[node] if g.kind[a] == "op"]) for node in self.scalar]
        return _linear_scan(items, pinned, first=PRELOADED_SREGS)

    def allocate_vector(self) -> tuple[dict[int, int], int]:
        g = self.g
        items: list[tuple[int | None, list[int]]] = []
        for what, _, node in self.vector:
            if what == "node":
                items.append((node, [a for a in g.args[node] if g.space[a] == _VECTOR]))
            else:
                items.append((None, [node] if g.space[node] == _VECTOR else []))
        return _linear_scan(items, set(), first=0)

    # -- instructions -------------------------------------------------------------

    def operand(self, node: int, regs: dict[int, int]) -> int:
        g = self.g
        kind = g.kind[node]
        if kind == "const":
            value = float(g.payload[node])  # type: ignore[arg-type]
            bits = struct.pack("<d", value)
            if bits not in self.consts:
                self.consts[bits] = len(self.const_values)
                self.const_values.append(value)
            return operand(CONST, self.consts[bits])
        if kind == "pre":
            return operand(SREG, g.payload[node])  # type: ignore[arg-type]
        return operand(SREG if g.space[node] == _SCALAR else VREG, regs[node])

    def instr(self, node: int, regs: dict[int, int]) -> Instr:
        g = self.g
        kind = g.kind[node]
        dst = operand(SREG if g.space[node] == _SCALAR else VREG, regs[node])
        if kind == "load":
            return Instr(Op.LOAD, dst, g.payload[node])  # type: ignore[arg-type]
        if kind == "index":
            return Instr(Op.INDEX, dst)
        if kind == "random":
            return Instr(g.payload[node], dst,  # type: ignore[arg-type]
                         *(self.operand(a, regs) for a in g.args[node]))
        sources = [self.operand(a, regs) for a in g.args[node]]
        return Instr(g.payload[node], dst, *sources)  # type: ignore[arg-type]


def _linear_scan(items: list[tuple[int | None, list[int]]], pinned: set[int],
                 first: int) -> tuple[dict[int, int], int]:
    """Registers for the values defined by ``items`` (``(defined node or None,
    nodes read)``), reusing a register once its value's last reader has run.
    ``pinned`` values stay live to the end. Returns (node -> register, count)."""
    last_use: dict[int, int] = {}
    for pos, (_, reads) in enumerate(items):
        for node in reads:
            last_use[node] = pos
    free: list[int] = []
    regs: dict[int, int] = {}
    count = first
    for pos, (defined, reads) in enumerate(items):
        if defined is not None:
            if free:
                regs[defined] = heapq.heappop(free)
            else:
                regs[defined] = count
                count += 1
                if count - 1 > MAX_INDEX:
                    raise ProgramError(f"program needs more than {MAX_INDEX + 1} registers")
        dying = {node for node in reads if last_use[node] == pos and node not in pinned}
        if defined is not None and defined not in last_use and defined not in pinned:
            dying.add(defined)  # a value nobody reads
        for node in dying:
            heapq.heappush(free, regs[node])
    return regs, count
