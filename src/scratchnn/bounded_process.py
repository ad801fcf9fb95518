"""Run a command in a process group of its own, bounded in time and in the output kept: how
``scratchnn check`` runs a student's file, whatever the file does.

The output (standard output and error, interleaved) is read as it comes and only its last
``keep`` bytes are kept, so a file that prints without end costs no memory.  At the time
limit, or as soon as the command itself has exited, the whole process group is killed: a
process the command started can neither outlive it nor, by holding the output open, make
the run last until the time limit.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Finished", "run_bounded"]

#: The output kept by default: its last 64 kB.
KEEP = 64 * 1024
#: How often the command is looked at while its output, or a grandchild's, stays open.
POLL = 0.05
#: The longest the output left in the pipe is read after the process group is killed
#: (only a process that left the group can still be writing then).
DRAIN = 0.5
_CHUNK = 64 * 1024


@dataclass
class Finished:
    """How the command ended: its exit code (``None`` if it was killed at the time limit;
    negative: the signal that ended it) and the last bytes of its output."""

    returncode: int | None
    output: bytes


class _Tail:
    """The last ``keep`` bytes of a pipe, read as they come."""

    def __init__(self, fd: int, keep: int) -> None:
        self.fd, self.keep, self.data, self.open = fd, keep, bytearray(), True
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def read(self, timeout: float) -> bool:
        """Read one chunk if it comes within ``timeout``; whether one came."""
        if not self.open:
            time.sleep(timeout)
            return False
        if not self.selector.select(timeout):
            return False
        chunk = os.read(self.fd, _CHUNK)
        if not chunk:
            self.open = False
            return False
        self.data += chunk
        del self.data[:-self.keep]
        return True

    def drain(self) -> None:
        """Read what is already in the pipe (for at most ``DRAIN`` seconds)."""
        deadline = time.monotonic() + DRAIN
        while self.open and time.monotonic() < deadline and self.read(0):
            pass

    def close(self) -> None:
        self.selector.close()


def run_bounded(command: Sequence[str], timeout: float, keep: int = KEEP) -> Finished:
    """Run ``command`` (no standard input) for at most ``timeout`` seconds; kill its process
    group when it ends; return its exit code and the last ``keep`` bytes of its output."""
    if not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not (isinstance(keep, int) and keep > 0):
        raise ValueError(f"keep must be a positive number of bytes, got {keep!r}")
    with subprocess.Popen(list(command), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, start_new_session=True) as process:
        assert process.stdout is not None
        with contextlib.closing(_Tail(process.stdout.fileno(), keep)) as output:
            deadline = time.monotonic() + timeout
            try:
                while (returncode := process.poll()) is None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    output.read(min(POLL, left))
            finally:  # also on Ctrl-C: in a session of its own, the group did not receive it
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            output.drain()
    return Finished(returncode, bytes(output.data))
