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


def measure(kind, n, steps, width=0, path=None):
    code = "import json\n" + MODEL.format(n=n, kind=kind, steps=steps, width=width, path=path)
    env = dict(os.environ)
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
    runs = {k: [] for k in ("none", "spikes", "count")}
    for _ in range(REPEATS):
        for kind in runs:
            runs[kind].append(measure(kind, n, steps))
    base = best(runs["none"])[0]
    print(f"N = {n}, {steps} steps, one thread, best of {REPEATS}")
    for kind in runs:
        t, _ = best(runs[kind])
        print(f"  {kind:8s} {t:7.3f} s  {100 * (t / base - 1):+6.1f} %")


#: what a recording must do at least: write ``width`` values per step into
#: memory never touched before (a fresh process; the first touch of each page
#: is part of the cost, and on a virtual machine often most of it)
FRESH_WRITE = """
import json, time, numpy as np
width, steps = {width}, {steps}
column = np.random.default_rng(0).random(100_000)
t0 = time.perf_counter()
out = np.empty(width * steps)
for k in range(steps):
    out[k * width:(k + 1) * width] = column[:width]
print(json.dumps(dict(elapsed=time.perf_counter() - t0)))
"""


def fresh_write(width: int, steps: int) -> float:
    """Seconds to write ``width`` values per step for ``steps`` steps into
    fresh memory, in a fresh process (numpy; best of ``REPEATS``)."""
    code = FRESH_WRITE.format(width=width, steps=steps)
    times = []
    for _ in range(REPEATS):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        times.append(json.loads(out.stdout.strip().splitlines()[-1])["elapsed"])
    return min(times)


def state():
    n, width, steps = 100_000, 10_000, 5000
    runs = {k: [] for k in ("none", "state")}
    for _ in range(REPEATS):
        for kind in runs:
            runs[kind].append(measure(kind, n, steps, width=width))
    base, state_t = best(runs["none"])[0], best(runs["state"])[0]
    written = width * steps * 8
    bw = bandwidth()
    fresh = fresh_write(width, steps)
    print(f"N = {n}, recording {width} neurons for {steps} steps ({written / 2**20:.0f} MiB)")
    print(f"  without {base:.3f} s, with {state_t:.3f} s: +{state_t - base:.3f} s "
          f"= {written / max(state_t - base, 1e-9) / 2**30:.2f} GiB/s recorded")
    print(f"  writing the values once, step by step, into fresh memory (numpy, fresh "
          f"process): {fresh:.3f} s; the recording costs {(state_t - base) / fresh:.2f}x that")
    print(f"  (one core copies {bw / 2**30:.2f} GiB/s between warm arrays: "
          f"{written / bw:.3f} s, no first touch of pages)")


def stream(steps):
    n, width = 100_000, 100_000
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stream.h5")
        runs = {k: [] for k in ("none", "state", "stream")}
        for _ in range(max(REPEATS // 2, 1)):
            for kind in runs:
                runs[kind].append(measure(kind, n, steps, width=width, path=path))
        size = os.path.getsize(path)
    base = best(runs["none"])
    print(f"N = {n}, recording all for {steps} steps ({width * steps * 8 / 2**30:.2f} GiB); "
          f"file {size / 2**30:.2f} GiB")
    for kind in runs:
        t, peak = best(runs[kind])
        print(f"  {kind:7s} {t:7.2f} s  peak RSS {peak / 2**20:8.0f} MiB")
    mem, st = best(runs["state"])[0], best(runs["stream"])[0]
    print(f"  streaming runs at {100 * mem / st:.0f} % of the speed of recording in memory")


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
