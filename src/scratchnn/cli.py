"""The command line: ``scratchnn train`` trains a network and shows what it learned."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

import numpy as np

from . import datasets
from .base import BaseModel
from .initializers import INITIALIZERS
from .layers import Layer
from .models import Perceptron

__all__ = ["main"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, with exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scratchnn", description="Neural networks from scratch.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    train = commands.add_parser(
        "train",
        help="train a network and print what it learned",
        description="Train a network (by default the spec's 2-2-1 sigmoid XOR network).",
    )
    train.add_argument("--engine", choices=("numpy", "tensorflow"), default="numpy")
    train.add_argument("--hidden", type=int, nargs="+", default=[2], metavar="N",
                       help="neurons of each hidden layer (default: 2)")
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS, default="sigmoid",
                       help="activation of the hidden layers (default: sigmoid)")
    train.add_argument("--init", choices=sorted(INITIALIZERS), default="normal",
                       help="weight initialiser (default: normal, as the spec)")
    train.add_argument("--epochs", type=int, default=3000)
    train.add_argument("--learning-rate", type=float, default=2.0)
    train.add_argument("--batch-size", type=int, default=None,
                       help="samples per update (default: the whole set)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument("--log-every", type=int, default=None, metavar="N",
                       help="print the loss every N epochs (default: a tenth of the epochs)")
    train.add_argument("--json", action="store_true",
                       help="print, last, one JSON object with the results")
    return parser


def _fail(message: str) -> NoReturn:
    print(f"scratchnn: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _build_model(args: argparse.Namespace, n_features: int, n_outputs: int) -> BaseModel:
    rng = np.random.default_rng(args.seed)
    sizes = [n_features, *args.hidden]
    layers = [Layer(n_in, n_out, args.activation, init=args.init, random_state=rng)
              for n_in, n_out in itertools.pairwise(sizes)]
    layers.append(Layer(sizes[-1], n_outputs, "sigmoid", init=args.init, random_state=rng))
    model = Perceptron(layers, loss="binary_crossentropy")
    if args.engine == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # silence start-up notes
        try:
            from .tf_engine import TFPerceptron
        except ImportError:
            _fail("the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'")
        return TFPerceptron.from_perceptron(model)
    return model


def _print_table(model: BaseModel, X: np.ndarray, y: np.ndarray) -> None:
    probabilities = model.predict_proba(X)[:, 0]
    predictions = model.predict(X)
    print(f"{'inputs':<14}{'target':>7}{'probability':>13}{'prediction':>12}")
    for inputs, target, probability, prediction in zip(
        X, y.reshape(-1), probabilities, predictions, strict=True
    ):
        shown = " ".join(f"{value:g}" for value in inputs)
        print(f"{shown:<14}{target:>7g}{probability:>13.4f}{prediction:>12d}")


def _train(args: argparse.Namespace) -> None:
    for name in ("epochs", "log_every", "batch_size"):
        value = getattr(args, name)
        if value is not None and value < 1:
            _fail(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if any(n < 1 for n in args.hidden):
        _fail(f"--hidden sizes must be positive integers, got {args.hidden}")
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        _fail(f"--learning-rate must be a positive finite number, got {args.learning_rate}")
    X, y = datasets.xor()
    model = _build_model(args, X.shape[1], y.shape[1])
    log_every = args.log_every or max(1, args.epochs // 10)
    model.fit(X, y, epochs=args.epochs, learning_rate=args.learning_rate,
              batch_size=args.batch_size, log_every=log_every, verbose=True)
    _print_table(model, X, y)
    accuracy = model.score(X, y)
    print(f"accuracy: {accuracy:.1%}")
    if args.json:
        print(json.dumps({
            "engine": args.engine,
            "dataset": "xor",
            "epochs": len(model.history),
            "final_loss": model.history.loss[-1],
            "train_accuracy": accuracy,
        }))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``scratchnn`` command line with ``argv`` (default: ``sys.argv[1:]``)."""
    args = _build_parser().parse_args(argv)
    if args.command == "train":
        _train(args)


if __name__ == "__main__":
    main()
