"""The speed goals of the sweeps issue (issue 17).

    python benchmarks/sweeps.py                       # both parts, 3 rounds
    python benchmarks/sweeps.py --part batched --loop 200 --rounds 2
    python benchmarks/sweeps.py --part dask --points 64

(a) ``batched``: K copies (default 1000) of a 100-neuron network (the noisy
LIF of the tutorial's "Stochastic neurons" cell, ``lif_noise`` in
``models.py``, with a SpikeMonitor) built by a sweep's build function and
simulated in one batched run as a sweep's batch runs them (fused into one
group of K*100 neurons and one monitor, ``nerve.sweeps.fuse``; the build
includes the fusing, and giving each copy its results after the run is timed
too), against one group of K*100 neurons of the same
model (one SpikeMonitor), and against K separate runs of one copy in a loop
(build and run, as a script's loop would; ``--loop n`` times n of them and
scales to K). Throughput is neuron-steps per second of the run (``run()``
only), and the whole (build + run) is reported too, and a second ``run()`` of the same network
(the engine's steps without the first run's preparation); ``nerve.sweep`` itself
(build, run, default measure) is timed as the user sees it.

(b) ``dask``: a sweep of ``--points`` (64) values of tau of Brian2's tutorial
part 3 model (100 Poisson inputs onto a LIF, 1 s) in this process (one
batched run) against the same sweep on a ``LocalCluster`` of 2 single-threaded
worker processes (started beforehand: its start-up is reported apart), with
the default batches (4 per worker) and with one batch per worker. The
overhead per task is measured with the same tasks on a 0.1 ms run.

Rounds interleave the variants; each figure is the best over the rounds (the
machine is shared). Results print as a table; ``--save`` also writes
``results/sweeps-<date>-<host>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

LIF_NOISE = """
dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
v0 : 1
"""


def lif_copy(n=100):
    """One copy: the noisy LIF group of ``n`` neurons and its SpikeMonitor."""
    from nerve import NeuronGroup, SpikeMonitor, ms

    tau = 10 * ms
    sigma = 0.2
    v0_max = 3.0
    G = NeuronGroup(n, LIF_NOISE, threshold="v > 1", reset="v = 0", refractory=5 * ms,
                    method="euler")
    G.v0 = "i*v0_max/(N-1)"
    M = SpikeMonitor(G)
    return {"M": M}


def tutorial3(tau):
    """Brian2's tutorial part 3 model, one value of tau."""
    from nerve import Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses

    num_inputs = 100
    input_rate = 10 * Hz
    weight = 0.1
    P = PoissonGroup(num_inputs, rates=input_rate)
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", threshold="v>1", reset="v=0", method="exact")
    S = Synapses(P, G, on_pre="v += weight")
    S.connect()
    M = SpikeMonitor(G)
    return {"M": M}


def _best(values):
    return min(values) if values else float("nan")


def batched(copies: int, neurons: int, duration_ms: float, loop: int, rounds: int) -> dict:
    import nerve
    from nerve import Network, ms, start_scope
    from nerve.sweeps.batch import build_copy
    from nerve.sweeps.fuse import fuse
    from nerve.sweeps.seeds import copy_seeds

    duration = duration_ms * ms
    steps = round(duration_ms / 0.1)
    seeds = copy_seeds(1, copies)
    fused_ok = False
    times: dict[str, list] = {k: [] for k in ("batched_build", "batched_run", "batched_warm_run",
                                              "batched_scatter",
                                              "big_build", "big_run", "big_warm_run",
                                              "loop_each", "sweep_total")}
    for _ in range(rounds):
        # K copies in one network, as one batch of a sweep runs them: fused into
        # one group when they allow it (they do here), else side by side
        start_scope()
        t0 = time.perf_counter()
        built = [build_copy(lif_copy, k, {"n": neurons}, int(seeds[k])) for k in range(copies)]
        fused = fuse(built)
        objects = fused.objects if fused is not None else [o for c in built for o in c.objects]
        net = Network(*objects)
        t1 = time.perf_counter()
        net.run(duration, namespace={})
        t2 = time.perf_counter()
        if fused is not None:
            fused.scatter()
        t3 = time.perf_counter()
        net.run(duration, namespace={})
        times["batched_warm_run"].append(time.perf_counter() - t3)
        times["batched_build"].append(t1 - t0)
        times["batched_run"].append(t2 - t1)
        times["batched_scatter"].append(t3 - t2)
        fused_ok = fused is not None
        del net, objects, built, fused
        # one group of K*n neurons
        start_scope()
        t0 = time.perf_counter()
        big = lif_copy(copies * neurons)
        net = Network(big["M"].source, big["M"])
        t1 = time.perf_counter()
        net.run(duration, namespace={"tau": 10 * ms, "sigma": 0.2, "v0_max": 3.0})
        t2 = time.perf_counter()
        net.run(duration, namespace={"tau": 10 * ms, "sigma": 0.2, "v0_max": 3.0})
        times["big_warm_run"].append(time.perf_counter() - t2)
        times["big_build"].append(t1 - t0)
        times["big_run"].append(t2 - t1)
        del net, big
        # separate runs in a loop (build and run each)
        t0 = time.perf_counter()
        for k in range(loop):
            start_scope()
            one = lif_copy(neurons)
            Network(one["M"].source, one["M"]).run(
                duration, namespace={"tau": 10 * ms, "sigma": 0.2, "v0_max": 3.0})
        times["loop_each"].append((time.perf_counter() - t0) / loop)
        # the whole sweep as a user calls it
        start_scope()
        t0 = time.perf_counter()
        result = nerve.sweep(lif_copy, {"n": [neurons] * copies}, duration, seed=1)
        times["sweep_total"].append(time.perf_counter() - t0)
        assert len(result) == copies and not result.failures
        del result
    best = {k: _best(v) for k, v in times.items()}
    work = copies * neurons * steps
    out = {
        "copies": copies, "neurons": neurons, "steps": steps, "loop_timed": loop,
        "fused": fused_ok,
        "seconds": best,
        "throughput_batched": work / best["batched_run"],
        "throughput_big": work / best["big_run"],
        "throughput_batched_warm": work / best["batched_warm_run"],
        "throughput_big_warm": work / best["big_warm_run"],
        "loop_total_estimate": best["loop_each"] * copies,
    }
    out["ratio_batched_vs_big"] = out["throughput_batched"] / out["throughput_big"]
    out["speedup_vs_loop"] = out["loop_total_estimate"] / (
        best["batched_build"] + best["batched_run"] + best["batched_scatter"])
    out["speedup_sweep_vs_loop"] = out["loop_total_estimate"] / best["sweep_total"]
    return out


def dask_part(points: int, rounds: int) -> dict:
    import numpy as np

    import nerve
    from nerve import ms, second

    try:
        import distributed
    except ImportError:
        return {"skipped": "distributed is not installed"}
    table = {"tau": np.linspace(1, 10, points) * ms}
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    startup = time.perf_counter() - t0
    # (warm the workers: imports, first preparation)
    nerve.sweep(tutorial3, table, 1 * ms, seed=3, client=client)
    times: dict[str, list] = {k: [] for k in ("serial", "dask_default", "dask_one_per_worker",
                                              "dask_tiny_default", "serial_tiny")}
    try:
        for _ in range(rounds):
            t = time.perf_counter()
            serial = nerve.sweep(tutorial3, table, 1 * second, seed=3)
            times["serial"].append(time.perf_counter() - t)
            t = time.perf_counter()
            remote = nerve.sweep(tutorial3, table, 1 * second, seed=3, client=client)
            times["dask_default"].append(time.perf_counter() - t)
            t = time.perf_counter()
            nerve.sweep(tutorial3, table, 1 * second, seed=3, client=client,
                        batch_size=-(-points // 2))
            times["dask_one_per_worker"].append(time.perf_counter() - t)
            t = time.perf_counter()
            nerve.sweep(tutorial3, table, 0.1 * ms, seed=3, client=client)
            times["dask_tiny_default"].append(time.perf_counter() - t)
            t = time.perf_counter()
            nerve.sweep(tutorial3, table, 0.1 * ms, seed=3)
            times["serial_tiny"].append(time.perf_counter() - t)
            assert remote.to_pandas().equals(serial.to_pandas())
    finally:
        client.close()
        cluster.close()
    best = {k: _best(v) for k, v in times.items()}
    tasks = -(-points // -(-points // 8))  # default: 4 batches per worker, 2 workers
    return {
        "points": points, "cluster_startup": startup, "seconds": best, "tasks_default": tasks,
        "ratio_default": best["dask_default"] / best["serial"],
        "ratio_one_per_worker": best["dask_one_per_worker"] / best["serial"],
        # what a task costs beyond its work: tiny runs on 2 workers against tiny runs here
        "overhead_per_task": (best["dask_tiny_default"] - best["serial_tiny"] / 2) / tasks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=["batched", "dask", "both"], default="both")
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--duration-ms", type=float, default=100.0)
    parser.add_argument("--loop", type=int, default=1000,
                        help="separate runs timed (the time of K is scaled from them)")
    parser.add_argument("--points", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    results = {}
    if args.part in ("batched", "both"):
        r = batched(args.copies, args.neurons, args.duration_ms, args.loop, args.rounds)
        results["batched"] = r
        s = r["seconds"]
        print(f"(a) {r['copies']} copies x {r['neurons']} neurons, {r['steps']} steps")
        print(f"    batched ({'fused into one group' if r['fused'] else 'not fused'}): build "
              f"{s['batched_build']:.3f} s, run {s['batched_run']:.3f} s "
              f"-> {r['throughput_batched']:.3g} neuron-steps/s; results to the copies "
              f"{s['batched_scatter']:.3f} s")
        print(f"    one group of {r['copies'] * r['neurons']}: build {s['big_build']:.3f} s, "
              f"run {s['big_run']:.3f} s -> {r['throughput_big']:.3g} neuron-steps/s")
        print(f"    batched / one group throughput: {r['ratio_batched_vs_big']:.2f}x (first "
              f"run); a second run(): {s['batched_warm_run']:.3f} s against "
              f"{s['big_warm_run']:.3f} s: "
              f"{r['throughput_batched_warm'] / r['throughput_big_warm']:.2f}x")
        print(f"    separate runs: {s['loop_each'] * 1000:.2f} ms each (best of "
              f"{r['loop_timed']} timed) -> {r['loop_total_estimate']:.2f} s for {r['copies']}")
        print(f"    batched (build + run + results) vs loop: {r['speedup_vs_loop']:.1f}x faster; "
              f"nerve.sweep total {s['sweep_total']:.3f} s: {r['speedup_sweep_vs_loop']:.1f}x")
    if args.part in ("dask", "both"):
        r = dask_part(args.points, args.rounds)
        results["dask"] = r
        if "skipped" in r:
            print(f"(b) skipped: {r['skipped']}")
        else:
            s = r["seconds"]
            print(f"(b) {r['points']}-point sweep of tutorial part 3 (1 s each)")
            print(f"    serial (one batched run): {s['serial']:.3f} s")
            print(f"    LocalCluster, 2 workers, {r['tasks_default']} tasks: "
                  f"{s['dask_default']:.3f} s = {r['ratio_default']:.2f}x serial")
            print(f"    LocalCluster, one task per worker: {s['dask_one_per_worker']:.3f} s = "
                  f"{r['ratio_one_per_worker']:.2f}x serial")
            print(f"    overhead per task: {r['overhead_per_task'] * 1000:.1f} ms; cluster "
                  f"start-up {r['cluster_startup']:.2f} s (not counted)")
    if args.save:
        import machine

        stamp = datetime.date.today().isoformat()
        path = HERE / "results" / f"sweeps-{stamp}-{os.uname().nodename}.json"
        path.write_text(json.dumps({"machine": machine.describe() if hasattr(
            machine, "describe") else None, "results": results}, indent=1, default=str))
        print(f"(saved to {path})")


if __name__ == "__main__":
    main()
