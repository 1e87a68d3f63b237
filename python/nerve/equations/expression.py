"""A right-hand side as Brian2's ``Expression`` shows it: its text (``code``)
and the names it uses, over the typed node it came from.

:class:`~nerve.equations.equations.Equations` returns these from
``eq_expressions``, ``diff_eq_expressions`` and
``get_substituted_expressions``, so a Brian2 script can read ``expr.code``;
the pipeline itself works on the nodes (``.node``).
"""

from __future__ import annotations

from nerve.equations.dimensions import is_noise_name
from nerve.equations.nodes import Call, Name, walk
from nerve.equations.printer import to_source

__all__ = ["Expression", "identifiers_of"]


def identifiers_of(node) -> set[str]:
    """Every identifier ``node`` mentions: names and called functions (as
    Brian2 counts them: ``sqrt`` in ``sqrt(tau)`` is an identifier)."""
    found: set[str] = set()
    for item in walk(node):
        if isinstance(item, Name):
            found.add(item.id)
        elif isinstance(item, Call):
            found.add(item.func)
    return found


class Expression:
    """An expression of the model language: ``code`` is its text,
    ``node`` its tree."""

    __slots__ = ("node", "code")

    def __init__(self, node) -> None:
        self.node = node
        self.code = to_source(node)

    @property
    def identifiers(self) -> set[str]:
        """The names and functions the expression uses."""
        return identifiers_of(self.node)

    @property
    def stochastic_variables(self) -> set[str]:
        """The noise symbols (``xi``, ``xi_*``) it uses."""
        return {name for name in self.identifiers if is_noise_name(name)}

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"Expression({self.code!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Expression):
            return self.code == other.code
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.code)
