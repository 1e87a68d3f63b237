"""Record Brian2's numbers for the cells of tutorial part 2 (Synapses) that
nerve's tests compare with (tests/synapses/test_tutorial2.py).

Run with Brian2 2.9.0's interpreter (numpy target, dt = 0.1 ms):

    /work/brian2-venv/bin/python tests/reference/make_tutorial2_reference.py

It writes tests/reference/tutorial2-brian2-2.9.0-numpy.json. The cells are
the tutorial's (shared/spec/intro-to-brian-part2-synapses.md) without the
plotting; each runs in a fresh namespace after start_scope().
"""

import json
from pathlib import Path

import numpy as np
from brian2 import *  # noqa: F403

prefs.codegen.target = "numpy"  # noqa: F405

from cells2 import CELLS, RECORD  # noqa: E402

out = {"meta": {"brian2": __import__("brian2").__version__, "target": "numpy",
                "dt": float(defaultclock.dt / second)}, "cells": {}}  # noqa: F405
for name, source in CELLS.items():
    ns = {}
    exec("from brian2 import *\nprefs.codegen.target = 'numpy'\nstart_scope()\n", ns)
    exec(source, ns)
    record = {}
    for key, expr in RECORD[name].items():
        value = eval(expr, ns)
        record[key] = np.asarray(value, dtype=float).tolist()
    out["cells"][name] = record
path = Path(__file__).with_name("tutorial2-brian2-2.9.0-numpy.json")
path.write_text(json.dumps(out))
print("wrote", path)
