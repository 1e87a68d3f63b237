"""The compiled engine (`nerve._core`) driven with hand-encoded programs."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

from nerve import _core
from nerve.exceptions import InvalidIndexError, ProgramError

from _asm import S, V, Asm, lif_programs
from _schedule import one_clock_run

DT = 1e-4
TAU = 10e-3


def lif_state(v0):
    v0 = np.asarray(v0, dtype=float)
    n = len(v0)
    return [np.zeros(n), v0.copy(), np.full(n, -1e4), np.ones(n)]


def reference_lif_spikes(v0: float, n_steps: int, ref_steps: int) -> list[int]:
    """The same model stepped in plain Python (Brian2's schedule and semantics)."""
    v, lastspike, out = 0.0, -1e4, []
    E = np.exp(-DT / TAU)
    for step in range(n_steps):
        t = step * DT
        nr = (t - lastspike + 1e-3 * DT) / DT >= ref_steps
        if nr:
            v = v0 + (v - v0) * E
        if v > 1 and nr:
            out.append(step)
            lastspike, v = t, 0.0
    return out


def test_exact_lif_follows_the_analytic_solution():
    update, threshold, reset = lif_programs(TAU, 50)
    cols = lif_state([0.8])
    steps, interrupted, spikes, records, _ = one_clock_run(
        [(1, cols, update, threshold, reset, _core.Rng(1, 0))], [(0, [0], [0])], [0], 0, 1000, DT)
    assert (steps, interrupted) == (1000, False)
    assert len(spikes[0][0]) == 0
    v = records[0][0][:, 0]
    t = np.arange(1000) * DT  # recorded at the start of each step
    np.testing.assert_allclose(v, 0.8 * (1 - np.exp(-t / TAU)), rtol=1e-12, atol=1e-15)
    assert cols[0][0] == pytest.approx(0.8 * (1 - np.exp(-1000 * DT / TAU)), rel=1e-12)


def test_spike_steps_and_refractoriness_match_a_reference_loop():
    v0 = np.array([0.5, 1.5, 2.0, 3.0])
    update, threshold, reset = lif_programs(TAU, 50)
    cols = lif_state(v0)
    steps, _, spikes, _, _ = one_clock_run(
        [(4, cols, update, threshold, reset, _core.Rng(1, 0))], [], [0], 0, 3000, DT)
    idx, t = spikes[0]
    assert idx.dtype == np.int32 and t.dtype == np.float64
    st = np.rint(t / DT).astype(np.int64)
    np.testing.assert_array_equal(t, st * DT)  # times are exactly step*dt
    for i, v in enumerate(v0):
        assert st[idx == i].tolist() == reference_lif_spikes(v, 3000, 50)
    # first spike of v0 = 2 at t* = tau*ln(2), to within a step
    first = st[idx == 2][0]
    assert abs(first * DT - TAU * np.log(2)) <= DT
    assert cols[2][idx[-1]] == st[-1] * DT  # lastspike written by the reset


def test_runs_continue_where_they_stopped():
    update, threshold, reset = lif_programs(TAU, 50)
    a, b = lif_state([2.0, 3.0]), lif_state([2.0, 3.0])
    ra, rb = _core.Rng(3, 0), _core.Rng(3, 0)
    _, _, one, _, _ = one_clock_run([(2, a, update, threshold, reset, ra)], [], [0], 0, 2000, DT)
    _, _, p1, _, _ = one_clock_run([(2, b, update, threshold, reset, rb)], [], [0], 0, 700, DT)
    _, _, p2, _, _ = one_clock_run([(2, b, update, threshold, reset, rb)], [], [0], 700, 1300, DT)
    assert np.concatenate([p1[0][1], p2[0][1]]).tolist() == one[0][1].tolist()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def euler_program():
    """v = v + dt*(1 - v)/tau + 0.5*sqrt(dt/tau)*randn; threshold v > 0.9; reset v = 0."""
    u = Asm(1)
    ktau, ksig = u.k(TAU), u.k(0.5)
    u.s("div", S(4), S(1), ktau).s("sqrt", S(5), S(4)).s("mul", S(5), S(5), ksig)
    u.load(V(0), 0).v("randn", V(1)).v("mul", V(1), V(1), S(5))
    u.v("sub", V(2), u.k(1.0), V(0)).v("mul", V(2), V(2), S(4)).v("add", V(0), V(0), V(2))
    u.v("add", V(0), V(0), V(1)).store(0, V(0))
    th = Asm(1)
    th.load(V(0), 0).v("gt", V(0), V(0), th.k(0.9)).collect(V(0))
    r = Asm(1)
    r.store(0, r.k(0.0))
    return u.program(), th.program(), r.program()


def test_reset_runs_on_the_spiking_indices_only():
    th = Asm(2)
    th.load(V(0), 0).v("gt", V(0), V(0), th.k(0.5)).collect(V(0))
    r = Asm(2)
    r.v("index", V(0)).v("add", V(0), V(0), S(0)).store(1, V(0)).store(0, r.k(-1.0))
    v = np.array([0.0, 1.0, 0.2, 0.9, 0.0])
    marker = np.zeros(5)
    steps, _, spikes, _, _ = one_clock_run(
        [(5, [v, marker], None, th.program(), r.program(), _core.Rng(0, 0))], [], [0], 7, 1, DT)
    assert spikes[0][0].tolist() == [1, 3] and spikes[0][1].tolist() == [7 * DT, 7 * DT]
    np.testing.assert_array_equal(v, [0.0, -1.0, 0.2, -1.0, 0.0])
    np.testing.assert_allclose(marker, [0, 1 + 7 * DT, 0, 3 + 7 * DT, 0])


def test_results_do_not_depend_on_the_number_of_threads():
    u, th, r = euler_program()
    n = 40000
    outs = []
    for threads in (1, 2, 3):
        v = np.zeros(n)
        init = Asm(1)
        init.v("rand", V(0)).store(0, V(0))
        rng = _core.Rng(42, 1)
        _core.execute(init.program(), [v], n, rng, 0.0, 1e-4, 0)
        _, _, spikes, _, _ = one_clock_run([(n, [v], u, th, r, rng)], [], [0], 0, 50, 1e-4,
                                    threads=threads)
        outs.append((v.tobytes(), spikes[0][0].tobytes(), spikes[0][1].tobytes()))
    assert len(outs[0][1]) > 0
    assert outs[0] == outs[1] == outs[2]


def test_execute_rand_depends_only_on_seed():
    p = Asm(1)
    p.v("rand", V(0)).store(0, V(0))
    prog = p.program()
    a, b, c = np.zeros(1000), np.zeros(1000), np.zeros(1000)
    _core.execute(prog, [a], 1000, _core.Rng(5, 2), 0.0, DT, 0)
    _core.execute(prog, [b], 1000, _core.Rng(5, 2), 0.0, DT, 0)
    _core.execute(prog, [c], 1000, _core.Rng(6, 2), 0.0, DT, 0)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() < 1 and abs(a.mean() - 0.5) < 0.05


def test_ctrl_c_stops_after_a_whole_step():
    u, th, r = euler_program()
    n = 20000
    v = np.zeros(n)
    # (a process started in the background by a non-interactive shell ignores
    # SIGINT: Python's own handler is installed for the test, as in a terminal)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        steps, interrupted, spikes, records, error = one_clock_run(
            [(n, [v], u, th, r, _core.Rng(1, 0))], [(0, [0], [0, 5])], [0], 0, 10**7, DT)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert interrupted and isinstance(error, KeyboardInterrupt)
    assert 0 < steps < 10**7
    assert records[0][0].shape == (steps, 2)
    assert spikes[0][1].size == 0 or spikes[0][1].max() < steps * DT


def test_invalid_programs_raise_program_error():
    bad = Asm(1)
    bad.v("add", V(0), V(1), V(1))
    with pytest.raises(ProgramError, match="V1 read before it is written.*vector instruction 0"):
        _core.Program(bad.bytes())
    with pytest.raises(ProgramError, match="magic"):
        _core.Program(b"XXXX" + bytes(20))
    with pytest.raises(ProgramError, match="IR version 9"):
        _core.Program(b"NRVP" + bytes([9, 0]) + bytes(18))
    th = Asm(1)
    th.load(V(0), 0).collect(V(0))
    with pytest.raises(ProgramError, match="collect"):
        _core.execute(th.program(), [np.zeros(3)], 3, _core.Rng(0, 0), 0.0, DT, 0)
    nocollect = Asm(1)
    nocollect.load(V(0), 0)
    with pytest.raises(ProgramError, match="threshold"):
        one_clock_run([(3, [np.zeros(3)], None, nocollect.program(), None, _core.Rng(0, 0))],
                  [], [], 0, 1, DT)


def test_bad_columns_and_indices_are_reported():
    p = Asm(1)
    p.load(V(0), 0).store(0, V(0))
    prog = p.program()
    with pytest.raises(ProgramError, match="column 0 has 3 value"):
        _core.execute(prog, [np.zeros(3)], 4, _core.Rng(0, 0), 0.0, DT, 0)
    with pytest.raises(ProgramError, match="not contiguous"):
        _core.execute(prog, [np.zeros(8)[::2]], 4, _core.Rng(0, 0), 0.0, DT, 0)
    with pytest.raises(ProgramError, match="float64"):
        _core.execute(prog, [np.zeros(4, dtype=np.float32)], 4, _core.Rng(0, 0), 0.0, DT, 0)
    with pytest.raises(ProgramError, match="uses 1 column"):
        _core.execute(prog, [], 4, _core.Rng(0, 0), 0.0, DT, 0)
    with pytest.raises(InvalidIndexError, match="recorded neuron index 9"):
        one_clock_run([(4, [np.zeros(4)], prog, None, None, _core.Rng(0, 0))], [(0, [0], [9])],
                  [], 0, 1, DT)


def test_disassemble_and_tables():
    update, _, _ = lif_programs(TAU, 50)
    text = update.disassemble()
    assert text.startswith("; nerve IR v2: columns=4 consts=3 ")
    assert "  S6 = exp S5\n" in text and "  col0 = store V4\n" in text
    assert update.n_columns == 4
    assert _core.CHUNK == 1024
