"""``scratchnn train``: train a network on a data set and show what it learned."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..base import BaseModel
from ..errors import ConvergenceWarning
from ..files import read_table
from ..initializers import INITIALIZERS
from ..numpy_engine import Perceptron
from ..optimizers import OPTIMIZERS, Optimizer, get_optimizer
from ..preprocessing import Standardization
from ..schedules import SCHEDULES, CosineDecay, ExponentialDecay, Schedule, get_schedule
from ..solvers import LBFGS
from .common import GATES, fail, load_data, print_table, tensorflow_model
from .plot import draw

__all__ = ["RECIPES", "Recipe", "add_parser", "build_model", "run"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")


@dataclass(frozen=True)
class Recipe:
    """A data set's default network and training, chosen to solve it."""

    hidden: tuple[int, ...]
    activation: str
    init: str
    optimizer: str
    learning_rate: float
    batch_size: int | None
    epochs: int
    restarts: int = 0


#: The network and training for the user's own files (--data).
FILE_RECIPE = Recipe((32,), "relu", "he", "adam", 0.003, 32, 100)

#: The logic gates get the spec's 2-2-1 sigmoid network (document A); the others a network
#: that reaches at least 97% test accuracy on them.
RECIPES = {
    **{gate: Recipe((2,), "sigmoid", "normal", "sgd", 2.0, None, 3000, restarts=10)
       for gate in GATES},
    "moons": Recipe((16, 16), "tanh", "xavier", "adam", 0.01, 32, 100),
    "circles": Recipe((16, 16), "tanh", "xavier", "adam", 0.01, 32, 100),
    "spirals": Recipe((64, 64), "relu", "he", "adam", 0.01, 32, 300),
    "digits": Recipe((128,), "relu", "he", "adam", 0.002, 32, 60),
}


def add_parser(commands: Any) -> None:
    """Add ``train`` and its options to the subcommands."""
    train = commands.add_parser(
        "train",
        help="train a network and print what it learned",
        description="Train a network; by default the spec's 2-2-1 sigmoid XOR network. Options "
                    "left out take the data set's defaults.",
    )
    train.add_argument("--dataset", choices=list(datasets.DATASETS), default="xor")
    train.add_argument("--data", metavar="PATH",
                       help="train on your own file instead: a CSV with a header (the "
                            "--target column holds the labels, the others are numeric "
                            "features), a features .npy (with --target labels.npy) or an .npz "
                            "of X and y; the features are standardised, in the saved model too")
    train.add_argument("--target", metavar="NAME", help="with --data: the labels' column, or "
                                                        "their .npy file, or .npz array")
    train.add_argument("--test-data", metavar="PATH",
                       help="with --data: a file of the same form to test on (default: a "
                            "quarter of --data, split by class with --seed)")
    train.add_argument("--engine", choices=("numpy", "tensorflow"), default="numpy")
    train.add_argument("--devices", metavar="N",
                       help="tensorflow engine: train data-parallel on N logical CPU devices, "
                            "or on all GPUs with 'all' (tf.distribute.MirroredStrategy)")
    train.add_argument("--hidden", type=int, nargs="+", metavar="N",
                       help="neurons of each hidden layer")
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS,
                       help="activation of the hidden layers")
    train.add_argument("--init", choices=sorted(INITIALIZERS), help="weight initialiser")
    train.add_argument("--optimizer", choices=[*sorted(OPTIMIZERS), "lbfgs"],
                       help="lbfgs: a full-batch quasi-Newton solver for small data (needs "
                            "SciPy)")
    train.add_argument("--schedule", choices=["constant", *SCHEDULES], default="constant",
                       help="the learning rate over training: exponential and cosine decay "
                            "to a tenth and to 0 by the last step, scikit-learn's invscaling "
                            "and adaptive, or divided by 10 on a plateau of the validation "
                            "(else training) loss")
    train.add_argument("--l2", type=float, metavar="FACTOR",
                       help="weight penalty: add FACTOR times the sum of squared weights to "
                            "the loss")
    train.add_argument("--dropout", type=float, metavar="RATE",
                       help="drop this fraction of each hidden layer's units in training")
    train.add_argument("--epochs", type=int)
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--batch-size", type=int,
                       help="samples per update (0: the whole set)")
    train.add_argument("--validation-split", type=float, metavar="FRACTION",
                       help="hold out this fraction of the training data for validation")
    train.add_argument("--early-stopping", action="store_true",
                       help="stop when the validation loss stops improving, keep the best")
    train.add_argument("--restarts", type=int, metavar="K",
                       help="if training gets stuck, retry from up to K new initial weights")
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument("--verbose", type=int, choices=(0, 1, 2),
                       help="0 silent, 1 the loss every --log-every epochs, 2 a progress bar "
                            "(default: 2 on a terminal, else 1)")
    train.add_argument("--log-every", type=int, metavar="N",
                       help="print the loss every N epochs (default: a tenth of the epochs)")
    train.add_argument("--json", action="store_true",
                       help="print, last, one JSON object with the results")
    train.add_argument("--save", metavar="PATH", help="save the trained model to PATH (.npz)")
    train.add_argument("--plot", metavar="PNG",
                       help="draw the loss curve and (2-D data) the decision boundary to PNG")
    train.add_argument("--animate", metavar="GIF",
                       help="draw the decision boundary and the loss curve along the way, as "
                            "an animated GIF (2-D data)")


def require_memory(sizes: list[int]) -> None:
    """Fail before allocating a network whose parameters, gradients and optimizer state (four
    float64 arrays of them) do not fit in the memory the machine has free: the system would
    kill the process rather than raise a MemoryError."""
    n_parameters = sum(n_in * n_out + n_out for n_in, n_out in itertools.pairwise(sizes))
    needed = 4 * 8 * n_parameters
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: let NumPy say
        return
    if needed > free:
        fail(f"a network of {n_parameters:,} parameters needs about {needed / 1e9:.1f} GB, "
             f"more than the {free / 1e9:.1f} GB free: try smaller --hidden layers")


def build_model(args: argparse.Namespace, n_features: int, n_classes: int) -> BaseModel:
    output, loss, n_outputs = (("softmax", "categorical_crossentropy", n_classes) if n_classes > 2
                               else ("sigmoid", "binary_crossentropy", 1))
    require_memory([n_features, *args.hidden, n_outputs])
    model = Perceptron.from_sizes([n_features, *args.hidden, n_outputs], args.activation, output,
                                  loss, init=args.init, random_state=args.seed,
                                  kernel_regularizer=args.l2, dropout=args.dropout or 0.0)
    if args.engine == "tensorflow":
        return tensorflow_model(model, args.devices)
    return model


def apply_recipe(args: argparse.Namespace) -> None:
    """Fill the options left out from the data set's recipe, then check them."""
    recipe = FILE_RECIPE if args.data else RECIPES[args.dataset]
    if (args.target or args.test_data) and not args.data:
        fail("--target and --test-data go with --data")
    for name in ("hidden", "activation", "init", "optimizer", "learning_rate", "epochs",
                 "restarts"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(recipe, name))
    if args.batch_size is None:
        args.batch_size = recipe.batch_size
    elif args.batch_size == 0:
        args.batch_size = None
    for name in ("epochs", "log_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            fail(f"--{name.replace('_', '-')} must be a positive integer, got {value}")
    if args.batch_size is not None and args.batch_size < 0:
        fail(f"--batch-size must be a positive integer (or 0 for the whole set), "
              f"got {args.batch_size}")
    if any(n < 1 for n in args.hidden):
        fail(f"--hidden sizes must be positive integers, got {list(args.hidden)}")
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        fail(f"--learning-rate must be a positive finite number, got {args.learning_rate}")
    if args.devices is not None and (args.engine != "tensorflow" or not (
            args.devices == "all" or (args.devices.isdigit() and int(args.devices) > 0))):
        fail(f"--devices takes a positive number or 'all', with --engine tensorflow; got "
              f"--devices {args.devices} with --engine {args.engine}")
    if args.restarts < 0:
        fail(f"--restarts must be an integer >= 0, got {args.restarts}")
    if args.seed < 0:
        fail(f"--seed must be an integer >= 0, got {args.seed}")
    if args.plot and not Path(args.plot).suffix:
        fail(f"--plot needs a file name with an extension such as .png, got {args.plot!r}")
    if args.animate and Path(args.animate).suffix.lower() != ".gif":
        fail(f"--animate writes a GIF: give a file name ending in .gif, got {args.animate!r}")
    if args.validation_split is not None and not 0 < args.validation_split < 1:
        fail(f"--validation-split must be between 0 and 1, got {args.validation_split}")
    if args.l2 is not None and not (np.isfinite(args.l2) and args.l2 >= 0):
        fail(f"--l2 must be a finite number >= 0, got {args.l2}")
    if args.dropout is not None and not 0 <= args.dropout < 1:
        fail(f"--dropout must be in [0, 1), got {args.dropout}")
    if args.optimizer == "lbfgs" and args.schedule != "constant":
        fail("--schedule needs a learning rate; --optimizer lbfgs has none")
    if args.verbose is None:
        args.verbose = 2 if sys.stdout.isatty() else 1


def require_extras(args: argparse.Namespace) -> None:
    """Fail before any work when an option needs a package that is not installed."""
    try:
        if args.plot or args.animate:
            from .. import plot  # noqa: F401
        if args.optimizer == "lbfgs":
            LBFGS.require()
    except ImportError as missing:
        fail(str(missing))


def load_files(args: argparse.Namespace) -> tuple[tuple[Any, Any], tuple[Any, Any], list[Any]]:
    """``(train, test, class labels)`` from ``--data`` (and ``--test-data``), the labels as
    class indices."""
    if args.target is None and not str(args.data).endswith(".npz"):
        fail("--data needs --target: the labels' column (CSV) or file (.npy)")
    X, y, _ = read_table(args.data, args.target)
    if y is None:
        fail(f"{args.data}: no labels (--target)")
    classes, indices = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        fail(f"{args.data}: the labels hold one class only ({classes[0]!r}); there is nothing "
             f"to learn")
    if args.test_data:
        suffix = Path(args.test_data).suffix.lower()
        if suffix == ".npy":
            fail("--test-data takes a CSV or an .npz of X and y (an .npy has no labels)")
        # A CSV's labels are in the same column; an .npz's in its array y.
        X_test, y_test, _ = read_table(args.test_data,
                                       args.target if suffix == ".csv" else None)
        if y_test is None or X_test.shape[1] != X.shape[1]:
            fail(f"{args.test_data}: it must have the labels and the {X.shape[1]} features of "
                 f"--data")
        unknown = np.setdiff1d(y_test, classes)
        if len(unknown):
            fail(f"{args.test_data}: labels not in --data: {unknown[:5].tolist()}")
        return (X, indices), (X_test, np.searchsorted(classes, y_test)), classes.tolist()
    train, test = datasets.train_test_split(X, indices, 0.25, args.seed)
    return train, test, classes.tolist()


def run(args: argparse.Namespace) -> None:
    """Train as the options say; print the results."""
    apply_recipe(args)
    require_extras(args)
    labels: list[Any] | None = None
    test: tuple[Any, Any] | None
    if args.data:
        (X, y), test, labels = load_files(args)
    else:
        (X, y), test = load_data(args.dataset, args.seed)
    n_classes = int(np.max(y)) + 1
    if args.animate and X.shape[1] != 2:
        fail(f"--animate draws the decision boundary of 2-D data; this data has "
             f"{X.shape[1]} features")
    snapshots: list[Any] = []
    if args.animate:
        from ..animation import Snapshots

        snapshots = [Snapshots(every=max(1, args.epochs // 40))]
    model = build_model(args, X.shape[1], n_classes)
    if args.data:
        model.standardization, model.class_labels = Standardization.of(X), labels
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y, epochs=args.epochs, optimizer=optimizer(args, len(X)),
                      batch_size=args.batch_size,
                      shuffle=args.dataset not in GATES, random_state=args.seed,
                      log_every=args.log_every or max(1, args.epochs // 10), verbose=args.verbose,
                      validation_split=args.validation_split, early_stopping=args.early_stopping,
                      restarts=args.restarts, callbacks=snapshots)
    except (ValueError, ImportError) as error:
        fail(str(error))
    for warning in caught:
        print(f"Note: {warning.message}")
    train_accuracy = model.score(X, y)
    if len(X) <= 16:
        print_table(model, X, y)
    print(f"accuracy: {train_accuracy:.1%}" if test is None else
          f"train accuracy: {train_accuracy:.1%}")
    report: dict[str, Any] = {
        "engine": args.engine, "dataset": args.data or args.dataset, "epochs": len(model.history),
        "final_loss": model.history.loss[-1], "train_accuracy": train_accuracy,
    }
    if test is not None:
        report["test_accuracy"] = model.score(*test)
        print(f"test accuracy: {report['test_accuracy']:.1%}")
    if args.plot:
        draw(model, X, y, args.plot)
    if args.animate:
        from ..animation import animate

        try:
            count = animate(model, X, y, snapshots[0].frames, args.animate)
        except OSError as error:
            fail(f"could not write {args.animate}: {error.strerror or error}")
        print(f"animation of {count} frames saved to {args.animate}")
    if args.save:
        try:
            model.save(args.save)
        except OSError as error:
            fail(f"could not save the model to {args.save}: {error.strerror or error}")
        print(f"model saved to {args.save}")
    if args.json:
        print(json.dumps(report))


def optimizer(args: argparse.Namespace, n_samples: int) -> Optimizer | LBFGS:
    """The optimizer the options describe, with its learning-rate schedule."""
    if args.optimizer == "lbfgs":
        return LBFGS()
    n_train = n_samples - round((args.validation_split or 0) * n_samples)
    steps = args.epochs * -(-n_train // (args.batch_size or n_train))
    settings: dict[str, dict[str, Any]] = {
        ExponentialDecay.name: {"decay_steps": steps, "decay_rate": 0.1},
        CosineDecay.name: {"decay_steps": steps},
        "plateau": {"monitor": "val_loss" if args.validation_split else "loss"},
    }
    rate: float | Schedule = get_schedule(args.schedule, args.learning_rate,
                                          **settings.get(args.schedule, {}))
    return get_optimizer(args.optimizer, rate)


