"""Inputs: a PoissonGroup against the plain-C loop beside it
(``poisson_ref.c``: one uniform per neuron-step, compared with rate*dt,
spikes appended to a record), a PoissonInput's cost per neuron-step, and a
large SpikeGeneratorGroup (spikes emitted by the engine, no Python per
step).

    python benchmarks/inputs.py [--repeats 5] [--threads 1]

nerve and C are measured alternately in the same minutes (best of
``--repeats`` each), every measurement in a fresh process, so neighbours on
a shared machine affect both alike. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

POISSON_GROUP = """
import time
from nerve import *
defaultclock.dt = 0.1*ms
P = PoissonGroup({n}, rates={rate}*Hz)
M = SpikeMonitor(P)
net = Network(P, M)
net.run(1*ms)  # warm-up: first-run costs
t0 = time.perf_counter()
net.run({steps}*0.1*ms)
t1 = time.perf_counter()
print(t1 - t0, M.num_spikes)
"""

POISSON_INPUT = """
import time
from nerve import *
defaultclock.dt = 0.1*ms
G = NeuronGroup({n}, 'dv/dt = -v/(10*ms) : volt', method='exact')
net = Network(G)
if {sources}:
    P = PoissonInput(G, 'v', {sources}, {rate}*Hz, weight=0.1*mV)
    net.add(P)
net.run(1*ms)
t0 = time.perf_counter()
net.run({steps}*0.1*ms)
t1 = time.perf_counter()
print(t1 - t0, 0)
"""

SPIKE_GENERATOR = """
import time
import numpy as np
from nerve import *
defaultclock.dt = 0.1*ms
n = {n}
rng = np.random.default_rng(0)
SG = SpikeGeneratorGroup(n, np.arange(n), rng.integers(0, {steps}, n)*0.1*ms)
M = SpikeMonitor(SG)
net = Network(SG, M)
net.run(0*ms)  # warm-up: builds the spike table
t0 = time.perf_counter()
net.run({steps}*0.1*ms)
t1 = time.perf_counter()
print(t1 - t0, M.num_spikes)
"""


def nerve(code: str, threads: int) -> tuple[float, int]:
    env = dict(os.environ, NERVE_NUM_THREADS=str(threads),
               PYTHONPATH=str(ROOT / "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(out.stderr)
    seconds, count = out.stdout.split()
    return float(seconds), int(count)


def c_binary(build: Path) -> Path:
    binary = build / "poisson_ref"
    subprocess.run(["cc", "-O3", "-march=native", "-o", str(binary),
                    str(HERE / "poisson_ref.c")], check=True)
    return binary


def c_run(binary: Path, n: int, steps: int, rate: float) -> tuple[float, int]:
    out = subprocess.run([str(binary), str(n), str(steps), str(rate), "1e-4", "1"],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    return data["loop_s"][0], data["spikes"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, default=1000)
    args = ap.parse_args()
    n, steps, rate = args.n, args.steps, 10.0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        binary = c_binary(Path(tmp))
        ours, theirs = [], []
        for _ in range(args.repeats):  # alternate: both see the same load
            ours.append(nerve(POISSON_GROUP.format(n=n, rate=rate, steps=steps), args.threads))
            theirs.append(c_run(binary, n, steps, rate))
        t_n, t_c = min(t for t, _ in ours), min(t for t, _ in theirs)
        mns = n * steps / 1e6
        rows.append(f"| PoissonGroup N = {n:.0e}, {rate:g} Hz, {steps} steps, "
                    f"{args.threads} thread(s) | {mns / t_n:.0f} | {mns / t_c:.0f} | "
                    f"{t_c / t_n:.2f}x | spikes {ours[0][1]} / {theirs[0][1]} |")
    m, steps_in = 100_000, 1000
    base = min(nerve(POISSON_INPUT.format(n=m, sources=0, rate=10, steps=steps_in),
                     args.threads)[0] for _ in range(args.repeats))
    for sources, rate_in in ((1000, 10.0), (1000, 100.0)):
        t = min(nerve(POISSON_INPUT.format(n=m, sources=sources, rate=rate_in, steps=steps_in),
                      args.threads)[0] for _ in range(args.repeats))
        per = (t - base) / (m * steps_in) * 1e9
        rows.append(f"| PoissonInput N = {sources} sources at {rate_in:g} Hz onto {m:.0e} "
                    f"neurons, {steps_in} steps | {m * steps_in / 1e6 / t:.0f} | -- | -- | "
                    f"{per:.1f} ns per neuron-step above the group alone "
                    f"({m * steps_in / 1e6 / base:.0f} M/s) |")
    t, count = min(nerve(SPIKE_GENERATOR.format(n=m, steps=steps_in), args.threads)
                   for _ in range(args.repeats))
    rows.append(f"| SpikeGeneratorGroup {m:.0e} neurons, one spike each over {steps_in} "
                f"steps | -- | -- | -- | {t * 1e3:.1f} ms for the run ({count} spikes, "
                f"{t / steps_in * 1e6:.1f} µs per step) |")
    print("| benchmark | nerve M neuron-steps/s | C M neuron-steps/s | nerve / C | notes |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
