"""The golden programs: the Python encoder and disassembler are pinned by
``tests/ir/golden/NAME.bin`` + ``NAME.txt`` (regenerate with
``python tests/ir/make_golden.py`` after a deliberate change, and review the
diff); the Rust engine must decode the same files and print the same text."""

from __future__ import annotations

import numpy as np
import pytest
from ir_cases import CASES, GOLDEN_DIR

from nerve import _core
from nerve.ir.disasm import disassemble
from nerve.ir.encode import decode, encode
from nerve.ir.reference import interpret

NAMES = sorted(CASES)
needs_engine = pytest.mark.skipif(not hasattr(_core, "Program"),
                                  reason="nerve._core.Program not built yet")


def _golden(name: str) -> tuple[bytes, str]:
    return ((GOLDEN_DIR / f"{name}.bin").read_bytes(),
            (GOLDEN_DIR / f"{name}.txt").read_text(encoding="utf-8"))


def test_every_golden_file_has_a_case():
    on_disk = {p.stem for p in GOLDEN_DIR.glob("*.bin")} | {p.stem for p in GOLDEN_DIR.glob("*.txt")}
    assert on_disk == set(CASES)


@pytest.mark.parametrize("name", NAMES)
def test_lowering_reproduces_the_golden_bytes_and_text(name):
    blob, text = _golden(name)
    program = CASES[name].lower()
    assert encode(program) == blob
    assert disassemble(blob) == text
    assert decode(blob) == program


def test_golden_programs_show_the_hoisting():
    _, text = _golden("lif_exact_update")
    scalar, vector = text.split("vector:\n")
    assert "exp S" in scalar and "exp" not in vector
    assert "collect" in _golden("lif_threshold")[1]


@needs_engine
@pytest.mark.parametrize("name", NAMES)
def test_engine_decodes_the_golden_files_and_prints_the_same_text(name):
    blob, text = _golden(name)
    program = _core.Program(blob)
    assert program.disassemble() == text
    assert program.n_columns == len(CASES[name].columns)


_EXECUTE_CASES = ["lif_exact_update", "lif_reset", "adaptive_reset", "per_neuron_v0"]


@needs_engine
@pytest.mark.skipif(not hasattr(_core, "execute") or not hasattr(_core, "Rng"),
                    reason="nerve._core.execute not built yet")
@pytest.mark.parametrize("name", _EXECUTE_CASES)
def test_engine_computes_what_the_reference_interpreter_computes(name):
    n, t, dt, step = 3000, 0.0123, 1e-4, 123
    rng = np.random.default_rng(5)
    state = [rng.uniform(-0.1, 1.2, n) for _ in CASES[name].columns]
    if "lastspike" in CASES[name].columns:
        slot = CASES[name].columns["lastspike"]
        state[slot] = np.where(rng.random(n) < 0.5, -np.inf, rng.uniform(0, t, n))
    blob = encode(CASES[name].lower())
    ours = [c.copy() for c in state]
    interpret(blob, ours, t=t, dt=dt, step=step)
    theirs = [np.ascontiguousarray(c.copy()) for c in state]
    _core.execute(_core.Program(blob), theirs, n, _core.Rng(1, 0), t, dt, step)
    for slot, (a, b) in enumerate(zip(ours, theirs)):
        # the engine's exp is libm's, as the reference's: equal to the last bit
        np.testing.assert_array_equal(b, a, err_msg=f"column {slot}")


@pytest.mark.parametrize("name", NAMES)
def test_the_model_language_parser_gives_the_same_programs(name):
    equations = pytest.importorskip("nerve.equations")
    if not hasattr(equations, "parse_statements"):
        pytest.skip("parser not available")
    from nerve.ir.lower import lower
    case = CASES[name]
    code = "\n".join(line.strip() for line in case.code.strip().splitlines())
    program = lower(equations.parse_statements(code) if code else (), columns=case.columns,
                    constants=case.constants,
                    condition=equations.parse_expression(case.condition) if case.condition else None)
    assert encode(program) == _golden(name)[0]
