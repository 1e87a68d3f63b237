"""nerve's messages to the user (e.g. which integration method was chosen).

The ``nerve`` logger shows INFO and above on stderr, as Brian2 shows its INFO
messages, unless the application configured logging for it already. Silence
it with ``logging.getLogger("nerve").setLevel(logging.WARNING)``.
"""

from __future__ import annotations

import logging

__all__ = ["configure"]


class _Format(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname:<7} {record.getMessage()} [{record.name}]"


def configure() -> None:
    logger = logging.getLogger("nerve")
    if logger.handlers or logger.level != logging.NOTSET:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(_Format())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
