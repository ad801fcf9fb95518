"""Perceptron.fit: the spec's per-sample algorithm, mini-batches, dtype, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnn import Layer, Perceptron
from scratchnn.activations import sigmoid
from tests.conftest import OUTPUT_FOR_LOSS, make_data, make_model


def reference_fit(weights: list[np.ndarray], X: np.ndarray, y: np.ndarray, epochs: int,
                  learning_rate: float) -> tuple[list[np.ndarray], list[float]]:
    """The spec's algorithm for a sigmoid network with binary cross-entropy, written plainly."""
    W = [w.copy() for w in weights[0::2]]
    b = [w.copy() for w in weights[1::2]]
    losses = []
    for _ in range(epochs):
        total = 0.0
        for x, target in zip(X, y, strict=True):
            a = [x.reshape(-1, 1)]
            for Wl, bl in zip(W, b, strict=True):
                a.append(sigmoid(Wl @ a[-1] + bl))
            y_hat = a[-1]
            total += float(-(target * np.log(y_hat) + (1 - target) * np.log(1 - y_hat))[0, 0])
            da = (y_hat - target) / (y_hat * (1 - y_hat))
            for layer in reversed(range(len(W))):
                dz = da * a[layer + 1] * (1 - a[layer + 1])
                d_weights, d_biases = dz @ a[layer].T, dz
                da = W[layer].T @ dz
                W[layer] -= learning_rate * d_weights
                b[layer] -= learning_rate * d_biases
        losses.append(total / len(X))
    return [p for pair in zip(W, b, strict=True) for p in pair], losses


def test_batch_size_1_is_the_spec_algorithm(xor_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xor_data
    model = make_model([2, 3, 1])
    expected_weights, expected_losses = reference_fit(model.get_weights(), X, y, 20, 0.5)
    model.fit(X, y, epochs=20, learning_rate=0.5, verbose=False)
    np.testing.assert_allclose(model.history.loss, expected_losses, rtol=1e-12)
    for got, expected in zip(model.get_weights(), expected_weights, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
def test_full_batch_step_is_the_mean_of_per_sample_gradients(loss: str) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(7, 3, n_outputs, loss)
    model = make_model([3, 4, n_outputs], "tanh", output, loss)
    start = model.get_weights()
    per_sample = []
    for x_row, y_row in zip(X, y, strict=True):
        model.set_weights(start)
        model._backward(y_row[:, None], model._forward(x_row[:, None]))
        per_sample.append([g.copy() for g in model.gradients()])
    mean_gradients = [np.mean(grads, axis=0) for grads in zip(*per_sample, strict=True)]
    model.set_weights(start)
    model.fit(X, y, epochs=1, learning_rate=0.1, batch_size=None, verbose=False)
    for got, w0, g in zip(model.get_weights(), start, mean_gradients, strict=True):
        np.testing.assert_allclose(got, w0 - 0.1 * g, rtol=1e-12, atol=1e-15)


def test_short_last_batch_is_weighted_by_its_size() -> None:
    X, y = make_data(5, 2, 1, "binary_crossentropy")
    model = make_model([2, 3, 1])
    start = model.get_weights()
    model.fit(X, y, epochs=1, learning_rate=1e-12, batch_size=2, verbose=False)
    model.set_weights(start)
    per_sample = model.loss.per_sample(y.T, model._forward(X.T))
    assert model.history.loss[0] == pytest.approx(per_sample.mean(), rel=1e-9)


def test_same_random_state_gives_bit_identical_weights() -> None:
    X, y = make_data(30, 2, 1, "binary_crossentropy")
    runs = []
    for _ in range(2):
        model = make_model([2, 5, 1], seed=7)
        model.fit(X, y, epochs=5, learning_rate=0.3, batch_size=4, shuffle=True,
                  random_state=11, verbose=False)
        runs.append((model.get_weights(), model.history.loss))
    for a, b in zip(runs[0][0], runs[1][0], strict=True):
        np.testing.assert_array_equal(a, b)
    assert runs[0][1] == runs[1][1]


def test_shuffle_changes_the_order_but_not_the_data() -> None:
    X, y = make_data(12, 2, 1, "binary_crossentropy")
    plain = make_model([2, 3, 1]).fit(X, y, epochs=2, learning_rate=0.3, verbose=False)
    shuffled = make_model([2, 3, 1]).fit(X, y, epochs=2, learning_rate=0.3, shuffle=True,
                                         random_state=0, verbose=False)
    assert not np.array_equal(plain.get_weights()[0], shuffled.get_weights()[0])


@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
def test_float32_input_trains_float32_parameters(loss: str) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(16, 3, n_outputs, loss)
    model = make_model([3, 5, n_outputs], "relu", output, loss)
    model.fit(X.astype(np.float32), y.astype(np.float32), epochs=3, learning_rate=0.1,
              batch_size=4, verbose=False)
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict_proba(X.astype(np.float32)).dtype == np.float32


def test_labels_as_vector_or_column_are_the_same() -> None:
    X, y = make_data(10, 2, 1, "binary_crossentropy")
    a = make_model([2, 3, 1]).fit(X, y[:, 0], epochs=3, learning_rate=0.2, verbose=False)
    b = make_model([2, 3, 1]).fit(X, y, epochs=3, learning_rate=0.2, verbose=False)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


def test_class_indices_and_one_hot_are_the_same() -> None:
    X, y = make_data(10, 2, 3, "categorical_crossentropy")
    kwargs = {"hidden": "relu", "output": "softmax", "loss": "categorical_crossentropy"}
    a = make_model([2, 4, 3], **kwargs).fit(X, y.argmax(axis=1), epochs=3, learning_rate=0.2,
                                           verbose=False)
    b = make_model([2, 4, 3], **kwargs).fit(X, y, epochs=3, learning_rate=0.2, verbose=False)
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])
    assert a.predict(X).shape == (10,)
    assert a.predict_proba(X).shape == (10, 3)
    np.testing.assert_allclose(a.predict_proba(X).sum(axis=1), 1.0)


def test_fit_continues_the_history() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    model = make_model([2, 3, 1])
    assert model.fit(X, y, epochs=3, verbose=False) is model
    model.fit(X, y, epochs=2, verbose=False)
    assert model.history.epoch == [1, 2, 3, 4, 5]
    assert model.loss_curve_ is model.history.loss


def test_history_copy_is_independent() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    history = make_model([2, 3, 1]).fit(X, y, epochs=2, validation_split=0.25,
                                        verbose=False).history
    copied = history.copy()
    assert copied == history
    copied.append(3, 0.5, 0.5, 1.0)
    assert len(history) == 2 and len(history.val_loss) == 2 and len(copied.val_loss) == 3


def test_predict_score_summary_and_repr(xor_data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = xor_data
    model = make_model([2, 2, 1])
    model.set_weights([np.array([[20.0, 20.0], [-20.0, -20.0]]), np.array([[-10.0], [30.0]]),
                       np.array([[20.0, 20.0]]), np.array([[-30.0]])])
    assert model.predict(X).tolist() == [0, 1, 1, 0]
    assert model.score(X, y) == 1.0
    assert model.score(X, 1 - y) == 0.0
    assert model.predict_proba(X).shape == (4, 1)
    summary = model.summary()
    assert "total parameters: 9" in summary and "(2, 2)" in summary
    assert repr(model).startswith("Perceptron([Layer(n_inputs=2, n_neurons=2")


def test_regression_score_is_r2() -> None:
    X, y = make_data(40, 2, 1, "mean_squared_error")
    model = make_model([2, 8, 1], "tanh", "linear", "mean_squared_error", init="xavier")
    y = X @ np.array([[1.0], [-2.0]])
    model.fit(X, y, epochs=200, learning_rate=0.05, batch_size=None, verbose=False)
    assert model.predict(X).shape == (40,)
    assert model.score(X, y) > 0.95


def test_layers_are_seeded_by_their_own_generator() -> None:
    state = np.random.get_state()  # noqa: NPY002 - checking the legacy global state is untouched
    a = Layer(3, 4, "relu", random_state=5)
    b = Layer(3, 4, "relu", random_state=5)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert np.random.get_state()[1].tolist() == state[1].tolist()  # noqa: NPY002


@pytest.mark.parametrize(
    ("init", "check"),
    [
        ("he", lambda w: abs(w.std() - np.sqrt(2 / 400)) < 0.003),
        ("xavier", lambda w: abs(np.abs(w).max() - np.sqrt(6 / 500)) < 0.003),
        ("normal", lambda w: abs(w.std() - 1) < 0.02),
        ("uniform", lambda w: w.min() >= -1 and w.max() < 1 and abs(w.std() - 1 / 3**0.5) < 0.02),
    ],
)
def test_initialisers_draw_the_documented_distributions(init: str, check: object) -> None:
    layer = Layer(400, 100, "relu", init=init, random_state=0)
    assert check(layer.weights)  # type: ignore[operator]
    assert layer.biases.shape == (100, 1) and not layer.biases.any()


def test_mismatched_layer_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"layers\[1\] has n_inputs=3 but layers\[0\] has "
                                         r"n_neurons=2"):
        Perceptron([Layer(2, 2, "relu"), Layer(3, 1, "sigmoid")])


def test_from_sizes_builds_the_layers_in_order_from_one_generator() -> None:
    rng = np.random.default_rng(5)
    by_hand = Perceptron([Layer(3, 4, "tanh", init="xavier", random_state=rng),
                          Layer(4, 2, "softmax", init="xavier", random_state=rng)],
                         loss="categorical_crossentropy")
    built = Perceptron.from_sizes([3, 4, 2], "tanh", "softmax", "categorical_crossentropy",
                                  init="xavier", random_state=5)
    assert repr(built) == repr(by_hand)
    for a, b in zip(built.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    default_init = Perceptron.from_sizes([2, 3, 1], "relu", "sigmoid", "binary_crossentropy")
    assert [layer.init for layer in default_init.layers] == ["he", "xavier"]
    single = Perceptron.from_sizes([2, 1], "relu", "sigmoid", "binary_crossentropy",
                                   dtype=np.float32)
    assert single.layers[0].activation.name == "sigmoid" and single.dtype == np.float32
