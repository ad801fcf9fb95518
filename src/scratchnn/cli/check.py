"""``scratchnn check solution.py``: the course's exercise checked against the formulas."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..check import check_in_subprocess
from ..language import LANGUAGES
from .common import fail

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``check`` and its options to the subcommands."""
    command = commands.add_parser(
        "check", help="check a course solution's Layer and Perceptron against the formulas",
        description="Run the file's Layer and Perceptron from the same weights as scratchnn, "
                    "on random data and on the XOR table, and say for each formula (dz, "
                    "d_weights, d_biases, da_prev, the update, the loss, daⁿ, the printed "
                    "line) whether it is right. Exit code 0 when all are, 1 otherwise.")
    command.add_argument("solution", help="the Python file that defines Layer and Perceptron")
    command.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                         help="the longest the solution may run (default: 30)")
    command.add_argument("--lang", choices=LANGUAGES, default="en",
                         help="the language of the report (the formulas are the same)")


def run(args: argparse.Namespace) -> None:
    """Check the file in a process of its own; print the report; exit 0 if all is right."""
    if not Path(args.solution).is_file():
        fail(f"no file {args.solution}")
    if not args.timeout > 0:
        fail(f"--timeout must be a positive number of seconds, got {args.timeout}")
    try:
        report = check_in_subprocess(args.solution, args.timeout)
    except KeyboardInterrupt:  # the file's processes are already killed
        raise SystemExit(130) from None
    print(report.text(args.lang))
    raise SystemExit(0 if report.ok else 1)
