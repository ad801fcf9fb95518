"""``scratchnn trace``: one training step of the course's network, every formula with its
numbers."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from ..language import current_language
from ..numpy_engine import Perceptron
from ..trace import trace
from .common import GATES, add_language, fail, load_data

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``trace`` and its options to the subcommands."""
    command = commands.add_parser(
        "trace", help="show one training step, every formula with its numbers",
        description="One step of gradient descent on one sample of a logic gate, as the "
                    "course writes it: the forward pass, the loss and its derivative, then "
                    "dz, d_weights, d_biases, da_prev and the update of each layer.")
    command.add_argument("--dataset", choices=GATES, default="xor")
    command.add_argument("--sample", type=int, default=1, metavar="INDEX",
                         help="which row of the truth table (default: 1, x = (0, 1))")
    command.add_argument("--hidden", type=int, nargs="*", default=[2], metavar="N",
                         help="neurons of each hidden layer (default: 2, the course's)")
    command.add_argument("--activation", choices=("sigmoid", "tanh", "relu"),
                         default="sigmoid", help="activation of the hidden layers")
    command.add_argument("--learning-rate", type=float, default=0.1)
    command.add_argument("--seed", type=int, default=0,
                         help="seed of the initial weights (normal, biases zero)")
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
    model = Perceptron.from_sizes([X.shape[1], *args.hidden, 1], args.activation, "sigmoid",
                                  "binary_crossentropy", init="normal", random_state=args.seed)
    print("\n".join(trace(model, X[args.sample], y[args.sample], args.learning_rate,
                          current_language(),
                          args.dataset, args.sample)))
