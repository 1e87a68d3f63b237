"""nerve's messages to the user (e.g. which integration method was chosen).

nerve logs as a library should: its loggers sit below the ``nerve`` logger,
which has only a :class:`logging.NullHandler` and propagates, so the
application's logging configuration (``logging.basicConfig(...)``, a
framework's handlers, pytest's ``caplog``) decides what is shown and where.

To see nerve's messages on the console without configuring logging, call
:func:`log_to_console` (``nerve.log_to_console()`` shows INFO and above, as
Brian2 does by default). Brian2's ``BrianLogger.log_level_info()`` and its
siblings do the same at their level.
"""

from __future__ import annotations

import logging

__all__ = ["configure", "log_to_console"]

_ROOT = "nerve"


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname:<7} {record.getMessage()} [{record.name}]"


class _ConsoleHandler(logging.StreamHandler):
    """nerve's own console handler (a class of its own, so it is found again)."""


def configure() -> None:
    """Give the ``nerve`` logger a ``NullHandler`` (once) and leave it propagating."""
    logger = logging.getLogger(_ROOT)
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = True


def console_handler() -> logging.Handler | None:
    """The handler :func:`log_to_console` installed, or None."""
    for handler in logging.getLogger(_ROOT).handlers:
        if isinstance(handler, _ConsoleHandler):
            return handler
    return None


def log_to_console(level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """Show nerve's messages of ``level`` and above on ``stream`` (stderr by default).

    Sets the level of the ``nerve`` logger and adds a handler that prints
    ``LEVEL   message [logger name]``; calling it again only changes the
    level (and the stream, if given). Messages still propagate to the
    application's handlers, so an application that configured logging too
    sees them in both places. Returns the handler (remove it with
    ``logging.getLogger("nerve").removeHandler(handler)``).

    Parameters
    ----------
    level : int or str
        A :mod:`logging` level (``logging.DEBUG``, ``"WARNING"``...).
    stream : file-like, optional
        Where to print; ``sys.stderr`` if omitted.
    """
    if isinstance(level, str):
        named = logging.getLevelName(level.upper())
        if not isinstance(named, int):
            from nerve.exceptions import InvalidArgumentError

            raise InvalidArgumentError(f"log_to_console: unknown logging level {level!r} "
                             "(use DEBUG, INFO, WARNING, ERROR or CRITICAL)")
        level = named
    logger = logging.getLogger(_ROOT)
    handler = console_handler()
    if handler is None:
        handler = _ConsoleHandler(stream)
        handler.setFormatter(_Format())
        from nerve.brianlogger import _FILTERS  # suppressions made before the handler

        for log_filter in _FILTERS:
            handler.addFilter(log_filter)
        logger.addHandler(handler)
    elif stream is not None:
        handler.setStream(stream)
    logger.setLevel(level)
    return handler
