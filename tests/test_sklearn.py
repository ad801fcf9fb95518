"""scikit-learn estimators: scikit-learn's own checks, and life inside its tools."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from scratchnn import datasets
from scratchnn.sklearn import MLPClassifier, MLPRegressor

# Fixed budgets (no stopping rule): scikit-learn's ConvergenceWarning says so at every fit.
FAST = {"hidden_layer_sizes": (16,), "max_iter": 100, "learning_rate_init": 0.01,
        "random_state": 0, "tol": 0.0, "n_iter_no_change": np.inf, "batch_size": 32}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# Every check runs and must pass; none is marked as an expected failure.  scikit-learn itself
# skips one: check_array_api_input runs only with SCIPY_ARRAY_API=1 and array-api-strict, and
# scratchnn computes with NumPy by design (its other engine is TensorFlow), so inputs from
# other Array API libraries (CuPy, PyTorch) are converted to NumPy rather than kept.
@parametrize_with_checks([MLPClassifier(**{**FAST, "batch_size": "auto"}),
                          MLPRegressor(**{**FAST, "batch_size": "auto"})])
def test_scikit_learn_estimator_checks(estimator: object, check: object) -> None:
    check(estimator)  # type: ignore[operator]


def test_binary_multiclass_and_string_labels() -> None:
    X, y = datasets.moons(300, random_state=0)
    names = np.array(["left", "right"])[y]
    model = MLPClassifier(**FAST).fit(X, names)
    assert model.classes_.tolist() == ["left", "right"]
    assert set(model.predict(X)) <= {"left", "right"}
    assert model.predict_proba(X).shape == (300, 2)
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1)
    assert model.score(X, names) > 0.95
    assert model.n_iter_ == 100 and len(model.loss_curve_) == 100

    (X, y), (X_test, y_test) = datasets.digits()
    model = MLPClassifier(hidden_layer_sizes=(32,), max_iter=30, learning_rate_init=0.003,
                          random_state=0).fit(X, y)
    assert model.classes_.tolist() == list(range(10))
    assert model.predict_proba(X_test).shape == (len(X_test), 10)
    assert model.score(X_test, y_test) > 0.9


def test_partial_fit_trains_one_epoch_at_a_time() -> None:
    X, y = datasets.moons(200, random_state=0)
    model = MLPClassifier(**FAST)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        model.partial_fit(X, y)
    for _ in range(30):
        model.partial_fit(X, y, classes=[0, 1])
    assert model.n_iter_ == 1 and len(model.loss_curve_) == 30 and model.score(X, y) > 0.85
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        model.partial_fit(X[:2], np.array([0, 7]))
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")


def test_regression_with_one_or_several_targets() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X @ [1.0, -2.0, 0.5], np.sin(X[:, 0])])
    single = MLPRegressor(**FAST).fit(X, Y[:, 0])
    assert single.predict(X).shape == (200,) and single.score(X, Y[:, 0]) > 0.95
    double = MLPRegressor(**FAST).fit(X, Y)
    assert double.predict(X).shape == (200, 2) and double.score(X, Y) > 0.9


def test_in_a_pipeline() -> None:
    X, y = datasets.circles(300, random_state=0)
    pipeline = make_pipeline(StandardScaler(), MLPClassifier(**FAST)).fit(X * 100, y)
    assert pipeline.score(X * 100, y) > 0.95


def test_in_grid_search() -> None:
    X, y = datasets.moons(150, random_state=0)
    search = GridSearchCV(MLPClassifier(**{**FAST, "max_iter": 30}),
                          {"hidden_layer_sizes": [(4,), (16,)], "activation": ["relu", "tanh"]},
                          cv=3).fit(X, y)
    assert set(search.best_params_) == {"hidden_layer_sizes", "activation"}
    assert search.best_score_ > 0.8


def test_in_cross_val_score() -> None:
    X, y = datasets.moons(150, random_state=0)
    scores = cross_val_score(MLPClassifier(**FAST), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_early_stopping_and_an_unknown_engine() -> None:
    X, y = datasets.moons(200, random_state=0)
    model = MLPClassifier(**{**FAST, "max_iter": 500, "tol": 1e-4, "n_iter_no_change": 5},
                          early_stopping=True).fit(X, y)
    assert model.n_iter_ < 500
    with pytest.raises(ValueError, match=r"The 'engine' parameter of MLPClassifier must be a "
                                         r"str among .*'numpy'.*Got 'torch' instead"):
        MLPClassifier(engine="torch").fit(X, y)


@pytest.mark.parametrize("engine", ["numpy", pytest.param("tensorflow", marks=pytest.mark.slow)])
def test_our_settings_dropout_restarts_and_engine(engine: str) -> None:
    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
    X, y = datasets.moons(200, random_state=0)
    model = MLPClassifier(**FAST, dropout=0.3, restarts=2, engine=engine).fit(X, y)
    assert model.model_.engine == engine and model.model_.layers[0].dropout == 0.3
    assert model.score(X, y) > 0.85


@pytest.mark.parametrize("engine", ["numpy", pytest.param("tensorflow", marks=pytest.mark.slow)])
def test_pickled_with_joblib_and_trained_further(engine: str, tmp_path: Path) -> None:
    import joblib

    if engine == "tensorflow":
        pytest.importorskip("tensorflow")
    X, y = datasets.moons(100, random_state=0)
    model = MLPClassifier(**{**FAST, "max_iter": 5}, engine=engine).fit(X, y)
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.model_.engine == engine
    for estimator in (model, loaded):
        estimator.partial_fit(X, y)
    np.testing.assert_allclose(loaded.predict_proba(X), model.predict_proba(X), rtol=1e-12)


def test_sparse_input_gives_the_dense_result() -> None:
    import scipy.sparse

    X, y = datasets.moons(100, random_state=0)
    dense = MLPClassifier(**{**FAST, "max_iter": 5}).fit(X, y)
    sparse = MLPClassifier(**{**FAST, "max_iter": 5}).fit(scipy.sparse.csr_matrix(X), y)
    np.testing.assert_array_equal(dense.predict_proba(X),
                                  sparse.predict_proba(scipy.sparse.csr_matrix(X)))
