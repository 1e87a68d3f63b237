"""Time Brian2's tutorial "Introduction to Brian part 1: Neurons" (or part 2
or 3 with ``--part``), cell by cell, in a fresh process, with nerve or (for
comparison) with Brian2.

    python benchmarks/tutorial_timing.py                      # nerve
    /path/to/brian2-env/bin/python benchmarks/tutorial_timing.py --brian2 cython
    /path/to/brian2-env/bin/python benchmarks/tutorial_timing.py --brian2 numpy
    python benchmarks/tutorial_timing.py --part 3

The cells are those of ``examples/tutorial_1_neurons.py`` (part 2:
``tutorial_2_synapses.py``, part 3: ``tutorial_3_simulations.py``, whose
last cell reads ``brian.png``: the cells run in a temporary folder where the
example draws one), run in order in one
namespace as in a notebook, with the import line switched to the simulator
being timed (and, for Brian2, its code-generation target set). Figures are
drawn (Agg) and closed, not saved. Prints one JSON object: the wall time of
the import, of each cell, and of the whole process up to the last cell.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import sys
import time

START = time.perf_counter()
os.environ.setdefault("MPLBACKEND", "Agg")
HERE = os.path.dirname(os.path.abspath(__file__))


EXAMPLES = {1: "tutorial_1_neurons", 2: "tutorial_2_synapses", 3: "tutorial_3_simulations"}


def _load(name: str):
    sys.path.insert(0, os.path.join(HERE, "..", "examples"))
    path = os.path.join(HERE, "..", "examples", f"{name}.py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cells(part: int = 1):
    first = _load(EXAMPLES[1])
    module = first if part == 1 else _load(EXAMPLES[part])
    if part == 3:
        import tempfile

        folder = tempfile.mkdtemp()
        module.draw_picture(os.path.join(folder, "brian.png"))
        os.chdir(folder)
    expected = first.EXPECTED_ERRORS if part == 1 else {}
    return module.CELLS, expected, first.run_cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2", metavar="TARGET", choices=("numpy", "cython"),
                        help="time Brian2 with this code-generation target instead of nerve")
    parser.add_argument("--part", type=int, choices=(1, 2, 3), default=1,
                        help="which part of the tutorial (default 1)")
    args = parser.parse_args()
    cells, expected_errors, run_cell = _cells(args.part)
    namespace: dict = {"__name__": "__tutorial__"}
    timings: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name, source in cells:
        if name == "import":
            source = "from brian2 import *" if args.brian2 else "from nerve import *"
            if args.brian2:
                source += f"\nprefs.codegen.target = {args.brian2!r}"
        began = time.perf_counter()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run_cell(name, source, namespace)
        except Exception as error:  # the tutorial's error cells
            errors[name] = type(error).__name__
        timings[name] = time.perf_counter() - began
        import matplotlib.pyplot as plt

        plt.close("all")
    unexpected = {k: v for k, v in errors.items() if k not in expected_errors}
    print(json.dumps({
        "simulator": f"brian2-{args.brian2}" if args.brian2 else "nerve",
        "part": args.part,
        "process_s": time.perf_counter() - START,
        "cells_s": timings,
        "unexpected_errors": unexpected,
    }, indent=1))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
