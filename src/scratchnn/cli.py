"""The command line: ``scratchnn train`` trains a network and shows what it learned."""

from __future__ import annotations

import argparse
import itertools
import json
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
    train.add_argument("--save", metavar="PATH", help="save the trained model to PATH (.npz)")
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
        try:
            from .tf_engine import TFPerceptron
        except ImportError:
            _fail("the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'")
        return TFPerceptron.from_perceptron(model)
    return model


def _print_table(model: BaseModel, X: np.ndarray, y: np.ndarray | None = None) -> None:
    """Print inputs, target (if given), probability of the predicted class and prediction."""
    probabilities = model.predict_proba(X)
    predictions = model.predict(X)
    if probabilities.shape[1] == 1:
        probabilities = probabilities[:, 0]
    else:
        probabilities = probabilities[np.arange(len(X)), predictions]
    target_header = f"{'target':>7}" if y is not None else ""
    print(f"{'inputs':<14}{target_header}{'probability':>13}{'prediction':>12}")
    targets = y.reshape(len(X), -1).argmax(axis=1) if y is not None and y.ndim == 2 and (
        y.shape[1] > 1) else (None if y is None else y.reshape(-1))
    for index, (inputs, probability, prediction) in enumerate(
        zip(X, probabilities, predictions, strict=True)
    ):
        shown = " ".join(f"{value:g}" for value in inputs)
        target = f"{targets[index]:>7g}" if targets is not None else ""
        print(f"{shown:<14}{target}{probability:>13.4f}{prediction:>12d}")


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
    if args.save:
        try:
            model.save(args.save)
        except OSError as error:
            _fail(f"could not save the model to {args.save}: {error.strerror or error}")
        print(f"model saved to {args.save}")
    if args.json:
        print(json.dumps({
            "engine": args.engine,
            "dataset": "xor",
            "epochs": len(model.history),
            "final_loss": model.history.loss[-1],
            "train_accuracy": accuracy,
        }))


def _predict(args: argparse.Namespace) -> None:
    from .io import load

    try:
        model = load(args.model, engine=args.engine)
    except (OSError, ValueError) as error:
        _fail(str(error) if isinstance(error, ValueError) else f"could not read {args.model}: "
              f"{error.strerror or error}")
    except ImportError:
        _fail("the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'")
    widths = {len(sample) for sample in args.input}
    if widths != {model.n_features}:
        _fail(f"--input must have {model.n_features} values per sample (the model's inputs), "
              f"got {sorted(widths)}")
    _print_table(model, np.array(args.input))


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``scratchnn`` command line with ``argv`` (default: ``sys.argv[1:]``)."""
    args = _build_parser().parse_args(argv)
    if args.command == "train":
        _train(args)
    else:
        _predict(args)


if __name__ == "__main__":
    main()
