"""The course solution with one slip: unknown names."""

import numpy as np


class ReLU:
    def __call__(self, z):
        return np.maximum(0, z)

    def derivative(self, z):
        return (z > 0).astype(float)


class Sigmoid:
    def __call__(self, z):
        return 1 / (1 + np.exp(-z))

    def derivative(self, z):
        s = self(z)
        return s * (1 - s)


relu = ReLU()
sigmoid = Sigmoid()


class Layer:
    def __init__(self, n_inputs, n_neurons, activation):
        self.weights = np.random.randn(n_neurons, n_inputs)
        self.biases = np.zeros((n_neurons, 1))
        self.activation = activation

    def forward(self, inputs):
        self.inputs = inputs
        self.z = np.dot(self.weights, inputs) + self.biases
        return self.activation(self.z)

    def backward(self, da, learning_rate):
        dz = da * self.activation.derivative(self.z)
        gw = np.dot(dz, self.inputs.T)
        d_biases = dz
        da_prev = np.dot(self.weights.T, dz)
        self.weights -= learning_rate * gw
        self.biases -= learning_rate * d_biases
        return da_prev


class Perceptron:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def fit(self, training_data, labels, epochs, learning_rate):
        for epoch in range(epochs):
            total = 0.0
            for x, y in zip(training_data, labels):
                x = x.reshape(-1, 1)
                y = y.reshape(-1, 1)
                y_hat = self.forward(x)
                total += float(np.sum(-(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))))
                da = (y_hat - y) / (y_hat * (1 - y_hat))
                for layer in reversed(self.layers):
                    da = layer.backward(da, learning_rate)
            print(f"Loss at epoch {epoch + 1}: {total / len(training_data):.3f}")
