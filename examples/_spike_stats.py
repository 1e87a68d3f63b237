"""Statistics of recorded spikes shared by the network examples (cobahh.py,
brunel2000.py): plain numpy on spike indices and times, so that the same
function measures a run of nerve and a run of Brian2.
"""

from __future__ import annotations

import numpy as np


def spike_statistics(indices, times_s, n: int, start_s: float, stop_s: float,
                     bin_s: float = 1e-3) -> dict:
    """Statistics of the spikes of ``n`` neurons between ``start_s`` and
    ``stop_s`` (seconds):

    - ``rate``: mean firing rate (Hz) over all neurons;
    - ``cv``: coefficient of variation of the inter-spike intervals, averaged
      over the neurons with at least three spikes in the window (nan if none);
    - ``active``: the fraction of neurons with at least one spike;
    - ``sync``: the coefficient of variation (std/mean) of the population
      rate in ``bin_s`` bins (near 1/sqrt(spikes per bin) for independent
      neurons, larger when they fire together).
    """
    indices = np.asarray(indices, dtype=np.int64)
    times = np.asarray(times_s, dtype=float)
    inside = (times >= start_s) & (times < stop_s)
    indices, times = indices[inside], times[inside]
    duration = stop_s - start_s
    counts = np.bincount(indices, minlength=n)
    order = np.lexsort((times, indices))
    indices, times = indices[order], times[order]
    same = indices[1:] == indices[:-1]
    isi = np.diff(times)[same]
    owner = indices[1:][same]
    n_isi = np.bincount(owner, minlength=n)
    mean = np.bincount(owner, isi, minlength=n) / np.maximum(n_isi, 1)
    square = np.bincount(owner, isi ** 2, minlength=n) / np.maximum(n_isi, 1)
    cv_each = np.sqrt(np.maximum(square - mean ** 2, 0)) / np.where(mean > 0, mean, 1)
    enough = n_isi >= 2
    histogram = np.bincount(((times - start_s) / bin_s).astype(np.int64),
                            minlength=int(round(duration / bin_s)))
    return {
        "rate": float(counts.sum() / n / duration),
        "cv": float(cv_each[enough].mean()) if enough.any() else float("nan"),
        "active": float(np.mean(counts > 0)),
        "sync": float(histogram.std() / histogram.mean()) if histogram.mean() > 0
        else float("nan"),
    }


def format_statistics(label: str, stats: dict) -> str:
    """One line that tests and people read: ``label: rate 12.34 Hz, cv ...``."""
    return (f"{label}: rate {stats['rate']:.3f} Hz, cv {stats['cv']:.4f}, "
            f"active {stats['active']:.4f}, sync {stats['sync']:.4f}")
