"""The parser tables of ``grammar.lark``, built once and shipped in the package.

Building the LALR tables from the grammar takes about half a second, too long
to pay on every script start. Lark's own remedy (``cache=True``) stores a
pickle under a predictable name in the shared temporary folder and unpickles
whatever file it finds there: any other user of the machine could plant one
that runs code in every nerve process. nerve therefore never uses lark's
cache. The tables are serialized with ``Lark.memo_serialize`` into plain JSON
data, ``parser_tables.json`` beside the grammar, written by

    python -m nerve.equations.tables

and read back with ``json`` (no pickle, no code) when the parser is first
needed. The file records the SHA-256 of the grammar and the lark version it
was made with; if either differs from what is installed, the tables are
built from the grammar in memory instead (slower, never wrong). A test checks
that the file in the repository is up to date.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib

__all__ = ["GRAMMAR_PATH", "TABLES_PATH", "build_from_grammar", "load", "tables_data",
           "tables_json", "write_tables"]

GRAMMAR_PATH = pathlib.Path(__file__).with_name("grammar.lark")
TABLES_PATH = pathlib.Path(__file__).with_name("parser_tables.json")
_FORMAT = 1
_STARTS = ["equations", "expression", "statements"]


def grammar_digest() -> str:
    return hashlib.sha256(GRAMMAR_PATH.read_bytes()).hexdigest()


def build_from_grammar(*, strict: bool = False, postlex=None):
    """The LALR parser built from ``grammar.lark`` (no file cache).

    ``strict=True`` makes lark refuse any shift/reduce conflict or terminal
    collision (the test suite builds the grammar that way).
    """
    from lark import Lark

    return Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", lexer="basic",
                strict=strict, cache=False, start=_STARTS, postlex=postlex)


# JSON has only string keys and no tuples; lark's serialized tables have
# integer keys (states, token ids) and a few tuples. They are written as
# {"__int_keys__": [[key, value], ...]} and {"__tuple__": [...]}.

def _encode(value):
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _encode(item) for key, item in value.items()}
        if all(isinstance(key, int) and not isinstance(key, bool) for key in value):
            return {"__int_keys__": [[key, _encode(item)] for key, item in value.items()]}
        raise TypeError(f"cannot store a dict with keys {set(map(type, value))}")
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(item) for item in value]}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the parser tables")


def _decode(value):
    if isinstance(value, dict):
        if "__int_keys__" in value:
            return {key: _decode(item) for key, item in value["__int_keys__"]}
        if "__tuple__" in value:
            return tuple(_decode(item) for item in value["__tuple__"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def tables_data() -> dict:
    """The content of ``parser_tables.json`` for the installed grammar and lark."""
    import lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    parser = build_from_grammar()
    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["parser"]["parser"] = _canonical_table(data["parser"]["parser"])
    return {"format": _FORMAT, "grammar_sha256": grammar_digest(),
            "lark_version": lark.__version__,
            "data": _encode(data), "memo": _encode(memo)}


def _canonical_table(table: dict) -> dict:
    """The serialized LALR table with tokens numbered in name order and states
    in the order a breadth-first walk from the start states meets them.
    (Lark numbers both in an order that changes from process to process.)"""
    names = table["tokens"]
    token_index = {name: index for index, name in enumerate(sorted(names.values()))}
    states = table["states"]
    order: dict[int, int] = {}
    queue = [table["start_states"][start] for start in sorted(table["start_states"])]
    position = 0
    while position < len(queue):
        state = queue[position]
        position += 1
        if state in order:
            continue
        order[state] = len(order)
        for token, (action, arg) in sorted(states[state].items(),
                                           key=lambda item: names[item[0]]):
            if action == 0 and arg not in order:
                queue.append(arg)
    for state in list(table["end_states"].values()) + sorted(states):
        order.setdefault(state, len(order))  # (not reached by a shift: none expected)
    new_states = {}
    for state in sorted(states, key=order.__getitem__):
        new_states[order[state]] = {
            token_index[names[token]]: (action, order[arg] if action == 0 else arg)
            for token, (action, arg) in sorted(states[state].items(),
                                               key=lambda item: token_index[names[item[0]]])}
    return {
        "tokens": {index: name for name, index in token_index.items()},
        "states": new_states,
        "start_states": {k: order[v] for k, v in sorted(table["start_states"].items())},
        "end_states": {k: order[v] for k, v in sorted(table["end_states"].items())},
    }


def tables_json() -> str:
    """The text of ``parser_tables.json`` (the same for the same grammar and
    lark: see :func:`_canonical_table`)."""
    return json.dumps(tables_data(), separators=(",", ":"), sort_keys=True) + "\n"


def write_tables(path: pathlib.Path = TABLES_PATH) -> None:
    path.write_text(tables_json(), encoding="utf-8")


def _stored_tables():
    """The decoded tables of ``parser_tables.json``, or None if the file is
    missing, unreadable or made for another grammar or lark version."""
    return _read_tables(TABLES_PATH)


@functools.lru_cache(maxsize=4)
def _read_tables(path: pathlib.Path):
    """(Read once per process: the parsers of the three start symbols share
    the decoded data, which loading does not modify.)"""
    import lark

    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != _FORMAT \
            or stored.get("lark_version") != lark.__version__ \
            or stored.get("grammar_sha256") != grammar_digest():
        return None
    return _decode(stored["data"]), _decode(stored["memo"])


def load(*, postlex=None):
    """The parser: from ``parser_tables.json`` when it fits, else built."""
    from lark import Lark

    stored = _stored_tables()
    if stored is not None:
        data, memo = stored
        try:
            return Lark._load_from_dict(data, memo, postlex=postlex)
        except Exception:  # pragma: no cover - a file that does not fit this lark
            pass
    return build_from_grammar(postlex=postlex)


if __name__ == "__main__":
    write_tables()
    print(f"wrote {TABLES_PATH}")
