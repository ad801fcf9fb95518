"""Every promise holds under hostile input: strict types, parameters that stay parameters, and
no state changed by a failure, on both engines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from scratchnn import SGD, Adam, Layer, Perceptron, datasets
from tests.conftest import make_data, make_model

X, Y = make_data(12, 2, 1, "binary_crossentropy")


def engines() -> list[Callable[[], Any]]:
    """Builders of the same small network on each engine."""
    def on_numpy() -> Any:
        return make_model([2, 3, 1], init="xavier")

    def on_tensorflow() -> Any:
        pytest.importorskip("tensorflow")
        from scratchnn.tf_engine import TFPerceptron

        return TFPerceptron.from_perceptron(on_numpy())

    return [on_numpy, on_tensorflow]


def state(model: Any) -> tuple[Any, ...]:
    return (tuple(w.tobytes() for w in model.get_weights()), str(model.dtype),
            len(model.history), getattr(model, "optimizer_", None))


@pytest.mark.parametrize(("settings", "error", "message"), [
    ({"shuffle": "False"}, TypeError, "shuffle must be True or False, got 'False'"),
    ({"early_stopping": "False"}, TypeError, "early_stopping must be True, False or an"),
    ({"learning_rate": 10**400}, ValueError, "learning_rate is too large for a float"),
    ({"callbacks": None}, TypeError, "callbacks must be a list of objects with on_epoch_end"),
    ({"callbacks": SGD(0.1)}, TypeError, "callbacks must be a list of objects with"),
    ({"restarts": 1.5}, TypeError, "restarts must be an integer >= 0"),
    ({"sample_weight": [1.0] * 11}, ValueError, r"sample_weight must have shape \(12,\)"),
])
@pytest.mark.parametrize("build", engines(), ids=["numpy", "tensorflow"])
def test_bad_settings_are_refused_before_anything_changes(
        build: Callable[[], Any], settings: dict[str, Any], error: type, message: str) -> None:
    model = build()
    before = state(model)
    with pytest.raises(error, match=message):
        model.fit(X, Y, epochs=2, verbose=0, **{"learning_rate": 0.1, **settings})
    assert state(model) == before


def test_numbers_are_checked_strictly() -> None:
    with pytest.raises(TypeError, match="epsilon must be a positive number, got None"):
        Adam(epsilon=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="momentum is too large for a float"):
        SGD(0.1, momentum=10**400)
    with pytest.raises(TypeError, match="dtype must be float32 or float64, got int64"):
        Layer(2, 3, "relu", dtype=np.int64)
    model = make_model([2, 3, 1]).fit(X, Y, epochs=np.int64(2), batch_size=np.int32(4),
                                      restarts=np.int64(0), learning_rate=np.float32(0.1),
                                      verbose=0)
    assert len(model.history) == 2  # numpy integers are integers


@pytest.mark.parametrize(("weights", "error", "message"), [
    (lambda w: [a.astype(np.int64) for a in w], TypeError, "float32 or all float64"),
    (lambda w: [w[0], w[1].astype(np.float32), *w[2:]], TypeError, "float32 or all float64"),
    (lambda w: [np.full_like(w[0], np.nan), *w[1:]], ValueError, r"weights\[0\] holds NaN"),
    (lambda w: [w[0].T, *w[1:]], ValueError, "weights must have the shapes"),
    (lambda w: {"W1": w[0]}, TypeError, "weights must be a list of arrays"),
])
@pytest.mark.parametrize("build", engines(), ids=["numpy", "tensorflow"])
def test_set_weights_takes_only_the_parameters(build: Callable[[], Any], weights: Any,
                                               error: type, message: str) -> None:
    model = build()
    before = state(model)
    with pytest.raises(error, match=message):
        model.set_weights(weights(model.get_weights()))
    assert state(model) == before


def test_set_weights_from_a_callback_keeps_training_from_them() -> None:
    model = make_model([2, 3, 1], init="xavier")
    chosen = [np.full_like(w, 0.1) for w in model.get_weights()]

    class Reset:
        def __init__(self) -> None:
            self.after: list[np.ndarray] = []

        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            if epoch == 1:  # after the second epoch (callbacks count from 0)
                model.set_weights(chosen)
            if epoch == 2:
                self.after = model.get_weights()

    reset = Reset()
    model.fit(X, Y, epochs=3, learning_rate=0.5, batch_size=None, callbacks=[reset], verbose=0)
    replay = make_model([2, 3, 1], init="xavier")
    replay.set_weights(chosen)
    replay.fit(X, Y, epochs=1, learning_rate=0.5, batch_size=None, verbose=0)
    for a, b in zip(reset.after, replay.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)  # the third epoch trained from them


def test_an_error_during_a_restart_keeps_the_finished_run() -> None:
    X_gate, y_gate = datasets.xor()
    # Seed 0 at rate 0.5 is diagnosed as stuck after 20 epochs, so restarted (a rate
    # too small, as 0.01, is not restarted).
    model = Perceptron.from_sizes([2, 2, 1], "sigmoid", "sigmoid", "bce", init="normal",
                                  random_state=0)
    calls = {"epochs": 0}

    class FailInTheRestart:
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            calls["epochs"] += 1
            if calls["epochs"] > 20:  # the first run is 20 epochs: then a restart runs
                raise RuntimeError("the disk is full")

    first = Perceptron.from_sizes([2, 2, 1], "sigmoid", "sigmoid", "bce", init="normal",
                                  random_state=0).fit(X_gate, y_gate, epochs=20,
                                                      learning_rate=0.5, verbose=0)
    with pytest.raises(RuntimeError, match="the disk is full"):
        model.fit(X_gate, y_gate, epochs=20, learning_rate=0.5, restarts=3, verbose=0,
                  callbacks=[FailInTheRestart()])
    assert calls["epochs"] > 20  # the failure came during a restart
    assert model.history.loss == first.history.loss
    for a, b in zip(model.get_weights(), first.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_failed_refit_leaves_the_estimator_as_it_was() -> None:
    pytest.importorskip("sklearn")
    from scratchnn.sklearn import MLPClassifier

    estimator = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0,
                              n_iter_no_change=np.inf).fit(X, Y[:, 0])
    classes, weights = estimator.classes_.copy(), [c.copy() for c in estimator.coefs_]
    with pytest.raises(ValueError, match="sample_weight must not be all zero"):
        estimator.fit(X, np.arange(12) % 3, sample_weight=np.zeros(12))
    np.testing.assert_array_equal(estimator.classes_, classes)
    for a, b in zip(estimator.coefs_, weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert estimator.predict(X).shape == (12,)


# -- Feature names as scikit-learn's, hidden layer sizes as scikit-learn takes them ------------


def test_a_dataframe_names_the_features_and_predict_checks_them() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["a", "b"])
    model = make_model([2, 3, 1]).fit(frame, Y, epochs=2, verbose=0)
    assert model.feature_names_in_ == ["a", "b"]
    expected = model.predict_proba(X)
    np.testing.assert_array_equal(model.predict_proba(frame), expected)
    with pytest.raises(ValueError, match=r"unseen at fit time: \['z'\]; seen at fit time, yet "
                                         r"now missing: \['b'\]"):
        model.predict(pd.DataFrame(X, columns=["a", "z"]))
    with pytest.raises(ValueError, match="must be in the same order as they were in fit"):
        model.predict_proba(frame[["b", "a"]])
    with pytest.raises(ValueError, match="unseen at fit time"):
        model.score(pd.DataFrame(X, columns=["x", "y"]), Y)
    with pytest.raises(ValueError, match="unseen at fit time"):
        model.evaluate(pd.DataFrame(X, columns=["x", "y"]), Y)
    assert make_model([2, 3, 1]).fit(X, Y, epochs=1, verbose=0).feature_names_in_ is None


@pytest.mark.parametrize("sizes", [(2.5,), (True,), (0,), (4, 1.0)])
def test_hidden_layer_sizes_must_be_positive_integers(sizes: tuple[Any, ...]) -> None:
    # Before: (2.5,) trained a 2-unit layer and (True,) a 1-unit one; scikit-learn refuses.
    pytest.importorskip("sklearn")
    from scratchnn.sklearn import MLPClassifier

    with pytest.raises(ValueError, match="hidden_layer_sizes must"):
        MLPClassifier(hidden_layer_sizes=sizes, max_iter=1).fit(X, Y.ravel())
