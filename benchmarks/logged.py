"""A logging handler that keeps the messages of the warnings and errors it receives."""

from __future__ import annotations

import logging


class Logged(logging.Handler):
    """The warnings and errors logged to the loggers it is added to, as messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
