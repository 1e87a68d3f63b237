"""The parser tables: shipped as JSON in the package, never read from (or
written to) the shared temporary folder, never unpickled.

Lark's ``cache=True`` (which nerve used) keeps the tables as a pickle named
``.lark_cache_<user>_<sha256>_<python>.tmp`` in the temporary folder, and
unpickles whatever file has that name: another user who plants one there
runs code in every process that builds the parser. These tests plant such a
file, show that lark's cache runs it, and check that nerve does not.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import nerve
from nerve.equations import tables

PYTHON_DIR = str(pathlib.Path(nerve.__file__).resolve().parent.parent)

# What a victim process does: parse every kind of model string, while an
# audit hook records every file opened in the temporary folder and every
# global an unpickler looks up.
VICTIM = r"""
import sys, tempfile
tmp = tempfile.gettempdir()
events = []
def hook(event, args):
    if event == "pickle.find_class":
        events.append(("unpickle", args))
    elif event == "open" and isinstance(args[0], str) and args[0].startswith(tmp):
        events.append(("open", args[0]))
sys.addaudithook(hook)
from nerve.equations import parse_equations, parse_expression, parse_statements
parse_equations("dv/dt = (v0 - v)/tau : volt (unless refractory)\nv0 : volt")
parse_expression("v > vt")
parse_statements("v = vr\nvt += delta_vt0")
print(repr(events))
"""

# lark's cache with the options nerve passed before (a process that builds
# the parser this way loads a planted file).
LARK_CACHED = r"""
import sys
from lark import Lark
from nerve.equations.tables import GRAMMAR_PATH
Lark(GRAMMAR_PATH.read_text(), parser="lalr", lexer="basic", strict=False, cache=True,
     propagate_positions=True, start=["equations", "expression", "statements"])
"""


def run(code: str, tmp: pathlib.Path) -> str:
    env = {**os.environ, "TMPDIR": str(tmp), "PYTHONPATH": PYTHON_DIR}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def plant(tmp: pathlib.Path, marker: pathlib.Path) -> int:
    """Replace every lark cache file in ``tmp`` with one whose pickle creates
    ``marker`` when it is loaded; returns how many were planted."""
    payload = subprocess.run(
        [sys.executable, "-c",
         "import pickle, sys\n"
         "class Evil:\n"
         "    def __reduce__(self):\n"
         f"        return (open, ({str(marker)!r}, 'w'))\n"
         "sys.stdout.buffer.write(pickle.dumps(Evil()))"],
        capture_output=True, check=True).stdout
    planted = 0
    for path in tmp.glob(".lark_*.tmp"):
        sha_line = path.read_bytes().split(b"\n", 1)[0]
        path.write_bytes(sha_line + b"\n" + payload)
        planted += 1
    return planted


def test_a_planted_cache_file_runs_code_in_lark_but_not_in_nerve(tmp_path):
    marker = tmp_path / "PWNED"
    # Any cache file nerve itself leaves in the temporary folder is planted on
    # (with the old parser.py, that was the file it loaded on every start) ...
    run(VICTIM, tmp_path)
    nerve_files = list(tmp_path.glob(".lark_*.tmp"))
    # ... and so is the file of lark's cache with nerve's former options.
    run(LARK_CACHED, tmp_path)
    assert plant(tmp_path, marker) >= 1

    events = run(VICTIM, tmp_path)
    assert not marker.exists()
    assert events.strip() == "[]"  # no file of the temporary folder, no unpickling
    assert nerve_files == []  # nerve writes nothing there either

    # The planted file is live: a process using lark's cache runs its code.
    # (Lark then replaces the file it failed to use; hence this comes last.)
    run(LARK_CACHED, tmp_path)
    assert marker.exists()


def test_the_shipped_tables_are_json_and_up_to_date():
    """Fails after an edit of grammar.lark (or a lark upgrade) until the
    tables are regenerated with ``python -m nerve.equations.tables``."""
    assert tables.TABLES_PATH.read_text(encoding="utf-8") == tables.tables_json(), (
        "parser_tables.json is out of date: run 'python -m nerve.equations.tables'")


def test_the_parser_is_loaded_from_the_shipped_tables():
    from nerve.equations.parser import _lark

    assert tables._stored_tables() is not None
    assert _lark().source_path == "<deserialized>"  # not built from the grammar


def test_tables_for_another_grammar_are_not_used(tmp_path, monkeypatch):
    stale = json.loads(tables.TABLES_PATH.read_text(encoding="utf-8"))
    stale["grammar_sha256"] = "0" * 64
    path = tmp_path / "parser_tables.json"
    path.write_text(json.dumps(stale))
    monkeypatch.setattr(tables, "TABLES_PATH", path)
    assert tables._stored_tables() is None
    parser = tables.load()  # built from the grammar instead
    assert parser.source_path != "<deserialized>"
    assert parser.parse("v = 1", start="statements") is not None


def test_the_encoding_keeps_integer_keys_and_tuples():
    value = {"a": [(1, "x"), {3: (True, None)}], "b": {}}
    assert tables._decode(json.loads(json.dumps(tables._encode(value)))) == value


def test_fast_constructors_make_equal_nodes():
    from nerve.equations import transformer as tr
    from nerve.equations.nodes import BinOp, Compare, Name, Number, Span, UnaryOp

    span = Span(1, 2, 3, 4)
    assert tr._new_span(1, 2, 3, 4) == span and hash(tr._new_span(1, 2, 3, 4)) == hash(span)
    assert tr._new_name("v", span) == Name("v", span)
    assert tr._new_number(1.5, False, span) == Number(1.5, False, span)
    assert tr._new_binop("+", Name("a"), Name("b"), span) == BinOp("+", Name("a"), Name("b"), span)
    assert tr._new_compare("<", Name("a"), Name("b"), None) == Compare("<", Name("a"), Name("b"))
    assert tr._new_unary("-", Name("a"), None) == UnaryOp("-", Name("a"))
    assert repr(tr._new_name("v", None)) == repr(Name("v"))
