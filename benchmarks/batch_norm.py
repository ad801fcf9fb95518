"""Batch normalisation's effect on a deep network's convergence, against none.

``python -m benchmarks.batch_norm [--activation sigmoid tanh relu] [--seeds 5] [--epochs 30]
[--optimizer sgd] [--learning-rate 0.1] [--target 0.3] [--plot curves.png]`` trains a network
of 5 hidden layers of 32 units on scikit-learn's digits (8x8 images, 10 classes, 1437
training and 360 test images, inputs scaled to [0, 1]) with and without ``batch_norm=True`` on
the hidden layers: the same initial weights (seeded), mini-batches of 32 in a new order each
epoch, plain SGD by default.  Per activation and setting it prints the median over the seeds of
the training loss after a few epochs and at the end, the epoch at which the training loss
first falls below ``--target`` (``-`` if never) and the test accuracy; ``--plot`` draws the
median loss curves.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from scratchnn import Perceptron

HIDDEN = [32] * 5


def digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Digits split 80/20 (stratified, fixed seed), pixels scaled to [0, 1]."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X / 16.0, y, test_size=0.2,
                                                        random_state=0, stratify=y)
    return X_train, X_test, y_train, y_test


def run(activation: str, batch_norm: bool, seed: int, args: argparse.Namespace,
        data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Train one network; its loss curve, test accuracy and time."""
    X_train, X_test, y_train, y_test = data
    model = Perceptron.from_sizes([X_train.shape[1], *HIDDEN, 10], activation, "softmax",
                                  "categorical_crossentropy", random_state=seed,
                                  batch_norm=batch_norm)
    start = time.perf_counter()
    model.fit(X_train, y_train, epochs=args.epochs, learning_rate=args.learning_rate,
              optimizer=args.optimizer, batch_size=32, shuffle=True, random_state=seed,
              verbose=0)
    return {"loss": np.array(model.history.loss), "accuracy": model.score(X_test, y_test),
            "seconds": time.perf_counter() - start}


def first_below(curve: np.ndarray, target: float) -> int | None:
    """The epoch (from 1) at which ``curve`` first falls below ``target`` (None: never)."""
    below = np.flatnonzero(curve < target)
    return int(below[0]) + 1 if below.size else None


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.batch_norm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--activation", nargs="+", default=["sigmoid", "tanh", "relu"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--optimizer", default="sgd", choices=("sgd", "adam"))
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--target", type=float, default=0.3)
    parser.add_argument("--early", type=int, default=5, help="the early epoch reported")
    parser.add_argument("--plot", help="write the median loss curves to this PNG")
    args = parser.parse_args()
    data = digits()
    print(f"digits: {len(data[0])} training, {len(data[1])} test images; 64-"
          f"{'-'.join(map(str, HIDDEN))}-10, {args.optimizer} (learning rate "
          f"{args.learning_rate}), batches of 32, {args.epochs} epochs, median of "
          f"{args.seeds} seeds")
    print(f"{'activation':<11}{'batch_norm':<12}{f'loss@{args.early}':>10}"
          f"{f'loss@{args.epochs}':>11}{f'epochs to <{args.target}':>17}{'test acc':>10}"
          f"{'s/run':>8}")
    curves: dict[tuple[str, bool], np.ndarray] = {}
    for activation in args.activation:
        for batch_norm in (False, True):
            runs = [run(activation, batch_norm, seed, args, data) for seed in range(args.seeds)]
            losses = np.array([r["loss"] for r in runs])
            curve = np.median(losses, axis=0)
            curves[activation, batch_norm] = curve
            reached = [first_below(loss, args.target) for loss in losses]
            epochs = (f"{int(np.median([e for e in reached if e is not None]))}"
                      f" ({sum(e is not None for e in reached)}/{args.seeds})"
                      if any(e is not None for e in reached) else "-")
            print(f"{activation:<11}{batch_norm!s:<12}{curve[args.early - 1]:>10.3f}"
                  f"{curve[-1]:>11.3f}{epochs:>17}"
                  f"{np.median([r['accuracy'] for r in runs]):>10.3f}"
                  f"{np.median([r['seconds'] for r in runs]):>8.2f}")
    if args.plot:
        plot(curves, args)


def plot(curves: dict[tuple[str, bool], np.ndarray], args: argparse.Namespace) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 4.5))
    ax = figure.add_subplot()
    colours = dict(zip(args.activation, ("C0", "C1", "C2", "C3", "C4"), strict=False))
    for (activation, batch_norm), curve in curves.items():
        ax.plot(np.arange(1, len(curve) + 1), curve, color=colours[activation],
                linestyle="-" if batch_norm else "--",
                label=f"{activation}{', batch norm' if batch_norm else ''}")
    ax.axhline(args.target, color="grey", linewidth=0.5)
    ax.set(xlabel="epoch", ylabel="training loss (median)", yscale="log",
           title=f"digits, 5 hidden layers of 32, {args.optimizer}")
    ax.legend()
    figure.savefig(args.plot, dpi=100, bbox_inches="tight")
    print(f"curves: {args.plot}")


if __name__ == "__main__":
    main()
