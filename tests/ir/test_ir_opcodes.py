"""The Python opcode enum mirrors the one table exported by the engine."""

from __future__ import annotations

from nerve import _core
from nerve.ir.lower import FUNCTIONS
from nerve.ir.opcodes import IR_VERSION, Op


def test_enum_is_the_exported_table():
    rows = sorted(_core.OPCODES)
    assert [(int(op), op.mnemonic, op.arity, op.block, op.doc) for op in Op] == rows
    assert len({op.mnemonic for op in Op}) == len(rows)


def test_lookups_and_version():
    assert IR_VERSION == _core.IR_VERSION
    assert Op.from_mnemonic("floordiv") is Op.FLOORDIV
    assert Op.SELECT.arity == 3 and Op.RANDN.arity == 0
    assert Op.LOAD.allowed_in("vector") and not Op.LOAD.allowed_in("scalar")
    assert Op.EXP.allowed_in("scalar") and Op.EXP.allowed_in("vector")
    assert Op.MUL.__doc__ == "dst = a * b"


def test_every_language_function_has_an_opcode_of_its_arity():
    arities = {"exp": 1, "log": 1, "log10": 1, "sqrt": 1, "sin": 1, "cos": 1, "tan": 1,
               "sinh": 1, "cosh": 1, "tanh": 1, "arcsin": 1, "arccos": 1, "arctan": 1,
               "abs": 1, "sign": 1, "floor": 1, "ceil": 1, "clip": 3, "int": 1,
               "rand": 0, "randn": 0, "where": 3, "exprel": 1, "expm1": 1, "log1p": 1,
               "poisson": 1}
    # (timestep(t, dt) is lowered to trunc((t + 1e-3*dt)/dt), without an opcode of its own)
    assert set(FUNCTIONS) == set(arities)
    for name, arity in arities.items():
        assert FUNCTIONS[name].arity == arity, name
