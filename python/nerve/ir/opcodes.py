"""The opcodes of the bytecode, as a Python :class:`~enum.IntEnum`.

The one opcode table lives in Rust (``rust/nerve-core/src/ir/opcodes.rs``) and
reaches Python as ``nerve._core.OPCODES``; this module builds :class:`Op` from
it, so no opcode number is written down twice. Members are named after the
exported mnemonics in upper case (``Op.MUL`` has the mnemonic ``"mul"``).
"""

from __future__ import annotations

import enum

from nerve import _core
from nerve.exceptions import ProgramError

__all__ = ["Op", "IR_VERSION", "CHUNK", "SCALAR", "VECTOR", "BOTH"]

#: The version of the format this package encodes and decodes.
IR_VERSION = 2

#: Lanes per chunk in the engine (vector register length).
CHUNK: int = _core.CHUNK

SCALAR, VECTOR, BOTH = "scalar", "vector", "both"

if _core.IR_VERSION != IR_VERSION:
    raise ProgramError(
        f"nerve._core speaks bytecode IR v{_core.IR_VERSION} but nerve.ir encodes "
        f"v{IR_VERSION}: the compiled module and the Python package are out of step; "
        "rebuild the extension (maturin develop --release)"
    )

# code -> (mnemonic, arity, block, doc)
_ROWS: dict[int, tuple[str, int, str, str]] = {
    int(code): (str(name), int(arity), str(block), str(doc))
    for code, name, arity, block, doc in _core.OPCODES
}


class _OpBase(enum.IntEnum):
    """Methods shared by every opcode; the members come from the Rust table."""

    @property
    def mnemonic(self) -> str:
        """The lower-case name used in disassembly (``"mul"``)."""
        return _ROWS[self.value][0]

    @property
    def arity(self) -> int:
        """Number of source operands the instruction reads (``a``, ``b``, ``c``)."""
        return _ROWS[self.value][1]

    @property
    def block(self) -> str:
        """Where the opcode may appear: ``"scalar"``, ``"vector"`` or ``"both"``."""
        return _ROWS[self.value][2]

    @property
    def doc(self) -> str:
        """One line of semantics, from the Rust table."""
        return _ROWS[self.value][3]

    def allowed_in(self, block: str) -> bool:
        """Whether the opcode may appear in the ``"scalar"`` or ``"vector"`` block."""
        return self.block in (block, BOTH)

    @classmethod
    def from_mnemonic(cls, mnemonic: str) -> "_OpBase":
        """The opcode whose disassembly name is ``mnemonic``."""
        return cls[mnemonic.upper()]


Op = _OpBase(  # type: ignore[call-overload]
    "Op",
    [(name.upper(), code) for code, (name, _, _, _) in sorted(_ROWS.items())],
    module=__name__,
    qualname="Op",
)
Op.__doc__ = "An operation of the bytecode; members built from ``nerve._core.OPCODES``."
for _member in Op:
    _member.__doc__ = _member.doc
