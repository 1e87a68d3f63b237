"""Export of recordings to Neo objects, and a round trip through Neo's own
file formats."""

import numpy as np
import pytest

neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")

from nerve import (NeuronGroup, StateMonitor, SpikeMonitor, PopulationRateMonitor,  # noqa: E402
                   Network, ms, mV, start_scope)
from nerve.monitors.neo import (spike_trains_to_neo, to_neo_block,  # noqa: E402
                                to_quantities_unit, trace_to_neo)


def _run():
    start_scope()
    G = NeuronGroup(6, "dv/dt = (I - v)/(10*ms) : volt\nI : volt\ng : siemens",
                    threshold="v > 10*mV", reset="v = 0*mV", method="exact")
    G.I = "12*mV + 2*mV*i"
    G.g = "i*nS"
    M = StateMonitor(G, ["v", "g"], record=[1, 4])
    S = SpikeMonitor(G, variables="I")
    P = PopulationRateMonitor(G)
    Network(G, M, S, P).run(30 * ms)
    return G, M, S, P


def test_units_map_to_quantities():
    from nerve.units import volt, siemens, hertz, farad, metre, second

    assert to_quantities_unit(volt.dim) == pq.V
    assert to_quantities_unit(siemens.dim) == pq.S
    assert to_quantities_unit((farad / metre ** 2).dim).simplified == (pq.F / pq.m ** 2).simplified
    assert to_quantities_unit((volt / second).dim).simplified == (pq.V / pq.s).simplified
    assert to_quantities_unit(hertz.dim) == pq.Hz


def test_spike_trains_and_signals_carry_the_numbers_and_units():
    G, M, S, P = _run()
    trains = spike_trains_to_neo(S)
    assert len(trains) == 6
    for k, train in enumerate(trains):
        np.testing.assert_array_equal(train.rescale(pq.s).magnitude, S.t_[S.i == k])
        assert float(train.t_stop.rescale(pq.s)) == pytest.approx(0.03)
        np.testing.assert_allclose(train.array_annotations["I"].rescale(pq.mV).magnitude,
                                   np.asarray(S.I_[S.i == k]) * 1e3)
    v = trace_to_neo(M, "v")
    assert v.shape == (300, 2) and v.units == pq.V
    np.testing.assert_array_equal(v.magnitude, M.v_.T)
    assert float(v.sampling_period.rescale(pq.ms)) == pytest.approx(0.1)
    np.testing.assert_array_equal(v.array_annotations["neuron"], [1, 4])
    g = trace_to_neo(M, "g")
    assert g.units == pq.S
    rate = trace_to_neo(P)
    np.testing.assert_array_equal(rate.magnitude[:, 0], P.rate_)
    assert rate.units == pq.Hz


def test_round_trip_through_neo_files(tmp_path):
    G, M, S, P = _run()
    block = to_neo_block(M, S, P, name="trial")
    segment = block.segments[0]
    assert len(segment.spiketrains) == 6 and len(segment.analogsignals) == 3

    # NIX (HDF5) keeps spike trains, signals, units and annotations
    pytest.importorskip("nixio")
    from neo.io import NixIO

    with NixIO(str(tmp_path / "trial.nix"), mode="ow") as io:
        io.write_block(block)
    with NixIO(str(tmp_path / "trial.nix"), mode="ro") as io:
        back = io.read_block()
    seg = back.segments[0]
    assert len(seg.spiketrains) == 6
    for train in seg.spiketrains:
        k = train.annotations["neuron"]
        np.testing.assert_array_equal(train.rescale(pq.s).magnitude, S.t_[S.i == k])
        np.testing.assert_array_equal(train.array_annotations["I"],
                                      np.asarray(S.I_[S.i == k]))
    signals = {s.name: s for s in seg.analogsignals}
    np.testing.assert_array_equal(signals["v"].rescale(pq.V).magnitude, M.v_.T)
    np.testing.assert_array_equal(signals["g"].rescale(pq.S).magnitude, M.g_.T)
    np.testing.assert_array_equal(signals["rate"].rescale(pq.Hz).magnitude[:, 0], P.rate_)

