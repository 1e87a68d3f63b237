"""The plain-C reference (``shared/bench-ref/neuron_ref.c``): build it, run it.

The reference directory is read-only, so it is built with its own Makefile into
a writable directory (``make -C REF BUILD=DIR``).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from models import DT_MS

DEFAULT_REF_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench-ref"


def build(ref_dir: Path, build_dir: Path) -> Path:
    """Compile the reference into ``build_dir``; return the binary's path."""
    build_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["make", "-s", "-C", str(ref_dir), f"BUILD={build_dir}"],
                   check=True, stdout=subprocess.DEVNULL)
    binary = build_dir / "neuron_ref"
    if not binary.is_file():
        raise FileNotFoundError(f"make did not produce {binary}")
    return binary


def compiler_version() -> str:
    """The first line of ``cc --version`` (the compiler the Makefile uses)."""
    try:
        out = subprocess.run(["cc", "--version"], capture_output=True, text=True)
        return out.stdout.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def peak_rss_command(rss_file: str) -> list[str]:
    """A command prefix that writes the peak RSS (KiB) of the command it runs.

    GNU time forks the command from its own small process image, so the figure
    is the command's own, not the Python parent's (a child forked straight
    from Python starts its high-water mark at the parent's size).
    """
    return [TIME, "-f", "%M", "-o", rss_file]


TIME = "/usr/bin/time"

#: the models the C reference implements (``neuron_ref`` and ``cuba_ref``)
MODELS = ("lif_exact", "lif_noise", "adaptive", "cuba")


def measure(binary: Path, model: str, n: int, steps: int, repeats: int) -> dict:
    """Run the reference: every repeat's loop time, the spikes, the binary's peak RSS.
    The CUBA network has its own binary (``cuba_ref``, next to ``neuron_ref``)."""
    if model == "cuba":
        binary = binary.parent / "cuba_ref"
        cmd = [str(binary), "--N", str(n), "--duration-ms", repr(steps * DT_MS),
               "--repeats", str(repeats)]
    else:
        cmd = [str(binary), "--model", model, "--N", str(n),
               "--duration-ms", repr(steps * DT_MS), "--repeats", str(repeats)]
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = os.path.join(tmp, "rss")
        prefix = peak_rss_command(rss_file) if os.access(TIME, os.X_OK) else []
        out = subprocess.run(prefix + cmd, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
        rss = int(open(rss_file).read().split()[-1]) if prefix else None
    data = json.loads(out.stdout)
    if model == "cuba":  # the best build and run of the repeats
        return {"run_s": [data["run_s"]], "build_s": data["build_s"],
                "num_spikes": data["spikes"], "rate_hz": data["mean_rate_hz"],
                "steps": data["steps"], "synapses": data["synapses"], "maxrss_kib": rss}
    runs = data["repeats"]
    return {"run_s": [r["loop_s"] for r in runs], "num_spikes": runs[0]["spikes"],
            "rate_hz": runs[0]["rate_hz"], "steps": data["steps"],
            "normal": data["normal"], "maxrss_kib": rss}
