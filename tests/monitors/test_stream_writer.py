"""The background writer of streamed recordings (nerve.monitors._writer):
writes overlap the run but are whole and in order when anything reads them,
memory waiting to be written is bounded, a failed write is raised, and the
page cache is kept from filling with the file."""

import threading
import time

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from nerve import (NeuronGroup, Network, StateMonitor, SpikeMonitor, ms,  # noqa: E402
                   network_operation, start_scope)
from nerve.core import memory  # noqa: E402
from nerve.monitors import _writer, stream  # noqa: E402


def _net(record_to=None, n=300):
    start_scope()
    G = NeuronGroup(n, "dv/dt = (I - v)/(10*ms) : 1\nI : 1", threshold="v > 1",
                    reset="v = 0", method="exact")
    G.I = "1.1 + 0.5*i/N"
    M = StateMonitor(G, "v", record=True, record_to=record_to, name="trace")
    S = SpikeMonitor(G, record_to=record_to, name="spikes")
    return G, M, S


def test_reads_during_the_run_see_everything_recorded_so_far(tmp_path, monkeypatch):
    # hand-overs of ~10 rows: most are still queued or being written when the
    # network operation reads the monitor, which must find them all
    monkeypatch.setattr(memory, "FLUSH_BYTES", 10 * 300 * 8)
    G, M, S = _net(record_to=str(tmp_path / "r.h5"))
    seen = []

    @network_operation(dt=1 * ms)
    def look(t):
        seen.append((len(M), M.v.shape[1], len(M.t_), S.num_spikes,
                     len(S.i) if S.num_spikes else 0))

    net = Network(G, M, S, look)
    net.run(20 * ms)
    # at t = k ms (before the recording of that step), k*10 recordings
    assert [s[0] for s in seen] == [10 * k for k in range(20)]
    assert all(a == b == c for a, b, c, _, _ in seen)
    assert all(n == m for *_, n, m in seen)
    assert M.v.shape == (300, 200)

    G2, M2, S2 = _net()
    Network(G2, M2, S2).run(20 * ms)
    np.testing.assert_array_equal(np.asarray(M.v_), M2.v_)
    np.testing.assert_array_equal(S.i, S2.i)


def test_a_failed_write_stops_the_run_with_its_error(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "FLUSH_BYTES", 10 * 300 * 8)
    G, M, S = _net(record_to=str(tmp_path / "f.h5"))
    net = Network(G, M, S)
    net.run(2 * ms)
    calls = []
    original = stream.H5Column._append

    def full(self, part):
        calls.append(len(part))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stream.H5Column, "_append", full)
    with pytest.raises(OSError, match="No space left"):
        net.run(100 * ms)
    assert float(net.t / ms) < 100  # it stopped at a hand-over, not at the end
    # the writes after the failed one were dropped, not attempted
    assert len(calls) == 1
    monkeypatch.setattr(stream.H5Column, "_append", original)
    recorded = len(M)
    net.run(1 * ms)  # the network and the writer go on
    assert len(M) == recorded + 10


def test_what_waits_to_be_written_stays_within_the_budget(monkeypatch):
    monkeypatch.setattr(memory, "FLUSH_BYTES", 1000)
    w = _writer.Writer()
    waiting, lock, order = [], threading.Lock(), []

    def task(k):
        def write():
            with lock:
                waiting.append(w._waiting)
            time.sleep(0.002)
            order.append(k)
        return write

    for k in range(30):
        w.submit(task(k), 400)
    w.wait()
    assert order == list(range(30))
    assert max(waiting) <= 1000
    # a task larger than the budget alone still goes (after the others)
    w.submit(task(30), 5000)
    w.wait()
    assert order[-1] == 30


def test_write_behind_drops_written_pages_and_keeps_the_data(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "FLUSH_BYTES", 1 << 16)
    monkeypatch.setattr(_writer.WriteBehind, "LAG", 1 << 16)
    monkeypatch.setattr(_writer.WriteBehind, "PIECE", 1 << 14)
    monkeypatch.setattr(stream, "_CHUNK_BYTES", 8 * 300 * 8)  # chunks of 8 recordings
    G, M, S = _net(record_to=str(tmp_path / "w.h5"))
    Network(G, M, S).run(50 * ms)  # 300 x 500 x 8 bytes = 1.2 MB
    behind = M._stream._behind
    if behind._fd is not None:  # (Linux: the pages were written and dropped)
        assert behind._dropped > (1 << 20) - (1 << 17)
    G2, M2, S2 = _net()
    Network(G2, M2, S2).run(50 * ms)
    np.testing.assert_array_equal(np.asarray(M.v_), M2.v_)
    np.testing.assert_array_equal(S.t_, S2.t_)
