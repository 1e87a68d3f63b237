"""A seeded fuzzer of model strings (used by test_eq_fuzz.py, and runnable
on its own for long runs).

Strings come from the corpus of test cases and from a generator of random
valid equations, conditions and statements, then are mutated (characters and
tokens inserted, deleted, swapped, line ends, comments, ';', parentheses
left open, deep nesting). Each string is parsed as an equation block, an
expression and statements; every failure must be a nerve error
(a :class:`~nerve.exceptions.NerveError`) with a message that is not an
"internal error", and a syntax error must carry line, column and a caret.
What parses must print back (``to_source``) to text that parses to the same
tree.

    PYTHONPATH=python python tests/equations/fuzz_model_strings.py --count 100000 \
        [--groups 5000] [--seed 1]

``--groups N`` also feeds N of the strings through ``NeuronGroup(1, model)``,
``threshold=`` and ``reset=`` and a short ``run``.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import random
import sys
import time

CASES = pathlib.Path(__file__).parent / "cases"
SEEDS = [p.read_text() for p in sorted(CASES.rglob("*.*")) if p.suffix != ".err"]
TOKENS = list("()+-*/=<>!:,.#^&|;[]'\"\n \t\r_e01239\\") + [
    "**", "dv/dt", "and", "or", "not", "xi", "tau", "volt", "exp(", "clip(", "1e",
    "(unless refractory)", ": 1", "\n  ", "-0.5", "//", "%", "+=", "==", "t", "i", "mV",
    "# c\n", ";", "\n+", "(" * 40, ")" * 40, "1_000", ".5", "1e-3", "\u00e9", "\x00",
    ": volt (constant)", "where(", "rand()", "int(", "N", "dt", "lastspike",
]
NAMES = ["v", "w", "x", "tau", "vt", "I", "g", "E", "t", "mV", "ms", "volt", "xi", "i"]
FUNCTIONS = ["exp", "sqrt", "abs", "clip", "sin", "log", "rand", "int", "floor"]
OPERATORS = ["+", "-", "*", "/", "**", "//", "%"]
COMPARISONS = ["<", "<=", ">", ">=", "==", "!="]


def random_expr(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(NAMES) if rng.random() < 0.6 else rng.choice(
            ["0", "1", "2.5", ".5", "1e-3", "3.", "10"])
    if roll < 0.6:
        return (f"{random_expr(rng, depth + 1)} {rng.choice(OPERATORS)} "
                f"{random_expr(rng, depth + 1)}")
    if roll < 0.7:
        return f"({random_expr(rng, depth + 1)})"
    if roll < 0.8:
        return f"-{random_expr(rng, depth + 1)}"
    if roll < 0.9:
        args = ", ".join(random_expr(rng, depth + 1) for _ in range(rng.randint(0, 3)))
        return f"{rng.choice(FUNCTIONS)}({args})"
    return (f"{random_expr(rng, depth + 1)} {rng.choice(COMPARISONS)} "
            f"{random_expr(rng, depth + 1)}")


def random_model(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        lines = []
        for _ in range(rng.randint(1, 4)):
            name = rng.choice(["v", "w", "x", "y"])
            unit = rng.choice(["1", "volt", "second", "amp/meter**2", "boolean", "hertz"])
            flags = rng.choice(["", " (unless refractory)", " (constant)", " (shared)"])
            form = rng.random()
            if form < 0.5:
                lines.append(f"d{name}/dt = {random_expr(rng)} : {unit}{flags}")
            elif form < 0.8:
                lines.append(f"{name} = {random_expr(rng)} : {unit}{flags}")
            else:
                lines.append(f"{name} : {unit}{flags}")
        return "\n".join(lines)
    if kind < 0.7:
        return random_expr(rng)
    sep = rng.choice(["\n", "; ", ";\n"])
    return sep.join(f"{rng.choice(['v', 'w', 'x'])} {rng.choice(['=', '+=', '-=', '*=', '/='])} "
                    f"{random_expr(rng)}" for _ in range(rng.randint(1, 3)))


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(text))
        choice = rng.random()
        if choice < 0.35:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif choice < 0.6:
            text = text[:pos] + text[pos + rng.randint(1, 3):]
        elif choice < 0.75:
            other = rng.choice(SEEDS)
            start = rng.randint(0, len(other))
            text = text[:pos] + other[start:start + rng.randint(1, 12)] + text[pos:]
        elif choice < 0.85 and len(text) > 1:
            a, b = sorted(rng.sample(range(len(text)), 2))
            text = text[:a] + text[b] + text[a + 1:b] + text[a] + text[b + 1:]
        elif choice < 0.95:
            text = text[:pos] + rng.choice(["\n", "\n  ", " # note\n", ";", "\r\n"]) + text[pos:]
        else:
            depth = rng.choice([50, 500, 3000])
            text = text[:pos] + "(" * depth + text[pos:] + ")" * rng.choice([0, depth])
    return text


def strings(seed: int, count: int):
    """``count`` strings: a mix of corpus cases, generated models and their
    mutations (the same for the same seed)."""
    rng = random.Random(seed)
    for _ in range(count):
        roll = rng.random()
        base = rng.choice(SEEDS) if roll < 0.5 else random_model(rng)
        yield base if rng.random() < 0.1 else mutate(rng, base)


class Failure(AssertionError):
    pass


def check_error(text: str, what: str, exc: BaseException) -> str:
    """Raise :class:`Failure` unless ``exc`` is a proper nerve error; returns
    its class name."""
    from nerve.exceptions import EquationSyntaxError, NerveError

    message = str(exc)
    if not isinstance(exc, NerveError):
        raise Failure(f"{what}({text!r}) raised {type(exc).__name__}: {message[:300]}") \
            from exc
    if not message.strip() or "internal error" in message.lower():
        raise Failure(f"{what}({text!r}) raised {type(exc).__name__} with the message "
                      f"{message[:300]!r}") from exc
    if isinstance(exc, EquationSyntaxError):
        if exc.lineno is None or exc.offset is None or "^" not in message \
                or f"line {exc.lineno}, column {exc.offset}" not in message:
            raise Failure(f"{what}({text!r}): syntax error without line, column and caret: "
                          f"{message[:300]!r}") from exc
    return type(exc).__name__


def check_parsers(text: str, tally: collections.Counter, *, compare: bool = True) -> None:
    """Parse ``text`` three ways (and check what parses further); with
    ``compare``, also check the fast path against lark's parser."""
    from eqtest_helpers import GROUP, make_resolver
    from nerve.equations import (
        Equations, check_expression, check_statements, parse_equations, parse_expression,
        parse_statements, to_source,
    )
    from nerve.equations.nodes import strip_spans

    if compare:
        check_fast_path(text)
    for name, parse in (("parse_equations", parse_equations),
                        ("parse_expression", parse_expression),
                        ("parse_statements", parse_statements)):
        try:
            tree = parse(text)
        except Exception as exc:  # noqa: BLE001 - the point of the test
            tally[f"{name}: {check_error(text, name, exc)}"] += 1
            continue
        tally[f"{name}: parsed"] += 1
        printed = to_source(tree)
        try:
            again = parse(printed)
        except Exception as exc:  # noqa: BLE001
            raise Failure(f"{name}({text!r}) printed {printed!r}, which fails: {exc}") from exc
        if len(printed) < 5000 and strip_spans(again) != strip_spans(tree):
            raise Failure(f"{name}({text!r}) printed {printed!r}, which parses differently")
        # the checks that follow parsing
        resolve = make_resolver(GROUP, text)
        try:
            if name == "parse_equations":
                Equations(text).check_units(make_resolver({}, text))
            elif name == "parse_expression":
                check_expression(tree, resolve, "boolean", source=text)
            else:
                check_statements(tree, resolve, source=text)
        except Exception as exc:  # noqa: BLE001
            tally[f"{name} + checks: {check_error(text, name + ' + checks', exc)}"] += 1


def check_fast_path(text: str) -> None:
    """The fast driver and lark's parser agree: the same nodes (spans
    included) where the fast one gives a result, a syntax error where not."""
    from lark.exceptions import UnexpectedInput

    from nerve.equations.parser import _fast, _lark
    from nerve.equations.transformer import BadDerivative

    for start in ("equations", "expression", "statements"):
        outcome = []
        for parse in (lambda: _fast(start).parse(text, start),
                      lambda: _lark(start).parse(text, start=start)):
            try:
                outcome.append(("nodes", parse()))
            except BadDerivative as exc:
                outcome.append(("bad derivative", exc.span))
            except UnexpectedInput:
                outcome.append(("syntax error", None))
        fast, slow = outcome
        if fast == ("nodes", None):
            if slow[0] == "nodes":
                raise Failure(f"{start}: lark parses {text!r}, the fast path does not")
        elif fast != slow:
            raise Failure(f"{start}: the fast path and lark differ on {text!r}: "
                          f"{fast!r} != {slow!r}")


def check_groups(text: str, tally: collections.Counter) -> None:
    """``text`` as the model, the threshold and the reset of a NeuronGroup,
    created and run for one step."""
    import nerve

    tau, vt, vr = 10 * nerve.ms, 1 * nerve.mV, 0 * nerve.mV  # noqa: F841 - run() namespace
    namespace = {"tau": tau, "vt0": vt, "vr": vr, "g": 1 * nerve.nS, "E": 0 * nerve.mV}
    uses = (
        ("model", lambda: nerve.NeuronGroup(1, text, method="euler", namespace=namespace)),
        ("threshold", lambda: nerve.NeuronGroup(1, "v : volt\nw : 1", threshold=text,
                                                reset="v = 0*mV", namespace=namespace)),
        ("reset", lambda: nerve.NeuronGroup(1, "v : volt\nw : 1", threshold="True",
                                            reset=text, namespace=namespace)),
    )
    for name, make in uses:
        try:
            group = make()
            nerve.Network(group).run(0.1 * nerve.ms)
        except Exception as exc:  # noqa: BLE001
            tally[f"NeuronGroup {name}: {check_error(text, 'NeuronGroup ' + name, exc)}"] += 1
        else:
            tally[f"NeuronGroup {name}: ran"] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    tally: collections.Counter = collections.Counter()
    failures = []
    start = time.perf_counter()
    every = max(args.count // max(args.groups, 1), 1) if args.groups else 0
    for index, text in enumerate(strings(args.seed, args.count)):
        try:
            check_parsers(text, tally)
            if every and index % every == 0:
                check_groups(text, tally)
        except Failure as failure:
            failures.append(str(failure))
    elapsed = time.perf_counter() - start
    print(f"{args.count} strings (seed {args.seed}) in {elapsed:.0f} s; "
          f"{len(failures)} failures")
    for key, value in sorted(tally.items()):
        print(f"  {key}: {value}")
    for failure in failures[:20]:
        print("FAIL", failure[:500])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
