"""``scratchnn predict``: a saved model's probabilities and predictions for given inputs."""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .common import fail, load_model, print_table

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Add ``predict`` and its options to the subcommands."""
    predict = commands.add_parser(
        "predict", help="predict with a saved model",
        description="Print the probability and prediction of a saved model for each input.",
    )
    predict.add_argument("model", help="a model saved by 'scratchnn train --save'")
    predict.add_argument("--input", type=float, nargs="+", action="append", required=True,
                         metavar="X", help="one sample's features (repeat for more samples)")
    predict.add_argument("--engine", choices=("numpy", "tensorflow"), default=None,
                         help="engine to load the model into (default: the one it was saved "
                              "from)")


def run(args: argparse.Namespace) -> None:
    """Print the saved model's table for the ``--input`` samples."""
    model = load_model(args.model, args.engine)
    widths = {len(sample) for sample in args.input}
    if widths != {model.n_features}:
        fail(f"--input must have {model.n_features} values per sample (the model's inputs), "
              f"got {sorted(widths)}")
    inputs = np.array(args.input)
    if not np.isfinite(inputs).all():
        fail("--input values must be finite numbers (not nan or inf)")
    print_table(model, inputs)


