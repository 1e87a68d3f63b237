"""Subexpressions flagged 'constant over dt': evaluated once per step, before
the state update, and stored; the integration (every Runge-Kutta stage), the
threshold and the reset of the step read that value."""

from __future__ import annotations

import numpy as np
import pytest

from nerve import Equations, NeuronGroup, StateMonitor, ms, run, seed, start_scope

MODEL = """dv/dt = (I - v)/(2*ms) : 1
I = sin(2*pi*300*Hz*t) + x : 1{flag}
x : 1"""

# Brian2 2.9.0, numpy target, the model above with method='rk4',
# threshold='v > 0.3', reset='x += 0.25\nv = I', run(3*ms) at dt = 0.1 ms:
# M.v[0][::5] and G.v after the run. Without the flag rk4's stages see I at
# t + dt/2 and t + dt; with it, I at t for the whole step.
BRIAN2 = {
    "": ([0.0, 0.10051965582026955, 0.2894112182550165, 1.7317536741017152,
          2.0742207084349276, 2.767712749271311], 4.271031372578588),
    " (constant over dt)": ([0.0, 0.08235471055455934, 0.27185355698674707,
                             1.4817536741017152, 1.8242207084349278, 2.517712749271311],
                            4.021031372578588),
}


@pytest.mark.parametrize("flag", list(BRIAN2))
def test_rk4_and_reset_read_the_value_of_the_step(flag):
    start_scope()
    group = NeuronGroup(1, MODEL.format(flag=flag), threshold="v > 0.3",
                        reset="x += 0.25\nv = I", method="rk4")
    monitor = StateMonitor(group, "v", record=0)
    run(3 * ms)
    trace, final = BRIAN2[flag]
    # round-off: values up to ~3 after 30 steps of rk4 (a few ulp of 2.5)
    np.testing.assert_allclose(np.asarray(monitor.v[0])[::5], trace, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(group.v, [final], rtol=1e-14)
    assert group.x[0] == 5.0


def test_random_subexpression_is_drawn_once_per_step():
    start_scope()
    seed(4)
    group = NeuronGroup(5, "dv/dt = r/ms : 1\nr = rand() : 1 (constant over dt)",
                        method="rk4")
    run(0.1 * ms)
    first = np.array(group.r)
    assert len(set(first)) == 5 and np.all((first >= 0) & (first < 1))
    # one r for all four stages: rk4 then integrates r/ms exactly over the step
    np.testing.assert_allclose(group.v, 0.1 * first, rtol=1e-14)
    run(0.1 * ms)
    assert not np.any(np.array(group.r) == first)  # drawn again the next step


def test_equations_list_stored_and_substituted_subexpressions():
    eqs = Equations("dv/dt = (a + b)/ms : 1\nb = 2*a : 1\na = rand() : 1 (constant over dt)")
    assert eqs.constant_over_dt_names == ("a",)
    assert eqs.substituted_names == ("b",)
    assert eqs.state_names == ("v", "a")
