"""The programs pinned by the golden files in ``tests/ir/golden/``.

Each case is the tutorial's model as lowering will see it once units are
resolved to SI floats (intro-to-brian-part1-neurons: the exact LIF with a 5 ms
refractory period, its threshold and reset, the noisy LIF integrated with
Euler-Maruyama, the adaptive-threshold model's reset, the per-neuron
``v0 = i*v0_max/(N-1)``). Refractoriness is written as the groups write it:
``not_refractory`` from ``lastspike`` in whole steps (Brian2's
``timestep(t - lastspike, dt) >= timestep(refractory, dt)``), frozen variables
assigned through ``where``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ir_syntax import expr, statements

from nerve.ir import Program
from nerve.ir.lower import lower

GOLDEN_DIR = Path(__file__).parent / "golden"

_NOT_REFRACTORY = ("not_refractory = int((t - lastspike + 0.001*dt)/dt)"
                   " >= int((refractory + 0.001*dt)/dt)")


@dataclass(frozen=True)
class Case:
    """Statements (Python syntax), columns, constants and a threshold condition."""

    code: str
    columns: dict[str, int]
    constants: dict[str, float]
    condition: str | None = None

    def lower(self) -> Program:
        return lower(statements(self.code), columns=self.columns, constants=self.constants,
                     condition=expr(self.condition) if self.condition else None)


_LIF = {"v": 0, "lastspike": 1, "not_refractory": 2}
_NOISY = {"v": 0, "v0": 1, "lastspike": 2, "not_refractory": 3}
_ADAPTIVE = {"v": 0, "vt": 1, "lastspike": 2, "not_refractory": 3}

CASES: dict[str, Case] = {
    # dv/dt = (1-v)/tau : 1 (unless refractory), method='exact', refractory=5*ms
    "lif_exact_update": Case(
        f"""
        {_NOT_REFRACTORY}
        _v = 1 - (1 - v)*exp(-dt/tau)
        v = where(not_refractory, _v, v)
        """,
        _LIF, {"tau": 0.01, "refractory": 0.005}),
    # threshold='v>0.8'
    "lif_threshold": Case("", _LIF, {}, condition="v > 0.8 and not_refractory"),
    # reset='v = 0'
    "lif_reset": Case(
        """
        lastspike = t
        not_refractory = False
        v = 0
        """,
        _LIF, {}),
    # dv/dt = (v0-v)/tau+sigma*xi*tau**-0.5 : 1 (unless refractory), method='euler'
    "noisy_lif_euler_update": Case(
        f"""
        {_NOT_REFRACTORY}
        _v = v + dt*((v0 - v)/tau) + sigma*tau**-0.5*sqrt(dt)*randn()
        v = where(not_refractory, _v, v)
        """,
        _NOISY, {"tau": 0.01, "sigma": 0.2, "refractory": 0.005}),
    # reset = 'v = vr; vt += delta_vt0', threshold='v>vt'
    "adaptive_reset": Case(
        """
        lastspike = t
        not_refractory = False
        v = vr
        vt += delta_vt0
        """,
        _ADAPTIVE, {"vr": -0.07, "delta_vt0": 0.005}),
    "adaptive_threshold": Case("", _ADAPTIVE, {}, condition="v > vt and not_refractory"),
    # G.v0 = 'i*v0_max/(N-1)'
    "per_neuron_v0": Case("v0 = i*v0_max/(N-1)", {"v": 0, "v0": 1}, {"v0_max": 3.0}),
}
