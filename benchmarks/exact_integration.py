"""Time method='exact' on coupled linear systems: how long turning the
equations into update statements takes (nerve) or Brian2's 'exact' state
updater takes to produce its abstract code, each in a fresh process.

    python benchmarks/exact_integration.py                    # nerve
    /path/to/brian2-env/bin/python benchmarks/exact_integration.py --brian2

Prints one line per system: its name and the wall time in seconds (and the
exception raised, if any).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

SYSTEMS = {
    "adaptive pair": {"v": "-(v - 0.5)/tau + w/tau", "w": "(a*v - w)/tau_w"},
    "synaptic chain (3)": {"v": "(ge - v)/tau", "ge": "(gs - ge)/tau_e",
                           "gs": "-gs/tau_s"},
    "chain (4) with constant": {"v": "(ge - v)/tau + v0/tau", "ge": "(gs - ge)/tau_e",
                                "gs": "(h - gs)/tau_s", "h": "-h/tau_h"},
    "oscillator": {"v": "w", "w": "-k*v"},
    "pair driven by a current": {"v": "(-(v - 0.5) + w + I)/tau", "w": "(a*v - w)/tau_w",
                                 "I": "-I/tau_s"},
}


def _time_nerve(rhs: dict[str, str]) -> float:
    from nerve.equations.parser import parse_expression
    from nerve.integrators import DiffEquation, integrate

    start = time.perf_counter()
    integrate([DiffEquation(k, parse_expression(v)) for k, v in rhs.items()], "exact")
    return time.perf_counter() - start


def _time_brian2(rhs: dict[str, str]) -> float:
    from brian2 import Equations
    from brian2.stateupdaters.exact import linear

    text = "\n".join(f"d{k}/dt = {v} : 1" for k, v in rhs.items())
    start = time.perf_counter()
    linear(Equations(text))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    if args.one:
        timer = _time_brian2 if args.brian2 else _time_nerve
        start = time.perf_counter()
        try:
            print(f"{timer(SYSTEMS[args.one]):.3f} s")
        except Exception as error:  # report what the simulator raised
            print(f"{time.perf_counter() - start:.3f} s, then {type(error).__name__}: "
                  f"{str(error)[:100]}")
        return 0
    for name in SYSTEMS:
        command = [sys.executable, __file__, "--one", name]
        if args.brian2:
            command.append("--brian2")
        try:
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=args.timeout)
            line = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-200:]
        except subprocess.TimeoutExpired:
            line = f"no result after {args.timeout:.0f} s"
        print(f"{name:28s} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
