"""The network goals of the Synapses issue: nerve against the plain-C
reference (``shared/bench-ref/cuba_ref.c``) on Brian2's CUBA network, in the
same minutes, plus the plastic network (STDP) and synapse memory.

    python benchmarks/networks.py                        # N = 4000 and 400,000, 3 rounds
    python benchmarks/networks.py --sizes 4000 --rounds 5 --no-save

Each round runs, for every size in turn: the C reference (one repeat: its
build and its run), then nerve in a fresh process per thread count (import;
build = the groups and ``connect()``; a first ``run()`` of the duration, as a
script sees it; a second one, warm), then, at N = 4000, the whole CUBA script
in a fresh process timed from outside (interpreter start, import, build, 1 s
of simulation). Interleaving keeps the comparison fair on a shared machine;
each figure is the best over the rounds. The CUBA model text is
``models.py``'s (the C reference hard-codes the same network): 1 s of
biological time at N = 4000, 0.1 s at N = 400,000 (K = 80 synapses per
neuron). The STDP network (``models.py``'s ``stdp``, N Poisson inputs onto one
neuron) is timed with nerve only (Brian2 with ``--brian2``).

Results go to ``results/networks-<date>-<host>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cref  # noqa: E402
import machine  # noqa: E402
from models import MODELS  # noqa: E402

#: biological time simulated at each size (ms), as in the issue's figures
DURATION_MS = {4000: 1000.0}
DEFAULT_DURATION_MS = 100.0

#: what a worker process runs: build the model, time two run() calls
_WORKER = r"""
import json, os, sys, time
t0 = time.perf_counter()
exec("from %(sim)s import *")
if "%(sim)s" == "brian2":
    prefs.codegen.target = "cython"
    prefs.logging.console_log_level = "ERROR"
t1 = time.perf_counter()
N = %(N)d
exec(%(source)r)
t2 = time.perf_counter()
net = Network(*_objects)
net.run(%(ms)r*ms)
t3 = time.perf_counter()
net.run(%(ms)r*ms)
t4 = time.perf_counter()
out = {"import_s": t1 - t0, "build_s": t2 - t1, "run1_s": t3 - t2, "run2_s": t4 - t3,
       "spikes": int(M.num_spikes)}
if "%(sim)s" == "nerve":
    sys.path.insert(0, %(here)r)
    from worker import synapse_memory
    out.update(synapse_memory(dict(globals())))
print("@@RESULT " + json.dumps(out), flush=True)
"""

#: the whole CUBA script, as a user runs it (no plotting)
_SCRIPT = r"""
from nerve import *
N = 4000
exec(%(source)r)
run(1*second)
print(M.num_spikes)
"""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def nerve_point(python: str, sim: str, model: str, n: int, ms: float,
                threads: int) -> dict:
    code = _WORKER % {"sim": sim, "N": n, "source": MODELS[model].source, "ms": ms,
                      "here": str(HERE)}
    env = dict(os.environ, NERVE_NUM_THREADS=str(threads))
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines():
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):])
    raise RuntimeError(out.stderr.strip().splitlines()[-1:] or "no output")


def whole_script(python: str) -> float:
    code = _SCRIPT % {"source": MODELS["cuba"].source}
    t0 = time.perf_counter()
    subprocess.run([python, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t0


def c_point(binary: Path, n: int, ms: float) -> dict:
    out = subprocess.run([str(binary.parent / "cuba_ref"), "--N", str(n), "--duration-ms",
                          repr(ms), "--repeats", "1"], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def best(points: list[dict], key: str) -> float | None:
    values = [p[key] for p in points if p.get(key) is not None]
    return min(values) if values else None


def measure(args) -> dict:
    results: dict = {"cuba": {}, "script_s": [], "stdp": {}}
    with tempfile.TemporaryDirectory() as tmp:
        binary = cref.build(args.c_ref_dir, Path(tmp) / "c-build")
        for r in range(args.rounds):
            for n in args.sizes:
                ms = DURATION_MS.get(n, DEFAULT_DURATION_MS)
                entry = results["cuba"].setdefault(str(n), {"duration_ms": ms, "c": []})
                c = c_point(binary, n, ms)
                entry["c"].append(c)
                log(f"round {r} N={n}: C build {c['build_s']:.3f} s run {c['run_s']:.3f} s")
                for t in args.threads:
                    p = nerve_point(sys.executable, "nerve", "cuba", n, ms, t)
                    entry.setdefault(f"nerve-{t}t", []).append(p)
                    log(f"  nerve {t}t: build {p['build_s']:.3f} s run {p['run1_s']:.3f} / "
                        f"{p['run2_s']:.3f} s (first / second)  spikes {p['spikes']}")
            if 4000 in args.sizes:
                s = whole_script(sys.executable)
                results["script_s"].append(s)
                log(f"  whole CUBA script, N = 4000: {s:.3f} s")
        for n in (n for n in args.stdp_sizes if n > 0):  # (0: no STDP network)
            ms = args.stdp_ms
            entry = results["stdp"].setdefault(str(n), {"duration_ms": ms})
            for r in range(args.rounds):
                p = nerve_point(sys.executable, "nerve", "stdp", n, ms, 1)
                entry.setdefault("nerve", []).append(p)
                log(f"stdp N={n}: nerve build {p['build_s']:.3f} s run {p['run1_s']:.3f} / "
                    f"{p['run2_s']:.3f} s")
                if args.brian2:
                    b = nerve_point(args.brian2_python, "brian2", "stdp", n, ms, 1)
                    entry.setdefault("brian2-cython", []).append(b)
                    log(f"  brian2 cython: build {b['build_s']:.3f} s run {b['run1_s']:.3f}"
                        f" / {b['run2_s']:.3f} s")
    return results


def _held_over_payload(mem: dict) -> str:
    """Synapse bytes held over their payload, for a table cell."""
    if not mem.get("synapse_payload_bytes"):
        return "–"
    return f"{mem['synapse_bytes'] / mem['synapse_payload_bytes']:.3f}"


def render(results: dict, info: dict) -> str:
    lines = [f"# Networks: nerve and the C reference, {results['date']}", "",
             f"Machine: {machine.one_line(info)}; load average at end "
             f"{info.get('load_average_end', ['?'])[0]}. Best of {results['rounds']} "
             f"interleaved rounds (C, then nerve, per round).", "",
             "## CUBA (K = 80), seconds", "",
             "| N | simulated | C build | C run | threads | nerve build | build / C | "
             "first run() | second run() | second / C | synapses held / payload |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    goals = []
    for n, entry in results["cuba"].items():
        cb, cr = best(entry["c"], "build_s"), best(entry["c"], "run_s")
        one = None
        for key in [k for k in entry if k.startswith("nerve")]:
            pts = entry[key]
            nb, r1, r2 = best(pts, "build_s"), best(pts, "run1_s"), best(pts, "run2_s")
            mem = pts[-1]
            ratio = _held_over_payload(mem)
            lines.append(f"| {int(n):,} | {entry['duration_ms']:g} ms | {cb:.4f} | {cr:.4f} | "
                         f"{key[6:-1]} | {nb:.4f} | {nb / cb:.2f}x | {r1:.4f} | {r2:.4f} | "
                         f"{r2 / cr:.2f}x | {ratio} |")
            if key == "nerve-1t":
                one = r2
                # (the first run() is what a script sees: both must meet the goal)
                goals.append(f"run() at N = {int(n):,}, one thread: first run() {r1 / cr:.2f}x "
                             f"C's time, second {r2 / cr:.2f}x (goal <= 1.25x) "
                             + ("met" if max(r1, r2) / cr <= 1.25 else "MISSED"))
                if int(n) >= 400_000:
                    goals.append(f"build at N = {int(n):,}: {nb / cb:.2f}x C's (goal <= 2x) "
                                 + ("met" if nb / cb <= 2 else "MISSED"))
                if mem.get("synapse_payload_bytes"):
                    q = mem["synapse_bytes"] / mem["synapse_payload_bytes"]
                    goals.append(f"synapse memory at N = {int(n):,}: {q:.3f}x the payload "
                                 f"(goal <= 1.3x) " + ("met" if q <= 1.3 else "MISSED"))
            elif key == "nerve-2t" and one and int(n) >= 400_000:
                goals.append(f"two threads at N = {int(n):,}: {one / r2:.2f}x one thread "
                             f"(goal >= 1.6x) " + ("met" if one / r2 >= 1.6 else "MISSED"))
    if results["script_s"]:
        s = min(results["script_s"])
        lines += ["", f"Whole CUBA script at N = 4000 in a fresh process (interpreter start, "
                      f"import, build, 1 s simulated): best {s:.3f} s, all "
                      + ", ".join(f"{x:.3f}" for x in results["script_s"]) + " s."]
        goals.append(f"whole CUBA script at N = 4000: {s:.3f} s (goal <= 0.5 s) "
                     + ("met" if s <= 0.5 else "MISSED"))
    if results["stdp"]:
        lines += ["", "## STDP (Song et al. 2000: N Poisson inputs onto one neuron), seconds",
                  "", "| N | simulated | simulator | build | first run() | second run() | "
                  "synapses held / payload |", "|---|---|---|---|---|---|---|"]
        for n, entry in results["stdp"].items():
            for key in [k for k in entry if k != "duration_ms"]:
                pts = entry[key]
                ratio = _held_over_payload(pts[-1])
                lines.append(f"| {int(n):,} | {entry['duration_ms']:g} ms | {key} | "
                             f"{best(pts, 'build_s'):.4f} | {best(pts, 'run1_s'):.4f} | "
                             f"{best(pts, 'run2_s'):.4f} | {ratio} |")
    lines += ["", "## Goals", ""] + [f"- {g}" for g in goals]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", default="4000,400000")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--stdp-sizes", default="1000,10000",
                   help="numbers of STDP inputs (0: no STDP network)")
    p.add_argument("--stdp-ms", type=float, default=2000.0)
    p.add_argument("--brian2", action="store_true", help="also time STDP with Brian2 (Cython)")
    p.add_argument("--brian2-python", default="/work/brian2-venv/bin/python")
    p.add_argument("--c-ref-dir", type=Path, default=cref.DEFAULT_REF_DIR)
    p.add_argument("--results-dir", type=Path, default=HERE / "results")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args(argv)
    ints = lambda text: [int(float(x)) for x in text.split(",") if x]  # noqa: E731
    args.sizes, args.threads, args.stdp_sizes = (ints(args.sizes), ints(args.threads),
                                                 ints(args.stdp_sizes))
    started = datetime.datetime.now()
    info = machine.describe(c_compiler=cref.compiler_version())
    results = measure(args)
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results.update(date=started.isoformat(timespec="seconds"), rounds=args.rounds,
                   machine=info)
    text = render(results, info)
    print(text)
    if not args.no_save:
        args.results_dir.mkdir(parents=True, exist_ok=True)
        stem = f"networks-{started:%Y-%m-%d}-{info['host']}"
        (args.results_dir / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
        (args.results_dir / f"{stem}.md").write_text(text)
        log(f"results written to {args.results_dir / stem}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
