"""Record Brian2's numbers for the cells of tutorial part 3 (Simulations)
that nerve's tests compare with (tests/inputs/test_tutorial3.py).

Run with Brian2 2.9.0's interpreter (numpy target, dt = 0.1 ms):

    /work/brian2-venv/bin/python tests/reference/make_tutorial3_reference.py

It writes tests/reference/tutorial3-brian2-2.9.0-numpy.json. The cells are
in cells3.py (the tutorial's, shared/spec/intro-to-brian-part3-simulations.md,
without the plotting); each runs in a fresh namespace after start_scope()
and seed(SEED). Random cells (STATISTICAL) run REPEATS[name] times, with
seeds 1, 2, ...
"""

import json
from pathlib import Path

import numpy as np

from cells3 import (CELLS, GENERATE, INPUTS, RECORD, REPEATS, SEED, STATISTICAL,
                    STATISTICAL_RECORD)

PRELUDE = ("from brian2 import *\nprefs.codegen.target = 'numpy'\n"
           "BrianLogger.log_level_error()\nstart_scope()\n")


def fresh(seed_value):
    ns = {}
    exec(PRELUDE + f"seed({seed_value})\n", ns)
    return ns


def listed(value):
    return np.asarray(value, dtype=float).tolist()


out = {"meta": {"brian2": __import__("brian2").__version__, "target": "numpy",
                "dt": 1e-4, "seed": SEED, "repeats": REPEATS},
       "cells": {}, "inputs": {}, "statistical": {}}
for name, source in CELLS.items():
    ns = fresh(SEED)
    if name in GENERATE:
        exec(GENERATE[name], ns)
        recorded = {key: listed(eval(expr, ns)) for key, expr in INPUTS[name].items()}
        out["inputs"][name] = recorded
        ns = fresh(SEED)
        ns.update({key: np.asarray(v) for key, v in recorded.items()})
        ns["spikes_i"] = ns["spikes_i"].astype(int)
    exec(source, ns)
    out["cells"][name] = {key: listed(eval(expr, ns)) for key, expr in RECORD[name].items()}
for name, source in STATISTICAL.items():
    runs = []
    for s in range(1, REPEATS[name] + 1):
        ns = fresh(s)
        exec(source, ns)
        runs.append({key: listed(eval(expr, ns))
                     for key, expr in STATISTICAL_RECORD[name].items()})
    out["statistical"][name] = runs
path = Path(__file__).with_name("tutorial3-brian2-2.9.0-numpy.json")
path.write_text(json.dumps(out))
print("wrote", path)
