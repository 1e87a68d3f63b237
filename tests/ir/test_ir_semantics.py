"""Lowered programs compute what the statements mean.

Two oracles: numpy evaluating the tutorial's formulas directly, and a naive
lane-by-lane tree walker over the statements (random statements generated
with hypothesis). The reference interpreter runs the lowered programs.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ir_cases import CASES
from ir_syntax import expr, statements

from nerve.equations.nodes import BinOp, BoolOp, Call, Compare, Name, Number, UnaryOp
from nerve import _core
from nerve.ir import disassemble
from nerve.ir.encode import encode
from nerve.ir.lower import lower
from nerve.ir.lower import FUNCTIONS
from nerve.ir.reference import interpret
from nerve.ir.semantics import SEMANTICS, evaluate

DT = 1e-4
# numpy's exp may differ from libm's by an ulp; through `1 - (1 - v)*K` with
# |v| <= 1.5 that is an absolute error of a few eps on O(1) values.
EPS = np.finfo(float).eps


def _state(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    lastspike = np.where(rng.random(n) < 0.5, -np.inf, rng.uniform(0.0, 0.02, n))
    return {"v": rng.uniform(-0.5, 1.5, n), "v0": rng.uniform(0, 3, n), "lastspike": lastspike,
            "not_refractory": np.ones(n)}


def _columns(case_name: str, state: dict[str, np.ndarray]) -> list[np.ndarray]:
    slots = CASES[case_name].columns
    return [state[name].copy() for name in sorted(slots, key=slots.get)]


def _not_refractory(t: float, lastspike: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        steps = np.trunc((t - lastspike + 0.001 * DT) / DT)
    return steps >= np.trunc((0.005 + 0.001 * DT) / DT)


def test_exact_lif_update_matches_numpy():
    n, t = 200, 0.0123
    state = _state(n)
    cols = _columns("lif_exact_update", state)
    interpret(encode(CASES["lif_exact_update"].lower()), cols, t=t, dt=DT)
    nr = _not_refractory(t, state["lastspike"])
    expected = np.where(nr, 1 - (1 - state["v"]) * np.exp(-DT / 0.01), state["v"])
    np.testing.assert_allclose(cols[0], expected, rtol=0, atol=4 * EPS)
    np.testing.assert_array_equal(cols[2], nr.astype(float))
    assert 0 < nr.sum() < n  # both branches are exercised
    np.testing.assert_array_equal(cols[1], state["lastspike"])  # never written


def test_noisy_euler_update_matches_numpy_with_the_same_normals():
    n, t = 300, 0.05
    state = _state(n, seed=2)
    cols = _columns("noisy_lif_euler_update", state)
    interpret(CASES["noisy_lif_euler_update"].lower(), cols, t=t, dt=DT,
              rng=np.random.default_rng(7))
    xi = np.random.default_rng(7).standard_normal(n)
    v, v0 = state["v"], state["v0"]
    new = v + DT * ((v0 - v) / 0.01) + 0.2 * 0.01 ** -0.5 * np.sqrt(DT) * xi
    expected = np.where(_not_refractory(t, state["lastspike"]), new, v)
    np.testing.assert_allclose(cols[0], expected, rtol=0, atol=4 * EPS)


def test_threshold_collects_exactly_the_crossing_neurons():
    state = _state(500, seed=3)
    state["not_refractory"] = (np.arange(500) % 3 != 0).astype(float)
    cols = _columns("lif_threshold", state)
    spikes = interpret(CASES["lif_threshold"].lower(), cols)
    expected = np.flatnonzero((state["v"] > 0.8) & (state["not_refractory"] != 0))
    np.testing.assert_array_equal(spikes, expected)
    assert len(spikes) > 10


def test_adaptive_reset_runs_on_the_spiking_lanes_only():
    n = 50
    v, vt = np.linspace(-0.08, -0.04, n), np.full(n, -0.05)
    cols = [v.copy(), vt.copy(), np.full(n, -np.inf), np.ones(n)]
    lanes = np.array([3, 17, 42])
    interpret(CASES["adaptive_reset"].lower(), cols, lanes=lanes, t=0.0371)
    others = np.setdiff1d(np.arange(n), lanes)
    np.testing.assert_array_equal(cols[0][lanes], -0.07)
    np.testing.assert_array_equal(cols[1][lanes], -0.05 + 0.005)
    np.testing.assert_array_equal(cols[2][lanes], 0.0371)
    np.testing.assert_array_equal(cols[3][lanes], 0.0)
    np.testing.assert_array_equal(cols[0][others], v[others])
    np.testing.assert_array_equal(cols[1][others], vt[others])


def test_per_neuron_assignment():
    n = 100
    cols = [np.zeros(n), np.zeros(n)]
    interpret(CASES["per_neuron_v0"].lower(), cols)
    np.testing.assert_array_equal(cols[1], np.arange(n) * 3.0 / (n - 1))
    assert cols[1][-1] == 3.0


# -- random statements against a naive tree walker --------------------------------------

_COLUMNS = {"v": 0, "w": 1, "x": 2}
_CONSTANTS = {"k1": 0.37, "k2": -2.5}
_BUILTIN = {"pi": math.pi, "e": math.e, "inf": math.inf, "True": 1.0, "False": 0.0}
_BINOPS = {"+": "ADD", "-": "SUB", "*": "MUL", "/": "DIV", "**": "POW", "%": "MOD",
           "//": "FLOORDIV"}
_CMP = {"<": "LT", "<=": "LE", ">": "GT", ">=": "GE", "==": "EQ", "!=": "NE"}


def _naive(node, env: dict[str, tuple[float, bool]]) -> tuple[float, bool]:
    """(value, whether it is a compile-time constant) of ``node`` for one lane."""
    from nerve.ir.opcodes import Op
    if isinstance(node, Number):
        return node.value, True
    if isinstance(node, Name):
        return env[node.id]
    if isinstance(node, UnaryOp):
        a, const = _naive(node.operand, env)
        return (a if node.op == "+" else evaluate(Op.NEG if node.op == "-" else Op.NOT, a)), const
    if isinstance(node, (BinOp, Compare, BoolOp)):
        (a, ca), (b, cb) = _naive(node.left, env), _naive(node.right, env)
        if isinstance(node, BinOp) and node.op == "**" and cb and b == 2.0:
            return a * a, ca
        table = {**_BINOPS, **_CMP, "and": "AND", "or": "OR"}
        return evaluate(Op[table[node.op]], a, b), ca and cb
    if isinstance(node, Call):
        args = [_naive(arg, env) for arg in node.args]
        return (evaluate(FUNCTIONS[node.func], *(a for a, _ in args)),
                all(c for _, c in args))
    raise AssertionError(node)


def _leaf(names: list[str]):
    return st.one_of(st.sampled_from(names).map(Name),
                     st.sampled_from([0.0, 1.0, 2.0, 0.5, -3.0, 1e-3]).map(Number))


def _expression(names: list[str]):
    unary = ["exp", "log", "sqrt", "abs", "sin", "tanh", "floor", "int", "sign", "arctan"]

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from(list(_BINOPS)), children, children).map(
                lambda a: BinOp(a[0], a[1], a[2])),
            st.tuples(st.sampled_from(list(_CMP)), children, children).map(
                lambda a: Compare(a[0], a[1], a[2])),
            st.tuples(st.sampled_from(["and", "or"]), children, children).map(
                lambda a: BoolOp(a[0], a[1], a[2])),
            st.tuples(st.sampled_from(["-", "not", "+"]), children).map(
                lambda a: UnaryOp(a[0], a[1])),
            st.tuples(st.sampled_from(unary), children).map(lambda a: Call(a[0], (a[1],))),
            st.tuples(st.sampled_from(["where", "clip"]), children, children, children).map(
                lambda a: Call(a[0], a[1:])),
        )
    return st.recursive(_leaf(names), extend, max_leaves=12)


@st.composite
def _programs(draw):
    from nerve.equations.nodes import Assign
    names = [*_COLUMNS, *_CONSTANTS, "t", "dt", "N", "i", *_BUILTIN]
    stmts = []
    for _ in range(draw(st.integers(1, 5))):
        target = draw(st.sampled_from(["v", "w", "x", "_a", "_b"]))
        op = draw(st.sampled_from(["=", "=", "+=", "*="])) if target in names else "="
        stmts.append(Assign(target, op, draw(_expression(names))))
        names.append(target) if target not in names else None
    condition = draw(st.none() | _expression(names))
    return tuple(stmts), condition


@settings(max_examples=200, deadline=None)
@given(_programs())
def test_lowering_preserves_the_meaning_of_random_statements(program):
    stmts, condition = program
    n, t, dt = 7, 0.25, 0.125
    rng = np.random.default_rng(0)
    cols = [rng.normal(0, 2, n).round(1) for _ in _COLUMNS]
    cols[2][:2] = 0.0
    originals = [c.copy() for c in cols]
    spikes = interpret(lower(stmts, columns=_COLUMNS, constants=_CONSTANTS, condition=condition),
                       cols, t=t, dt=dt)
    expected_spikes = []
    for lane in range(n):
        env = {name: (originals[slot][lane], False) for name, slot in _COLUMNS.items()}
        env.update({k: (val, True) for k, val in {**_CONSTANTS, **_BUILTIN}.items()})
        env.update({"t": (t, False), "dt": (dt, False), "N": (float(n), False),
                    "i": (float(lane), False)})
        for stmt in stmts:
            value = stmt.value
            if stmt.op != "=":
                value = BinOp(stmt.op[0], Name(stmt.target), value)
            env[stmt.target] = _naive(value, env)
        for name, slot in _COLUMNS.items():
            assert _same(cols[slot][lane], env[name][0]), (name, lane)
        if condition is not None and _naive(condition, env)[0] != 0:
            expected_spikes.append(lane)
    assert list(spikes) == expected_spikes


def _same(a: float, b: float) -> bool:
    return (a == b) or (math.isnan(a) and math.isnan(b))


def test_semantics_table_covers_every_pure_opcode():
    from nerve.ir.opcodes import Op
    impure = {Op.LOAD, Op.STORE, Op.INDEX, Op.RAND, Op.RANDN, Op.COLLECT, Op.LOOKUP,
              Op.BINOMIAL, Op.POISSON}  # (lookup reads a table; random draws)
    assert set(SEMANTICS) == set(Op) - impure
    for op, fn in SEMANTICS.items():
        assert math.isfinite(fn(*([0.5] * op.arity))), op


def test_reference_interpreter_accepts_statements_built_from_text():
    program = lower(statements("v = v*2"), columns={"v": 0}, constants={})
    col = [np.array([1.0, -2.0])]
    interpret(program, col)
    np.testing.assert_array_equal(col[0], [2.0, -4.0])
    assert list(interpret(lower((), columns={"v": 0}, constants={}, condition=expr("v < 0")),
                          col)) == [1]


def test_swapping_two_columns_through_a_temporary():
    # the old v must be read before v is overwritten, whatever the store order
    program = lower(statements("_a = v\nv = w\nw = _a + 0*x"), columns=_COLUMNS, constants={})
    cols = [np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.zeros(2)]
    interpret(program, cols)
    np.testing.assert_array_equal(cols[0], [3.0, 4.0])
    np.testing.assert_array_equal(cols[1], [1.0, 2.0])


@pytest.mark.skipif(not hasattr(_core, "execute"), reason="nerve._core.execute not built yet")
@settings(max_examples=120, deadline=None)
@given(_programs())
def test_engine_agrees_with_the_reference_interpreter_on_random_statements(program):
    stmts, _ = program
    n = 9
    rng = np.random.default_rng(1)
    cols = [rng.normal(0, 2, n).round(1) for _ in _COLUMNS]
    cols[2][:2] = 0.0
    cols[1][2:4] = [np.nan, -np.inf]
    blob = encode(lower(stmts, columns=_COLUMNS, constants=_CONSTANTS))
    ours, theirs = [c.copy() for c in cols], [c.copy() for c in cols]
    interpret(blob, ours, t=0.25, dt=0.125, step=2)
    _core.execute(_core.Program(blob), theirs, n, _core.Rng(1, 0), 0.25, 0.125, 2)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(b, a, err_msg=disassemble(blob))


def test_floordiv_is_pythons_floor_division_in_both_implementations():
    """Regression (found by hypothesis): 1.8 // -0.3 is -7 in Python, while
    floor(1.8 / -0.3) is -6 after rounding; the reference semantics and the
    engine both follow Python."""
    import numpy as np

    from nerve import _core
    from nerve.equations import parse_statements
    from nerve.ir.encode import encode
    from nerve.ir.lower import lower
    from nerve.ir.opcodes import Op
    from nerve.ir.semantics import evaluate

    assert evaluate(Op.FLOORDIV, 1.8, -0.3) == 1.8 // -0.3 == -7.0
    program = _core.Program(encode(lower(parse_statements("y = x // d"),
                                         columns={"x": 0, "y": 1}, constants={"d": -0.3})))
    x, y = np.array([1.8, 7.0, -2.5]), np.zeros(3)
    _core.execute(program, [x, y], 3, _core.Rng(0, 0), 0.0, 1e-4, 0)
    np.testing.assert_array_equal(y, [1.8 // -0.3, 7.0 // -0.3, -2.5 // -0.3])
