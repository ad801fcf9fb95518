"""The TensorFlow engine: document A's network, and the same numbers as the NumPy engine."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from scratchnn import SGD, EarlyStopping, Layer, Perceptron  # noqa: E402
from scratchnn.datasets import xor  # noqa: E402
from scratchnn.tf_engine import TFPerceptron  # noqa: E402
from tests.conftest import OUTPUT_FOR_LOSS, covering_grid, make_data, make_model  # noqa: E402

pytestmark = pytest.mark.tensorflow


def relative_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Largest difference relative to the array's scale, ``max|a - b| / max|a|``."""
    return float(np.max(np.abs(a - b)) / np.max(np.abs(a)))


@covering_grid(("dtype, tolerance", [(np.float64, 1e-9), (np.float32, 1e-5)]),
               ("loss", list(OUTPUT_FOR_LOSS)), ("hidden", ["sigmoid", "tanh", "relu"]),
               ("batch_size", {"per-sample": 1, "mini-batch": 3, "full": None}))
def test_both_engines_give_the_same_losses_and_weights(
    batch_size: int | None, hidden: str, loss: str, dtype: type, tolerance: float
) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(7, 3, n_outputs, loss)
    X, y = X.astype(dtype), y.astype(dtype)
    numpy_model = make_model([3, 4, n_outputs], hidden, output, loss, init="xavier", dtype=dtype)
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    # Per-sample steps of 0.1 make a Poisson fit oscillate, which amplifies rounding.
    learning_rate = 0.02 if loss == "poisson" else 0.1
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=100, learning_rate=learning_rate, batch_size=batch_size,
                  verbose=False)
    assert relative_difference(np.array(numpy_model.history.loss),
                               np.array(tf_model.history.loss)) < tolerance
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        assert b.dtype == dtype
        assert relative_difference(a, b) < tolerance


@pytest.mark.parametrize(("dtype", "tolerance"), [(np.float64, 1e-9), (np.float32, 1e-5)])
def test_keras_activations_give_the_same_numbers_on_both_engines(
    dtype: type, tolerance: float
) -> None:
    X, y = make_data(7, 3, 3, "categorical_crossentropy")
    X, y = X.astype(dtype), y.astype(dtype)
    hidden = ["leaky_relu", "elu", "gelu", "silu", "softplus"]  # one layer each
    numpy_model = Perceptron([Layer(3 if index == 0 else 4, 4, name, "xavier", random_state=index,
                                    dtype=dtype) for index, name in enumerate(hidden)]
                             + [Layer(4, 3, "softmax", random_state=9, dtype=dtype)],
                             "categorical_crossentropy")
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    assert relative_difference(numpy_model.predict_proba(X), tf_model.predict_proba(X)) < (
        tolerance / 10)
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=30, learning_rate=0.1, verbose=False)
    assert relative_difference(np.array(numpy_model.history.loss),
                               np.array(tf_model.history.loss)) < tolerance
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        assert relative_difference(a, b) < tolerance


def test_document_a_network_on_xor(capsys: pytest.CaptureFixture[str]) -> None:
    X, y = xor()
    rng = np.random.default_rng(0)
    model = TFPerceptron([Layer(2, 2, "sigmoid", init="normal", random_state=rng),
                          Layer(2, 1, "sigmoid", init="normal", random_state=rng)])
    names = [v.name for v in model.network.parameters]
    assert names == ["W1:0", "b1:0", "W2:0", "b2:0"]
    assert all(isinstance(v, tf.Variable) for v in model.network.parameters)
    assert not model.get_weights()[1].any() and not model.get_weights()[3].any()
    model.fit(X, y, epochs=3000, learning_rate=2.0, batch_size=None, log_every=1000)
    assert capsys.readouterr().out.splitlines()[0].startswith("Loss at epoch 1000: ")
    assert model.score(X, y) == 1.0
    assert np.all(np.diff(model.history.loss[:50]) < 0)


@pytest.mark.parametrize("loop", ["graph", "python"])
def test_training_is_traced_once_per_shape(loop: str) -> None:
    X, y = make_data(7, 3, 1, "binary_crossentropy")
    model = TFPerceptron.from_perceptron(make_model([3, 4, 1]), loop=loop)
    model.fit(X, y, epochs=5, learning_rate=0.1, batch_size=3, verbose=False)  # 3, 3, 1 rows
    model.fit(X[:5], y[:5], epochs=2, learning_rate=0.05, batch_size=2, verbose=False)
    assert model.trace_count <= 1  # 0 if an earlier model of this shape traced the graphs


def test_eager_switch_runs_the_same_step_as_python() -> None:
    X, y = make_data(6, 2, 1, "binary_crossentropy")
    start = make_model([2, 3, 1])
    eager = TFPerceptron.from_perceptron(start, run_eagerly=True)
    graph = TFPerceptron.from_perceptron(start)
    for model in (eager, graph):
        model.fit(X, y, epochs=3, learning_rate=0.1, batch_size=2, verbose=False)
    assert eager.trace_count == 9  # no tracing: the Python body ran at each of the 9 steps
    for a, b in zip(eager.get_weights(), graph.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_train_step_is_document_a_update() -> None:
    X, y = make_data(4, 2, 1, "binary_crossentropy")
    numpy_model = make_model([2, 2, 1])
    model = TFPerceptron.from_perceptron(numpy_model)
    model.optimizer_variables.load(SGD(0.5))
    loss = model.train_step(tf.constant(X), tf.constant(y))
    numpy_model.fit(X, y, epochs=1, learning_rate=0.5, batch_size=None, verbose=False)
    assert float(loss) == pytest.approx(numpy_model.history.loss[0], rel=1e-12)
    for a, b in zip(numpy_model.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_round_trip_between_engines_and_the_shared_api() -> None:
    X, y = make_data(20, 3, 3, "categorical_crossentropy")
    numpy_model = make_model([3, 5, 3], "relu", "softmax", "categorical_crossentropy")
    model = TFPerceptron.from_perceptron(numpy_model)
    model.fit(X, y.argmax(axis=1), epochs=20, learning_rate=0.1, batch_size=5, shuffle=True,
              random_state=0, verbose=False)
    back = model.to_perceptron()
    assert isinstance(back, Perceptron)
    np.testing.assert_allclose(back.predict_proba(X), model.predict_proba(X), rtol=1e-12)
    assert model.predict(X).shape == (20,)
    assert model.score(X, y) == back.score(X, y)
    assert back.history.loss == model.history.loss
    assert "TFPerceptron (tensorflow engine" in model.summary()
    # The NumPy model it came from is untouched.
    assert not numpy_model.history.loss


def test_float32_data_trains_float32_variables() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    model = TFPerceptron.from_perceptron(make_model([2, 3, 1]))
    model.fit(X.astype(np.float32), y, epochs=2, learning_rate=0.1, verbose=False)
    assert all(v.dtype == tf.float32 for v in model.network.parameters)
    assert model.predict_proba(X).dtype == np.float32


@pytest.mark.slow
def test_cli_trains_xor_on_tensorflow() -> None:
    from tests.test_cli import run

    result = run("train", "--engine", "tensorflow", "--json")
    assert result.returncode == 0, result.stderr
    assert "accuracy: 100.0%" in result.stdout
    assert '"engine": "tensorflow"' in result.stdout.splitlines()[-1]


def test_missing_tensorflow_gives_a_one_line_message() -> None:
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "from scratchnn.cli import main; main(['train', '--engine', 'tensorflow'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "scratchnn: error: the tensorflow engine needs TensorFlow: pip install 'scratchnn[tf]'"
    )


def test_import_scratchnn_imports_none_of_the_extras() -> None:
    extras = ["tensorflow", "keras", "sklearn", "scipy", "onnx", "onnxruntime", "matplotlib",
              "threadpoolctl", "starlette", "uvicorn", "websockets", "PIL"]
    code = ("import sys, scratchnn, scratchnn.cli, scratchnn.export, scratchnn.playground; "
            f"print([name for name in {extras!r} if name in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.strip() == "[]"


# -- robustness ------------------------------------------------------------------------------

from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from scratchnn import TrainingDivergedError, load  # noqa: E402
from scratchnn.base import BaseModel  # noqa: E402
from tests.test_validation import assert_refused_unchanged, each_bad_input  # noqa: E402


@each_bad_input
def test_bad_input_is_refused_before_any_change(
    model_factory: Callable[[], Perceptron], call: Callable[[BaseModel], Any], error: type,
    message: str,
) -> None:
    assert_refused_unchanged(TFPerceptron.from_perceptron(model_factory()), call, error, message)


@covering_grid(("loop", ["graph", "python"]), ("jit_compile", {"xla": True, "graph": False}))
def test_divergence_stops_and_keeps_finite_weights(loop: str, jit_compile: bool) -> None:
    X, y = make_data(16, 3, 1, "mean_squared_error")
    model = TFPerceptron.from_perceptron(
        make_model([3, 8, 1], "relu", "linear", "mean_squared_error", init="he"), loop=loop,
        jit_compile=jit_compile)
    with pytest.raises(TrainingDivergedError, match=r"training diverged at epoch \d+, batch \d+"
                       ) as caught:
        model.fit(X * 100, y, epochs=50, learning_rate=1e6, batch_size=4, verbose=False)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert len(model.history) == caught.value.epoch - 1
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.parametrize("jit_compile", [True, False], ids=["xla", "graph"])
def test_divergence_is_found_at_the_same_place_on_both_engines(jit_compile: bool) -> None:
    X, y = make_data(16, 3, 1, "mean_squared_error")
    numpy_model = make_model([3, 8, 1], "relu", "linear", "mean_squared_error", init="he")
    tf_model = TFPerceptron.from_perceptron(numpy_model, jit_compile=jit_compile)
    places = []
    for model in (tf_model, numpy_model):
        with pytest.raises(TrainingDivergedError) as caught:
            model.fit(X * 100, y, epochs=50, learning_rate=1e6, batch_size=4, verbose=False)
        places.append((caught.value.epoch, caught.value.batch))
    assert places[0] == places[1]
    # The step that diverged was skipped: the weights are those after the last finite one.
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        assert relative_difference(a, b) < 1e-9


def test_jit_compile_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="jit_compile must be True or False, got 'yes'"):
        TFPerceptron.from_perceptron(make_model([2, 2, 1]), jit_compile="yes")


def test_interrupt_in_the_python_loop_keeps_completed_updates(monkeypatch: Any) -> None:
    X, y = make_data(12, 3, 1, "binary_crossentropy")
    start = make_model([3, 4, 1])
    reference = TFPerceptron.from_perceptron(start).fit(X, y, epochs=3, learning_rate=0.5,
                                                        batch_size=None, verbose=False)
    model = TFPerceptron.from_perceptron(start, loop="python")
    original, calls = model.train_step.get_concrete_function(), {"n": 0}

    def interrupted_step(x: Any, y: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(x, y)

    # The Python loop calls the step's concrete function.
    monkeypatch.setattr(model.train_step, "get_concrete_function", lambda: interrupted_step)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=10, learning_rate=0.5, batch_size=None, verbose=False)
    np.testing.assert_allclose(model.history.loss, reference.history.loss, rtol=1e-12)
    for a, b in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_ctrl_c_in_the_graph_loop_stops_after_the_running_graph(monkeypatch: Any) -> None:
    import os
    import signal

    from scratchnn.tf_engine import model as tf_model_module

    X, y = make_data(8, 3, 1, "binary_crossentropy")
    monkeypatch.setattr(tf_model_module, "GRAPH_CHUNK", 8 * 5)  # 5 epochs per graph call
    model = TFPerceptron.from_perceptron(make_model([3, 4, 1]))
    original = model._fit_graph[True, False]  # the graph for epochs in order, unweighted

    def graph_with_ctrl_c(*args: Any) -> Any:
        os.kill(os.getpid(), signal.SIGINT)
        return original(*args)

    monkeypatch.setitem(model._fit_graph, (True, False), graph_with_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=20, learning_rate=0.5, batch_size=None, verbose=False)
    assert len(model.history) == 5
    reference = TFPerceptron.from_perceptron(make_model([3, 4, 1])).fit(
        X, y, epochs=5, learning_rate=0.5, batch_size=None, verbose=False)
    for a, b in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_models_move_between_engines_through_files(tmp_path: Path, dtype: type) -> None:
    X, y = make_data(10, 3, 3, "categorical_crossentropy")
    X = X.astype(dtype)
    tf_model = TFPerceptron.from_perceptron(
        make_model([3, 5, 3], "relu", "softmax", "categorical_crossentropy"))
    tf_model.fit(X, y, epochs=3, learning_rate=0.1, batch_size=5, verbose=False)
    tf_model.save(tmp_path / "tf.npz")
    as_numpy = load(tmp_path / "tf.npz", engine="numpy")
    as_tf = load(tmp_path / "tf.npz")
    assert isinstance(as_numpy, Perceptron) and isinstance(as_tf, TFPerceptron)
    for model in (as_numpy, as_tf):
        for a, b in zip(model.get_weights(), tf_model.get_weights(), strict=True):
            assert a.dtype == dtype and a.tobytes() == b.tobytes()
        np.testing.assert_allclose(model.predict_proba(X), tf_model.predict_proba(X),
                                   rtol=1e-5 if dtype == np.float32 else 1e-12)
        assert model.history.loss == tf_model.history.loss
    as_numpy.save(tmp_path / "numpy.npz")
    again = load(tmp_path / "numpy.npz", engine="tensorflow")
    assert isinstance(again, TFPerceptron)
    assert again.predict(X).tolist() == tf_model.predict(X).tolist()


def test_tensorflow_fit_is_deterministic_run_after_run() -> None:
    X, y = make_data(40, 3, 3, "categorical_crossentropy")
    runs = [
        TFPerceptron.from_perceptron(
            make_model([3, 6, 3], "relu", "softmax", "categorical_crossentropy", seed=4)
        ).fit(X, y, epochs=5, learning_rate=0.2, batch_size=8, shuffle=True, random_state=9,
              verbose=False)
        for _ in range(2)
    ]
    assert runs[0].history.loss == runs[1].history.loss
    for a, b in zip(runs[0].get_weights(), runs[1].get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()


# -- optimizers and training features ---------------------------------------------------------

from scratchnn import Adam  # noqa: E402
from tests.test_optimizers import CASES as OPTIMIZER_CASES  # noqa: E402


@covering_grid(("name, optimizer, reference", {case[0]: case for case in OPTIMIZER_CASES}),
               ("jit_compile", {"xla": True, "graph": False}))
def test_every_optimizer_gives_the_same_weights_on_both_engines(
    name: str, optimizer: Any, reference: Any, jit_compile: bool
) -> None:
    X, y = make_data(20, 3, 3, "categorical_crossentropy")
    numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                             init="xavier")
    tf_model = TFPerceptron.from_perceptron(numpy_model, jit_compile=jit_compile)
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=10, batch_size=4, optimizer=optimizer(), verbose=False)  # 50
    assert numpy_model.optimizer_.iterations == tf_model.optimizer_.iterations == 50
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        assert relative_difference(a, b) < 1e-9
    for slot in numpy_model.optimizer_.slots:
        assert relative_difference(numpy_model.optimizer_.slots[slot][0],
                                   tf_model.optimizer_.slots[slot][0]) < 1e-9


def test_optimizer_state_moves_between_engines(tmp_path: Path) -> None:
    X, y = make_data(20, 3, 1, "binary_crossentropy")
    straight = make_model([3, 4, 1]).fit(X, y, epochs=6, batch_size=5, optimizer=Adam(0.01),
                                         verbose=False)
    mixed = make_model([3, 4, 1]).fit(X, y, epochs=2, batch_size=5, optimizer=Adam(0.01),
                                      verbose=False)
    on_tf = TFPerceptron.from_perceptron(mixed).fit(X, y, epochs=2, batch_size=5,
                                                     verbose=False)
    on_tf.save(tmp_path / "model.npz")
    back = load(tmp_path / "model.npz", engine="numpy").fit(X, y, epochs=2, batch_size=5,
                                                             verbose=False)
    assert back.optimizer_.iterations == 24
    for a, b in zip(straight.get_weights(), back.get_weights(), strict=True):
        assert relative_difference(a, b) < 1e-9


def test_early_stopping_and_callbacks_on_tensorflow() -> None:
    X, y = make_data(60, 2, 1, "binary_crossentropy", seed=5)
    kwargs: dict[str, Any] = {"optimizer": "adam", "learning_rate": 0.05, "batch_size": 8,
                              "validation_split": 0.3, "random_state": 0, "verbose": False,
                              "early_stopping": EarlyStopping(patience=5), "epochs": 200}
    numpy_model = make_model([2, 32, 1], "relu", init="he")
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    numpy_model.fit(X, y, **kwargs)
    tf_model.fit(X, y, **kwargs)
    assert tf_model.best_epoch_ == numpy_model.best_epoch_
    np.testing.assert_allclose(tf_model.history.val_loss, numpy_model.history.val_loss,
                               rtol=1e-9)
    for a, b in zip(numpy_model.get_weights(), tf_model.get_weights(), strict=True):
        assert relative_difference(a, b) < 1e-9


@pytest.mark.slow
def test_cli_digits_on_tensorflow_reaches_97_percent() -> None:
    import json

    from tests.test_cli import run

    result = run("train", "--dataset", "digits", "--engine", "tensorflow", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["test_accuracy"] >= 0.97


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scikit_learn_estimator_on_tensorflow_matches_numpy() -> None:
    from scratchnn import datasets
    from scratchnn.sklearn import MLPClassifier

    X, y = datasets.moons(120, random_state=0)
    settings: dict[str, Any] = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0,
                                "learning_rate_init": 0.01, "batch_size": 16}
    on_numpy = MLPClassifier(**settings).fit(X, y)
    on_tf = MLPClassifier(engine="tensorflow", **settings).fit(X, y)
    assert isinstance(on_tf.model_, TFPerceptron)
    np.testing.assert_allclose(on_tf.predict_proba(X), on_numpy.predict_proba(X), rtol=1e-9)
    np.testing.assert_allclose(on_tf.loss_curve_, on_numpy.loss_curve_, rtol=1e-9)


@pytest.mark.slow
def test_restarts_and_diagnoses_are_the_same_on_both_engines() -> None:
    from scratchnn import datasets

    X, y = datasets.xor()
    kwargs: dict[str, Any] = {"epochs": 3000, "learning_rate": 2.0, "batch_size": None,
                              "restarts": 10, "random_state": 1, "verbose": False}
    for seed in range(20):  # a start that gets stuck, so that restarts happen
        numpy_model = make_model([2, 2, 1], seed=seed)
        if numpy_model.numpy_copy().fit(X, y, epochs=3000, learning_rate=2.0, batch_size=None,
                                        verbose=False).score(X, y) < 1:
            break
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    numpy_model.fit(X, y, **kwargs)
    tf_model.fit(X, y, **kwargs)
    assert numpy_model.history.start == tf_model.history.start >= 1
    np.testing.assert_allclose(tf_model.history.loss, numpy_model.history.loss, rtol=1e-9)
    assert tf_model.score(X, y) == 1.0
    assert tf_model.diagnose(X, y) == numpy_model.diagnose(X, y) == []
