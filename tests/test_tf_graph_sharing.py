"""The TensorFlow engine traces its graph functions once per network shape in a process: later
models of that shape (clones in model selection) reuse them, on their own variables, and
TensorFlow has no retracing to warn about."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from sklearn.base import clone  # noqa: E402
from sklearn.ensemble import StackingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402

from benchmarks.logged import Logged  # noqa: E402
from scratchnn import Perceptron  # noqa: E402
from scratchnn.sklearn import MLPClassifier  # noqa: E402
from scratchnn.tf_engine import TFPerceptron, graphs  # noqa: E402


def traces() -> int:
    """Every trace of every shared graph function so far in the process."""
    return sum(function.experimental_get_tracing_count()
               for functions in graphs._SHARED.values() for function, _ in functions.values())


def data(n_samples: int = 90) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, 5))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1)


def estimator() -> MLPClassifier:
    # Its own hidden size: no other test's graphs are this shape's.
    return MLPClassifier(hidden_layer_sizes=(7,), max_iter=4, random_state=0,
                         engine="tensorflow")


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_second_fit_and_a_clone_trace_nothing() -> None:
    X, y = data()
    first = estimator().fit(X, y)
    before = traces()
    second = estimator().fit(X, y)
    clone(first).fit(X[:70], y[:70])  # another number of rows, and of rows in the last batch
    assert traces() == before
    assert second.model_.trace_count == 0
    np.testing.assert_array_equal(second.predict_proba(X), first.predict_proba(X))


@pytest.mark.slow
@pytest.mark.parametrize("settings", [
    {}, {"dropout": 0.2, "batch_norm": True, "kernel_regularizer": 0.01}])
def test_models_sharing_graphs_train_their_own_variables(settings: dict[str, Any]) -> None:
    X, y = data(40)
    start = Perceptron.from_sizes([5, 6, 3], "tanh", "softmax", "categorical_crossentropy",
                                  random_state=1, **settings)
    reference = start.numpy_copy().fit(X, y, epochs=3, batch_size=16, optimizer="adam",
                                       learning_rate=0.05, verbose=0, random_state=0)
    one, other = TFPerceptron.from_perceptron(start), TFPerceptron.from_perceptron(start)
    untouched = other.get_weights()
    one.fit(X, y, epochs=3, batch_size=16, optimizer="adam", learning_rate=0.05, verbose=0,
            random_state=0)
    for kept, now in zip(untouched, other.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)
    other.fit(X, y, epochs=3, batch_size=16, optimizer="adam", learning_rate=0.05, verbose=0,
              random_state=0)
    for model in (one, other):
        np.testing.assert_allclose(model.history.loss, reference.history.loss, rtol=1e-9)
        for got, expected in zip(model.get_weights(), reference.get_weights(), strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("settings", [
    {"dropout": 0.2}, pytest.param({"dropout": 0.2, "batch_norm": True,
                                    "kernel_regularizer": 0.01}, marks=pytest.mark.slow)])
def test_shared_graphs_capture_no_variable(settings: dict[str, Any]) -> None:
    """Every variable a graph function uses is an argument (``model.STATE``): one it captured
    would be the first model's, trained by every later model of the shape (batch
    normalisation's scale, shift and moving statistics and the penalised weights too)."""
    model = TFPerceptron.from_perceptron(Perceptron.from_sizes(
        [5, 4, 1], "relu", "sigmoid", "binary_crossentropy", random_state=0, **settings))
    X, y = data(20)
    model.fit(X, y > 0, epochs=2, batch_size=8, optimizer="adam", verbose=0)
    for function in (model._fit_graph[True, False], model.train_step, model._predict):
        concrete = function.get_concrete_function().func  # a partial: the state bound
        assert [t for t in concrete.captured_inputs if t.dtype == tf.resource] == []


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_model_selection_prints_nothing(capfd: Any) -> None:
    X, y = data()
    records = Logged()
    tf.get_logger().addHandler(records)
    try:
        cross_val_score(estimator(), X, y, cv=5)
        GridSearchCV(estimator(), {"learning_rate_init": [1e-3, 1e-2], "alpha": [1e-4]},
                     cv=3).fit(X, y)
        StackingClassifier([("mlp", estimator())], LogisticRegression(), cv=3).fit(X, y)
    finally:
        tf.get_logger().removeHandler(records)
    assert records.messages == []
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
