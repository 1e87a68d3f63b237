"""Parse model strings (equations, expressions, statements) into nodes.

The LALR parser of ``grammar.lark`` is loaded on first use from the tables
shipped with the package (see :mod:`nerve.equations.tables`: JSON data, no
pickle, no file in the temporary folder); lark itself is imported lazily so
that ``import nerve`` stays fast. Nodes are built by callbacks while the
parser reduces (:mod:`nerve.equations.transformer`), so no step recurses and
any depth of nesting parses.

Lines continue inside parentheses and after a trailing operator (see
:class:`Continuations`). Every syntax error leaves this module as an
:class:`~nerve.exceptions.EquationSyntaxError` that names what was expected
and what was found, and shows the line with a caret under the column (the
lark exception is kept as ``__cause__``).
"""

from __future__ import annotations

import functools

from nerve._bounded import remember
from nerve.equations.errors import syntax_error_at
from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, EquationLine, Expr, Name, Number, Span, UnaryOp,
)
from nerve.exceptions import EquationSyntaxError

__all__ = ["parse_equations", "parse_expression", "parse_statements"]

#: A line that ends with one of these goes on on the next line.
_CONTINUING = frozenset(["+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==",
                         "!=", "and", "or", "not", ","])
#: A line that starts with one of these continues the line before it (no
#: line of the model language starts with a binary operator).
_CONTINUED = frozenset(["+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==",
                        "!=", "and", "or"])


#: In equations also (as Brian2 reads them): a line end after '=' or ':', or
#: before '=', ':' or '(' (an equation line starts with a name).
_CONTINUING_EQUATIONS = _CONTINUING | {"=", ":"}
_CONTINUED_EQUATIONS = _CONTINUED | {"=", ":", "("}


class Continuations:
    """Lark post-lexer: drops the line ends that do not end a line of the
    model, i.e. those inside parentheses, after an operator that needs a
    right operand (``dv/dt = (a +`` / ``b)/tau : 1``) and before a line that
    starts with a binary operator. In equations (``equations=True``) also
    those around ``=`` and ``:`` and before the ``(`` of the flags. Comments
    on such lines go with the line end."""

    always_accept = ()

    def __init__(self, equations: bool = False) -> None:
        self.continuing = _CONTINUING_EQUATIONS if equations else _CONTINUING
        self.continued = _CONTINUED_EQUATIONS if equations else _CONTINUED

    def process(self, stream):
        continuing, continued = self.continuing, self.continued
        depth = 0
        previous = None
        pending = None  # a line end kept back until the next token is known
        for token in stream:
            kind = token.type
            if kind == "_NL":
                if depth > 0 or (previous is not None and previous.value in continuing
                                 and previous.type not in ("NAME", "NUMBER")):
                    continue
                pending = token
                continue
            if pending is not None:
                if not (token.value in continued and kind not in ("NAME", "NUMBER")):
                    yield pending
                pending = None
            if kind == "LPAR":
                depth += 1
            elif kind == "RPAR" and depth > 0:
                depth -= 1
            previous = token
            yield token
        if pending is not None:
            yield pending


def build_parser(*, strict: bool = False):
    """The LALR parser built from ``grammar.lark`` (not from the shipped
    tables), with nerve's callbacks; ``strict=True`` makes lark refuse any
    shift/reduce conflict or terminal collision."""
    from nerve.equations.tables import build_from_grammar

    return _with_callbacks(build_from_grammar(strict=strict, postlex=Continuations(True)))


def _with_callbacks(parser):
    from nerve.equations.transformer import node_callbacks

    lalr = parser.parser.parser  # frontend -> LALR_Parser -> the table-driven _Parser
    # Keyed by the very rule objects of the parse table: a lookup by identity
    # is much faster than one that compares equal rules.
    rules = {arg for actions in lalr._parse_table.states.values()
             for _action, arg in actions.values() if not isinstance(arg, int)}
    callbacks = node_callbacks(rules)
    lalr.parser.callbacks = callbacks
    parser.parser.parser_conf.callbacks = callbacks
    return parser


@functools.lru_cache(maxsize=None)
def _lark(start: str = "expression"):
    """The parser for ``start`` (equation blocks continue lines in more places
    than statements and expressions; the tables are the same)."""
    from nerve.equations.tables import load

    return _with_callbacks(load(postlex=Continuations(start == "equations")))


@functools.lru_cache(maxsize=None)
def _fast(start: str):
    """The fast driver for ``start``; it reads lark's internal tables, so with
    a lark whose internals differ it is left out (lark's parser does all)."""
    from nerve.equations.fastparse import FastParser

    try:
        return FastParser(_lark(start), Continuations(start == "equations"))
    except Exception:  # pragma: no cover - another lark version
        return _NoFastPath()


class _NoFastPath:
    def parse(self, text: str, start: str):
        return None


def parse_equations(text: str, *, where: str = "the equations") -> tuple[EquationLine, ...]:
    """Parse an equation block: one differential equation, subexpression or
    parameter per line, with ``#`` comments and blank lines."""
    return _parse(text, "equations", where)


def parse_expression(text: str, *, where: str = "the expression") -> Expr:
    """Parse one expression (a threshold condition, a value to assign...)."""
    return _parse(text, "expression", where)


def parse_statements(text: str, *, where: str = "the statements") -> tuple[Assign, ...]:
    """Parse statements (``v = 0``, ``vt += delta_vt0``), one per line or
    separated by ``;``."""
    return _parse(text, "statements", where)


#: Texts parsed lately and their nodes, by (start symbol, text). Nodes are
#: immutable (frozen dataclasses and tuples), so K groups made from one model
#: string share one parse. Only successful parses are kept (errors are raised
#: again, with the caller's ``where``); at most ``_PARSED_LIMIT`` entries.
_parsed: dict = {}
_PARSED_LIMIT = 512
_IMMUTABLE = (tuple, Number, Name, UnaryOp, BinOp, Compare, BoolOp, Call)


def _parse(text: str, start: str, where: str):
    if not isinstance(text, str):
        raise TypeError(f"{where} must be given as a string, not {type(text).__name__}")
    key = (start, text)
    nodes = _parsed.get(key)
    if nodes is None:
        nodes = _parse_now(text, start, where)
        if not isinstance(nodes, _IMMUTABLE):  # (never share a mutable result)
            return nodes
        remember(_parsed, key, nodes, _PARSED_LIMIT)
    return nodes


def _parse_now(text: str, start: str, where: str):
    from lark.exceptions import UnexpectedInput

    from nerve.equations.transformer import BadDerivative

    try:
        nodes = _fast(start).parse(text, start)
        if nodes is not None:
            return nodes
        # a syntax error: lark's parser finds it again and describes it
        return _lark(start).parse(text, start=start)
    except UnexpectedInput as exc:
        raise _syntax_error(text, start, where, exc) from exc
    except BadDerivative as exc:
        raise syntax_error_at(text, where, exc.span, exc.message) from None


# -- error messages ---------------------------------------------------------------

# Labels for the common mistakes, matched against small malformed examples in
# the manner of lark's ``match_examples``: an error gets the label of the
# first example that fails in the same LALR state on the same kind of token,
# else of the first example that fails in the same state. (``match_examples``
# itself also compares the depth of the parser stack, so an example written
# on one line would not match the same mistake on the third line of a block.)
_MISSING_UNIT = ("the equation has no unit: end it with ': ' and the unit of the "
                 "variable, e.g. ': volt', or ': 1' if it is dimensionless")
_EMPTY_RHS = "nothing after '=': the right-hand side of the equation is missing"
_UNCLOSED = "a '(' is never closed: a ')' is missing"
_EXTRA_CLOSE = "a ')' closes a '(' that was never opened"
_INCOMPLETE = "the expression is incomplete: an operand is missing after the operator"
_FLAGS = ("unexpected text after the unit: flags go in parentheses, e.g. "
          "'(unless refractory)', and each equation goes on its own line")
_NO_UNIT_AFTER_COLON = "a unit is missing after ':' (write '1' for a dimensionless variable)"
_PARAMETER = ("an equation line is 'dx/dt = expr : unit', 'x = expr : unit' or "
              "'x : unit'")
_ASSIGN_IN_CONDITION = "'=' assigns a value; to compare for equality use '=='"
_COMPARE_IN_STATEMENT = ("'==' compares; a statement assigns with '=' "
                         "(or '+=', '-=', '*=', '/=')")
_CHAINED = "comparisons cannot be chained: write 'a < x and x < b' instead of 'a < x < b'"
_MISSING_OPERATOR = "two operands follow each other: an operator (e.g. '*') is missing"
_SEMICOLON = {
    "equations": "';' does not separate equations: write each equation on its own line",
    "expression": "';' is not part of an expression (it separates statements, e.g. in a reset)",
}
_STATEMENT_FORM = "a statement is 'variable = expression' (or '+=', '-=', '*=', '/=')"

_EXAMPLES = {
    "equations": [
        (_EXTRA_CLOSE, ["dv/dt = 1-v)/tau : 1", "x = a) : 1", "dv/dt = (a)) : 1"]),
        (_MISSING_UNIT, ["dv/dt = x\n", "dv/dt = x", "x = a*b\n", "x = a", "x = (a)",
                         "dv/dt = f(x)\n"]),
        (_EMPTY_RHS, ["dv/dt =\n", "dv/dt =", "dv/dt = : 1", "x = : 1", "x =\n", "x ="]),
        (_UNCLOSED, ["v : 1 (constant", "v : 1 (constant\n", "v : 1 (a, b",
                     "dv/dt = (1-v/tau : 1", "x = (a : 1", "dv/dt = f(a : 1",
                     "dv/dt = (a\n", "dv/dt = f(a, b : 1", "dv/dt = ((a) : 1"]),
        (_INCOMPLETE, ["dv/dt = 1 - : 1", "dv/dt = a * : 1", "dv/dt = a +\n",
                       "dv/dt = a ** : 1", "dv/dt = a > : 1", "dv/dt = - : 1",
                       "x = a and : 1", "x = not : 1"]),
        (_NO_UNIT_AFTER_COLON, ["dv/dt = a :\n", "dv/dt = a :", "v :", "x = a : (",
                                "v : volt /", "v : volt/\n"]),
        (_FLAGS, ["v : volt constant", "dv/dt = a : 1 unless refractory",
                  "v : 1 w : 1", "dv/dt = a : volt  x", "v : 1 (constant) x"]),
        (_MISSING_OPERATOR, ["dv/dt = a b : 1", "dv/dt = 2 a : 1", "x = (a) b : 1",
                             "dv/dt = 2 (a) : 1"]),
        (_PARAMETER, ["v\n", "v", "v volt", "3 : 1", "v = a = b : 1"]),
    ],
    "expression": [
        ("the expression is empty", ["", "\n", "# comment"]),
        (_ASSIGN_IN_CONDITION, ["v = 1", "(v = 1)", "a and v = 1", "v=-1"]),
        (_CHAINED, ["0 < v < 1", "a <= b <= c", "a == b == c", "a > b > c"]),
        (_EXTRA_CLOSE, ["v > 1)", "a)"]),
        (_UNCLOSED, ["(v > 1", "f(a", "(a", "f(a, b", "((a)"]),
        (_INCOMPLETE, ["v >", "a +", "a *", "a **", "-", "a and", "not", "a or"]),
        (_MISSING_OPERATOR, ["a b", "2 a", "(a) b", "2 (a)"]),
    ],
    "statements": [
        (_COMPARE_IN_STATEMENT, ["v == 0", "v == 0\n", "v > 0"]),
        (_EXTRA_CLOSE, ["v = a)", "v = 1)\n"]),
        (_UNCLOSED, ["v = (a", "v = f(a", "v = (a\n"]),
        (_INCOMPLETE, ["v = a +", "v = a *\n", "v = -", "v = a and"]),
        (_EMPTY_RHS.replace("equation", "statement"), ["v =", "v =\n", "v +=", "v = \nw = 1"]),
        (_MISSING_OPERATOR, ["v = a b", "v = 2 a"]),
        (_STATEMENT_FORM, ["v", "v\n", "v 0", "3 = v", "v = a = b"]),
    ],
}

_CHARACTER_HINTS = {
    "^": "'^' is not an operator here: write powers with '**'",
    "&": "use 'and' instead of '&'",
    "|": "use 'or' instead of '|'",
    "!": "use 'not' instead of '!'",
    "\\": ("'\\' does not continue a line here: break a long expression inside "
           "parentheses or after an operator instead"),
    "[": "indexing with '[...]' is not part of the model language",
    "{": "braces are not part of the model language",
    "'": "quotes are not part of the model language",
    '"': "quotes are not part of the model language",
}

@functools.lru_cache(maxsize=None)
def _label_table(start: str) -> dict:
    from lark.exceptions import UnexpectedInput

    table: dict = {}
    for label, examples in _EXAMPLES[start]:
        for example in examples:
            try:
                _lark(start).parse(example, start=start)
            except UnexpectedInput as exc:
                state = getattr(exc, "state", None)
                position = getattr(state, "position", None)
                if position is None:
                    continue
                token = getattr(exc, "token", None)
                table.setdefault((position, getattr(token, "type", None)), label)
                table.setdefault((position, None), label)
            else:  # pragma: no cover - guarded by a test
                raise AssertionError(f"error example {example!r} parses")
    return table


def _label_for(start: str, exc) -> str | None:
    position = getattr(getattr(exc, "state", None), "position", None)
    if position is None:
        return None
    table = _label_table(start)
    token_type = getattr(getattr(exc, "token", None), "type", None)
    return table.get((position, token_type)) or table.get((position, None))


_TERMINAL_WORDS = {"NAME": "a name", "NUMBER": "a number", "_NL": "the end of the line",
                   "$END": "the end of the text"}


def _describe_terminal(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        return repr(_lark().get_terminal(name).pattern.value)
    except KeyError:  # pragma: no cover - every terminal is in the grammar
        return name


def _expected_list(names) -> str:
    words = sorted({_describe_terminal(n) for n in names if n != "WS_INLINE"})
    if not words:
        return "nothing more"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _found(token) -> str:
    if token.type in ("_NL", "$END"):
        return _TERMINAL_WORDS[token.type]
    return repr(str(token))


def _end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character of ``text``."""
    stripped = text.rstrip()
    if not stripped:
        return 1, 1
    line = stripped.count("\n") + 1
    last = stripped.rsplit("\n", 1)[-1]
    return line, len(last) + 1


def _open_parenthesis(text: str, line: int, column: int) -> tuple[int, int] | None:
    """The line and column of the innermost '(' still open at (line, column)
    if it was opened on an earlier line (comments are skipped)."""
    opened: list[tuple[int, int]] = []
    for number, content in enumerate(text.split("\n")[:line], start=1):
        content = content.split("#", 1)[0]
        if number == line:
            content = content[:column - 1]
        for index, char in enumerate(content, start=1):
            if char == "(":
                opened.append((number, index))
            elif char == ")" and opened:
                opened.pop()
    if opened and opened[-1][0] < line:
        return opened[-1]
    return None


def _syntax_error(text: str, start: str, where: str, exc) -> EquationSyntaxError:
    from lark.exceptions import UnexpectedCharacters

    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        message = _CHARACTER_HINTS.get(char, f"the character {char!r} is not allowed here")
        line, column = exc.line, exc.column
    else:
        token = getattr(exc, "token", None)
        if token is None or token.type == "$END" or token.line is None:
            line, column = _end_position(text)
        else:
            line, column = token.line, token.column
        label = _label_for(start, exc)
        if token is not None and token.type == "_SEMI" and start in _SEMICOLON:
            label = _SEMICOLON[start]
        expected = getattr(exc, "accepts", None) or getattr(exc, "expected", None) or ()
        found = f"found {_found(token)}" if token is not None else "unexpected input"
        if label:
            message = f"{label} ({found})"
        else:
            message = f"{found}, expected {_expected_list(expected)}"
        opened = _open_parenthesis(text, line, column)
        if opened is not None and label != _UNCLOSED:
            message += (f"; the '(' at line {opened[0]}, column {opened[1]} is still open, "
                        f"so the lines after it are read as one: is a ')' missing?")
    return syntax_error_at(text, where, Span(line, column, line, column + 1), message)

