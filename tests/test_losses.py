"""Losses: derivatives against central differences, saturation, the fused output gradient."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnn.activations import linear, sigmoid, softmax
from scratchnn.losses import LOSSES, binary_crossentropy, get_loss
from tests.conftest import make_data


@pytest.mark.parametrize("name", list(LOSSES))
def test_derivative_matches_central_differences(name: str) -> None:
    loss = LOSSES[name]
    _, y = make_data(5, 1, 3, name)
    rng = np.random.default_rng(3)
    y_pred = softmax(rng.normal(size=(3, 5))) if name == "categorical_crossentropy" else (
        rng.uniform(0.1, 0.9, size=(3, 5))
    )
    y_true = y.T
    h = 1e-7
    numeric = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        step = np.zeros_like(y_pred)
        step[index] = h
        numeric[index] = (loss(y_true, y_pred + step) - loss(y_true, y_pred - step)) / (2 * h)
    np.testing.assert_allclose(loss.derivative(y_true, y_pred), numeric, rtol=1e-6, atol=1e-9)


def test_binary_crossentropy_is_the_spec_formula() -> None:
    y, p = np.array([[1.0, 0.0]]), np.array([[0.8, 0.3]])
    expected = -(np.log(0.8) + np.log(0.7)) / 2
    assert binary_crossentropy(y, p) == pytest.approx(expected, rel=1e-12)
    # The spec's daⁿ = (ŷ - y) / (ŷ(1 - ŷ)), here divided by the batch size 2.
    np.testing.assert_allclose(
        binary_crossentropy.derivative(y, p), [[(0.8 - 1) / (0.8 * 0.2) / 2, 0.3 / 0.21 / 2]]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_saturated_sigmoid_gives_finite_loss_and_useful_gradient(dtype: type) -> None:
    z = np.array([[-1e4, 1e4]], dtype=dtype)
    y_hat = sigmoid(z)
    y = np.array([[1.0, 0.0]], dtype=dtype)  # both maximally wrong
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = binary_crossentropy(y, y_hat)
        chain = binary_crossentropy.derivative(y, y_hat)
    assert np.isfinite(value) and value > 10
    assert np.isfinite(chain).all()
    np.testing.assert_array_equal(binary_crossentropy.fused_output_gradient(y, y_hat),
                                  [[-0.5, 0.5]])


@pytest.mark.parametrize(
    ("name", "activation"),
    [("binary_crossentropy", sigmoid), ("categorical_crossentropy", softmax),
     ("mean_squared_error", linear)],
)
def test_fused_gradient_equals_the_chain(name: str, activation: object) -> None:
    loss = LOSSES[name]
    assert loss.is_fused_with(activation)  # type: ignore[arg-type]
    rng = np.random.default_rng(4)
    z = rng.normal(size=(3, 1)) if name != "binary_crossentropy" else rng.normal(size=(1, 1))
    y_hat = activation(z)  # type: ignore[operator]
    _, y = make_data(1, 1, z.shape[0], name)
    y = y.T
    chain = activation.backward(loss.derivative(y, y_hat), z, y_hat)  # type: ignore[attr-defined]
    np.testing.assert_allclose(loss.fused_output_gradient(y, y_hat), chain, rtol=1e-12)
    np.testing.assert_allclose(loss.fused_output_gradient(y, y_hat), y_hat - y, rtol=1e-15)


def test_unknown_loss_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"loss must be one of .*binary_crossentropy.*'hinge'"):
        get_loss("hinge")


@pytest.mark.parametrize(
    ("name", "activation"),
    [("binary_crossentropy", sigmoid), ("categorical_crossentropy", softmax),
     ("mean_squared_error", linear)],
)
def test_loss_from_logits_equals_loss_of_activation(name: str, activation: object) -> None:
    loss = LOSSES[name]
    z = np.random.default_rng(5).normal(scale=3, size=(3, 6))
    _, y = make_data(6, 1, 3, name)
    np.testing.assert_allclose(loss.per_sample_from_logits(y.T, z),
                               loss.per_sample(y.T, activation(z)),  # type: ignore[operator]
                               rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_loss_from_logits_is_exact_when_saturated(dtype: type) -> None:
    z = np.array([[-1e4, 1e4, 50.0]], dtype=dtype)
    y = np.array([[1.0, 0.0, 0.0]], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        losses = binary_crossentropy.per_sample_from_logits(y, z)
    np.testing.assert_allclose(losses, [1e4, 1e4, 50.0], rtol=1e-6)
    assert losses.dtype == dtype
