"""The TensorFlow engine where users meet it: scikit-learn's estimator on digits against the
same estimator on the NumPy engine, in one process.

Each fit is timed after a first one in the process (which traces the graphs of the network's
shape), the engines alternating so that both meet the same state of the machine; then
``cross_val_score`` with each engine; and TensorFlow's "retracing" warnings counted while
``cross_val_score``, ``GridSearchCV`` and ``StackingClassifier`` fit the TensorFlow estimator
for 5 epochs each.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.logged import Logged
from benchmarks.timing import paired_seconds


def digits(quick: bool) -> tuple[Any, Any, dict[str, Any]]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    parameters = {"hidden_layer_sizes": (64,), "random_state": 0}
    if quick:
        return X[:300] / 16, y[:300], {**parameters, "max_iter": 5}
    return X / 16, y, parameters


def count_retracing(estimator: Callable[[], Any], X: Any, y: Any) -> int:
    """TensorFlow's retracing warnings during three kinds of model selection."""
    import tensorflow as tf
    from sklearn.ensemble import StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, cross_val_score

    messages = Logged()
    tf.get_logger().addHandler(messages)
    try:
        cross_val_score(estimator(), X, y, cv=5)
        GridSearchCV(estimator(), {"learning_rate_init": [1e-3, 1e-2]}, cv=3).fit(X, y)
        StackingClassifier([("mlp", estimator())], LogisticRegression(max_iter=1000),
                           cv=3).fit(X, y)
    finally:
        tf.get_logger().removeHandler(messages)
    return sum("retracing" in message for message in messages.messages)


def run(repeats: int, quick: bool = False) -> dict[str, Any]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import cross_val_score

    from scratchnn.sklearn import MLPClassifier

    X, y, parameters = digits(quick)

    def estimator(engine: str = "tensorflow") -> Any:
        return MLPClassifier(**parameters, engine=engine)

    table: dict[str, dict[str, Any]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # First in the process (TensorFlow warns at most twice per function), and short fits,
        # as in a search: it warns when most of a function's recent calls traced it, which a
        # fit of 200 one-call epochs dilutes.
        retracing = count_retracing(
            lambda: MLPClassifier(**{**parameters, "max_iter": 5}, engine="tensorflow"), X, y)
        fits = paired_seconds({engine: lambda engine=engine: estimator(engine).fit(X, y)
                               for engine in ("numpy", "tensorflow")}, repeats)
        table["MLPClassifier fit on digits, (64,), after the first fit"] = {
            "seconds": fits["tensorflow"], "numpy_seconds": fits["numpy"],
            "vs_numpy": fits["tensorflow"] / fits["numpy"]}
        scores = paired_seconds(
            {engine: lambda engine=engine: cross_val_score(estimator(engine), X, y, cv=5)
             for engine in ("numpy", "tensorflow")}, repeats)
        table["cross_val_score, 5 folds"] = {
            "seconds": scores["tensorflow"], "numpy_seconds": scores["numpy"],
            "vs_numpy": scores["tensorflow"] / scores["numpy"]}
        table["retracing warnings in model selection, 5 epochs a fit"] = {
            "warnings": retracing}

    return {"samples": int(np.shape(X)[0]), "repeats": repeats, "table": table}
