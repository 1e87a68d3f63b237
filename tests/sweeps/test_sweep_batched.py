"""nerve.sweep in this process: copy k of a batched sweep gives exactly the
numbers of the same model built and run alone after seed(seeds[k])."""

from __future__ import annotations

import numpy as np
import pytest

import nerve
from nerve import (Hz, NeuronGroup, PoissonGroup, PoissonInput, PopulationRateMonitor,
                   SpikeMonitor, StateMonitor, Synapses, ms, run, second, seed, start_scope)
from nerve.sweeps import copy_seeds

DURATION = 30 * ms


def model(tau, w, run_for=None):
    """A small noisy network that draws random numbers in every way nerve
    has: string assignment (rand()), numpy's generator in the build,
    random connectivity, Poisson inputs (a group and a PoissonInput), xi noise, randn() in a
    run_regularly and a shared variable assigned with rand() on a schedule.
    With ``run_for`` it runs itself (``run()`` at its end): the model run
    alone."""
    P = PoissonGroup(40, rates=80 * Hz)
    G = NeuronGroup(5, """dv/dt = (I - v)/tau + 0.3*xi/sqrt(tau) : 1
                          I : 1
                          J : 1 (shared)""",
                    threshold="v > 1", reset="v = 0", method="euler")
    G.v = "rand()"
    G.I = np.random.uniform(0.2, 0.6, size=5)
    G.run_regularly("I = clip(I + 0.05*randn(), 0, 1)\n", dt=5 * ms)
    G.run_regularly("J = rand()", dt=3 * ms)
    S = Synapses(P, G, on_pre="v += w")
    S.connect(p=0.3)
    kick = PoissonInput(G, "v", 20, 30 * Hz, weight="0.5*w")
    spikes = SpikeMonitor(G)
    trace = StateMonitor(G, ["v", "I", "J"], record=[0, 3])
    rate = PopulationRateMonitor(G)
    if run_for is not None:
        run(run_for)
    # (returned in another order than created: the run order is creation order)
    return {"trace": trace, "spikes": spikes, "rate": rate, "S": S}


PARAMS = {"tau": [4, 6, 9, 12] * ms, "w": [0.2, 0.1, 0.3, 0.25]}


def measure(objects):
    spikes, trace = objects["spikes"], objects["trace"]
    return {"i": spikes.i[:], "t": spikes.t[:], "v": trace.v, "I": trace.I, "J": trace.J,
            "rate": objects["rate"].rate, "synapses": objects["S"].N}


def test_each_copy_is_the_model_run_alone_under_its_seed():
    result = nerve.sweep(model, PARAMS, DURATION, seed=11, measure=measure)
    assert len(result) == 4 and not result.failures
    np.testing.assert_array_equal(result.seeds, copy_seeds(11, 4))
    counts = []
    for k in range(4):
        start_scope()
        seed(int(result.seeds[k]))
        alone = model(PARAMS["tau"][k], PARAMS["w"][k], run_for=DURATION)
        got = result[k]
        np.testing.assert_array_equal(got["i"], alone["spikes"].i[:])
        np.testing.assert_array_equal(got["t"], alone["spikes"].t[:])
        for var in ("v", "I", "J"):
            np.testing.assert_array_equal(got[var], getattr(alone["trace"], var))
        np.testing.assert_array_equal(got["rate"], alone["rate"].rate)
        assert got["synapses"] == alone["S"].N
        counts.append(len(got["i"]))
    # the copies differ (other parameters, other seeds) and do spike
    assert min(counts) > 0 and len({tuple(result[k]["v"][0, -3:]) for k in range(4)}) == 4


def test_batches_of_any_size_give_the_same_numbers():
    whole = nerve.sweep(model, PARAMS, DURATION, seed=5, measure=measure)
    single = nerve.sweep(model, PARAMS, DURATION, seed=5, measure=measure, batch_size=1)
    pairs = nerve.sweep(model, PARAMS, DURATION, seed=5, measure=measure, batch_size=3)
    for k in range(4):
        for other in (single, pairs):
            for name in ("t", "v", "J"):
                np.testing.assert_array_equal(whole[k][name], other[k][name])


def test_seeds_of_copies_are_numpys_spawned_seeds():
    seeds = copy_seeds(2024, 6)
    children = np.random.SeedSequence(2024).spawn(6)
    assert list(seeds) == [int(c.generate_state(1)[0]) for c in children]
    # copy k's seed does not depend on the number of copies
    assert list(copy_seeds(2024, 3)) == list(seeds[:3])
    assert len(set(seeds)) == 6 and all(0 <= s < 2**32 for s in seeds)


def test_sweep_leaves_the_scripts_random_state_alone():
    seed(3)
    expected = np.random.rand(3)
    seed(3)
    nerve.sweep(model, PARAMS, 2 * ms, seed=1)
    np.testing.assert_array_equal(np.random.rand(3), expected)
    # the engine's streams of the script go on as without the sweep too
    seed(8)
    start_scope()
    G = NeuronGroup(4, "v : 1")
    G.v = "rand()"
    first = np.asarray(G.v).copy()
    seed(8)
    start_scope()
    H = NeuronGroup(4, "v : 1")
    nerve.sweep(model, PARAMS, 2 * ms, seed=1)
    H.v = "rand()"
    np.testing.assert_array_equal(np.asarray(H.v), first)


def test_seed_none_picks_a_seed_that_reproduces():
    first = nerve.sweep(model, PARAMS, 5 * ms, measure=measure)
    again = nerve.sweep(model, PARAMS, 5 * ms, seed=first.seed, measure=measure)
    np.testing.assert_array_equal(first.seeds, again.seeds)
    np.testing.assert_array_equal(first[2]["v"], again[2]["v"])


def lif(tau, rate=None):
    """Tutorial part 3's neuron, with the objects left in local variables
    (not returned): run() at the end would find them, so does the sweep."""
    P = PoissonGroup(100, rates=(10 * Hz if rate is None else rate))
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", threshold="v>1", reset="v=0", method="exact")
    S = Synapses(P, G, on_pre="v += 0.1")
    S.connect()
    M = SpikeMonitor(G)
    return [M]


def test_objects_in_local_variables_take_part():
    result = nerve.sweep(lif, {"tau": [1, 10] * ms}, 200 * ms, seed=2)
    table = result.to_pandas()
    # 1000 input spikes per second onto a leaky neuron needing 10 of them:
    # with tau = 1 ms inputs leak away (few spikes), with 10 ms it fires often
    assert table["spikemonitor.num_spikes"][0] < table["spikemonitor.num_spikes"][1]
    assert table["spikemonitor.num_spikes"][1] > 5


def test_default_measurement_as_pandas_and_xarray():
    result = nerve.sweep(model, PARAMS, 10 * ms, seed=4)
    table = result.to_pandas()
    assert list(table.columns) == ["tau", "w", "seed", "spikes.num_spikes"]
    np.testing.assert_allclose(table["tau"], [0.004, 0.006, 0.009, 0.012])
    assert table.attrs["units"] == {"tau": "second"}
    assert table.index.name == "copy"
    data = result.to_xarray()
    assert data.sizes["copy"] == 4
    assert data["trace.v"].dims == ("copy", "trace.neuron", "trace.t")
    assert data["trace.J"].shape == (4, 2, 100)
    np.testing.assert_array_equal(data["trace.neuron"], [0, 3])
    np.testing.assert_allclose(data["trace.t"], np.arange(100) * 1e-4)
    assert data["trace.t"].attrs["units"] == "second"
    assert data["rate.rate"].attrs["units"] == "hertz"
    assert data["tau"].attrs["units"] == "second"
    np.testing.assert_array_equal(data["seed"], result.seeds)
    np.testing.assert_array_equal(data["spikes.count"].sum("spikes.neuron"),
                                  table["spikes.num_spikes"])
    np.testing.assert_array_equal(data["trace.v"][2], result[2]["trace.v"])
    assert not data["failed"].any()


def test_grid_is_every_combination_last_name_fastest():
    table = nerve.grid(tau=[1, 2] * ms, w=[0.1, 0.2, 0.3], n=5)
    assert list(table) == ["tau", "w", "n"]
    np.testing.assert_allclose(np.asarray(table["tau"]), [0.001] * 3 + [0.002] * 3)
    assert table["w"] == [0.1, 0.2, 0.3] * 2 and table["n"] == [5] * 6
    result = nerve.sweep(lambda tau, w, n: lif(tau), table, 1 * ms, seed=1)
    assert len(result) == 6 and result.params[4] == {"tau": 2 * ms, "w": 0.2, "n": 5}


def test_parameter_sets_as_a_list_of_dicts_or_a_dataframe():
    import pandas as pd

    rows = [{"tau": 5 * ms, "rate": 10 * Hz}, {"tau": 8 * ms, "rate": 20 * Hz}]
    by_rows = nerve.sweep(lif, rows, 50 * ms, seed=9)
    by_columns = nerve.sweep(lif, {"tau": [5, 8] * ms, "rate": [10, 20] * Hz}, 50 * ms, seed=9)
    assert list(by_rows.to_pandas()["spikemonitor.num_spikes"]) == \
        list(by_columns.to_pandas()["spikemonitor.num_spikes"])
    def lif_seconds(tau):  # (a DataFrame's values have no units)
        return lif(tau * second)

    # the names of lif's model strings are looked up in lif, which made the objects
    frame = pd.DataFrame({"tau": [0.005, 0.008]})
    wrapped = nerve.sweep(lif_seconds, frame, 300 * ms, seed=9)
    direct = nerve.sweep(lif, {"tau": [5, 8] * ms}, 300 * ms, seed=9)
    spikes = list(direct.to_pandas()["spikemonitor.num_spikes"])
    assert list(wrapped.to_pandas()["spikemonitor.num_spikes"]) == spikes
    assert spikes[1] > 0

    def lif_ms(tau):
        tau = tau * ms
        return lif(tau)

    result = nerve.sweep(lif_ms, pd.DataFrame({"tau": [5.0, 8.0]}), 5 * ms, seed=9)
    assert result.params[1] == {"tau": 8.0}


def test_explicit_names_are_kept_and_the_copies_still_agree():
    def named(tau):
        G = NeuronGroup(2, "dv/dt = (2 - v)/tau + 0.2*xi/sqrt(tau) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", name="neurons")
        M = SpikeMonitor(G, name="spikes")
        return {"M": M}

    result = nerve.sweep(named, {"tau": [5, 7, 9] * ms}, 40 * ms, seed=3,
                         measure=lambda o: {"t": o["M"].t[:], "name": o["M"].name})
    for k in range(3):
        start_scope()
        seed(int(result.seeds[k]))
        tau = [5, 7, 9][k] * ms
        G = NeuronGroup(2, "dv/dt = (2 - v)/tau + 0.2*xi/sqrt(tau) : 1", threshold="v > 1",
                        reset="v = 0", method="euler", name="neurons")
        M = SpikeMonitor(G, name="spikes")
        run(40 * ms)
        assert len(M.t) > 0
        np.testing.assert_array_equal(result[k]["t"], M.t[:])
        assert result[k]["name"] == "spikes"


def test_build_may_return_a_network():
    from nerve import Network

    def build(tau):
        G = NeuronGroup(3, "dv/dt = (2 - v)/tau : 1", threshold="v > 1", reset="v = 0",
                        method="exact")
        return Network(G, SpikeMonitor(G), StateMonitor(G, "v", record=0))

    result = nerve.sweep(build, {"tau": [10, 20] * ms}, 100 * ms, seed=1)
    table = result.to_pandas()
    # v relaxes from 0 towards 2 and resets at 1: a spike every tau*ln 2
    assert list(table["spikemonitor.num_spikes"]) == [3 * int(100 / (10 * np.log(2))),
                                                      3 * int(100 / (20 * np.log(2)))]
    assert result.to_xarray()["statemonitor.v"].shape == (2, 1, 1000)
