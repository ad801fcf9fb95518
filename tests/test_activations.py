"""Activations: values, derivatives against central differences, stable sigmoid."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnn import activations
from scratchnn.activations import ACTIVATIONS, get_activation

ELEMENTWISE = ["relu", "sigmoid", "tanh", "linear", "leaky_relu", "elu", "gelu", "silu", "softplus"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences(name: str) -> None:
    f = ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3, size=(4, 7))
    z[np.abs(z) < 1e-3] = 0.5  # keep ReLU away from its kink
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(f.derivative(z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_backward_is_da_times_jacobian(name: str) -> None:
    f = ACTIVATIONS[name]
    rng = np.random.default_rng(1)
    z = rng.normal(size=(3, 5))
    da = rng.normal(size=(3, 5))
    h = 1e-6
    # dz_j = Σ_i da_i ∂a_i/∂z_j, by central differences on each z_j of each sample.
    numeric = np.zeros_like(z)
    for j, s in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[j, s] = h
        numeric[j, s] = (da[:, s] @ (f(z + step) - f(z - step))[:, s]) / (2 * h)
    np.testing.assert_allclose(f.backward(da, z, f(z)), numeric, rtol=1e-6, atol=1e-9)


def test_softmax_derivative_is_the_jacobian() -> None:
    z = np.random.default_rng(2).normal(size=(4, 3))
    jacobian = activations.softmax.derivative(z)
    h = 1e-6
    for j in range(4):
        step = np.zeros_like(z)
        step[j] = h
        numeric = (activations.softmax(z + step) - activations.softmax(z - step)) / (2 * h)
        np.testing.assert_allclose(jacobian[:, j, :], numeric, rtol=1e-6, atol=1e-9)


def test_softmax_columns_sum_to_one_without_overflow() -> None:
    z = np.array([[1000.0, -1000.0], [1001.0, -999.0], [0.0, 5.0]])
    a = activations.softmax(z)
    np.testing.assert_allclose(a.sum(axis=0), 1.0)
    assert np.isfinite(a).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_with_exact_limits(dtype: type) -> None:
    z = np.array([-1e4, -800.0, -100.0, 0.0, 100.0, 800.0, 1e4], dtype=dtype)
    # Underflow to 0 is the exact limit; overflow or an invalid operation would be a bug.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = activations.sigmoid(z)
    assert a.dtype == dtype
    assert a[0] == 0.0 and a[-1] == 1.0
    assert a[3] == 0.5
    assert np.all(np.diff(a) >= 0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_keeps_dtype(name: str, dtype: type) -> None:
    z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    f = ACTIVATIONS[name]
    assert f(z).dtype == dtype
    assert f.backward(z, z, f(z)).dtype == dtype


def test_spec_instances_and_lookup() -> None:
    assert isinstance(activations.relu, activations.ReLU)
    assert isinstance(activations.sigmoid, activations.Sigmoid)
    assert get_activation("ReLU") is activations.relu
    assert activations.relu(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    with pytest.raises(ValueError, match=r"activation must be one of .*'relu'.*got 'swish'"):
        get_activation("swish")
