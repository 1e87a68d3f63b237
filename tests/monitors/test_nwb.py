"""Export of recordings to NWB (pynwb): written by nerve, read back by
pynwb's own reader, equal to the monitors' numbers."""

import datetime
import subprocess
import sys

import numpy as np
import pytest

pynwb = pytest.importorskip("pynwb")
h5py = pytest.importorskip("h5py")

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, PopulationRateMonitor,  # noqa: E402
                   EventMonitor, Network, ms, mV, start_scope)
from nerve.exceptions import (ArgumentTypeError, InvalidArgumentError,  # noqa: E402
                              NerveError, NotSupportedError)
from nerve.monitors import nwb as nerve_nwb  # noqa: E402
from nerve.monitors.nwb import NWBFileExistsError, nwb_unit, to_nwb  # noqa: E402

MODEL = """dv/dt = (I - v)/(10*ms) : volt
I : volt
g : siemens
n : integer"""


def _net(record_to=None, n=6):
    start_scope()
    G = NeuronGroup(n, MODEL, threshold="v > 10*mV", reset="v = 0*mV", method="exact",
                    name="cells")
    G.I = "12*mV + 2*mV*i"
    G.g = "i*nS"
    G.n = "3*i"
    M = StateMonitor(G, ["v", "g", "n"], record=[1, 4], record_to=record_to, name="trace")
    S = SpikeMonitor(G, variables="I", record_to=record_to, name="spikes")
    S2 = SpikeMonitor(G[2:5], variables=["v", "n"], name="part")
    P = PopulationRateMonitor(G, name="rate")
    return Network(G, M, S, S2, P), G, M, S, S2, P


def _read(path):
    io = pynwb.NWBHDF5IO(str(path), "r")
    return io, io.read()


def _check_file(nwb, M, S, S2, P):
    """The NWB file holds exactly the monitors' numbers."""
    units = nwb.units
    assert len(units) == 6 + 3
    assert set(units.colnames) >= {"spike_times", "neuron", "source", "monitor", "I", "v", "n"}
    i, t, current = np.asarray(S.i), np.asarray(S.t_), np.asarray(S.I_)
    for row in range(6):
        k = units["neuron"][row]
        assert k == row and units["monitor"][row] == "spikes"
        assert units["source"][row] == "cells"
        np.testing.assert_array_equal(units["spike_times"][row], t[i == k])
        np.testing.assert_array_equal(units["I"][row], current[i == k])
        assert len(units["v"][row]) == 0  # ('spikes' does not record v)
    i2, t2, v2, n2 = (np.asarray(S2.i), np.asarray(S2.t_), np.asarray(S2.v_),
                      np.asarray(S2.n_))
    for row in range(6, 9):
        k = units["neuron"][row]
        assert k == row - 6 and units["monitor"][row] == "part"
        np.testing.assert_array_equal(units["spike_times"][row], t2[i2 == k])
        np.testing.assert_array_equal(units["v"][row], v2[i2 == k])
        np.testing.assert_array_equal(units["n"][row], n2[i2 == k])
        assert len(units["I"][row]) == 0
    assert units.resolution == pytest.approx(1e-4)
    # neuron 4 of the group (index 2 of G[2:5]) spikes: the subgroup's rows are not empty
    assert len(units["spike_times"][8]) == np.count_nonzero(i == 4) > 0

    v = nwb.acquisition["trace_v"]
    assert v.unit == "volts" and v.data.shape == (300, 2)
    np.testing.assert_array_equal(v.data[()], np.asarray(M.v_).T)
    assert v.rate == 1e4 and v.starting_time == 0.0 and v.timestamps is None
    g = nwb.acquisition["trace_g"]
    assert g.unit == "siemens"
    np.testing.assert_array_equal(g.data[()], np.asarray(M.g_).T)
    n = nwb.acquisition["trace_n"]
    assert n.data.dtype == np.int64 and n.unit == "dimensionless"
    np.testing.assert_array_equal(n.data[()], np.asarray(M.n_).T)
    np.testing.assert_array_equal(n.data[0], [3, 12])
    neurons = nwb.acquisition["trace_neurons"]
    np.testing.assert_array_equal(neurons["neuron"][:], [1, 4])

    rate = nwb.acquisition["rate"]
    assert rate.unit == "hertz" and rate.rate == 1e4 and rate.starting_time == 0.0
    np.testing.assert_array_equal(rate.data[()], P.rate_)
    assert rate.data[()].max() > 0


def test_round_trip_through_pynwb(tmp_path):
    net, G, M, S, S2, P = _net()
    net.run(30 * ms)
    start = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone.utc)
    path = tmp_path / "sim.nwb"
    written = to_nwb(M, S, S2, P, filename=path, session_description="six LIF neurons",
                     identifier="trial-1", session_start_time=start, experimenter=["A. B."])
    assert isinstance(written, pynwb.NWBFile)
    assert pynwb.validate(path=str(path)) == []  # (the schema's checks: no error)
    io, nwb = _read(path)
    with io:
        assert nwb.session_description == "six LIF neurons"
        assert nwb.identifier == "trial-1" and nwb.session_start_time == start
        assert tuple(nwb.experimenter) == ("A. B.",)
        _check_file(nwb, M, S, S2, P)


def test_streamed_monitors_give_the_same_file(tmp_path, monkeypatch):
    net, G, M, S, S2, P = _net()
    net.run(30 * ms)
    to_nwb(M, S, S2, P, filename=tmp_path / "memory.nwb")

    # tiny passes and pieces, so the streamed export takes many of them
    monkeypatch.setattr(nerve_nwb, "_EVENTS_PER_PASS", 3)
    monkeypatch.setattr(nerve_nwb, "_TRACE_BUFFER_BYTES", 16 * 7)
    net2, G2, M2, S_2, S2_2, P2 = _net(record_to=str(tmp_path / "stream.h5"))
    net2.run(15 * ms)
    net2.run(15 * ms)
    assert M2._stream is not None and S_2._stream is not None
    to_nwb(M2, S_2, S2_2, P2, filename=tmp_path / "streamed.nwb")
    assert pynwb.validate(path=str(tmp_path / "streamed.nwb")) == []
    io, nwb = _read(tmp_path / "streamed.nwb")
    with io:
        _check_file(nwb, M, S, S2, P)  # the in-memory run's numbers
        # written as pieces: the trace's dataset is chunked
        assert nwb.acquisition["trace_v"].data.chunks is not None


def test_compressed_files_hold_the_same_numbers(tmp_path):
    net, G, M, S, S2, P = _net(record_to=str(tmp_path / "stream.h5"))  # (M, S streamed)
    net.run(30 * ms)
    to_nwb(M, S, S2, P, filename=tmp_path / "small.nwb", compression="gzip")
    assert pynwb.validate(path=str(tmp_path / "small.nwb")) == []
    io, nwb = _read(tmp_path / "small.nwb")
    with io:
        _check_file(nwb, M, S, S2, P)
        for data in (nwb.acquisition["trace_v"].data, nwb.acquisition["rate"].data,
                     nwb.units["spike_times"].target.data, nwb.units["v"].target.data):
            assert data.compression == "gzip"


def test_irregular_recordings_get_timestamps(tmp_path):
    start_scope()
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : volt", method="exact")
    G.v = "(i + 1)*mV"
    M = StateMonitor(G, "v", record=True, name="gappy")
    net = Network(G, M)
    net.run(1 * ms)
    net.remove(M)
    net.run(1 * ms)  # not recorded
    net.add(M)
    net.run(1 * ms)
    assert len(M) == 20
    to_nwb(M, filename=tmp_path / "gaps.nwb")
    io, nwb = _read(tmp_path / "gaps.nwb")
    with io:
        series = nwb.acquisition["gappy_v"]
        assert series.rate is None
        np.testing.assert_array_equal(series.timestamps[()], M.t_)
        np.testing.assert_array_equal(series.data[()], np.asarray(M.v_).T)


def test_units():
    from nerve.units import (DIMENSIONLESS, amp, get_or_create_dimension, hertz, second,
                             siemens, volt)

    # (dimensions built directly: a unit made by arithmetic, volt/volt, would
    # be registered and change get_best_unit() in other tests)
    assert nwb_unit(volt.dim) == "volts"
    assert nwb_unit(amp.dim) == "amperes"
    assert nwb_unit(siemens.dim) == "siemens"
    assert nwb_unit(hertz.dim) == "hertz"
    assert nwb_unit(second.dim) == "seconds"
    assert nwb_unit(DIMENSIONLESS) == "dimensionless"
    # farad per square metre: m^-4 kg^-1 s^4 A^2
    assert nwb_unit(get_or_create_dimension([-4, -1, 4, 2, 0, 0, 0])) == "m^-4 kg^-1 s^4 A^2"


def test_in_memory_file_and_adding_to_a_given_file():
    net, G, M, S, S2, P = _net()
    net.run(10 * ms)
    nwb = to_nwb(P)  # no file: the NWBFile alone
    np.testing.assert_array_equal(nwb.acquisition["rate"].data, P.rate_)
    to_nwb(M, S, nwbfile=nwb)  # added to it
    assert {"rate", "trace_v", "trace_neurons"} <= set(nwb.acquisition)
    assert len(nwb.units) == 6
    with pytest.raises(InvalidArgumentError, match="already has 'rate'"):
        to_nwb(P, nwbfile=nwb)
    with pytest.raises(InvalidArgumentError, match="already has a units table"):
        to_nwb(S2, nwbfile=nwb)
    with pytest.raises(ArgumentTypeError, match="cannot be given with nwbfile"):
        to_nwb(P, nwbfile=nwb, lab="x")


def test_bad_input_is_refused(tmp_path):
    net, G, M, S, S2, P = _net()
    with pytest.raises(InvalidArgumentError, match="recorded nothing yet"):
        to_nwb(M)
    with pytest.raises(InvalidArgumentError, match="recorded nothing yet"):
        to_nwb(P)
    net.run(5 * ms)
    with pytest.raises(ArgumentTypeError, match="got <NeuronGroup") as err:
        to_nwb(M, G)
    assert isinstance(err.value, TypeError) and isinstance(err.value, NerveError)
    with pytest.raises(ArgumentTypeError, match="at least one monitor"):
        to_nwb()
    with pytest.raises(InvalidArgumentError, match="given twice"):
        to_nwb(M, M)
    with pytest.raises(ArgumentTypeError, match="must be a pynwb.NWBFile"):
        to_nwb(M, nwbfile="x.nwb")


def test_monitors_without_data_to_export():
    start_scope()
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*mV", reset="v = 0*mV",
                    events={"low": "v < 0.5*mV"}, method="exact")
    counts = SpikeMonitor(G, record=False, name="counts")
    low = EventMonitor(G, "low", name="low")
    nobody = StateMonitor(G, "v", record=False, name="nobody")
    silent = SpikeMonitor(G, name="silent")
    Network(G, counts, low, nobody, silent).run(2 * ms)
    with pytest.raises(InvalidArgumentError, match="record=False"):
        to_nwb(counts)
    with pytest.raises(InvalidArgumentError, match="'low' events"):
        to_nwb(low)
    with pytest.raises(InvalidArgumentError, match="records no neurons"):
        to_nwb(nobody)
    # a monitor that ran but saw no spike: a units table of neurons without spikes
    nwb = to_nwb(silent)
    assert len(nwb.units) == 3
    assert all(len(nwb.units["spike_times"][k]) == 0 for k in range(3))


def test_existing_files_are_kept_unless_overwrite(tmp_path):
    net, G, M, S, S2, P = _net()
    net.run(5 * ms)
    path = tmp_path / "sim.nwb"
    path.write_text("precious")
    with pytest.raises(NWBFileExistsError, match="overwrite=True") as err:
        to_nwb(P, filename=path)
    assert isinstance(err.value, FileExistsError)
    assert path.read_text() == "precious"
    to_nwb(P, filename=path, overwrite=True)
    io, nwb = _read(path)
    with io:
        np.testing.assert_array_equal(nwb.acquisition["rate"].data[()], P.rate_)


def test_the_file_a_monitor_streams_to_is_not_overwritten(tmp_path):
    path = tmp_path / "stream.h5"
    net, G, M, S, S2, P = _net(record_to=str(path))
    net.run(5 * ms)
    with pytest.raises(InvalidArgumentError, match="streams to"):
        to_nwb(M, filename=path, overwrite=True)
    np.testing.assert_array_equal(np.asarray(M.v_).shape, (2, 50))  # still readable


def test_missing_pynwb_names_the_extra(monkeypatch):
    net, G, M, S, S2, P = _net()
    net.run(5 * ms)
    monkeypatch.setitem(sys.modules, "pynwb", None)  # 'import pynwb' raises ImportError
    with pytest.raises(NotSupportedError, match=r"pip install nerve\[nwb\]"):
        to_nwb(P)


def test_import_nerve_does_not_import_pynwb():
    code = ("import sys, nerve, nerve.monitors.nwb\n"
            "print('pynwb' in sys.modules, 'h5py' in sys.modules, 'hdmf' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "False"]


def test_synaptic_variables_name_their_synapses():
    from nerve import Synapses

    start_scope()
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : volt", threshold="v > 1*mV", reset="v = 0*mV",
                    method="exact")
    S = Synapses(G, G, "w : siemens", on_pre="v += 1*mV")
    S.connect(p=1)
    S.w = "(i + 3*j)*nS"
    M = StateMonitor(S, "w", record=[1, 5], name="weights")
    Network(G, S, M).run(1 * ms)
    nwb = to_nwb(M)
    assert nwb.acquisition["weights_neurons"].colnames == ("synapse",)
    np.testing.assert_array_equal(nwb.acquisition["weights_neurons"]["synapse"][:], [1, 5])
    series = nwb.acquisition["weights_w"]
    assert series.unit == "siemens"
    np.testing.assert_array_equal(series.data, np.asarray(M.w_).T)
    assert series.data[0].tolist() == [float(S.w_[1]), float(S.w_[5])]
