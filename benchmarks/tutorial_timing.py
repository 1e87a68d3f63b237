"""Time Brian2's tutorial "Introduction to Brian part 1: Neurons", cell by cell,
in a fresh process, with nerve or (for comparison) with Brian2.

    python benchmarks/tutorial_timing.py                      # nerve
    /path/to/brian2-env/bin/python benchmarks/tutorial_timing.py --brian2 cython
    /path/to/brian2-env/bin/python benchmarks/tutorial_timing.py --brian2 numpy

The cells are those of ``examples/tutorial_1_neurons.py``, run in order in one
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


def _cells():
    path = os.path.join(HERE, "..", "examples", "tutorial_1_neurons.py")
    spec = importlib.util.spec_from_file_location("tutorial_1_neurons", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CELLS, module.EXPECTED_ERRORS, module.run_cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brian2", metavar="TARGET", choices=("numpy", "cython"),
                        help="time Brian2 with this code-generation target instead of nerve")
    args = parser.parse_args()
    cells, expected_errors, run_cell = _cells()
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
        "process_s": time.perf_counter() - START,
        "cells_s": timings,
        "unexpected_errors": unexpected,
    }, indent=1))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
