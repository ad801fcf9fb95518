"""``scratchnn check solution.py``: the course's exercise checked against the formulas."""

from __future__ import annotations

import argparse
from typing import Any

from ..check import TF_TIMEOUT, TIMEOUT, check_in_subprocess, default_timeout
from ..language import current_language, say
from .common import add_language, fail, require_file

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``check`` and its options to the subcommands."""
    command = commands.add_parser(
        "check", help=say("help_check"),
        description=say("about_check"))
    command.add_argument("solution", metavar=say("metavar_solution"),
                         help=say("help_check_solution"))
    command.add_argument("--timeout", type=float, default=None, metavar=say("metavar_seconds"),
                         help=say("help_check_timeout", timeout=TIMEOUT, tf_timeout=TF_TIMEOUT))
    add_language(command)


def run(args: argparse.Namespace) -> None:
    """Check the file in a process of its own; print the report; exit 0 if all is right."""
    require_file(args.solution)
    timeout = default_timeout(args.solution) if args.timeout is None else args.timeout
    if not timeout > 0:
        fail("timeout_positive", value=timeout)
    try:
        report = check_in_subprocess(args.solution, timeout)
    except KeyboardInterrupt:  # the file's processes are already killed
        raise SystemExit(130) from None
    print(report.text(current_language()))
    raise SystemExit(0 if report.ok else 1)
