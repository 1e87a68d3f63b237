"""The I-f curve of a leaky integrate-and-fire neuron: firing rate against a
constant input current, for 100 currents at once (one neuron per current),
compared with the closed-form rate of the model.

    python examples/if_curve.py [out_dir]

With ``NERVE_EXAMPLES_SHORT=1`` the run lasts 200 ms instead of 1 s.

The model is dv/dt = (El - v + R*I)/tau with threshold vt, reset vr and a
refractory period tref. Above the rheobase (R*I > vt - El) the neuron fires
regularly with period

    T = tref + tau*log((El + R*I - vr)/(El + R*I - vt))

The simulated period is measured from the first and last spikes. On the
time grid it comes out up to one time step shorter than T (the refractory
period and the threshold crossing are both counted in whole steps); the
script prints the range. Brian2 2.9.0 gives the same spike counts
(tests/test_examples.py).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"


def main(out_dir: str = os.path.join("out", "if_curve")) -> tuple[float, float]:
    import matplotlib.pyplot as plt
    import numpy as np

    from nerve import (Mohm, NeuronGroup, SpikeMonitor, defaultclock, mV, ms, nA, run,
                       second)

    tau, R, tref = 10 * ms, 50 * Mohm, 2 * ms
    El, vt, vr = -70 * mV, -50 * mV, -70 * mV
    duration = (200 if SHORT else 1000) * ms
    eqs = """
    dv/dt = (El - v + R*I)/tau : volt (unless refractory)
    I : amp (constant)
    """
    neurons = NeuronGroup(100, eqs, threshold="v > vt", reset="v = vr", refractory=tref,
                          method="exact")
    neurons.v = El
    neurons.I = "2*nA*i/(N - 1)"  # 0 to 2 nA
    spikes = SpikeMonitor(neurons)
    run(duration)

    current = np.asarray(neurons.I[:] / nA)
    drive = El + R * neurons.I[:]
    above = np.asarray(drive > vt)
    period = np.full(len(current), np.inf) * second
    period[above] = tref + tau * np.log((drive[above] - vr) / (drive[above] - vt))
    expected = np.asarray(1 / period)
    # rate from the interval between the first and last spike (counts alone
    # would be off by up to one spike per run)
    measured = np.zeros(len(current))
    lag = []  # simulated minus analytic period, in time steps
    for index, times in spikes.spike_trains().items():
        if len(times) >= 2:
            measured_period = (times[-1] - times[0]) / (len(times) - 1)
            measured[index] = float(1 / measured_period)
            lag.append(float((measured_period - period[index]) / defaultclock.dt))
    silent_below = not spikes.count[~above].any()
    print(f"{above.sum()} of {len(current)} neurons above the rheobase "
          f"({float((vt - El) / R / nA):.2f} nA); below it, silent: {silent_below}")
    print(f"spike counts: {[int(c) for c in spikes.count[:]]}")
    print(f"simulated minus analytic period: {min(lag):.2f} to {max(lag):.2f} time steps")

    os.makedirs(out_dir, exist_ok=True)
    plt.figure(figsize=(5, 3.5))
    plt.plot(current, expected, "-", color="0.6", lw=3, label="analytic")
    plt.plot(current, measured, ".k", label="simulated")
    plt.xlabel("Input current (nA)")
    plt.ylabel("Firing rate (Hz)")
    plt.legend(frameon=False)
    plt.tight_layout()
    path = os.path.join(out_dir, "if_curve.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path}; {duration / second:g} s simulated)")
    return min(lag), max(lag)


if __name__ == "__main__":
    main(*sys.argv[1:])
