"""Diagnostics: each finding is provoked by a test, and stays silent on a healthy run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from scratchnn import Layer, Perceptron, datasets
from scratchnn.diagnostics import Finding, diagnose
from scratchnn.language import speaking
from tests.conftest import make_data, make_model


def codes(findings: list[Finding]) -> set[str]:
    return {finding.code for finding in findings}


def healthy() -> tuple[Perceptron, np.ndarray, np.ndarray]:
    X, y = datasets.moons(200, random_state=0)
    model = make_model([2, 16, 16, 1], "tanh", init="xavier").fit(
        X, y, epochs=150, optimizer="adam", learning_rate=0.01, batch_size=16, verbose=False)
    return model, X, y


def test_a_healthy_run_gives_no_finding() -> None:
    model, X, y = healthy()
    assert model.score(X, y) == 1.0
    assert diagnose(model, X, y) == []
    assert model.diagnose(X, y) == []


def test_healthy_relu_network_gives_no_finding() -> None:
    X, y = datasets.spirals(300, n_classes=3, noise=0.1)
    model = make_model([2, 32, 32, 3], "relu", "softmax", "categorical_crossentropy",
                       init="he")
    model.fit(X, y, epochs=200, optimizer="adam", learning_rate=0.01, batch_size=32,
              verbose=False)
    assert model.diagnose(X, y) == []


def stuck_at_base_rate() -> tuple[Perceptron, np.ndarray, np.ndarray]:
    X, y = datasets.xor()
    model = make_model([2, 2, 1])
    # Hidden units that ignore the inputs: the best the output can do is the base rate.
    model.set_weights([np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((1, 2)), np.zeros((1, 1))])
    model.fit(X, y, epochs=50, learning_rate=1.0, batch_size=None, verbose=False)
    return model, X, y


def test_base_rate() -> None:
    model, X, y = stuck_at_base_rate()
    finding = next(f for f in model.diagnose(X, y) if f.code == "base_rate")
    assert finding.details["label_entropy"] == pytest.approx(np.log(2))
    assert "predicts the base rate" in finding.message and "restarts" in finding.advice


def test_base_rate_uses_the_label_frequencies() -> None:
    X, y = make_data(40, 2, 1, "binary_crossentropy")
    y[:30] = 0  # a quarter of ones at most
    model = make_model([2, 2, 1])
    model.set_weights([np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((1, 2)), np.zeros((1, 1))])
    model.fit(X, y, epochs=300, learning_rate=1.0, batch_size=None, verbose=False)
    finding = next(f for f in model.diagnose(X, y) if f.code == "base_rate")
    p = y.mean()
    entropy = -p * np.log(p) - (1 - p) * np.log(1 - p)
    assert finding.details["label_entropy"] == pytest.approx(entropy)


def test_plateau_in_a_bad_minimum() -> None:
    X, y = datasets.xor()
    for seed in range(50):  # find a start that gets stuck with three points of four right
        rng = np.random.default_rng(seed)
        model = Perceptron([Layer(2, 2, "sigmoid", init="normal", random_state=rng),
                            Layer(2, 1, "sigmoid", init="normal", random_state=rng)])
        model.fit(X, y, epochs=3000, learning_rate=2.0, batch_size=None, verbose=False)
        if model.score(X, y) == 0.75:
            break
    found = model.diagnose(X, y)
    assert "plateau" in codes(found), found
    assert "bad minimum" in next(f for f in found if f.code == "plateau").message


def test_dead_relu_units_are_counted_per_layer() -> None:
    X, y = make_data(30, 3, 1, "binary_crossentropy")
    model = make_model([3, 5, 4, 1], "relu", init="he")
    weights = model.get_weights()
    weights[1][:2] = -100.0  # two units of layer 1 get only negative inputs
    model.set_weights(weights)
    finding = next(f for f in diagnose(model, X, y) if f.code == "dead_relu")
    assert finding.details["dead_units"] == {"layer 1": 2}
    assert "layer 1: 2 of 5" in finding.message
    weights[1][:2] = 0.0
    weights[1][:1] = -100.0  # one of five: not reported
    model.set_weights(weights)
    assert "dead_relu" not in codes(diagnose(model, X, y))


def test_saturated_units() -> None:
    X, y = make_data(30, 3, 1, "binary_crossentropy")
    model = make_model([3, 4, 1], "tanh")
    weights = model.get_weights()
    weights[1][:3] = 50.0  # three units pinned at tanh = 1
    model.set_weights(weights)
    finding = next(f for f in diagnose(model, X, y) if f.code == "saturated")
    assert finding.details["saturated_units"] == {"layer 1": 3}


def test_vanishing_gradients() -> None:
    X, y = make_data(30, 3, 1, "binary_crossentropy")
    model = make_model([3, 8, 8, 8, 8, 1], "sigmoid", init="uniform", seed=2)
    weights = model.get_weights()
    for index in (2, 4, 6):  # small weights between sigmoid layers shrink the gradient
        weights[index] *= 0.01
    model.set_weights(weights)
    finding = next(f for f in diagnose(model, X, y) if f.code == "vanishing_gradients")
    norms = list(finding.details["gradient_norms"].values())
    assert norms[0] < 1e-4 * norms[-1]


def test_exploding_gradients() -> None:
    X, y = make_data(30, 3, 1, "mean_squared_error")
    model = make_model([3, 8, 8, 1], "linear", "linear", "mean_squared_error", init="normal")
    weights = model.get_weights()
    for index in (0, 2, 4):
        weights[index] *= 30
    model.set_weights(weights)
    assert "exploding_gradients" in codes(diagnose(model, X * 10, y))


def test_unstable_loss_means_the_learning_rate_is_too_high() -> None:
    X, y = datasets.moons(100, random_state=0)
    model = make_model([2, 8, 1], "tanh", init="xavier").fit(
        X, y, epochs=60, optimizer="sgd", learning_rate=40.0, batch_size=10, verbose=False)
    finding = next(f for f in model.diagnose(X, y) if f.code == "unstable")
    assert "smaller learning rate" in finding.advice


def test_still_falling_means_train_longer() -> None:
    X, y = datasets.moons(200, random_state=0)
    model = make_model([2, 8, 1], "tanh", init="xavier").fit(
        X, y, epochs=100, learning_rate=0.01, batch_size=None, verbose=False)
    finding = next(f for f in model.diagnose(X, y) if f.code == "still_falling")
    assert "train longer" in finding.advice


def test_fit_prints_the_diagnosis_once(capsys: pytest.CaptureFixture[str]) -> None:
    model, X, y = stuck_at_base_rate()
    capsys.readouterr()
    model.fit(X, y, epochs=20, learning_rate=1.0, batch_size=None, log_every=10)
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [line for line in lines if line.startswith("Loss at epoch")]
    diagnoses = [line for line in lines if line.startswith("Diagnosis: ")]
    assert len(diagnoses) == len({line for line in diagnoses}) >= 1
    assert any("base rate" in line for line in diagnoses)
    model.fit(X, y, epochs=5, verbose=0)
    assert capsys.readouterr().out == ""


def test_restarts_replace_a_stuck_run_and_say_which_start_won() -> None:
    X, y = datasets.xor()
    model, _, _ = stuck_at_base_rate()
    model.history.loss.clear()
    model.history.epoch.clear()
    model.set_weights([np.zeros((2, 2)), np.zeros((2, 1)), np.zeros((1, 2)), np.zeros((1, 1))])
    model.fit(X, y, epochs=3000, learning_rate=2.0, batch_size=None, restarts=10,
              random_state=0, verbose=False)
    assert model.history.start is not None and model.history.start >= 1
    assert model.score(X, y) == 1.0 and model.history.loss[-1] < 0.05
    assert len(model.history) == 3000  # the winning run's history, not the stuck one's
    assert model.diagnose(X, y) == []


def test_restarts_are_seeded_and_skipped_when_not_stuck() -> None:
    X, y = datasets.xor()
    kwargs: dict[str, Any] = {"epochs": 3000, "learning_rate": 2.0, "batch_size": None,
                              "restarts": 10, "random_state": 4, "verbose": False}
    runs = [make_model([2, 2, 1], seed=1).fit(X, y, **kwargs) for _ in range(2)]
    assert runs[0].history.loss == runs[1].history.loss
    model, X_moons, y_moons = healthy()
    assert model.history.start is None
    with pytest.raises(ValueError, match="restarts must be an integer >= 0, got -1"):
        model.fit(X_moons, y_moons, restarts=-1)


def test_bad_restarts_are_refused_before_a_progress_bar_appears(
        capsys: pytest.CaptureFixture[str]) -> None:
    X, y = datasets.xor()
    with pytest.raises(TypeError, match=r"restarts must be an integer >= 0, got 1\.5"):
        make_model([2, 2, 1]).fit(X, y, restarts=1.5, verbose=2)  # type: ignore[arg-type]
    assert capsys.readouterr().out == ""


def small_rate_on_xor(restarts: int = 0) -> tuple[Perceptron, np.ndarray, np.ndarray]:
    """The course's learning rate, 0.01, on full-batch XOR for the command line's 3000 epochs:
    the loss sits near ln 2 but falls at every epoch."""
    X, y = datasets.xor()
    model = make_model([2, 2, 1]).fit(X, y, epochs=3000, learning_rate=0.01, batch_size=None,
                                      restarts=restarts, random_state=0, verbose=False)
    return model, X, y


def test_a_rate_too_small_is_told_apart_from_a_stuck_run() -> None:
    model, X, y = small_rate_on_xor()
    found = model.diagnose(X, y)
    assert codes(found) == {"slow"}, found
    assert "larger learning rate" in found[0].advice and "not stuck" in found[0].message
    with speaking("fr"):
        french = diagnose(model, X, y)
    assert "taux d'apprentissage plus grand" in french[0].advice
    assert "lent, pas bloqué" in french[0].message
    stuck, X, y = stuck_at_base_rate()  # the same flat loss, but nothing moves: stuck
    assert "base_rate" in codes(stuck.diagnose(X, y))


def test_a_rate_too_small_is_not_restarted(capsys: pytest.CaptureFixture[str]) -> None:
    model, X, y = small_rate_on_xor(restarts=10)
    assert model.history.start is None  # no restart was made
    capsys.readouterr()
    make_model([2, 2, 1]).fit(X, y, epochs=3000, learning_rate=0.01, batch_size=None,
                              restarts=10, random_state=0, log_every=3000)
    output = capsys.readouterr().out
    assert "restart 1" not in output and "Diagnosis: The loss falls steadily" in output


def test_a_tiny_losss_wiggles_are_not_oscillation() -> None:
    """Spirals trained to a loss of 1.6e-5 wobble by 1% in its last digits: that is no
    reason to lower the learning rate. Rises count from a hundredth of the starting loss."""
    model, X, y = healthy()
    epochs = len(model.history)
    settled = 1.6e-5 * (1 + 0.01 * np.sin(np.arange(epochs)))
    model.history.loss[:] = list(np.maximum(0.7 * np.exp(-np.arange(epochs) / 5), settled))
    assert "unstable" not in codes(model.diagnose(X, y))
    model.history.loss[-epochs // 2:] = list(0.3 + 0.05 * np.sin(np.arange(epochs // 2)))
    finding = next(f for f in model.diagnose(X, y) if f.code == "unstable")
    with speaking("fr"):
        french = next(f for f in model.diagnose(X, y) if f.code == "unstable")
    assert "smaller learning rate" in finding.advice
    assert "taux d'apprentissage plus petit" in french.advice
    assert str(french).startswith("La perte monte ou oscille\u00a0:")
