"""A fit's state lives in the fit (issue 24): copies share nothing, a failed fit changes
nothing, a fit cannot run inside itself, and pickles hold the model, not its data."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import numpy as np
import pytest

from scratchnn import (
    SGD,
    Adam,
    ConvergenceWarning,
    EarlyStopping,
    Perceptron,
    TrainingDivergedError,
    datasets,
)
from scratchnn.spec import NetworkSpec


def moons() -> tuple[np.ndarray, np.ndarray]:
    return datasets.moons(120, noise=0.2, random_state=0)


def network(dtype: Any = np.float64) -> Perceptron:
    return Perceptron.from_sizes([2, 8, 1], "tanh", "sigmoid", "bce", random_state=0,
                                 dtype=dtype)


def test_the_tensorflow_copy_has_an_optimizer_of_its_own() -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    X, y = moons()
    model = network().fit(X, y, epochs=5, optimizer=Adam(0.01), batch_size=None, verbose=0)
    slots = [a.copy() for a in model.optimizer_.slots["m"]]  # type: ignore[union-attr]
    tf_model = TFPerceptron.from_perceptron(model)
    tf_model.fit(X, y, epochs=20, batch_size=None, verbose=0)
    assert model.optimizer_ is not tf_model.optimizer_
    assert model.optimizer_.iterations == 5  # type: ignore[union-attr]
    for before, after in zip(slots, model.optimizer_.slots["m"], strict=True):  # type: ignore[union-attr]
        np.testing.assert_array_equal(before, after)
    assert tf_model.optimizer_.iterations == 25  # type: ignore[union-attr]
    # The TensorFlow model's layers show the weights it trains.
    weights = tf_model.get_weights()
    for index, layer in enumerate(tf_model.layers):
        np.testing.assert_array_equal(layer.weights, weights[2 * index])
        np.testing.assert_array_equal(layer.biases, weights[2 * index + 1])


def test_a_diverged_fit_reports_its_own_best_epoch_not_an_earlier_fits() -> None:
    X, y = moons()
    model = Perceptron.from_sizes([2, 8, 1], "relu", "sigmoid", "bce", random_state=0)
    with pytest.warns(ConvergenceWarning):
        model.fit(X, y, epochs=40, optimizer=SGD(0.5), batch_size=None, verbose=0,
                  validation_split=0.25, random_state=0,
                  early_stopping=EarlyStopping(patience=100))
    assert model.best_epoch_ is not None
    with pytest.raises(TrainingDivergedError) as failure:  # at its first epoch
        model.fit(X * 1e150, y, epochs=5, optimizer=SGD(1e200), batch_size=None, verbose=0,
                  validation_split=0.25, random_state=0, early_stopping=True)
    assert failure.value.best_epoch is None
    assert "best epoch" not in str(failure.value)


class FailsAtStart:
    """A callback that raises from ``set_model`` or from the first ``on_epoch_begin``."""

    def __init__(self, where: str) -> None:
        self.where = where

    def set_model(self, model: Any) -> None:
        if self.where == "set_model":
            raise RuntimeError("set_model failed")

    def on_epoch_begin(self, epoch: int) -> None:
        raise RuntimeError("on_epoch_begin failed")

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        return None


@pytest.mark.parametrize("engine", ["numpy", "tensorflow"])
@pytest.mark.parametrize("where", ["set_model", "on_epoch_begin"])
def test_a_fit_that_fails_before_its_first_update_changes_nothing(engine: str,
                                                                   where: str) -> None:
    X, y = moons()
    model: Any = network().fit(X, y, epochs=3, optimizer=Adam(0.01), batch_size=None,
                               verbose=0)
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
        from scratchnn.tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(model)
    before = model.get_spec()
    optimizer = model.optimizer_
    with pytest.raises(RuntimeError, match="failed"):
        model.fit(X.astype(np.float32), y, epochs=3, optimizer=SGD(0.1), batch_size=None,
                  verbose=0, callbacks=[FailsAtStart(where)])
    after = model.get_spec()
    assert model.dtype == np.float64 and model.optimizer_ is optimizer
    assert after.optimizer is not None and after.optimizer.name == "adam"
    assert after.optimizer.iterations == 3
    for a, b in zip(before.weights() + before.optimizer.slots["m"],  # type: ignore[union-attr]
                    after.weights() + after.optimizer.slots["m"], strict=True):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    assert after.history == before.history
    assert not model.training


class FitsAgain:
    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.data = X, y

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if epoch == 1:  # the second epoch: callbacks count from 0, as Keras's
            self.model.fit(*self.data, epochs=1, verbose=0)


def test_fit_inside_its_own_fit_is_refused() -> None:
    X, y = moons()
    model = network()
    with pytest.raises(RuntimeError, match="already training"):
        model.fit(X, y, epochs=5, batch_size=None, verbose=0, callbacks=[FitsAgain(X, y)])
    assert len(model.history) == 2 and not model.training
    model.fit(X, y, epochs=2, batch_size=None, verbose=0)  # usable afterwards
    assert len(model.history) == 4


def test_a_converged_poisson_regression_is_not_diagnosed_stuck(
        capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = rng.poisson(np.exp(0.5 * X[:, 0] - 0.3 * X[:, 1] + 0.2)).astype(float)
    model = Perceptron.from_sizes([2, 1], "linear", "exp", "poisson", random_state=0)
    model.fit(X, y, epochs=300, optimizer=Adam(0.05), batch_size=None, restarts=3, verbose=1,
              log_every=1000)
    out = capsys.readouterr().out
    assert "nan%" not in out and "stuck" not in out and "restart" not in out
    assert "Diagnosis" not in out  # nor is its last digits' wobble taken for oscillation
    assert model.history.start is None
    assert not [f for f in model.diagnose(X, y) if f.code in ("plateau", "base_rate")]


def test_the_description_is_a_copy_and_builds_the_same_model() -> None:
    X, y = moons()
    model = network().fit(X, y, epochs=3, optimizer=Adam(0.01), batch_size=None, verbose=0)
    spec = model.get_spec()
    assert isinstance(spec, NetworkSpec)
    spec.layers[0].weights[:] = 0
    spec.history.loss.append(1.0)
    assert np.abs(model.layers[0].weights).max() > 0 and len(model.history) == 3
    twin = model.get_spec().build("numpy")
    np.testing.assert_array_equal(twin.predict_proba(X), model.predict_proba(X))
    assert twin.optimizer_ is not model.optimizer_


sklearn = pytest.importorskip("sklearn")


def _digits_estimator(engine: str = "numpy") -> Any:
    from scratchnn.sklearn import MLPClassifier

    X, y = sklearn.datasets.load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = MLPClassifier((64,), max_iter=5, random_state=0, engine=engine).fit(X, y)
    return estimator, X, y


def test_a_pickled_estimator_holds_the_model_not_its_last_batch() -> None:
    from sklearn.neural_network import MLPClassifier as SklearnMLP

    estimator, X, y = _digits_estimator()
    marked = np.full((3, X.shape[1]), 1234.5678)
    estimator.predict(np.vstack([X[:1000], marked]))
    payload = pickle.dumps(estimator)
    assert np.float64(1234.5678).tobytes() not in payload
    assert np.float64(X[7, 20] + 0.123456789).tobytes() not in payload
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SklearnMLP((64,), max_iter=5, random_state=0).fit(X, y)
    assert len(payload) <= 1.5 * len(pickle.dumps(reference))
    big = np.random.default_rng(0).normal(size=(50_000, X.shape[1]))
    estimator.predict(big)
    assert len(pickle.dumps(estimator)) <= 1.5 * len(pickle.dumps(reference))
    np.testing.assert_array_equal(pickle.loads(payload).predict_proba(X),
                                  estimator.predict_proba(X))


def test_skops_saves_and_loads_the_estimator(tmp_path: Any) -> None:
    skops_io = pytest.importorskip("skops.io")
    estimator, X, _ = _digits_estimator()
    path = tmp_path / "model.skops"
    skops_io.dump(estimator, path)
    untrusted = skops_io.get_untrusted_types(file=path)
    assert all(name.startswith(("scratchnn.", "sklearn.")) for name in untrusted)
    loaded = skops_io.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_a_failed_warm_start_refit_leaves_the_estimator_as_it_was() -> None:
    from scratchnn.sklearn import MLPClassifier

    X, y = moons()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = MLPClassifier((8,), solver="sgd", max_iter=5, random_state=0,
                                  warm_start=True).fit(X, y)
    coefs = [c.copy() for c in estimator.coefs_]
    curve = list(estimator.loss_curve_)
    iterations = estimator._optimizer.iterations
    estimator.set_params(learning_rate_init=1e12)
    with pytest.raises(ValueError, match="non-finite"):
        estimator.fit(X * 1e100, y)
    for before, after in zip(coefs, estimator.coefs_, strict=True):
        np.testing.assert_array_equal(before, after)
    assert estimator.loss_curve_ == curve and estimator.model_.history.loss == curve
    assert estimator._optimizer.iterations == iterations
