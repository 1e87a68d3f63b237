"""What a Python function in a group's equations costs per time step.

Runs the same model three ways, interleaved, best of N: the drift written in
the model language, through a ``TimedArray`` (engine table lookup), and
through a ``@check_units`` Python function (one host call per step). Prints
the time per step of each and the difference, for a few group sizes.

    python benchmarks/host_functions.py [--repeats 5] [--steps 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20000)
    args = parser.parse_args()

    from nerve import (Network, NeuronGroup, TimedArray, check_units, ms, prefs,  # noqa: F401
                       set_num_threads)

    set_num_threads(1)

    @check_units(x=1, result=1)
    def halve(x):
        return 0.5 * x

    ta = TimedArray(np.full(10, 0.5), dt=1 * ms)
    models = {
        "language": "dv/dt = -0.5*v/ms : 1",
        "timedarray": "dv/dt = -ta(t)*v/ms : 1",
        "python": "dv/dt = -halve(v)/ms : 1",
    }
    for n in (1, 1000, 100_000):
        best = {k: float("inf") for k in models}
        for _ in range(args.repeats):
            for name, eqs in models.items():
                G = NeuronGroup(n, eqs, method="euler",
                                namespace={"halve": halve, "ta": ta})
                G.v = 1
                net = Network(G)
                net.run(1 * ms)  # compile and warm up
                start = time.perf_counter()
                net.run(args.steps * 0.1 * ms)
                best[name] = min(best[name], (time.perf_counter() - start) / args.steps)
        row = ", ".join(f"{k} {v * 1e6:.3f} us" for k, v in best.items())
        print(f"N = {n}: per step {row}; Python call costs "
              f"{(best['python'] - best['language']) * 1e6:.2f} us per step")


if __name__ == "__main__":
    main()
