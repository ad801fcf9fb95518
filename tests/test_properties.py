"""Property-based tests: random architectures, batch sizes and data."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scratchnn import Layer, Perceptron, gradcheck
from scratchnn.gradcheck import backprop_gradients
from scratchnn.validation import check_X_y
from tests.conftest import OUTPUT_FOR_LOSS

LOSSES = list(OUTPUT_FOR_LOSS)


@st.composite
def networks(draw: st.DrawFn) -> tuple[Perceptron, np.ndarray, np.ndarray]:
    loss = draw(st.sampled_from(LOSSES))
    output, _ = OUTPUT_FOR_LOSS[loss]
    n_outputs = draw(st.integers(2, 4)) if loss == "categorical_crossentropy" else draw(
        st.integers(1, 3))
    sizes = [draw(st.integers(1, 5)), *draw(st.lists(st.integers(1, 6), min_size=0, max_size=3)),
             n_outputs]
    hidden = draw(st.sampled_from(["relu", "sigmoid", "tanh", "linear"]))
    init = draw(st.sampled_from(["he", "xavier", "normal", "uniform"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    layers = [Layer(n_in, n_out, hidden if index < len(sizes) - 2 else output, init=init,
                    random_state=rng)
              for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes))]
    n_samples = draw(st.integers(1, 12))
    # An exponential output grows fast: small inputs keep Poisson's first steps finite.
    X = rng.normal(scale=0.2 if loss == "poisson" else 2, size=(n_samples, sizes[0]))
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, size=(n_samples, n_outputs)).astype(float)
    elif loss == "categorical_crossentropy":
        y = rng.integers(0, n_outputs, size=n_samples)
    elif loss == "poisson":
        y = rng.poisson(1.5, size=(n_samples, n_outputs)).astype(float)
    else:
        y = rng.normal(size=(n_samples, n_outputs))
    return Perceptron(layers, loss=loss), X, y


@settings(max_examples=60, deadline=None)
@given(network=networks(), batch_size=st.one_of(st.none(), st.integers(1, 15)))
def test_shapes_and_finite_outputs(network: tuple[Perceptron, np.ndarray, np.ndarray],
                                   batch_size: int | None) -> None:
    model, X, y = network
    model.fit(X, y, epochs=2, learning_rate=0.01, batch_size=batch_size, verbose=False)
    assert len(model.history.loss) == 2 and np.isfinite(model.history.loss).all()
    proba = model.predict_proba(X)
    assert proba.shape == (len(X), model.n_outputs)
    assert np.isfinite(proba).all()
    predictions = model.predict(X)
    assert predictions.shape[0] == len(X)
    assert 0.0 <= model.score(X, y) <= 1.0 or model.loss.name in (
        "mean_squared_error", "squared_error", "poisson")


@settings(max_examples=40, deadline=None)
@given(network=networks())
def test_gradients_pass_the_finite_difference_check(
    network: tuple[Perceptron, np.ndarray, np.ndarray],
) -> None:
    model, X, y = network
    # Keep ReLU inputs off the kink, where the derivative is not defined.
    for layer in model.layers:
        layer.biases += 0.0123
    # Central differences have an absolute error near 1e-10; only gradients well above it can
    # be compared relatively.
    X_checked, Y = check_X_y(X, y, model.n_features, model.n_outputs, model.loss)
    assume(all(np.linalg.norm(g) > 1e-3 for g in backprop_gradients(model, X_checked, Y)))
    errors = gradcheck(model, X, y)
    assert max(errors.values()) < 1e-6, errors
