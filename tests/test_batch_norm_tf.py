"""Batch normalisation on the TensorFlow engine: the NumPy engine's numbers to 1e-9 in
float64 (weights, gamma, beta and the moving statistics after mini-batch training)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from scratchnn import Layer, Perceptron, load  # noqa: E402
from scratchnn.tf_engine import TFPerceptron  # noqa: E402
from tests.conftest import OUTPUT_FOR_LOSS, make_data  # noqa: E402

pytestmark = pytest.mark.tensorflow

NAMES = ("weights", "biases", "gamma", "beta", "moving_mean", "moving_variance")


def deep_bn_model(n_features: int, n_outputs: int, hidden: str, output: str, loss: str,
                  dtype: type = np.float64) -> Perceptron:
    rng = np.random.default_rng(0)
    sizes = [n_features, 5, 4, n_outputs]
    return Perceptron([Layer(n_in, n_out, hidden if index < 2 else output, random_state=rng,
                             dtype=dtype, batch_norm=index < 2, momentum=0.9)
                       for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes))], loss)


def assert_same_layers(a: object, b: object, tolerance: float) -> None:
    for first, second in zip(a.layers, b.layers, strict=True):  # type: ignore[attr-defined]
        for name in NAMES:
            x, y = getattr(first, name), getattr(second, name)
            if x is None:
                assert y is None
                continue
            np.testing.assert_allclose(x, y, rtol=tolerance, atol=tolerance, err_msg=name)


#: The fast case runs without XLA (whose compilation takes most of a short fit's time); the
#: whole grid, XLA included, is marked slow.
FAST = {"loop": "python", "jit_compile": False}


@pytest.mark.parametrize(("loss", "settings"), [("binary_crossentropy", FAST)] + [
    pytest.param(loss, {"loop": loop}, marks=pytest.mark.slow) for loss in OUTPUT_FOR_LOSS
    for loop in ("graph", "python")])
def test_both_engines_train_batch_norm_to_the_same_numbers(loss: str,
                                                          settings: dict[str, object]) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(23, 3, n_outputs, loss, seed=3)  # batches of 5: a last batch of 3
    numpy_model = deep_bn_model(3, n_outputs, "tanh", output, loss)
    tf_model = TFPerceptron.from_perceptron(numpy_model, **settings)
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=6, batch_size=5, optimizer="adam", learning_rate=0.01,
                  shuffle=True, random_state=1, verbose=0)
    np.testing.assert_allclose(numpy_model.history.loss, tf_model.history.loss, rtol=1e-9)
    assert_same_layers(numpy_model, tf_model, 1e-9)
    assert not np.allclose(tf_model.layers[0].moving_mean, 0)
    np.testing.assert_allclose(numpy_model.predict_proba(X), tf_model.predict_proba(X),
                               rtol=1e-9, atol=1e-12)
    # and back: the spec carries every array
    assert_same_layers(tf_model.to_perceptron(), tf_model, 0)


@pytest.mark.slow
def test_float32_and_files_and_restores_on_tensorflow(tmp_path) -> None:
    X, y = make_data(20, 3, 1, "binary_crossentropy", seed=4)
    numpy_model = deep_bn_model(3, 1, "relu", "sigmoid", "binary_crossentropy", np.float32)
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    tf_model.fit(X.astype(np.float32), y, epochs=3, batch_size=4, verbose=0)
    assert tf_model.layers[0].gamma.dtype == np.float32
    tf_model.save(tmp_path / "bn.npz")
    twin = load(tmp_path / "bn.npz")
    assert isinstance(twin, TFPerceptron)
    assert_same_layers(twin, tf_model, 0)
    snapshot = tf_model._snapshot()
    tf_model.fit(X, y, epochs=1, batch_size=4, verbose=0)  # float64 data: new variables
    assert tf_model.layers[0].moving_variance.dtype == np.float64
    tf_model._restore(snapshot)
    assert_same_layers(twin, tf_model, 1e-6)
    with pytest.raises(ValueError, match="batch_size=1"):
        tf_model.fit(X, y, epochs=1, verbose=0)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_estimators_agree_across_engines_with_batch_norm() -> None:
    from scratchnn.sklearn import MLPClassifier

    X, y = make_data(60, 4, 3, "categorical_crossentropy", seed=5)
    labels = y.argmax(axis=1)
    fitted = [MLPClassifier((6, 5), batch_norm=True, engine=engine, max_iter=4, batch_size=16,
                            random_state=0).fit(X, labels) for engine in ("numpy", "tensorflow")]
    for a, b in zip(fitted[0].coefs_, fitted[1].coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    assert_same_layers(fitted[0].model_, fitted[1].model_, 1e-9)
    np.testing.assert_allclose(fitted[0].predict_proba(X), fitted[1].predict_proba(X),
                               rtol=1e-9)
