"""A parameter sweep with ``nerve.sweep``: the firing rate of Brian2's
tutorial part 3 neuron (a leaky integrate-and-fire neuron driven by 100
Poisson inputs) against its membrane time constant, with several trials
(seeds) per value.

    python examples/sweep_tutorial3.py [out_dir] [--dask]

The tutorial builds the network again for each ``tau`` in a loop of runs.
Here ``build`` makes one copy of the network for one parameter set, and
``nerve.sweep`` simulates all 30 x 5 copies together in a single run, each
copy with its own seed (derived from the sweep's seed and the copy's number,
so any copy can be re-run alone). ``--dask`` runs the same sweep on a Dask
``LocalCluster`` of one worker process per core (``pip install
'nerve[distributed]'``); the numbers are the same. With
``NERVE_EXAMPLES_SHORT=1`` each run lasts 200 ms instead of 1 s.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("MPLBACKEND", "Agg")
SHORT = os.environ.get("NERVE_EXAMPLES_SHORT") == "1"


def build(tau, trial):
    """One copy of the tutorial's network (``trial`` only numbers the
    repetitions: each copy has its own seed anyway)."""
    from nerve import Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses

    num_inputs = 100
    input_rate = 10 * Hz
    weight = 0.1
    P = PoissonGroup(num_inputs, rates=input_rate)
    eqs = """
    dv/dt = -v/tau : 1
    """
    G = NeuronGroup(1, eqs, threshold="v>1", reset="v=0", method="exact")
    S = Synapses(P, G, on_pre="v += weight")
    S.connect()
    M = SpikeMonitor(G)
    return {"M": M}


def main(out_dir: str = os.path.join("out", "sweep_tutorial3"), dask: bool = False):
    import time

    import matplotlib.pyplot as plt
    import numpy as np

    import nerve
    from nerve import ms, second

    duration = (0.2 if SHORT else 1.0) * second
    table = nerve.grid(tau=np.linspace(1, 10, 30) * ms, trial=range(5))
    start = time.perf_counter()
    result = nerve.sweep(build, table, duration, seed=2024, client="local" if dask else None)
    elapsed = time.perf_counter() - start

    frame = result.to_pandas()  # one row per copy: tau (in seconds), trial, seed, M.num_spikes
    frame["rate"] = frame["M.num_spikes"] / float(duration / second)
    rates = frame.groupby("tau")["rate"].agg(["mean", "std"])
    print(f"{len(result)} copies ({len(rates)} values of tau x 5 trials) of "
          f"{float(duration / second):g} s in {elapsed:.2f} s"
          f"{' on a Dask LocalCluster' if dask else ' (one batched run)'}")
    for tau, row in rates.iloc[::6].iterrows():
        print(f"tau = {tau * 1000:4.1f} ms: {row['mean']:5.1f} +- {row['std']:4.1f} sp/s")
    print(f"seed of copy 0: {result.seeds[0]} (seed({result.seeds[0]}) and build(**"
          f"{{'tau': {result.params[0]['tau']}, 'trial': 0}}) then run() repeats it)")

    os.makedirs(out_dir, exist_ok=True)
    plt.figure(figsize=(5, 3.5))
    plt.errorbar(rates.index * 1000, rates["mean"], yerr=rates["std"], fmt="o-k", ms=3,
                 capsize=2)
    plt.xlabel(r"$\tau$ (ms)")
    plt.ylabel("Firing rate (sp/s)")
    plt.title("mean and standard deviation over 5 trials", fontsize=9)
    plt.tight_layout()
    path = os.path.join(out_dir, "rate_vs_tau.png")
    plt.savefig(path, dpi=80)
    print(f"(figure saved to {path})")
    return rates


if __name__ == "__main__":
    paths = [a for a in sys.argv[1:] if a != "--dask"]
    main(paths[0] if paths else os.path.join("out", "sweep_tutorial3"),
         dask="--dask" in sys.argv[1:])
