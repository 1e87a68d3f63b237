"""The :class:`Equations` container: a checked equation block.

Built once from a string: the text is parsed, declared units are evaluated,
names and flags are validated, and subexpressions are ordered by their
dependencies. Dimensional consistency is checked later, when external names
can be resolved (:meth:`Equations.check_units`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterator

from nerve.equations.dimensions import (
    Resolver, check_calls, describe_dimension, expression_dimension, is_noise_name,
)
from nerve.equations.errors import excerpt_for, source_line
from nerve.equations.functions import FUNCTIONS
from nerve.equations.nodes import walk
from nerve.equations.nodes import (
    BinOp, BoolOp, Call, Compare, EquationLine, Expr, Name, Number, Span, UnaryOp,
)
from nerve.equations.parser import parse_equations
from nerve.equations.printer import to_source
from nerve.exceptions import DimensionMismatchError, ModelDefinitionError, UnknownNameError

__all__ = ["Equations", "SingleEquation", "KINDS", "FLAGS", "RESERVED_NAMES"]

KINDS = ("differential", "subexpression", "parameter")
#: The flags each kind of equation accepts.
FLAGS = {
    "differential": ("unless refractory", "clock-driven", "event-driven"),
    "subexpression": ("shared", "constant over dt", "summed"),
    "parameter": ("constant", "shared", "linked"),
}
#: Names no variable may take (besides unit and function names, names starting
#: with ``_`` and the noise symbols ``xi_*``).
RESERVED_NAMES = frozenset({"t", "dt", "i", "N", "xi", "lastspike", "not_refractory",
                            "True", "False", "pi", "e", "inf"})
_KIND_WORDS = {"differential": "differential equations", "subexpression": "subexpressions",
               "parameter": "parameters"}


@dataclass(frozen=True)
class SingleEquation:
    """One equation of a block.

    ``dim`` is the dimension of the variable (not of the right-hand side of
    a differential equation); ``line`` is the source line as written.
    """

    kind: str
    name: str
    expr: Expr | None
    dim: object
    dtype: str
    flags: frozenset
    span: Span | None
    line: str


class Equations(Mapping):
    """A model's equations: a mapping name → :class:`SingleEquation`, in
    the order they were written."""

    def __init__(self, text: "str | Equations") -> None:
        if isinstance(text, Equations):
            self.text, self._equations, self._order = text.text, text._equations, text._order
            return
        if not isinstance(text, str):
            raise TypeError(f"equations must be given as a string, not {type(text).__name__}")
        self.text = text
        equations: dict[str, SingleEquation] = {}
        for parsed in parse_equations(text):
            line_text = source_line(text, parsed.span.line) if parsed.span else ""
            self._check_name(parsed, line_text, equations)
            equations[parsed.name] = self._build(parsed, line_text)
        self._equations = equations
        self._order = self._subexpression_order()

    # -- mapping ---------------------------------------------------------------
    def __getitem__(self, name: str) -> SingleEquation:
        return self._equations[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._equations)

    def __len__(self) -> int:
        return len(self._equations)

    def __repr__(self) -> str:
        return f"Equations({self.text!r})"

    def __str__(self) -> str:
        return "\n".join(eq.line.strip() for eq in self._equations.values())

    # -- accessors ---------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Every defined name, in written order."""
        return tuple(self._equations)

    def names_of(self, kind: str) -> tuple[str, ...]:
        """The names of one kind of equation, in written order."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return tuple(n for n, eq in self._equations.items() if eq.kind == kind)

    @property
    def diff_eq_names(self) -> tuple[str, ...]:
        """Variables defined by differential equations."""
        return self.names_of("differential")

    @property
    def subexpr_names(self) -> tuple[str, ...]:
        """Subexpressions, in dependency order (each after those it uses)."""
        return self._order

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Parameters."""
        return self.names_of("parameter")

    @property
    def state_names(self) -> tuple[str, ...]:
        """Variables stored per neuron: differential variables and parameters."""
        return tuple(n for n, eq in self._equations.items() if eq.kind != "subexpression")

    def substituted(self) -> tuple[tuple[str, Expr], ...]:
        """``(name, rhs)`` of each differential equation, with every
        subexpression replaced by its definition (recursively)."""
        definitions: dict[str, Expr] = {}
        for name in self._order:
            definitions[name] = substitute(self._equations[name].expr, definitions)
        return tuple((name, substitute(eq.expr, definitions))
                     for name, eq in self._equations.items() if eq.kind == "differential")

    def check_units(self, resolve: Resolver) -> None:
        """Check every equation's dimensions, names outside the block being
        resolved by ``resolve(name, span)``: a differential equation's
        right-hand side must have the units of its variable per second, a
        subexpression the units declared for it."""
        from nerve.units.registry import lookup

        second = lookup("second").dim

        def own(name: str, span: Span | None):
            eq = self._equations.get(name)
            return eq.dim if eq is not None else resolve(name, span)

        booleans = frozenset(n for n, eq in self._equations.items() if eq.dtype == "boolean")
        for eq in self._equations.values():
            if eq.expr is None:
                continue
            where = (f"the differential equation of '{eq.name}'" if eq.kind == "differential"
                     else f"the subexpression '{eq.name}'")
            found = expression_dimension(eq.expr, own, source=eq.line, where=where,
                                         booleans=booleans)
            expected = eq.dim / second if eq.kind == "differential" else eq.dim
            if found is not expected and not _is_zero(eq.expr) and eq.dtype != "boolean":
                raise _equation_mismatch(eq, found, expected, second)

    # -- construction --------------------------------------------------------
    def _check_name(self, parsed: EquationLine, line_text: str,
                    seen: dict[str, SingleEquation]) -> None:
        name = parsed.name
        at = _where(parsed.span, line_text)
        if name in seen:
            first = seen[name]
            excerpt = excerpt_for(line_text, parsed.span, underline=False)
            raise ModelDefinitionError(
                f"'{name}' is defined twice, on line {first.span.line} "
                f"({first.line.strip()}) and on line {parsed.span.line}:\n{excerpt}")
        why = _reserved_reason(name)
        if why:
            raise ModelDefinitionError(f"'{name}' cannot be the name of a variable: {why}{at}")

    def _build(self, parsed: EquationLine, line_text: str) -> SingleEquation:
        at = _where(parsed.span, line_text)
        dim, dtype = _declared_unit(parsed.unit, parsed.name, line_text)
        flags = _checked_flags(parsed, at)
        if parsed.kind == "differential" and dtype != "float":
            raise ModelDefinitionError(
                f"the variable '{parsed.name}' of a differential equation must be a "
                f"floating-point quantity, not {dtype}{at}")
        if parsed.expr is not None:
            check_calls(parsed.expr, line_text, f"the equation of '{parsed.name}'")
            if parsed.kind == "subexpression":
                noise = sorted({n.id for n in _names(parsed.expr) if is_noise_name(n.id)})
                if noise:
                    raise ModelDefinitionError(
                        f"the subexpression '{parsed.name}' uses the noise term "
                        f"'{noise[0]}': noise may only appear in differential equations{at}")
        return SingleEquation(parsed.kind, parsed.name, parsed.expr, dim, dtype,
                              frozenset(flags), parsed.span, line_text)

    def _subexpression_order(self) -> tuple[str, ...]:
        subs = {n: eq for n, eq in self._equations.items() if eq.kind == "subexpression"}
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "active":
                cycle = path[path.index(name):] + [name]
                eq = subs[name]
                raise ModelDefinitionError(
                    "the subexpressions depend on each other in a cycle: "
                    + " -> ".join(cycle) + _where(eq.span, eq.line))
            state[name] = "active"
            for used in _names(subs[name].expr):
                if used.id in subs:
                    visit(used.id, path + [name])
            state[name] = "done"
            order.append(name)

        for name in subs:
            visit(name, [])
        return tuple(order)


# -- helpers ----------------------------------------------------------------------

def _where(span: Span | None, line_text: str) -> str:
    if span is None:
        return ""
    excerpt = excerpt_for(line_text, span, underline=False)
    return f" (line {span.line}):\n{excerpt}" if excerpt else f" (line {span.line})"


def _reserved_reason(name: str) -> str:
    if name in RESERVED_NAMES or is_noise_name(name):
        return "the name is reserved by the model language"
    if name.startswith("_"):
        return "names starting with '_' are reserved for internal variables"
    if name in FUNCTIONS:
        return f"{name}() is a function of the model language"
    if name in ("boolean", "integer"):
        return f"'{name}' is a type name"
    from nerve.units.registry import lookup

    if lookup(name) is not None:
        return f"'{name}' is the name of a unit"
    return ""


def _declared_unit(unit: Expr, owner: str, line_text: str):
    """The dimension and dtype of a unit specification."""
    from nerve.units.dimension import DIMENSIONLESS
    from nerve.units.registry import lookup

    def bad(node, why: str) -> ModelDefinitionError:
        return ModelDefinitionError(
            f"invalid unit for '{owner}': {why}{_where(node.span, line_text)}")

    if isinstance(unit, Name) and unit.id in ("boolean", "integer"):
        return DIMENSIONLESS, unit.id

    def dim_of(node):
        if isinstance(node, Number):
            if node.value != 1:
                raise bad(node, f"'{to_source(node)}' is not a unit (write 1 for dimensionless)")
            return DIMENSIONLESS
        if isinstance(node, Name):
            if node.id in ("boolean", "integer"):
                raise bad(node, f"'{node.id}' is a type and cannot be combined with units")
            found = lookup(node.id)
            if found is None and node.id in ("radian", "steradian"):
                return DIMENSIONLESS  # angles are dimensionless, as in SI and Brian2
            if found is None:
                position = f" (line {node.span.line})" if node.span else ""
                raise UnknownNameError(
                    f"unknown unit '{node.id}' in the unit of '{owner}'{position}:\n"
                    f"{excerpt_for(line_text, node.span)}", node.id)
            return found.dim
        if isinstance(node, BinOp) and node.op in ("*", "/"):
            left, right = dim_of(node.left), dim_of(node.right)
            return left * right if node.op == "*" else left / right
        if isinstance(node, BinOp) and node.op == "**":
            from nerve.equations.dimensions import constant_value

            exponent = constant_value(node.right)
            if exponent is None or exponent != exponent or abs(exponent) == float("inf"):
                raise bad(node.right, "the exponent of a unit must be a number")
            return dim_of(node.left) ** exponent
        raise bad(node, f"'{to_source(node)}' is not a unit")

    return dim_of(unit), "float"


def _checked_flags(parsed: EquationLine, at: str) -> tuple[str, ...]:
    allowed = FLAGS[parsed.kind]
    seen: list[str] = []
    for flag in parsed.flags:
        if flag in seen:
            raise ModelDefinitionError(f"the flag '{flag}' is given twice for "
                                       f"'{parsed.name}'{at}")
        if flag not in allowed:
            owners = [_KIND_WORDS[k] for k, flags in FLAGS.items() if flag in flags]
            allowed_text = ", ".join(f"'{f}'" for f in allowed)
            if owners:
                why = f"'{flag}' is a flag of {' and '.join(owners)} only"
            else:
                why = f"'{flag}' is not a flag"
            raise ModelDefinitionError(
                f"invalid flag for '{parsed.name}': {why}; {_KIND_WORDS[parsed.kind]} "
                f"accept {allowed_text}{at}")
        seen.append(flag)
    return tuple(seen)


def _names(expr) -> Iterator[Name]:
    return (node for node in walk(expr) if isinstance(node, Name))


def substitute(expr, definitions: Mapping):
    """``expr`` with each name in ``definitions`` replaced by its expression."""
    if isinstance(expr, Name):
        return definitions.get(expr.id, expr)
    if isinstance(expr, (BinOp, Compare, BoolOp)):
        return type(expr)(expr.op, substitute(expr.left, definitions),
                          substitute(expr.right, definitions), expr.span)
    if isinstance(expr, UnaryOp):
        return UnaryOp(expr.op, substitute(expr.operand, definitions), expr.span)
    if isinstance(expr, Call):
        return Call(expr.func, tuple(substitute(a, definitions) for a in expr.args), expr.span)
    return expr


def _is_zero(expr) -> bool:
    return isinstance(expr, Number) and expr.value == 0


def _equation_mismatch(eq: SingleEquation, found, expected, second) -> DimensionMismatchError:
    line = f" (line {eq.span.line}: {eq.line.strip()})" if eq.span else ""
    rhs = to_source(eq.expr)
    if eq.kind == "differential":
        message = (f"Inconsistent units in the differential equation of '{eq.name}'{line}: "
                   f"the right-hand side '{rhs}' has units of {describe_dimension(found)}, "
                   f"but d{eq.name}/dt must have units of {describe_dimension(expected)} "
                   f"(the units of {eq.name}, {_short(eq.dim)}, divided by second).")
        if found is eq.dim:
            message += (f" Divide the right-hand side by a time constant: "
                        f"'d{eq.name}/dt = ({rhs})/tau : {to_source(_unit_of(eq))}', with "
                        f"tau defined outside the equations (e.g. tau = 10*ms).")
        else:
            message += " Check the units of each term of the right-hand side."
    else:
        message = (f"Inconsistent units in the subexpression '{eq.name}'{line}: its "
                   f"expression '{rhs}' has units of {describe_dimension(found)}, but "
                   f"'{eq.name}' is declared with units of {describe_dimension(expected)}.")
    return DimensionMismatchError(message, found, expected)


def _short(dim) -> str:
    from nerve.units.dimension import format_dimension

    return format_dimension(dim)


def _unit_of(eq: SingleEquation):
    from nerve.equations.parser import parse_equations as _parse

    return _parse(eq.line.strip())[0].unit
