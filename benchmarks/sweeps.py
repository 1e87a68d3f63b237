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
part 3 model (100 Poisson inputs onto a LIF, 1 s) as a script runs it (one
batched run, in a plain process of its own, the engine's default threads;
also on 1 thread, and its CPU time over its wall time: the cores it keeps
busy) against the same sweep on a ``LocalCluster`` of 2 single-threaded
worker processes (started and warmed beforehand: its start-up and first
sweep are reported apart), with the default batches (one per worker) and
with 8 batches (4 per worker, the default before fused batches). The goal's ratio is the cluster's time over that
serial time. The serial sweep is also timed before the cluster starts, and
in this process, where the cluster's scheduler and nannies live (their
background work slows it). To tell Dask's cost from what 2 cores allow, the
two halves of the table run as serial sweeps in two plain processes at once
(a process pool, no Dask). Each timed sweep on the cluster starts 50 ms
after the previous one: one started at once waits up to 10 ms for Dask's
batched messages (the client sends at most one batch per 10 ms, and the end
of the previous sweep released its tasks); the default is also timed so,
right after another sweep ("back to back"). Dask's cost per task is the time
of 8 tasks over the default's 2, per extra task; its cost per sweep, the
default over the two plain processes; and per task with idle workers, from
sweeps of 0.1 ms cut into 2 and 32 tasks.

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


def _plain_sweep(taus_ms: list, seconds: float, start: float, threads: int) -> tuple:
    """(In a plain process of a pool: no Dask in it.) The serial sweep of
    ``taus_ms`` on ``threads`` engine threads (0: the default), begun at the
    time ``start``: its wall time and the CPU time of its process."""
    import numpy as np

    import nerve
    from nerve import ms, second

    nerve.set_num_threads(threads)
    table = {"tau": np.asarray(taus_ms) * ms}
    if start == 0:  # (warming up)
        nerve.sweep(tutorial3, table, 1 * ms, seed=3)
        return 0.0, 0.0
    while time.time() < start:
        time.sleep(0.0005)
    c, t = _cpu_seconds(), time.perf_counter()
    nerve.sweep(tutorial3, table, seconds * second, seed=3)
    return time.perf_counter() - t, _cpu_seconds() - c


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)  # (all threads of this process)
    return usage.ru_utime + usage.ru_stime


def dask_part(points: int, rounds: int) -> dict:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import numpy as np

    import nerve
    from nerve import ms, second

    try:
        import distributed
    except ImportError:
        return {"skipped": "distributed is not installed"}
    taus = np.linspace(1, 10, points)
    table = {"tau": taus * ms}
    half = -(-points // 2)
    halves = [list(taus[:half]), list(taus[half:])]
    load_before = os.getloadavg()
    # plain processes (no Dask in them) for the serial sweeps, and for the two
    # halves at once: what 2 cores allow without Dask
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    list(pool.map(_plain_sweep, halves, [0.001] * 2, [0.0] * 2, [0] * 2))

    def plain(parts, threads):
        start = time.time() + 0.02
        return list(pool.map(_plain_sweep, parts, [1.0] * len(parts), [start] * len(parts),
                             [threads] * len(parts)))

    before = [plain([list(taus)], 0)[0][0] for _ in range(3)]
    t0 = time.perf_counter()
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")
    client = distributed.Client(cluster)
    startup = time.perf_counter() - t0
    # the first sweep on fresh workers (imports, the first preparation of the model)
    t0 = time.perf_counter()
    nerve.sweep(tutorial3, table, 1 * ms, seed=3, client=client)
    first = time.perf_counter() - t0
    # (warm both workers whatever the scheduler's placement: one copy per task)
    nerve.sweep(tutorial3, table, 1 * ms, seed=3, client=client, batch_size=1)
    tiny_tasks = (2, 32)
    names = ("serial", "serial_1_thread", "serial_here", "dask_default", "dask_8_tasks",
             "dask_back_to_back", "two_processes", *(f"dask_tiny_{n}" for n in tiny_tasks))
    times: dict[str, list] = {k: [] for k in names}
    cores = []

    def on_dask(name, duration, batch_size=None, pause=True):
        if pause:
            # (a sweep started within 10 ms of the previous one's end waits for Dask's
            # batched messages: the client sends at most one batch per 10 ms, and the
            # previous sweep's end released its tasks; timed apart, as back_to_back)
            time.sleep(0.05)
        t = time.perf_counter()
        result = nerve.sweep(tutorial3, table, duration, seed=3, client=client,
                             batch_size=batch_size)
        times[name].append(time.perf_counter() - t)
        return result

    try:
        for _ in range(rounds):
            [(wall, cpu)] = plain([list(taus)], 0)
            times["serial"].append(wall)
            cores.append(cpu / wall)
            times["serial_1_thread"].append(plain([list(taus)], 1)[0][0])
            times["two_processes"].append(max(wall for wall, _ in plain(halves, 1)))
            t = time.perf_counter()
            serial = nerve.sweep(tutorial3, table, 1 * second, seed=3)
            times["serial_here"].append(time.perf_counter() - t)
            remote = on_dask("dask_default", 1 * second)
            on_dask("dask_back_to_back", 1 * second, pause=False)
            on_dask("dask_8_tasks", 1 * second, batch_size=-(-points // 8))
            for n in tiny_tasks:
                on_dask(f"dask_tiny_{n}", 0.1 * ms, batch_size=-(-points // n))
            assert remote.to_pandas().equals(serial.to_pandas())
    finally:
        pool.shutdown()
        client.close()
        cluster.close()
    best = {k: _best(v) for k, v in times.items()}
    best["serial_before_cluster"] = _best(before)
    tasks = 2  # the default: one batch per worker, 2 workers
    tiny_counts = [-(-points // -(-points // n)) for n in tiny_tasks]
    return {
        "points": points, "cluster_startup": startup, "first_sweep": first,
        "seconds": best, "tasks_default": tasks,
        "serial_cores_busy": sorted(cores)[len(cores) // 2],  # (median)
        "load_before": load_before, "load_after": os.getloadavg(),
        # the goal: the sweep on the cluster against the serial sweep as a script
        # runs it (a process of its own, the engine's default threads)
        "ratio_default": best["dask_default"] / best["serial"],
        "ratio_8_tasks": best["dask_8_tasks"] / best["serial"],
        "ratio_back_to_back": best["dask_back_to_back"] / best["serial"],
        "ratio_two_processes": best["two_processes"] / best["serial"],
        "ratio_serial_1_thread": best["serial_1_thread"] / best["serial"],
        # Dask's cost in the 1 s sweeps: the extra tasks of the default, and the
        # rest of one task per worker over the two plain processes
        "overhead_per_task": (best["dask_8_tasks"] - best["dask_default"]) / (8 - tasks),
        "overhead_per_sweep": best["dask_default"] - best["two_processes"],
        # ... and with (nearly) idle workers: sweeps of 0.1 ms in 2 and 32 tasks
        "overhead_per_task_tiny": (best["dask_tiny_32"] - best["dask_tiny_2"]) /
                                  (tiny_counts[1] - tiny_counts[0]),
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
            print(f"(b) {r['points']}-point sweep of tutorial part 3 (1 s each); load average "
                  f"{r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after")
            print(f"    serial (one batched run, in a process of its own, default engine threads): "
                  f"{s['serial']:.3f} s, {r['serial_cores_busy']:.2f} cores busy (CPU time / "
                  f"wall); on 1 engine thread: {s['serial_1_thread']:.3f} s = "
                  f"{r['ratio_serial_1_thread']:.2f}x; before the cluster started: "
                  f"{s['serial_before_cluster']:.3f} s; in this process (where the cluster's "
                  f"scheduler lives): {s['serial_here']:.3f} s")
            print(f"    LocalCluster, 2 workers, {r['tasks_default']} tasks (default): "
                  f"{s['dask_default']:.3f} s = {r['ratio_default']:.2f}x serial (goal: <= 0.6x; "
                  f"{s['dask_default'] / s['serial_1_thread']:.2f}x serial on 1 thread)")
            print(f"    LocalCluster, 8 tasks (4 per worker): {s['dask_8_tasks']:.3f} s = "
                  f"{r['ratio_8_tasks']:.2f}x serial "
                  f"({s['dask_8_tasks'] / s['serial_1_thread']:.2f}x on 1 thread)")
            print(f"    the default started at once after another sweep: "
                  f"{s['dask_back_to_back']:.3f} s = "
                  f"{s['dask_back_to_back'] / s['serial']:.2f}x serial")
            print(f"    the two halves in 2 plain processes at once (no Dask: what the 2 cores "
                  f"allow): {s['two_processes']:.3f} s = {r['ratio_two_processes']:.2f}x serial")
            print(f"    Dask's cost: {r['overhead_per_task'] * 1000:.1f} ms per task (8 tasks "
                  f"against the default 2), {r['overhead_per_sweep'] * 1000:.1f} ms per "
                  f"sweep (the default against the plain processes); "
                  f"{r['overhead_per_task_tiny'] * 1000:.1f} ms per task in sweeps of 0.1 ms")
            print(f"    first sweep on fresh workers {r['first_sweep']:.2f} s, cluster start-up "
                  f"{r['cluster_startup']:.2f} s (not counted)")
    if args.save:
        import machine

        stamp = datetime.date.today().isoformat()
        path = HERE / "results" / f"sweeps-{stamp}-{os.uname().nodename}.json"
        path.write_text(json.dumps({"machine": machine.describe() if hasattr(
            machine, "describe") else None, "results": results}, indent=1, default=str))
        print(f"(saved to {path})")


if __name__ == "__main__":
    main()
