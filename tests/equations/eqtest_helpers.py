"""Shared helpers for the model-language tests: a resolver over a fixed
namespace (the external constants of the tutorial) and group variables."""

from __future__ import annotations

from nerve.equations import unknown_name_error
from nerve.units.registry import lookup

#: External names of the tutorial, by unit name.
NAMESPACE = {
    "tau": "second", "tau_t": "second", "duration": "second",
    "vr": "volt", "vt0": "volt", "delta_vt0": "volt", "v_drive": "volt",
    "sigma": "volt", "v0_max": "1", "vmax": "volt", "g": "siemens", "E": "volt",
    "area": "metre**2", "C": "farad",
}
#: Variables of the group that expression and statement tests check against.
GROUP = {"v": "volt", "vt": "volt", "x": "1", "w": "1", "flag": "1", "I": "amp",
         "lastspike": "second", "not_refractory": "1"}


def dimension_of(unit_text: str):
    from nerve.units.dimension import DIMENSIONLESS

    if unit_text == "1":
        return DIMENSIONLESS
    base, _, power = unit_text.partition("**")
    dim = lookup(base).dim
    return dim ** float(power) if power else dim


def make_resolver(variables: dict | None = None, source: str | None = None,
                  where: str = "the model"):
    """``resolve(name, span)``: group variables, then NAMESPACE, then units."""
    table = {**NAMESPACE, **(variables or {})}

    def resolve(name, span):
        if name in table:
            return dimension_of(table[name])
        unit = lookup(name)
        if unit is not None:
            return unit.dim
        raise unknown_name_error(name, span, source, where)

    return resolve


def run_case(path):
    """Run one corpus case; returns what it produced (for the .err files).

    ``.eqs``: an equation block, built and unit-checked;
    ``.cond``: a threshold condition (must be boolean);
    ``.stmts``: statements (reset code) checked against GROUP.
    """
    from nerve.equations import (
        Equations, check_expression, check_statements, parse_expression, parse_statements,
    )

    text = path.read_text()
    # An optional first line "# namespace: name=unit, ..." overrides NAMESPACE.
    extra = {}
    if text.startswith("# namespace:"):
        header = text.split("\n", 1)[0][len("# namespace:"):]
        extra = dict(item.strip().split("=") for item in header.split(","))
    if path.suffix == ".eqs":
        Equations(text).check_units(make_resolver(extra, text, "the equations"))
    elif path.suffix == ".cond":
        expr = parse_expression(text, where="the threshold condition")
        check_expression(expr, make_resolver(GROUP, text, "the threshold condition"),
                         "boolean", source=text, where="the threshold condition")
    elif path.suffix == ".stmts":
        stmts = parse_statements(text, where="the reset statements")
        check_statements(stmts, make_resolver(GROUP, text, "the reset statements"),
                         source=text, where="the reset statements")
    else:  # pragma: no cover
        raise ValueError(path)
