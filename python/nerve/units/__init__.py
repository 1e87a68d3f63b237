"""Physical units: dimensions, quantities and the SI units (Brian2-compatible)."""

from nerve.units.dimension import DIMENSIONLESS, Dimension, format_dimension, get_dimensions
from nerve.units.quantity import Quantity
from nerve.units.standard import STAR_NAMES as _STAR_NAMES, UNITS as _UNITS, get_unit
from nerve.units.unit import Unit

globals().update(_UNITS)

__all__ = ["Dimension", "DIMENSIONLESS", "Quantity", "Unit", "format_dimension",
           "get_dimensions", "get_unit", *_STAR_NAMES]
