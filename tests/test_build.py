"""The compiled engine is importable and exports the opcode table."""

from nerve import _core


def test_opcode_table_is_exported():
    names = {row[1] for row in _core.OPCODES}
    assert {"load", "store", "add", "exp", "collect"} <= names
    assert isinstance(_core.IR_VERSION, int) and _core.IR_VERSION >= 1
