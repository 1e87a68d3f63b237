"""NeuronGroup: state access, assignments, compiling and running its model."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import (DimensionMismatchError, InvalidIndexError, ModelDefinitionError, Network,
                   NeuronGroup, SpikeMonitor, StateMonitor, UnknownNameError, mV, ms, second,
                   seed, start_scope)


@pytest.fixture(autouse=True)
def _scope():
    start_scope()


def test_variables_start_at_zero_and_have_units():
    G = NeuronGroup(3, "dv/dt = -v/(10*ms) : volt\nx : 1")
    assert len(G) == 3
    np.testing.assert_array_equal(np.asarray(G.v), [0, 0, 0])
    assert G.v.dim is mV.dim
    assert str(G.v[0]) == "0. V"
    assert G.x.shape == (3,) and type(G.x[:]) is np.ndarray  # dimensionless: plain values


def test_assign_scalars_arrays_and_slices():
    G = NeuronGroup(3, "v : volt")
    G.v = -70 * mV
    np.testing.assert_allclose(np.asarray(G.v), [-0.07] * 3)
    G.v = [1, 2, 3] * mV
    np.testing.assert_allclose(np.asarray(G.v), [0.001, 0.002, 0.003])
    G.v[1] = 5 * mV
    assert float(G.v[1]) == pytest.approx(0.005)
    G.v[:] = 0 * mV
    np.testing.assert_array_equal(np.asarray(G.v), 0)
    G.v_ = [0.1, 0.2, 0.3]  # SI values without units
    np.testing.assert_allclose(np.asarray(G.v), [0.1, 0.2, 0.3])


def test_assignment_checks_units_and_shape():
    G = NeuronGroup(3, "v : volt")
    with pytest.raises(DimensionMismatchError, match="units"):
        G.v = 5
    with pytest.raises(DimensionMismatchError):
        G.v = 5 * ms
    with pytest.raises(ValueError, match="3 values"):  # Brian2 raises ValueError
        G.v = [1, 2] * mV


def test_string_assignments_are_evaluated_per_neuron():
    v0_max = 3.0
    G = NeuronGroup(5, "v0 : 1\nv : volt")
    G.v0 = "i*v0_max/(N-1)"
    np.testing.assert_allclose(G.v0, np.arange(5) * v0_max / 4, rtol=0, atol=1e-15)
    G.v = "-70*mV + i*mV"
    np.testing.assert_allclose(np.asarray(G.v), -0.07 + np.arange(5) * 0.001, rtol=1e-14)
    with pytest.raises(DimensionMismatchError):
        G.v = "i*v0_max"
    with pytest.raises(UnknownNameError, match="undefined_thing"):
        G.v0 = "undefined_thing"


def test_rand_assignment_is_reproducible_with_a_seed():
    G = NeuronGroup(1000, "v : 1")
    seed(42)
    G.v = "rand()"
    first = G.v.copy()
    seed(42)
    G.v = "rand()"
    np.testing.assert_array_equal(G.v, first)
    assert 0 <= first.min() and first.max() < 1
    assert abs(first.mean() - 0.5) < 0.05  # 1000 uniforms: sd of the mean 0.009
    seed(43)
    G.v = "rand()"
    assert not np.array_equal(G.v, first)


def test_refractory_adds_its_variables():
    plain = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0")
    assert not hasattr(plain, "lastspike")
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    refractory=2 * ms)
    np.testing.assert_array_equal(np.asarray(G.lastspike), [-1e4, -1e4])
    assert G.lastspike.dim is second.dim
    assert G.not_refractory.dtype == bool and G.not_refractory.all()
    np.testing.assert_array_equal(G.i, [0, 1])


def test_reset_without_threshold_is_rejected():
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", reset="v = 0")
    with pytest.raises(ModelDefinitionError, match="no threshold"):
        Network(G).run(1 * ms)


def test_unknown_names_in_the_threshold_are_reported():
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v > theta", reset="v = 0")
    with pytest.raises(UnknownNameError, match="theta"):
        Network(G).run(1 * ms)


def test_threshold_must_be_a_condition():
    G = NeuronGroup(1, "dv/dt = -v/(10*ms) : 1", threshold="v + 1", reset="v = 0")
    with pytest.raises(DimensionMismatchError, match="condition"):
        Network(G).run(1 * ms)


def _spike_steps(refractory, model="dv/dt = (1-v)/tau : 1 (unless refractory)"):
    tau = 10 * ms  # noqa: F841 (used by the model string)
    G = NeuronGroup(1, model, threshold="v > 0.8", reset="v = 0", refractory=refractory,
                    method="exact")
    spikes = SpikeMonitor(G)
    net = Network(G, spikes)
    net.run(60 * ms)
    return np.round(np.asarray(spikes.t) / 1e-4).astype(int)


def test_refractory_as_quantity_or_time_string_agree():
    # (1-v)/tau from 0 crosses 0.8 after tau*ln(5) = 16.09 ms: step 160 (the
    # spike is stamped at the start of the step whose update crossed), then
    # 5 ms frozen + 16.1 ms of integration
    expected = [160, 370]
    np.testing.assert_array_equal(_spike_steps(5 * ms)[:2], expected)
    np.testing.assert_array_equal(_spike_steps("5*ms")[:2], expected)


def test_refractory_as_condition():
    # refractory while v < 0.5 is impossible to satisfy after the reset to 0
    # freezes v: the neuron then stays refractory, so it spikes only once
    steps_ = _spike_steps("v < 0.5")
    assert list(steps_) == [160]


def test_subexpressions_are_substituted_everywhere():
    tau = 10 * ms  # noqa: F841
    eqs = """
    dv/dt = drive/tau : 1
    drive = 1 - v : 1
    above = v > 0.8 : boolean
    """
    G = NeuronGroup(1, eqs, threshold="above", reset="v = 0", method="euler")
    spikes = SpikeMonitor(G)
    Network(G, spikes).run(20 * ms)
    assert spikes.num_spikes >= 1


def test_programs_are_cached_until_the_namespace_changes():
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = (1-v)/tau : 1", method="exact")
    net = Network(G)
    net.run(1 * ms)
    first = G._programs
    net.run(1 * ms)
    assert G._programs is first
    tau = 20 * ms  # noqa: F841 (read by run() from this frame)
    net.run(1 * ms)
    assert G._programs is not first


def test_changing_a_constant_between_runs_takes_effect():
    tau = 10 * ms
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method="exact")
    G.v = 1
    net = Network(G)
    net.run(10 * ms)
    np.testing.assert_allclose(G.v, np.exp(-1), rtol=1e-13)
    tau = 5 * ms  # noqa: F841
    net.run(10 * ms)
    np.testing.assert_allclose(G.v, np.exp(-1) * np.exp(-2), rtol=1e-13)


def test_explicit_namespace_wins_over_the_calling_frame():
    tau = 1 * second  # noqa: F841 (must be ignored)
    G = NeuronGroup(1, "dv/dt = -v/tau : 1", method="exact", namespace={"tau": 10 * ms})
    G.v = 1
    Network(G).run(10 * ms)
    np.testing.assert_allclose(G.v, np.exp(-1), rtol=1e-13)


def test_monitor_of_a_group_outside_the_network_is_an_error():
    G = NeuronGroup(1, "v : 1", threshold="v > 1")
    M = SpikeMonitor(G)
    with pytest.raises(ModelDefinitionError, match="not part of the network"):
        Network(M).run(1 * ms)


def test_state_monitor_of_unknown_variable():
    G = NeuronGroup(1, "v : 1")
    with pytest.raises(UnknownNameError, match="'w'"):
        StateMonitor(G, "w", record=0)


def test_bad_group_size():
    with pytest.raises(ModelDefinitionError):
        NeuronGroup(0, "v : 1")
    with pytest.raises(ModelDefinitionError):
        NeuronGroup(2.5, "v : 1")


def test_code_shows_the_integrated_statements_and_the_bytecode():
    tau = 10 * ms  # noqa: F841
    G = NeuronGroup(2, "dv/dt = -v/tau + 0.1*xi/sqrt(tau) : 1", threshold="v > 1",
                    reset="v = 0", method="euler")
    text = G.code()
    assert "integration method euler" in text
    assert "_xi = randn()" in text
    assert "= randn" in text and "collect" in text and "# reset program" in text
    # the loop-invariant sqrt(dt) is computed once, in the scalar block
    scalar = text.split("scalar:")[1].split("vector:")[0]
    assert "sqrt S1" in scalar


def test_setting_an_unknown_variable_is_an_error():
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1\nv0 : 1")
    with pytest.raises(AttributeError, match="no state variable 'vo'"):
        G.vo = 1
    with pytest.raises(AttributeError, match="did you mean 'v0'"):
        G.vv0 = 1
    G.v0 = 2  # known variables still work
    G._private = 1  # so do private attributes


def test_syntax_errors_name_the_string_they_come_from():
    from nerve import EquationSyntaxError

    with pytest.raises(EquationSyntaxError, match="in the threshold"):
        NeuronGroup(1, "v : 1", threshold="v >> 1")
    with pytest.raises(EquationSyntaxError, match="in the reset"):
        NeuronGroup(1, "v : 1", threshold="v > 1", reset="v = = 0")
    G = NeuronGroup(1, "v : 1")
    with pytest.raises(EquationSyntaxError, match=r"in the assignment to \S+\.v"):
        G.v = "1 +"


@pytest.mark.parametrize("refractory, error, words", [
    (5, DimensionMismatchError, "must be a time"),
    ([1 * ms, 2 * ms], TypeError, "refractory='ref'"),
])
def test_a_bad_refractory_period_says_what_is_wrong(refractory, error, words):
    G = NeuronGroup(2, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    refractory=refractory)
    with pytest.raises(error, match=words):
        Network(G).run(1 * ms, namespace={})


def test_very_deep_model_expressions_give_a_nerve_error():
    from nerve import ModelDefinitionError, Network, ms

    terms = " + ".join(f"{k}*v" for k in range(3000))
    G = NeuronGroup(2, f"dv/dt = -({terms})/(1e6*second) : 1", method="euler")
    with pytest.raises(ModelDefinitionError, match="nested too deeply"):
        Network(G).run(0.1 * ms)
