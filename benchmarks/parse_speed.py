"""Speed of the model-language parser.

Two measurements, written to ``results/parse.md`` (and printed):

- **First parse in a fresh process**: a new interpreter imports
  ``nerve.equations``, parses one equation block and exits; the time from
  before the import to after the parse, best of ``--repeats``. This is what a
  user pays for the parser tables on every script start. It runs with an
  empty private temporary directory (``TMPDIR``), so no file left there by an
  earlier run can help.
- **Throughput** (MB/s) on typical model text: the tutorial's equation
  blocks, thresholds and resets repeated into blocks of about 100 kB and
  parsed with ``parse_equations`` / ``parse_expression`` / ``parse_statements``
  in a warm process (parser built), best of ``--repeats``; the size counts
  the characters of the text.

Run: ``PYTHONPATH=python python benchmarks/parse_speed.py [--repeats 5] [--label after]``
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
    "import time; t0 = time.perf_counter()\n"
    "from nerve.equations import parse_equations\n"
    f"parse_equations({EQUATIONS!r})\n"
    "print(time.perf_counter() - t0)\n"
)


def first_parse_seconds(repeats: int) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as private_tmp:
        env = {**os.environ, "PYTHONPATH": str(PYTHON_DIR), "TMPDIR": private_tmp}
        for _ in range(repeats):
            out = subprocess.run([sys.executable, "-c", FIRST_PARSE], env=env, check=True,
                                 capture_output=True, text=True).stdout
            best = min(best, float(out.strip()))
    return best


def throughput(repeats: int) -> dict[str, float]:
    sys.path.insert(0, str(PYTHON_DIR))
    from nerve.equations import parse_equations, parse_expression, parse_statements

    target = 100_000
    cases = {
        "equations": (parse_equations, EQUATIONS * (target // len(EQUATIONS))),
        "statements": (parse_statements, RESET * (target // len(RESET))),
    }
    result = {}
    for name, (function, text) in cases.items():
        result[name] = len(text) / _best_time(lambda: function(text), repeats) / 1e6
    # Thresholds are short and parsed one call each: this includes the cost
    # per call, not only per character.
    count = target // len(THRESHOLD)
    result["expression (one threshold per call)"] = count * len(THRESHOLD) / _best_time(
        lambda: [parse_expression(THRESHOLD) for _ in range(count)], repeats) / 1e6
    return result


def _best_time(action, repeats: int) -> float:
    action()  # warm up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - t0)
    return best



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--label", default="current tree")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    first = first_parse_seconds(args.repeats)
    speeds = throughput(args.repeats)
    import lark

    lines = [
        f"## {args.label}",
        "",
        f"{platform.node()}, Python {platform.python_version()}, lark {lark.__version__}, "
        f"best of {args.repeats}",
        "",
        "| measurement | value |",
        "|---|---|",
        f"| first parse in a fresh process (import + tables + parse) | {first * 1e3:.0f} ms |",
    ]
    lines += [f"| throughput, {name} (100 kB) | {speed:.2f} MB/s |"
              for name, speed in speeds.items()]
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.no_write:
        out = HERE / "results" / "parse.md"
        previous = out.read_text() if out.exists() else "# Parser speed\n\n"
        out.write_text(previous.rstrip("\n") + "\n\n" + report)


if __name__ == "__main__":
    main()
