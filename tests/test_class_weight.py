"""class_weight: Keras's on ``fit`` and scikit-learn's on ``MLPClassifier``, both the sample
weights times the weights of the samples' classes, on both engines."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

from scratchnn import Perceptron
from scratchnn.base import BaseModel
from scratchnn.sklearn import MLPClassifier

# TensorFlow fits take seconds each (tracing): those tests make few of them.
ENGINES = ["numpy", pytest.param("tensorflow", marks=[pytest.mark.tensorflow, pytest.mark.slow])]
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
BINARY = (X[:, 0] > 0.8).astype(int)  # about a fifth are 1
THREE = np.digitize(X[:, 1], [-0.5, 0.9])
SAMPLE_WEIGHT = rng.uniform(0.5, 2.0, len(X))


def network(engine: str, n_outputs: int) -> BaseModel:
    output, loss = ("softmax", "categorical_crossentropy") if n_outputs > 1 else ("sigmoid",
                                                                                  "bce")
    model: BaseModel = Perceptron.from_sizes([3, 5, n_outputs], "tanh", output, loss,
                                             random_state=0)
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
        from scratchnn.tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(model)  # type: ignore[arg-type]
    return model


def train(engine: str, labels: np.ndarray, **weighting: Any) -> BaseModel:
    model = network(engine, 1 if labels.max() == 1 else int(labels.max()) + 1)
    return model.fit(X, labels, epochs=4, batch_size=7, shuffle=True, random_state=1,
                     optimizer="adam", learning_rate=0.01, verbose=0, **weighting)


def assert_same_weights(a: Any, b: Any) -> None:
    for p, q in zip(a, b, strict=True):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("labels", "class_weight"), [(BINARY, {0: 0.5, 1: 3.0}),
                                                      (THREE, {0: 1.0, 2: 4.0})])
def test_fit_class_weight_is_the_sample_weight_of_the_classes(
        engine: str, labels: np.ndarray, class_weight: dict[int, float]) -> None:
    # With sample weights: the products of both.
    both = train(engine, labels, class_weight=class_weight, sample_weight=SAMPLE_WEIGHT)
    product = train(engine, labels,
                    sample_weight=SAMPLE_WEIGHT * compute_sample_weight(class_weight, labels))
    assert_same_weights(both.get_weights(), product.get_weights())
    assert both.history.loss == pytest.approx(product.history.loss, rel=1e-12)


@pytest.mark.parametrize(("labels", "class_weight"), [(BINARY, {0: 0.5, 1: 3.0}),
                                                      (THREE, {0: 1.0, 2: 4.0})])
def test_fit_class_weight_alone(labels: np.ndarray, class_weight: dict[int, float]) -> None:
    weighted = train("numpy", labels, class_weight=class_weight)
    expected = train("numpy", labels, sample_weight=compute_sample_weight(class_weight, labels))
    assert_same_weights(weighted.get_weights(), expected.get_weights())
    unweighted = train("numpy", labels)
    assert not np.allclose(weighted.get_weights()[0], unweighted.get_weights()[0])


def test_fit_class_weight_leaves_a_validation_split_unweighted_as_keras() -> None:
    kwargs: dict[str, Any] = {"validation_split": 0.25}
    weighted = train("numpy", BINARY, class_weight={1: 4.0}, **kwargs)
    by_sample = train("numpy", BINARY, sample_weight=compute_sample_weight({1: 4.0}, BINARY),
                      **kwargs)
    assert weighted.history.loss == pytest.approx(by_sample.history.loss, rel=1e-12)
    # Keras weighs the training loss only: the held-out rows are not weighted by class.
    assert weighted.history.val_loss != pytest.approx(by_sample.history.val_loss, rel=1e-6)


@pytest.mark.parametrize(("class_weight", "error", "message"), [
    ({0: 1.0, 3: 2.0}, ValueError, r"class_weight names the class 3, which is not in the labels "
                                   r"\(their classes: \[0, 1\]\)"),
    ({"1": 2.0}, ValueError, "class_weight names the class '1'"),
    ({1.5: 2.0}, ValueError, "class_weight names the class 1.5"),
    ({True: 2.0}, ValueError, "class_weight names the class True"),
    ({1: -2.0}, ValueError, r"class_weight\[1\] must be a finite number >= 0, got -2.0"),
    ({1: "heavy"}, TypeError, r"class_weight\[1\] must be a number >= 0"),
    ({0: 0.0, 1: 0.0}, ValueError, "leaves every sample a weight of 0"),
    ("balanced", TypeError, "'balanced' is scikit-learn's: give sample_weight=sklearn"),
    ([1.0, 2.0], TypeError, r"class_weight must be a dict \{class index: weight\}"),
])
def test_fit_refuses_a_bad_class_weight_before_any_change(
        class_weight: object, error: type[Exception], message: str) -> None:
    model = network("numpy", 1)
    before = model.get_weights()
    with pytest.raises(error, match=message):
        model.fit(X, BINARY, epochs=2, verbose=0, class_weight=class_weight)
    assert_same_weights(model.get_weights(), before)
    assert len(model.history) == 0 and model.optimizer_ is None


def test_fit_class_weight_takes_numpy_and_whole_float_keys_as_keras() -> None:
    expected = train("numpy", BINARY, class_weight={1: 3.0})
    for keys in ({np.int64(1): 3.0}, {1.0: 3.0}):
        assert_same_weights(train("numpy", BINARY, class_weight=keys).get_weights(),
                            expected.get_weights())


def test_fit_refuses_class_weight_for_outputs_without_one_class_per_sample() -> None:
    regression = Perceptron.from_sizes([3, 4, 1], "tanh", "linear", "mse", random_state=0)
    with pytest.raises(ValueError, match="this model's output is regression"):
        regression.fit(X, X[:, 0], verbose=0, class_weight={0: 1.0})


def estimator(engine: str, **params: Any) -> MLPClassifier:
    return MLPClassifier(hidden_layer_sizes=(6,), solver="sgd", max_iter=5, random_state=0,
                         engine=engine, **params)


NAMES = np.array(["low", "mid", "high"])[THREE]


@pytest.mark.parametrize(("engine", "class_weight"), [
    ("numpy", "balanced"), ("numpy", {"low": 1.0, "high": 5.0}),
    pytest.param("tensorflow", "balanced", marks=[pytest.mark.tensorflow, pytest.mark.slow])])
def test_estimator_class_weight_is_compute_sample_weight(engine: str,
                                                         class_weight: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Warning)  # the fixed budget's ConvergenceWarning
        weighted = estimator(engine, class_weight=class_weight).fit(
            X, NAMES, sample_weight=SAMPLE_WEIGHT)
        expected = estimator(engine).fit(
            X, NAMES, sample_weight=SAMPLE_WEIGHT * compute_sample_weight(class_weight, NAMES))
    assert_same_weights(weighted.coefs_ + weighted.intercepts_,
                        expected.coefs_ + expected.intercepts_)
    assert weighted.get_params()["class_weight"] == class_weight


def test_estimator_partial_fit_weighs_by_the_classes_of_the_whole_data() -> None:
    class_weight = {"low": 1.0, "mid": 0.5, "high": 5.0}
    weighted, expected = estimator("numpy", class_weight=class_weight), estimator("numpy")
    classes = np.unique(NAMES)
    # The last batch has no 'high': the others weigh as in the batches that have one.
    for batch in (np.arange(30), np.arange(30, 60), np.flatnonzero(NAMES != "high")[:10]):
        weighted.partial_fit(X[batch], NAMES[batch], classes=classes)
        by_class = compute_class_weight(class_weight, classes=classes, y=NAMES[batch])
        expected.partial_fit(X[batch], NAMES[batch], classes=classes,
                             sample_weight=by_class[np.searchsorted(classes,
                                                                    NAMES[batch])])
    assert_same_weights(weighted.coefs_, expected.coefs_)


def test_estimator_partial_fit_refuses_balanced_as_sgdclassifier() -> None:
    model = estimator("numpy", class_weight="balanced")
    with pytest.raises(ValueError, match="class_weight 'balanced' is not supported for "
                                         "partial_fit"):
        model.partial_fit(X, NAMES, classes=np.unique(NAMES))
    assert not hasattr(model, "classes_")


@pytest.mark.parametrize(("class_weight", "message"), [
    ({"low": -1.0}, "class_weight must hold finite weights >= 0"),
    ({"low": np.nan}, "class_weight must hold finite weights >= 0"),
    ({"low": 0, "mid": 0, "high": 0}, "not all 0 for the classes of y"),
    ("heaviest", "The 'class_weight' parameter of MLPClassifier must be"),
])
def test_estimator_refuses_a_bad_class_weight(class_weight: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimator("numpy", class_weight=class_weight).fit(X, NAMES)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_balanced_weights_raise_balanced_accuracy_on_an_imbalanced_set() -> None:
    """The figure of the README: 0.530 without class weights, 0.715 with 'balanced'."""
    from sklearn.datasets import make_classification
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import train_test_split

    features, labels = make_classification(2000, n_features=10, n_informative=4,
                                           weights=[0.95, 0.05], flip_y=0, class_sep=0.5,
                                           random_state=0)
    X_train, X_test, y_train, y_test = train_test_split(features, labels, stratify=labels,
                                                        test_size=0.5, random_state=0)
    scores = {}
    for class_weight in (None, "balanced"):
        model = MLPClassifier(hidden_layer_sizes=(16,), random_state=0,
                              class_weight=class_weight).fit(X_train, y_train)
        scores[class_weight] = balanced_accuracy_score(y_test, model.predict(X_test))
    assert scores[None] == pytest.approx(0.530, abs=0.0005)
    assert scores["balanced"] == pytest.approx(0.715, abs=0.0005)
