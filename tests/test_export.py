"""Models that leave scratchnn and come in, each checked by the runtime that reads it:
onnxruntime for ONNX, ``tf.saved_model.load`` in a fresh process for SavedModel, scikit-learn
and Keras themselves for their weights."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scratchnn import L2, Layer, Perceptron, load
from scratchnn.activations import Activation
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = {"sigmoid": ("binary_crossentropy", 2), "softmax": ("categorical_crossentropy", 3),
           "linear": ("squared_error", 2), "exp": ("poisson", 1)}
NETWORKS = [(hidden, output, depth) for hidden, output, depth in itertools.product(
    ["relu", "sigmoid", "tanh", "linear"], OUTPUTS, [0, 1, 2])]


def network(hidden: str, output: str, depth: int, dtype: Any = np.float64,
            seed: int = 0) -> Perceptron:
    loss, n_outputs = OUTPUTS[output]
    rng = np.random.default_rng(seed)
    sizes = [4, *rng.integers(2, 7, size=depth), n_outputs]
    model = Perceptron.from_sizes([int(s) for s in sizes], hidden, output, loss, dtype=dtype,
                                  random_state=seed)
    model.set_weights([w + rng.normal(scale=0.3, size=w.shape).astype(dtype)
                       for w in model.get_weights()])  # biases too, not only zeros
    return model


def inputs(dtype: Any, n: int = 7) -> np.ndarray:
    return np.random.default_rng(9).normal(size=(n, 4)).astype(dtype)


# -- ONNX -----------------------------------------------------------------------------------
onnxruntime = pytest.importorskip("onnxruntime")


def onnx_predict(path: Path, X: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["input"]
    assert [o.name for o in session.get_outputs()] == ["output"]
    return session.run(["output"], {"input": X})[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize(("hidden", "output", "depth"), NETWORKS)
def test_onnxruntime_predicts_what_the_model_predicts(hidden: str, output: str, depth: int,
                                                       dtype: Any, tolerance: float,
                                                       tmp_path: Path) -> None:
    import onnx

    model = network(hidden, output, depth, dtype)
    model.to_onnx(tmp_path / "model.onnx")
    onnx.checker.check_model(str(tmp_path / "model.onnx"), full_check=True)
    for n in (1, 7):  # the batch dimension is open
        X = inputs(dtype, n)
        predicted = onnx_predict(tmp_path / "model.onnx", X)
        assert predicted.dtype == dtype
        np.testing.assert_allclose(predicted, model.predict_proba(X), rtol=tolerance,
                                   atol=tolerance)


KERAS_ACTIVATIONS = ["leaky_relu", "elu", "gelu", "silu", "softplus"]


# float32: pre-activations up to ~50 here, whose rounding differs between the two.
@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-12), (np.float32, 1e-5)])
@pytest.mark.parametrize("hidden", KERAS_ACTIVATIONS)
def test_onnxruntime_predicts_keras_activations(hidden: str, dtype: Any, tolerance: float,
                                                 tmp_path: Path) -> None:
    import onnx

    model = network(hidden, "softmax", 2, dtype)
    model.set_weights([3 * w for w in model.get_weights()])  # both sides of 0, far from it too
    proto = model.to_onnx(tmp_path / "model.onnx")
    onnx.checker.check_model(str(tmp_path / "model.onnx"), full_check=True)
    assert proto.opset_import[0].version == (20 if hidden == "gelu" else 17)
    if hidden == "gelu" and dtype == np.float64:
        pytest.skip("onnxruntime has no float64 Erf (Gelu's body)")
    X = 3 * inputs(dtype, 50)
    predicted = onnx_predict(tmp_path / "model.onnx", X)
    assert predicted.dtype == dtype
    np.testing.assert_allclose(predicted, model.predict_proba(X), rtol=tolerance, atol=tolerance)


def test_the_tensorflow_engine_exports_the_same_onnx_model(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    tf_model = TFPerceptron.from_perceptron(network("tanh", "softmax", 2))
    tf_model.to_onnx(tmp_path / "model.onnx")
    X = inputs(np.float64)
    np.testing.assert_allclose(onnx_predict(tmp_path / "model.onnx", X),
                               tf_model.predict_proba(X), rtol=1e-12)


def test_unsupported_activations_are_refused_by_name(tmp_path: Path) -> None:
    class Softplus(Activation):
        name = "softplus"

        def __call__(self, z: Any, out: Any = None) -> Any:
            return np.logaddexp(0, z, out=out)

    model = Perceptron([Layer(2, 3, Softplus()), Layer(3, 1, "sigmoid")])
    with pytest.raises(ValueError, match=r"layers\[0\] has the activation Softplus\(\), which "
                                         r"ONNX has no equivalent for"):
        model.to_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


def test_export_from_the_command_line(tmp_path: Path) -> None:
    assert run("train", "--save", str(tmp_path / "xor.npz"), "--verbose", "0").returncode == 0
    result = run("export", str(tmp_path / "xor.npz"), "-o", str(tmp_path / "xor.onnx"))
    assert result.returncode == 0, result.stderr
    assert "onnx model written to" in result.stdout
    model = load(tmp_path / "xor.npz")
    X = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_allclose(onnx_predict(tmp_path / "xor.onnx", X), model.predict_proba(X),
                               rtol=1e-12)
    missing = run("export", str(tmp_path / "none.npz"), "-o", str(tmp_path / "x.onnx"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


# -- SavedModel -----------------------------------------------------------------------------
RELOAD = """
import json, sys
import numpy as np
import tensorflow as tf
loaded = tf.saved_model.load(sys.argv[1])
X = np.array(json.loads(sys.argv[2]), dtype=sys.argv[3])
signature = loaded.signatures["serving_default"](input=tf.constant(X))["output"].numpy()
print(json.dumps({"serve": loaded.serve(X)["output"].numpy().tolist(),
                  "signature": signature.tolist()}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_savedmodel_predicts_the_same_in_a_fresh_process(dtype: Any, tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    tf_model = TFPerceptron.from_perceptron(network("relu", "softmax", 2, dtype))
    tf_model.export(tmp_path / "saved")
    X = inputs(dtype)
    result = subprocess.run([sys.executable, "-c", RELOAD, str(tmp_path / "saved"),
                             json.dumps(X.tolist()), np.dtype(dtype).name],
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    predicted = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ("serve", "signature"):
        np.testing.assert_allclose(predicted[name], tf_model.predict_proba(X),
                                   rtol=1e-12 if dtype == np.float64 else 1e-6)


@pytest.mark.slow
def test_savedmodel_from_the_command_line(tmp_path: Path) -> None:
    assert run("train", "--save", str(tmp_path / "xor.npz"), "--verbose", "0").returncode == 0
    result = run("export", str(tmp_path / "xor.npz"), "-o", str(tmp_path / "saved"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "saved" / "saved_model.pb").exists()


# -- scikit-learn ---------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "settings", "target"), [
    ("MLPClassifier", {}, "binary"), ("MLPClassifier", {}, "multiclass"),
    ("MLPClassifier", {}, "multilabel"), ("MLPRegressor", {}, "regression"),
    ("MLPRegressor", {"loss": "poisson"}, "counts")])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_scikit_learn_networks_come_in_and_go_out(kind: str, settings: dict[str, Any],
                                                   target: str, activation: str) -> None:
    from sklearn import neural_network
    from sklearn.exceptions import ConvergenceWarning

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = {"binary": X[:, 0] > 0, "multiclass": (X[:, 0] > 0).astype(int) + (X[:, 1] > 0),
         "multilabel": np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int),
         "regression": X @ [1.0, -1, 0.5, 0], "counts": rng.poisson(1.0, 60)}[target]
    estimator = getattr(neural_network, kind)(hidden_layer_sizes=(5, 3), activation=activation,
                                              max_iter=20, random_state=0, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    model = Perceptron.from_sklearn(estimator)
    theirs = estimator.predict_proba(X) if kind == "MLPClassifier" else estimator.predict(X)
    ours = model.predict_proba(X)
    if target == "binary":
        ours = np.hstack([1 - ours, ours])
    np.testing.assert_allclose(ours.reshape(theirs.shape), theirs, rtol=1e-12)
    back = model.to_sklearn()
    assert type(back) is type(estimator)
    np.testing.assert_array_equal(back.predict(X), estimator.predict(X))


def test_what_scikit_learn_cannot_hold_is_refused() -> None:
    mixed = Perceptron([Layer(2, 3, "relu"), Layer(3, 3, "tanh"), Layer(3, 1, "sigmoid")])
    with pytest.raises(ValueError, match=r"one hidden activation .* this network has "
                                         r"\['relu', 'tanh'\]"):
        mixed.to_sklearn()
    with pytest.raises(TypeError, match="from_sklearn takes a fitted MLPClassifier or "
                                        "MLPRegressor, got LogisticRegression"):
        from sklearn.linear_model import LogisticRegression

        Perceptron.from_sklearn(LogisticRegression())


# -- Keras ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_keras_networks_come_in_and_go_out(dtype: str) -> None:
    keras = pytest.importorskip("keras")
    sequential = keras.Sequential([
        keras.Input((4,), dtype=dtype),
        keras.layers.Dense(6, activation="relu", dtype=dtype),
        keras.layers.Dropout(0.25, dtype=dtype),
        keras.layers.Dense(5, activation="tanh", dtype=dtype),
        keras.layers.Dense(3, activation="softmax", dtype=dtype)])
    X = inputs(dtype)
    model = Perceptron.from_keras(sequential)
    tolerance = 1e-6 if dtype == "float32" else 1e-12
    # Called directly (Keras's predict would cast float64 inputs to its floatx, float32).
    np.testing.assert_allclose(model.predict_proba(X), np.asarray(sequential(X)),
                               rtol=tolerance, atol=tolerance)
    assert model.layers[0].dropout == 0.25 and model.loss.name == "categorical_crossentropy"
    assert model.dtype == np.dtype(dtype)
    back = model.to_keras()
    np.testing.assert_allclose(np.asarray(back(X)), np.asarray(sequential(X)),
                               rtol=tolerance, atol=tolerance)


def test_keras_layers_without_an_equivalent_are_refused_by_name() -> None:
    keras = pytest.importorskip("keras")
    with pytest.raises(ValueError, match="'norm' is a BatchNormalization"):
        Perceptron.from_keras(keras.Sequential([
            keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
            keras.layers.BatchNormalization(name="norm"), keras.layers.Dense(1)]))
    with pytest.raises(ValueError, match="has the activation 'selu'"):
        Perceptron.from_keras(keras.Sequential([keras.Input((4,)),
                                                keras.layers.Dense(3, activation="selu")]))


def test_keras_activations_come_in_and_go_out() -> None:
    keras = pytest.importorskip("keras")
    sequential = keras.Sequential([keras.Input((4,), dtype="float64")] + [
        keras.layers.Dense(5, activation=name, dtype="float64") for name in KERAS_ACTIVATIONS]
        + [keras.layers.Dense(3, activation="softmax", dtype="float64")])
    model = Perceptron.from_keras(sequential)
    assert [layer.activation.name for layer in model.layers[:-1]] == KERAS_ACTIVATIONS
    X = inputs("float64")
    # Keras's float64 leaky_relu and gelu take a constant through float32 (tf_engine.ops).
    np.testing.assert_allclose(model.predict_proba(X), np.asarray(sequential(X)), atol=1e-8)
    back = model.to_keras()
    assert [keras.activations.serialize(layer.activation) for layer in back.layers[:-1]] == (
        KERAS_ACTIVATIONS)
    np.testing.assert_allclose(np.asarray(back(X)), np.asarray(sequential(X)), atol=1e-15)


def float64_dense(keras: Any, units: int, **settings: Any) -> Any:
    return keras.layers.Dense(units, dtype="float64", **settings)


@pytest.mark.parametrize(("loss", "n_outputs", "labels"), [
    ("sparse", 10, np.arange(7) % 10), ("categorical", 4, np.eye(4)[np.arange(7) % 4]),
    ("binary", 1, (np.arange(7) % 2).reshape(-1, 1))])
def test_a_keras_logits_classifier_comes_in_as_its_probabilities(loss: str, n_outputs: int,
                                                                  labels: np.ndarray) -> None:
    # The TensorFlow tutorial's classifier: a linear output and a loss from_logits.
    keras = pytest.importorskip("keras")
    losses = {"sparse": keras.losses.SparseCategoricalCrossentropy,
              "categorical": keras.losses.CategoricalCrossentropy,
              "binary": keras.losses.BinaryCrossentropy}
    sequential = keras.Sequential([
        keras.Input((4,), dtype="float64"), float64_dense(keras, 8, activation="relu"),
        float64_dense(keras, n_outputs)])
    keras_loss = losses[loss](from_logits=True, dtype="float64")
    sequential.compile(loss=keras_loss)
    model = Perceptron.from_keras(sequential)
    X = inputs("float64")
    logits = np.asarray(sequential(X))
    expected = (1 / (1 + np.exp(-logits)) if loss == "binary"
                else np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(model.predict_proba(X), expected, rtol=1e-12)
    assert model.layers[-1].activation.name == ("sigmoid" if loss == "binary" else "softmax")
    assert model.loss.name == ("binary_crossentropy" if loss == "binary"
                               else "categorical_crossentropy")
    y = labels.ravel() if loss != "categorical" else labels
    np.testing.assert_allclose(model.evaluate(X, y)[0],
                               float(keras_loss(labels, logits)),
                               rtol=1e-9)


def test_a_keras_l2_penalty_is_the_same_penalty() -> None:
    keras = pytest.importorskip("keras")
    # Factors float32 holds exactly: Keras casts them through float32 (0.03 becomes 0.0299...).
    sequential = keras.Sequential([
        keras.Input((4,), dtype="float64"),
        float64_dense(keras, 6, activation="tanh",
                      kernel_regularizer=keras.regularizers.L2(0.0625)),
        float64_dense(keras, 5, activation="relu",
                      kernel_regularizer=keras.regularizers.L1L2(l1=0.0, l2=0.25)),
        float64_dense(keras, 3)])
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")
    sequential.compile(loss=keras_loss)
    model = Perceptron.from_keras(sequential)
    assert [layer.kernel_regularizer for layer in model.layers] == [L2(0.0625), L2(0.25), None]
    X, y = inputs("float64"), np.arange(7) % 3
    keras_total = float(keras_loss(y, sequential(X))) + float(sum(sequential.losses))
    np.testing.assert_allclose(model.evaluate(X, y)[0], keras_total, rtol=1e-9)
    back = model.to_keras()
    assert [layer.kernel_regularizer.get_config() if layer.kernel_regularizer else None
            for layer in back.layers] == [{"l2": 0.0625}, {"l2": 0.25}, None]
    np.testing.assert_allclose(float(sum(back.losses)), float(sum(sequential.losses)),
                               rtol=1e-12)


def test_keras_activation_layers_merge_into_the_dense_layer_before() -> None:
    keras = pytest.importorskip("keras")
    sequential = keras.Sequential([
        keras.Input((4,), dtype="float64"), float64_dense(keras, 6),
        keras.layers.Activation("relu", dtype="float64"),
        keras.layers.Dropout(0.3, dtype="float64"), float64_dense(keras, 3),
        keras.layers.Activation("softmax", dtype="float64")])
    model = Perceptron.from_keras(sequential)
    assert [layer.activation.name for layer in model.layers] == ["relu", "softmax"]
    assert model.layers[0].dropout == 0.3 and model.loss.name == "categorical_crossentropy"
    X = inputs("float64")
    np.testing.assert_allclose(model.predict_proba(X), np.asarray(sequential(X)), rtol=1e-12)
    back = model.to_keras()  # its dropout written as a Dropout layer
    assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dropout", "Dense"]
    assert back.layers[1].rate == 0.3


def test_keras_models_scratchnn_cannot_hold_are_refused_by_name() -> None:
    keras = pytest.importorskip("keras")

    def sequential(*layers: Any, loss: Any = None) -> Any:
        model = keras.Sequential([keras.Input((4,)), *layers])
        if loss is not None:
            model.compile(loss=loss)
        return model

    refused = [
        (sequential(keras.layers.Dense(3, use_bias=False, name="nobias")),
         "'nobias' has use_bias=False; scratchnn's layers always have and train biases"),
        (sequential(keras.layers.Dense(3, name="lasso",
                                       kernel_regularizer=keras.regularizers.L1L2(0.1, 0.1))),
         r"'lasso' has an L1 penalty \(l1=0.1\)"),
        (sequential(keras.layers.Dense(3, name="lone",
                                       kernel_regularizer=keras.regularizers.L1(0.1))),
         "'lone' has the kernel_regularizer L1; scratchnn has only L2"),
        (sequential(keras.layers.Dense(3), loss="mae"),
         "compiled with the loss 'mae', which scratchnn does not have"),
        (sequential(keras.layers.Dense(3), loss=keras.losses.Huber()),
         "compiled with the loss 'huber', which scratchnn does not have"),
        (sequential(keras.layers.Dropout(0.2, name="early"), keras.layers.Dense(3)),
         "'early' is a Dropout before the first Dense layer; scratchnn's dropout drops a "
         "layer's outputs, not the inputs"),
        (sequential(keras.layers.Dense(3, activation="tanh"),
                    keras.layers.Activation("relu", name="twice")),
         "'twice' is an Activation that does not follow a linear Dense layer"),
        (sequential(keras.layers.Dense(3, activation="relu"),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
         "takes logits from an output layer with the activation 'relu'"),
    ]
    for model, message in refused:
        with pytest.raises(ValueError, match=message):
            Perceptron.from_keras(model)
    # A penalty that depends on the batch size has no Keras equivalent either.
    with pytest.raises(ValueError, match=r"layers\[0\] has the penalty L2\(0.5, per_sample"):
        Perceptron([Layer(4, 3, "relu", kernel_regularizer=L2(0.5, per_sample=True),
                          random_state=0)], "squared_error").to_keras()
