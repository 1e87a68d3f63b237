"""Parameter sweeps: many copies of a model, differing in parameters and
seeds, simulated together in batched runs, here or on a Dask cluster.

``nerve.sweep(build, params, duration)`` (:mod:`nerve.sweeps.api`) returns a
:class:`SweepResult` (:mod:`nerve.sweeps.results`: tables with pandas and
xarray); :func:`grid` makes a full factorial table
(:mod:`nerve.sweeps.params`); the seed of each copy is
:func:`copy_seeds`'s (:mod:`nerve.sweeps.seeds`); one batch runs in
:mod:`nerve.sweeps.batch`, the Dask part is :mod:`nerve.sweeps.distributed`.
Nothing here imports pandas, xarray or Dask until they are used.
"""

from nerve.sweeps.api import sweep
from nerve.sweeps.batch import CopyFailure
from nerve.sweeps.measure import Labelled, default_measure
from nerve.sweeps.params import grid
from nerve.sweeps.results import SweepError, SweepResult
from nerve.sweeps.seeds import copy_seeds

__all__ = ["sweep", "grid", "SweepResult", "SweepError", "CopyFailure", "Labelled",
           "default_measure", "copy_seeds"]
