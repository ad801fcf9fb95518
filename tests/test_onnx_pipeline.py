"""Serving the estimators and whole pipelines with ONNX: ``est.to_onnx()`` and skl2onnx after
``register_onnx_converters()``, read back by onnxruntime."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from scratchnn.sklearn import MLPClassifier, MLPRegressor, register_onnx_converters

ort = pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

#: The TensorFlow engine's estimators export the same way (from their network's spec): its
#: variants beyond one classifier's are slow tests.
MORE_ENGINES = ["numpy", pytest.param("tensorflow",
                                      marks=[pytest.mark.tensorflow, pytest.mark.slow])]
FAST = {"hidden_layer_sizes": (7, 5), "max_iter": 60, "random_state": 0,
        "learning_rate_init": 0.01}


def data(n_samples: int = 80, dtype: Any = np.float64) -> tuple[np.ndarray[Any, Any],
                                                                  np.ndarray[Any, Any]]:
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(n_samples, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, 0.0, -2.0])
    return X.astype(dtype), X[:, 0] + X[:, 1] / 10 - 5 + X[:, 3] / 3


def fitted(estimator: Any, X: Any, y: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few iterations are enough
        return estimator.fit(X, y)


def run(proto: Any, X: np.ndarray[Any, Any]) -> dict[str, Any]:
    session = ort.InferenceSession(proto.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X.astype(np.float32)}), strict=True))


def string_labels(y: np.ndarray[Any, Any], n_classes: int = 3) -> np.ndarray[Any, Any]:
    bins = np.quantile(y, np.linspace(0, 1, n_classes + 1)[1:-1])
    return np.array(["low", "middle", "high", "top"])[np.digitize(y, bins)]


def assert_classifier_served(outputs: dict[str, Any], estimator: Any,
                             X: np.ndarray[Any, Any]) -> None:
    X32 = X.astype(np.float32)
    np.testing.assert_array_equal(outputs["label"], estimator.predict(X32))
    np.testing.assert_allclose(outputs["probabilities"], estimator.predict_proba(X32),
                               rtol=0, atol=1e-6)


@pytest.mark.parametrize(("engine", "n_classes"), [
    ("numpy", 2), ("numpy", 3), pytest.param("tensorflow", 3, marks=pytest.mark.tensorflow)])
def test_a_classifier_serves_its_labels_and_probabilities(engine: str, n_classes: int) -> None:
    X, y = data()
    labels = string_labels(y, n_classes)
    estimator = fitted(MLPClassifier(engine=engine, **FAST), X, labels)
    proto = estimator.to_onnx()
    assert [i.name for i in proto.graph.input] == ["X"]
    assert proto.graph.input[0].type.tensor_type.elem_type == 1  # float32
    outputs = run(proto, X)
    assert outputs["label"].dtype == object and set(outputs["label"]) <= set(labels)
    assert outputs["probabilities"].shape == (len(X), n_classes)
    assert_classifier_served(outputs, estimator, X)


@pytest.mark.parametrize("labels", [
    lambda y: (y > 0).astype(np.int64) * 5 - 2,  # integers, -2 and 3
    lambda y: y > 0,  # booleans
    lambda y: np.where(y > 0, 1.0, -3.0),  # floats (integral, as scikit-learn requires)
    lambda y: np.column_stack([y > 0, y > 1, y < -1]).astype(int),  # multi-label
])
def test_labels_of_every_kind(labels: Any) -> None:
    X, y = data()
    estimator = fitted(MLPClassifier(**FAST), X, labels(y))
    outputs = run(estimator.to_onnx(), X)
    assert_classifier_served(outputs, estimator, X)


@pytest.mark.parametrize("engine", MORE_ENGINES)
def test_a_regressor_serves_its_values(engine: str) -> None:
    X, y = data()
    targets = np.column_stack([y, 2 * y])
    for target in (y, targets):
        estimator = fitted(MLPRegressor(engine=engine, **FAST), X, target)
        value = run(estimator.to_onnx(), X)["variable"]
        assert value.shape == (len(X), estimator.n_outputs_)
        np.testing.assert_allclose(value, estimator.predict(X.astype(np.float32)).reshape(
            len(X), -1), rtol=1e-6, atol=1e-6)


def test_the_input_is_float32_whatever_the_training_dtype() -> None:
    X, y = data()
    labels = string_labels(y)
    for dtype in (np.float64, np.float32):
        estimator = fitted(MLPClassifier(**FAST), X.astype(dtype), labels)
        assert estimator.model_.dtype == dtype
        proto = estimator.to_onnx()
        assert proto.graph.input[0].type.tensor_type.elem_type == 1
        # A float64 model casts the float32 input inside the graph, and computes in float64.
        casts = [node for node in proto.graph.node if node.op_type == "Cast"]
        assert bool(casts) == (dtype == np.float64)
        assert_classifier_served(run(proto, X), estimator, X)


def test_to_onnx_writes_the_file(tmp_path: Any) -> None:
    X, y = data()
    estimator = fitted(MLPRegressor(**FAST), X, y)
    path = tmp_path / "model.onnx"
    proto = estimator.to_onnx(path)
    assert path.read_bytes() == proto.SerializeToString()


def test_before_fit_to_onnx_says_not_fitted() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        MLPClassifier().to_onnx()


def pipeline(estimator: Any) -> Pipeline:
    columns = ColumnTransformer([("scaled", StandardScaler(), [1, 3]),
                                 ("kept", "passthrough", [0, 2])])
    return Pipeline([("columns", columns), ("scaler", StandardScaler()),
                     ("network", estimator)])


@pytest.mark.parametrize("engine", MORE_ENGINES)
def test_a_pipeline_converts_with_skl2onnx(engine: str) -> None:
    register_onnx_converters()
    register_onnx_converters()  # twice: the same
    X, y = data()
    labels = string_labels(y)
    model = fitted(pipeline(MLPClassifier(engine=engine, **FAST)), X, labels)
    options = {MLPClassifier: {"zipmap": False}}
    proto = skl2onnx.to_onnx(model, X[:1].astype(np.float32), options=options)
    assert_classifier_served(run(proto, X), model, X)
    # skl2onnx's default: the probabilities as a list of {label: probability} (ZipMap).
    outputs = run(skl2onnx.to_onnx(model, X[:1].astype(np.float32)), X)
    np.testing.assert_array_equal(outputs["output_label"], model.predict(X.astype(np.float32)))
    rows = [[row[label] for label in model.classes_] for row in outputs["output_probability"]]
    np.testing.assert_allclose(rows, model.predict_proba(X.astype(np.float32)), atol=1e-6)
    regressor = fitted(pipeline(MLPRegressor(engine=engine, **FAST)), X, y)
    value = run(skl2onnx.to_onnx(regressor, X[:1].astype(np.float32)), X)["variable"]
    np.testing.assert_allclose(value.ravel(), regressor.predict(X.astype(np.float32)),
                               rtol=1e-6, atol=1e-6)


def test_skl2onnx_options_nocl_and_gelus_opset() -> None:
    register_onnx_converters()
    X, y = data()
    model = fitted(pipeline(MLPClassifier(**FAST)), X, string_labels(y))
    proto = skl2onnx.to_onnx(model, X[:1].astype(np.float32),
                             options={MLPClassifier: {"zipmap": False, "nocl": True}})
    np.testing.assert_array_equal(run(proto, X)["label"],
                                  model.predict_proba(X.astype(np.float32)).argmax(axis=1))
    gelu = fitted(pipeline(MLPClassifier(activation="gelu", **FAST)), X, y > 0)
    with pytest.raises(ValueError, match="opset 20"):
        skl2onnx.to_onnx(gelu, X[:1].astype(np.float32), target_opset=17)


def test_without_skl2onnx_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "skl2onnx", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"skl2onnx.*pip install 'scratchnn\[onnx\]'"):
        register_onnx_converters()


def test_importing_the_estimators_imports_neither_onnx_nor_skl2onnx() -> None:
    code = ("import sys, scratchnn, scratchnn.sklearn\n"
            "print(sorted({'onnx', 'skl2onnx'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.strip() == "[]"
