"""Physical constants, as ``brian2.units.constants`` gives them.

``from nerve.units.constants import faraday_constant, gas_constant`` (or
``import nerve.units.constants``). The values are the CODATA 2014
recommended values that Brian2 2.9.0 uses, so a script computing, say, a
Nernst potential gets Brian2's numbers (CODATA 2018 fixed several of them
exactly, e.g. the Avogadro constant at 6.02214076e23/mol, which differs by
about 1.3e-8 relative).

| name | symbol | value |
|---|---|---|
| ``avogadro_constant`` | N_A | 6.022140857e23 mol^-1 |
| ``boltzmann_constant`` | k | 1.38064852e-23 J/K |
| ``electric_constant`` | epsilon_0 | 8.854187817e-12 F/m |
| ``electron_mass`` | m_e | 9.10938356e-31 kg |
| ``elementary_charge`` | e | 1.6021766208e-19 C |
| ``faraday_constant`` | F | 96485.33289 C/mol |
| ``gas_constant`` | R | 8.3144598 J/(mol K) |
| ``magnetic_constant`` | mu_0 | 4 pi 1e-7 H/m |
| ``molar_mass_constant`` | M_u | 1e-3 kg/mol |
| ``zero_celsius`` | | 273.15 K |
"""

from __future__ import annotations

import math

from nerve.units.dimension import dimension_from_exponents as _d
from nerve.units.quantity import Quantity

__all__ = ["avogadro_constant", "boltzmann_constant", "electric_constant", "electron_mass",
           "elementary_charge", "faraday_constant", "gas_constant", "magnetic_constant",
           "molar_mass_constant", "zero_celsius"]

avogadro_constant = Quantity(6.022140857e23, dim=_d(mol=-1))
boltzmann_constant = Quantity(1.38064852e-23, dim=_d(m=2, kg=1, s=-2, K=-1))
electric_constant = Quantity(8.854187817e-12, dim=_d(m=-3, kg=-1, s=4, A=2))
electron_mass = Quantity(9.10938356e-31, dim=_d(kg=1))
elementary_charge = Quantity(1.6021766208e-19, dim=_d(s=1, A=1))
faraday_constant = Quantity(96485.33289, dim=_d(s=1, A=1, mol=-1))
gas_constant = Quantity(8.3144598, dim=_d(m=2, kg=1, s=-2, K=-1, mol=-1))
magnetic_constant = Quantity(4 * math.pi * 1e-7, dim=_d(m=1, kg=1, s=-2, A=-2))
molar_mass_constant = Quantity(1e-3, dim=_d(kg=1, mol=-1))
zero_celsius = Quantity(273.15, dim=_d(K=1))
