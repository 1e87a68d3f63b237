"""Bad input to nerve.sweep gets a clear nerve error; a copy that fails is
reported with its parameter set while the other copies' results are kept."""

from __future__ import annotations

import numpy as np
import pytest

import nerve
from nerve import NeuronGroup, SpikeMonitor, StateMonitor, mV, ms, second
from nerve.exceptions import (ArgumentTypeError, DimensionMismatchError, InvalidArgumentError,
                              NerveError, UnknownNameError)


def neuron(tau, drive=2.0):
    G = NeuronGroup(2, "dv/dt = (drive - v)/tau + 0.5*xi/sqrt(tau) : 1", threshold="v > 1",
                    reset="v = 0", method="euler")
    M = SpikeMonitor(G)
    V = StateMonitor(G, "v", record=0)
    return {"M": M, "V": V}


TAUS = {"tau": [5, 10, 15] * ms}


def test_a_parameter_the_build_function_does_not_take():
    with pytest.raises(UnknownNameError, match=r"neuron\(\) has no parameter 'taus' "
                                               r"\(its parameters: tau, drive\)") as caught:
        nerve.sweep(neuron, {"taus": [1, 2] * ms}, 10 * ms)
    assert isinstance(caught.value, (NerveError, KeyError))


def test_a_parameter_the_build_function_needs():
    with pytest.raises(ArgumentTypeError, match=r"neuron\(\) needs the parameter\(s\) 'tau'"):
        nerve.sweep(neuron, {"drive": [1.0, 2.0]}, 10 * ms)


def test_build_with_keyword_arguments_takes_any_name():
    def build(**p):
        return neuron(p["tau"])  # (neuron's names: its own variables)

    result = nerve.sweep(build, {"tau": [5, 6] * ms, "label": [1, 2]}, 2 * ms, seed=1)
    assert len(result) == 2 and result.params[1] == {"tau": 6 * ms, "label": 2}


def test_columns_of_different_lengths():
    with pytest.raises(InvalidArgumentError, match=r"different numbers of values "
                                                   r"\(tau: 3, drive: 2\)"):
        nerve.sweep(neuron, {"tau": [5, 10, 15] * ms, "drive": [1.0, 2.0]}, 10 * ms)


def test_values_of_one_parameter_with_different_units():
    with pytest.raises(DimensionMismatchError,
                       match=r"parameter 'tau' do not share their units: second in parameter "
                             r"set 0 .* volt in parameter set 1"):
        nerve.sweep(neuron, [{"tau": 5 * ms}, {"tau": 5 * mV}], 10 * ms)


def test_values_with_the_wrong_units_for_the_model():
    with pytest.raises(nerve.SweepError, match=r"2 of 2 copies of the sweep failed:?.*\n"
                                               r"  copy 0 \(tau=5. mV\) failed in run: "
                                               r"DimensionMismatchError") as caught:
        nerve.sweep(neuron, {"tau": [5, 10] * mV}, 10 * ms)
    assert isinstance(caught.value.__cause__, DimensionMismatchError)


def test_a_single_value_is_not_a_column():
    with pytest.raises(InvalidArgumentError, match=r"must be a sequence .*nerve.grid"):
        nerve.sweep(neuron, {"tau": 5 * ms}, 10 * ms)


def test_other_tables_and_arguments():
    with pytest.raises(ArgumentTypeError, match="dict of sequences, a list of dicts or a "
                                                "pandas DataFrame"):
        nerve.sweep(neuron, 5 * ms, 10 * ms)
    with pytest.raises(InvalidArgumentError, match="parameter set 1 has the parameters"):
        nerve.sweep(neuron, [{"tau": 5 * ms}, {"tau": 5 * ms, "drive": 1.0}], 10 * ms)
    with pytest.raises(DimensionMismatchError, match="the duration of a sweep must be a time"):
        nerve.sweep(neuron, TAUS, 10 * mV)
    with pytest.raises(InvalidArgumentError, match="the table of parameter sets is empty"):
        nerve.sweep(neuron, {"tau": []}, 10 * ms)
    with pytest.raises(ArgumentTypeError, match="build must be a function"):
        nerve.sweep("neuron", TAUS, 10 * ms)
    with pytest.raises(InvalidArgumentError, match="errors must be 'raise' or 'keep'"):
        nerve.sweep(neuron, TAUS, 10 * ms, errors="ignore")
    with pytest.raises(InvalidArgumentError, match="batch_size must be a whole number >= 1"):
        nerve.sweep(neuron, TAUS, 10 * ms, batch_size=0)
    with pytest.raises(ArgumentTypeError, match="client is 'local', a distributed.Client"):
        nerve.sweep(neuron, TAUS, 10 * ms, client=42)


def fragile(tau, drive=2.0):
    if tau > 12 * ms:
        raise ValueError(f"no model for tau = {tau}")
    return neuron(tau, drive)


def test_a_failing_build_is_reported_with_its_parameters_and_the_others_kept():
    with pytest.raises(nerve.SweepError, match=r"1 of 3 copies of the sweep failed") as caught:
        nerve.sweep(fragile, TAUS, 20 * ms, seed=4)
    error = caught.value
    assert isinstance(error, (NerveError, RuntimeError))
    [failure] = error.failures
    assert (failure.index, failure.stage, failure.type) == (2, "build", "ValueError")
    assert failure.params == {"tau": 15 * ms}
    assert "copy 2 (tau=15. ms) failed in build: ValueError: no model for tau = 15. ms" \
        in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert "raise ValueError" in failure.traceback
    # the other copies ran, with the numbers of the full sweep
    full = nerve.sweep(neuron, TAUS, 20 * ms, seed=4)
    for k in (0, 1):
        np.testing.assert_array_equal(error.result[k]["V.v"], full[k]["V.v"])
    with pytest.raises(nerve.SweepError, match="copy 2"):
        error.result[2]


def broken_model(tau, drive=2.0):
    # a mistake in the model text of one parameter set: found when the run starts
    equations = "dv/dt = (drive - v)/tau : 1" if tau < 12 * ms else "dv/dt = (drive - v)/tauu : 1"
    G = NeuronGroup(2, equations, threshold="v > 1", reset="v = 0", method="exact")
    return {"M": SpikeMonitor(G)}


def test_a_run_failing_for_one_copy_keeps_the_others_with_errors_keep():
    result = nerve.sweep(broken_model, TAUS, 30 * ms, seed=2, errors="keep")
    [failure] = result.failures
    assert (failure.index, failure.stage, failure.type) == (2, "run", "UnknownNameError")
    assert "tauu" in failure.message
    table = result.to_pandas()
    # drive 2 relaxing towards 2 with reset at 1: tau*ln(2) between spikes
    assert list(table["M.num_spikes"][:2]) == [2 * int(30 / (5 * np.log(2))),
                                               2 * int(30 / (10 * np.log(2)))]
    assert np.isnan(table["M.num_spikes"][2])
    assert table["error"][2].startswith("copy 2 (tau=15. ms) failed in run: UnknownNameError")
    assert table["error"].isna().tolist() == [True, True, False]
    assert list(result.to_xarray()["failed"]) == [False, False, True]


def test_a_failing_measure_and_bad_results():
    def measure(objects):
        if objects["M"].num_spikes > 5:
            raise RuntimeError("too many spikes")
        return {"n": objects["M"].num_spikes}

    result = nerve.sweep(neuron, TAUS, 30 * ms, seed=3, measure=measure, errors="keep")
    assert {f.stage for f in result.failures} == {"measure"}
    assert all("too many spikes" in f.message for f in result.failures)
    with pytest.raises(nerve.SweepError, match=r"must return a dict \(name -> number, array "
                                               r"or Quantity\), got list"):
        nerve.sweep(neuron, TAUS, 1 * ms, measure=lambda o: [1, 2])


def test_build_returning_no_objects_or_objects_made_before():
    outside = NeuronGroup(1, "v : 1", threshold="v > 1")
    with pytest.raises(nerve.SweepError, match="must return the objects to simulate"):
        nerve.sweep(lambda tau: 42, TAUS, 1 * ms)
    with pytest.raises(nerve.SweepError, match="created before it was called: the copies of "
                                               "a sweep share nothing"):
        nerve.sweep(lambda tau: [SpikeMonitor(outside)], TAUS, 1 * ms)


def test_results_of_different_shapes_do_not_stack():
    def build(n):
        return {"M": SpikeMonitor(NeuronGroup(n, "v : 1", threshold="v > 1"))}

    result = nerve.sweep(build, {"n": [2, 3]}, 1 * ms, seed=1)
    with pytest.raises(InvalidArgumentError.__mro__[1] if False else ValueError,
                       match=r"result 'M.count' has shape \(3,\) in copy 1 and \(2,\)"):
        result.to_xarray()
    assert list(result.to_pandas()["M.num_spikes"]) == [0, 0]
    assert result.duration == float(1 * ms / second)
