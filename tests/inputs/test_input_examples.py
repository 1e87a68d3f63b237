"""The examples of the inputs: they run, and give Brian2's numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_adaptive_threshold_example_fires_as_brian2(tmp_path):
    """The model of examples/adaptive_threshold.py, written for Brian2 2.9.0
    (numpy target) and run for 1 s with seeds 1-5, gave mean rates 24.82,
    25.19, 25.23, 25.01 and 24.95 Hz (mean 25.04; 100 neurons firing about
    2500 spikes in all: a Poisson spread of the mean rate of 0.5 Hz) and mean
    thresholds at the end of 12.55, 12.54, 12.55, 12.39 and 12.46 mV (mean
    12.50; a mean of 100 thresholds, each spread by 0.84-0.88 mV across the
    neurons: 0.09 mV). nerve's run (another random stream) must lie within 4
    Poisson spreads of the mean rate, and within 4 x 0.13 mV (the spread of
    a difference of two such means) of the mean threshold."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "adaptive_threshold.py"), str(tmp_path),
         "1000"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    match = re.search(r"mean rate ([0-9.]+) Hz, mean threshold at the end ([0-9.]+) mV",
                      result.stdout)
    rate, threshold = float(match.group(1)), float(match.group(2))
    assert abs(rate - 25.04) <= 4 * 0.5, result.stdout
    assert abs(threshold - 12.50) <= 4 * 0.13, result.stdout
    assert (tmp_path / "adaptive_threshold.png").exists()


def test_tutorial_3_example_runs_every_cell_and_saves_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "tutorial_3_simulations.py"), str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 unexpected outcome(s)" in result.stdout
    figures = sorted(p.name for p in tmp_path.glob("*.png") if p.name != "brian.png")
    # every cell but the import draws one figure
    assert len(figures) == 15, figures
    assert (tmp_path / "brian.png").exists()
