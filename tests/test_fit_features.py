"""fit's conveniences: validation, early stopping, verbosity, callbacks; and the data sets."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from scratchnn import EarlyStopping, datasets
from tests.conftest import make_data, make_model
from tests.test_cli import run


def classifier() -> Any:
    return make_model([2, 8, 1], "tanh", init="xavier")


def test_validation_data_gives_per_epoch_loss_and_accuracy() -> None:
    (X, y), (X_val, y_val) = datasets.train_test_split(*datasets.moons(200), 0.25, 0)
    model = classifier().fit(X, y, epochs=5, optimizer="adam", learning_rate=0.01,
                             batch_size=16, validation_data=(X_val, y_val), verbose=False)
    assert len(model.history.val_loss) == len(model.history.val_accuracy) == 5
    assert model.history.val_accuracy[-1] == model.score(X_val, y_val)
    expected = model._evaluation_loss(X_val, y_val.reshape(-1, 1).astype(float))
    assert model.history.val_loss[-1] == pytest.approx(expected, rel=1e-12)


def test_validation_split_is_seeded_and_stratified() -> None:
    X, y = datasets.moons(300, random_state=1)
    y[:60] = 1  # unbalanced: 180 of one class, 120 of the other, before the split
    seen = []

    class Record:
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            seen.append(logs["val_loss"])

    for _ in range(2):
        classifier().fit(X, y, epochs=1, validation_split=0.2, random_state=3, verbose=False,
                         callbacks=[Record()])
    assert seen[0] == seen[1]
    from scratchnn.training import stratified_split

    train, held_out = stratified_split(y, 0.2, np.random.default_rng(3))
    assert len(held_out) == 60 and len(train) == 240
    assert y[held_out].mean() == pytest.approx(y.mean(), abs=0.01)
    assert not set(train) & set(held_out)


def test_early_stopping_restores_the_best_weights() -> None:
    X, y = make_data(60, 2, 1, "binary_crossentropy", seed=5)  # noise: overfits quickly
    kwargs: dict[str, Any] = {"optimizer": "adam", "learning_rate": 0.05, "batch_size": 8,
                              "validation_split": 0.3, "random_state": 0, "verbose": False}
    model = make_model([2, 32, 1], "relu", init="he").fit(
        X, y, epochs=200, early_stopping=EarlyStopping(patience=5), **kwargs)
    best = model.best_epoch_
    assert best == int(np.argmin(model.history.val_loss)) + 1
    assert len(model.history) == best + 5  # stopped after five epochs without improvement
    replay = make_model([2, 32, 1], "relu", init="he").fit(X, y, epochs=best, **kwargs)
    for a, b in zip(model.get_weights(), replay.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_min_delta_ignores_small_improvements() -> None:
    # Improvements smaller than min_delta do not reset the count (so training stops after
    # patience epochs), but the best epoch is still the one with the lowest validation loss,
    # as scikit-learn keeps the best weights.
    X, y = make_data(40, 2, 1, "binary_crossentropy")
    model = classifier().fit(X, y, epochs=50, learning_rate=1e-4,
                             early_stopping=EarlyStopping(patience=3, min_delta=1.0),
                             random_state=0, verbose=False)
    assert len(model.history) == 4
    assert np.all(np.diff(model.history.val_loss) < 0)  # every epoch improved a little
    assert model.best_epoch_ == 4


@pytest.mark.parametrize(("verbose", "lines"), [(0, 0), (False, 0), (1, 3), (True, 3)])
def test_verbose_and_log_every(verbose: int, lines: int, capsys: pytest.CaptureFixture[str]
                               ) -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    classifier().fit(X, y, epochs=9, log_every=3, verbose=verbose)
    out = capsys.readouterr().out
    assert sum(line.startswith("Loss at epoch") for line in out.splitlines()) == lines
    if lines:
        assert out.splitlines()[0].startswith("Loss at epoch 3: ")
        # Nine epochs are too few to call the run stuck: the advice is to train longer.
        assert out.splitlines()[-1].startswith("Diagnosis: Training ran 9 epochs, too few")
    else:
        assert out == ""


def test_verbose_2_shows_a_progress_bar_with_the_losses(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    X, y = make_data(20, 2, 1, "binary_crossentropy")
    classifier().fit(X, y, epochs=4, validation_split=0.25, verbose=2)
    out = capsys.readouterr().out
    assert "4/4" in out and "loss=" in out and "val_loss=" in out


def test_a_callback_can_stop_training() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    calls: list[tuple[int, dict[str, float]]] = []

    class StopAtThree:
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
            calls.append((epoch, logs))
            return epoch == 2  # the third epoch: callbacks count from 0, as Keras's

    model = classifier().fit(X, y, epochs=10, callbacks=[StopAtThree()], verbose=False)
    assert len(model.history) == 3 and [c[0] for c in calls] == [0, 1, 2]
    assert model.history.epoch == [1, 2, 3]  # the history counts from 1, as the course
    assert calls[0][1] == {"loss": model.history.loss[0], "learning_rate": 0.01}

    class KerasStyle:
        def __init__(self, model: Any) -> None:
            self.model = model

        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            if epoch == 1:
                self.model.stop_training = True

    model = classifier()
    model.fit(X, y, epochs=10, callbacks=[KerasStyle(model)], verbose=False)
    assert len(model.history) == 2


def test_bad_fit_options_are_refused() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    model = classifier()
    with pytest.raises(ValueError, match="validation_split must be strictly between 0 and 1"):
        model.fit(X, y, validation_split=1.5)
    with pytest.raises(ValueError, match="give validation_data or validation_split, not both"):
        model.fit(X, y, validation_split=0.2, validation_data=(X, y))
    with pytest.raises(TypeError, match=r"callbacks\[0\] has no on_epoch_end"):
        model.fit(X, y, callbacks=[print])
    with pytest.raises(ValueError, match="verbose must be 0, 1, 2"):
        model.fit(X, y, verbose=3)
    with pytest.raises(ValueError, match="patience must be a positive integer"):
        model.fit(X, y, early_stopping=EarlyStopping(patience=0))
    with pytest.raises(ValueError, match=r"validation_data\[0\] has 3 features"):
        model.fit(X, y, validation_data=(np.ones((2, 3)), [0, 1]))
    assert len(model.history) == 0


# -- data sets -------------------------------------------------------------------------------

@pytest.mark.parametrize(("gate", "outputs"), [
    (datasets.xor, [0, 1, 1, 0]), (datasets.and_, [0, 0, 0, 1]),
    (datasets.or_, [0, 1, 1, 1]), (datasets.nand, [1, 1, 1, 0]),
])
def test_logic_gates(gate: Any, outputs: list[int]) -> None:
    X, y = gate()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert y.shape == (4, 1) and y[:, 0].tolist() == outputs


@pytest.mark.parametrize("make", [datasets.moons, datasets.circles, datasets.spirals])
def test_2d_data_sets_are_seeded_and_sized(make: Any) -> None:
    X, y = make(n_samples=120, noise=0.1, random_state=4)
    again, _ = make(n_samples=120, noise=0.1, random_state=4)
    other, _ = make(n_samples=120, noise=0.1, random_state=5)
    assert X.shape == (120, 2) and y.shape == (120,) and set(y) == {0, 1}
    np.testing.assert_array_equal(X, again)
    assert not np.array_equal(X, other)
    noisier, _ = make(n_samples=120, noise=0.5, random_state=4)
    assert not np.array_equal(X, noisier)


def test_spirals_can_have_more_arms() -> None:
    _, y = datasets.spirals(n_samples=90, n_classes=3)
    assert sorted(set(y)) == [0, 1, 2] and np.bincount(y).tolist() == [30, 30, 30]


def test_digits_are_scaled_and_split_by_class() -> None:
    (X, y), (X_test, y_test) = datasets.digits(random_state=0)
    assert X.shape[1] == 64 and len(X) + len(X_test) == 1797
    assert X.min() == 0 and X.max() == 1 and len(set(y)) == 10
    assert np.abs(np.bincount(y) / len(y) - np.bincount(y_test) / len(y_test)).max() < 0.01
    (X_again, _), _ = datasets.digits(random_state=0)
    np.testing.assert_array_equal(X, X_again)


@pytest.mark.parametrize("dataset", ["moons", pytest.param("digits", marks=pytest.mark.slow),
                                     pytest.param("circles", marks=pytest.mark.slow)])
def test_cli_reaches_97_percent(dataset: str) -> None:
    result = run("train", "--dataset", dataset, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["test_accuracy"] >= 0.97, report


def test_softmax_takes_integer_or_one_hot_labels_end_to_end() -> None:
    (X, y), (X_test, y_test) = datasets.train_test_split(
        *datasets.spirals(300, n_classes=3, noise=0.1), 0.25, 0)
    kwargs: dict[str, Any] = {"epochs": 150, "optimizer": "adam", "learning_rate": 0.02,
                              "batch_size": 16, "shuffle": True, "random_state": 0,
                              "verbose": False}
    spec = {"hidden": "relu", "output": "softmax", "loss": "categorical_crossentropy",
            "init": "he"}
    by_index = make_model([2, 32, 32, 3], **spec).fit(X, y, **kwargs)
    by_one_hot = make_model([2, 32, 32, 3], **spec).fit(X, np.eye(3)[y], **kwargs)
    assert by_index.history.loss == by_one_hot.history.loss
    assert by_index.score(X_test, y_test) > 0.9
