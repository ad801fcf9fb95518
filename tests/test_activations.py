"""Activations: values, derivatives against central differences, stable sigmoid."""

from __future__ import annotations

from typing import Any

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


KERAS_ACTIVATIONS = ["leaky_relu", "elu", "gelu", "silu", "softplus"]


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_keras_activations_have_keras_values(name: str) -> None:
    keras = pytest.importorskip("keras")
    z = np.array([-40.0, -3.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 3.0, 40.0])
    expected = np.asarray(getattr(keras.activations, name)(z))
    # Keras takes leaky_relu's slope and gelu's 1/√2 through float32 (see tf_engine.ops),
    # and elu's e^z - 1 near 0 without expm1.
    rtol, atol = {"leaky_relu": (2e-8, 0), "gelu": (0, 5e-9)}.get(name, (1e-12, 0))
    np.testing.assert_allclose(ACTIVATIONS[name](z), expected, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_keras_activations_are_stable_far_from_the_origin(name: str) -> None:
    z = np.array([-1e4, -800.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        a, d = ACTIVATIONS[name](z), ACTIVATIONS[name].derivative(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    np.testing.assert_allclose(a[2:], z[2:])  # all of them are the identity far right


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_keras_activations_can_write_over_their_input(name: str) -> None:
    f = ACTIVATIONS[name]
    z = np.linspace(-3, 3, 12).reshape(3, 4)
    expected, da = f(z), np.ones_like(z)
    expected_dz = f.backward(da, z, expected)
    np.testing.assert_array_equal(f.backward(da, z, expected, out=da), expected_dz)
    np.testing.assert_array_equal(f(z, out=z), expected)


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_keras_activations_are_saved_and_loaded(name: str, tmp_path: Any) -> None:
    from scratchnn import Perceptron, load

    model = Perceptron.from_sizes([3, 4, 2], name, "softmax", "categorical_crossentropy",
                                  random_state=0)
    model.save(tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert loaded.layers[0].activation is ACTIVATIONS[name]
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize("name", KERAS_ACTIVATIONS)
def test_estimators_take_the_keras_activations(name: str) -> None:
    pytest.importorskip("sklearn")
    from scratchnn.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    classifier = MLPClassifier((5,), activation=name, solver="lbfgs", max_iter=50,
                               random_state=0).fit(X, y)
    assert classifier.score(X, y) > 0.9


def test_gelu_is_exact() -> None:
    # Φ(0.5) and Φ(1) to 16 digits (the standard normal table): Keras's float64 gelu is 4e-9
    # away from these, scratchnn's on them.
    z = np.array([0.5, 1.0])
    np.testing.assert_allclose(activations.gelu(z), z * [0.6914624612740131, 0.8413447460685429],
                               rtol=1e-15)


def test_gelu_without_scipy_says_what_it_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "scipy.special", None)  # as if SciPy were not installed
    activations._standard_normal_cdf.cache_clear()
    try:
        with pytest.raises(ImportError, match="the gelu activation needs SciPy"):
            activations.gelu(np.zeros(2))
    finally:
        activations._standard_normal_cdf.cache_clear()
