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
        "check", help="check a course solution (Layer and Perceptron, or TensorFlow's "
                      "train_step) against the formulas",
        description="Import the file without its top-level training, run its Layer and "
                    "Perceptron from the same weights as scratchnn, on random data and on the "
                    "XOR table (sigmoid, then a ReLU hidden layer), and say for each formula "
                    "(dz, d_weights, d_biases, da_prev, the update, daⁿ, the loss, the printed "
                    "line) whether it is right. A TensorFlow solution of the XOR exercise "
                    "(tf.Variable W1, b1, W2, b2 and train_step) is checked step by step "
                    "against scratchnn's TensorFlow engine. Exit code 0 when all are right, 1 "
                    "otherwise.")
    command.add_argument("solution", metavar=say("metavar_solution"),
                         help="the Python file that defines Layer and Perceptron, or "
                              "train_step")
    command.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                         help=f"the longest the solution may run (default: {TIMEOUT:g}, "
                              f"{TF_TIMEOUT:g} for a file that imports TensorFlow)")
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
