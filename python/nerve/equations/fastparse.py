"""A lean driver for the LALR tables of ``grammar.lark``: the fast path of
the parser.

Lark's own loop spends most of its time on bookkeeping this language does
not need (a line counter per character, rich tokens, a parser state object).
:class:`FastParser` uses lark's compiled terminal regexes and parse table
unchanged, with the same post-lexer and the same node callbacks, in a
tighter loop (one regex scan for all tokens, chain rules such as
``?expr: or_test`` collapsed into one cached step): two to three times
faster than lark's loop with the same callbacks. It handles valid input
only: at the first character no terminal matches, or the first token the
table has no action for, :meth:`FastParser.parse` returns ``None`` and the
caller parses the text again with lark, whose exceptions carry everything
the error messages need. (A test checks that both give the same nodes.)
"""

from __future__ import annotations

import collections
import re

__all__ = ["FastParser"]


#: A token: terminal name, text, and position (1-based line and column of its
#: first character, and of the character after it), under the attribute
#: names of lark's tokens that the post-lexer and the node callbacks read.
_Token = collections.namedtuple("_Token", "type value line column end_line end_column")


class FastParser:
    """Built from a lark parser whose callbacks are nerve's (see
    ``parser._with_callbacks``) and the post-lexer to use with it."""

    def __init__(self, lark_parser, postlex) -> None:
        from lark.lexer import UnlessCallback
        from lark.parsers.lalr_analysis import Shift

        from nerve.equations.transformer import is_pass_on

        frontend = lark_parser.parser
        lexer = getattr(frontend.lexer, "lexer", frontend.lexer)  # behind a post-lexer
        scanner = lexer.scanner
        if len(scanner._mres) != 1:  # pragma: no cover - a grammar of >100 terminals
            raise ValueError("the terminals do not fit in one regular expression")
        alternation = scanner._mres[0]  # all terminals, in lark's order of preference
        self._ignore = frozenset(lexer.ignore_types)
        # Ignored text (spaces) before a token is consumed with it, in C.
        ignored = "|".join(t.pattern.to_regexp() for t in lexer.terminals
                           if t.name in self._ignore)
        prefix = f"(?:{ignored})*" if ignored else ""
        self._regex = re.compile(f"{prefix}(?:{alternation.pattern})", alternation.flags)
        self._multiline = frozenset(lexer.newline_types)
        # a string terminal that the NAME regex also matches ('and', 'or', 'not')
        self._keywords: dict[str, str] = {}
        for type_, callback in lexer.callback.items():
            if type_ != "NAME" or not isinstance(callback, UnlessCallback):  # pragma: no cover
                raise ValueError(f"unexpected lexer callback for {type_}")
            for terminal in callback.scanner.terminals:
                self._keywords[terminal.pattern.value] = terminal.name

        lalr = frontend.parser.parser
        table = lalr.parse_table
        callbacks = lalr.callbacks
        # state -> symbol -> the next state (a shift, or the goto of a rule), or
        # ~index (< 0) of the rule to reduce by in self._rules
        self._rules = []
        rule_index: dict = {}
        self._actions = {}
        for state, actions in table.states.items():
            row = {}
            for symbol, (action, arg) in actions.items():
                if action is Shift:
                    row[symbol] = arg
                else:
                    if arg not in rule_index:
                        rule_index[arg] = len(self._rules)
                        callback = callbacks[arg]
                        # a chain rule keeps its value: only the state changes
                        self._rules.append((len(arg.expansion), arg.origin.name,
                                            None if is_pass_on(callback) else callback))
                    row[symbol] = ~rule_index[arg]
            self._actions[state] = row
        self._start_states = table.start_states
        self._end_states = table.end_states
        self._postlex = postlex
        self._chains: dict = {}

    def _tokens(self, text: str):
        ignore, multiline, keywords = self._ignore, self._multiline, self._keywords
        position = 0
        line, line_start = 1, 0
        for match in self._regex.finditer(text):
            if match.start() != position:
                raise _NoMatch  # a character no terminal matches
            type_ = match.lastgroup
            begin, position = match.span(type_)  # (the token ends the match)
            value = text[begin:position]
            if type_ not in ignore:
                column = begin - line_start + 1
                if type_ in multiline and "\n" in value:
                    newlines = value.count("\n")
                    last = value.rindex("\n")
                    yield _Token(type_, value, line, column, line + newlines, len(value) - last)
                    line += newlines
                    line_start = begin + last + 1
                else:
                    if type_ == "NAME":
                        type_ = keywords.get(value, type_)
                    yield _Token(type_, value, line, column, line, column + len(value))
            elif type_ in multiline and "\n" in value:  # pragma: no cover - not in this grammar
                line += value.count("\n")
                line_start = begin + value.rindex("\n") + 1
        if position != len(text):
            raise _NoMatch

    def _chain(self, below: int, top: int, kind: str, end_state: int) -> int:
        """The state after every chain-rule reduction (``?expr: or_test``...)
        that ``kind`` causes from ``top`` over ``below``: those reductions
        keep the value and the state below, so their end is cached."""
        key = (below, top, kind)
        final = self._chains.get(key)
        if final is None:
            actions, rules = self._actions, self._rules
            final = top
            while final != end_state:
                step = actions[final].get(kind)
                if step is None or step >= 0 or rules[~step][2] is not None:
                    break
                final = actions[below][rules[~step][1]]
            self._chains[key] = final
        return final

    def parse(self, text: str, start: str):
        """The nodes for ``text`` from the start symbol ``start``, or ``None``
        if ``text`` has a syntax error (reparse it with lark for the error)."""
        actions, rules, chain, chains = self._actions, self._rules, self._chain, self._chains
        states = [self._start_states[start]]
        values: list = []
        end_state = self._end_states[start]
        push_state, push_value = states.append, values.append
        try:
            for token in self._postlex.process(self._tokens(text)):
                kind = token.type
                while True:
                    step = actions[states[-1]].get(kind)
                    if step is None:
                        return None
                    if step >= 0:
                        push_state(step)
                        push_value(token)
                        break
                    size, origin, callback = rules[~step]
                    if callback is None:
                        top = chains.get((states[-2], states[-1], kind))
                        if top is None:
                            top = chain(states[-2], states[-1], kind, end_state)
                        states[-1] = top
                        continue
                    if size:
                        children = values[-size:]
                        del values[-size:]
                        del states[-size:]
                    else:
                        children = []
                    push_value(callback(children))
                    push_state(actions[states[-1]][origin])
        except _NoMatch:
            return None
        while states[-1] != end_state:
            step = actions[states[-1]].get("$END")
            if step is None or step >= 0:
                return None
            size, origin, callback = rules[~step]
            if callback is None:
                states[-1] = chain(states[-2], states[-1], "$END", end_state)
                continue
            if size:
                children = values[-size:]
                del values[-size:]
                del states[-size:]
            else:
                children = []
            values.append(callback(children))
            states.append(actions[states[-1]][origin])
        return values[-1]


class _NoMatch(Exception):
    """No terminal matches at the current position."""
