"""Regenerate the golden files: ``python tests/ir/make_golden.py``.

Writes ``tests/ir/golden/NAME.bin`` (the encoded program) and ``NAME.txt``
(its disassembly) for every case of ``ir_cases.CASES``. Run it after a
deliberate change of the format or of lowering, and review the diff.
"""

from __future__ import annotations

from ir_cases import CASES, GOLDEN_DIR

from nerve.ir.disasm import disassemble
from nerve.ir.encode import encode


def main() -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for name, case in CASES.items():
        blob = encode(case.lower())
        (GOLDEN_DIR / f"{name}.bin").write_bytes(blob)
        (GOLDEN_DIR / f"{name}.txt").write_text(disassemble(blob), encoding="utf-8", newline="\n")


if __name__ == "__main__":
    main()
