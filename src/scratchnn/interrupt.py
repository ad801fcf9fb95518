"""Ctrl-C during training stops it cleanly, between two updates, never inside one."""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any

__all__ = ["InterruptGuard"]


class InterruptGuard:
    """Defer SIGINT while training: the handler only records it, ``check`` raises it.

    The engines call ``check()`` after each complete update, so a ``KeyboardInterrupt``
    never leaves a half-updated model.  Outside the main thread (where Python delivers no
    signals) it does nothing.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        """Raise the deferred ``KeyboardInterrupt``, if Ctrl-C was pressed."""
        if self.requested:
            raise KeyboardInterrupt
