"""One measurement in a fresh process: ``python worker.py '<json spec>'``.

Runs under the nerve environment or the Brian2 one (standard library only
besides the simulator). Prints one line ``@@RESULT {json}`` on stdout; anything
else the simulator prints is ignored by the harness.

Spec keys: ``sim`` ("nerve" or "brian2"), ``target`` (Brian2: "numpy",
"cython", "cpp_standalone"), ``mode`` ("baseline", "throughput", "ttfr"),
``model``, ``N``, ``steps``, ``warmup_steps``, ``repeats``, ``cache_dir``
(Cython cache), ``build_dir`` (C++ standalone project).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

T_PROCESS = time.perf_counter()

from models import DT_MS, MODELS  # noqa: E402  (the clock starts first)


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _import(spec: dict) -> dict:
    """``from <sim> import *`` into a fresh namespace, configured for the target."""
    ns: dict = {}
    exec(f"from {spec['sim']} import *", ns)
    if spec["sim"] == "brian2":
        prefs = ns["prefs"]
        prefs.logging.console_log_level = "ERROR"
        target = spec["target"]
        if target == "cpp_standalone":
            ns["set_device"]("cpp_standalone", directory=spec["build_dir"],
                             build_on_run=False)
            rss_file = os.path.join(spec["build_dir"], "main_maxrss.txt")
            # GNU time measures the binary alone (see cref.peak_rss_command)
            prefs.devices.cpp_standalone.run_cmd_unix = [
                "/usr/bin/time", "-f", "%M", "-o", rss_file, "./main"]
        else:
            prefs.codegen.target = target
            if target == "cython" and spec.get("cache_dir"):
                prefs.codegen.runtime.cython.cache_dir = spec["cache_dir"]
    return ns


def _run(ns: dict, steps: int) -> float:
    """Call ``run()`` for ``steps`` time steps from the model's namespace; wall seconds."""
    ns["_bench_duration"] = steps * DT_MS * ns["ms"]
    t0 = time.perf_counter()
    exec("run(_bench_duration)", ns)
    return time.perf_counter() - t0


def standalone_sweep(spec: dict) -> dict:
    """Brian2 C++ standalone: every size of one model in one project, one compile.

    Each size gets its own ``Network``; the timed run is bracketed by C++ code
    inserted into ``main`` that prints its wall time, so the loop is timed the
    same way as the other simulators' ``run()`` (after a warm-up run).
    """
    base = _import(spec)
    base["prefs"].codegen.cpp.headers += ["<chrono>", "<iostream>"]
    device = base["device"]
    device.insert_code("main", "std::chrono::steady_clock::time_point _bench_t0;")
    spaces = []
    for n, steps, warmup in spec["points"]:
        ns = dict(base)
        ns["N"] = n
        exec(MODELS[spec["model"]].source, ns)
        exec("_net = Network(*_objects) if '_objects' in dir() else Network(G, M)", ns)
        for k, part in enumerate((warmup, steps)):
            if k == 1:
                device.insert_code("main", "_bench_t0 = std::chrono::steady_clock::now();")
            ns["_bench_duration"] = part * DT_MS * ns["ms"]
            exec("_net.run(_bench_duration)", ns)
        device.insert_code("main", f'std::cout << "@@T {n} " << std::chrono::duration<double>'
                                   "(std::chrono::steady_clock::now() - _bench_t0).count()"
                                   " << std::endl;")
        spaces.append(ns)
    t0 = time.perf_counter()
    device.build(directory=spec["build_dir"], compile=True, run=True,
                 debug=False, with_output=False)
    build_total = time.perf_counter() - t0
    with open(os.path.join(spec["build_dir"], "main_maxrss.txt")) as f:
        main_rss = int(f.read().split()[-1])
    with open(os.path.join(spec["build_dir"], "results", "stdout.txt")) as f:
        timed = {int(w[1]): float(w[2]) for w in (ln.split() for ln in f) if w[:1] == ["@@T"]}
    points = []
    for (n, steps, warmup), ns in zip(spec["points"], spaces):
        spikes = int(ns["M"].num_spikes)
        points.append({"N": n, "steps": steps, "run_s": [timed[n]], "num_spikes": spikes,
                       "rate_hz": spikes / (n * (steps + warmup) * DT_MS * 1e-3)})
    compile_s = sum(v for v in device.timers["compile"].values() if v)
    return {"points": points, "build_total_s": build_total, "compile_s": compile_s,
            "run_binary_s": device.timers["run_binary"], "main_maxrss_kib": main_rss}


def throughput(spec: dict) -> dict:
    """Build the model at size N, warm up, then time short and long runs.

    The short runs (``warmup_steps`` steps) measure the fixed cost of a
    ``run()`` call; the long ones (``steps``) the throughput. The marginal cost
    of a step is the difference of the best times divided by the extra steps.
    """
    ns = _import(spec)
    ns["N"] = spec["N"]
    exec(MODELS[spec["model"]].source, ns)
    warmup, steps = spec["warmup_steps"], spec["steps"]
    out: dict = {"warmup_s": _run(ns, warmup)}
    short, long = [], []
    for _ in range(spec["repeats"]):
        short.append(_run(ns, warmup))
        long.append(_run(ns, steps))
    out["short_s"] = short
    out["run_s"] = long
    out["maxrss_kib"] = _maxrss_kib()
    total_steps = warmup + (warmup + steps) * spec["repeats"]
    out["num_spikes"] = int(ns["M"].num_spikes)
    out["rate_hz"] = out["num_spikes"] / (spec["N"] * total_steps * DT_MS * 1e-3)
    if spec["sim"] == "nerve":
        out.update(synapse_memory(ns))
    return out


def synapse_memory(ns: dict) -> dict:
    """nerve: the bytes its Synapses objects hold (variables, indices, spike
    queues' rows and delays) and their payload: two int32 indices and one
    float64 per variable (``delay`` included: Brian2 keeps it per synapse)."""
    from nerve import Synapses

    found = {id(v): v for v in ns.values() if isinstance(v, Synapses)}
    held = payload = count = 0
    for S in found.values():
        columns = S._columns.values()
        held += sum(c.nbytes for c in columns) + S._pre.nbytes + S._post.nbytes
        held += sum(q.nbytes() for q in S._queues.values())
        payload += S.N * (8 + 8 * len(S._columns))
        count += S.N
    if not found:
        return {}
    return {"synapses": count, "synapse_bytes": held, "synapse_payload_bytes": payload}


def ttfr(spec: dict) -> dict:
    """Import, build and run the tutorial-sized model; time each part."""
    t_start = time.perf_counter()
    ns = _import(spec)
    t_imported = time.perf_counter()
    model = MODELS[spec["model"]]
    ns["N"] = model.tutorial_n
    exec(model.source, ns)
    steps = int(round(model.tutorial_ms / DT_MS))
    _run(ns, steps)
    if spec.get("target") == "cpp_standalone":
        ns["device"].build(directory=spec["build_dir"], compile=True, run=True,
                           debug=False, with_output=False)
    n_spikes = int(ns["M"].num_spikes)  # the first result
    t_done = time.perf_counter()
    return {"startup_s": t_start - T_PROCESS, "import_s": t_imported - t_start,
            "after_import_s": t_done - t_imported, "num_spikes": n_spikes}


def baseline(spec: dict) -> dict:
    """An idle process that only imports the simulator."""
    _import(spec)
    return {"maxrss_kib": _maxrss_kib()}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    threads = spec.get("threads")
    if spec["sim"] == "nerve" and threads:
        os.environ["NERVE_NUM_THREADS"] = str(threads)
    modes = {"baseline": baseline, "throughput": throughput, "ttfr": ttfr,
             "standalone_sweep": standalone_sweep}
    result = modes[spec["mode"]](spec)
    sys.stdout.flush()
    print("@@RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
