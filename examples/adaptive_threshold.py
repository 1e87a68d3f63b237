"""Leaky integrate-and-fire neurons with an adaptive threshold, driven by
Poisson input.

Each of 100 neurons receives 200 independent Poisson sources at 5 Hz, summed
per time step by a ``PoissonInput`` (one binomial count per neuron and step,
drawn by the engine; each input event adds 1 mV). On its own the input holds
``v`` around 10 mV, the threshold's resting value; every spike raises the
threshold by 2 mV, which then relaxes back with a time constant of 50 ms, so
the neurons settle at a rate where the raised threshold and the input
balance. Prints the mean firing rate and the mean threshold at the end, and
saves the membrane potential and threshold of one neuron, and a raster, in
``out/adaptive_threshold/`` (or the directory given as the first argument).

    python examples/adaptive_threshold.py [OUT_DIR] [DURATION_MS]
"""

from __future__ import annotations

import os
import sys

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")

from nerve import (Hz, Network, NeuronGroup, PoissonInput, SpikeMonitor,  # noqa: E402
                   StateMonitor, mV, ms, second)


def simulate(duration=1 * second):
    tau_m = 10 * ms  # noqa: F841 (read by the equations)
    tau_vt = 50 * ms  # noqa: F841
    vt_rest = 10 * mV
    dvt = 2 * mV  # noqa: F841
    model = """
    dv/dt = -v/tau_m : volt
    dvt/dt = (vt_rest - vt)/tau_vt : volt
    """
    neurons = NeuronGroup(100, model, threshold="v > vt",
                          reset="v = 0*mV; vt += dvt", method="exact")
    neurons.vt = vt_rest
    drive = PoissonInput(neurons, "v", N=200, rate=5 * Hz, weight=1 * mV)
    spikes = SpikeMonitor(neurons, variables="v")
    trace = StateMonitor(neurons, ("v", "vt"), record=0)
    net = Network(neurons, drive, spikes, trace)
    net.run(duration)
    return neurons, spikes, trace


def main(out_dir: str = os.path.join("out", "adaptive_threshold"),
         duration_ms: str = "1000") -> int:
    import matplotlib.pyplot as plt

    duration = float(duration_ms) * ms
    neurons, spikes, trace = simulate(duration)
    rate = spikes.num_spikes / (len(neurons) * duration)
    print(f"mean rate {float(rate / Hz):.2f} Hz, "
          f"mean threshold at the end {float(np.mean(neurons.vt / mV)):.3f} mV")
    os.makedirs(out_dir, exist_ok=True)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    top.plot(trace.t / ms, trace.v[0] / mV, label="v")
    top.plot(trace.t / ms, trace.vt[0] / mV, label="threshold")
    first = spikes.i == 0
    top.plot(spikes.t[first] / ms, spikes.v[first] / mV, "o", label="crossings")
    top.set_ylabel("mV")
    top.legend(loc="upper right")
    bottom.plot(spikes.t / ms, spikes.i, ".k", ms=2)
    bottom.set_xlabel("Time (ms)")
    bottom.set_ylabel("Neuron index")
    fig.savefig(os.path.join(out_dir, "adaptive_threshold.png"), dpi=80)
    plt.close(fig)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
