"""Explicit one-step methods: euler, rk2, rk4, heun, milstein.

Each method returns ``(temporaries, new_values)``: statements computing
temporaries from the old state, and for every state variable an expression
of its new value (read by :func:`nerve.integrators.integrate`, which turns
them into the final assignments). ``f`` is the drift, ``g_k`` the diffusion
coefficient of noise symbol ``k``, ``dW_k = sqrt(dt)*randn()``.

Multiplicative noise is read in the Stratonovich sense, as Brian2 does: heun
and milstein converge to the Stratonovich solution, and euler (which would
converge to the Ito one) refuses multiplicative noise.
"""

from __future__ import annotations

from nerve.equations.nodes import Assign, Expr, Name
from nerve.exceptions import UnsupportedEquationsException

from .algebra import DT, T, add, call, div, mul, names_in, number, sub, total
from .system import System, noise_draws, noise_increment, state, wiener

Step = tuple[list[Assign], dict[str, Expr]]

HALF_DT = div(DT, number(2))


def _require_deterministic(system: System, method: str) -> None:
    if system.is_stochastic:
        noise = ", ".join(system.noise)
        raise UnsupportedEquationsException(
            f"Method '{method}' cannot integrate stochastic equations (they contain "
            f"{noise}); use 'euler' (additive noise), 'heun' or 'milstein'.")


def _require_additive(system: System, method: str) -> None:
    terms = system.multiplicative_terms()
    if terms:
        x, xi = terms[0]
        raise UnsupportedEquationsException(
            f"Method '{method}' cannot integrate multiplicative noise: the "
            f"coefficient of {xi} in d{x}/dt depends on a state variable. Use "
            f"'heun' or 'milstein' (Stratonovich interpretation).")


def _drift_step(system: System, x: str, values: dict[str, Expr],
                time: Expr = T) -> Expr | None:
    f = system.drift_at(x, values, time)
    return None if f is None else mul(DT, f)


def _shifted(system: System, temps: dict[str, str], halve: bool) -> dict[str, Expr]:
    """The state ``x + _k_x/2`` (or ``x + _k_x``) for each variable."""
    values: dict[str, Expr] = {}
    for x in system.names:
        k = Name(temps[x]) if x in temps else None
        if k is not None and halve:
            k = div(k, number(2))
        values[x] = add(Name(x), k)
    return values


def euler(system: System, *, ito: bool = False) -> Step:
    """Forward Euler; Euler-Maruyama with noise:
    ``x + dt*f(x, t) + sum_k g_k(x, t)*dW_k``.

    ``ito=True`` (internal, for tests of the Euler-Maruyama scheme itself)
    accepts multiplicative noise and then converges to the Ito solution.
    """
    if not ito:
        _require_additive(system, "euler")
    old = state(system)
    new = {x: add(add(Name(x), _drift_step(system, x, old)),
                  noise_increment(system, x, old))
           for x in system.names}
    return noise_draws(system), new


def rk2(system: System) -> Step:
    """Second-order Runge-Kutta (midpoint): ``k = dt*f(x, t)``,
    ``x + dt*f(x + k/2, t + dt/2)``."""
    _require_deterministic(system, "rk2")
    old = state(system)
    temps = {x: f"_k_{x}" for x in system.names if system.drift[x] is not None}
    statements = [Assign(temps[x], "=", _drift_step(system, x, old)) for x in temps]
    middle = _shifted(system, temps, True)
    new = {x: add(Name(x), _drift_step(system, x, middle, add(T, HALF_DT)))
           for x in system.names}
    return statements, new


def rk4(system: System) -> Step:
    """The classical fourth-order Runge-Kutta method, with the stages at
    ``t``, ``t + dt/2``, ``t + dt/2`` and ``t + dt``."""
    _require_deterministic(system, "rk4")
    moving = [x for x in system.names if system.drift[x] is not None]
    statements: list[Assign] = []
    stages = [(False, T), (True, add(T, HALF_DT)), (True, add(T, HALF_DT)),
              (False, add(T, DT))]
    previous: dict[str, str] = {}
    for index, (halve, time) in enumerate(stages, start=1):
        values = _shifted(system, previous, halve) if index > 1 else state(system)
        current = {x: f"_k{index}_{x}" for x in moving}
        statements += [Assign(current[x], "=", _drift_step(system, x, values, time))
                       for x in moving]
        previous = current
    new: dict[str, Expr] = {}
    for x in system.names:
        if x not in moving:
            new[x] = Name(x)
            continue
        k1, k2, k3, k4 = (Name(f"_k{i}_{x}") for i in range(1, 5))
        weighted = total([k1, mul(number(2), k2), mul(number(2), k3), k4])
        new[x] = add(Name(x), div(weighted, number(6)))
    return statements, new


def heun(system: System) -> Step:
    """Brian2's stochastic Heun method (Stratonovich): an Euler step of the
    drift plus, per noise symbol ``k``, the average of the diffusion at the
    start of the step and at a support point::

        y_k = x + g_k(x, t)*dW_k                  (every variable at once)
        x + dt*f(x, t) + sum_k dW_k*(g_k(x, t) + g_k(y_k, t + dt))/2

    Without noise this is forward Euler (first order), as in Brian2. For
    additive noise whose coefficient does not depend on ``t`` the two
    coefficients are the same and the step is Euler-Maruyama. With
    multiplicative noise ``g_k(y_k)`` is ``g_k + g_k*g_k'*dW_k + ...``, which
    adds the Stratonovich correction ``g_k*g_k'*dW_k**2/2``: strong order 1
    for a single (or diagonal) noise."""
    old = state(system)
    statements = noise_draws(system)
    later = add(T, DT)
    steps = {x: _drift_step(system, x, old) for x in system.names}
    for xi in system.noise:
        read = set()
        for x in system.names:
            read |= names_in(system.diffusion[x].get(xi, T))
        support: dict[str, Expr] = {}
        for y in system.names:
            g = system.diffusion_at(y, xi, old)
            if y not in read or g is None:
                support[y] = Name(y)
                continue
            name = f"_support_{xi}_{y}"
            statements.append(Assign(name, "=", add(Name(y), mul(g, wiener(xi)))))
            support[y] = Name(name)
        for x in system.names:
            g0 = system.diffusion_at(x, xi, old)
            if g0 is None:
                continue
            g1 = system.diffusion_at(x, xi, support, later)
            if g1 == g0:
                term = mul(g0, wiener(xi))
            else:
                term = div(mul(wiener(xi), add(g0, g1)), number(2))
            steps[x] = add(steps[x], term)
    new = {x: add(Name(x), steps[x]) for x in system.names}
    return statements, new


def milstein(system: System) -> Step:
    """Derivative-free Milstein (Stratonovich), per noise symbol ``k``:
    ``x + dt*f + sum_k [g_k*dW_k + (g_k(y+) - g_k(y-))*sqrt(dt)*r_k**2/4]``
    with ``dW_k = sqrt(dt)*r_k`` and the support points
    ``y± = x ± sqrt(dt)*g_k(x)``: the centred difference approximates
    ``g_k*dg_k/dx`` to O(dt), as strong order 1 needs (the mean of
    ``dW**2`` is ``dt``, so a one-sided O(sqrt(dt)) difference would bias
    every step and cost half an order). Strong order 1 for scalar and
    diagonal noise (each noise symbol drives one variable whose coefficient
    depends only on that variable); cross terms between noise symbols are
    not modelled, so non-diagonal multiplicative noise gets order 0.5."""
    old = state(system)
    statements = noise_draws(system)
    multiplicative = sorted({xi for _, xi in system.multiplicative_terms()})
    supports: dict[str, tuple[dict[str, Expr], dict[str, Expr]]] = {}
    for xi in multiplicative:
        read = set()
        for x in system.names:
            read |= names_in(system.diffusion[x].get(xi, T))
        up: dict[str, Expr] = {}
        down: dict[str, Expr] = {}
        for x in system.names:
            g = system.diffusion_at(x, xi, old)
            if x not in read or g is None:
                up[x] = down[x] = Name(x)
                continue
            shift = mul(call("sqrt", DT), g)
            statements.append(Assign(f"_up_{xi}_{x}", "=", add(Name(x), shift)))
            statements.append(Assign(f"_down_{xi}_{x}", "=", sub(Name(x), shift)))
            up[x], down[x] = Name(f"_up_{xi}_{x}"), Name(f"_down_{xi}_{x}")
        supports[xi] = (up, down)
    new: dict[str, Expr] = {}
    for x in system.names:
        step = add(add(Name(x), _drift_step(system, x, old)),
                   noise_increment(system, x, old))
        for xi in multiplicative:
            if system.diffusion_at(x, xi, old) is None:
                continue
            up, down = supports[xi]
            g_up = system.diffusion_at(x, xi, up)
            g_down = system.diffusion_at(x, xi, down)
            if g_up == g_down:
                continue
            r = Name("_" + xi)
            factor = div(mul(call("sqrt", DT), mul(r, r)), number(4))
            step = add(step, mul(sub(g_up, g_down), factor))
        new[x] = step
    return statements, new
