"""Threads that never hurt: one thread against the default, beside a busy neighbour.

    python benchmarks/busy_neighbour.py                       # 1e5 neurons, 1 s, 5 repetitions
    python benchmarks/busy_neighbour.py --n 1e6 --duration-ms 200 --repeats 3
    python benchmarks/busy_neighbour.py --neighbours none,pinned --threads 1,0,2

For each neighbour setting, a separate process burning one core is started
(``none``: no neighbour; ``unpinned``: the scheduler places it; ``pinned``:
pinned to the last CPU this process may use, which the engine's threads may
also use), then one worker process builds the model (``lif_exact`` of
``models.py`` by default) and times ``run()`` of ``--duration-ms`` of
simulated time for each thread setting in turn (``0``: nerve's default),
interleaved, ``--repeats`` times, after a warm-up run. The table gives the
median wall time of each setting and its ratio to one thread. The machine's
other load is not controlled: compare settings of one invocation only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

BURN = "while True:\n    pass\n"

WORKER = """
import json, sys, time
sys.path.insert(0, {here!r})
from models import MODELS
ns = {{}}
exec('from nerve import *', ns)
ns['N'] = {n}
exec(MODELS[{model!r}].source, ns)
ns['_duration'] = {duration_ms} * ns['ms']
def timed(threads):
    ns['set_num_threads'](threads)
    t0 = time.perf_counter()
    exec('run(_duration)', ns)
    return time.perf_counter() - t0
for threads in {threads!r}:
    timed(threads)  # warm-up (first-run costs, page faults)
times = {{t: [] for t in {threads!r}}}
for _ in range({repeats}):
    for threads in {threads!r}:
        times[threads].append(timed(threads))
print('@@RESULT ' + json.dumps({{str(k): v for k, v in times.items()}}), flush=True)
"""


def start_neighbour(mode: str) -> subprocess.Popen | None:
    """A process burning one core (``mode``: none, unpinned or pinned)."""
    if mode == "none":
        return None
    proc = subprocess.Popen([sys.executable, "-c", BURN])
    if mode == "pinned":
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(proc.pid, {cpus[-1]})
    time.sleep(0.2)  # let it get going
    return proc


def measure(args: argparse.Namespace, mode: str) -> dict[int, list[float]]:
    """Wall seconds of each run, per thread setting, with neighbour ``mode``."""
    code = WORKER.format(here=str(HERE), n=args.n, model=args.model,
                         duration_ms=args.duration_ms, threads=args.threads,
                         repeats=args.repeats)
    neighbour = start_neighbour(mode)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=False)
    finally:
        if neighbour is not None:
            neighbour.kill()
            neighbour.wait()
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("@@RESULT "):
            raw = json.loads(line[len("@@RESULT "):])
            return {int(k): v for k, v in raw.items()}
    raise RuntimeError(f"the worker failed: {out.stderr.strip()[-2000:]}")


def _list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=lambda s: int(float(s)), default=100_000,
                   help="number of neurons (default 1e5)")
    p.add_argument("--duration-ms", type=float, default=1000.0,
                   help="simulated time of each timed run, ms (default 1000)")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per setting (default 5)")
    p.add_argument("--model", default="lif_exact", help="a model of models.py")
    p.add_argument("--threads", type=lambda s: [int(t) for t in _list(s)], default=[1, 0],
                   help="thread settings, 0 = nerve's default (default 1,0)")
    p.add_argument("--neighbours", type=_list, default=["none", "unpinned", "pinned"],
                   help="neighbour settings: none, unpinned, pinned")
    p.add_argument("--json", type=Path, help="also write every time to this file")
    args = p.parse_args(argv)
    for mode in args.neighbours:
        if mode not in ("none", "unpinned", "pinned"):
            p.error(f"unknown neighbour setting {mode!r} (none, unpinned or pinned)")

    print(f"{args.model}, N = {args.n}, {args.duration_ms:g} ms simulated, "
          f"{args.repeats} repetitions, CPUs usable: {len(os.sched_getaffinity(0))}")
    name = {0: "default"}
    head = "neighbour  " + "".join(f"{name.get(t, f'{t} thr'):>12}" for t in args.threads)
    print(head + "   (median wall s; ratio to 1 thread)")
    results = {}
    for mode in args.neighbours:
        times = measure(args, mode)
        results[mode] = times
        med = {t: statistics.median(v) for t, v in times.items()}
        one = med.get(1)
        cells = []
        for t in args.threads:
            ratio = f" ({med[t] / one:.2f})" if one and t != 1 else ""
            cells.append(f"{med[t]:.3f}{ratio}".rjust(12 if not ratio else 19))
        print(f"{mode:<11}" + " ".join(cells), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                         "times": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
