"""Bad input gets a clear error that names the argument, before anything changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from scratchnn import Layer, Perceptron
from scratchnn.base import BaseModel

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])
GOOD_FIT: dict[str, Any] = {"training_data": XOR_X, "labels": XOR_Y, "epochs": 2,
                            "learning_rate": 0.1, "verbose": False}


def binary_model() -> Perceptron:
    return Perceptron([Layer(2, 3, "relu", random_state=0), Layer(3, 1, "sigmoid", random_state=1)])


def categorical_model() -> Perceptron:
    return Perceptron([Layer(2, 3, "relu", random_state=0), Layer(3, 3, "softmax", random_state=1)],
                      loss="categorical_crossentropy")


def fit_with(**changes: Any) -> Callable[[BaseModel], Any]:
    return lambda model: model.fit(**{**GOOD_FIT, **changes})


#: (case, model factory, call, exception, message pattern)
CASES: list[tuple[str, Callable[[], Perceptron], Callable[[BaseModel], Any], type, str]] = [
    ("empty X", binary_model, fit_with(training_data=np.empty((0, 2)), labels=np.empty(0)),
     ValueError, r"training_data must not be empty, got an array of shape \(0, 2\)"),
    ("X not 2-D", binary_model, fit_with(training_data=np.zeros((4, 2, 1))), ValueError,
     r"training_data must be a 2-D array .*got an array of shape \(4, 2, 1\)"),
    ("non-numeric X", binary_model, fit_with(training_data=[["a", "b"]] * 4), TypeError,
     r"training_data must hold numbers, got an array of dtype <U1"),
    ("NaN in X", binary_model, fit_with(training_data=np.where(XOR_X == 1, np.nan, XOR_X)),
     ValueError, r"training_data must not contain NaN or infinite values, got nan at index "
                 r"\(1, 1\)"),
    ("infinity in y", binary_model, fit_with(labels=np.array([0, np.inf, 1, 0])), ValueError,
     r"labels must not contain NaN or infinite values, got inf at index \(1,\)"),
    ("non-numeric y", binary_model, fit_with(labels=["no", "yes", "yes", "no"]), TypeError,
     r"labels must hold numbers"),
    ("len(X) != len(y)", binary_model, fit_with(labels=XOR_Y[:3]), ValueError,
     r"labels has 3 samples but the inputs have 4; they must match"),
    ("features in fit", binary_model, fit_with(training_data=np.ones((4, 3))), ValueError,
     r"training_data has 3 features per sample, but the first layer expects 2 \(n_inputs\)"),
    ("features in predict", binary_model, lambda m: m.predict(np.ones((4, 3))), ValueError,
     r"X has 3 features per sample, but the first layer expects 2"),
    ("features in predict_proba", binary_model, lambda m: m.predict_proba(np.ones((1, 5))),
     ValueError, r"X has 5 features per sample, but the first layer expects 2"),
    ("features in score", binary_model, lambda m: m.score(np.ones((4, 3)), XOR_Y), ValueError,
     r"X has 3 features per sample, but the first layer expects 2"),
    ("labels outside {0, 1}", binary_model, fit_with(labels=np.array([0, 1, 2, 0])),
     ValueError, r"labels must hold only 0 and 1 for binary_crossentropy, got values "
                 r"\[0, 1, 2\]"),
    ("label width", binary_model, fit_with(labels=np.ones((4, 2))), ValueError,
     r"labels has 2 columns but the output layer has 1 neurons"),
    ("not one-hot", categorical_model, fit_with(labels=np.full((4, 3), 0.5)), ValueError,
     r"labels must be one-hot rows \(a single 1 per row\) or class indices"),
    ("class index out of range", categorical_model, fit_with(labels=np.array([0, 1, 2, 3])),
     ValueError, r"labels must hold class indices in 0..2 or one-hot rows .*got values in "
                 r"\[0.0, 3.0\]|labels must hold class indices in 0..2"),
    ("non-integer class index", categorical_model, fit_with(labels=np.array([0, 1.5, 2, 0])),
     ValueError, r"labels must hold class indices in 0..2"),
    ("one-hot width", categorical_model, fit_with(labels=np.eye(4)), ValueError,
     r"labels has 4 columns but the output layer has 3 neurons"),
    ("epochs zero", binary_model, fit_with(epochs=0), ValueError,
     r"epochs must be a positive integer, got 0"),
    ("epochs float", binary_model, fit_with(epochs=2.5), TypeError,
     r"epochs must be a positive integer, got 2.5"),
    ("batch_size negative", binary_model, fit_with(batch_size=-1), ValueError,
     r"batch_size must be a positive integer, got -1"),
    ("batch_size string", binary_model, fit_with(batch_size="4"), TypeError,
     r"batch_size must be a positive integer, got '4'"),
    ("learning_rate negative", binary_model, fit_with(learning_rate=-0.1), ValueError,
     r"learning_rate must be a positive finite number, got -0.1"),
    ("learning_rate zero", binary_model, fit_with(learning_rate=0), ValueError,
     r"learning_rate must be a positive finite number, got 0"),
    ("learning_rate NaN", binary_model, fit_with(learning_rate=float("nan")), ValueError,
     r"learning_rate must be a positive finite number, got nan"),
    ("learning_rate infinite", binary_model, fit_with(learning_rate=float("inf")), ValueError,
     r"learning_rate must be a positive finite number, got inf"),
    ("learning_rate string", binary_model, fit_with(learning_rate="0.1"), TypeError,
     r"learning_rate must be a positive number, got '0.1'"),
    ("log_every zero", binary_model, fit_with(log_every=0), ValueError,
     r"log_every must be a positive integer, got 0"),
    ("random_state", binary_model, fit_with(random_state="seed"), TypeError,
     r"random_state must be None, an int or a numpy.random.Generator, got 'seed'"),
]


#: Runs a test once per case; the TensorFlow engine's tests use it too.
each_bad_input = pytest.mark.parametrize(("model_factory", "call", "error", "message"),
                                         [case[1:] for case in CASES],
                                         ids=[case[0] for case in CASES])


@each_bad_input
def test_bad_input_is_refused_before_any_change(
    model_factory: Callable[[], Perceptron], call: Callable[[BaseModel], Any], error: type,
    message: str,
) -> None:
    assert_refused_unchanged(model_factory(), call, error, message)


def assert_refused_unchanged(model: BaseModel, call: Callable[[BaseModel], Any], error: type,
                             message: str) -> None:
    """``call(model)`` raises ``error`` matching ``message`` and leaves the model as it was."""
    before = model.get_weights()
    with pytest.raises(error, match=message):
        call(model)
    for now, then in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(now, then)
        assert now.dtype == then.dtype
    assert len(model.history) == 0


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: Layer(2, 3, "swish"), ValueError,
         r"activation must be one of \['elu', 'exp', 'gelu', 'leaky_relu', 'linear', 'relu', "
         r"'sigmoid', 'silu', 'softmax', 'softplus', 'tanh'\] or an "
         r"Activation object, got 'swish'"),
        (lambda: Layer(2, 3, "relu", init="zeros"), ValueError,
         r"init must be one of \['he', 'normal', 'uniform', 'xavier'\], got 'zeros'"),
        (lambda: Perceptron([Layer(2, 1, "sigmoid")], loss="hinge"), ValueError,
         r"loss must be one of \['binary_crossentropy', 'categorical_crossentropy', "
         r"'mean_squared_error', 'poisson', 'squared_error'\].* got 'hinge'"),
        (lambda: Perceptron([Layer(2, 2, "relu"), Layer(3, 1, "sigmoid")]), ValueError,
         r"layers\[1\] has n_inputs=3 but layers\[0\] has n_neurons=2; consecutive layer sizes "
         r"must match"),
        (lambda: Perceptron([]), TypeError, r"layers must be a non-empty list of Layer objects"),
        (lambda: Perceptron([Layer(2, 1, "sigmoid"), "dense"]), TypeError,
         r"layers\[1\] must be a Layer, got 'dense'"),
        (lambda: Layer(0, 3, "relu"), ValueError, r"n_inputs must be a positive integer, got 0"),
        (lambda: Layer(2, 2.0, "relu"), TypeError,
         r"n_neurons must be a positive integer, got 2.0"),
        (lambda: Perceptron([Layer(2, 2, "softmax"), Layer(2, 1, "sigmoid")]), ValueError,
         r"layers\[0\]: softmax is only supported on the output layer"),
    ],
)
def test_bad_construction_names_the_argument(build: Callable[[], Any], error: type,
                                             message: str) -> None:
    with pytest.raises(error, match=message):
        build()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layout", ["C", "F", "strided", "1-D", "3-D"])
def test_every_non_finite_value_is_found_and_no_finite_one(dtype: type, layout: str) -> None:
    """The fast check (sums of rows, then each value only if a sum is not finite) finds a
    NaN or an infinity anywhere, and passes finite values whose sums overflow."""
    from scratchnn.validation import _all_finite

    def shaped(array: np.ndarray) -> np.ndarray:
        return {"C": array, "F": np.asfortranarray(array), "strided": array[:, ::2],
                "1-D": array.ravel(), "3-D": array.reshape(6, 8, 5)}[layout]

    largest = np.finfo(dtype).max
    assert _all_finite(shaped(np.full((12, 20), largest, dtype)))  # sums overflow
    for bad in (np.nan, np.inf, -np.inf):
        for row, column in ((0, 0), (7, 10), (11, 18)):
            values = np.random.default_rng(0).normal(size=(12, 20)).astype(dtype)
            values[row, column] = bad
            assert not _all_finite(shaped(values)), (bad, row, column)
    both = np.zeros((12, 20), dtype)
    both[3, 4], both[3, 6] = np.inf, -np.inf  # a row whose sum is NaN
    assert not _all_finite(shaped(both))
