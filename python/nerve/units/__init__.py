"""Physical units: dimensions, quantities and the SI units, as Brian2 has them.

``from nerve.units import *`` gives every unit (``volt``, ``mV``, ``nA``,
``Hz``, ``cm2``...), :class:`Quantity`, :class:`Unit`, the helpers below, and
the numpy names a Brian2 tutorial relies on (``exp``, ``sqrt``, ``mean``,
``linspace``...), unit-aware where that matters.
"""

from typing import TYPE_CHECKING

from nerve.exceptions import DimensionMismatchError
from nerve.units import numpy_names as _numpy_names
from nerve.units.dimension import (DIMENSIONLESS, Dimension, format_dimension, get_dimensions,
                                   get_or_create_dimension)
from nerve.units.helpers import (check_units, fail_for_dimension_mismatch,
                                 have_same_dimensions, in_best_unit, in_unit, is_dimensionless,
                                 is_scalar_type, register_new_unit)
from nerve.units.numpy_names import *  # noqa: F403
from nerve.units.quantity import Quantity
from nerve.units.standard import STAR_NAMES as _STAR_NAMES, get_unit, star_units as _star_units
from nerve.units.unit import Unit

globals().update(_star_units())
if TYPE_CHECKING:  # the same names, declared for type checkers (a generated stub)
    from nerve.units._unit_names import *  # noqa: F403

__all__ = [
    "Dimension", "DIMENSIONLESS", "Quantity", "Unit", "DimensionMismatchError",
    "format_dimension", "get_dimensions", "get_or_create_dimension", "get_unit",
    "have_same_dimensions", "is_dimensionless", "in_unit", "in_best_unit", "check_units",
    "fail_for_dimension_mismatch",
    "is_scalar_type", "register_new_unit",
    *_numpy_names.__all__,
    *_STAR_NAMES,
]
