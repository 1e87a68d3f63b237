"""Record Brian2 2.9.0's statistics of the network examples (examples/cuba.py,
examples/cobahh.py, examples/brunel2000.py) over several seeds, for tests/synapses/test_network_examples.py.

Each example's ``main`` builds its network from the module it is given
(``backend='brian2'`` sets the numpy target), so Brian2 runs the very model
nerve runs. Run with Brian2's interpreter:

    /work/brian2-venv/bin/python tests/reference/make_network_examples_reference.py [seeds [config...]]

It writes tests/reference/network-examples-brian2-2.9.0.json: per
configuration, the list of statistics of each seed (rate, cv, active, sync).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples"))

import brunel2000  # noqa: E402
import cobahh  # noqa: E402
import cuba  # noqa: E402

#: configuration name -> (function, keyword arguments); durations as in the tests
CONFIGS = {
    "cuba_1000ms": (cuba.main, {"N": 4000, "duration_ms": 1000.0}),
    "cobahh_400ms": (cobahh.main, {"duration_ms": 400.0}),
    "brunel_AI_500ms": (brunel2000.main, {"regime": "AI", "duration_ms": 500.0}),
    "brunel_SIslow_500ms": (brunel2000.main, {"regime": "SIslow", "duration_ms": 500.0}),
    "brunel_SIfast_500ms": (brunel2000.main, {"regime": "SIfast", "duration_ms": 500.0}),
    "brunel_SR_200ms": (brunel2000.main, {"regime": "SR", "duration_ms": 200.0}),
}


def main(seeds=range(1, 13), only=None):
    path = ROOT / "tests" / "reference" / "network-examples-brian2-2.9.0.json"
    out = json.loads(path.read_text()) if path.exists() else {}
    out["meta"] = {"brian2": __import__("brian2").__version__, "target": "numpy",
                   "dt": 1e-4, "seeds": list(seeds)}
    for name, (function, kwargs) in CONFIGS.items():
        if only and name not in only:
            continue
        runs = []
        for seed in seeds:
            runs.append(function(seed_value=seed, backend="brian2", plot=False, **kwargs))
        out[name] = runs
        path.write_text(json.dumps(out, indent=1))
    print("wrote", path)


if __name__ == "__main__":
    main(range(1, 1 + int(sys.argv[1])) if len(sys.argv) > 1 else range(1, 13),
         only=sys.argv[2:])
