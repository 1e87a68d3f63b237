"""Electrically coupled neurons: ten leaky integrate-and-fire cells, all
pairs joined by gap junctions, whose current is a (summed) synaptic
variable, I_gap = sum over junctions of g*(v_pre - v_post). The cells start
spread out in v and pull each other towards synchrony.

    python examples/gap_junctions.py [out_dir]

Prints the spike counts and the final v of each cell (the same as Brian2
2.9.0's, see tests/test_examples.py) and saves the traces of two cells.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")


def main(out_dir: str = os.path.join("out", "gap_junctions")):
    from nerve import NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, run

    n = 10
    tau = 10 * ms
    drive = 1.05  # noqa: F841 (used by the model)
    model = """
    dv/dt = (drive - v + I_gap)/tau : 1
    I_gap : 1
    """
    cells = NeuronGroup(n, model, threshold="v > 1", reset="v = 0", method="exact")
    cells.v = "i*1.0/(n - 1)"
    junctions = Synapses(cells, cells, """
    g : 1
    I_gap_post = g*(v_pre - v_post) : 1 (summed)
    """)
    junctions.connect()
    junctions.g = 0.02
    spikes = SpikeMonitor(cells)
    trace = StateMonitor(cells, "v", record=[0, n - 1])
    run(500 * ms)
    print("spike counts:", spikes.count[:].tolist())
    print("final v:", cells.v[:].tolist())

    import matplotlib.pyplot as plt

    os.makedirs(out_dir, exist_ok=True)
    for k in range(2):
        plt.plot(trace.t / ms, trace.v[k], label=f"cell {trace.record[k]}")
    plt.xlabel("Time (ms)")
    plt.ylabel("v")
    plt.legend()
    path = os.path.join(out_dir, "traces.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path})")
    return spikes.count[:], cells.v[:]


if __name__ == "__main__":
    main(*sys.argv[1:])
