"""The exceptions nerve raises.

Every exception has the common root :class:`NerveError` and also subclasses the
builtin exception a Brian2 user would catch for the same mistake, so scripts
written for Brian2 keep working (``except KeyError``, ``except SyntaxError``,
``except DimensionMismatchError``...). The compiled engine maps its own error
enum onto these classes in one place (``rust/nerve-py/src/errors.rs``).
"""

from __future__ import annotations

__all__ = [
    "NerveError",
    "DimensionMismatchError",
    "EquationSyntaxError",
    "UnknownNameError",
    "ModelDefinitionError",
    "IntegrationError",
    "UnsupportedEquationsException",
    "InvalidIndexError",
    "IndexTypeError",
    "InvalidValueError",
    "ReadOnlyVariableError",
    "SimulationError",
    "ProgramError",
    "MagicError",
    "InvalidArgumentError",
    "ArgumentTypeError",
    "SeedError",
]


class NerveError(Exception):
    """Root of every exception raised by nerve."""


class DimensionMismatchError(NerveError, ValueError):
    """Quantities or expressions whose physical dimensions do not agree.

    ``dims`` holds the dimensions involved (possibly empty), for programs that
    want to inspect them rather than read the message.
    """

    def __init__(self, message: str, *dims: object) -> None:
        super().__init__(message)
        self.message = message
        self.dims = dims

    def __str__(self) -> str:
        return self.message


class EquationSyntaxError(NerveError, SyntaxError):
    """A model string (equations, expression, statement) that does not parse.

    Carries ``lineno``, ``offset`` (1-based column) and ``text`` like any
    :class:`SyntaxError`; its message shows the offending line with a caret.
    """

    def __init__(self, message: str, *, lineno: int | None = None,
                 offset: int | None = None, text: str | None = None) -> None:
        super().__init__(message)
        self.msg = message
        self.lineno = lineno
        self.offset = offset
        self.text = text

    def __str__(self) -> str:
        return self.msg


class UnknownNameError(NerveError, KeyError):
    """An identifier in a model string that names nothing (Brian2 raises KeyError)."""

    def __init__(self, message: str, name: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.name = name

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return self.message


class ModelDefinitionError(NerveError, ValueError):
    """A model that parses but makes no sense: a variable defined twice, a
    reserved name used as a variable, an unknown or misplaced flag."""


class IntegrationError(NerveError, ValueError):
    """Equations that the chosen integration method cannot integrate
    (e.g. ``method='exact'`` on non-linear or stochastic equations)."""


class UnsupportedEquationsException(IntegrationError):
    """The integration method cannot integrate these equations (not linear
    for ``exact``, stochastic for a deterministic method...); the message
    says why and which method to use instead. Brian2 raises an exception of
    the same name in these cases."""


class InvalidIndexError(NerveError, IndexError):
    """An index out of range for a group or monitor."""


class IndexTypeError(NerveError, TypeError):
    """An index that cannot select neurons (a float, ``None``, a string where
    only a slice is accepted...); Brian2 raises TypeError."""


class InvalidValueError(NerveError, ValueError):
    """Values that cannot be assigned to a variable: not numbers, or a number
    of them that does not match the neurons they go to (Brian2 raises
    ValueError)."""


class ReadOnlyVariableError(NerveError, TypeError):
    """An assignment to a variable that cannot be set: ``N``, ``i``, a
    subexpression (Brian2 raises TypeError)."""


class SimulationError(NerveError, RuntimeError):
    """A failure while a simulation runs (reported by the engine)."""


class ProgramError(NerveError, ValueError):
    """A bytecode program the engine refused (an internal error: please report)."""


class MagicError(NerveError, RuntimeError):
    """``run()`` cannot tell which objects to simulate (e.g. a mix of objects
    that ran before and new ones): use an explicit :class:`Network`."""


class InvalidArgumentError(NerveError, ValueError):
    """An argument with the right type but an impossible value: a negative or
    infinite duration, a ``dt`` of zero, a time not on a clock's grid."""


class ArgumentTypeError(NerveError, TypeError):
    """An argument of the wrong type (where Brian2 raises :class:`TypeError`)."""


class SeedError(NerveError, ValueError):
    """A seed that numpy's global generator cannot take (outside 0 to 2**32 - 1)."""


class NotConnectedError(NerveError, TypeError):
    """A synaptic variable was used before ``connect()`` created synapses."""


class SynapseMemoryError(NerveError, MemoryError):
    """``connect()`` would need more memory than the machine has; nothing
    was allocated."""


class NotSupportedError(NerveError, NotImplementedError):
    """A Brian2 feature nerve does not support yet (the message says which)."""
