"""Every road in and out of a model gives the model's own predictions (issue 24).

The matrix: {NumPy, TensorFlow} engine x {save and load, pickle, ONNX in onnxruntime,
SavedModel in a fresh process, Keras, scikit-learn} x {with and without standardised inputs}
x {float32, float64}.  Each copy's ``predict_proba`` equals the model's to 1e-12 in float64
and 1e-6 in float32.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scratchnn import Adam, Perceptron, load
from scratchnn.preprocessing import Standardization

ENGINES = ("numpy", "tensorflow")
DTYPES = (np.float64, np.float32)
TOLERANCE = {np.float64: 1e-12, np.float32: 1e-6}


def inputs(dtype: Any) -> np.ndarray:
    """Rows far from 0 and of unequal scales, so a forgotten standardisation shows."""
    rng = np.random.default_rng(0)
    return (rng.normal(size=(64, 3)) * [1.0, 10.0, 0.1] + [5.0, -20.0, 1.0]).astype(dtype)


def trained(engine: str, standardised: bool, dtype: Any) -> Any:
    X = inputs(dtype)
    y = (X[:, 0] > 5).astype(int) + (X[:, 1] > -20).astype(int)
    model = Perceptron.from_sizes([3, 6, 5, 3], "relu", "softmax", "categorical_crossentropy",
                                  random_state=0, dtype=dtype)
    if standardised:
        model.standardization = Standardization.of(X)
    model.fit(X, y, epochs=3, optimizer=Adam(0.01), batch_size=16, verbose=0)
    if engine == "tensorflow":
        from scratchnn.tf_engine import TFPerceptron

        return TFPerceptron.from_perceptron(model)
    return model


def via_save(model: Any, folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    model.save(folder / "model.npz")
    return load(folder / "model.npz").predict_proba  # type: ignore[no-any-return]


def via_pickle(model: Any, folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    return pickle.loads(pickle.dumps(model)).predict_proba  # type: ignore[no-any-return]


def via_onnx(model: Any, folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    onnxruntime = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    session = onnxruntime.InferenceSession(model.to_onnx().SerializeToString(),
                                           providers=["CPUExecutionProvider"])
    return lambda X: session.run(["output"], {"input": X})[0]


def via_keras(model: Any, folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    pytest.importorskip("keras")
    keras_model = model.to_keras()
    return lambda X: np.asarray(keras_model(X))


def via_sklearn(model: Any, folder: Path) -> Callable[[np.ndarray], np.ndarray]:
    pytest.importorskip("sklearn")
    return model.to_sklearn().predict_proba  # type: ignore[no-any-return]


ROADS = {"save": via_save, "pickle": via_pickle, "onnx": via_onnx, "keras": via_keras,
         "sklearn": via_sklearn}


def _engine_available(engine: str) -> None:
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("standardised", [False, True], ids=["raw", "standardised"])
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("road", sorted(ROADS))
def test_each_road_predicts_what_the_model_predicts(road: str, engine: str, standardised: bool,
                                                    dtype: Any, tmp_path: Path) -> None:
    _engine_available(engine)
    model = trained(engine, standardised, dtype)
    X = inputs(dtype)
    expected = model.predict_proba(X)
    copy = ROADS[road](model, tmp_path)(X)
    np.testing.assert_allclose(copy, expected, rtol=0, atol=TOLERANCE[dtype])
    if standardised:  # the standardisation is what makes them agree
        model.standardization = None
        assert np.abs(model.predict_proba(X) - expected).max() > 1e-3


CASES = [(engine, standardised, dtype) for engine in ENGINES for standardised in (False, True)
         for dtype in DTYPES]


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every case exported as a SavedModel, read back by one fresh process."""
    pytest.importorskip("tensorflow")
    folder = tmp_path_factory.mktemp("savedmodels")
    expected = {}
    for engine, standardised, dtype in CASES:
        name = f"{engine}-{standardised}-{np.dtype(dtype).name}"
        model = trained(engine, standardised, dtype)
        model.export(folder / name)
        np.save(folder / f"{name}.input.npy", inputs(dtype))
        expected[name] = model.predict_proba(inputs(dtype))
    script = (
        "import json, sys, numpy as np, tensorflow as tf\n"
        "folder, names = sys.argv[1], json.loads(sys.argv[2])\n"
        "for name in names:\n"
        "    served = tf.saved_model.load(f'{folder}/{name}')\n"
        "    x = np.load(f'{folder}/{name}.input.npy')\n"
        "    out = served.signatures['serving_default'](input=tf.constant(x))['output']\n"
        "    np.save(f'{folder}/{name}.output.npy', out.numpy())\n")
    subprocess.run([sys.executable, "-c", script, str(folder), json.dumps(sorted(expected))],
                   check=True, timeout=240, capture_output=True)
    return {name: (value, np.load(folder / f"{name}.output.npy"))
            for name, value in expected.items()}


@pytest.mark.slow  # a fresh TensorFlow process: the in-process road is in the fast suite
@pytest.mark.parametrize(("engine", "standardised", "dtype"), CASES,
                         ids=[f"{e}-{'standardised' if s else 'raw'}-{np.dtype(d).name}"
                              for e, s, d in CASES])
def test_a_savedmodel_in_a_fresh_process_predicts_what_the_model_predicts(
        saved_models: dict[str, Any], engine: str, standardised: bool, dtype: Any) -> None:
    expected, served = saved_models[f"{engine}-{standardised}-{np.dtype(dtype).name}"]
    assert served.dtype == np.dtype(dtype)
    np.testing.assert_allclose(served, expected, rtol=0, atol=TOLERANCE[dtype])


@pytest.mark.parametrize("road", [*sorted(ROADS), "savedmodel"])
def test_a_regression_on_a_standardised_target_keeps_its_scale_on_every_road(
        road: str, tmp_path: Path) -> None:
    X = inputs(np.float64)
    y = 1000.0 + 50.0 * X[:, 0] - 2.0 * X[:, 1]
    model = Perceptron.from_sizes([3, 6, 1], "tanh", "linear", "squared_error",
                                  random_state=0)
    model.standardization = Standardization.of(X)
    model.target_standardization = Standardization.of(y.reshape(-1, 1))
    model.fit(X, y, epochs=5, optimizer=Adam(0.01), batch_size=16, verbose=0)
    expected = model.predict_proba(X)
    assert expected.mean() > 500  # on the target's own scale
    if road == "savedmodel":
        tf = pytest.importorskip("tensorflow")
        model.export(tmp_path / "served")
        served = tf.saved_model.load(str(tmp_path / "served"))
        copy = served.signatures["serving_default"](input=tf.constant(X))["output"].numpy()
    elif road == "sklearn":
        pytest.importorskip("sklearn")
        copy = model.to_sklearn().predict(X).reshape(-1, 1)
    else:
        copy = ROADS[road](model, tmp_path)(X)
    np.testing.assert_allclose(copy, expected, rtol=1e-12, atol=1e-9)
