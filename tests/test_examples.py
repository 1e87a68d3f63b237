"""The README's first command runs the tutorial example: it must finish
without an unexpected outcome and save the tutorial's figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tutorial_example_runs_every_cell_and_saves_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tutorial_1_neurons.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexpected outcome(s)" in result.stdout
    assert "Spike times: [16.  32.1 48.2] ms" in result.stdout
    assert "After v = 0.9999546000702376" in result.stdout
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    # the tutorial draws 11 figures (cells 13-24 but for the one that prints)
    assert len(figures) == 11, figures
    assert "24_end_adaptive_threshold.png" in figures


def test_tutorial_2_example_runs_every_cell_and_saves_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tutorial_2_synapses.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexpected outcome(s)" in result.stdout
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    # every cell draws one figure but the connectivity set-up and the STDP model
    # definition; the cell over three probabilities draws three
    assert len(figures) == 14, figures
    assert "06_vary_probability_3.png" in figures
    assert "14_stdp_event_driven.png" in figures


def test_cuba_example_fires_at_brian2s_rate(tmp_path):
    """CUBA at N = 4000 for 1 s. Brian2 2.9.0 (numpy target, the same model,
    seeds 1-4) gave 22461, 22078, 24611 and 22008 spikes: mean 5.70 Hz,
    run-to-run standard deviation 0.31 Hz. nerve's rate (another random
    stream) must lie within 3 standard deviations of the difference of two
    runs (3*sqrt(2)*0.31 Hz) of that mean. Without synapses every neuron
    would fire regularly (El > Vt), at about 19 Hz."""
    import re

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "cuba.py"), "4000", "1000", str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    rate = float(re.search(r"mean rate ([0-9.]+) Hz", result.stdout).group(1))
    assert abs(rate - 5.70) <= 3 * 2 ** 0.5 * 0.31, result.stdout
    assert (tmp_path / "raster.png").exists()


def test_gap_junctions_example_matches_brian2(tmp_path):
    """The same network written for Brian2 2.9.0 (numpy target) gave these
    spike counts and final values of v after 500 ms; the state agrees to
    round-off (exact integration evaluated in another order)."""
    import ast

    import numpy as np

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "gap_junctions.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()
                 if line.startswith(("spike counts", "final v")))
    assert ast.literal_eval(lines["spike counts"]) == [12, 12, 12, 12, 12, 12, 12, 13, 13, 13]
    np.testing.assert_allclose(ast.literal_eval(lines["final v"]), [
        0.8244366663827254, 0.8943285931123143, 0.9375506815447281, 0.9637595917858112,
        0.9804959738622486, 0.9908463461171335, 0.9971229128309955, 0.2333187978714324,
        0.5400973462289361, 0.7078170426024966], rtol=1e-11)
    assert (tmp_path / "traces.png").exists()


def test_stdp_example_spreads_the_weights_as_brian2(tmp_path):
    """STDP (Song et al. 2000) for 100 s. The same network written for Brian2
    2.9.0 (numpy target, seeds 1-3) ended with these fractions of weights
    below 0.1 gmax: 0.251, 0.230, 0.240; above 0.9 gmax: 0.186, 0.183,
    0.187; output rates 26.3, 22.2, 26.6 Hz. nerve's (another random stream)
    must lie within 3*sqrt(2) standard deviations of their mean, the standard
    deviation being the larger of the measured spread and the binomial one of
    a fraction of 1000 weights. The initial weights are uniform (0.1 and 0.1),
    which these bounds exclude."""
    import re

    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "stdp.py"), "100", "1", str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"near 0: ([0-9.]+), near gmax: ([0-9.]+), mean w/gmax: ([0-9.]+), "
                      r"output rate: ([0-9.]+) Hz", result.stdout)
    low, high, _, rate = (float(x) for x in found.groups())
    k = 3 * 2 ** 0.5
    assert abs(low - 0.2403) <= k * max(0.0105, (0.24 * 0.76 / 1000) ** 0.5)
    assert abs(high - 0.1853) <= k * max(0.002, (0.185 * 0.815 / 1000) ** 0.5)
    assert abs(rate - 25.03) <= k * 2.46
    assert (tmp_path / "weights.png").exists()
