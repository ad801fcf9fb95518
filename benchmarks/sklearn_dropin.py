"""``scratchnn.sklearn`` against scikit-learn's own MLP: the same estimator, parameters and
data, only the import changed; the time of ``fit``, and the BLAS floor of the same epochs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from benchmarks.mnist import blas_floor
from benchmarks.timing import paired_seconds


def cases(quick: bool) -> dict[str, tuple[Any, Any, dict[str, Any]]]:
    """The issue's three: digits with (64,) and the defaults, a 50,000 x 100 classification
    with (256, 128) for 10 epochs, and L-BFGS on 2,000 x 20 with the defaults."""
    from sklearn.datasets import load_digits, make_classification

    X_digits, y_digits = load_digits(return_X_y=True)
    n_large, n_small = (2_000, 500) if quick else (50_000, 2_000)
    digits_parameters: dict[str, Any] = {"hidden_layer_sizes": (64,), "random_state": 0}
    if quick:  # a check that it runs: 500 digits, 20 epochs
        X_digits, y_digits = X_digits[:500], y_digits[:500]
        digits_parameters["max_iter"] = 20
    X_large, y_large = make_classification(n_large, 100, n_informative=30, random_state=0)
    X_small, y_small = make_classification(n_small, 20, random_state=0)
    return {
        "digits, (64,), defaults": (X_digits / 16, y_digits, digits_parameters),
        f"{n_large} x 100, (256, 128), 10 epochs": (
            X_large, y_large,
            {"hidden_layer_sizes": (256, 128), "max_iter": 10, "random_state": 0}),
        f"lbfgs, {n_small} x 20, (100,), defaults": (X_small, y_small,
                                                     {"solver": "lbfgs", "random_state": 0}),
    }


def run(repeats: int, quick: bool = False) -> dict[str, Any]:
    from sklearn import neural_network
    from sklearn.exceptions import ConvergenceWarning

    from scratchnn import sklearn as ours

    table: dict[str, dict[str, Any]] = {}
    for name, (X, y, parameters) in cases(quick).items():
        fitted: dict[str, Any] = {}

        def fit(module: Any, X: Any = X, y: Any = y, parameters: Any = parameters,
                fitted: dict[str, Any] = fitted) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                fitted[module.__name__] = module.MLPClassifier(**parameters).fit(X, y)

        runs = {"sklearn": lambda: fit(neural_network), "ours": lambda: fit(ours)}
        lbfgs = parameters.get("solver", "adam") == "lbfgs"
        if not lbfgs:
            widths = [X.shape[1], *parameters["hidden_layer_sizes"], len(np.unique(y))]
            epoch = blas_floor(X, widths, min(200, len(X)))
            # As many epochs as scratchnn's fit just before it trained.
            runs["floor"] = lambda epoch=epoch, fitted=fitted: [
                epoch() for _ in range(fitted[ours.__name__].n_iter_)]
        # The three alternate (in this order), so that their ratios compare the same states
        # of the machine.
        seconds = paired_seconds(runs, repeats)
        mine, theirs = fitted[ours.__name__], fitted[neural_network.__name__]
        row = {"seconds": seconds["ours"], "sklearn_seconds": seconds["sklearn"],
               "vs_sklearn": seconds["ours"] / seconds["sklearn"], "epochs": mine.n_iter_,
               "same_predictions": bool(np.array_equal(mine.predict(X), theirs.predict(X)))}
        if not lbfgs:
            row["floor_seconds"] = seconds["floor"]
            row["vs_floor"] = seconds["ours"] / seconds["floor"]
            row["sklearn_vs_floor"] = seconds["sklearn"] / seconds["floor"]
        table[name] = row
    return {"repeats": repeats, "table": table}
