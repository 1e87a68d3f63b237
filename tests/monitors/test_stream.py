"""Monitors streamed to an HDF5 file (``record_to=``): bounded memory, the
same numbers as an in-memory recording, read back lazily."""

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, Network, ms, mV,  # noqa: E402
                   start_scope)
from nerve.core import memory  # noqa: E402
from nerve.core.memory import RecordingMemoryError, set_recording_memory_limit  # noqa: E402
from nerve.monitors.stream import LazyArray, open_recording  # noqa: E402


@pytest.fixture(autouse=True)
def _no_limit():
    yield
    set_recording_memory_limit(None)


def _net(record_to=None, n=2000):
    start_scope()
    G = NeuronGroup(n, "dv/dt = (I - v)/(10*ms) : volt\nI : volt", threshold="v > 10*mV",
                    reset="v = 0*mV", method="exact")
    G.I = "11*mV + 5*mV*i/N"
    M = StateMonitor(G, "v", record=True, record_to=record_to, name="trace")
    S = SpikeMonitor(G, variables="I", record_to=record_to, name="spikes")
    return Network(G, M, S), M, S


def test_streaming_more_than_the_memory_budget_gives_the_in_memory_recording(tmp_path,
                                                                            monkeypatch):
    # 2000 neurons * 600 steps * 8 bytes = 9.6 MB of traces, plus spikes; the budget
    # for recordings is 4 MB and the engine hands over every 1 MB
    monkeypatch.setattr(memory, "FLUSH_BYTES", 1 << 20)
    net, M, S = _net()
    net.run(60 * ms)
    expected_v, expected_t = np.asarray(M.v_).copy(), M.t_.copy()
    expected_i, expected_st, expected_I = S.i.copy(), S.t_.copy(), S.I_.copy()

    set_recording_memory_limit(4 << 20)
    net, M, S = _net()
    with pytest.raises(RecordingMemoryError):  # in memory it does not fit
        net.run(60 * ms)

    path = tmp_path / "run.h5"
    net, M, S = _net(record_to=str(path))
    net.run(30 * ms)
    net.run(30 * ms)  # two runs append
    assert isinstance(M.v, LazyArray) and M.v.shape == (2000, 600)
    np.testing.assert_array_equal(M.t_, expected_t)
    np.testing.assert_array_equal(np.asarray(M.v_), expected_v)
    np.testing.assert_array_equal(M.v_[17], expected_v[17])  # one neuron, read alone
    assert M.v[17].dim is mV.dim
    np.testing.assert_array_equal(np.asarray(M.v[3:5, 100:110]), expected_v[3:5, 100:110])
    np.testing.assert_array_equal(M[5].v_, expected_v[5])
    np.testing.assert_array_equal(M[[5, 9]].v_, expected_v[[5, 9]])
    np.testing.assert_array_equal(S.i, expected_i)
    np.testing.assert_array_equal(S.t_, expected_st)
    np.testing.assert_array_equal(S.I_, expected_I)
    np.testing.assert_array_equal(S.count, np.bincount(expected_i, minlength=2000))

    # read back from the file alone
    stored = open_recording(path)
    assert set(stored) == {"trace", "spikes"}
    R = stored["trace"]
    assert R.kind == "StateMonitor" and R.v.shape == (2000, 600)
    np.testing.assert_array_equal(np.asarray(R.v_), expected_v)
    assert R.v[0].dim is mV.dim
    np.testing.assert_array_equal(R.record, np.arange(2000))
    np.testing.assert_array_equal(stored["spikes"].i, expected_i)
    np.testing.assert_array_equal(stored["spikes"].count, np.bincount(expected_i,
                                                                     minlength=2000))


def test_streamed_monitors_store_and_restore(tmp_path):
    net, M, S = _net(record_to=str(tmp_path / "r.h5"), n=10)
    net.run(5 * ms)
    net.store()
    n_spikes = S.num_spikes
    net.run(5 * ms)
    assert M.v.shape == (10, 100)
    net.restore()
    assert M.v.shape == (10, 50) and S.num_spikes == n_spikes
    net.run(5 * ms)
    assert M.v.shape == (10, 100)


def test_record_to_an_open_group(tmp_path):
    with h5py.File(tmp_path / "g.h5", "w") as f:
        group = f.create_group("trial1")
        net, M, S = _net(record_to=group, n=5)
        net.run(2 * ms)
        assert "trial1/trace/v" in f and f["trial1/trace/v"].shape == (20, 5)


def test_bad_record_to_is_refused():
    from nerve.exceptions import NerveError

    with pytest.raises(NerveError, match="record_to"):
        _net(record_to=42)


@pytest.mark.parametrize("width", [None, 3])
def test_appends_across_chunk_boundaries_give_the_data(tmp_path, monkeypatch, width):
    # whole chunks are written directly, past HDF5's cache; the parts of
    # chunks begun or not yet full go through it: every mix gives the data
    from nerve.monitors import stream

    monkeypatch.setattr(stream, "_CHUNK_BYTES", 4 * 8 * (width or 1))  # 4 rows a chunk
    target = stream.StreamTarget(str(tmp_path / "c.h5"), "m")
    column = target.column("v", width, np.float64)
    assert column.dataset.chunks[0] == 4
    rng = np.random.default_rng(1)
    shape = (lambda k: (k,)) if width is None else (lambda k: (k, width))
    parts = [rng.random(shape(k)) for k in (1, 3, 9, 4, 2, 0, 8, 5)]
    parts.append(np.asfortranarray(rng.random(shape(6))))  # (not C-ordered: through HDF5)
    for part in parts:
        column.append(part)
    expected = np.concatenate(parts)
    np.testing.assert_array_equal(column.array, expected)
    column.truncate(13)  # (restore()) and on again
    column.append(parts[2])
    np.testing.assert_array_equal(column.array, np.concatenate([expected[:13], parts[2]]))
    target.flush()
    with h5py.File(tmp_path / "c.h5", "r") as f:
        np.testing.assert_array_equal(f["m/v"][()], np.concatenate([expected[:13], parts[2]]))
