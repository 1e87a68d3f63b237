"""Cost of recording (issue 15): spike monitors on a 1e5-neuron network,
state recording against memory bandwidth, and streaming to HDF5 against
recording in memory (with peak memory).

    python benchmarks/monitors.py spikes     # SpikeMonitor / record=False overhead
    python benchmarks/monitors.py state      # 1e4 neurons every step vs bandwidth
    python benchmarks/monitors.py stream [STEPS]   # 1e5 neurons x STEPS, file vs memory
    python benchmarks/monitors.py access     # reading M.v (a copy per access) vs memcpy

Each configuration runs in a fresh process (so peak memory is its own),
interleaved with the others, best of ``REPEATS``. Timings on a shared
machine are noisy: compare the rows of one invocation only.

``COMPARE=<dir>`` (a directory holding another ``nerve`` package, e.g. an
older engine) runs every configuration of ``spikes``, ``state`` and
``stream`` with it too, interleaved with this one (rows marked ``B``).
``STREAM_DIR`` is where ``stream`` writes its file and measures the disk
(default: the temporary directory).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

REPEATS = int(os.environ.get("REPEATS", "5"))

MODEL = """
from nerve import *
import time, resource, numpy as np
set_num_threads(1)
N = {n}
G = NeuronGroup(N, 'dv/dt = (I - v)/(10*ms) : 1\\nI : 1', threshold='v > 1',
                reset='v = 0', method='exact')
G.I = '1.05 + 0.5*i/N'   # every neuron fires, 10-70 Hz
objects = [G]
kind = {kind!r}
if kind == 'spikes':
    objects.append(SpikeMonitor(G))
elif kind == 'count':
    objects.append(SpikeMonitor(G, record=False))
elif kind == 'state':
    objects.append(StateMonitor(G, 'v', record=np.arange({width})))
elif kind == 'stream':
    objects.append(StateMonitor(G, 'v', record=np.arange({width}), record_to={path!r}))
net = Network(*objects)
net.run(1*ms)  # warm up (and set up)
t0 = time.perf_counter()
net.run({steps}*0.1*ms)
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(dict(elapsed=elapsed, peak=peak)))
"""


#: another nerve package to compare with (see the module doc)
COMPARE = os.environ.get("COMPARE")


def variants(kinds):
    """The configurations to run: each kind, and with ``COMPARE`` each kind
    with the other package too (``kind``, ``"B " + kind``)."""
    return [*kinds, *(f"B {k}" for k in kinds)] if COMPARE else list(kinds)


def measure(kind, n, steps, width=0, path=None):
    env = dict(os.environ)
    if kind.startswith("B "):
        kind = kind[2:]
        env["PYTHONPATH"] = COMPARE
    code = "import json\n" + MODEL.format(n=n, kind=kind, steps=steps, width=width, path=path)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(results):
    return min(r["elapsed"] for r in results), max(r["peak"] for r in results)


def bandwidth() -> float:
    """Bytes per second of one core copying a large array (write + read)."""
    import time

    import numpy as np

    a = np.ones(1 << 25)
    b = np.empty_like(a)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        np.copyto(b, a)
        times.append(time.perf_counter() - t0)
    return a.nbytes / min(times)


def spikes():
    n, steps = 100_000, 5000
    runs = {k: [] for k in variants(("none", "spikes", "count"))}
    for _ in range(REPEATS):
        for kind in runs:
            runs[kind].append(measure(kind, n, steps))
    print(f"N = {n}, {steps} steps, one thread, best of {REPEATS}")
    for kind in runs:
        t, _ = best(runs[kind])
        base = best(runs["B none" if kind.startswith("B ") else "none"])[0]
        print(f"  {kind:10s} {t:7.3f} s  {100 * (t / base - 1):+6.1f} %")


#: what a recording must do at least: write ``width`` values per step into
#: memory never touched before (a fresh process; the first touch of each page
#: is part of the cost, and on a virtual machine often most of it). numpy
#: asks for huge pages for large arrays (as the engine does for its
#: recordings); ``huge=False`` measures it with 4 KiB pages, for comparison.
FRESH_WRITE = """
import json, time, numpy as np
width, steps = {width}, {steps}
column = np.random.default_rng(0).random(100_000)
np._core.multiarray._set_madvise_hugepage({huge})
t0 = time.perf_counter()
out = np.empty(width * steps)
for k in range(steps):
    out[k * width:(k + 1) * width] = column[:width]
print(json.dumps(dict(elapsed=time.perf_counter() - t0)))
"""


def fresh_write(width: int, steps: int, huge: bool = True) -> dict:
    """Seconds to write ``width`` values per step for ``steps`` steps into
    fresh memory, in a fresh process (numpy)."""
    code = FRESH_WRITE.format(width=width, steps=steps, huge=huge)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]), peak=0)


def state():
    n, width, steps = 100_000, 10_000, 5000
    # (the writes of numpy are interleaved with the runs: on a virtual machine
    # the cost of fresh memory depends on what the processes before did)
    runs = {k: [] for k in (*variants(("none", "state")), "write", "write 4k")}
    for _ in range(REPEATS):
        for kind in runs:
            if kind.startswith("write"):
                runs[kind].append(fresh_write(width, steps, huge=kind == "write"))
            else:
                runs[kind].append(measure(kind, n, steps, width=width))
    written = width * steps * 8
    bw = bandwidth()
    fresh, small = best(runs["write"])[0], best(runs["write 4k"])[0]
    print(f"N = {n}, recording {width} neurons for {steps} steps ({written / 2**20:.0f} MiB), "
          f"best of {REPEATS}")
    once = min(fresh, small)  # (the faster of the two, in the same minutes)
    print(f"  writing the values once, step by step, into fresh memory (numpy, fresh "
          f"process): {fresh:.3f} s with huge pages (numpy's default), {small:.3f} s with "
          f"4 KiB pages")
    for b in ("", "B ") if COMPARE else ("",):
        base, state_t = best(runs[b + "none"])[0], best(runs[b + "state"])[0]
        print(f"  {b or ''}without {base:.3f} s, with {state_t:.3f} s: +{state_t - base:.3f} s "
              f"= {written / max(state_t - base, 1e-9) / 2**30:.2f} GiB/s recorded; "
              f"{(state_t - base) / once:.2f}x the faster write")
    print(f"  (one core copies {bw / 2**30:.2f} GiB/s between warm arrays: "
          f"{written / bw:.3f} s, no first touch of pages)")


DISK_WRITE = """
import json, mmap, os, time
path, nbytes, direct = {path!r}, {nbytes}, {direct}
block = 64 << 20
buf = mmap.mmap(-1, block)  # (page-aligned, as O_DIRECT needs)
buf.write(os.urandom(1 << 20) * (block >> 20))
flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | (os.O_DIRECT if direct else 0)
fd = os.open(path, flags)
t0 = time.perf_counter()
for _ in range(nbytes // block):
    os.write(fd, buf)
os.fdatasync(fd)
elapsed = time.perf_counter() - t0
os.close(fd)
os.unlink(path)
print(json.dumps(dict(elapsed=elapsed)))
"""


def disk_write(directory: str, nbytes: int, direct: bool) -> float:
    """Bytes per second of one sequential write of ``nbytes`` into a new file
    of ``directory``, until it is on the disk (``direct``: past the page
    cache, O_DIRECT; else through it, as HDF5 writes)."""
    code = DISK_WRITE.format(path=os.path.join(directory, "disk-write-test"), nbytes=nbytes,
                             direct=direct)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return nbytes / json.loads(out.stdout.strip().splitlines()[-1])["elapsed"]


def stream(steps):
    n, width = 100_000, 100_000
    written = width * steps * 8
    with tempfile.TemporaryDirectory(dir=os.environ.get("STREAM_DIR")) as tmp:
        path = os.path.join(tmp, "stream.h5")
        runs = {k: [] for k in variants(("none", "state", "stream"))}
        for _ in range(max(REPEATS // 2, 1)):
            for kind in runs:
                runs[kind].append(measure(kind, n, steps, width=width, path=path))
                if os.path.exists(path):
                    size = os.path.getsize(path)
                    os.unlink(path)  # (disk space: one file at a time)
        # the disk, measured with 2 GiB (or the recording's size, if smaller)
        test = max(min(written, 2 << 30) // (64 << 20), 1) * (64 << 20)
        direct = max(disk_write(tmp, test, True) for _ in range(2))
        cached = max(disk_write(tmp, test, False) for _ in range(2))
    print(f"N = {n}, recording all for {steps} steps ({written / 2**30:.2f} GiB); "
          f"file {size / 2**30:.2f} GiB; best of {max(REPEATS // 2, 1)}")
    for kind in runs:
        t, peak = best(runs[kind])
        print(f"  {kind:9s} {t:7.2f} s  peak RSS {peak / 2**20:8.0f} MiB")
    print(f"  the disk ({test / 2**30:.2f} GiB written sequentially, until on the disk): "
          f"{direct / 2**30:.2f} GiB/s past the page cache (O_DIRECT), "
          f"{cached / 2**30:.2f} GiB/s through it: these {written / 2**30:.2f} GiB take "
          f"{written / direct:.2f} s / {written / cached:.2f} s")
    for b in ("", "B ") if COMPARE else ("",):
        mem, st = best(runs[b + "state"])[0], best(runs[b + "stream"])[0]
        print(f"  {b}streaming runs at {100 * mem / st:.0f} % of the speed of recording in "
              f"memory (the disk alone allows at most {100 * mem / (written / direct):.0f} %)")


def access():
    """What reading a recording costs: ``M.v`` and ``M.v[k]`` copy all the
    traces (as Brian2's), ``M[k].v`` one trace, ``M.v_`` is a read-only view."""
    import time

    import numpy as np

    from nerve import NeuronGroup, StateMonitor, ms, run

    n, steps = 1000, 10_000
    G = NeuronGroup(n, "dv/dt = -v/(10*ms) : volt", method="exact")
    G.v = "i*mV"
    M = StateMonitor(G, "v", record=True)
    run(steps * 0.1 * ms)

    def best(read, repeats=15):
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            read()
            times.append(time.perf_counter() - t0)
        return min(times)

    size = n * steps * 8
    print(f"{n} neurons x {steps} steps recorded ({size / 2**20:.0f} MiB), best of 15")
    for name, read in [("M.v", lambda: M.v), ("M.v[5]", lambda: M.v[5]),
                       ("M[5].v", lambda: M[5].v), ("M[5].v_", lambda: M[5].v_),
                       ("M.v_", lambda: M.v_), ("M.v_[5]", lambda: M.v_[5])]:
        print(f"  {name:8s} {1e3 * best(read):9.4f} ms")
    a = np.ones(n * steps)
    print(f"  (numpy copy of {size / 2**20:.0f} MiB: {1e3 * best(a.copy):.4f} ms)")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "spikes"
    if what == "spikes":
        spikes()
    elif what == "state":
        state()
    elif what == "access":
        access()
    elif what == "stream":
        stream(int(sys.argv[2]) if len(sys.argv) > 2 else 1000)
    else:
        raise SystemExit(__doc__)
