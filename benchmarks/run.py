"""Benchmark nerve against Brian2 and a plain-C reference on the tutorial's models.

    python benchmarks/run.py --quick                  # smoke test, seconds
    python benchmarks/run.py --against brian2,c       # the full suite

Every measurement runs in a fresh process (``worker.py``): nerve with this
interpreter, Brian2 with ``--brian2-python`` (a separate environment, never a
dependency of nerve), the C reference as its own binary. Results go to
``benchmarks/results/<date>-<host>.json`` and ``benchmarks/results/latest.md``.
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
import report  # noqa: E402
from models import MODELS, SIZES, steps_for  # noqa: E402

BRIAN2_TARGETS = {"numpy": "brian2-numpy", "cython": "brian2-cython",
                  "cpp_standalone": "brian2-cpp"}

# neuron-steps per measurement, and the bounds on steps, per simulator: the
# slow targets get fewer steps so that the whole suite stays within minutes
BUDGETS = {"nerve": (2e8, 100, 50_000), "c": (2e8, 100, 50_000),
           "brian2-cpp": (1e8, 100, 50_000), "brian2-cython": (3e7, 20, 5_000),
           "brian2-numpy": (3e7, 20, 5_000)}
QUICK_BUDGET = (2e4, 5, 200)


class WorkerError(RuntimeError):
    """A measurement process failed; the message is the end of its stderr."""


def call_worker(python: str, spec: dict, timeout: float) -> tuple[dict, float]:
    """Run one measurement process; its result and its wall time end to end."""
    t0 = time.perf_counter()
    try:
        out = subprocess.run([python, str(HERE / "worker.py"), json.dumps(spec)],
                             capture_output=True, text=True, timeout=timeout, cwd=HERE)
    except subprocess.TimeoutExpired as exc:
        raise WorkerError(f"timed out after {timeout:.0f} s") from exc
    wall = time.perf_counter() - t0
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("@@RESULT "):
            return json.loads(line[len("@@RESULT "):]), wall
    tail = [ln for ln in out.stderr.strip().splitlines() if ln.strip()][-1:] or ["no output"]
    raise WorkerError(tail[0].strip())


class Suite:
    """One invocation: which simulators, models and sizes, and what was measured."""

    def __init__(self, args: argparse.Namespace, workdir: Path):
        self.args = args
        self.workdir = workdir
        self.records: list[dict] = []
        self.ttfr: list[dict] = []
        self.errors: list[dict] = []
        self.baselines: dict[str, int] = {}
        self.sims = [f"nerve-{t}t" if t != 1 else "nerve" for t in args.threads]
        against = set(args.against)
        if "brian2" in against:
            self.sims += [BRIAN2_TARGETS[t] for t in args.brian2_targets]
        if "c" in against:
            self.sims.append("c")
            self.c_binary = cref.build(args.c_ref_dir, workdir / "c-build")

    # ------------------------------------------------------------ helpers
    def log(self, msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    def plan(self, sim: str, n: int) -> tuple[int, int]:
        """(steps, warm-up steps) of a measurement."""
        family = "nerve" if sim.startswith("nerve") else sim
        budget = QUICK_BUDGET if self.args.quick else BUDGETS[family]
        steps = steps_for(n, neuron_steps=budget[0] * self.args.scale,
                          min_steps=budget[1], max_steps=budget[2])
        return steps, (2 if self.args.quick else 10)

    def spec(self, sim: str, **kw) -> tuple[str, dict]:
        """The interpreter and the base spec of a worker for ``sim``."""
        if sim.startswith("nerve"):
            threads = int(sim.split("-")[1][:-1]) if "-" in sim else 1
            return sys.executable, {"sim": "nerve", "threads": threads, **kw}
        target = next(t for t, name in BRIAN2_TARGETS.items() if name == sim)
        # one Cython cache per model: the first use compiles into it (the cold
        # time-to-first-result when measured), later processes reuse it
        cache = self.workdir / f"cython-{kw.get('model', 'none')}"
        base = {"sim": "brian2", "target": target, "cache_dir": str(cache), **kw}
        return self.args.brian2_python, base

    def error(self, what: dict, exc: Exception) -> None:
        self.errors.append({**what, "error": str(exc)})
        self.log(f"  {what}: FAILED: {exc}")

    # ------------------------------------------------------- measurements
    def baseline(self, sim: str) -> None:
        key = "nerve" if sim.startswith("nerve") else "brian2"
        if sim == "c" or key in self.baselines or sim == "brian2-cpp":
            return
        python, spec = self.spec(sim, mode="baseline")
        try:
            result, _ = call_worker(python, spec, self.args.timeout)
            self.baselines[key] = result["maxrss_kib"]
        except WorkerError as exc:
            self.error({"sim": sim, "mode": "baseline"}, exc)

    def time_to_first_result(self, sim: str, model: str) -> None:
        if sim == "c":
            return
        entry = {"model": model, "sim": sim}
        extra = {}
        if sim == "brian2-cpp":
            extra["build_dir"] = str(self.workdir / f"ttfr-{model}")
        try:
            if sim == "brian2-cython":  # first with a cold cache: Cython's compile time
                python, spec = self.spec(sim, mode="ttfr", model=model)
                if Path(spec["cache_dir"]).exists():
                    raise WorkerError(f"Cython cache {spec['cache_dir']} is not empty; "
                                      "use a fresh --workdir to measure the first run")
                cold, _ = call_worker(python, spec, self.args.timeout)
                entry["first_run_after_import_s"] = cold["after_import_s"]
            python, spec = self.spec(sim, mode="ttfr", model=model, **extra)
            result, wall = call_worker(python, spec, self.args.timeout)
        except WorkerError as exc:
            self.error({"sim": sim, "model": model, "mode": "ttfr"}, exc)
            return
        entry.update(result, process_s=wall)
        self.ttfr.append(entry)
        self.log(f"  {sim:14s} first result {result['after_import_s']:.3f} s after import"
                 f" ({wall:.2f} s process)")

    def throughput(self, sim: str, model: str) -> None:
        sizes = self.args.sizes
        if sim == "brian2-cpp":
            return self.standalone_sweep(model, sizes)
        for n in sizes:
            steps, warm = self.plan(sim, n)
            what = {"sim": sim, "model": model, "N": n, "steps": steps}
            if sim == "c" and model not in cref.MODELS:
                continue  # no C reference for this model
            try:
                if sim == "c":
                    result = cref.measure(self.c_binary, model, n, steps, self.args.repeats)
                else:
                    python, spec = self.spec(sim, mode="throughput", model=model, N=n,
                                             steps=steps, warmup_steps=warm,
                                             repeats=self.args.repeats)
                    result, _ = call_worker(python, spec, self.args.timeout)
            except (WorkerError, RuntimeError) as exc:
                self.error(what, exc)
                continue
            self.add_record(what, result, warm)

    def standalone_sweep(self, model: str, sizes: list[int]) -> None:
        points = [[n, *self.plan("brian2-cpp", n)] for n in sizes]
        python, spec = self.spec("brian2-cpp", mode="standalone_sweep", model=model,
                                 points=points,
                                 build_dir=str(self.workdir / f"standalone-{model}"))
        try:
            result, _ = call_worker(python, spec, self.args.timeout)
        except WorkerError as exc:
            self.error({"sim": "brian2-cpp", "model": model}, exc)
            return
        self.log(f"  brian2-cpp     build {result['compile_s']:.1f} s (compile, all sizes)")
        for point in result["points"]:
            what = {"sim": "brian2-cpp", "model": model, "N": point["N"],
                    "steps": point["steps"]}
            if point["N"] == max(sizes):  # one process ran every size: peak is the largest
                point["maxrss_kib"] = result["main_maxrss_kib"]
            point["compile_s"] = result["compile_s"]
            self.add_record(what, point, None)

    def add_record(self, what: dict, result: dict, warm: int | None) -> None:
        rec = {**what, **result, "warmup_steps": warm}
        n, steps = rec["N"], rec["steps"]
        best = min(rec["run_s"])
        rec["nsps"] = n * steps / best
        rec["us_per_step"] = best / steps * 1e6
        # marginal cost of a step: the long run minus the short one, when the
        # difference is clearly above timing noise
        if rec.get("short_s") and warm is not None and steps > warm:
            short = min(rec["short_s"])
            extra = best - short
            if extra > 0.1 * best:
                per_step = extra / (steps - warm)
                rec["us_per_step_marginal"] = per_step * 1e6
                rec["fixed_run_s"] = max(short - warm * per_step, 0.0)
        rss = rec.get("maxrss_kib")
        if rss is not None:
            key = "nerve" if rec["sim"].startswith("nerve") else "brian2"
            base = self.baselines.get(key, 0) if rec["sim"] not in ("c", "brian2-cpp") else 0
            rec["mem_mib"] = (rss - base) / 1024
        self.records.append(rec)
        self.log(f"  {rec['sim']:14s} N={n:<8d} {rec['nsps'] / 1e6:9.2f} M neuron-steps/s"
                 f" {rec['us_per_step']:10.2f} us/step  rate {rec['rate_hz']:.1f} Hz")

    def run(self) -> None:
        for sim in self.sims:
            self.baseline(sim)
        for model in self.args.models:
            self.log(f"== {model}")
            for sim in self.sims:
                if not self.args.no_ttfr:
                    self.time_to_first_result(sim, model)
                self.throughput(sim, model)


def _int_list(text: str) -> list[int]:
    return [int(float(x)) for x in text.split(",") if x]


def _str_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", type=_str_list, default=list(MODELS),
                   help="comma-separated subset of: " + ", ".join(MODELS))
    p.add_argument("--sizes", type=_int_list, default=None,
                   help="comma-separated numbers of neurons (default 1,100,1e3,...,1e6)")
    p.add_argument("--against", type=_str_list, default=[],
                   help="comma-separated: brian2, c")
    p.add_argument("--brian2-targets", type=_str_list, default=list(BRIAN2_TARGETS),
                   help="Brian2 targets to run (default: numpy,cython,cpp_standalone)")
    p.add_argument("--brian2-python", default="/work/brian2-venv/bin/python",
                   help="the interpreter of the Brian2 environment")
    p.add_argument("--c-ref-dir", type=Path, default=cref.DEFAULT_REF_DIR,
                   help="directory of neuron_ref.c and its Makefile")
    p.add_argument("--threads", type=_int_list, default=[1],
                   help="nerve thread counts to measure, e.g. 1,2 (NERVE_NUM_THREADS)")
    p.add_argument("--repeats", type=int, default=2, help="timed runs per point (best kept)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply every measurement's neuron-steps by this")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per process")
    p.add_argument("--no-ttfr", action="store_true", help="skip time to first result")
    p.add_argument("--quick", action="store_true",
                   help="smoke test: N = 1 and 100, a few hundred steps at most")
    p.add_argument("--workdir", type=Path, default=None,
                   help="where builds and caches go (default: a temporary directory)")
    p.add_argument("--results-dir", type=Path, default=HERE / "results")
    p.add_argument("--no-save", action="store_true",
                   help="print only; write no files (implied by --quick)")
    args = p.parse_args(argv)
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(MODELS)}")
    bad = [a for a in args.against if a not in ("brian2", "c")]
    if bad:
        p.error(f"--against takes brian2 and/or c, not {', '.join(bad)}")
    bad = [t for t in args.brian2_targets if t not in BRIAN2_TARGETS]
    if bad:
        p.error(f"unknown Brian2 target(s) {', '.join(bad)}; choose from "
                + ", ".join(BRIAN2_TARGETS))
    if args.sizes is None:
        args.sizes = [1, 100] if args.quick else list(SIZES)
    if args.quick:
        args.repeats = 1
    if "brian2" in args.against and not os.access(args.brian2_python, os.X_OK):
        p.error(f"--brian2-python {args.brian2_python} is not an executable")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.datetime.now()
    with tempfile.TemporaryDirectory(prefix="nerve-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        suite = Suite(args, workdir)
        info = machine.describe(
            brian2_python=args.brian2_python if "brian2" in args.against else None,
            c_compiler=cref.compiler_version() if "c" in args.against else None)
        t0 = time.perf_counter()
        suite.run()
        elapsed = time.perf_counter() - t0
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results = {"date": started.isoformat(timespec="seconds"), "machine": info,
               "config": {"models": args.models, "sizes": args.sizes, "sims": suite.sims,
                          "repeats": args.repeats, "quick": args.quick,
                          "scale": args.scale, "dt_ms": 0.1},
               "elapsed_s": elapsed, "baselines_kib": suite.baselines,
               "records": suite.records, "ttfr": suite.ttfr, "errors": suite.errors}
    text = report.render(results, markdown=False)
    print(text)
    if not (args.no_save or args.quick):
        args.results_dir.mkdir(parents=True, exist_ok=True)
        stem = f"{started:%Y-%m-%d}-{info['host']}"
        (args.results_dir / f"{stem}.json").write_text(json.dumps(results, indent=1) + "\n")
        (args.results_dir / "latest.md").write_text(report.render(results, markdown=True))
        print(f"results written to {args.results_dir / (stem + '.json')}", file=sys.stderr)
    return 1 if suite.errors and not suite.records else 0


if __name__ == "__main__":
    sys.exit(main())
