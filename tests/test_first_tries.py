"""What a student or a Keras user types first works, and says what it does."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scratchnn import (
    SGD,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    Perceptron,
    datasets,
    load,
    relu,
    sigmoid,
    softmax,
    tanh,
)
from tests.conftest import make_data, make_model


def test_activations_take_numbers_lists_and_integer_arrays() -> None:
    assert sigmoid(0) == 0.5 and relu.derivative(2.0) == 1.0 and relu(-3) == 0.0
    np.testing.assert_allclose(sigmoid(np.array([1, 2, 3])), 1 / (1 + np.exp(-np.arange(1, 4))))
    np.testing.assert_allclose(relu([-1, 2]), [0.0, 2.0])
    np.testing.assert_allclose(tanh.derivative([0]), [1.0])
    np.testing.assert_allclose(softmax([0, 0]), [0.5, 0.5])
    assert sigmoid(np.float32(1)).dtype == np.float32  # float32 stays float32


def test_history_and_evaluate_as_in_keras() -> None:
    X, y = make_data(30, 2, 1, "binary_crossentropy")
    model = make_model([2, 4, 1]).fit(X, y, epochs=3, learning_rate=0.1, verbose=0,
                                      validation_split=0.2, random_state=0)
    history = model.history
    assert set(history.history) == {"loss", "val_loss", "val_accuracy", "learning_rate"}
    assert history["loss"] == history.loss and len(history["val_loss"]) == 3
    with pytest.raises(KeyError, match=r"no 'accuracy' in this history; it has \['learning_rate'"):
        history["accuracy"]
    loss, accuracy = model.evaluate(X, y)
    assert loss == pytest.approx(model._evaluation_loss(X, y.astype(float))) and 0 <= accuracy <= 1
    assert set(model.evaluate(X, y, return_dict=True)) == {"loss", "accuracy"}
    regression = make_model([2, 3, 1], output="linear", loss="mse")
    assert set(regression.evaluate(X, X[:, :1], return_dict=True)) == {"loss", "r2"}
    classes = Perceptron.from_sizes([2, 3, 3], "relu", "softmax",
                                    "sparse_categorical_crossentropy", random_state=0)
    assert classes.loss.name == "categorical_crossentropy"
    classes.fit(X, np.arange(30) % 3, epochs=2, learning_rate=0.1, verbose=0)


@pytest.mark.parametrize("engine", ["numpy", "tensorflow"])
def test_keras_callbacks(engine: str, tmp_path: Path) -> None:
    X, y = make_data(40, 2, 1, "binary_crossentropy")
    model = make_model([2, 6, 1], init="xavier")
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
        from scratchnn.tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(model)  # type: ignore[assignment]
    best = ModelCheckpoint(tmp_path / "best.npz", monitor="val_loss", save_best_only=True)
    every = ModelCheckpoint(str(tmp_path / "epoch{epoch}-{loss:.2f}.npz"))
    model.fit(X, y, epochs=6, optimizer=SGD(0.5), batch_size=8, verbose=0, random_state=0,
              validation_split=0.25, callbacks=[
                  LearningRateScheduler(lambda epoch, rate: 0.5 / (epoch + 1)), best, every,
                  CSVLogger(tmp_path / "log.csv")])
    np.testing.assert_allclose(model.history.learning_rate, [0.5 / e for e in range(1, 7)])
    with (tmp_path / "log.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [int(row["epoch"]) for row in rows] == list(range(6))  # from 0, as Keras writes it
    np.testing.assert_allclose([float(row["val_loss"]) for row in rows],
                               model.history.val_loss, rtol=1e-12)
    assert len(list(tmp_path.glob("epoch*.npz"))) == 6
    # Keras fills {epoch} with the epoch counted from 1, as the history counts it.
    assert (tmp_path / f"epoch6-{model.history.loss[-1]:.2f}.npz").exists()
    assert {path.name.split("-")[0] for path in tmp_path.glob("epoch*.npz")} == {
        f"epoch{epoch}" for epoch in model.history.epoch}
    saved = load(tmp_path / "best.npz")
    assert len(saved.history) == int(np.argmin(model.history.val_loss)) + 1


def test_verbose_lines_carry_validation_and_say_how_training_stopped(
        capsys: pytest.CaptureFixture[str]) -> None:
    X, y = datasets.moons(200, noise=0.3, random_state=0)
    model = Perceptron.from_sizes([2, 32, 32, 1], "relu", "sigmoid", "bce", random_state=0)
    model.fit(X, y, epochs=300, optimizer="adam", learning_rate=0.05, batch_size=16,
              shuffle=True, early_stopping=EarlyStopping(patience=5), random_state=0,
              log_every=1)
    out = capsys.readouterr().out
    assert "Loss at epoch 1: " in out and " - val_loss: " in out and " - val_accuracy: " in out
    stopped = f"Early stopping at epoch {len(model.history)}: restored the weights of epoch " \
              f"{model.best_epoch_}, val_loss {min(model.history.val_loss):.3f}"
    assert stopped in out


def test_the_loss_plot_marks_the_restored_epoch() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from scratchnn.plot import plot_loss

    X, y = datasets.moons(200, noise=0.3, random_state=0)
    model = Perceptron.from_sizes([2, 32, 1], "relu", "sigmoid", "bce", random_state=0)
    model.fit(X, y, epochs=200, optimizer="adam", learning_rate=0.05, batch_size=16,
              early_stopping=EarlyStopping(patience=5), random_state=0, verbose=0)
    ax = plot_loss(model, Figure().subplots())
    labels = [line.get_label() for line in ax.get_lines()]
    assert f"restored epoch {model.best_epoch_}" in labels


def test_the_tensorflow_engine_without_tensorflow_says_what_to_install() -> None:
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "import scratchnn.tf_engine")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert "ImportError: the TensorFlow engine needs TensorFlow: pip install " \
           "'scratchnn[tf]'" in result.stderr


@pytest.mark.slow
def test_tensorflow_says_nothing_of_its_start_up() -> None:
    pytest.importorskip("tensorflow")
    from tests.test_cli import run

    result = run("train", "--engine", "tensorflow", "--epochs", "20", "--verbose", "0")
    assert result.returncode == 0 and result.stderr == "", result.stderr
