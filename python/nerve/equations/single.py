"""One equation of a block (:class:`SingleEquation`), and the checks made
while building it: its name, its declared unit and type, its flags.

:class:`~nerve.equations.equations.Equations` builds these from the parsed
lines; the properties with Brian2's names (``type``, ``varname``,
``var_type``, ``unit``, ``identifiers``) and ``str``/``repr`` are Brian2's.
"""

from __future__ import annotations

from dataclasses import dataclass

from nerve.equations.dimensions import is_noise_name
from nerve.equations.errors import excerpt_for
from nerve.equations.expression import identifiers_of
from nerve.equations.functions import FUNCTIONS
from nerve.equations.nodes import BinOp, EquationLine, Expr, Name, Number, Span
from nerve.equations.printer import to_source
from nerve.exceptions import ModelDefinitionError, UnknownNameError

__all__ = ["SingleEquation", "KINDS", "FLAGS", "RESERVED_NAMES", "reserved_reason",
           "declared_unit", "checked_flags", "located"]

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
#: Brian2's name of each kind (``SingleEquation.type``).
_BRIAN2_TYPES = {"differential": "differential equation", "subexpression": "subexpression",
                 "parameter": "parameter"}


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

    # -- Brian2's names ----------------------------------------------------------
    @property
    def type(self) -> str:
        """``'differential equation'``, ``'subexpression'`` or ``'parameter'``."""
        return _BRIAN2_TYPES[self.kind]

    @property
    def varname(self) -> str:
        """The name of the variable."""
        return self.name

    @property
    def var_type(self) -> str:
        """``'float'``, ``'integer'`` or ``'boolean'``."""
        return self.dtype

    @property
    def unit(self):
        """The unit of the variable (Brian2's display unit for its dimension)."""
        from nerve.units import get_unit

        return get_unit(self.dim)

    @property
    def identifiers(self) -> set[str]:
        """The names and functions the right-hand side uses (empty for a parameter)."""
        return set() if self.expr is None else identifiers_of(self.expr)

    @property
    def stochastic_variables(self) -> set[str]:
        """The noise symbols the right-hand side uses."""
        return {name for name in self.identifiers if is_noise_name(name)}

    def _unit_text(self) -> str:
        if self.dim.is_dimensionless:
            return "1"
        return str(self.unit)

    def _flag_list(self) -> list[str]:
        return sorted(self.flags, key=lambda flag: self.line.find(flag))

    def __str__(self) -> str:
        head = f"d{self.name}/dt" if self.kind == "differential" else self.name
        if self.expr is not None:
            head += f" = {to_source(self.expr)}"
        text = f"{head} : {self._unit_text()}"
        flags = self._flag_list()
        return text + (f" ({', '.join(flags)})" if flags else "")

    def __repr__(self) -> str:
        text = f"<{self.type} {self.name}"
        if self.expr is not None:
            text += f": {to_source(self.expr)}"
        text += f" (Unit: {self._unit_text()}"
        flags = self._flag_list()
        if flags:
            text += f", flags: {', '.join(flags)}"
        return text + ")>"


def located(span: Span | None, line_text: str) -> str:
    """`` (line L):`` and the line, for a message about the text at ``span``."""
    if span is None:
        return ""
    excerpt = excerpt_for(line_text, span, underline=False)
    return f" (line {span.line}):\n{excerpt}" if excerpt else f" (line {span.line})"


def reserved_reason(name: str) -> str:
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


def declared_unit(unit: Expr, owner: str, line_text: str):
    """The dimension and dtype of a unit specification."""
    from nerve.units.dimension import DIMENSIONLESS
    from nerve.units.registry import lookup

    def bad(node, why: str) -> ModelDefinitionError:
        return ModelDefinitionError(
            f"invalid unit for '{owner}': {why}{located(node.span, line_text)}")

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


def checked_flags(parsed: EquationLine, at: str) -> tuple[str, ...]:
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
