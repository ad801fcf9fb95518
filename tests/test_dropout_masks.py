"""Dropout's masks come from one counter-based generator: the same masks on both engines, so
the same weights; and the estimators' weights on the TensorFlow engine are never silent
copies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from scratchnn import Adam, Perceptron
from scratchnn.dropout_masks import DropoutKey
from scratchnn.sklearn import MLPClassifier, MLPRegressor
from tests.conftest import make_data

RATE = 0.3


def mask(seed: int = 7, step: int = 0, layer: int = 0, shape: tuple[int, int] = (50, 40),
         rate: float = RATE) -> np.ndarray[Any, Any]:
    return DropoutKey(seed, step, layer).mask(rate, *shape, np.dtype(np.float64))


def test_a_mask_is_zero_or_scaled_and_a_fixed_key_reproduces_it() -> None:
    first = mask()
    assert first.shape == (50, 40)
    assert set(np.unique(first)) == {0.0, 1 / (1 - RATE)}
    np.testing.assert_array_equal(first, mask())


def test_a_samples_mask_depends_on_its_row_not_on_the_batch_after_it() -> None:
    # A batch of 1,000 x 1,100 units is past the cache (its counters hashed anew each time).
    large = mask(shape=(1000, 1100))
    np.testing.assert_array_equal(large[:, :10], mask(shape=(1000, 10)))
    np.testing.assert_array_equal(large, mask(shape=(1000, 1100)))


def test_masks_differ_between_seeds_steps_and_layers() -> None:
    first = mask() > 0
    for other in (mask(seed=8), mask(step=1), mask(layer=1)):
        # Independent masks agree on a unit with probability 0.7² + 0.3² = 0.58.
        assert (first == (other > 0)).mean() == pytest.approx(0.58, abs=0.05)


def test_the_drop_rate_is_right_and_units_are_independent() -> None:
    for rate in (0.1, 0.3, 0.5, 0.9):
        kept = mask(shape=(400, 500), rate=rate) > 0
        n = kept.size
        # The kept fraction within 5 standard errors of 1 - rate (a binomial's).
        assert abs(kept.mean() - (1 - rate)) < 5 * math.sqrt(rate * (1 - rate) / n)
        # Neighbours (next unit, next sample) uncorrelated, within 5 standard errors.
        for a, b in ((kept[1:], kept[:-1]), (kept[:, 1:], kept[:, :-1])):
            correlation = np.corrcoef(a.ravel(), b.ravel())[0, 1]
            assert abs(correlation) < 5 / math.sqrt(a.size)
    # Rate 0 keeps every unit.
    assert (mask(rate=0.0) > 0).all()


def test_a_fit_with_a_fixed_seed_reproduces_and_another_seed_differs() -> None:
    X, y = make_data(40, 3, 1, "binary_crossentropy")
    runs = []
    for seed in (1, 1, 2):
        model = Perceptron.from_sizes([3, 8, 1], "relu", "sigmoid", "binary_crossentropy",
                                      random_state=0,
                                      dropout=RATE)
        model.fit(X, y, epochs=3, batch_size=8, optimizer=Adam(0.01), random_state=seed,
                  verbose=0)
        runs.append(model.get_weights())
    assert all(np.array_equal(a, b) for a, b in zip(runs[0], runs[1], strict=True))
    assert not np.array_equal(runs[0][0], runs[2][0])


def coef_gap(a: Any, b: Any) -> float:
    return max(float(np.abs(x - y).max()) for x, y in
               zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_, strict=True))


@pytest.mark.tensorflow
def test_the_tensorflow_engine_draws_the_numpy_engines_masks() -> None:
    tf = pytest.importorskip("tensorflow")
    from scratchnn.tf_engine.ops import dropout_mask

    for seed, step, layer, shape in ((7, 0, 0, (50, 40)), (2**62 - 1, 123456, 3, (1, 1)),
                                     (0, 2**40, 1, (13, 200))):
        expected = mask(seed, step, layer, shape)
        rows = dropout_mask(tf.constant(shape[::-1]), RATE, tf.constant(seed, tf.int64),
                            tf.constant(step, tf.int64), layer, tf.constant(0), tf.float64)
        np.testing.assert_array_equal(rows.numpy().T, expected)


@pytest.mark.slow  # test_generalisation_tf has a smaller twin
@pytest.mark.tensorflow
def test_perceptron_and_tfperceptron_train_the_same_weights_with_dropout() -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    X, y = make_data(30, 3, 3, "categorical_crossentropy")
    numpy_model = Perceptron.from_sizes([3, 9, 7, 3], "tanh", "softmax",
                                        "categorical_crossentropy", random_state=0,
                                        dropout=RATE)
    # A plain graph here; the estimators' test runs the XLA-compiled step.
    tf_model = TFPerceptron.from_perceptron(numpy_model, jit_compile=False)
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=6, batch_size=7, optimizer=Adam(0.02), random_state=5,
                  verbose=0)
    np.testing.assert_allclose(numpy_model.history.loss, tf_model.history.loss, rtol=1e-12)
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.tensorflow
@pytest.mark.parametrize("estimator", [MLPClassifier,
                                       pytest.param(MLPRegressor, marks=pytest.mark.slow)])
def test_the_estimators_agree_across_engines_with_dropout(estimator: Any) -> None:
    pytest.importorskip("tensorflow")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = X[:, 0] + X[:, 1] > 0 if estimator is MLPClassifier else X @ [1.0, -2.0, 0.5, 0.0]
    settings = {"hidden_layer_sizes": (12, 6), "dropout": RATE, "max_iter": 8,
                "batch_size": 16, "random_state": 0}
    with pytest.warns(Warning):  # not converged in 8 iterations
        fits = [estimator(engine=engine, **settings).fit(X, y)
                for engine in ("numpy", "tensorflow")]
    assert coef_gap(*fits) < 1e-9
    # And then on, partial_fit draws the same masks too.
    for fit in fits:
        fit.partial_fit(X, y)
    assert coef_gap(*fits) < 1e-9


@pytest.mark.parametrize("engine", ["numpy", pytest.param("tensorflow",
                                                          marks=pytest.mark.tensorflow)])
def test_writing_into_coefs_changes_the_model_or_raises(engine: str) -> None:
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
    X, y = make_data(20, 3, 1, "binary_crossentropy")
    est = MLPClassifier((4,), max_iter=3, engine=engine, random_state=0)
    with pytest.warns(Warning):
        est.fit(X, y.ravel())
    if engine == "numpy":  # views, as scikit-learn's own arrays
        est.coefs_[0][:] = 0
        est.intercepts_[0][:] = 0
        assert not est.coefs_[0].any() and not est.intercepts_[0].any()
        np.testing.assert_array_equal(est.model_.layers[0].weights, 0)
        return
    for array in (est.coefs_[0], est.intercepts_[-1]):
        with pytest.raises(ValueError, match="read-only"):
            array[:] = 0
    # Assigning a list is how the TensorFlow engine's weights change.
    est.coefs_ = [np.zeros_like(c) for c in est.coefs_]
    assert not any(c.any() for c in est.coefs_)
    probabilities = est.predict_proba(X)  # no longer depending on X
    np.testing.assert_array_equal(probabilities, probabilities[[0] * len(X)])
