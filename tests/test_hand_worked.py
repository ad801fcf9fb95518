"""One step of a 2-2-1 network on one sample, worked out by hand."""

from __future__ import annotations

import numpy as np

from scratchnn import Layer, Perceptron


def test_one_step_by_hand() -> None:
    hidden = Layer(2, 2, "relu")
    output = Layer(2, 1, "sigmoid")
    model = Perceptron([hidden, output])
    model.set_weights([
        np.array([[0.5, -0.5], [1.0, 0.5]]), np.zeros((2, 1)),
        np.array([[1.0, -0.2]]), np.zeros((1, 1)),
    ])
    # Forward, x = (2, 1):
    #   z1 = W1 x + b1 = (0.5·2 - 0.5·1, 1·2 + 0.5·1) = (0.5, 2.5);  a1 = relu(z1) = (0.5, 2.5)
    #   z2 = W2 a1 + b2 = 1·0.5 - 0.2·2.5 = 0;  ŷ = σ(0) = 0.5
    #   L = -log(0.5) = 0.693147...
    # Backward, y = 1:
    #   da2 = (ŷ - y) / (ŷ(1 - ŷ)) = -0.5 / 0.25 = -2;  dz2 = da2 · σ'(z2) = -2 · 0.25 = -0.5
    #   dW2 = dz2 a1ᵀ = (-0.25, -1.25);  db2 = -0.5
    #   da1 = W2ᵀ dz2 = (-0.5, 0.1);  dz1 = da1 ⊙ relu'(z1) = (-0.5, 0.1)
    #   dW1 = dz1 xᵀ = ((-1.0, -0.5), (0.2, 0.1));  db1 = (-0.5, 0.1)
    # Update with learning rate 0.1:
    #   W1 = ((0.6, -0.45), (0.98, 0.49));  b1 = (0.05, -0.01)
    #   W2 = (1.025, -0.075);  b2 = 0.05
    model.fit(np.array([[2.0, 1.0]]), np.array([1]), epochs=1, learning_rate=0.1, verbose=False)
    assert model.history.loss == [np.log(2)]
    np.testing.assert_allclose(hidden.d_weights, [[-1.0, -0.5], [0.2, 0.1]], rtol=1e-15)
    np.testing.assert_allclose(output.d_weights, [[-0.25, -1.25]], rtol=1e-15)
    np.testing.assert_allclose(hidden.weights, [[0.6, -0.45], [0.98, 0.49]], rtol=1e-15)
    np.testing.assert_allclose(hidden.biases, [[0.05], [-0.01]], rtol=1e-15)
    np.testing.assert_allclose(output.weights, [[1.025, -0.075]], rtol=1e-15)
    np.testing.assert_allclose(output.biases, [[0.05]], rtol=1e-15)
