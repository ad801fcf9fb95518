"""``scratchnn.course.from_course_weights``: the course's weight layout (document A, samples as
rows) turned into scratchnn's, without TensorFlow."""

from __future__ import annotations

import numpy as np
import pytest

from scratchnn.course import from_course_weights
from scratchnn.trace import trace

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def test_the_course_layout_is_turned_into_scratchnns() -> None:
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=(3, 1)), \
        rng.normal(size=1)
    model = from_course_weights(W1, b1, W2, b2)
    assert model.layers[0].weights.shape == (3, 2) and model.layers[0].biases.shape == (3, 1)
    np.testing.assert_allclose(model.predict_proba(X).ravel(),
                               sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2).ravel())
    ours = from_course_weights(W1.T, b1.reshape(-1, 1), W2.T, b2.reshape(-1, 1),
                               layout="scratchnn")
    np.testing.assert_allclose(ours.predict_proba(X), model.predict_proba(X))


@pytest.mark.parametrize(("shapes", "layout", "said"), [
    (((2, 2), 2, (2, 1), 1), None, "W1 2x2 is square"),
    (((3, 2), 3, (1, 3), 1), None, "say layout='scratchnn'"),
    (((2, 2), 2, (2, 1), 1), "columns", "layout must be one of ['course', 'scratchnn']"),
    (((2, 3), 2, (3, 1), 1), "course", "hold one number per neuron"),
])
def test_what_cannot_be_told_apart_is_refused(shapes: tuple[object, ...], layout: str | None,
                                              said: str) -> None:
    arrays = [np.ones(shape) for shape in shapes]
    with pytest.raises(ValueError, match=said.replace("[", r"\[").replace("(", r"\(")):
        from_course_weights(*arrays, layout=layout)


@pytest.mark.parametrize("layout", ["course", "scratchnn"])
def test_the_model_holds_copies_training_it_leaves_the_given_arrays_alone(layout: str) -> None:
    rng = np.random.default_rng(0)
    W1, W2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 1))
    if layout == "scratchnn":
        W1, W2 = W1.T.copy(), W2.T.copy()
    given = [W1, np.zeros(3), W2, np.zeros(1)]
    before = [array.copy() for array in given]
    model = from_course_weights(*given, layout=layout)
    trace(model, X[1], np.array([1.0]), 0.5)   # one step of the course's backward, in place
    model.fit(X, np.array([0, 1, 1, 0]), 5, 0.5, verbose=0)
    for array, kept in zip(given, before, strict=True):
        np.testing.assert_array_equal(array, kept)
