"""``scratchnn plot``: draw a saved model's loss curve and decision boundary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..base import BaseModel
from .common import check_outputs, fail, load_data, load_model

__all__ = ["add_parser", "draw", "run"]


def add_parser(commands: Any) -> None:
    """Add ``plot`` and its options to the subcommands."""
    plot = commands.add_parser(
        "plot", help="draw a saved model's loss curve and decision boundary",
        description="Draw a saved model's loss curve and, for 2-D data, its decision boundary "
                    "over the training points of a data set.",
    )
    plot.add_argument("model", help="a model saved by 'scratchnn train --save'")
    plot.add_argument("--dataset", choices=list(datasets.DATASETS), default="xor")
    plot.add_argument("--seed", type=int, default=0, help="seed of the data set (default: 0)")
    plot.add_argument("-o", "--output", required=True, metavar="PNG")


def draw(model: BaseModel, X: np.ndarray, y: np.ndarray, path: str) -> None:
    try:
        from ..plot import plot_training
    except ImportError as missing:
        fail(str(missing))
    try:
        plot_training(model, X, y, path)
    except OSError as error:
        fail(f"could not write {path}: {error.strerror or error}")
    print(f"figure saved to {path}")


def run(args: argparse.Namespace) -> None:
    """Draw the saved model as the options say."""
    if not Path(args.output).suffix:
        fail(f"-o needs a file name with an extension such as .png, got {args.output!r}")
    check_outputs({"the model": args.model}, {"-o": args.output})
    model = load_model(args.model)
    (X, y), _ = load_data(args.dataset, args.seed)
    if X.shape[1] != model.n_features:
        fail(f"the model takes {model.n_features} inputs but --dataset {args.dataset} has "
              f"{X.shape[1]} features")
    draw(model, X, y, args.output)


