"""Divergence, interruption and determinism: training never leaves a broken model."""

from __future__ import annotations

import os
import signal
from typing import Any

import numpy as np
import pytest

from scratchnn import Perceptron, TrainingDivergedError
from tests.conftest import make_data, make_model


def exploding_model() -> Perceptron:
    return make_model([3, 8, 1], "relu", "linear", "mean_squared_error", init="he")


def test_divergence_stops_at_once_and_keeps_finite_weights() -> None:
    X, y = make_data(16, 3, 1, "mean_squared_error")
    model = exploding_model()
    with pytest.raises(TrainingDivergedError, match=r"training diverged at epoch \d+, batch \d+: "
                       r".*Try a smaller learning rate than 1e\+06") as caught:
        model.fit(X * 100, y, epochs=50, learning_rate=1e6, batch_size=4, verbose=False)
    assert isinstance(caught.value, ValueError)
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert len(model.history) == caught.value.epoch - 1
    assert all(np.isfinite(model.history.loss))
    assert np.isfinite(model.predict_proba(X)).all()


def test_divergence_keeps_the_last_update_that_was_finite() -> None:
    X, y = make_data(16, 3, 1, "mean_squared_error")
    model = exploding_model()
    start = model.get_weights()
    with pytest.raises(TrainingDivergedError) as caught:
        model.fit(X * 100, y, epochs=50, learning_rate=1e6, batch_size=4, verbose=False)
    failed = caught.value
    updates = (failed.epoch - 1) * 4 + failed.batch - 1
    # Replay the updates that came before the failing batch: the model holds exactly their
    # result, or (if their last update overflowed) the weights at the start of that epoch.
    replay = exploding_model()
    replay.set_weights(start)
    params = replay.parameters()
    snapshots = [replay.get_weights()]
    for index in range(updates):
        batch = slice(4 * (index % 4), 4 * (index % 4) + 4)
        with np.errstate(all="ignore"):
            replay._backward(y[batch].T, replay._forward((X * 100)[batch].T))
            for p, g in zip(params, replay.gradients(), strict=True):
                p -= 1e6 * g
        snapshots.append(replay.get_weights())
    candidates = [snapshots[-1], snapshots[(failed.epoch - 1) * 4]]
    assert any(all(np.array_equal(a, b) for a, b in zip(model.get_weights(), c, strict=True))
               for c in candidates)


def test_interrupt_from_a_patched_step_keeps_completed_updates(monkeypatch: Any) -> None:
    X, y = make_data(12, 3, 1, "binary_crossentropy")
    reference = make_model([3, 4, 1]).fit(X, y, epochs=3, learning_rate=0.5, batch_size=None,
                                         verbose=False)
    model = make_model([3, 4, 1])
    calls = {"n": 0}
    original = model._backward

    def interrupted_backward(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        original(*args)

    monkeypatch.setattr(model, "_backward", interrupted_backward)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=10, learning_rate=0.5, batch_size=None, verbose=False)
    assert model.history.loss == reference.history.loss
    for a, b in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_waits_for_the_update_to_finish(monkeypatch: Any) -> None:
    X, y = make_data(12, 3, 1, "binary_crossentropy")
    reference = make_model([3, 4, 1]).fit(X, y, epochs=2, learning_rate=0.5, batch_size=4,
                                         verbose=False)  # 6 updates
    model = make_model([3, 4, 1])
    calls = {"n": 0}
    original = model._backward

    def backward_then_signal(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 6:  # Ctrl-C in the middle of the 6th update
            os.kill(os.getpid(), signal.SIGINT)
        original(*args)

    monkeypatch.setattr(model, "_backward", backward_then_signal)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, y, epochs=10, learning_rate=0.5, batch_size=4, verbose=False)
    for a, b in zip(model.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # The interrupt came during epoch 2, whose last update completed; epoch 2 is not recorded
    # because the epoch's end was never reached.
    assert model.history.loss == reference.history.loss[:1]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_fit_is_deterministic_run_after_run() -> None:
    X, y = make_data(40, 3, 3, "categorical_crossentropy")
    runs = [
        make_model([3, 6, 3], "relu", "softmax", "categorical_crossentropy", seed=4).fit(
            X, y, epochs=5, learning_rate=0.2, batch_size=8, shuffle=True, random_state=9,
            verbose=False)
        for _ in range(2)
    ]
    assert runs[0].history.loss == runs[1].history.loss
    for a, b in zip(runs[0].get_weights(), runs[1].get_weights(), strict=True):
        assert a.tobytes() == b.tobytes()
