"""``scratchnn trace``: one training step of the course's network, every formula with its
numbers."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..language import current_language, say
from ..numpy_engine import Perceptron
from ..trace import trace
from .common import GATES, add_language, fail, load_data, require_memory

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``trace`` and its options to the subcommands."""
    command = commands.add_parser(
        "trace", help=say("help_trace"),
        description=say("about_trace"))
    command.add_argument("--dataset", choices=GATES, default="xor")
    command.add_argument("--sample", type=int, default=1, metavar=say("metavar_index"),
                         help=say("help_trace_sample"))
    command.add_argument("--hidden", type=int, nargs="*", default=[2], metavar="N",
                         help=say("help_trace_hidden"))
    command.add_argument("--activation", choices=("sigmoid", "tanh", "relu"),
                         default="sigmoid", help=say("help_activation"))
    command.add_argument("--learning-rate", type=float, default=0.1,
                         metavar=say("metavar_rate"))
    command.add_argument("--seed", type=int, default=0, metavar=say("metavar_seed"),
                         help=say("help_trace_seed"))
    add_language(command)


def run(args: argparse.Namespace) -> None:
    """Print the step the options describe."""
    (X, y), _ = load_data(args.dataset, args.seed)
    if not 0 <= args.sample < len(X):
        fail("between", option="--sample", low=0, high=len(X) - 1, value=args.sample)
    if any(n < 1 for n in args.hidden) or not (np.isfinite(args.learning_rate)
                                                and args.learning_rate > 0):
        fail("trace_sizes")
    if args.seed < 0:
        fail("non_negative_int", option="--seed", value=args.seed)
    require_memory([X.shape[1], *args.hidden, 1], 1)
    model = Perceptron.from_sizes([X.shape[1], *args.hidden, 1], args.activation, "sigmoid",
                                  "binary_crossentropy", init="normal", random_state=args.seed)
    print("\n".join(trace(model, X[args.sample], y[args.sample], args.learning_rate,
                          current_language(),
                          args.dataset, args.sample)))
