"""Batch normalisation through every export, checked by its runtime: ONNX (folded into the
product) in onnxruntime, SavedModel in tf.saved_model.load, Keras both ways (Dense,
BatchNormalization, Activation) in Keras's predict and fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scratchnn import Layer, Perceptron
from scratchnn.preprocessing import Standardization
from tests.conftest import make_data


def trained(dtype: type = np.float64, standardized: bool = True) -> tuple[Perceptron,
                                                                           np.ndarray]:
    rng = np.random.default_rng(0)
    X, y = make_data(40, 3, 3, "categorical_crossentropy", seed=1)
    # values a float32 holds exactly: Keras's predict casts its input to float32
    X = (X * [1, 10, 100] + [0, 5, -50]).astype(np.float32).astype(dtype)
    model = Perceptron([Layer(3, 6, "relu", random_state=rng, batch_norm=True, dtype=dtype),
                        Layer(6, 5, "tanh", random_state=rng, batch_norm=True, dtype=dtype,
                              dropout=0.2, momentum=0.9, epsilon=1e-2),
                        Layer(5, 3, "softmax", random_state=rng, dtype=dtype)],
                       "categorical_crossentropy")
    if standardized:
        model.standardization = Standardization.of(X)
    model.fit(X, y, epochs=5, batch_size=8, optimizer="adam", random_state=0, verbose=0)
    return model, X


def test_folding_gives_predict_and_the_estimators_folded_weights() -> None:
    model, X = trained()
    a = X.T
    for weights, biases, activation in model.get_spec().folded_layers():
        a = activation(weights @ a + biases.reshape(-1, 1))
    np.testing.assert_allclose(a.T, model.predict_proba(X), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnxruntime_predicts_what_a_batch_normalised_model_predicts(tmp_path: Path,
                                                                     dtype: type) -> None:
    onnxruntime = pytest.importorskip("onnxruntime")
    model, X = trained(dtype)
    model.to_onnx(tmp_path / "bn.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "bn.onnx"),
                                           providers=["CPUExecutionProvider"])
    (output,) = session.run(None, {"input": X})
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(output, model.predict_proba(X), rtol=tolerance, atol=tolerance)
    ops = {node.op_type for node in model.to_onnx().graph.node}
    assert "BatchNormalization" not in ops  # folded into the Gemm


@pytest.mark.slow
@pytest.mark.tensorflow
def test_savedmodel_serves_what_a_batch_normalised_model_predicts(tmp_path: Path) -> None:
    tf = pytest.importorskip("tensorflow")
    model, X = trained()
    model.export(tmp_path / "saved")
    loaded = tf.saved_model.load(str(tmp_path / "saved"))
    np.testing.assert_allclose(loaded.serve(tf.constant(X))["output"].numpy(),
                               model.predict_proba(X), rtol=1e-12, atol=1e-14)


@pytest.mark.tensorflow
def test_keras_both_ways_keeps_batch_normalisation() -> None:
    keras = pytest.importorskip("keras")
    model, X = trained()
    keras_model = model.to_keras()
    kinds = [type(layer).__name__ for layer in keras_model.layers]
    assert kinds == ["Dense", "BatchNormalization", "Activation", "Dense",
                     "BatchNormalization", "Activation", "Dropout", "Dense"]
    assert keras_model.layers[4].momentum == 0.9 and keras_model.layers[4].epsilon == 1e-2
    np.testing.assert_allclose(keras_model.predict(X, verbose=0), model.predict_proba(X),
                               rtol=1e-10, atol=1e-12)
    back = Perceptron.from_keras(keras_model, loss="categorical_crossentropy")
    spec = model.get_spec()
    for ours, theirs in zip(spec.folded_layers(), back.get_spec().folded_layers(), strict=True):
        np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12, atol=1e-13)
    assert [(layer.batch_norm, layer.momentum, layer.epsilon, layer.dropout)
            for layer in back.layers] == [(layer.batch_norm, layer.momentum, layer.epsilon,
                                           layer.dropout) for layer in model.layers]
    del keras


@pytest.mark.tensorflow
def test_from_keras_trains_as_keras_trains_a_batch_normalised_model() -> None:
    keras = pytest.importorskip("keras")
    X, y = make_data(20, 3, 1, "binary_crossentropy", seed=2)
    keras.utils.set_random_seed(0)
    dtype = "float64"
    keras_model = keras.Sequential([
        keras.Input((3,), dtype=dtype), keras.layers.Dense(4, use_bias=False, dtype=dtype),
        keras.layers.BatchNormalization(momentum=0.8, dtype=dtype),
        keras.layers.Activation("tanh", dtype=dtype),
        keras.layers.Dense(1, activation="sigmoid", dtype=dtype)])
    keras_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    ours = Perceptron.from_keras(keras_model)
    assert ours.layers[0].batch_norm and ours.layers[0].momentum == 0.8
    keras_model.fit(X, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    ours.fit(X, y, epochs=3, batch_size=5, learning_rate=0.1, verbose=0)
    bn = keras_model.layers[1]
    layer = ours.layers[0]
    np.testing.assert_allclose(layer.weights, keras_model.layers[0].kernel.numpy().T, rtol=1e-6)
    for name in ("gamma", "beta", "moving_mean", "moving_variance"):
        np.testing.assert_allclose(getattr(layer, name).ravel(), getattr(bn, name).numpy(),
                                   rtol=1e-6, atol=1e-9, err_msg=name)
    assert not layer.biases.any()  # use_bias=False stays a zero bias
    np.testing.assert_allclose(ours.predict_proba(X), keras_model.predict(X, verbose=0),
                               rtol=1e-6)


@pytest.mark.tensorflow
def test_from_keras_refuses_what_it_cannot_hold_by_name() -> None:
    keras = pytest.importorskip("keras")

    def sequential(*layers: object) -> object:
        return keras.Sequential([keras.Input((3,)), *layers])

    cases = {
        "'after_relu' is a BatchNormalization that does not follow a linear Dense": sequential(
            keras.layers.Dense(4, activation="relu"),
            keras.layers.BatchNormalization(name="after_relu"), keras.layers.Dense(1)),
        "'inputs' is a BatchNormalization that does not follow": sequential(
            keras.layers.BatchNormalization(name="inputs"), keras.layers.Dense(1)),
        "'plain' has center=False, scale=False": sequential(
            keras.layers.Dense(4), keras.layers.BatchNormalization(
                name="plain", center=False, scale=False), keras.layers.Dense(1)),
        "'penalised' has gamma_regularizer": sequential(
            keras.layers.Dense(4), keras.layers.BatchNormalization(
                name="penalised", gamma_regularizer="l2"), keras.layers.Dense(1)),
        "'unbiased' has use_bias=False": sequential(
            keras.layers.Dense(4, use_bias=False, name="unbiased"), keras.layers.Dense(1)),
    }
    for message, model in cases.items():
        with pytest.raises(ValueError, match=message):
            Perceptron.from_keras(model)


def test_a_standardised_target_on_a_normalised_output_is_refused_by_to_keras_only() -> None:
    from scratchnn.spec import NetworkSpec

    model = Perceptron([Layer(2, 1, "linear", random_state=0, batch_norm=True)],
                       "squared_error")
    model.target_standardization = Standardization(np.array([1.0]), np.array([2.0]))
    spec: NetworkSpec = model.get_spec()
    X = np.random.default_rng(0).normal(size=(5, 2))
    a = spec.folded_layers()[0]
    np.testing.assert_allclose((a[0] @ X.T + a[1][:, None]).T, model.predict_proba(X),
                               rtol=1e-12)
    with pytest.raises(ValueError, match="only be exported with its normalisation folded"):
        spec.folded_layers(batch_norm=False)
