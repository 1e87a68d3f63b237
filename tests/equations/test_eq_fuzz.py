"""Fuzzing: random and mutated model strings raise only nerve's own
exceptions (never a lark error, a RecursionError or another internal one).

The seeded fuzzer lives in fuzz_model_strings.py; a long run (10^5 strings)
is ``python tests/equations/fuzz_model_strings.py --count 100000``."""

from __future__ import annotations

import pathlib
import random

from hypothesis import given, settings, strategies as st

from eqtest_helpers import GROUP, make_resolver
from nerve.equations import (
    Equations, check_expression, check_statements, parse_expression, parse_statements,
)
from nerve.exceptions import NerveError

import fuzz_model_strings as fuzz

SEEDS = [p.read_text() for p in sorted(
    (pathlib.Path(__file__).parent / "cases").rglob("*.*")) if p.suffix != ".err"]
ALPHABET = list("()+-*/=<>!:,.#^&|;[]'\"\n \t\r_e01239") + [
    "**", "dv/dt", "and", "or", "not", "xi", "tau", "volt", "exp(", "clip(", "1e",
    "(unless refractory)", ": 1", "\n  ", "-0.5", "//", "%", "+=", "==", "t", "i", "mV"]


def exercise(text: str) -> None:
    """Everything a group does with a model string, swallowing nerve errors."""
    resolve = make_resolver(GROUP, text)
    for action in (
        lambda: Equations(text).check_units(make_resolver({}, text)),
        lambda: check_expression(parse_expression(text), resolve, "boolean", source=text),
        lambda: check_statements(parse_statements(text), resolve, source=text),
    ):
        try:
            action()
        except NerveError:
            pass


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.4:
            text = text[:pos] + rng.choice(ALPHABET) + text[pos:]
        elif choice < 0.7:
            text = text[:pos] + text[pos + rng.randint(1, 3):]
        else:
            other = rng.choice(SEEDS)
            start = rng.randint(0, len(other))
            text = text[:pos] + other[start:start + rng.randint(1, 12)] + text[pos:]
    return text


def test_mutated_corpus_strings():
    rng = random.Random(20240601)
    for _ in range(3000):
        exercise(mutate(rng, rng.choice(SEEDS)))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join))
def test_random_token_soup(text):
    exercise(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_arbitrary_text(text):
    exercise(text)


def test_seeded_fuzz_every_failure_is_a_nerve_error_with_a_message():
    """2000 generated and mutated strings through the three parsers and the
    checks after them (fuzz_model_strings.check_parsers raises on a failure
    that is not a NerveError, has no message, says "internal error", or is a
    syntax error without line, column and caret)."""
    import collections

    tally = collections.Counter()
    for index, text in enumerate(fuzz.strings(seed=20261201, count=2000)):
        # (the fast path is compared with lark's parser for a quarter of them;
        # the long run compares all)
        fuzz.check_parsers(text, tally, compare=index % 4 == 0)
    # the mix reaches both outcomes of every parser
    for name in ("parse_equations", "parse_expression", "parse_statements"):
        assert tally[f"{name}: parsed"] > 20
        assert tally[f"{name}: EquationSyntaxError"] > 500


def test_seeded_fuzz_through_neuron_groups():
    """A subset of the strings as the model, threshold and reset of a
    NeuronGroup, created and run: again only nerve errors."""
    import collections

    tally = collections.Counter()
    for text in fuzz.strings(seed=20261202, count=60):
        fuzz.check_groups(text, tally)
    assert sum(tally.values()) == 180
    assert any(key.endswith("EquationSyntaxError") for key in tally)


def test_the_fuzz_check_catches_a_foreign_or_internal_error():
    import pytest

    with pytest.raises(fuzz.Failure, match="raised KeyError"):
        fuzz.check_error("x", "parse", KeyError("x"))
    with pytest.raises(fuzz.Failure, match="internal error"):
        fuzz.check_error("x", "parse", NerveError("internal error: oops"))
    from nerve.exceptions import EquationSyntaxError

    with pytest.raises(fuzz.Failure, match="without line, column and caret"):
        fuzz.check_error("x", "parse", EquationSyntaxError("bad", lineno=1, offset=1))
