"""Issue 14's training tools on the TensorFlow engine: the same numbers as the NumPy engine
from the same weights (1e-9 in float64), each feature in turn."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from scratchnn import (  # noqa: E402
    L2,
    LBFGS,
    SGD,
    Adam,
    Adaptive,
    ConvergenceWarning,
    CosineDecay,
    ExponentialDecay,
    InverseScaling,
    Perceptron,
    ReduceOnPlateau,
)
from scratchnn.tf_engine import TFPerceptron  # noqa: E402
from tests.conftest import OUTPUT_FOR_LOSS, covering_grid, make_data  # noqa: E402

pytestmark = pytest.mark.tensorflow


def both_engines(loss: str = "binary_crossentropy", dropout: float = 0.0,
                 **engine: Any) -> tuple[Perceptron, TFPerceptron]:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    numpy_model = Perceptron.from_sizes([3, 5, 4, n_outputs], "tanh", output, loss,
                                        init="xavier", random_state=0, dropout=dropout)
    numpy_model.layers[0].kernel_regularizer = L2(0.01)
    numpy_model.layers[1].kernel_regularizer = L2.from_alpha(0.2)
    return numpy_model, TFPerceptron.from_perceptron(numpy_model, **engine)


def assert_same(a: Perceptron | TFPerceptron, b: Perceptron | TFPerceptron,
                tolerance: float = 1e-9) -> None:
    np.testing.assert_allclose(a.history.loss, b.history.loss, rtol=tolerance)
    np.testing.assert_allclose(a.history.learning_rate, b.history.learning_rate, rtol=1e-15)
    for x, y in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(x, y, rtol=tolerance, atol=tolerance)


OPTIMIZERS: dict[str, Callable[[], Any]] = {
    "exponential": lambda: SGD(ExponentialDecay(0.1, 4, 0.5), momentum=0.9, nesterov=True),
    "cosine": lambda: Adam(CosineDecay(0.02, 30, alpha=0.1)),
    "invscaling": lambda: SGD(InverseScaling(0.2, power_t=0.3)),
    "adaptive": lambda: SGD(Adaptive(0.1, tol=0.01, n_iter_no_change=1)),
    "plateau": lambda: Adam(ReduceOnPlateau(0.02, patience=1, min_delta=0.01)),
}


@covering_grid(("loss", list(OUTPUT_FOR_LOSS)), ("schedule", list(OPTIMIZERS)),
               ("loop", ["graph", "python"]))
def test_penalty_weights_and_schedules_give_the_numpy_engines_numbers(
        loss: str, schedule: str, loop: str) -> None:
    _, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(26, 3, n_outputs, loss)
    weights = np.random.default_rng(3).uniform(0, 2, size=26)
    models = both_engines(loss, loop=loop)
    for model in models:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X * 0.5, y, epochs=12, optimizer=OPTIMIZERS[schedule](), batch_size=7,
                      shuffle=True, random_state=1, sample_weight=weights, verbose=0,
                      validation_split=0.2)
    assert_same(*models)


def test_lbfgs_reaches_the_same_minimum_on_both_engines() -> None:
    X, y = make_data(30, 3, 3, "categorical_crossentropy")
    weights = np.random.default_rng(3).uniform(0, 2, size=30)
    models = both_engines("categorical_crossentropy")
    for model in models:
        model.fit(X, y, epochs=40, optimizer=LBFGS(tol=1e-10), sample_weight=weights,
                  verbose=0)
    # The line searches see the same values to rounding, which 40 iterations amplify a little.
    assert_same(*models, tolerance=1e-6)
    assert models[0].lbfgs_result_.nit == models[1].lbfgs_result_.nit == 40


@pytest.mark.slow
def test_dropout_gives_the_same_numbers_on_both_engines() -> None:
    # Both engines draw their masks from one counter-based generator (dropout_masks): the
    # same masks at every step, so the same numbers, shuffled mini-batches included.
    X, y = make_data(12, 3, 1, "binary_crossentropy")
    models = both_engines(dropout=0.4)
    for model in models:
        model.fit(X, y, epochs=10, optimizer=Adam(0.01), batch_size=5, random_state=3,
                  verbose=0)
    assert_same(*models)


def test_tensorflow_dropout_is_seeded_and_leaves_prediction_alone() -> None:
    X, y = make_data(40, 3, 1, "binary_crossentropy")
    runs = []
    for seed in (1, 1, 2):
        _, model = both_engines(dropout=0.5)
        model.fit(X, y, epochs=3, optimizer=Adam(0.01), batch_size=8, random_state=seed,
                  verbose=0)
        runs.append(model.history.loss)
    assert runs[0] == runs[1] and runs[0] != runs[2]
    numpy_model, tf_model = both_engines(dropout=0.5)
    np.testing.assert_allclose(tf_model.predict_proba(X), numpy_model.predict_proba(X),
                               rtol=1e-12)
