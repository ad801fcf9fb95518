"""``scratchnn plot``: draw a saved model's loss curve and decision boundary."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..base import BaseModel
from ..language import say
from .common import add_language, check_outputs, fail, load_data, load_model, os_reason

__all__ = ["add_parser", "draw", "run"]


def add_parser(commands: Any) -> None:
    """Add ``plot`` and its options to the subcommands."""
    plot = commands.add_parser(
        "plot", help=say("help_plot"),
        description=say("about_plot"),
    )
    plot.add_argument("model", metavar=say("metavar_model"),
                      help=say("help_model"))
    plot.add_argument("--dataset", choices=list(datasets.DATASETS), default="xor")
    plot.add_argument("--seed", type=int, default=0, metavar=say("metavar_seed"),
                      help=say("help_plot_seed"))
    plot.add_argument("-o", "--output", required=True, metavar="PNG")
    add_language(plot)


def draw(model: BaseModel, X: np.ndarray, y: np.ndarray, path: str) -> None:
    try:
        from ..plot import plot_training
    except ImportError:
        fail("no_matplotlib")
    try:
        plot_training(model, X, y, path)
    except OSError as error:
        fail("could_not_write", path=path, reason=os_reason(error))
    print(say("figure_saved", path=path))


def run(args: argparse.Namespace) -> None:
    """Draw the saved model as the options say."""
    if not Path(args.output).suffix:
        fail("extension", option="-o", value=args.output)
    check_outputs({say("the_model"): args.model}, {"-o": args.output})
    model = load_model(args.model)
    (X, y), _ = load_data(args.dataset, args.seed)
    if X.shape[1] != model.n_features:
        fail("plot_features", inputs=model.n_features, dataset=args.dataset,
             features=X.shape[1])
    draw(model, X, y, args.output)


