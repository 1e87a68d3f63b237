"""The benchmark models: the tutorial's model shapes and two networks (CUBA, STDP) as
Brian2-style source text.

Each model is plain text that runs unchanged after ``from nerve import *`` or
``from brian2 import *``, with ``N`` (number of neurons) already bound in the
namespace. The text builds a group ``G`` and a ``SpikeMonitor`` ``M`` (and, when
the model has more objects, lists them all in ``_objects``); the harness then
calls ``run(...)`` itself, so that only the run is timed.

The parameters are the tutorial's, and the same values are hard-coded in the
plain-C reference (``shared/bench-ref/neuron_ref.c``): tau = 10 ms, v0_max = 3,
sigma = 0.2 (lif_noise); vr = -70 mV, vt0 = -50 mV, delta_vt0 = 5 mV,
tau_t = 100 ms, sigma = 0.5*(vt0-vr), v_drive = 2*(vt0-vr) (adaptive);
refractory 5 ms, dt = 0.1 ms. With N = 1 the LIF models keep v0 = 0 (the
tutorial's ``i*v0_max/(N-1)`` is 0/0 there), as the C reference does.

This module must import under both interpreters (the nerve environment and the
Brian2 one), so it uses the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

DT_MS = 0.1
"""The time step of every benchmark, in milliseconds (Brian2's default)."""

SIZES = (1, 100, 1_000, 10_000, 100_000, 1_000_000)
"""The numbers of neurons measured by default."""

_LIF_EXACT = """\
start_scope()
seed(1)
tau = 10*ms
v0_max = 3.
eqs = '''
dv/dt = (v0-v)/tau : 1 (unless refractory)
v0 : 1
'''
G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', refractory=5*ms, method='exact')
M = SpikeMonitor(G)
if N > 1:
    G.v0 = 'i*v0_max/(N-1)'
"""

_LIF_NOISE = """\
start_scope()
seed(1)
tau = 10*ms
v0_max = 3.
sigma = 0.2
eqs = '''
dv/dt = (v0-v)/tau+sigma*xi*tau**-0.5 : 1 (unless refractory)
v0 : 1
'''
G = NeuronGroup(N, eqs, threshold='v>1', reset='v=0', refractory=5*ms, method='euler')
M = SpikeMonitor(G)
if N > 1:
    G.v0 = 'i*v0_max/(N-1)'
"""

_ADAPTIVE = """\
start_scope()
seed(1)
tau = 10*ms
vr = -70*mV
vt0 = -50*mV
delta_vt0 = 5*mV
tau_t = 100*ms
sigma = 0.5*(vt0-vr)
v_drive = 2*(vt0-vr)
eqs = '''
dv/dt = (v_drive+vr-v)/tau + sigma*xi*tau**-0.5 : volt
dvt/dt = (vt0-vt)/tau_t : volt
'''
reset = '''
v = vr
vt += delta_vt0
'''
G = NeuronGroup(N, eqs, threshold='v>vt', reset=reset, refractory=5*ms, method='euler')
M = SpikeMonitor(G)
G.v = 'rand()*(vt0-vr)+vr'
G.vt = vt0
"""


_CUBA = """\
start_scope()
seed(1)
taum = 20*ms
taue = 5*ms
taui = 10*ms
Vt = -50*mV
Vr = -60*mV
El = -49*mV
eqs = '''
dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
dge/dt = -ge/taue : volt
dgi/dt = -gi/taui : volt
'''
G = NeuronGroup(N, eqs, threshold='v>Vt', reset='v = Vr', refractory=5*ms, method='exact')
G.v = 'Vr + rand() * (Vt - Vr)'
we = (60*0.27/10)*mV
wi = (-20*4.5/10)*mV
Ne = int(0.8*N)
p_connect = min(1.0, 80.0/N)
Ce = Synapses(G, G, on_pre='ge += we')
Ci = Synapses(G, G, on_pre='gi += wi')
Ce.connect('i<Ne', p=p_connect)
Ci.connect('i>=Ne', p=p_connect)
M = SpikeMonitor(G)
_objects = [G, Ce, Ci, M]
"""

_STDP = """\
start_scope()
seed(1)
taum = 10*ms
taue = 5*ms
taupre = 20*ms
taupost = taupre
Ee = 0*mV
vt = -54*mV
vr = -60*mV
El = -74*mV
gmax = 0.01*1000/N
dApre = 0.01*gmax
dApost = -dApre*taupre/taupost*1.05
inputs = NeuronGroup(N, 'rate : Hz', threshold='rand() < rate*dt')
inputs.rate = 15*Hz
G = NeuronGroup(1, '''
dv/dt = (ge*(Ee-v) + El - v)/taum : volt
dge/dt = -ge/taue : 1
''', threshold='v>vt', reset='v = vr', method='euler')
G.v = vr
S = Synapses(inputs, G, '''
w : 1
dApre/dt = -Apre/taupre : 1 (event-driven)
dApost/dt = -Apost/taupost : 1 (event-driven)
''', on_pre='''
ge += w
Apre += dApre
w = clip(w + Apost, 0, gmax)
''', on_post='''
Apost += dApost
w = clip(w + Apre, 0, gmax)
''')
S.connect()
S.w = 'rand()*gmax'
M = SpikeMonitor(inputs)
_objects = [inputs, G, S, M]
"""


@dataclass(frozen=True)
class Model:
    """One benchmark model.

    ``source`` builds ``G`` and ``M`` for a given ``N``; ``tutorial_n`` and
    ``tutorial_ms`` are the size and duration of the tutorial cell it comes
    from (used for the time-to-first-result measurement).
    """

    name: str
    source: str
    tutorial_n: int
    tutorial_ms: float
    description: str


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("lif_exact", _LIF_EXACT, 100, 1000.0,
              "LIF, exact integration, per-neuron v0, refractory 5 ms"),
        Model("lif_noise", _LIF_NOISE, 100, 1000.0,
              "LIF with white noise (xi), Euler-Maruyama, refractory 5 ms"),
        Model("adaptive", _ADAPTIVE, 1000, 100.0,
              "adaptive threshold, two variables in volts, noise, two-statement reset"),
        Model("cuba", _CUBA, 4000, 1000.0,
              "Brian2's CUBA network: exact LIF with two synaptic currents, K = 80 "
              "synapses per neuron (p = 80/N), on_pre 'ge += we' / 'gi += wi'"),
        Model("stdp", _STDP, 1000, 1000.0,
              "Song, Miller & Abbott (2000): N Poisson inputs at 15 Hz onto one neuron "
              "through plastic synapses (event-driven traces, on_pre and on_post; "
              "gmax scaled by 1000/N)"),
    )
}


def steps_for(n: int, *, neuron_steps: float = 1e8, min_steps: int = 100,
              max_steps: int = 20_000) -> int:
    """The number of time steps to time at ``n`` neurons.

    About ``neuron_steps`` neuron-steps, but never fewer than ``min_steps``
    (large N) nor more than ``max_steps`` (small N, where the cost is per
    step, not per neuron).
    """
    return int(max(min_steps, min(max_steps, round(neuron_steps / max(n, 1)))))
