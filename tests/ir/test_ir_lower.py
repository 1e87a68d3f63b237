"""Lowering: folding, hoisting, CSE, register allocation, statement semantics,
checked on the disassembly."""

from __future__ import annotations

import pytest
from ir_syntax import expr, statements

from nerve.exceptions import ProgramError
from nerve.ir import Op, disassemble
from nerve.ir.encode import encode
from nerve.ir.lower import lower
from nerve.ir.program import Program


def lowered(code: str, columns=None, constants=None, condition=None) -> Program:
    columns = {"v": 0, "w": 1} if columns is None else columns
    return lower(statements(code) if code else (), columns=columns,
                 constants=constants or {}, condition=expr(condition) if condition else None)


def blocks(program: Program) -> tuple[list[str], list[str], list[str]]:
    """(constants, scalar block, vector block) as lines of text."""
    lines = disassemble(encode(program)).splitlines()[1:]
    s, v = lines.index("scalar:"), lines.index("vector:")
    return lines[:s], [x.strip() for x in lines[s + 1:v]], [x.strip() for x in lines[v + 1:]]


def ops(lines: list[str]) -> list[str]:
    return [line.split()[2] if " = " in line else line.split()[0] for line in lines]


# -- hoisting -------------------------------------------------------------------

def test_exp_of_dt_over_tau_is_computed_once_in_the_scalar_block():
    consts, scalar, vector = blocks(lowered("v = w + (v - w)*exp(-dt/tau)", constants={"tau": 0.01}))
    assert consts == ["K0 = 1e-2"]
    assert scalar == ["S4 = neg S1", "S5 = div S4 K0", "S4 = exp S5"]
    assert ops(vector) == ["load", "load", "sub", "mul", "add", "store"]
    assert "mul V2 S4" in vector[3]


def test_scalar_temporaries_and_n_are_hoisted():
    _, scalar, vector = blocks(lowered("_a = t*2\n_b = _a + N\nv = v*_b"))
    assert scalar == ["S4 = mul S0 K0", "S5 = add S4 S2"]
    assert vector == ["V0 = load col0", "V1 = mul V0 S5", "col0 = store V1"]


def test_lane_independent_assignment_stores_a_scalar():
    _, scalar, vector = blocks(lowered("v = t + dt"))
    assert scalar == ["S4 = add S0 S1"]
    assert vector == ["col0 = store S4"]


# -- constant folding -------------------------------------------------------------

def test_constant_subtrees_fold():
    consts, scalar, vector = blocks(lowered("v = v + 2*3 - exp(0)", constants={}))
    assert consts == ["K0 = 6e0", "K1 = 1e0"]
    assert scalar == []
    assert ops(vector) == ["load", "add", "sub", "store"]


def test_folding_keeps_the_written_order():
    # (v*2)*3 is not v*6, and (v + 0.1) + 0.2 is not v + 0.30000000000000004
    consts, _, vector = blocks(lowered("v = v*2*3\nw = w + 0.1 + 0.2"))
    assert consts == ["K0 = 2e0", "K1 = 3e0", "K2 = 1e-1", "K3 = 2e-1"]
    assert ops(vector).count("mul") == 2 and ops(vector).count("add") == 2
    # left-associated constant prefix folds with Python's own rounding
    consts, _, _ = blocks(lowered("v = 0.1 + 0.2 + v"))
    assert consts == ["K0 = 3.0000000000000004e-1"]


def test_named_constants_fold_with_the_same_semantics():
    program = lowered("v = sigma*tau**-0.5*v", constants={"sigma": 0.2, "tau": 0.01})
    assert program.consts == (0.2 * 0.01 ** -0.5,)
    assert blocks(lowered("v = 1/0 + v"))[0] == ["K0 = inf"]
    assert blocks(lowered("v = log(-1) + v"))[0] == ["K0 = NaN"]
    assert blocks(lowered("v = int(-2.7) + v"))[0] == ["K0 = -2e0"]


def test_builtin_names():
    consts, _, _ = blocks(lowered("v = v*pi + e - inf + True"))
    assert consts == ["K0 = 3.141592653589793e0", "K1 = 2.718281828459045e0", "K2 = inf",
                      "K3 = 1e0"]


# -- strength reduction ----------------------------------------------------------------

def test_square_is_a_multiplication_other_powers_are_pow():
    _, _, vector = blocks(lowered("v = v**2 + v**3 + v**0.5"))
    assert vector[1] == "V1 = mul V0 V0"
    assert ops(vector).count("pow") == 2


# -- CSE -----------------------------------------------------------------------------

def test_common_subexpressions_are_computed_once():
    _, _, vector = blocks(lowered("v = exp(v + 1)*exp(v + 1) + v"))
    assert ops(vector) == ["load", "add", "exp", "mul", "add", "store"]


def test_a_column_is_loaded_once():
    _, _, vector = blocks(lowered("_a = v*w\n_b = v + w\nv = _a - _b\nw = v*v"))
    assert ops(vector).count("load") == 2


def test_random_draws_are_never_shared():
    _, _, vector = blocks(lowered("v = rand() - rand()\nw = randn() + randn()"))
    assert ops(vector).count("rand") == 2 and ops(vector).count("randn") == 2
    assert vector[2] == "V2 = sub V0 V1"


# -- registers ---------------------------------------------------------------------------

def test_dead_registers_are_reused():
    chain = "v"
    for k in range(30):
        chain = f"({chain} + {k + 1})*w"
    program = lowered(f"v = {chain}")
    assert len(program.vector) == 2 + 60 + 1
    assert program.n_vregs <= 4


def test_no_instruction_writes_a_register_it_reads():
    program = lowered("v = exp(v)*2 + w; w = sqrt(abs(w - v))", constants={})
    for ins in program.vector:
        if ins.op not in (Op.STORE, Op.LOAD, Op.COLLECT):
            assert ins.dst not in (ins.a, ins.b, ins.c)[: ins.op.arity]


# -- statement semantics -------------------------------------------------------------------

def test_statements_see_earlier_assignments():
    # adaptive reset: v = vr; vt += v reads the new v (a folded constant), never column v
    consts, _, vector = blocks(lowered("v = vr\nvt += v", columns={"v": 0, "vt": 1},
                                       constants={"vr": -0.07}))
    assert consts == ["K0 = -7e-2"]
    assert vector == ["col0 = store K0", "V0 = load col1", "V1 = add V0 K0", "col1 = store V1"]


def test_old_value_is_loaded_before_the_column_is_overwritten():
    _, _, vector = blocks(lowered("_a = v\nv = 0\nw = _a + 1"))
    assert vector.index("V0 = load col0") < vector.index("col0 = store K0")


def test_only_the_last_assignment_of_a_column_is_stored():
    _, _, vector = blocks(lowered("v = v + 1\nv = v*2\n_tmp = v\nw = _tmp"))
    assert vector == ["V0 = load col0", "V1 = add V0 K0", "V0 = mul V1 K1",
                      "col0 = store V0", "col1 = store V0"]


def test_augmented_assignments_desugar():
    for op, mnemonic in (("+=", "add"), ("-=", "sub"), ("*=", "mul"), ("/=", "div")):
        _, _, vector = blocks(lowered(f"v {op} w"))
        assert vector[2] == f"V2 = {mnemonic} V0 V1"


def test_assigning_a_column_its_own_value_stores_nothing():
    _, _, vector = blocks(lowered("v = v\n_x = w"))
    assert vector == []


def test_index_and_preloaded_scalars():
    _, scalar, vector = blocks(lowered("w = i*v0_max/(N-1)", constants={"v0_max": 3.0}))
    assert scalar == ["S4 = sub S2 K0"]
    assert vector == ["V0 = index", "V1 = mul V0 K1", "V0 = div V1 S4", "col1 = store V0"]


def test_comparisons_logic_and_functions_map_to_opcodes():
    _, _, vector = blocks(lowered(
        "v = where(v > w and not (v == 1) or v <= 0, clip(v, 0, 1), int(w))"))
    assert ops(vector) == ["load", "load", "gt", "eq", "not", "and", "le", "or",
                           "clip", "trunc", "select", "store"]


def test_threshold_ends_with_collect():
    _, _, vector = blocks(lowered("", condition="v > 0.8"))
    assert vector == ["V0 = load col0", "V1 = gt V0 K0", "collect V1"]
    assert lowered("", condition="v > 0.8").collects
    # the condition sees the statements, and may be constant
    _, _, vector = blocks(lowered("v = 1", condition="v > 0.8"))
    assert vector == ["col0 = store K0", "collect K0"]


# -- errors --------------------------------------------------------------------------

def test_unresolved_names_are_internal_errors_naming_the_identifier():
    with pytest.raises(ProgramError, match="'tau_m'"):
        lowered("v = v/tau_m")
    with pytest.raises(ProgramError, match="'expm2'"):
        lowered("v = expm2(v)")
    with pytest.raises(ProgramError, match="takes 1 argument"):
        lowered("v = exp(v, w)")
    with pytest.raises(ProgramError, match="'dt'"):
        lowered("dt = 1")


def test_n_columns_covers_every_slot():
    assert lowered("v = 1", columns={"v": 0, "x": 5}).n_columns == 6
    assert lowered("", columns={}).n_columns == 0
