"""The table of parameter sets of a sweep: reading it, checking it against
the build function, and :func:`grid` for a full factorial design.

A table is one of
- a dict of equal-length sequences (``{'tau': [1, 2, 5]*ms, 'w': [0.1, 0.2, 0.3]}``),
- a list of dicts with the same keys (``[{'tau': 1*ms}, {'tau': 2*ms}]``),
- a pandas ``DataFrame`` (one row per parameter set; its values carry no
  units, so the build function must add them).

Inside a column the values share their units (plain numbers are
dimensionless). Rows become dicts ``name -> value`` (a Quantity for a value
with units, else a Python or numpy scalar), passed as ``build(**row)``.
"""

from __future__ import annotations

import inspect
import itertools

import numpy as np

from nerve.exceptions import (ArgumentTypeError, DimensionMismatchError, InvalidArgumentError,
                              UnknownNameError)

__all__ = ["grid", "parameter_rows", "check_build_parameters"]


def _column(name: str, values) -> list:
    """The values of column ``name`` as a list of scalars (Quantity kept)."""
    from nerve.units import Quantity

    if isinstance(values, str) or np.ndim(values) == 0:
        raise InvalidArgumentError(
            f"the values of parameter {name!r} must be a sequence (one value per parameter "
            f"set), got {values!r}; use nerve.grid(...) to combine fixed values and ranges")
    if isinstance(values, Quantity):
        if values.ndim != 1:
            raise InvalidArgumentError(
                f"the values of parameter {name!r} must be one-dimensional, got shape "
                f"{values.shape}")
        return [values[k] for k in range(len(values))]
    if hasattr(values, "to_numpy") and not isinstance(values, np.ndarray):  # a pandas Series
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise InvalidArgumentError(
                f"the values of parameter {name!r} must be one-dimensional, got shape "
                f"{values.shape}")
        return values.tolist()  # (Python numbers)
    return list(values)


def _check_units(name: str, column: list) -> None:
    from nerve.units import format_dimension, get_dimensions

    first = None
    for k, value in enumerate(column):
        try:
            dim = get_dimensions(value)
        except TypeError:  # strings, None...: the build function decides
            continue
        if first is None:
            first = (k, dim)
        elif dim is not first[1]:
            raise DimensionMismatchError(
                f"the values of parameter {name!r} do not share their units: "
                f"{format_dimension(first[1])} in parameter set {first[0]} "
                f"({column[first[0]]!r}), {format_dimension(dim)} in parameter set {k} "
                f"({value!r})", first[1], dim)


def parameter_rows(params) -> tuple[list[str], list[dict]]:
    """``(names, rows)`` of a table of parameter sets (see the module doc);
    clear errors for tables that are not rectangular or mix units."""
    if isinstance(params, dict):
        names = list(params)
        for name in names:
            if not isinstance(name, str) or not name.isidentifier():
                raise InvalidArgumentError(
                    f"parameter names are Python identifiers (build(**parameters)), got "
                    f"{name!r}")
        columns = {name: _column(name, params[name]) for name in names}
        lengths = {name: len(c) for name, c in columns.items()}
        if len(set(lengths.values())) > 1:
            listing = ", ".join(f"{n}: {k}" for n, k in lengths.items())
            raise InvalidArgumentError(
                f"the parameters have different numbers of values ({listing}): give one "
                f"value per parameter set in every column, or use nerve.grid(...) for all "
                f"combinations")
        count = next(iter(lengths.values()), 0)
        rows = [{name: columns[name][k] for name in names} for k in range(count)]
    elif hasattr(params, "columns") and hasattr(params, "to_dict"):  # a pandas DataFrame
        names = [str(c) for c in params.columns]
        return parameter_rows({name: params[c] for name, c in zip(names, params.columns)})
    elif isinstance(params, (list, tuple)):
        rows = []
        names = []
        for k, row in enumerate(params):
            if not isinstance(row, dict):
                raise ArgumentTypeError(
                    f"a list of parameter sets holds dicts (name -> value); item {k} is "
                    f"{row!r}")
            if k == 0:
                names = list(row)
            elif set(row) != set(names):
                raise InvalidArgumentError(
                    f"parameter set {k} has the parameters {sorted(row)}, parameter set 0 "
                    f"has {sorted(names)}: every set must name the same parameters")
            rows.append(dict(row))
        return parameter_rows({name: [r[name] for r in rows] for name in names}) if rows \
            else ([], [])
    else:
        raise ArgumentTypeError(
            f"the parameter sets of a sweep are a dict of sequences, a list of dicts or a "
            f"pandas DataFrame, got {type(params).__name__}")
    for name in names:
        _check_units(name, [row[name] for row in rows])
    return names, rows


def check_build_parameters(build, names: list[str]) -> None:
    """The parameter names must be keyword arguments of ``build``, and every
    argument of ``build`` without a default must be in the table."""
    if not callable(build):
        raise ArgumentTypeError(f"build must be a function building one copy of the model "
                                f"(build(**parameters)), got {build!r}")
    try:
        signature = inspect.signature(build)
    except (TypeError, ValueError):  # (some builtins and C callables have none)
        return
    kinds = {p.name: p for p in signature.parameters.values()}
    takes_any = any(p.kind is p.VAR_KEYWORD for p in kinds.values())
    accepted = [n for n, p in kinds.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    title = getattr(build, "__name__", "build")
    if not takes_any:
        unknown = [n for n in names if n not in accepted]
        if unknown:
            raise UnknownNameError(
                f"{title}() has no parameter {', '.join(map(repr, unknown))} "
                f"(its parameters: {', '.join(accepted) or 'none'})", unknown[0])
    missing = [n for n in accepted if kinds[n].default is inspect.Parameter.empty
               and n not in names]
    if missing:
        raise ArgumentTypeError(
            f"{title}() needs the parameter(s) {', '.join(map(repr, missing))}, which the "
            f"parameter sets do not give (they give: {', '.join(names) or 'nothing'})")


def grid(**axes) -> dict:
    """Every combination of the given values (a full factorial design), as a
    table for :func:`nerve.sweep`: ``grid(tau=[5, 10]*ms, w=[0.1, 0.2, 0.3])``
    has 6 parameter sets, the last name varying fastest. A single value (not a
    sequence) is the same in every set."""
    names = list(axes)
    columns = []
    for name in names:
        values = axes[name]
        if isinstance(values, str) or np.ndim(values) == 0:
            columns.append([values])
        else:
            columns.append(_column(name, values))
    combos = list(itertools.product(*columns))
    table = {}
    for k, name in enumerate(names):
        values = [c[k] for c in combos]
        table[name] = _stacked(values)
    return table


def _stacked(values: list):
    """A Quantity array for values with one unit, else the list."""
    from nerve.units import Quantity, get_dimensions

    try:
        dims = {get_dimensions(v) for v in values}
    except TypeError:
        return values
    if len(dims) == 1 and any(isinstance(v, Quantity) for v in values):
        return Quantity(np.array([np.asarray(v, dtype=float) for v in values]), dim=dims.pop())
    return values
