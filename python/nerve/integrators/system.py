"""The system of differential equations an integration method works on.

:func:`analyse` takes the :class:`DiffEquation` list, strips source spans,
and splits every right-hand side into its drift ``f`` and one diffusion
coefficient ``g_k`` per noise symbol ``xi``/``xi_<suffix>``:
``dx/dt = f + sum_k g_k * xi_k``. Noise symbols have the dimension
``second**-0.5``; over a step of length ``dt`` each contributes
``g_k * sqrt(dt) * randn()``, with one draw per symbol per step shared by all
equations that use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nerve.equations.nodes import Assign, Expr, Name
from nerve.exceptions import IntegrationError, UnsupportedEquationsException

from .algebra import (
    DT, T, add, call, linear_form, mul, names_in, strip_spans, substitute,
)

_NOISE = re.compile(r"xi(_[A-Za-z0-9_]+)?\Z")


def is_noise(name: str) -> bool:
    """True for the noise symbols ``xi`` and ``xi_<suffix>``."""
    return _NOISE.match(name) is not None


@dataclass(frozen=True)
class DiffEquation:
    """``d<name>/dt = expr``: a differential equation's right-hand side,
    with subexpressions already substituted."""

    name: str
    expr: Expr


@dataclass(frozen=True)
class System:
    """Equations split into drift and diffusion.

    ``names`` keeps the order the equations were given in; ``noise`` lists
    the noise symbols in sorted order (the order of the random draws);
    ``diffusion[x]`` maps a noise symbol to its coefficient in ``dx/dt``.
    """

    names: tuple[str, ...]
    drift: dict[str, Expr | None]
    diffusion: dict[str, dict[str, Expr]]
    noise: tuple[str, ...]
    sources: dict[str, Expr] = field(default_factory=dict)

    @property
    def is_stochastic(self) -> bool:
        return bool(self.noise)

    def multiplicative_terms(self) -> list[tuple[str, str]]:
        """``(variable, noise)`` pairs whose coefficient depends on a state
        variable (multiplicative noise); empty for additive noise."""
        state = set(self.names)
        return [(x, xi) for x in self.names
                for xi, g in self.diffusion[x].items() if names_in(g) & state]

    def drift_at(self, x: str, values: dict[str, Expr], time: Expr = T) -> Expr | None:
        """``f_x`` evaluated with the state variables replaced by ``values``
        and ``t`` by ``time``."""
        f = self.drift[x]
        return None if f is None else substitute(f, _with_time(values, time))

    def diffusion_at(self, x: str, xi: str, values: dict[str, Expr],
                     time: Expr = T) -> Expr | None:
        """``g_x,xi`` evaluated like :meth:`drift_at`."""
        g = self.diffusion[x].get(xi)
        return None if g is None else substitute(g, _with_time(values, time))


def _with_time(values: dict[str, Expr], time: Expr) -> dict[str, Expr]:
    if time == T:
        return values
    return {**values, "t": time}


def analyse(equations) -> System:
    """Split each equation into drift and diffusion (see the module doc).

    Raises :class:`IntegrationError` when a right-hand side is not linear in
    its noise symbols, e.g. ``xi**2`` or ``exp(xi)``.
    """
    names: list[str] = []
    drift: dict[str, Expr | None] = {}
    diffusion: dict[str, dict[str, Expr]] = {}
    sources: dict[str, Expr] = {}
    all_noise: set[str] = set()
    for eq in equations:
        if eq.name in drift:
            raise IntegrationError(f"Two differential equations for {eq.name!r}.")
        expr = strip_spans(eq.expr)
        noise = {n for n in names_in(expr) if is_noise(n)}
        split = linear_form(expr, noise)
        if split is None:
            listed = ", ".join(sorted(noise))
            raise UnsupportedEquationsException(
                f"The right-hand side of d{eq.name}/dt is not linear in the noise "
                f"term(s) {listed}: write it as f + g*xi, with f and g free of xi.")
        names.append(eq.name)
        sources[eq.name] = expr
        drift[eq.name] = split.constant
        diffusion[eq.name] = dict(split.coefficients)
        all_noise |= set(split.coefficients)
    return System(tuple(names), drift, diffusion, tuple(sorted(all_noise)), sources)


# -- pieces every explicit method uses -----------------------------------------

def noise_draws(system: System) -> list[Assign]:
    """``_xi = randn()`` for each noise symbol, in sorted order."""
    return [Assign(draw_name(xi), "=", call("randn")) for xi in system.noise]


def draw_name(xi: str) -> str:
    """The temporary holding the standard normal draw of a noise symbol."""
    return "_" + xi


def wiener(xi: str) -> Expr:
    """The Wiener increment ``sqrt(dt)*_xi`` of one step."""
    return mul(call("sqrt", DT), Name(draw_name(xi)))


def noise_increment(system: System, x: str, values: dict[str, Expr],
                    time: Expr = T) -> Expr | None:
    """``sum_k g_k(values, time) * dW_k`` for variable ``x``."""
    result: Expr | None = None
    for xi in system.noise:
        g = system.diffusion_at(x, xi, values, time)
        if g is not None:
            result = add(result, mul(g, wiener(xi)))
    return result


def state(system: System) -> dict[str, Expr]:
    """The identity mapping of the state variables (their old values)."""
    return {x: Name(x) for x in system.names}


def hold_frozen(system: System, frozen: frozenset[str]) -> System:
    """Multiply the drift and diffusion of each frozen variable that another
    equation reads by ``int(not_refractory)``, so that during refractoriness
    the other variables see it held constant at every stage of a multi-stage
    method (the final ``where`` keeps it exactly constant in any case)."""
    read_by_others = set()
    for x in system.names:
        read = names_in(system.sources[x])
        read_by_others |= {y for y in read if y != x}
    held = [x for x in system.names if x in frozen and x in read_by_others]
    if not held:
        return system
    gate = call("int", Name("not_refractory"))
    drift = dict(system.drift)
    diffusion = dict(system.diffusion)
    for x in held:
        if drift[x] is not None:
            drift[x] = mul(gate, drift[x])
        diffusion[x] = {xi: mul(gate, g) for xi, g in diffusion[x].items()}
    return System(system.names, drift, diffusion, system.noise, system.sources)
