"""A parameter sweep as a loop of runs: how the output rate of a neuron driven
by 200 Poisson inputs depends on the synaptic weight.

    python examples/parameter_sweep.py [out_dir]

The network is built once and its initial state saved with ``store()``;
each pass of the loop goes back to that state with ``restore()``, sets the
weight and runs again. ``restore()`` draws new random numbers by default, so
each weight sees other input spikes (pass ``restore_random_state=True`` to
replay the same ones). With ``NERVE_EXAMPLES_SHORT=1`` each run lasts 200 ms
instead of 2 s.

A sweep over many values of a neuron parameter can also be done in a single
run, with one neuron per value (see examples/if_curve.py); a loop of runs is
the way when the parameter belongs to the whole network, as here.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"


def main(out_dir: str = os.path.join("out", "parameter_sweep")) -> list[float]:
    import matplotlib.pyplot as plt
    import numpy as np

    from nerve import (Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, mV, ms, restore,
                       run, second, seed, store)

    seed(2)
    duration = (200 if SHORT else 2000) * ms
    tau, v_rest, v_threshold = 20 * ms, -70 * mV, -54 * mV
    inputs = PoissonGroup(200, rates=10 * Hz)
    neuron = NeuronGroup(1, "dv/dt = (v_rest - v)/tau : volt", threshold="v > v_threshold",
                         reset="v = v_rest", refractory=2 * ms, method="exact")
    neuron.v = v_rest
    synapses = Synapses(inputs, neuron, "w : volt", on_pre="v += w")
    synapses.connect()
    output = SpikeMonitor(neuron)
    store()  # the network as built: every later run starts from here

    weights = np.linspace(0.2, 2.0, 10) * mV
    rates = []
    for weight in weights:
        restore()
        synapses.w = weight
        run(duration)
        rates.append(float(output.num_spikes / duration / Hz))
        print(f"w = {weight / mV:.1f} mV: {rates[-1]:.1f} Hz")

    os.makedirs(out_dir, exist_ok=True)
    plt.figure(figsize=(5, 3.5))
    plt.plot(weights / mV, rates, "o-k")
    plt.xlabel("Synaptic weight (mV)")
    plt.ylabel("Output rate (Hz)")
    plt.tight_layout()
    path = os.path.join(out_dir, "rate_vs_weight.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path}; {len(weights)} runs of {duration / second:g} s)")
    return rates


if __name__ == "__main__":
    main(*sys.argv[1:])
