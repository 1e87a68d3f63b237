"""Speed of the model-language parser.

Two measurements, written to ``results/parse.md`` (and printed):

- **First parse in a fresh process**: a new interpreter imports
  ``nerve.equations``, parses one equation block and exits; the time from
  before the import to after the parse (wall clock and the process's CPU
  time), best of ``--repeats``. This is what a user pays for the parser tables
  on every script start. "cold": each process gets a new, empty temporary
  directory (``TMPDIR``); "warm": all share one, primed by a first process
  (this is where lark's ``cache=True``, used before, kept its pickle).
- **Throughput** (MB/s) on typical model text: the tutorial's equation
  blocks, thresholds and resets repeated into blocks of about 100 kB and
  parsed with ``parse_equations`` / ``parse_expression`` / ``parse_statements``
  in a warm process (parser built), best of ``--repeats``; the size counts
  the characters of the text. Shown per wall-clock second and per second of
  the process's CPU time (the latter is steadier on a shared machine).

Run: ``python benchmarks/parse_speed.py [--repeats 5] [--label after] [--python-dir DIR]``
(``--python-dir`` measures another source tree, e.g. an export of an older commit).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
PYTHON_DIR = HERE.parent / "python"

#: Model text in the style of the Brian2 tutorials (what users write).
EQUATIONS = """\
dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : volt (unless refractory)  # membrane
dvt/dt = (vt0 - vt)/tau_t : volt
v0 : volt
I = g*(E - v) : amp
dge/dt = -ge/taue : siemens
dgi/dt = -gi/taui : siemens
Im = gl*(El - v) + ge*(Ee - v) + gi*(Ei - v) : amp/meter**2
"""
THRESHOLD = "v > vt and not_refractory"
RESET = "v = vr\nvt += delta_vt0\n"

FIRST_PARSE = (
    "import time; t0 = time.perf_counter(); c0 = time.process_time()\n"
    "from nerve.equations import parse_equations\n"
    f"parse_equations({EQUATIONS!r})\n"
    "print(time.perf_counter() - t0, time.process_time() - c0)\n"
)


def first_parse_seconds(repeats: int, python_dir: pathlib.Path, warm: bool):
    """(wall, cpu) seconds of the first parse in a fresh process, best of
    ``repeats``."""
    best_wall = best_cpu = float("inf")
    with tempfile.TemporaryDirectory() as shared:
        for index in range(repeats + (1 if warm else 0)):
            with tempfile.TemporaryDirectory() as fresh:
                env = {**os.environ, "PYTHONPATH": str(python_dir),
                       "TMPDIR": shared if warm else fresh}
                out = subprocess.run([sys.executable, "-c", FIRST_PARSE], env=env,
                                     check=True, capture_output=True, text=True).stdout
            if warm and index == 0:
                continue  # the process that primes the shared directory
            wall, cpu = map(float, out.split())
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def throughput(repeats: int, python_dir: pathlib.Path) -> dict[str, tuple[float, float]]:
    sys.path.insert(0, str(python_dir))
    from nerve.equations import parse_equations, parse_expression, parse_statements

    target = 100_000
    cases = {
        "equations": (parse_equations, EQUATIONS * (target // len(EQUATIONS))),
        "statements": (parse_statements, RESET * (target // len(RESET))),
    }
    result = {}
    for name, (function, text) in cases.items():
        wall, cpu = _best_time(lambda: function(text), repeats)
        result[name] = (len(text) / wall / 1e6, len(text) / cpu / 1e6)
    # Thresholds are short and parsed one call each: this includes the cost
    # per call, not only per character.
    count = target // len(THRESHOLD)
    wall, cpu = _best_time(lambda: [parse_expression(THRESHOLD) for _ in range(count)],
                           repeats)
    size = count * len(THRESHOLD)
    result["expression (one threshold per call)"] = (size / wall / 1e6, size / cpu / 1e6)
    return result


def _best_time(action, repeats: int) -> tuple[float, float]:
    action()  # warm up
    best_wall = best_cpu = float("inf")
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        action()
        best_wall = min(best_wall, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--label", default="current tree")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--python-dir", type=pathlib.Path, default=PYTHON_DIR)
    args = parser.parse_args()

    cold = first_parse_seconds(args.repeats, args.python_dir, warm=False)
    warm = first_parse_seconds(args.repeats, args.python_dir, warm=True)
    speeds = throughput(args.repeats, args.python_dir)
    import lark

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        f"## {args.label}",
        "",
        f"{platform.node()}, Python {platform.python_version()}, lark {lark.__version__}, "
        f"best of {args.repeats}, load average {load:.1f} on {os.cpu_count()} cores",
        "",
        "| measurement | wall clock | CPU time |",
        "|---|---|---|",
        f"| first parse in a fresh process, cold temp dir | {cold[0] * 1e3:.0f} ms "
        f"| {cold[1] * 1e3:.0f} ms |",
        f"| first parse in a fresh process, warm temp dir | {warm[0] * 1e3:.0f} ms "
        f"| {warm[1] * 1e3:.0f} ms |",
    ]
    lines += [f"| throughput, {name} (100 kB) | {wall:.2f} MB/s | {cpu:.2f} MB/s |"
              for name, (wall, cpu) in speeds.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_write:
        out = HERE / "results" / "parse.md"
        previous = out.read_text() if out.exists() else "# Parser speed\n\n"
        out.write_text(previous.rstrip("\n") + "\n\n" + report)


if __name__ == "__main__":
    main()
