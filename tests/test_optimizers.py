"""Optimizers: the NumPy engine against plain reference formulas; state that carries over."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scratchnn import SGD, Adam, load
from scratchnn.optimizers import get_optimizer
from tests.conftest import make_data, make_model


def reference_sgd(momentum: float, nesterov: bool, learning_rate: float):  # type: ignore[no-untyped-def]
    velocity: dict[int, np.ndarray] = {}

    def update(index: int, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if momentum == 0:
            return param - learning_rate * grad
        v = momentum * velocity.get(index, np.zeros_like(param)) - learning_rate * grad
        velocity[index] = v
        return param + (momentum * v - learning_rate * grad if nesterov else v)

    return update


def reference_adam(learning_rate: float, beta_1: float, beta_2: float, epsilon: float):  # type: ignore[no-untyped-def]
    m: dict[int, np.ndarray] = {}
    v: dict[int, np.ndarray] = {}
    steps: dict[int, int] = {}

    def update(index: int, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        steps[index] = t = steps.get(index, 0) + 1
        m[index] = beta_1 * m.get(index, np.zeros_like(param)) + (1 - beta_1) * grad
        v[index] = beta_2 * v.get(index, np.zeros_like(param)) + (1 - beta_2) * grad**2
        m_hat = m[index] / (1 - beta_1**t)
        v_hat = v[index] / (1 - beta_2**t)
        # Keras puts ε beside √v rather than √v̂: ε̂ = ε √(1 - β₂ᵗ).
        return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon / np.sqrt(1 - beta_2**t))

    return update


CASES = [
    ("sgd", lambda: SGD(0.1), lambda: reference_sgd(0.0, False, 0.1)),
    ("momentum", lambda: SGD(0.05, momentum=0.9), lambda: reference_sgd(0.9, False, 0.05)),
    ("nesterov", lambda: SGD(0.05, momentum=0.8, nesterov=True),
     lambda: reference_sgd(0.8, True, 0.05)),
    ("adam", lambda: Adam(0.01), lambda: reference_adam(0.01, 0.9, 0.999, 1e-7)),
    ("adam-custom", lambda: Adam(0.003, beta_1=0.8, beta_2=0.99, epsilon=1e-4),
     lambda: reference_adam(0.003, 0.8, 0.99, 1e-4)),
]


@pytest.mark.parametrize(("name", "optimizer", "reference"), CASES, ids=[c[0] for c in CASES])
def test_fifty_steps_match_the_reference_formulas(name: str, optimizer, reference) -> None:  # type: ignore[no-untyped-def]
    X, y = make_data(20, 3, 1, "binary_crossentropy")
    model = make_model([3, 5, 1], "tanh", init="xavier")
    expected = model.get_weights()
    update = reference()
    replay = make_model([3, 5, 1], "tanh", init="xavier")
    for step in range(50):
        batch = slice(4 * (step % 5), 4 * (step % 5) + 4)
        replay.set_weights(expected)
        replay._backward(y[batch].T, replay._forward(X[batch].T))
        expected = [update(i, p, g) for i, (p, g) in enumerate(
            zip(expected, replay.gradients(), strict=True))]
    model.fit(X, y, epochs=10, batch_size=4, optimizer=optimizer(), verbose=False)
    for got, want in zip(model.get_weights(), expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(("name", "optimizer", "reference"), CASES, ids=[c[0] for c in CASES])
def test_a_second_fit_and_a_reload_continue_the_state(name: str, optimizer, reference,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    X, y = make_data(20, 3, 1, "binary_crossentropy")
    once = make_model([3, 5, 1]).fit(X, y, epochs=6, batch_size=4, optimizer=optimizer(),
                                     verbose=False)
    twice = make_model([3, 5, 1]).fit(X, y, epochs=2, batch_size=4, optimizer=optimizer(),
                                      verbose=False)
    twice.fit(X, y, epochs=2, batch_size=4, verbose=False)  # continues with optimizer_
    twice.save(tmp_path / "model.npz")
    reloaded = load(tmp_path / "model.npz")
    reloaded.fit(X, y, epochs=2, batch_size=4, verbose=False)
    assert reloaded.optimizer_.iterations == once.optimizer_.iterations == 30
    for a, b in zip(once.get_weights(), reloaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert reloaded.history.loss == once.history.loss


def test_learning_rate_alone_is_plain_sgd_as_in_the_spec() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    model = make_model([2, 3, 1]).fit(X, y, epochs=2, learning_rate=0.3, verbose=False)
    assert isinstance(model.optimizer_, SGD) and model.optimizer_.momentum == 0
    assert model.optimizer_.learning_rate == 0.3
    named = make_model([2, 3, 1]).fit(X, y, epochs=2, optimizer="adam", learning_rate=0.02,
                                      verbose=False)
    assert isinstance(named.optimizer_, Adam) and named.optimizer_.learning_rate == 0.02


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: get_optimizer("rmsprop", None), ValueError,
         r"optimizer must be one of \['adam', 'sgd'\] or an Optimizer object, got 'rmsprop'"),
        (lambda: get_optimizer(SGD(0.1), 0.2), ValueError,
         r"give the learning rate to the optimizer object"),
        (lambda: SGD(0.1, momentum=1.5), ValueError, r"momentum must be in \[0, 1\), got 1.5"),
        (lambda: SGD(0.1, nesterov=True), ValueError, r"nesterov=True needs a momentum"),
        (lambda: Adam(-1), ValueError, r"learning_rate must be a positive finite number"),
        (lambda: Adam(0.1, beta_1=1), ValueError, r"beta_1 must be in \(0, 1\), got 1"),
    ],
)
def test_bad_optimizer_settings_are_refused(call, error: type, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()


def test_an_optimizer_with_state_refuses_another_network() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    adam = Adam(0.01)
    make_model([2, 3, 1]).fit(X, y, epochs=1, optimizer=adam, verbose=False)
    other = make_model([2, 4, 1], dtype=np.float32)
    before = other.get_weights()
    with pytest.raises(ValueError, match=r"holds state \(m\) for 13 parameters, not 17"):
        other.fit(X, y, epochs=1, optimizer=adam, verbose=False)
    # Refused before anything changed: no optimizer_, the same weights in the same dtype.
    assert other.optimizer_ is None and len(other.history) == 0
    for a, b in zip(other.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float32
    other.fit(X, y, epochs=1, learning_rate=0.1, verbose=False)  # and later fits work


def test_plain_sgd_serves_networks_of_other_sizes_and_dtypes() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    shared = SGD(0.1)
    for sizes, dtype in [([2, 3, 1], np.float64), ([2, 5, 1], np.float64),
                         ([2, 5, 1], np.float32)]:
        rows = X.astype(dtype)
        with_shared = make_model(sizes).fit(rows, y, epochs=3, optimizer=shared, verbose=False)
        with_fresh = make_model(sizes).fit(rows, y, epochs=3, optimizer=SGD(0.1), verbose=False)
        for a, b in zip(with_shared.get_weights(), with_fresh.get_weights(), strict=True):
            assert a.dtype == dtype
            np.testing.assert_array_equal(a, b)
