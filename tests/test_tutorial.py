"""Every cell of Brian2's tutorial "Introduction to Brian part 1: Neurons",
compared with what Brian2 2.9.0 produced (tests/reference/, recorded with the
numpy target, dt = 0.1 ms, seed(1) before each random cell, one fresh
namespace per cell after replaying the cells it needs).

Deterministic cells must match step for step: the same spike steps, the same
counts, traces equal to round-off. Random cells match statistically and in
their invariants.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = json.loads(
    (ROOT / "tests" / "reference" / "tutorial-brian2-2.9.0-numpy-seed1.json").read_text())
CELLS_BY_NAME = {c["name"]: c for c in REFERENCE["cells"]}
DT = REFERENCE["meta"]["dt"]

_spec = importlib.util.spec_from_file_location("tutorial_1_neurons",
                                               ROOT / "examples" / "tutorial_1_neurons.py")
tutorial = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tutorial)
SOURCES = dict(tutorial.CELLS)

#: Relative tolerance for traces and state values: the engine evaluates the same
#: formulas in float64 but not necessarily with the same operation order as
#: Brian2's generated numpy code; over a few hundred steps round-off stays far
#: below this.
RTOL = 1e-11


def run_cell(name: str, *, seeded: bool = False) -> tuple[dict, str, object]:
    """Run a cell in a fresh namespace (after the cells it needs); return the
    namespace, what the cell printed, and the value it displays."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {"__name__": "__cell__"}
    tutorial.run_cell("import", "from nerve import *", namespace)
    namespace["start_scope"]()
    for need in CELLS_BY_NAME[name]["needs"]:
        tutorial.run_cell(need, SOURCES[need], namespace)
    if seeded:
        namespace["seed"](1)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            value = tutorial.run_cell(name, SOURCES[name], namespace)
    finally:
        plt.close("all")
    return namespace, out.getvalue(), value


def values(entry) -> np.ndarray:
    return np.asarray(entry["values"], dtype=float).reshape(entry["shape"])


def ours(obj, var: str) -> np.ndarray:
    """A variable of one of our objects as a plain SI array."""
    return np.asarray(getattr(obj, var), dtype=float)


def steps(times) -> np.ndarray:
    return np.round(np.asarray(times, dtype=float) / DT).astype(np.int64)


def compare_objects(name: str, namespace: dict) -> None:
    for obj_name, ref in CELLS_BY_NAME[name].get("objects", {}).items():
        obj = namespace[obj_name]
        kind = ref["kind"]
        assert type(obj).__name__ == kind
        if kind == "NeuronGroup":
            assert len(obj) == ref["N"]
            for var, entry in ref["vars"].items():
                np.testing.assert_allclose(ours(obj, var), values(entry), rtol=RTOL, atol=1e-14,
                                           err_msg=f"{name}: {obj_name}.{var}")
        elif kind == "StateMonitor":
            np.testing.assert_array_equal(steps(obj.t), steps(values(ref["t"])))
            np.testing.assert_allclose(np.asarray(obj.t, float), values(ref["t"]), rtol=1e-15)
            for var, entry in ref["vars"].items():
                np.testing.assert_allclose(ours(obj, var), values(entry), rtol=RTOL, atol=1e-14,
                                           err_msg=f"{name}: {obj_name}.{var}")
        elif kind == "SpikeMonitor":
            assert obj.num_spikes == ref["num_spikes"]
            np.testing.assert_array_equal(steps(obj.t), steps(values(ref["t"])))
            np.testing.assert_allclose(np.asarray(obj.t, float), values(ref["t"]), rtol=1e-15)
            np.testing.assert_array_equal(obj.i, values(ref["i"]).astype(int))
            np.testing.assert_array_equal(obj.count, values(ref["count"]).astype(int))


def numbers_in(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+\.?\d*(?:e-?\d+)?", text)]


DETERMINISTIC_OK = [c["name"] for c in REFERENCE["cells"]
                    if c["status"] == "ok" and not c["random"] and c["name"] != "import"]
ERRORS = [c["name"] for c in REFERENCE["cells"] if c["status"] == "error"]


@pytest.mark.parametrize("name", DETERMINISTIC_OK)
def test_deterministic_cell_matches_brian2(name):
    ref = CELLS_BY_NAME[name]
    namespace, stdout, value = run_cell(name)
    # printed output: the same text, numbers equal to round-off
    assert re.sub(r"[-\d.e]+", "#", stdout) == re.sub(r"[-\d.e]+", "#", ref["stdout"])
    np.testing.assert_allclose(numbers_in(stdout), numbers_in(ref["stdout"]), rtol=1e-14)
    if ref.get("display"):
        assert repr(value) == ref["display"]["repr"]
        np.testing.assert_allclose(float(value), ref["display"]["value"]["values"][0],
                                   rtol=1e-15)
    compare_objects(name, namespace)


@pytest.mark.parametrize("name", ERRORS)
def test_error_cell_raises_as_the_tutorial_explains(name):
    from nerve import DimensionMismatchError

    expected = CELLS_BY_NAME[name]["expect_error"]
    with pytest.raises(DimensionMismatchError) as info:
        run_cell(name)
    assert re.search(expected["pattern"], str(info.value), re.IGNORECASE | re.DOTALL), str(info.value)


def test_refractory_spike_times_are_analytic():
    """tau = 5 ms, threshold 0.8, refractory 15 ms without (unless refractory):
    the first crossing is at tau*ln(5) = 8.05 ms, i.e. step 80 (v is checked
    after the update of the step starting at 8.0 ms), then every 15 ms."""
    namespace, stdout, _ = run_cell("refractory_without_unless")
    assert stdout == "Spike times: [ 8. 23. 38.] ms\n"
    np.testing.assert_array_equal(steps(namespace["spikemon"].t), [80, 230, 380])


def test_multiple_neurons_raster_invariants():
    namespace, _, _ = run_cell("multiple_neurons_raster", seeded=True)
    spikemon = namespace["spikemon"]
    ref = CELLS_BY_NAME["multiple_neurons_raster"]["objects"]["spikemon"]
    # v goes from 0 to 1 towards 2 with tau = 10 ms: tau*ln(2) = 6.93 ms, i.e.
    # 70 steps between spikes for every neuron, whatever its random start.
    for k in range(100):
        train = steps(spikemon.t[spikemon.i == k])
        assert len(train) >= 7
        assert set(np.diff(train)) == {70}
    # each neuron fires 7 or 8 times in 50 ms, depending on its start
    assert 700 <= spikemon.num_spikes <= 800
    assert abs(spikemon.num_spikes - ref["num_spikes"]) <= 40


def _isi_steps(monitor) -> np.ndarray:
    order = np.lexsort((steps(monitor.t), monitor.i))
    i, s = monitor.i[order], steps(monitor.t)[order]
    same = i[1:] == i[:-1]
    return np.diff(s)[same]


def test_stochastic_if_curve_statistics():
    namespace, _, _ = run_cell("stochastic_if_curve", seeded=True)
    M, G = namespace["M"], namespace["G"]
    ref = CELLS_BY_NAME["stochastic_if_curve"]["objects"]
    ref_count = values(ref["M"]["count"])
    # refractory period 5 ms = 50 steps: no interval can be shorter
    assert _isi_steps(M).min() >= 50
    np.testing.assert_allclose(np.asarray(G.v0), values(ref["G"]["vars"]["v0"]), rtol=1e-15)
    # total spikes: Poisson-like counts of ~55 spikes per neuron give a standard
    # deviation of about 1% of the total; allow 4%
    assert abs(M.num_spikes - ref["M"]["num_spikes"]) <= 0.04 * ref["M"]["num_spikes"]
    # the I-f curve, smoothed over 10 neurons, agrees within a few spikes per neuron
    ours_curve = np.convolve(M.count, np.ones(10) / 10, mode="valid")
    ref_curve = np.convolve(ref_count, np.ones(10) / 10, mode="valid")
    assert np.max(np.abs(ours_curve - ref_curve)) < 6
    # noise makes neurons with v0 < 1 fire too (the sigmoidal onset)
    assert M.count[:30].sum() > 0


def test_adaptive_threshold_statistics():
    namespace, _, _ = run_cell("end_adaptive_threshold", seeded=True)
    spikemon = namespace["spikemon"]
    ref = CELLS_BY_NAME["end_adaptive_threshold"]["objects"]["spikemon"]
    assert _isi_steps(spikemon).min() >= 50
    assert abs(spikemon.num_spikes - ref["num_spikes"]) <= 0.05 * ref["num_spikes"]
    # population rate in 10 ms bins
    bins = np.arange(0, 101, 10) * 1e-3
    ours_hist = np.histogram(np.asarray(spikemon.t, float), bins)[0]
    ref_hist = np.histogram(values(ref["t"]), bins)[0]
    np.testing.assert_allclose(ours_hist, ref_hist, rtol=0.12, atol=30)
