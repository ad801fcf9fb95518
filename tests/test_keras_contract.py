"""Keras's callback contract (epochs from 0, one- and two-argument schedules, ``{epoch}``
from 1) and one ConvergenceWarning for scikit-learn's filters."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scratchnn import (
    SGD,
    ConvergenceWarning,
    CSVLogger,
    EarlyStopping,
    LearningRateScheduler,
    ModelCheckpoint,
    Perceptron,
)
from scratchnn.errors import convergence_warning

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 2))
y = (X[:, 0] + X[:, 1] > 0).astype(int)


def network() -> Perceptron:
    return Perceptron.from_sizes([2, 4, 1], "tanh", "sigmoid", "bce", random_state=0)


class Recorder:
    """Every hook's epoch, in the order called."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def on_epoch_begin(self, epoch: int) -> None:
        self.calls.append(("begin", epoch))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.calls.append(("end", epoch))


def test_callbacks_count_epochs_from_0_and_the_history_and_lines_from_1(
        capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder()
    model = network()
    model.fit(X, y, epochs=3, learning_rate=0.1, callbacks=[recorder], verbose=1)
    assert recorder.calls == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1),
                              ("begin", 2), ("end", 2)]
    assert model.history.epoch == [1, 2, 3]
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Loss")]
    assert [line.split(":")[0] for line in lines] == [f"Loss at epoch {e}" for e in (1, 2, 3)]
    # A later fit continues the count, as Keras's initial_epoch does.
    recorder.calls.clear()
    model.fit(X, y, epochs=2, learning_rate=0.1, callbacks=[recorder], verbose=0)
    assert recorder.calls == [("begin", 3), ("end", 3), ("begin", 4), ("end", 4)]


@pytest.mark.parametrize("schedule", [
    lambda epoch: 0.1 / (epoch + 1),
    lambda epoch, rate: 0.1 / (epoch + 1),
    lambda epoch, rate=None: 0.1 / (epoch + 1),
])
def test_learning_rate_scheduler_takes_one_or_two_arguments_as_keras(schedule: Any) -> None:
    model = network()
    model.fit(X, y, epochs=3, optimizer=SGD(1.0), verbose=0,
              callbacks=[LearningRateScheduler(schedule)])
    np.testing.assert_allclose(model.history.learning_rate, [0.1, 0.05, 0.1 / 3])


def test_learning_rate_scheduler_gives_the_current_rate() -> None:
    seen: list[tuple[int, float]] = []

    def halve(epoch: int, rate: float) -> float:
        seen.append((epoch, rate))
        return rate / 2

    network().fit(X, y, epochs=3, optimizer=SGD(0.8), verbose=0,
                  callbacks=[LearningRateScheduler(halve)])
    assert seen == [(0, 0.8), (1, 0.4), (2, 0.2)]


def test_learning_rate_scheduler_refuses_a_schedule_it_cannot_call() -> None:
    with pytest.raises(TypeError, match=r"schedule must be a function of \(epoch, "
                                        r"learning_rate\) or of \(epoch\), got .* with the "
                                        r"signature \(\)"):
        LearningRateScheduler(lambda: 0.1)
    with pytest.raises(TypeError, match="schedule must be a function"):
        LearningRateScheduler(0.1)  # type: ignore[arg-type]


def test_checkpoint_fills_epoch_from_1_and_csv_logger_writes_it_from_0(tmp_path: Path
                                                                        ) -> None:
    model = network()
    model.fit(X, y, epochs=3, learning_rate=0.1, verbose=0, callbacks=[
        ModelCheckpoint(tmp_path / "model-{epoch:02d}.npz", monitor="loss"),
        CSVLogger(tmp_path / "log.csv")])
    assert sorted(path.name for path in tmp_path.glob("*.npz")) == [
        "model-01.npz", "model-02.npz", "model-03.npz"]
    rows = (tmp_path / "log.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in rows] == ["epoch", "0", "1", "2"]


def unconverged_fit() -> None:
    """A fit whose stopping rule never says it converged: it warns."""
    network().fit(X, y, epochs=2, learning_rate=0.1, verbose=0,
                  early_stopping=EarlyStopping("loss", patience=50))


def test_scikit_learns_filter_silences_the_fits_convergence_warning() -> None:
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    with pytest.warns(ConvergenceWarning) as caught:
        unconverged_fit()
    assert issubclass(caught[0].category, sklearn_exceptions.ConvergenceWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", sklearn_exceptions.ConvergenceWarning)
        unconverged_fit()  # silenced: an error otherwise


def test_scikit_learns_filter_silences_the_estimators_convergence_warning() -> None:
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    from scratchnn.sklearn import MLPClassifier, MLPRegressor

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", sklearn_exceptions.ConvergenceWarning)
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, X[:, 0])
        MLPClassifier((4,), max_iter=2, random_state=0, early_stopping=True).fit(X, y)


def test_without_scikit_learn_the_warning_is_scratchnns_own() -> None:
    code = ("import sys, warnings\nsys.modules['sklearn'] = None\n"
            "import numpy as np\nfrom scratchnn import Perceptron, EarlyStopping\n"
            "from scratchnn.errors import ConvergenceWarning, convergence_warning\n"
            "assert convergence_warning() is ConvergenceWarning\n"
            "X = np.eye(4)[:, :2]; y = np.array([0, 1, 0, 1])\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    Perceptron.from_sizes([2, 3, 1], 'tanh', 'sigmoid', 'bce', random_state=0)"
            ".fit(X, y, epochs=2, verbose=0, early_stopping=EarlyStopping('loss', patience=9))\n"
            "assert [w.category for w in caught] == [ConvergenceWarning], caught\n"
            "print('sklearn' in sys.modules and sys.modules['sklearn'] is not None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_one_class_for_both_libraries_once_scikit_learn_is_imported() -> None:
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    both = convergence_warning()
    assert both is convergence_warning()  # made once
    assert issubclass(both, ConvergenceWarning)
    assert issubclass(both, sklearn_exceptions.ConvergenceWarning)
    assert both.__name__ == "ConvergenceWarning"
