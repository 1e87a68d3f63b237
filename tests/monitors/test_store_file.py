"""store(filename=...) / restore(filename=...): a numpy file read without
pickle, matched by object names (so another process can restore it)."""

import json
import subprocess
import sys
import os

import numpy as np
import pytest

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, PopulationRateMonitor, Synapses,
                   Network, ms, mV, start_scope)
from nerve.exceptions import NotSupportedError


def _build():
    start_scope()
    G = NeuronGroup(8, "dv/dt = (I - v)/(10*ms) : volt\nI : volt", threshold="v > 10*mV",
                    reset="v = 0*mV", method="exact", name="G")
    G.I = "11*mV + 1*mV*i"
    S = Synapses(G, G, "w : volt", on_pre="v_post += w", name="S")
    S.connect(j="(i + 1) % 8")
    S.w = "0.5*mV"
    M = StateMonitor(G, "v", record=[0, 5], name="M")
    SM = SpikeMonitor(G, name="SM")
    P = PopulationRateMonitor(G, name="P")
    return Network(G, S, M, SM, P), G, S, M, SM, P


def test_store_to_a_file_and_restore_in_the_same_session(tmp_path):
    path = tmp_path / "state.npz"
    net, G, S, M, SM, P = _build()
    net.run(20 * ms)
    net.store("first", filename=path)
    v, spikes, rates = G.v_.copy(), SM.i.copy(), P.rate_.copy()
    net.run(20 * ms)
    after = (G.v_.copy(), SM.i.copy())
    net.store("second", filename=path)  # a second name in the same file
    net.restore("first", filename=path)
    assert float(net.t) == pytest.approx(0.02)
    np.testing.assert_array_equal(G.v_, v)
    np.testing.assert_array_equal(SM.i, spikes)
    np.testing.assert_array_equal(P.rate_, rates)
    assert M.v.shape == (2, 200)
    net.run(20 * ms)  # deterministic model: the same as the first time
    np.testing.assert_array_equal(G.v_, after[0])
    np.testing.assert_array_equal(SM.i, after[1])
    net.restore("second", filename=path)
    np.testing.assert_array_equal(G.v_, after[0])
    with pytest.raises(KeyError, match="'third'"):
        net.restore("third", filename=path)
    with pytest.raises(NotSupportedError, match="random"):
        net.restore("first", filename=path, restore_random_state=True)


def test_the_file_holds_no_pickle_and_another_process_restores_it(tmp_path):
    path = tmp_path / "state.npz"
    net, G, S, M, SM, P = _build()
    net.run(30 * ms)
    net.store(filename=path)
    with np.load(path, allow_pickle=False) as data:  # would raise on a pickled entry
        assert "default/__state__" in data.files
    code = f"""
import numpy as np, sys
sys.path.insert(0, {os.path.join(os.path.dirname(__file__))!r})
from test_store_file import _build
net, G, S, M, SM, P = _build()
net.restore(filename={str(path)!r})
import json
print(json.dumps([float(net.t), G.v_.tolist(), SM.i.tolist(), M.v_.shape, P.rate_.sum()]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    t, v, i, shape, rate = json.loads(out.stdout.strip().splitlines()[-1])
    assert t == pytest.approx(0.03)
    assert v == G.v_.tolist() and i == SM.i.tolist()
    assert shape == [2, 300] and rate == pytest.approx(P.rate_.sum())


def test_spikes_in_flight_are_refused(tmp_path):
    start_scope()
    G = NeuronGroup(2, "dv/dt = 1/ms : 1", threshold="v > 1", reset="v = 0", name="G")
    S = Synapses(G, G, on_pre="v_post += 0", delay=5 * ms, name="S")
    S.connect()
    net = Network(G, S)
    net.run(1.5 * ms)
    with pytest.raises(NotSupportedError, match="travelling"):
        net.store(filename=tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()
