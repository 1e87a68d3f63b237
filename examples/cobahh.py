"""The conductance-based Hodgkin-Huxley benchmark network (COBAHH) of
Brette et al. (2007): 4000 single-compartment neurons with Traub & Miles
sodium and potassium currents, 80% excitatory and 20% inhibitory, each pair
connected with probability 0.02; a spike opens an exponentially decaying
conductance (6 nS excitatory, 67 nS inhibitory) in the target. Started from
random conductances, the network settles into self-sustained irregular
activity.

    python examples/cobahh.py [duration_ms] [seed] [out_dir]

Prints the mean rate, the mean CV of the inter-spike intervals, the fraction
of active neurons and the synchrony of the population (see _spike_stats.py;
tests/test_network_examples.py compares them with Brian2 2.9.0's) and saves
a raster plot. The same function runs under Brian2 (``backend='brian2'``),
which is how the reference numbers were made
(tests/reference/make_network_examples_reference.py).
"""

from __future__ import annotations

import importlib
import os
import sys
import time

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _spike_stats import format_statistics, spike_statistics  # noqa: E402

#: the membrane and its channels (Traub & Miles 1991 rate functions, written
#: with exprel so that they are finite where numerator and denominator vanish)
MODEL = """
dv/dt = (gl*(El - v) + ge*(Ee - v) + gi*(Ei - v)
         - gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK))/Cm : volt
dm/dt = am*(1 - m) - bm*m : 1
dh/dt = ah*(1 - h) - bh*h : 1
dn/dt = an*(1 - n) - bn*n : 1
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
u = v - VT : volt
am = 1.28/exprel((13*mV - u)/(4*mV))/ms : Hz
bm = 1.4/exprel((u - 40*mV)/(5*mV))/ms : Hz
ah = 0.128*exp((17*mV - u)/(18*mV))/ms : Hz
bh = 4/(1 + exp((40*mV - u)/(5*mV)))/ms : Hz
an = 0.16/exprel((15*mV - u)/(5*mV))/ms : Hz
bn = 0.5*exp((10*mV - u)/(40*mV))/ms : Hz
"""


def main(duration_ms: float = 1000.0, seed_value: int = 1,
         out_dir: str = os.path.join("out", "cobahh"), backend: str = "nerve",
         plot: bool = True) -> dict:
    began = time.perf_counter()
    b = importlib.import_module(backend)
    if backend == "brian2":
        b.prefs.codegen.target = "numpy"
        b.start_scope()
    ms, mV, nS, um, cm2 = b.ms, b.mV, b.nS, b.umetre, b.cm ** 2
    b.seed(seed_value)

    area = 20000 * um ** 2
    namespace = {
        "Cm": 1 * b.ufarad / cm2 * area, "gl": 5e-5 * b.siemens / cm2 * area,
        "El": -60 * mV, "EK": -90 * mV, "ENa": 50 * mV,
        "gNa": 100 * b.msiemens / cm2 * area, "gK": 30 * b.msiemens / cm2 * area,
        "VT": -63 * mV, "taue": 5 * ms, "taui": 10 * ms, "Ee": 0 * mV, "Ei": -80 * mV,
        "we": 6 * nS, "wi": 67 * nS, "ms": ms, "mV": mV,
    }
    N, n_exc = 4000, 3200
    P = b.NeuronGroup(N, MODEL, threshold="v > -20*mV", refractory=3 * ms,
                      method="exponential_euler", namespace=namespace)
    P.v = "El + (randn()*5 - 5)*mV"
    P.ge = "(randn()*1.5 + 4)*10*nS"
    P.gi = "(randn()*12 + 20)*10*nS"
    excitatory = b.Synapses(P, P, on_pre="ge += we", namespace=namespace)
    inhibitory = b.Synapses(P, P, on_pre="gi += wi", namespace=namespace)
    excitatory.connect("i < n_exc", p=0.02, namespace={"n_exc": n_exc})
    inhibitory.connect("i >= n_exc", p=0.02, namespace={"n_exc": n_exc})
    spikes = b.SpikeMonitor(P)
    built = time.perf_counter()
    b.run(duration_ms * ms)
    done = time.perf_counter()

    indices = b.asarray(spikes.i[:])
    times = b.asarray(spikes.t[:] / b.second)
    end = duration_ms / 1000
    # the first 100 ms are the transient from the random initial conductances
    stats = spike_statistics(indices, times, N, min(0.1, end / 2), end)
    print(f"N = {N}, {len(excitatory) + len(inhibitory)} synapses, {len(indices)} spikes in "
          f"{duration_ms:g} ms (seed {seed_value}, {backend})")
    print(format_statistics("network", stats))
    print(f"build {built - began:.3f} s, run {done - built:.3f} s")
    if plot:
        import matplotlib.pyplot as plt

        os.makedirs(out_dir, exist_ok=True)
        plt.figure(figsize=(8, 4))
        plt.plot(times * 1000, indices, ",k")
        plt.xlabel("Time (ms)")
        plt.ylabel("Neuron index")
        plt.title(f"COBAHH: {stats['rate']:.1f} Hz, CV {stats['cv']:.2f}")
        path = os.path.join(out_dir, "raster.png")
        plt.savefig(path, dpi=80)
        print(f"(figure saved to {path})")
    return stats


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(f(a) for f, a in zip((float, int, str), args)))
