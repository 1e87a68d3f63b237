"""The :class:`Equations` container: a checked equation block.

Built once from a string: the text is parsed, declared units are evaluated,
names and flags are validated, and subexpressions are ordered by their
dependencies. Dimensional consistency is checked later, when external names
can be resolved (:meth:`Equations.check_units`).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Mapping
from typing import Iterable, Iterator

from nerve._bounded import remember
from nerve.equations.dimensions import (
    Resolver, check_calls, describe_dimension, expression_dimension, is_noise_name,
)
from nerve.equations.errors import excerpt_for, source_line
from nerve.equations.expression import Expression
from nerve.equations.nodes import rebuild, walk
from nerve.equations.nodes import (
    BinOp, BoolOp, Call, Compare, EquationLine, Expr, Name, Number, Span, UnaryOp,
)
from nerve.equations.parser import parse_equations
from nerve.equations.printer import to_source
from nerve.equations.single import (
    FLAGS, KINDS, RESERVED_NAMES, SingleEquation, checked_flags, declared_unit,
    located, reserved_reason,
)
from nerve.exceptions import DimensionMismatchError, EquationSyntaxError, ModelDefinitionError

__all__ = ["Equations", "SingleEquation", "Dependency", "KINDS", "FLAGS", "RESERVED_NAMES"]

#: Where each kind comes in ``Equations.ordered``: subexpressions (in dependency
#: order), then differential equations, then parameters.
_UPDATE_ORDER = {"subexpression": 0, "differential": 1, "parameter": 2}

#: One dependency of a variable (``Equations.dependencies``): the equation it
#: depends on, and the subexpressions the dependency goes through.
Dependency = namedtuple("Dependency", ["equation", "via"], defaults=((),))


class Equations(Mapping):
    """A model's equations: a mapping name → :class:`SingleEquation`, in
    the order they were written.

    ``Equations(text)`` parses and checks an equation string; ``eqs`` may
    also be another ``Equations`` or a list of :class:`SingleEquation`.
    Keyword arguments substitute names (Brian2's ``Equations(eqs, tau=10*ms,
    v='u')``, see :mod:`nerve.equations.substitution`); ``a + b`` joins two
    blocks (a name defined in both is an error).
    """

    def __init__(self, eqs: "str | Equations | Iterable[SingleEquation]",
                 **replacements: object) -> None:
        text = _text_of(eqs)
        if replacements:
            from nerve.equations.substitution import substitute_lines

            lines = substitute_lines(_lines_of(text), replacements, reserved_reason)
            text = "\n".join(to_source(line) for line in lines)
        self.text = text
        built = _built.get(text)
        if built is None:
            equations: dict[str, SingleEquation] = {}
            for parsed in parse_equations(text):
                line_text = source_line(text, parsed.span.line) if parsed.span else ""
                self._check_name(parsed, line_text, equations)
                equations[parsed.name] = self._build(parsed, line_text)
            self._equations = equations
            built = (equations, self._subexpression_order())
            remember(_built, text, built, _BUILT_LIMIT)
        # (a copy of the mapping; its equations are immutable)
        self._equations = dict(built[0])
        self._order = built[1]

    # -- mapping ---------------------------------------------------------------
    def __getitem__(self, name: str) -> SingleEquation:
        return self._equations[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._equations)

    def __len__(self) -> int:
        return len(self._equations)

    def __repr__(self) -> str:
        return f"<Equations object consisting of {len(self._equations)} equations>"

    def __str__(self) -> str:
        return "\n".join(str(eq) for eq in self.ordered)

    def __add__(self, other: "Equations | str") -> "Equations":
        if isinstance(other, str):
            other = Equations(other)
        elif not isinstance(other, Equations):
            return NotImplemented
        return Equations(f"{self.text}\n{other.text}")

    def substitute(self, **replacements: object) -> "Equations":
        """A copy with names replaced (as ``Equations(self, **replacements)``)."""
        return Equations(self, **replacements)

    # -- accessors, as Brian2 names them (sets of names) ----------------------------
    @property
    def names(self) -> set[str]:
        """Every name the equations define."""
        return set(self._equations)

    @property
    def eq_names(self) -> set[str]:
        """The names defined by differential equations and subexpressions."""
        return {n for n, eq in self._equations.items() if eq.kind != "parameter"}

    @property
    def diff_eq_names(self) -> set[str]:
        """Variables defined by differential equations."""
        return set(self.names_of("differential"))

    @property
    def subexpr_names(self) -> set[str]:
        """Subexpressions (``subexpression_order`` gives their order of evaluation)."""
        return set(self._order)

    @property
    def parameter_names(self) -> set[str]:
        """Parameters."""
        return set(self.names_of("parameter"))

    @property
    def subexpression_order(self) -> tuple[str, ...]:
        """Subexpressions in dependency order (each after those it uses)."""
        return self._order

    @property
    def identifiers(self) -> set[str]:
        """The names and functions the right-hand sides use that the
        equations do not define (external constants, units, ``t``, ``xi``...)."""
        used: set[str] = set()
        for eq in self._equations.values():
            used |= eq.identifiers
        return used - set(self._equations)

    @property
    def stochastic_variables(self) -> set[str]:
        """The noise symbols used (``xi``, ``xi_*``)."""
        return {name for name in self.identifiers if is_noise_name(name)}

    @property
    def is_stochastic(self) -> bool:
        """Whether any equation has a noise term."""
        return bool(self.stochastic_variables)

    @property
    def stochastic_type(self) -> str | None:
        """``None`` without noise; ``'multiplicative'`` when a noise term's
        coefficient depends on a variable of a differential equation
        (subexpressions substituted), else ``'additive'``."""
        if not self.is_stochastic:
            return None
        moving = set(self.names_of("differential"))
        for _, rhs in self.substituted():
            for term in _term_names(rhs):
                if any(is_noise_name(n) for n in term) and term & moving:
                    return "multiplicative"
        return "additive"

    @property
    def dimensions(self) -> dict:
        """The dimension of each variable."""
        return {name: eq.dim for name, eq in self._equations.items()}

    @property
    def ordered(self) -> list[SingleEquation]:
        """The equations in the order they are evaluated: subexpressions (each
        after those it uses), then differential equations, then parameters
        (each kind but the first sorted by name)."""
        subexpressions = [self._equations[name] for name in self._order]
        rest = sorted((eq for eq in self._equations.values() if eq.kind != "subexpression"),
                      key=lambda eq: (_UPDATE_ORDER[eq.kind], eq.name))
        return subexpressions + rest

    @property
    def eq_expressions(self) -> list[tuple[str, Expression]]:
        """``(name, expression)`` of each differential equation and
        subexpression, in written order."""
        return [(name, Expression(eq.expr)) for name, eq in self._equations.items()
                if eq.expr is not None]

    @property
    def diff_eq_expressions(self) -> list[tuple[str, Expression]]:
        """``(name, right-hand side)`` of each differential equation."""
        return [(name, Expression(eq.expr)) for name, eq in self._equations.items()
                if eq.kind == "differential"]

    def get_substituted_expressions(self, variables=None, include_subexpressions=False
                                    ) -> list[tuple[str, Expression]]:
        """``(name, expression)`` of each differential equation (and, with
        ``include_subexpressions``, each subexpression first, in dependency
        order), with the subexpressions they use replaced by their
        definitions. ``variables`` is accepted for Brian2's signature and
        not needed."""
        definitions: dict[str, Expr] = {}
        result = []
        for name in self._order:
            definitions[name] = substitute(self._equations[name].expr, definitions)
            if include_subexpressions:
                result.append((name, Expression(definitions[name])))
        result += [(name, Expression(rhs)) for name, rhs in self.substituted()]
        return result

    @property
    def dependencies(self) -> dict[str, list]:
        """For each differential equation and subexpression, the equations
        its right-hand side depends on: directly (``via == ()``), or through
        the subexpressions in ``via``. A name depended on directly is not
        listed again indirectly."""
        result: dict[str, list] = {}

        def direct(name: str) -> list[str]:
            seen: list[str] = []
            for node in _names(self._equations[name].expr):
                if node.id in self._equations and node.id not in seen:
                    seen.append(node.id)
            return seen

        def collect(name: str) -> list:
            if name in result:
                return result[name]
            found = [Dependency(self._equations[dep]) for dep in direct(name)]
            names = {d.equation.name for d in found}
            for dep in direct(name):
                if self._equations[dep].kind != "subexpression" or dep == name:
                    continue
                for inner in collect(dep):
                    if inner.equation.name not in names and inner.equation.name != name:
                        names.add(inner.equation.name)
                        found.append(Dependency(inner.equation, (dep,) + inner.via))
            result[name] = found
            return found

        for name in self._order:
            collect(name)
        for name, eq in self._equations.items():
            if eq.kind == "differential":
                collect(name)
        return {name: result[name] for name, eq in self._equations.items()
                if eq.kind != "parameter"}

    def names_of(self, kind: str) -> tuple[str, ...]:
        """The names of one kind of equation, in written order."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        return tuple(n for n, eq in self._equations.items() if eq.kind == kind)

    @property
    def state_names(self) -> tuple[str, ...]:
        """Variables stored per neuron: differential variables, parameters and
        subexpressions flagged ``constant over dt`` (see
        :attr:`constant_over_dt_names`), in written order."""
        return tuple(n for n, eq in self._equations.items() if _stored(eq))

    @property
    def constant_over_dt_names(self) -> tuple[str, ...]:
        """Subexpressions flagged ``constant over dt``, in dependency order.

        As in Brian2, such a subexpression is evaluated once per time step,
        before the state update, and stored: the integration (every stage of
        a Runge-Kutta method), the threshold and the reset of that step all
        read the stored value, and ``rand()`` in it draws one number per
        neuron and step."""
        return tuple(n for n in self._order if _stored(self._equations[n]))

    @property
    def substituted_names(self) -> tuple[str, ...]:
        """Subexpressions replaced by their definition wherever they are used
        (all but those ``constant over dt``), in dependency order."""
        return tuple(n for n in self._order if not _stored(self._equations[n]))

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
            if eq.kind == "subexpression" and "constant over dt" not in eq.flags:
                _refuse_random(eq)
            found = expression_dimension(eq.expr, own, source=eq.line, where=where,
                                         booleans=booleans, noise=eq.kind == "differential")
            expected = eq.dim / second if eq.kind == "differential" else eq.dim
            if found is not expected and not _is_zero(eq.expr) and eq.dtype != "boolean":
                raise _equation_mismatch(eq, found, expected, second)

    # -- construction --------------------------------------------------------
    def _check_name(self, parsed: EquationLine, line_text: str,
                    seen: dict[str, SingleEquation]) -> None:
        name = parsed.name
        at = located(parsed.span, line_text)
        if name in seen:
            first = seen[name]
            excerpt = excerpt_for(line_text, parsed.span, underline=False)
            raise ModelDefinitionError(
                f"'{name}' is defined twice, on line {first.span.line} "
                f"({first.line.strip()}) and on line {parsed.span.line}:\n{excerpt}")
        why = reserved_reason(name)
        if why:
            raise ModelDefinitionError(f"'{name}' cannot be the name of a variable: {why}{at}")

    def _build(self, parsed: EquationLine, line_text: str) -> SingleEquation:
        at = located(parsed.span, line_text)
        dim, dtype = declared_unit(parsed.unit, parsed.name, line_text)
        flags = checked_flags(parsed, at)
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
                    + " -> ".join(cycle) + located(eq.span, eq.line))
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

#: Blocks built lately, by text: (equations by name, subexpression order). A
#: block depends on its text only (units are looked up in the fixed registry),
#: so K groups made from one model string build it once.
_built: dict[str, tuple] = {}
_BUILT_LIMIT = 256


def _stored(eq: SingleEquation) -> bool:
    return eq.kind != "subexpression" or "constant over dt" in eq.flags


def _text_of(eqs) -> str:
    """The equation text of what ``Equations()`` was given."""
    if isinstance(eqs, str):
        return eqs
    if isinstance(eqs, Equations):
        return eqs.text
    if isinstance(eqs, (list, tuple)) and all(isinstance(e, SingleEquation) for e in eqs):
        return "\n".join(e.line.strip() for e in eqs)
    raise TypeError(f"equations must be given as a string, an Equations object or a list "
                    f"of SingleEquation, not {type(eqs).__name__}")


def _lines_of(text: str) -> list[EquationLine]:
    return list(parse_equations(text))


def _term_names(expr) -> list[set[str]]:
    """The names of each term of ``expr`` written as a sum of products
    (``(a*xi + v)/tau`` has the terms {a, xi, tau} and {v, tau}); a term
    inside a function or a power is not split further."""
    if isinstance(expr, BinOp) and expr.op in ("+", "-"):
        return _term_names(expr.left) + _term_names(expr.right)
    if isinstance(expr, UnaryOp) and expr.op in ("+", "-"):
        return _term_names(expr.operand)
    if isinstance(expr, BinOp) and expr.op == "*":
        return [a | b for a in _term_names(expr.left) for b in _term_names(expr.right)]
    if isinstance(expr, BinOp) and expr.op == "/":
        below = {n.id for n in _names(expr.right)}
        return [a | below for a in _term_names(expr.left)]
    return [{n.id for n in _names(expr)}]


def _names(expr) -> Iterator[Name]:
    return (node for node in walk(expr) if isinstance(node, Name))


def substitute(expr, definitions: Mapping):
    """``expr`` with each name in ``definitions`` replaced by its expression
    (without recursion: expressions of any depth)."""
    if not definitions:
        return expr  # (what rebuilding would give: every subtree reused)
    return rebuild(expr, lambda name: definitions.get(name.id, name))


def _refuse_random(eq: SingleEquation) -> None:
    """A subexpression is evaluated afresh wherever it is used, so a random
    number in it would differ from use to use: Brian2 asks for the flag
    ``constant over dt`` (evaluated once per step), and so does nerve."""
    for node in walk(eq.expr):
        if isinstance(node, Call) and node.func in ("rand", "randn", "poisson"):
            from nerve.equations.errors import caret_excerpt

            fix = (f": '{eq.line.strip()} (constant over dt)'" if not eq.flags else
                   " to its flags")
            line = eq.span.line if eq.span else None
            column = node.span.column if node.span else None
            message = (
                f"the subexpression '{eq.name}' calls {node.func}(), a random function "
                f"(line {line}, column {column}); a subexpression is evaluated again wherever "
                f"it is used, so every use would draw another number. Add the flag "
                f"'constant over dt' to draw it once per time step{fix}")
            if column is not None:
                message += "\n" + caret_excerpt(eq.line, column, node.span.end_column)
            raise EquationSyntaxError(message, lineno=line, offset=column, text=eq.line)


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
