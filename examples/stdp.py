"""Spike-timing-dependent plasticity after Song, Miller & Abbott (2000): one
conductance-based integrate-and-fire neuron driven by 1000 Poisson inputs at
15 Hz through plastic synapses. Pre- and postsynaptic traces are
(event-driven) synaptic variables; the weights are clipped to [0, gmax] and
spread towards the two bounds.

    python examples/stdp.py [duration_s] [seed] [out_dir]

Prints the fractions of weights near 0 and near gmax, their mean and the
output rate (compared with Brian2 2.9.0's in tests/test_examples.py), and
saves the weight histogram. With ``NERVE_EXAMPLES_SHORT=1`` the default run
lasts 1 s.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"  # a quick run (CI)


def main(duration_s: float = 1.0 if SHORT else 20.0, seed_value: int = 1,
         out_dir: str = os.path.join("out", "stdp")):
    import numpy as np

    from nerve import Hz, NeuronGroup, SpikeMonitor, Synapses, ms, mV, run, second, seed

    seed(seed_value)
    n_inputs = 1000
    taum, taue = 10 * ms, 5 * ms
    taupre = taupost = 20 * ms
    Ee, vt, vr, El = 0 * mV, -54 * mV, -60 * mV, -74 * mV
    rate = 15 * Hz
    gmax = 0.01
    dApre = 0.01 * gmax
    dApost = -0.01 * taupre / taupost * 1.05 * gmax
    inputs = NeuronGroup(n_inputs, "rate : Hz", threshold="rand() < rate*dt")
    inputs.rate = rate
    neuron = NeuronGroup(1, """
    dv/dt = (ge*(Ee - v) + El - v)/taum : volt
    dge/dt = -ge/taue : 1
    """, threshold="v > vt", reset="v = vr", method="euler")
    neuron.v = vr
    plastic = Synapses(inputs, neuron, """
    w : 1
    dApre/dt = -Apre/taupre : 1 (event-driven)
    dApost/dt = -Apost/taupost : 1 (event-driven)
    """, on_pre="""
    ge += w
    Apre += dApre
    w = clip(w + Apost, 0, gmax)
    """, on_post="""
    Apost += dApost
    w = clip(w + Apre, 0, gmax)
    """)
    plastic.connect()
    plastic.w = "rand()*gmax"
    output = SpikeMonitor(neuron)
    run(duration_s * second)
    w = np.asarray(plastic.w[:]) / gmax
    print(f"near 0: {np.mean(w < 0.1):.3f}, near gmax: {np.mean(w > 0.9):.3f}, "
          f"mean w/gmax: {np.mean(w):.3f}, output rate: {output.num_spikes / duration_s:.1f} Hz")

    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    plt.hist(w, 20)
    plt.xlabel("w / gmax")
    plt.ylabel("Synapses")
    path = os.path.join(out_dir, "weights.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path})")
    return w


if __name__ == "__main__":
    args = sys.argv[1:]
    main(*(f(a) for f, a in zip((float, int, str), args)))
