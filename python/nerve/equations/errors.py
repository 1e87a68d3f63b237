"""Error messages that point at the text: source excerpts with carets.

Used by the parser (syntax errors), by the dimension checker, by
:class:`~nerve.equations.equations.Equations` and by the name resolvers of
the groups (:func:`unknown_name_error`).
"""

from __future__ import annotations

from nerve.equations.nodes import Span
from nerve.exceptions import EquationSyntaxError, UnknownNameError

__all__ = ["source_line", "caret_excerpt", "syntax_error_at", "unknown_name_error",
           "describe_position"]


def source_line(source: str, line: int) -> str:
    """Line ``line`` (1-based) of ``source``, without its line end ('' if absent)."""
    lines = source.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return ""


def caret_excerpt(text: str, column: int, end_column: int | None = None) -> str:
    """``text`` (one line, indentation removed) over a caret at ``column``
    (1-based), or a row of carets up to ``end_column`` (exclusive)."""
    stripped = text.strip()
    shift = len(text) - len(text.lstrip())
    start = max(column - 1 - shift, 0)
    width = 1
    if end_column is not None and end_column - column > 1:
        width = end_column - column
    if len(stripped) > _WIDEST:
        # a long line: show the part around the column, marked with '...'
        left = max(start - _WIDEST // 2, 0)
        right = min(left + _WIDEST, len(stripped))
        shown = ("..." if left else "") + stripped[left:right] + \
            ("..." if right < len(stripped) else "")
        start = start - left + (3 if left else 0)
        width = max(min(width, right - (start - (3 if left else 0)) - left), 1)
        stripped = shown
    return f"    {stripped}\n    {' ' * start}{'^' * width}"


#: The longest excerpt of a line shown in a message.
_WIDEST = 120


def describe_position(span: Span | None) -> str:
    """``'line L, column C'`` for a span (empty for ``None``)."""
    if span is None:
        return ""
    return f"line {span.line}, column {span.column}"


def excerpt_for(source: str | None, span: Span | None, *, underline: bool = True) -> str:
    """A caret excerpt of ``source`` at ``span``; '' when either is unknown.

    ``source`` is either the whole text the span is relative to, or (when it
    has a single line) that very line.
    """
    if source is None or span is None:
        return ""
    text = source if "\n" not in source else source_line(source, span.line)
    end = span.end_column if underline and span.end_line == span.line else None
    return caret_excerpt(text, span.column, end)


def syntax_error_at(source: str, where: str, span: Span, message: str) -> EquationSyntaxError:
    """An :class:`EquationSyntaxError` for ``message`` at the start of ``span``."""
    line_text = source_line(source, span.line)
    full = (f"Syntax error in {where}, line {span.line}, column {span.column}: {message}\n"
            f"{caret_excerpt(line_text, span.column)}")
    error = EquationSyntaxError(full, lineno=span.line, offset=span.column, text=line_text)
    error.filename = "<model string>"  # what a traceback shows instead of "<string>"
    return error


def unknown_name_error(name: str, span: Span | None, source: str | None = None,
                       where: str = "the model") -> UnknownNameError:
    """The error a resolver raises for an identifier that names nothing.

    ``where`` says what was being read (``"the threshold condition"``,
    ``"the equations"``); ``source`` is the text ``span`` refers to (the whole
    string, or just the line) and adds the line with a caret under the name.
    """
    position = f", {describe_position(span)}" if span is not None else ""
    message = (f"unknown identifier '{name}' in {where}{position}: it is neither a "
               f"variable of the group, nor a unit, nor a name defined where run() "
               f"was called (or in the namespace= given)")
    excerpt = excerpt_for(source, span)
    if excerpt:
        message += "\n" + excerpt
    return UnknownNameError(message, name)
