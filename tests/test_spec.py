"""The spec's own code, written as the spec writes it, and its promises."""

from __future__ import annotations

import re

import numpy as np
import pytest

from scratchnn import Layer, Perceptron
from scratchnn.utils import X_train, relu, sigmoid, y_train


def test_spec_code_runs_and_prints_the_loss_lines(capsys: pytest.CaptureFixture[str]) -> None:
    layers = [Layer(2, 4, relu), Layer(4, 1, sigmoid)]
    perceptron = Perceptron(layers)
    perceptron.fit(X_train, y_train, epochs=5, learning_rate=0.01)
    output = capsys.readouterr().out.splitlines()
    lines = [line for line in output if line.startswith("Loss at epoch")]
    # After the loss lines, fit may add a diagnosis (a dead ReLU unit, say).
    assert output[:5] == lines and all(line.startswith("Diagnosis: ") for line in output[5:])
    assert len(lines) == 5
    for epoch, line in enumerate(lines, start=1):
        assert re.fullmatch(rf"Loss at epoch {epoch}: \d+\.\d{{3}}", line), line
    assert [float(line.split(": ")[1]) for line in lines] == [
        round(loss, 3) for loss in perceptron.history.loss
    ]


def test_spec_data_is_the_xor_table() -> None:
    np.testing.assert_array_equal(X_train, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y_train, [[0], [1], [1], [0]])


@pytest.mark.parametrize("seed", range(10))
def test_loss_falls_at_every_epoch_with_learning_rate_001(seed: int) -> None:
    rng = np.random.default_rng(seed)
    layers = [Layer(2, 2, sigmoid, init="normal", random_state=rng),
              Layer(2, 1, sigmoid, init="normal", random_state=rng)]
    perceptron = Perceptron(layers)
    perceptron.fit(X_train, y_train, epochs=100, learning_rate=0.01, verbose=False)
    assert np.all(np.diff(perceptron.history.loss) < 0)


def test_layer_holds_the_spec_shapes() -> None:
    layer = Layer(3, 5, relu)
    assert layer.weights.shape == (5, 3)
    assert layer.biases.shape == (5, 1)
    np.testing.assert_array_equal(layer.biases, 0)


def test_layer_backward_follows_the_spec_order_and_update() -> None:
    rng = np.random.default_rng(0)
    layer = Layer(3, 2, sigmoid, random_state=rng)
    W, b = layer.weights.copy(), layer.biases.copy()
    a_prev = rng.normal(size=(3, 1))
    a = layer.forward(a_prev)
    np.testing.assert_allclose(a, sigmoid(W @ a_prev + b))
    da = rng.normal(size=(2, 1))
    da_prev = layer.backward(da, learning_rate=0.1)
    dz = da * sigmoid.derivative(W @ a_prev + b)
    np.testing.assert_allclose(layer.d_weights, dz @ a_prev.T)
    np.testing.assert_allclose(layer.d_biases, dz)
    np.testing.assert_allclose(da_prev, W.T @ dz)
    np.testing.assert_allclose(layer.weights, W - 0.1 * dz @ a_prev.T)
    np.testing.assert_allclose(layer.biases, b - 0.1 * dz)
