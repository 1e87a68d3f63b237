"""The current-based (CUBA) benchmark network of Brette et al. (2007), after
Vogels & Abbott (2005): 4000 leaky integrate-and-fire neurons, 80% excitatory
and 20% inhibitory, each connected to any other with probability 0.02,
exponential synaptic currents, simulated for one second.

    python examples/cuba.py [N] [duration_ms] [out_dir] [seed]

Prints the network's size and mean firing rate (Brian2 2.9.0 gives about
5.7 Hz at N = 4000, see tests/test_examples.py), the CV of the inter-spike
intervals and the synchrony (see _spike_stats.py;
tests/synapses/test_network_examples.py compares them with Brian2's) and saves
a raster plot. With ``NERVE_EXAMPLES_SHORT=1`` the default run lasts 100 ms.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")
SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"  # a quick run (CI)


def main(N: int = 4000, duration_ms: float = 100.0 if SHORT else 1000.0,
         out_dir: str = os.path.join("out", "cuba"),
         seed_value: int = 1, backend: str = "nerve", plot: bool = True):
    """Build and run the network with ``backend`` ('nerve', or 'brian2' with
    its numpy target: how the reference numbers were made); returns the
    statistics of _spike_stats.py (after the first 100 ms)."""
    began = time.perf_counter()
    import importlib

    b = importlib.import_module(backend)
    if backend == "brian2":
        b.prefs.codegen.target = "numpy"
    b.start_scope()
    NeuronGroup, SpikeMonitor, Synapses, run, seed = (
        b.NeuronGroup, b.SpikeMonitor, b.Synapses, b.run, b.seed)
    mV, ms = b.mV, b.ms

    seed(seed_value)
    taum, taue, taui = 20 * ms, 5 * ms, 10 * ms
    Vt, Vr, El = -50 * mV, -60 * mV, -49 * mV
    model = """
    dv/dt  = (ge + gi - (v - El))/taum : volt (unless refractory)
    dge/dt = -ge/taue : volt
    dgi/dt = -gi/taui : volt
    """
    P = NeuronGroup(N, model, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method="exact")
    P.v = "Vr + rand()*(Vt - Vr)"
    we = (60 * 0.27 / 10) * mV  # excitatory weight (voltage)
    wi = (-20 * 4.5 / 10) * mV  # inhibitory weight
    n_exc = int(0.8 * N)
    excitatory = Synapses(P, P, on_pre="ge += we")
    inhibitory = Synapses(P, P, on_pre="gi += wi")
    excitatory.connect("i < n_exc", p=80 / N)
    inhibitory.connect("i >= n_exc", p=80 / N)
    spikes = SpikeMonitor(P)
    built = time.perf_counter()
    run(duration_ms * ms)
    done = time.perf_counter()
    rate = spikes.num_spikes / N / (duration_ms / 1000)
    print(f"N = {N}, {len(excitatory) + len(inhibitory)} synapses, {spikes.num_spikes} spikes "
          f"in {duration_ms:g} ms: mean rate {rate:.2f} Hz")
    print(f"build {built - began:.3f} s, run {done - built:.3f} s")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _spike_stats import format_statistics, spike_statistics

    end = duration_ms / 1000
    stats = spike_statistics(b.asarray(spikes.i[:]), b.asarray(spikes.t[:] / b.second), N,
                             min(0.1, end / 2), end)
    print(format_statistics("network", stats))
    if not plot:
        return stats

    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    plt.plot(spikes.t / ms, spikes.i, ",k")
    plt.xlabel("Time (ms)")
    plt.ylabel("Neuron index")
    path = os.path.join(out_dir, "raster.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path})")
    return stats


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(f(a) for f, a in zip((int, float, str, int), args)))
