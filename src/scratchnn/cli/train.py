"""``scratchnn train``: train a network on a data set and show what it learned."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets
from ..base import BaseModel
from ..errors import ConvergenceWarning
from ..files import Table, classes, read_table, suffix, values
from ..initializers import INITIALIZERS
from ..language import say
from ..numpy_engine import Perceptron
from ..optimizers import OPTIMIZERS, Optimizer, get_optimizer
from ..preprocessing import Standardization
from ..schedules import SCHEDULES, CosineDecay, ExponentialDecay, Schedule, get_schedule
from ..solvers import LBFGS
from .common import (
    GATES,
    add_language,
    check_outputs,
    fail,
    interrupted,
    load_data,
    os_reason,
    print_table,
    require_file,
    require_memory,
    tensorflow_model,
)
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
        help=say("help_train"),
        description=say("about_train"),
    )
    train.add_argument("--dataset", choices=list(datasets.DATASETS), default="xor")
    train.add_argument("--data", metavar=say("metavar_path"),
                       help=say("help_train_data"))
    train.add_argument("--target", metavar=say("metavar_name"), help=say("help_train_target"))
    train.add_argument("--task", choices=("classification", "regression"),
                       default="classification",
                       help=say("help_train_task"))
    train.add_argument("--test-data", metavar=say("metavar_path"),
                       help=say("help_train_test_data"))
    train.add_argument("--engine", choices=("numpy", "tensorflow"), default="numpy")
    train.add_argument("--devices", metavar="N",
                       help=say("help_train_devices"))
    train.add_argument("--hidden", type=int, nargs="+", metavar="N",
                       help=say("help_train_hidden"))
    train.add_argument("--activation", choices=HIDDEN_ACTIVATIONS,
                       help=say("help_activation"))
    train.add_argument("--init", choices=sorted(INITIALIZERS), help=say("help_train_init"))
    train.add_argument("--optimizer", choices=[*sorted(OPTIMIZERS), "lbfgs"],
                       help=say("help_train_optimizer"))
    train.add_argument("--schedule", choices=["constant", *SCHEDULES], default="constant",
                       help=say("help_train_schedule"))
    train.add_argument("--l2", type=float, metavar=say("metavar_factor"),
                       help=say("help_train_l2"))
    train.add_argument("--dropout", type=float, metavar=say("metavar_rate"),
                       help=say("help_train_dropout"))
    train.add_argument("--batch-norm", action="store_true", help=say("help_train_batch_norm"))
    train.add_argument("--epochs", type=int, metavar=say("metavar_epochs"))
    train.add_argument("--learning-rate", type=float, metavar=say("metavar_rate"))
    train.add_argument("--batch-size", type=int, metavar=say("metavar_size"),
                       help=say("help_train_batch_size"))
    train.add_argument("--validation-split", type=float, metavar="FRACTION",
                       help=say("help_train_validation_split"))
    train.add_argument("--early-stopping", action="store_true",
                       help=say("help_train_early_stopping"))
    train.add_argument("--restarts", type=int, metavar="K",
                       help=say("help_train_restarts"))
    train.add_argument("--seed", type=int, default=0, metavar=say("metavar_seed"),
                       help=say("help_train_seed"))
    train.add_argument("--verbose", type=int, choices=(0, 1, 2),
                       help=say("help_train_verbose"))
    train.add_argument("--log-every", type=int, metavar="N",
                       help=say("help_train_log_every"))
    train.add_argument("--json", action="store_true",
                       help=say("help_train_json"))
    train.add_argument("--save", metavar=say("metavar_path"), help=say("help_train_save"))
    train.add_argument("--plot", metavar="PNG",
                       help=say("help_train_plot"))
    train.add_argument("--animate", metavar="GIF",
                       help=say("help_train_animate"))
    add_language(train)


def build_model(args: argparse.Namespace, n_features: int, n_classes: int,
                n_rows: int = 0) -> BaseModel:
    """The network the options describe, for ``n_rows`` training rows; ``n_classes`` 0: a
    regression (one linear output)."""
    output, loss, n_outputs = (("softmax", "categorical_crossentropy", n_classes) if n_classes > 2
                               else ("linear", "mean_squared_error", 1) if n_classes == 0
                               else ("sigmoid", "binary_crossentropy", 1))
    require_memory([n_features, *args.hidden, n_outputs], n_rows)
    model = Perceptron.from_sizes([n_features, *args.hidden, n_outputs], args.activation, output,
                                  loss, init=args.init, random_state=args.seed,
                                  kernel_regularizer=args.l2, dropout=args.dropout or 0.0,
                                  batch_norm=args.batch_norm)
    if args.engine == "tensorflow":
        return tensorflow_model(model, args.devices)
    return model


def apply_recipe(args: argparse.Namespace) -> None:
    """Fill the options left out from the data set's recipe, then check them."""
    recipe = FILE_RECIPE if args.data else RECIPES[args.dataset]
    if (args.target or args.test_data or args.task != "classification") and not args.data:
        fail("go_with_data", options=say("and").join(["--target, --test-data", "--task"]))
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
            fail("positive_int", option=f"--{name.replace('_', '-')}", value=value)
    if args.batch_size is not None and args.batch_size < 0:
        fail("batch_size", value=args.batch_size)
    if any(n < 1 for n in args.hidden):
        fail("hidden_sizes", value=list(args.hidden))
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        fail("learning_rate", value=args.learning_rate)
    if args.devices is not None and (args.engine != "tensorflow" or not (
            args.devices == "all" or (args.devices.isdigit() and int(args.devices) > 0))):
        fail("devices", devices=args.devices, engine=args.engine)
    if args.restarts < 0:
        fail("non_negative_int", option="--restarts", value=args.restarts)
    if args.seed < 0:
        fail("non_negative_int", option="--seed", value=args.seed)
    if args.plot and not Path(args.plot).suffix:
        fail("extension", option="--plot", value=args.plot)
    if args.animate and Path(args.animate).suffix.lower() != ".gif":
        fail("animate_gif", value=args.animate)
    if args.validation_split is not None and not 0 < args.validation_split < 1:
        fail("between", option="--validation-split", low=0, high=1,
             value=args.validation_split)
    if args.l2 is not None and not (np.isfinite(args.l2) and args.l2 >= 0):
        fail("l2", value=args.l2)
    if args.dropout is not None and not 0 <= args.dropout < 1:
        fail("dropout", value=args.dropout)
    if args.optimizer == "lbfgs" and args.schedule != "constant":
        fail("lbfgs_schedule")
    if args.verbose is None:
        args.verbose = 2 if sys.stdout.isatty() else 1


def require_extras(args: argparse.Namespace) -> None:
    """Fail before any work when an option needs a package that is not installed."""
    try:
        if args.plot or args.animate:
            from .. import plot  # noqa: F401
    except ImportError:
        fail("no_matplotlib")
    try:
        if args.optimizer == "lbfgs":
            LBFGS.require()
    except ImportError as missing:
        fail("library_error", message=str(missing))


@dataclass
class Files:
    """What ``--data`` (and ``--test-data``) hold: the training and test sets (the targets as
    class indices, or values for a regression), the class labels (None: a regression), and
    the names of the columns (None: unnamed)."""

    train: tuple[Any, Any]
    test: tuple[Any, Any]
    labels: list[Any] | None
    feature_names: list[str] | None
    target_name: str | None


def targets(table: Table, regression: bool) -> tuple[Any, list[Any] | None]:
    """The table's targets, as values (a regression) or class indices with their labels."""
    return (values(table), None) if regression else classes(table)


def load_files(args: argparse.Namespace) -> Files:
    """The sets of ``--data`` (and ``--test-data``), every check on them done before any
    training: the targets, the class count, a test split that holds every class."""
    require_file(args.data, "--data")
    if args.target is None and suffix(args.data) != ".npz":
        fail("needs_target")
    if suffix(args.data) == ".npy":
        require_file(args.target, "--target")
    if args.test_data:
        require_file(args.test_data, "--test-data")
    regression = args.task == "regression"
    table = read_table(args.data, args.target)
    y, labels = targets(table, regression)
    if labels is not None:
        check_classes(args.data, y, labels, split=not args.test_data)
    if not args.test_data:
        train, test = datasets.train_test_split(table.X, y, 0.25, args.seed)
        return Files(train, test, labels, table.feature_names, table.target_name)
    kind = suffix(args.test_data)
    if kind == ".npy":
        fail("test_data_npy")
    # A CSV's labels are in the same column, its features picked by name; an .npz's in y.
    tested = read_table(args.test_data, args.target if kind == ".csv" else None,
                        table.feature_names if kind == ".csv" else None)
    if tested.y is None or tested.X.shape[1] != table.X.shape[1]:
        fail("test_data_shape", path=args.test_data, count=table.X.shape[1])
    if labels is None:
        return Files((table.X, y), (tested.X, values(tested)), None, table.feature_names,
                     table.target_name)
    unknown = np.setdiff1d(tested.y, labels)
    if len(unknown):
        fail("unknown_labels", path=args.test_data, labels=unknown[:5].tolist())
    return Files((table.X, y), (tested.X, np.searchsorted(labels, tested.y)), labels,
                 table.feature_names, table.target_name)


#: The fewest rows of each class for the test split to hold it on both sides.
SPLIT_ROWS = 3


def check_classes(path: str, y: np.ndarray, labels: list[Any], split: bool) -> None:
    """Fail unless the targets are classes to learn: two at least, each with rows to train on
    (and, for the test split, to test on); many classes of a few rows are a quantity."""
    if len(labels) < 2:
        fail("one_class", path=path, label=labels[0])
    counts = np.bincount(y, minlength=len(labels))
    smallest = int(np.argmin(counts))
    needed = SPLIT_ROWS if split else 1
    if len(labels) > len(y) // 2 or counts[smallest] < needed:
        hint = say("few_rows_split", count=SPLIT_ROWS) if split else say("few_rows_learn")
        fail("few_rows", path=path, classes=len(labels), rows=len(y), label=labels[smallest],
             count=counts[smallest], hint=hint)


def run(args: argparse.Namespace) -> None:
    """Train as the options say; print the results."""
    apply_recipe(args)
    require_extras(args)
    labels_file = args.target if args.data and suffix(args.data) == ".npy" else None
    check_outputs({"--data": args.data, "--target": labels_file, "--test-data": args.test_data},
                  {"--save": args.save, "--plot": args.plot, "--animate": args.animate})
    files: Files | None = None
    test: tuple[Any, Any] | None
    if args.data:
        files = load_files(args)
        (X, y), test = files.train, files.test
    else:
        (X, y), test = load_data(args.dataset, args.seed)
    regression = args.task == "regression"
    n_classes = 0 if regression else (len(files.labels) if files and files.labels
                                      else int(np.max(y)) + 1)
    if args.animate and X.shape[1] != 2:
        fail("animate_2d", count=X.shape[1])
    snapshots: list[Any] = []
    if args.animate:
        from ..animation import Snapshots

        snapshots = [Snapshots(every=max(1, args.epochs // 40))]
    model = build_model(args, X.shape[1], n_classes, len(X))
    if files is not None:
        model.standardization, model.class_labels = Standardization.of(X), files.labels
        if regression:
            model.target_standardization = Standardization.of(y.reshape(-1, 1))
    stopped = False
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
        fail("library_error", message=str(error))
    except KeyboardInterrupt:  # the engine kept the last complete update: keep it
        stopped = True
    if files is not None:  # after fit, which takes the names of a DataFrame's columns only
        model.feature_names_in_, model.target_name_ = files.feature_names, files.target_name
    if stopped:
        if args.save:
            save(model, args.save)
        interrupted(args.save)
    for warning in caught:
        print(say("note", message=warning.message))
    report = report_results(args, model, (X, y), test, snapshots)
    if args.save:
        save(model, args.save)
        print(say("model_saved", path=args.save))
    if args.json:
        print(json.dumps(report))


def report_results(args: argparse.Namespace, model: BaseModel, train: tuple[Any, Any],
                   test: tuple[Any, Any] | None, snapshots: list[Any]) -> dict[str, Any]:
    """Print the scores (the accuracy, R² for a regression) and draw what was asked; return
    the JSON report."""
    X, y = train
    score = "r2" if args.task == "regression" else "accuracy"

    def shown(value: float) -> str:
        return f"{value:.3f}" if score == "r2" else f"{value:.1%}"

    train_score = model.score(X, y)
    if len(X) <= 16:
        print_table(model, X, y)
    print(say("score" if test is None else "train_score", score=say(score),
              value=shown(train_score)))
    report: dict[str, Any] = {
        "engine": args.engine, "dataset": args.data or args.dataset, "epochs": len(model.history),
        "final_loss": model.history.loss[-1], f"train_{score}": train_score,
    }
    if test is not None:
        report[f"test_{score}"] = model.score(*test)
        print(say("test_score", score=say(score), value=shown(report[f"test_{score}"])))
    if args.plot:
        draw(model, X, y, args.plot)
    if args.animate:
        from ..animation import animate

        try:
            count = animate(model, X, y, snapshots[0].frames, args.animate)
        except OSError as error:
            fail("could_not_write", path=args.animate, reason=os_reason(error))
        print(say("animation_saved", count=count, path=args.animate))
    return report


def save(model: BaseModel, path: str) -> None:
    try:
        model.save(path)
    except OSError as error:
        fail("could_not_save", path=path, reason=os_reason(error))


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


