"""The results of a sweep: :class:`SweepResult` (per copy, as a pandas
DataFrame or an xarray Dataset with the parameters as coordinates) and
:class:`SweepError`.

Numbers with units are stored in the tables as plain floats in SI base
units (seconds, volts, hertz...); the unit of each column or variable is in
its ``attrs['units']`` (xarray) or in ``DataFrame.attrs['units']`` (pandas).
pandas and xarray are imported only when a table is asked for.
"""

from __future__ import annotations

import numpy as np

from nerve.exceptions import NerveError
from nerve.sweeps.batch import CopyFailure
from nerve.sweeps.measure import Labelled

__all__ = ["SweepResult", "SweepError"]


class SweepError(NerveError, RuntimeError):
    """Copies of a sweep failed. ``failures`` lists them (each a
    :class:`~nerve.sweeps.CopyFailure` with its parameter set and the
    exception); ``result`` is the :class:`SweepResult` with the results of
    the copies that did not fail."""

    def __init__(self, message: str, failures: list, result: "SweepResult | None" = None):
        super().__init__(message)
        self.failures = list(failures)
        self.result = result


def _unit_name(dim) -> str:
    from nerve.units import format_dimension

    return format_dimension(dim)


def _plain(value):
    """``(array of SI values, unit name or None)`` of a number, array or Quantity."""
    from nerve.units import Quantity

    if isinstance(value, Quantity):
        return np.asarray(value.view(np.ndarray)), (None if value.dim.is_dimensionless
                                                     else _unit_name(value.dim))
    return np.asarray(value), None


class SweepResult:
    """The results of :func:`nerve.sweep`, one entry per copy (parameter set).

    ``params`` are the parameter sets (dicts, in the order of the table),
    ``names`` the parameter names, ``seed`` the sweep's seed and ``seeds``
    the seed of each copy (copy ``k`` run alone after ``seed(seeds[k])``
    gives the same numbers); ``values[k]`` is the dict of results of copy
    ``k`` (None if it failed), ``failures`` the failed copies
    (:class:`~nerve.sweeps.CopyFailure`). ``result[k]`` is ``values[k]``
    with the units back, raising the copy's error if it failed.
    """

    def __init__(self, names, params, seed, seeds, values, failures, duration) -> None:
        self.names = list(names)
        self.params = list(params)
        self.seed = seed
        self.seeds = np.asarray(seeds, dtype=np.int64)
        self.values = list(values)
        self.failures = sorted(failures, key=lambda f: f.index)
        self.duration = duration

    def __len__(self) -> int:
        return len(self.params)

    def __getitem__(self, k: int) -> dict:
        values = self.values[k]
        if values is None:
            failure = next(f for f in self.failures if f.index == k % len(self))
            raise SweepError(str(failure), [failure], self) from failure.error
        return {name: (v.values if isinstance(v, Labelled) else v) for name, v in values.items()}

    def __repr__(self) -> str:
        failed = f", {len(self.failures)} failed" if self.failures else ""
        return (f"<SweepResult: {len(self)} copies of {', '.join(self.names) or 'no parameters'}"
                f", seed {self.seed}{failed}>")

    @property
    def errors(self) -> list:
        """The failed copies (``failures``), each with its parameter set and error."""
        return self.failures

    def raise_errors(self) -> None:
        """Raise a :class:`SweepError` listing the failed copies, if any."""
        if not self.failures:
            return
        count = len(self.failures)
        shown = "\n".join(f"  {f}" for f in self.failures[:10])
        more = f"\n  ... and {count - 10} more" if count > 10 else ""
        first = self.failures[0]
        raise SweepError(
            f"{count} of {len(self)} copies of the sweep failed (the others' results are in "
            f"the error's .result):\n{shown}{more}\nTraceback of copy {first.index}:\n"
            f"{first.traceback}", self.failures, self) from first.error

    # -- tables -----------------------------------------------------------

    def _parameter_columns(self) -> tuple[dict, dict]:
        columns, units = {}, {}
        for name in self.names:
            plain = [_plain(row[name]) if _numeric(row[name]) else (row[name], None)
                     for row in self.params]
            if all(np.ndim(v) == 0 for v, _ in plain):
                values = [v.item() if isinstance(v, np.ndarray) else v for v, _ in plain]
            else:
                values = [v for v, _ in plain]
            columns[name] = values
            unit = next((u for _, u in plain if u is not None), None)
            if unit is not None:
                units[name] = unit
        return columns, units

    def _result_names(self) -> list[str]:
        names: dict[str, None] = {}
        for values in self.values:
            if values is not None:
                names.update(dict.fromkeys(values))
        return list(names)

    def to_pandas(self):
        """A pandas DataFrame with one row per copy: the parameters, the
        seed, the results that are single numbers (arrays are left out: see
        :meth:`to_xarray`), and ``error`` (None, or the failure) when a copy
        failed. Values in SI units; ``df.attrs['units']`` names them."""
        import pandas as pd

        columns, units = self._parameter_columns()
        data = dict(columns)
        data["seed"] = self.seeds
        for name in self._result_names():
            column, unit, scalar = [], None, True
            for values in self.values:
                if values is None or name not in values:
                    column.append(np.nan)
                    continue
                value = values[name]
                array, u = _plain(value.values if isinstance(value, Labelled) else value)
                if array.ndim != 0:
                    scalar = False
                    break
                column.append(array.item())
                unit = unit or u
            if scalar:
                data[name] = column
                if unit is not None:
                    units[name] = unit
        if self.failures:
            errors = [None] * len(self)
            for failure in self.failures:
                errors[failure.index] = str(failure)
            data["error"] = errors
        frame = pd.DataFrame(data)
        frame.index.name = "copy"
        frame.attrs["units"] = units
        frame.attrs["seed"] = self.seed
        return frame

    def to_xarray(self):
        """An xarray Dataset with dimension ``copy`` (one entry per parameter
        set), the parameters and ``seed`` as coordinates along it, and one
        variable per result (other dimensions for arrays: named by
        :class:`~nerve.sweeps.measure.Labelled` results, as the default
        measurement's ``M.t`` or ``M.neuron``, else ``<name>_dim_0``...).
        Failed copies hold NaN; the variable ``failed`` marks them. Values
        in SI units, each with ``attrs['units']``."""
        import xarray as xr

        columns, units = self._parameter_columns()
        coords = {"copy": np.arange(len(self)), "seed": ("copy", self.seeds)}
        for name, values in columns.items():
            attrs = {"units": units[name]} if name in units else {}
            coords[name] = ("copy", np.asarray(values), attrs)
        variables = {name: self._stacked(name, coords) for name in self._result_names()}
        failed = np.zeros(len(self), dtype=bool)
        for failure in self.failures:
            failed[failure.index] = True
        variables["failed"] = ("copy", failed)
        dataset = xr.Dataset(variables, coords=coords)
        dataset.attrs["seed"] = self.seed
        dataset.attrs["duration"] = self.duration
        dataset.attrs["duration_units"] = "second"
        return dataset

    def _stacked(self, name: str, coords: dict):
        """``(dims, data, attrs)`` of result ``name`` over all copies (the
        coordinates of its axes added to ``coords``)."""
        from nerve.exceptions import InvalidValueError

        template = next(values[name] for values in self.values
                        if values is not None and name in values)
        labelled = template if isinstance(template, Labelled) else None
        array0, unit = _plain(labelled.values if labelled else template)
        dims = labelled.dims if labelled else tuple(f"{name}_dim_{k}" for k in
                                                    range(array0.ndim))
        numeric = array0.dtype.kind in "biuf"
        data = np.full((len(self), *array0.shape), np.nan if numeric else None,
                       dtype=float if numeric else object)
        for k, values in enumerate(self.values):
            if values is None or name not in values:
                continue
            value = values[name]
            array, _ = _plain(value.values if isinstance(value, Labelled) else value)
            if array.shape != array0.shape:
                raise InvalidValueError(
                    f"result {name!r} has shape {array.shape} in copy {k} and "
                    f"{array0.shape} in the first copy that gave it: results of "
                    f"different shapes do not stack into one variable (return them from "
                    f"measure() with one shape, e.g. padded with NaN)")
            data[k] = array
        if numeric and array0.dtype.kind in "biu" and len(self.failures) == 0:
            data = data.astype(array0.dtype)
        for dim, coord in (labelled.coords.items() if labelled else ()):
            values, coord_unit = _plain(coord)
            if dim in coords:
                known = coords[dim][1] if isinstance(coords[dim], tuple) else coords[dim]
                if not np.array_equal(np.asarray(known), values):
                    raise InvalidValueError(
                        f"the coordinate {dim!r} of result {name!r} differs from that of "
                        f"another result: name the axes differently")
                continue
            attrs = {"units": coord_unit} if coord_unit is not None else {}
            coords[dim] = (dim, values, attrs)
        attrs = {"units": unit} if unit is not None else {}
        return (("copy", *dims), data, attrs)


def _numeric(value) -> bool:
    from nerve.units import Quantity

    return isinstance(value, (Quantity, int, float, complex, np.generic, np.ndarray)) and \
        not isinstance(value, bool)
