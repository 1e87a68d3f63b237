"""Choosing an integration method and assembling its update statements."""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

from nerve.equations.nodes import Assign, Expr, Name
from nerve.exceptions import IntegrationError, UnsupportedEquationsException

from . import explicit, linear
from .algebra import call, names_in
from .system import DiffEquation, System, analyse, hold_frozen

logger = logging.getLogger("nerve.integrators")

Method = Callable[[System], tuple[list[Assign], dict[str, Expr]]]

METHODS: dict[str, Method] = {
    "exact": linear.exact,
    "euler": explicit.euler,
    "rk2": explicit.rk2,
    "rk4": explicit.rk4,
    "heun": explicit.heun,
    "milstein": explicit.milstein,
    "exponential_euler": linear.exponential_euler,
}
ALIASES = {"linear": "exact"}

#: Tried in order when no method is given, as Brian2's ``NeuronGroup`` does:
#: exact for linear deterministic equations, else euler (which takes
#: additive noise), else heun (multiplicative noise).
DEFAULT_METHODS = ("exact", "euler", "heun")


def integrate(equations: Iterable[DiffEquation], method=None, *,
              frozen: frozenset[str] = frozenset(),
              owner: str | None = None) -> tuple[str, tuple[Assign, ...]]:
    """Turn differential equations into one step's update statements.

    ``method`` is a method name (``'exact'``/``'linear'``, ``'euler'``,
    ``'rk2'``, ``'rk4'``, ``'heun'``, ``'milstein'``,
    ``'exponential_euler'``), a sequence of names to try in order, or
    ``None`` for :data:`DEFAULT_METHODS`; when more than one is tried the
    choice is logged at INFO level on the ``nerve.integrators`` logger
    (``owner`` names the group in that message). Variables in ``frozen``
    (``unless refractory``) end with ``x = where(not_refractory, new, x)``.

    Returns the name of the method used and the statements, which read the
    old state, use temporaries named ``_...``, and end by assigning every
    state variable. Raises :class:`UnsupportedEquationsException` (an
    :class:`IntegrationError`) when the method cannot integrate the
    equations (the message says why and what to use instead), and
    :class:`IntegrationError` for an unknown method name.
    """
    equations = list(equations)
    system = analyse(equations)
    unknown = set(frozen) - set(system.names)
    if unknown:
        raise IntegrationError(
            f"Cannot freeze {sorted(unknown)[0]!r} during refractoriness: it has "
            "no differential equation.")
    if isinstance(method, str):
        name = _canonical(method)
        return name, _apply(name, system, frozenset(frozen))
    candidates = DEFAULT_METHODS if method is None else tuple(method)
    if not candidates:
        raise IntegrationError("No integration method given (empty sequence).")
    reasons = []
    start = time.perf_counter()
    for candidate in candidates:
        name = _canonical(candidate)
        try:
            statements = _apply(name, system, frozenset(frozen))
        except IntegrationError as error:
            reasons.append(f"'{name}': {error}")
            continue
        _log_choice(name, method is None, owner, time.perf_counter() - start)
        return name, statements
    raise UnsupportedEquationsException(
        "None of the integration methods " + ", ".join(f"'{c}'" for c in candidates)
        + " can integrate these equations. " + " ".join(reasons))


def _canonical(method: str) -> str:
    if not isinstance(method, str):
        raise IntegrationError(f"An integration method is named by a string, "
                               f"not {method!r}.")
    name = ALIASES.get(method, method)
    if name not in METHODS:
        known = ", ".join(f"'{m}'" for m in [*METHODS, *ALIASES])
        raise IntegrationError(f"Unknown integration method '{method}'; "
                               f"known methods: {known}.")
    return name


def _apply(name: str, system: System, frozen: frozenset[str]) -> tuple[Assign, ...]:
    if name not in ("exact", "exponential_euler"):
        system = hold_frozen(system, frozen)
    statements, new = METHODS[name](system)
    return _assemble(system, statements, new, frozen)


def _assemble(system: System, statements: list[Assign], new: dict[str, Expr],
              frozen: frozenset[str]) -> tuple[Assign, ...]:
    """Append the final assignments. A new value that reads another state
    variable goes through a temporary ``_x`` first, so that every final
    assignment reads only its own old value and temporaries."""
    statements = list(statements)
    finals: list[Assign] = []
    state = set(system.names)
    for x in system.names:
        value = new[x]
        if names_in(value) & (state - {x}):
            statements.append(Assign(f"_{x}", "=", value))
            value = Name(f"_{x}")
        if x in frozen:
            value = call("where", Name("not_refractory"), value, Name(x))
        finals.append(Assign(x, "=", value))
    return tuple(statements + finals)


def _log_choice(name: str, defaulted: bool, owner: str | None, took: float) -> None:
    group = f" for group '{owner}'" if owner else ""
    if defaulted:
        logger.info("No numerical integration method specified%s, using method "
                    "'%s' (took %.2fs).", group, name, took)
    else:
        logger.info("Using integration method '%s'%s (the first applicable of the "
                    "methods given; took %.2fs).", name, group, took)
