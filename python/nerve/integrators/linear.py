"""Methods built on the solution of ``dx/dt = A*x + B`` over one step:
``exact`` (alias ``linear``) and ``exponential_euler``.

With ``A`` and ``B`` constant over the step,
``x(t + dt) = -B/A + (x + B/A)*exp(A*dt)``, written as
``x* + (x - x*)*exp(A*dt)`` with the fixed point ``x* = -B/A``; a divisor
common to ``A`` and ``B`` cancels, so ``dv/dt = (1 - v)/tau`` becomes
``v = 1 + (v - 1)*exp(-dt/tau)``.

``A == 0``: when ``A`` is absent the update is the pure drift
``x + dt*B``. When ``A`` may vanish at run time (its numerator is not a
non-zero literal) the update is guarded,
``where(_A_x == 0, x + dt*_B_x, <exponential form>)``, which is the limit of
the exponential form as ``A -> 0``. Brian2 does not guard and produces NaN
there; this is a deliberate difference.
"""

from __future__ import annotations

from nerve.equations.nodes import Assign, Compare, Expr, Name, Number
from nerve.exceptions import UnsupportedEquationsException

from .algebra import (
    DT, ZERO, add, call, calls_in, linear_form, mul, names_in, negated_ratio,
    numerator, sub,
)
from .propagator import solve_coupled
from .system import System

Step = tuple[list[Assign], dict[str, Expr]]


def linear_step(x: str, a: Expr | None, b: Expr | None) -> Step:
    """The exact step of ``dx/dt = a*x + b`` (``None`` is an exact zero)."""
    old = Name(x)
    if a is None:
        return [], add(old, None if b is None else mul(DT, b))
    if b is None:
        return [], mul(old, call("exp", mul(a, DT)))
    top = numerator(a)
    if isinstance(top, Number) and top.value != 0:
        fixed = negated_ratio(b, a)
        return [], add(fixed, mul(sub(old, fixed), call("exp", mul(a, DT))))
    a_name, b_name = Name(f"_A_{x}"), Name(f"_B_{x}")
    fixed = negated_ratio(b_name, a_name)
    exponential = add(fixed, mul(sub(old, fixed), call("exp", mul(a_name, DT))))
    guarded = call("where", Compare("==", a_name, ZERO),
                   add(old, mul(DT, b_name)), exponential)
    return [Assign(a_name.id, "=", a), Assign(b_name.id, "=", b)], guarded


def exponential_euler(system: System) -> Step:
    """Exponential Euler for conditionally linear equations: each
    ``dx/dt`` is ``A*x + B`` with ``A``, ``B`` free of ``x`` (they may
    depend on the other variables and on ``t``, taken at the start of the
    step), as for Hodgkin-Huxley gating variables."""
    if system.is_stochastic:
        raise UnsupportedEquationsException(
            "Method 'exponential_euler' cannot integrate stochastic equations "
            f"(they contain {', '.join(system.noise)}); use 'euler' (additive "
            "noise), 'heun' or 'milstein'.")
    statements: list[Assign] = []
    new: dict[str, Expr] = {}
    for x in system.names:
        f = system.drift[x]
        form = None if f is None else linear_form(f, {x})
        if f is not None and form is None:
            raise UnsupportedEquationsException(
                f"Method 'exponential_euler' needs d{x}/dt to be linear in {x} "
                "(A*x + B with A and B free of it); it is not. Use 'rk4', "
                "'rk2' or 'euler'.")
        a = None if form is None else form.coefficients.get(x)
        b = None if form is None else form.constant
        temps, expr = linear_step(x, a, b)
        statements += temps
        new[x] = expr
    return statements, new


def exact(system: System) -> Step:
    """Exact integration of equations linear in the state variables with
    coefficients constant over the step. A variable whose equation reads no
    other state variable and is read by no other equation gets the 1-D
    closed form; coupled variables are solved together in closed form
    (:mod:`nerve.integrators.propagator`)."""
    if system.is_stochastic:
        raise UnsupportedEquationsException(
            "Method 'exact' cannot integrate stochastic equations (they contain "
            f"{', '.join(system.noise)}); use 'euler' for additive noise or "
            "'heun'/'milstein' for multiplicative noise.")
    state = set(system.names)
    forms = {}
    for x in system.names:
        f = system.drift[x]
        if f is None:
            forms[x] = None
            continue
        if "t" in names_in(f):
            raise UnsupportedEquationsException(
                f"Method 'exact' needs coefficients constant over a time step, but "
                f"d{x}/dt depends on the time t; use 'euler', 'rk2' or 'rk4'.")
        random = calls_in(f) & {"rand", "randn", "poisson"}
        if random:
            raise UnsupportedEquationsException(
                f"Method 'exact' cannot integrate d{x}/dt: it calls "
                f"{sorted(random)[0]}(), which is not constant over a time step; "
                "use 'euler' or 'rk4'.")
        form = linear_form(f, state)
        if form is None:
            raise UnsupportedEquationsException(
                f"Method 'exact' needs equations linear in the state variables, "
                f"but d{x}/dt is not linear in {', '.join(sorted(names_in(f) & state))}; "
                "use 'euler', 'rk2', 'rk4' or 'exponential_euler'.")
        forms[x] = form
    coupled = _coupled(system.names, forms)
    statements: list[Assign] = []
    new: dict[str, Expr] = {}
    for x in system.names:
        if x in coupled:
            continue
        form = forms[x]
        a = None if form is None else form.coefficients.get(x)
        temps, new[x] = linear_step(x, a, None if form is None else form.constant)
        statements += temps
    if coupled:
        names = [x for x in system.names if x in coupled]
        temps, values = solve_coupled(names, {x: forms[x] for x in names})
        statements += temps
        new.update(values)
    return statements, {x: new[x] for x in system.names}


def _coupled(names, forms) -> set[str]:
    """Variables that must be solved together: those whose equation reads
    another state variable, and (transitively) the variables they read."""
    reads = {x: set() if forms[x] is None else set(forms[x].coefficients) - {x}
             for x in names}
    coupled = {x for x in names if reads[x]}
    frontier = list(coupled)
    while frontier:
        for y in reads[frontier.pop()]:
            if y not in coupled:
                coupled.add(y)
                frontier.append(y)
    return coupled
