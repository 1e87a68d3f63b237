"""Build the nodes of :mod:`nodes` while the LALR parser reduces its rules.

The parser calls one callback per reduced rule with the values of the rule's
symbols (lexer tokens and the results of earlier callbacks), so nodes are
built bottom-up on the parser's own stack: no parse tree is made and nothing
here recurses, however deeply the text nests (a sum of 10^5 terms, a chain of
``**``, thousands of parentheses).

:func:`node_callbacks` makes the table of callbacks from the grammar's rules.
For each rule it keeps the symbols a node needs (anonymous tokens such as
``(`` or ``,`` are dropped, rules whose name starts with ``_`` are spliced
into their parent, as lark does for a tree), and passes them, with the
:class:`~nerve.equations.nodes.Span` of everything the rule matched, to the
builder named after the rule (or its ``-> alias``). A ``?rule`` with one kept
symbol passes it on unchanged (a parser may skip that call, see
:func:`is_pass_on`), and the most frequent rules (names, numbers, operators)
have direct callbacks that build their node from the raw values.
"""

from __future__ import annotations

from nerve.equations.nodes import (
    Assign, BinOp, BoolOp, Call, Compare, EquationLine, Name, Number, Span, UnaryOp,
)

__all__ = ["node_callbacks", "number_value", "BadDerivative", "is_pass_on"]


class BadDerivative(Exception):
    """``x/y = ...`` that is not ``dX/dt``; the parser turns it into an
    :class:`~nerve.exceptions.EquationSyntaxError` with the text and caret."""

    def __init__(self, span: Span, message: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message


def _fast_constructor(cls):
    """A function that makes a ``cls`` (a frozen dataclass with slots and no
    ``__post_init__``) from all its fields, in order, by setting the slots
    directly: what the generated ``__init__`` does, at about half the cost
    (node building is the larger part of parsing time)."""
    import dataclasses

    assert not hasattr(cls, "__post_init__")
    setters = tuple(getattr(cls, field.name).__set__ for field in dataclasses.fields(cls))
    new = object.__new__
    if len(setters) == 2:
        set_a, set_b = setters

        def make(a, b):
            obj = new(cls)
            set_a(obj, a)
            set_b(obj, b)
            return obj
    elif len(setters) == 3:
        set_a, set_b, set_c = setters

        def make(a, b, c):
            obj = new(cls)
            set_a(obj, a)
            set_b(obj, b)
            set_c(obj, c)
            return obj
    else:
        set_a, set_b, set_c, set_d = setters

        def make(a, b, c, d):
            obj = new(cls)
            set_a(obj, a)
            set_b(obj, b)
            set_c(obj, c)
            set_d(obj, d)
            return obj
    return make


_new_span = _fast_constructor(Span)
_new_name = _fast_constructor(Name)
_new_number = _fast_constructor(Number)
_new_binop = _fast_constructor(BinOp)
_new_compare = _fast_constructor(Compare)
_new_unary = _fast_constructor(UnaryOp)


class _Seq(list):
    """The kept values of a rule that is spliced into its parent (``_eq_line``,
    the repetitions ``x*``), with the span of what it matched."""

    __slots__ = ("span",)


class _Paren:
    """A parenthesized node on its way to its parent: the node keeps the span
    of its own text, the parent's span includes the parentheses."""

    __slots__ = ("node", "span")

    def __init__(self, node, span) -> None:
        self.node = node
        self.span = span


def number_value(text: str) -> tuple[float, bool]:
    """The value of a NUMBER token and whether it is written as an integer."""
    is_int = not ("." in text or "e" in text or "E" in text)
    return float(text), is_int


def _start(value):
    """(line, column) where a parsed value starts, or None."""
    span = getattr(value, "span", None)
    if span is not None:
        return span.line, span.column
    line = getattr(value, "line", None)
    if line is not None:
        return line, value.column
    return None


def _end(value):
    span = getattr(value, "span", None)
    if span is not None:
        return span.end_line, span.end_column
    end_line = getattr(value, "end_line", None)
    if end_line is not None:
        return end_line, value.end_column
    return None


def _span_of(values) -> Span | None:
    """The span from the first to the last of ``values`` (nodes, tokens...)."""
    if values:
        # the common case: both ends know where they are
        first = getattr(values[0], "span", values[0])  # a token is its own span
        last = getattr(values[-1], "span", values[-1])
        try:
            return _new_span(first.line, first.column, last.end_line, last.end_column)
        except AttributeError:
            pass
    start = end = None
    for value in values:
        start = _start(value)
        if start is not None:
            break
    for value in reversed(values):
        end = _end(value)
        if end is not None:
            break
    if start is None or end is None:
        return None
    return Span(start[0], start[1], end[0], end[1])


def _token_span(tok) -> Span:
    return Span(tok.line, tok.column, tok.end_line, tok.end_column)


# -- the builders, one per rule or alias: (span, kept values) -> node ------------

def _flags_tuple(rest) -> tuple[str, ...]:
    return tuple(rest[0]) if rest else ()


def _differential(span, kept):
    dname_token, dt_token, expr, unit, *rest = kept
    dname, dt = dname_token.value, dt_token.value
    if not (len(dname) > 1 and dname.startswith("d")) or dt != "dt":
        raise BadDerivative(
            _token_span(dname_token),
            f"'{dname}/{dt}' is not a time derivative; a differential "
            f"equation starts with 'dX/dt' (e.g. 'dv/dt = ...')")
    return EquationLine("differential", dname[1:], expr, unit, _flags_tuple(rest), span)


def _subexpression(span, kept):
    name, expr, unit, *rest = kept
    return EquationLine("subexpression", name.value, expr, unit, _flags_tuple(rest), span)


def _parameter(span, kept):
    name, unit, *rest = kept
    return EquationLine("parameter", name.value, None, unit, _flags_tuple(rest), span)


def _flags(span, kept):
    seq = _Seq(kept)
    seq.span = span
    return seq


def _word(item) -> str:
    return item if isinstance(item, str) else item.value


def _flagword(span, kept):
    # 'clock-driven': names joined by '-'
    return "-".join(_word(part) for part in kept)


def _flag(span, kept):
    return " ".join(_word(word) for word in kept)


def _signed_number(span, kept):
    op, tok = kept
    value, is_int = number_value(tok.value)
    return UnaryOp(op.value, Number(value, is_int, _token_span(tok)), span)


def _statement(span, kept):
    target, op, value = kept
    return Assign(target.value, op.value, value, span)


def _call(span, kept):
    func, *args = kept
    return Call(func.value, tuple(args[0]) if args else (), span)


def _bool_or(span, kept):
    return BoolOp("or", kept[0], kept[1], span)


def _bool_and(span, kept):
    return BoolOp("and", kept[0], kept[1], span)


def _bool_not(span, kept):
    return UnaryOp("not", kept[0], span)


def _as_tuple(span, kept):
    return tuple(kept)


def _as_list(span, kept):
    return kept


_BUILDERS = {
    "equations": _as_tuple, "statements": _as_tuple,
    "expression": lambda span, kept: kept[0],
    "differential": _differential, "subexpression": _subexpression,
    "parameter": _parameter, "flags": _flags, "flag": _flag,
    "flagword": _flagword,
    "signed_number": _signed_number, "statement": _statement,
    "call": _call, "arguments": _as_list,
    "bool_or": _bool_or, "bool_and": _bool_and, "bool_not": _bool_not,
}
# (names, numbers, operators, comparisons and their operator tokens: _DIRECT)


def _pass_on(values):
    return values[0]


def is_pass_on(callback) -> bool:
    """Whether ``callback`` returns its single value unchanged (a chain rule
    such as ``?expr: or_test``), so that a parser may skip calling it."""
    return callback is _pass_on


# -- the hottest rules, without the generic wrapper: (raw values) -> node -------

def _direct_name(values):
    tok = values[0]
    return _new_name(tok.value, _new_span(tok.line, tok.column, tok.end_line, tok.end_column))


def _direct_number(values):
    tok = values[0]
    value, is_int = number_value(tok.value)
    return _new_number(value, is_int,
                       _new_span(tok.line, tok.column, tok.end_line, tok.end_column))


def _operands(values):
    """``(left, op token, right, span)`` of a binary rule; the span covers
    both operands (a parenthesized one with its parentheses), the operands
    lose their parentheses."""
    left, op, right = values
    first, last = left.span, right.span
    span = _new_span(first.line, first.column, last.end_line, last.end_column)
    if type(left) is _Paren:
        left = left.node
    if type(right) is _Paren:
        right = right.node
    return left, op, right, span


def _direct_binop(values):
    left, op, right, span = _operands(values)
    return _new_binop(op.value, left, right, span)


def _direct_compare(values):
    left, op, right, span = _operands(values)
    return _new_compare(op.value, left, right, span)


def _direct_power(values):
    left, _, right, span = _operands(values)
    return _new_binop("**", left, right, span)


def _direct_unary(values):
    op, operand = values
    last = operand.span
    span = _new_span(op.line, op.column, last.end_line, last.end_column)
    if type(operand) is _Paren:
        operand = operand.node
    return _new_unary(op.value, operand, span)


# (builder name, plan of the rule) -> direct callback; the plan pins the shape
_DIRECT = {
    ("name", (1,)): _direct_name, ("number", (1,)): _direct_number,
    ("binop", (1, 1, 1)): _direct_binop, ("compare", (1, 1, 1)): _direct_compare,
    ("power", (1, 0, 1)): _direct_power, ("unary", (1, 1)): _direct_unary,
}
# an operator rule (``!add_op: "+" | "-"``) passes its token on
_DIRECT.update({(name, (1,)): _pass_on
                for name in ("assign_op", "comp_op", "add_op", "mul_op", "unary_op")})


def _callback(rule):
    """The callback of one grammar rule."""
    name = rule.alias or rule.origin.name
    keep_all = rule.options.keep_all_tokens
    # For each symbol: 0 drop it (an anonymous or ``_`` token), 1 keep it,
    # 2 splice its values in (a ``_rule`` or a repetition).
    plan = tuple(
        (1 if keep_all else 0) if sym.is_term and (sym.filter_out or sym.name.startswith("_"))
        else 2 if not sym.is_term and sym.name.startswith("_") else 1
        for sym in rule.expansion)
    # (An optional ``[arguments]`` left out is simply absent from the values:
    # ``_call`` takes both forms.)
    if rule.options.expand1 and not rule.alias and plan.count(1) + plan.count(2) == 1:
        if len(plan) == 1:
            return _pass_on
        index = plan.index(1) if 1 in plan else plan.index(2)

        def parenthesized(values):
            inner = values[index]
            if type(inner) is _Paren:
                inner = inner.node
            return _Paren(inner, _span_of(values))
        return parenthesized

    if name.startswith("_"):
        # A left-recursive repetition (``x*`` becomes ``r: x | r x``) extends
        # the list of its first symbol in place: it is used only once.
        grows = bool(rule.expansion) and rule.expansion[0] == rule.origin

        def splice(values):
            if grows:
                kept = values[0]
                values_rest = zip(plan[1:], values[1:])
            else:
                kept = _Seq()
                values_rest = zip(plan, values)
            for how, value in values_rest:
                if how == 1:
                    kept.append(value.node if type(value) is _Paren else value)
                elif how == 2:
                    kept.extend(value)
            kept.span = _span_of(values)
            return kept
        return splice

    direct = _DIRECT.get((name, plan))
    if direct is not None:
        return direct
    if name not in _BUILDERS:
        raise ValueError(f"no node builder for the rule {rule} (of shape {plan})")
    build = _BUILDERS[name]
    if 2 not in plan:
        def callback(values):
            kept = [value.node if type(value) is _Paren else value
                    for how, value in zip(plan, values) if how]
            return build(_span_of(values), kept)
        return callback

    def spliced_callback(values):
        kept = []
        for how, value in zip(plan, values):
            if how == 1:
                kept.append(value.node if type(value) is _Paren else value)
            elif how == 2:
                kept.extend(value)
        return build(_span_of(values), kept)
    return spliced_callback


def node_callbacks(rules) -> dict:
    """The callback of every rule of ``rules`` (lark ``Rule`` objects)."""
    return {rule: _callback(rule) for rule in rules}
