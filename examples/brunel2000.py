"""Brunel's (2000) sparse network of excitatory and inhibitory
integrate-and-fire neurons, and its regimes of activity.

N_E excitatory and N_E/4 inhibitory leaky integrate-and-fire neurons
(tau = 20 ms, threshold 20 mV, reset 10 mV, refractory 2 ms); each neuron
receives on average C_E = 0.1 N_E excitatory synapses of efficacy J and
C_I = C_E/4 inhibitory ones of efficacy -g J, all with delay D = 1.5 ms (a
voltage jump at arrival). The external drive is that of C_E independent
Poisson sources at rate nu_ext, written in the diffusion approximation
(a mean and a white noise of the same variance as the shot noise, Brunel
2000, section 2), with nu_ext given relative to nu_thr = theta/(J C_E tau),
the rate that brings the mean input to threshold. Two parameters select the
regime (Brunel's figure 8):

- ``SR``: g = 3, nu_ext/nu_thr = 2 (synchronous, regular, high rates);
- ``AI``: g = 5, nu_ext/nu_thr = 2 (asynchronous, irregular);
- ``SIfast``: g = 6, nu_ext/nu_thr = 4 (synchronous, irregular, fast
  oscillation);
- ``SIslow``: g = 4.5, nu_ext/nu_thr = 0.9 (synchronous, irregular, slow
  oscillation).

The default size is a tenth of Brunel's in connections per neuron
(N_E = 4000, C_E = 400, J = 0.2 mV) so that it runs in seconds.

    python examples/brunel2000.py [regime|all] [duration_ms] [seed] [out_dir]

Prints, per regime, the excitatory neurons' mean rate, mean CV of the
inter-spike intervals, the fraction of active neurons and the synchrony of
the population (see _spike_stats.py; tests/test_network_examples.py compares
them with Brian2 2.9.0's) and saves raster plots. The same function runs under
Brian2 (``backend='brian2'``), which is how the reference numbers were made
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

#: regime -> (g, nu_ext/nu_thr)
REGIMES = {"SR": (3.0, 2.0), "AI": (5.0, 2.0), "SIfast": (6.0, 4.0), "SIslow": (4.5, 0.9)}

MODEL = """
dv/dt = (mu_ext - v)/tau + sigma_ext*xi/sqrt(tau) : volt (unless refractory)
"""


def main(regime: str = "AI", duration_ms: float = 500.0, seed_value: int = 1,
         out_dir: str = os.path.join("out", "brunel2000"), backend: str = "nerve",
         plot: bool = True, n_exc: int = 4000, J_mV: float = 0.2) -> dict:
    if regime == "all":
        return {r: main(r, duration_ms, seed_value, out_dir, backend, plot, n_exc, J_mV)
                for r in REGIMES}
    began = time.perf_counter()
    b = importlib.import_module(backend)
    if backend == "brian2":
        b.prefs.codegen.target = "numpy"
    b.start_scope()
    ms, mV = b.ms, b.mV
    b.seed(seed_value)

    g, eta = REGIMES[regime]
    n_inh = n_exc // 4
    N = n_exc + n_inh
    epsilon = 0.1
    C_E = epsilon * n_exc
    tau, theta, V_r, D, J = 20 * ms, 20 * mV, 10 * mV, 1.5 * ms, J_mV * mV
    nu_thr = theta / (J * C_E * tau)
    nu_ext = eta * nu_thr
    namespace = {
        "tau": tau, "theta": theta, "V_r": V_r, "J": J, "g": g,
        # C_E Poisson sources at nu_ext, each a jump J: mean and white noise
        "mu_ext": C_E * J * nu_ext * tau,
        "sigma_ext": J * (C_E * nu_ext * tau) ** 0.5,
    }
    P = b.NeuronGroup(N, MODEL, threshold="v > theta", reset="v = V_r",
                      refractory=2 * ms, method="euler", namespace=namespace)
    P.v = "V_r + rand()*(theta - V_r)"
    excitatory = b.Synapses(P, P, on_pre="v_post += J", delay=D, namespace=namespace)
    inhibitory = b.Synapses(P, P, on_pre="v_post -= g*J", delay=D, namespace=namespace)
    excitatory.connect("i < n_exc", p=epsilon, namespace={"n_exc": n_exc})
    inhibitory.connect("i >= n_exc", p=epsilon, namespace={"n_exc": n_exc})
    spikes = b.SpikeMonitor(P)
    built = time.perf_counter()
    b.run(duration_ms * ms)
    done = time.perf_counter()

    indices = b.asarray(spikes.i[:])
    times = b.asarray(spikes.t[:] / b.second)
    end = duration_ms / 1000
    # the first 100 ms are the transient from the random initial potentials;
    # statistics of the excitatory neurons
    exc = indices < n_exc
    stats = spike_statistics(indices[exc], times[exc], n_exc, min(0.1, end / 2), end)
    print(f"{regime} (g = {g:g}, nu_ext/nu_thr = {eta:g}): N = {N}, "
          f"{len(excitatory) + len(inhibitory)} synapses, {len(indices)} spikes in "
          f"{duration_ms:g} ms (seed {seed_value}, {backend})")
    print(format_statistics(regime, stats))
    print(f"build {built - began:.3f} s, run {done - built:.3f} s")
    if plot:
        import matplotlib.pyplot as plt

        os.makedirs(out_dir, exist_ok=True)
        plt.figure(figsize=(8, 4))
        shown = indices < 200
        plt.plot(times[shown] * 1000, indices[shown], ".k", ms=2)
        plt.xlabel("Time (ms)")
        plt.ylabel("Neuron index")
        plt.title(f"Brunel 2000, {regime}: {stats['rate']:.1f} Hz, CV {stats['cv']:.2f}, "
                  f"sync {stats['sync']:.2f}")
        path = os.path.join(out_dir, f"raster_{regime}.png")
        plt.savefig(path, dpi=80)
        plt.close()
        print(f"(figure saved to {path})")
    return stats


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(f(a) for f, a in zip((str, float, int, str), args)))
