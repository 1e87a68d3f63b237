"""The valid/invalid corpora under cases/: every valid case parses and
checks; every invalid case fails with exactly the message in its .err file
(exception class, message and caret line included)."""

from __future__ import annotations

import pathlib

import pytest

from eqtest_helpers import run_case
from nerve.exceptions import NerveError

CASES = pathlib.Path(__file__).parent / "cases"
VALID = sorted(p for p in (CASES / "valid").iterdir())
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.suffix != ".err")


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_case(path):
    run_case(path)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_case(path):
    expected = path.with_suffix(path.suffix + ".err").read_text()
    with pytest.raises(NerveError) as info:
        run_case(path)
    assert f"{type(info.value).__name__}: {info.value}\n" == expected


def test_every_invalid_case_has_its_message():
    assert INVALID, "the invalid corpus is empty"
    for path in INVALID:
        assert path.with_suffix(path.suffix + ".err").exists(), path.name
