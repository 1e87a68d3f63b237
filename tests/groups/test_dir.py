"""``dir()`` of groups, synapses and monitors lists their variables (with the
``_`` form without units), so tab completion finds them."""

from nerve import (NeuronGroup, SpikeMonitor, StateMonitor, Synapses, ms, start_scope)


def test_dir_lists_variables():
    start_scope()
    G = NeuronGroup(3, """
    dv/dt = (2 - v)/(10*ms) : 1 (unless refractory)
    u = 2*v : 1
    """, threshold="v > 1", reset="v = 0", refractory=1 * ms, method="exact")
    S = Synapses(G, G, "w : 1", on_pre="v += w")
    spikes = SpikeMonitor(G, variables="v")
    states = StateMonitor(G, ["v", "u"], record=True)
    for name in ("v", "v_", "u", "u_", "i", "lastspike", "not_refractory", "N", "run_regularly"):
        assert name in dir(G), name
    assert {"w", "w_"} <= set(dir(S)) and "connect" in dir(S)
    assert {"v", "v_", "count", "spike_trains"} <= set(dir(spikes))
    assert {"v", "v_", "u", "u_", "t", "record"} <= set(dir(states))
    assert "u" not in dir(spikes)
    # every name dir() lists can be read
    for obj in (G, spikes, states):
        for name in dir(obj):
            if not name.startswith("_"):
                getattr(obj, name)
