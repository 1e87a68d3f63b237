"""Neurons driven by time-varying input given as tables: `TimedArray`.

Five leaky integrate-and-fire neurons receive the same slow current ramp (a
one-dimensional `TimedArray`, one value per 10 ms, held between the values),
and each also receives its own fluctuating input (a two-dimensional
`TimedArray`, one column per neuron, a new value every millisecond). The
script prints each neuron's spike count and saves the membrane traces, the
spikes and the two inputs in `out/timed_input/timed_input.png`.

    python examples/timed_input.py

With ``NERVE_EXAMPLES_SHORT=1`` the run lasts 100 ms instead of 1 s.
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

from nerve import *  # noqa: E402,F403

SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"  # a quick run (CI)
duration = (100 if SHORT else 1000)*ms
out_dir = os.path.join("out", "timed_input")

seed(3)
N = 5
tau = 10*ms
R = 50*Mohm
v_rest = -70*mV
v_threshold = -50*mV
v_reset = -65*mV

# the shared ramp: from 0 to 0.6 nA in 10 ms steps over the whole run
steps = int(duration/(10*ms))
ramp = TimedArray(np.linspace(0, 0.6, steps)*nA, dt=10*ms)
# each neuron's own input: values drawn once, 1 ms apart, one column per neuron
noise = TimedArray(0.1*randn(int(duration/ms), N)*nA, dt=1*ms)

eqs = '''
dv/dt = (v_rest - v + R*I)/tau : volt (unless refractory)
I = ramp(t) + noise(t, i) : amp
'''
G = NeuronGroup(N, eqs, threshold='v > v_threshold', reset='v = v_reset',
                refractory=2*ms, method='euler')
G.v = v_rest
traces = StateMonitor(G, ['v', 'I'], record=True)
spikes = SpikeMonitor(G)
run(duration)

for k in range(N):
    print(f"neuron {k}: {spikes.count[k]} spikes")

fig, (ax_v, ax_i, ax_s) = plt.subplots(3, 1, sharex=True, figsize=(7, 7))
for k in range(N):
    ax_v.plot(traces.t/ms, traces.v[k]/mV, lw=0.8)
    ax_i.plot(traces.t/ms, traces.I[k]/nA, lw=0.5)
ax_i.plot(traces.t/ms, ramp(traces.t)/nA, 'k', lw=2, label='ramp (shared)')
ax_s.plot(spikes.t/ms, spikes.i, '|k')
ax_v.set_ylabel('v (mV)')
ax_i.set_ylabel('I (nA)')
ax_i.legend(loc='upper left')
ax_s.set_ylabel('neuron')
ax_s.set_xlabel('time (ms)')
os.makedirs(out_dir, exist_ok=True)
fig.savefig(os.path.join(out_dir, "timed_input.png"), dpi=100)
print(f"figure saved in {out_dir}")
