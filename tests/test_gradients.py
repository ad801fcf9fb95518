"""Backpropagation through whole networks against central finite differences, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnn import gradcheck
from scratchnn.gradcheck import backprop_gradients, numerical_gradients, relative_error
from tests.conftest import OUTPUT_FOR_LOSS, make_data, make_model


@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "linear", "leaky_relu", "elu",
                                    "gelu", "silu", "softplus"])
@pytest.mark.parametrize("seed", range(3))
def test_every_layer_gradient_matches_finite_differences(loss: str, hidden: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    n_features = int(rng.integers(1, 5))
    widths = [int(w) for w in rng.integers(1, 6, size=rng.integers(1, 3))]
    model = make_model([n_features, *widths, n_outputs], hidden, output, loss, seed=seed,
                       init="xavier")
    X, y = make_data(int(rng.integers(1, 8)), n_features, n_outputs, loss, seed=seed)
    errors = gradcheck(model, X, y)
    assert len(errors) == 2 * len(model.layers)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
def test_unfused_output_gradient_matches_finite_differences(loss: str) -> None:
    # A tanh output with each loss goes through ∂L/∂ŷ ⊙ f'(z) rather than the fused ŷ - y.
    _, n_outputs = OUTPUT_FOR_LOSS[loss]
    model = make_model([3, 4, n_outputs], "tanh", "sigmoid" if loss != "mean_squared_error"
                       else "tanh", loss, init="xavier")
    if loss == "categorical_crossentropy":
        model = make_model([3, 4, n_outputs], "tanh", "softmax", "mean_squared_error")
    X, y = make_data(6, 3, n_outputs, "mean_squared_error" if loss == "categorical_crossentropy"
                     else loss)
    assert not model._fused_output or loss == "binary_crossentropy"
    assert max(gradcheck(model, X, y).values()) < 1e-6


def test_the_check_catches_a_missing_batch_factor() -> None:
    model = make_model([2, 3, 1], init="xavier")
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    analytic = backprop_gradients(model, X, y)
    numeric = numerical_gradients(model, X, y)
    assert max(relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)) < 1e-6
    # The sum of the per-sample gradients instead of their mean: a factor of 8 too large.
    assert relative_error(analytic[0] * 8, numeric[0]) > 0.5
    assert relative_error(-analytic[0], numeric[0]) == pytest.approx(1.0)


def test_gradcheck_leaves_the_model_unchanged() -> None:
    model = make_model([2, 3, 1], dtype=np.float32)
    before = model.get_weights()
    gradcheck(model, *make_data(4, 2, 1, "binary_crossentropy"))
    for w, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(w, b)
        assert w.dtype == np.float32
