"""Copies fused into one group (nerve.sweeps.fuse): each copy's numbers are
exactly those of the copy run alone under its seed; what cannot be fused
runs unfused."""

from __future__ import annotations

import numpy as np
import pytest

import nerve
from nerve import (EventMonitor, Hz, NeuronGroup, PoissonGroup, PoissonInput,
                   PopulationRateMonitor, SpikeMonitor, StateMonitor, Synapses, TimedArray, ms,
                   mV, start_scope)
from nerve.sweeps import batch, copy_seeds, fuse as fusing

DURATION = 40 * ms


def noisy(tau, v0_max=3.0, n=20, record=True, variables=None, state_dt=None):
    """The noisy LIF of the tutorial, tau swept; random initial values; a
    second group with its own noise; spikes and traces recorded."""
    sigma = 0.3
    G = NeuronGroup(n, """dv/dt = (v0 - v)/tau + sigma*xi*tau**-0.5 : 1 (unless refractory)
                          v0 : 1""",
                    threshold="v > 1", reset="v = 0", refractory=2 * ms, method="euler")
    G.v0 = "i*v0_max/(N-1)"
    G.v = "rand()"
    H = NeuronGroup(3, "dx/dt = -x/(5*ms) + xi/sqrt(5*ms) : 1", threshold="x > 1.5",
                    reset="x = 0", method="euler")
    spikes = SpikeMonitor(G, record=record, variables=variables)
    trace = StateMonitor(G, "v", record=[0, n - 1], dt=state_dt)
    other = StateMonitor(H, "x", record=True)
    return {"G": G, "H": H, "spikes": spikes, "trace": trace, "other": other}


def _built(build, params: list, sweep_seed=5):
    seeds = copy_seeds(sweep_seed, len(params))
    return [batch.build_copy(build, k, p, int(s)) for k, (p, s) in enumerate(zip(params, seeds))]


def _alone(build, params, s, k=0, duration=DURATION):
    """The copy built and run by itself (the sweep's own tests check this
    is what ``seed(s)``, the build's body and ``run()`` give)."""
    start_scope()
    copy = batch.build_copy(build, k, params, int(s))
    batch._run(copy.objects, float(duration / nerve.second))
    return copy


def _fused_and_alone(build, params: list, duration=DURATION):
    """The copies of ``params`` run fused (they must fuse), and each copy
    run alone under its seed: ``(fused, [(copy's objects, alone's objects)])``."""
    copies = _built(build, params)
    fused = fusing.fuse(copies)
    assert fused is not None
    batch._run_together(copies, float(duration / nerve.second))
    seeds = copy_seeds(5, len(params))
    return fused, [(copy.result, _alone(build, params[k], seeds[k], k, duration).result)
                   for k, copy in enumerate(copies)]


def _equal(mine, alone, *names):
    """``mine.name`` equal to ``alone.name`` for each name (bit for bit)."""
    for name in names:
        np.testing.assert_array_equal(np.asarray(getattr(mine, name)),
                                      np.asarray(getattr(alone, name)), err_msg=name)


def _same(fused, alone):
    for key in ("G", "H"):
        for var in fused[key]._columns:
            np.testing.assert_array_equal(getattr(fused[key], var + "_"),
                                          getattr(alone[key], var + "_"), err_msg=var)
    spikes = fused["spikes"]
    np.testing.assert_array_equal(spikes.count, alone["spikes"].count)
    if spikes.record:
        np.testing.assert_array_equal(spikes.i, alone["spikes"].i)
        np.testing.assert_array_equal(spikes.t_, alone["spikes"].t_)
        for var in spikes.record_variables:
            np.testing.assert_array_equal(np.asarray(getattr(spikes, var)),
                                          np.asarray(getattr(alone["spikes"], var)))
            assert len(getattr(spikes, var)) == spikes.num_spikes
    for key in ("trace", "other"):
        np.testing.assert_array_equal(fused[key].t_, alone[key].t_)
        for var in fused[key].record_variables:
            np.testing.assert_array_equal(getattr(fused[key], var + "_"),
                                          getattr(alone[key], var + "_"))


@pytest.mark.parametrize("options", [{}, {"record": False}, {"variables": ["v"]},
                                     {"state_dt": 0.5 * ms}],
                         ids=["spikes", "counts", "values", "own_dt"])
def test_fused_copies_are_the_copies_run_alone(options):
    params = [{"tau": tau * ms, **options} for tau in (5, 8, 11, 8, 20)]
    copies = _built(noisy, params)
    fused = fusing.fuse(copies)
    assert fused is not None
    # one group per group of a copy, holding every copy; tau differs: a parameter
    G = fused.objects[0]
    assert G.N == 5 * 20 and "tau" in G._columns
    np.testing.assert_array_equal(G.tau_, np.repeat([5e-3, 8e-3, 11e-3, 8e-3, 20e-3], 20))
    assert "v0_max" not in G._columns  # (the same in every copy: a constant)
    batch._run_together(copies, float(DURATION / nerve.second))
    seeds = copy_seeds(5, len(params))
    for k, copy in enumerate(copies):
        _same(copy.result, _alone(noisy, params[k], seeds[k], k).result)
    assert sum(c.result["spikes"].num_spikes for c in copies) > 50  # (it did spike)


def test_fused_copies_continue_as_the_copies_run_alone():
    """After a fused run each copy holds its state and its random streams as
    left by running alone: a second run of a copy alone continues the same."""
    params = [{"tau": tau * ms} for tau in (6, 9, 13)]
    copies = _built(noisy, params)
    batch._run_together(copies, float(DURATION / nerve.second))
    seeds = copy_seeds(5, len(params))
    for k, copy in enumerate(copies):
        alone = _alone(noisy, params[k], seeds[k], k)
        batch._run(alone.objects, float(DURATION / nerve.second))  # (run again, alone)
        batch._run(copy.objects, float(DURATION / nerve.second))
        _same(copy.result, alone.result)


def network(tau, weight, rate=20 * Hz):
    """Poisson inputs onto a few LIF neurons with recurrent synapses: random
    connectivity, a weight per synapse drawn at random, and a swept weight."""
    P = PoissonGroup(30, rates=rate)
    G = NeuronGroup(4, "dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0", method="exact")
    feed = Synapses(P, G, "w : 1", on_pre="v += w*weight")
    feed.connect(p=0.4)
    feed.w = "0.5 + rand()"
    back = Synapses(G, G, on_pre="v_post -= 0.05")
    back.connect(condition="i != j")
    kick = PoissonInput(G, "v", 20, 15 * Hz, weight=0.2)  # noqa: F841 (a local: it runs)
    return {"inputs": SpikeMonitor(P), "spikes": SpikeMonitor(G),
            "trace": StateMonitor(G, "v", record=True), "feed": feed, "G": G,
            "rate": PopulationRateMonitor(P), "rate_G": PopulationRateMonitor(G)}


def test_fused_networks_are_the_copies_run_alone():
    params = [{"tau": tau * ms, "weight": w, "rate": r * Hz}
              for tau, w, r in [(5, 0.3, 20), (10, 0.25, 20), (20, 0.2, 40), (10, 0.25, 20)]]
    fused, pairs = _fused_and_alone(network, params)
    P, G, feed = fused.objects[0], fused.objects[1], fused.objects[2]
    assert P.N == 4 * 30 and G.N == 4 * 4 and "weight" in feed._columns
    assert sum(type(o) is PoissonInput for o in fused.objects) == 1
    np.testing.assert_array_equal(P.rates_, np.repeat([20.0, 20.0, 40.0, 20.0], 30))
    for mine, alone in pairs:
        for key in ("inputs", "spikes"):
            _equal(mine[key], alone[key], "i", "t_")
        _equal(mine["trace"], alone["trace"], "v_")
        _equal(mine["feed"], alone["feed"], "w_", "i")
        _equal(mine["G"], alone["G"], "v_")
        for key in ("rate", "rate_G"):
            _equal(mine[key], alone[key], "t_", "rate_")
    assert sum(mine["spikes"].num_spikes for mine, _ in pairs) > 10  # (it did spike)


def stdp(taupre, gmax=0.01):
    """Song et al.'s STDP (examples/stdp.py), smaller: event-driven traces,
    on_pre and on_post, a summed-free conductance input; taupre swept."""
    taum, taue, taupost = 10 * ms, 5 * ms, 20 * ms
    Ee, vt, vr, El = 0 * mV, -54 * mV, -60 * mV, -74 * mV
    dApre = 0.01 * gmax
    dApost = -0.01 * taupre / taupost * 1.05 * gmax
    inputs = PoissonGroup(200, rates=80 * Hz)
    neuron = NeuronGroup(2, """dv/dt = (ge*(Ee - v) + El - v)/taum : volt
                               dge/dt = -ge/taue : 1""",
                         threshold="v > vt", reset="v = vr", method="euler")
    neuron.v = vr
    plastic = Synapses(inputs, neuron, """w : 1
                       dApre/dt = -Apre/taupre : 1 (event-driven)
                       dApost/dt = -Apost/taupost : 1 (event-driven)""",
                       on_pre="""ge += w
                                 Apre += dApre
                                 w = clip(w + Apost, 0, gmax)""",
                       on_post="""Apost += dApost
                                  w = clip(w + Apre, 0, gmax)""")
    plastic.connect()
    plastic.w = "rand()*gmax"
    return {"plastic": plastic, "spikes": SpikeMonitor(neuron), "neuron": neuron}


def test_fused_plastic_synapses_are_the_copies_run_alone():
    params = [{"taupre": t * ms, "gmax": g} for t, g in [(10, 0.01), (20, 0.01), (20, 0.02)]]
    _, pairs = _fused_and_alone(stdp, params, 200 * ms)
    for mine, alone in pairs:
        _equal(mine["plastic"], alone["plastic"], "w_", "Apre_", "Apost_", "lastupdate_")
        _equal(mine["spikes"], alone["spikes"], "t_")
        _equal(mine["neuron"], alone["neuron"], "v_")
    assert sum(mine["spikes"].num_spikes for mine, _ in pairs) > 5


def delayed(tau, d, per_synapse=False):
    """Poisson inputs onto LIF neurons through delayed synapses: one delay
    for all (swept: the same or another in each copy), or random delays per
    synapse."""
    P = PoissonGroup(30, rates=60 * Hz)
    G = NeuronGroup(5, "dv/dt = -v/tau : 1", threshold="v > 1", reset="v = 0", method="exact")
    S = Synapses(P, G, on_pre="v += 0.3", delay=None if per_synapse else d)
    S.connect(p=0.5)
    if per_synapse:
        S.delay = "rand()*d"
    return {"S": S, "spikes": SpikeMonitor(G), "trace": StateMonitor(G, "v", record=True)}


@pytest.mark.parametrize("delays", [[2, 2, 2], [1, 2.5, 4], "per_synapse"])
def test_fused_delays_give_the_copies_alone_and_hand_back_events_in_flight(delays):
    per = delays == "per_synapse"
    params = [{"tau": tau * ms, "d": (3 if per else d) * ms, "per_synapse": per}
              for tau, d in zip((5, 10, 20), [3, 3, 3] if per else delays)]
    copies = _built(delayed, params)
    assert fusing.fuse(copies) is not None
    batch._run_together(copies, 0.0305)  # (ends with events in flight)
    assert any(c.result["S"]._queues["pre"].pending() for c in copies)
    seeds = copy_seeds(5, len(params))
    for k, copy in enumerate(copies):
        start_scope()
        alone = batch.build_copy(delayed, k, params[k], int(seeds[k]))
        batch._run(alone.objects, 0.0305)
        assert copy.result["S"]._queues["pre"].pending() == \
            alone.result["S"]._queues["pre"].pending()
        for objects in (alone.objects, copy.objects):  # (both run on: in-flight events arrive)
            batch._run(objects, 0.01)
        for key in ("spikes", "trace"):
            np.testing.assert_array_equal(copy.result[key].t_, alone.result[key].t_)
        np.testing.assert_array_equal(copy.result["spikes"].i, alone.result["spikes"].i)
        np.testing.assert_array_equal(copy.result["trace"].v_, alone.result["trace"].v_)
    assert sum(c.result["spikes"].num_spikes for c in copies) > 5


def excitation_inhibition(we, wi):
    """A noisy network of 16 excitatory and 4 inhibitory neurons (parts of
    one group), connected part to group, monitored by parts."""
    G = NeuronGroup(20, "dv/dt = (1.1 - v)/(10*ms) + 0.4*xi/sqrt(10*ms) : 1",
                    threshold="v > 1", reset="v = 0", refractory=1 * ms, method="euler")
    G.v = "rand()"
    Ge, Gi = G[:16], G[16:]
    Se = Synapses(Ge, G, "w : 1", on_pre="v += w*we", delay=0.5 * ms)
    Se.connect(p=0.3)
    Se.w = "rand()"
    Si = Synapses(Gi, G, on_pre="v -= wi")
    Si.connect(p=0.5)
    return {"Se": Se, "Si": Si, "exc": SpikeMonitor(Ge), "inh": SpikeMonitor(G[16:], record=False),
            "rate": PopulationRateMonitor(Gi), "trace": StateMonitor(Ge, "v", record=[0, 3]),
            "G": G}


def test_fused_parts_of_groups_are_the_copies_run_alone():
    params = [{"we": we, "wi": wi} for we, wi in [(0.2, 0.3), (0.3, 0.3), (0.1, 0.6)]]
    _, pairs = _fused_and_alone(excitation_inhibition, params)
    for mine, alone in pairs:
        _equal(mine["exc"], alone["exc"], "i", "t_")
        _equal(mine["inh"], alone["inh"], "count")
        _equal(mine["rate"], alone["rate"], "rate_")
        _equal(mine["trace"], alone["trace"], "v_")
        _equal(mine["G"], alone["G"], "v_")
        _equal(mine["Se"], alone["Se"], "w_")
    assert all(mine["exc"].num_spikes and mine["inh"].count.sum() for mine, _ in pairs)


def gap_junctions(w):
    """Noisy neurons coupled by gap junctions: a (summed) variable."""
    G = NeuronGroup(10, """dv/dt = (1.2 - v + Igap)/(10*ms) + 0.2*xi/sqrt(10*ms) : 1
                           Igap : 1""", threshold="v > 1", reset="v = 0", method="euler")
    G.v = "rand()"
    S = Synapses(G, G, "wg : 1\nIgap_post = wg*(v_pre - v_post) : 1 (summed)")
    S.connect(p=0.6)
    S.wg = "w*rand()"
    return {"G": G, "spikes": SpikeMonitor(G)}


def test_fused_summed_variables_are_the_copies_run_alone():
    _, pairs = _fused_and_alone(gap_junctions, [{"w": w} for w in (0.1, 0.3, 0.5)])
    for mine, alone in pairs:
        _equal(mine["G"], alone["G"], "v_", "Igap_")
        _equal(mine["spikes"], alone["spikes"], "t_")
    assert all(mine["spikes"].num_spikes for mine, _ in pairs)


def with_runners(tau, kick):
    """Code runners: a noisy kick every millisecond (its own clock, a swept
    constant, random numbers) and a count on every spike."""
    G = NeuronGroup(12, """dv/dt = (1.1 - v)/tau : 1
                           spikes : 1""", threshold="v > 1", reset="v = 0", method="exact")
    G.v = "rand()"
    kicker = G.run_regularly("v += kick*randn()", dt=1 * ms)  # noqa: F841 (held: still fused)
    G.run_on_event("spike", "spikes += 1")
    return {"G": G, "M": SpikeMonitor(G), "S": StateMonitor(G, "v", record=[0, 5])}


def test_fused_code_runners_are_the_copies_run_alone():
    params = [{"tau": t * ms, "kick": k} for t, k in [(5, 0.1), (8, 0.2), (13, 0.05)]]
    fused, pairs = _fused_and_alone(with_runners, params)
    assert len(fused.objects[0].contained_objects) == 2
    for mine, alone in pairs:
        _equal(mine["G"], alone["G"], "v_", "spikes_")
        _equal(mine["S"], alone["S"], "v_")
        _equal(mine["M"], alone["M"], "t_")
        runner = mine["G"].contained_objects[0]
        assert runner.clock.t_ == alone["G"].contained_objects[0].clock.t_ > 0
    assert all(mine["G"].spikes_.sum() == mine["M"].num_spikes > 0 for mine, _ in pairs)


def with_events(tau, high):
    """A custom event whose condition reads a swept constant, monitored and
    counted, checked after the resets."""
    G = NeuronGroup(8, """dv/dt = (1.1 - v)/tau + 0.3*xi/sqrt(tau) : 1
                          highs : 1""", threshold="v > 1", reset="v = 0",
                    events={"high": "v > high"}, method="euler")
    G.set_event_schedule("high", "after_resets")
    G.run_on_event("high", "highs += 1")
    return {"G": G, "E": EventMonitor(G, "high", variables="v"), "M": SpikeMonitor(G)}


def test_fused_custom_events_are_the_copies_run_alone():
    _, pairs = _fused_and_alone(with_events, [{"tau": 6 * ms, "high": h} for h in (0.7, 0.8, 0.9)])
    for mine, alone in pairs:
        _equal(mine["E"], alone["E"], "i", "t_", "v_")
        _equal(mine["M"], alone["M"], "i", "t_")
        _equal(mine["G"], alone["G"], "highs_")
    counts = [mine["E"].num_events for mine, _ in pairs]
    assert counts[0] > counts[2] > 0  # (the swept threshold of the event counts)


def pathways(w, d):
    """Named pathways, one delayed, one on a custom event of the source."""
    P = PoissonGroup(20, rates=80 * Hz)
    G = NeuronGroup(6, "dv/dt = -v/(10*ms) : 1", threshold="v > 1", reset="v = 0",
                    events={"low": "v < 0.05"}, method="exact")
    S = Synapses(P, G, on_pre={"up": "v += w", "down": "v -= 0.3*w"}, delay={"down": d})
    S.connect(p=0.5)
    back = Synapses(G, G, on_pre={"calm": "v_post *= 0.9"}, on_event={"calm": "low"})
    back.connect(condition="i != j")
    return {"S": S, "back": back, "M": SpikeMonitor(G), "T": StateMonitor(G, "v", record=True)}


def test_fused_named_pathways_are_the_copies_run_alone():
    params = [{"w": w, "d": d * ms} for w, d in [(0.2, 1), (0.3, 2), (0.45, 1)]]
    _, pairs = _fused_and_alone(pathways, params)
    for mine, alone in pairs:
        _equal(mine["T"], alone["T"], "v_")
        _equal(mine["M"], alone["M"], "t_")
    assert pairs[2][0]["M"].num_spikes > 0


#: a stimulus all copies read (one object, made outside the build function)
STIMULUS = TimedArray([0.5, 1.6, 0.9, 1.3], dt=10 * ms)


def driven(tau, own_table=False):
    """Noisy neurons driven by a TimedArray: the script's (shared by the
    copies: fused) or one made by each copy (not fused)."""
    stimulus = TimedArray([0.5, 1.6, 0.9, 1.3], dt=10 * ms) if own_table else STIMULUS
    G = NeuronGroup(6, "dv/dt = (stimulus(t) - v)/tau + 0.2*xi/sqrt(tau) : 1",
                    threshold="v > 1", reset="v = 0", method="euler",
                    namespace={"stimulus": stimulus, "tau": tau})
    return {"G": G, "M": SpikeMonitor(G)}


def test_fused_timed_arrays_are_the_copies_run_alone():
    _, pairs = _fused_and_alone(driven, [{"tau": t * ms} for t in (4, 8, 12)])
    for mine, alone in pairs:
        _equal(mine["G"], alone["G"], "v_")
        _equal(mine["M"], alone["M"], "i", "t_")
    assert all(mine["M"].num_spikes for mine, _ in pairs)
    own = _built(driven, [{"tau": t * ms, "own_table": True} for t in (4, 8)])
    assert fusing.fuse(own) is None  # (each copy's own table: not fused)


def test_sweep_results_equal_with_and_without_fusing(monkeypatch):
    table = {"tau": [5, 10, 15, 20] * ms, "v0_max": [2.0, 3.0, 3.0, 4.0]}
    fused = nerve.sweep(noisy, table, DURATION, seed=2)
    monkeypatch.setattr(fusing, "fuse", lambda copies: None)
    unfused = nerve.sweep(noisy, table, DURATION, seed=2)
    assert fused.to_pandas().equals(unfused.to_pandas())


def _connected(S):
    S.connect(p=0.5)
    return {"S": S}


def _base(tau, **change):
    G = NeuronGroup(10, change.get("model", "dv/dt = -v/tau : 1"), threshold="v > 1",
                    reset=change.get("reset", "v = 0"), method="euler")
    objects = {"G": G, "M": SpikeMonitor(G)}
    if "extra" in change:
        objects.update(change["extra"](G))
    return objects


@pytest.mark.parametrize("change", [
    {"model": "dv/dt = -v/tau + i*Hz : 1"},  # i means another neuron fused
    {"model": "dv/dt = -v/tau + N*Hz : 1"},
    {"model": "dv/dt = -v/tau : 1\nI : 1 (shared)"},
    {"reset": "v = rand()"},  # (resets draw from one stream per group)
    {"extra": lambda G: {"R": G.run_on_event("spike", "v = rand()")}},
    {"extra": lambda G: {"R": G.run_regularly("v = v*i/N")}},
    {"extra": lambda G: _connected(Synapses(G, G, on_pre="v += 0.1", on_post="v -= 0.1",
                                            delay={"post": 1 * ms}))},
    {"extra": lambda G: _connected(Synapses(G, G, "dw/dt = -w/tau + xi/sqrt(tau): 1 "
                                                  "(clock-driven)", on_pre="v += w"))},
    {"extra": lambda G: _connected(Synapses(G, G, "w : 1 (shared)", on_pre="v += w"))},
    {"extra": lambda G: _connected(Synapses(G, G, on_pre="v += 0.1*rand()"))},
    {"extra": lambda G: _connected(Synapses(G, G, on_pre="v += 0.01*i"))},
    {"extra": lambda G: {"P": PoissonGroup(5, rates="10*Hz + t/second*Hz")}},
    {"extra": lambda G: {"I": PoissonInput(G, "v", 10, 5 * Hz, weight="0.1")}},
    {"extra": lambda G: {"I": PoissonInput(G[:5], "v", 10, 5 * Hz, weight=0.1)}},
], ids=["i", "N", "shared", "random_reset", "random_on_spike", "i_runner", "post_delay",
        "synaptic_noise", "shared_synaptic", "random_on_pre", "i_on_pre",
        "rates_string", "input_weight_string", "input_to_part"])
def test_what_cannot_be_fused_is_left_unfused(change):
    params = [{"tau": tau * ms, **change} for tau in (4, 7)]
    copies = _built(_base, params)
    assert fusing.fuse(copies) is None


def test_copies_that_differ_are_not_fused():
    def two_sizes(n):
        G = NeuronGroup(n, "dv/dt = -v/(10*ms) : 1")
        return {"G": G}

    assert fusing.fuse(_built(two_sizes, [{"n": 10}, {"n": 11}])) is None
    assert fusing.fuse(_built(two_sizes, [{"n": 10}, {"n": 10}])) is not None
    assert fusing.fuse(_built(two_sizes, [{"n": 600}, {"n": 600}])) is None  # (> half a chunk)

    def models(text):
        return {"G": NeuronGroup(4, text)}

    assert fusing.fuse(_built(models, [{"text": "dv/dt = -v/(10*ms) : 1"},
                                       {"text": "dv/dt = -v/(20*ms) : 1"}])) is None

    def units(tau):  # the same name with other dimensions in another copy
        G = NeuronGroup(4, "dv/dt = -v*tau : 1")
        return {"G": G}

    assert fusing.fuse(_built(units, [{"tau": 1 / ms}, {"tau": 2.0 / ms}])) is not None
    assert fusing.fuse(_built(units, [{"tau": 1 / ms}, {"tau": 2.0}])) is None
    assert fusing.fuse(_built(units, [{"tau": 1 / ms}])) is None  # (one copy: nothing to fuse)


def test_a_fused_run_that_fails_is_reported_per_copy():
    """A model error found by the fused run: the copies run unfused, and
    each failure names its copy, as without fusing."""
    def bad(tau):
        G = NeuronGroup(5, "dv/dt = -v/tau : volt", threshold="v > 1*mV", reset="v = 0*mV")
        return {"G": G, "M": SpikeMonitor(G)}

    result = nerve.sweep(bad, {"tau": [1, 2] * mV}, DURATION, errors="keep")
    assert [f.index for f in result.failures] == [0, 1]
    assert all(f.stage == "run" for f in result.failures)
