"""The model language: parsing, printing and checking model strings.

``parse_equations``, ``parse_expression`` and ``parse_statements`` turn text
into the nodes of :mod:`nerve.equations.nodes`; :func:`to_source` prints them
back; :class:`Equations` is a checked equation block; ``check_expression``,
``check_statements`` and :meth:`Equations.check_units` check dimensions once
names can be resolved.
"""

from nerve.equations.dimensions import (
    builtin_dimension, check_expression, check_statements, expression_dimension,
    statement_temporaries,
)
from nerve.equations.equations import Equations, SingleEquation, substitute
from nerve.equations.errors import unknown_name_error
from nerve.equations.functions import FUNCTIONS, Function
from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, EquationLine, Expr, Name, Number, Span, UnaryOp,
)
from nerve.equations.parser import parse_equations, parse_expression, parse_statements
from nerve.equations.printer import to_source

#: Another name for :func:`expression_dimension`.
infer_dimension = expression_dimension

__all__ = [
    "parse_equations", "parse_expression", "parse_statements", "to_source",
    "Equations", "SingleEquation", "substitute",
    "check_expression", "check_statements", "statement_temporaries", "expression_dimension",
    "infer_dimension",
    "builtin_dimension", "unknown_name_error", "FUNCTIONS", "Function",
    "Assign", "BinOp", "BoolOp", "Call", "Compare", "EquationLine", "Expr", "Name",
    "Number", "Span", "UnaryOp",
]
