"""The training tools of issue 14 on the NumPy engine: weight penalty, dropout, sample weights,
schedules, convergence stopping and L-BFGS (the TensorFlow engine's twins are in
test_generalisation_tf.py)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from scratchnn import (
    L2,
    LBFGS,
    SGD,
    Adam,
    Adaptive,
    ConvergenceWarning,
    CosineDecay,
    EarlyStopping,
    ExponentialDecay,
    InverseScaling,
    Layer,
    Perceptron,
    ReduceOnPlateau,
    gradcheck,
    load,
)
from scratchnn.dropout_masks import DropoutKey
from tests.conftest import OUTPUT_FOR_LOSS, make_data, make_model


def regularised(sizes: list[int], hidden: str, output: str, loss: str,
                penalty: L2 | None = None, dropout: float = 0.0, seed: int = 0) -> Perceptron:
    return Perceptron.from_sizes(sizes, hidden, output, loss, init="xavier", random_state=seed,
                                 kernel_regularizer=penalty, dropout=dropout)


# -- gradients ------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "linear"])
@pytest.mark.parametrize("penalty", [L2(0.05), L2.from_alpha(0.3)], ids=["keras", "sklearn"])
def test_penalty_weights_and_dropout_pass_the_gradient_check(loss: str, hidden: str,
                                                             penalty: L2) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    model = regularised([3, 5, 4, n_outputs], hidden, output, loss, penalty, dropout=0.3)
    for layer in model.layers:
        layer.biases += 0.0123  # ReLU inputs off the kink
    X, y = make_data(6, 3, n_outputs, loss)
    weights = np.random.default_rng(2).uniform(0.1, 3, size=6)
    errors = gradcheck(model, X, y, sample_weight=weights, dropout_seed=4)
    assert max(errors.values()) < 1e-6, errors


def test_the_gradient_check_catches_a_penalty_gradient_without_its_factor_two() -> None:
    model = regularised([2, 3, 1], "tanh", "sigmoid", "binary_crossentropy", L2(0.5))
    X, y = make_data(5, 2, 1, "binary_crossentropy")
    assert max(gradcheck(model, X, y).values()) < 1e-6
    original = L2.gradient
    L2.gradient = lambda self, weights, n: self.coefficient(n) * weights  # type: ignore[method-assign]
    try:
        assert gradcheck(model, X, y)["W1"] > 1e-3
    finally:
        L2.gradient = original  # type: ignore[method-assign]


def test_the_penalty_reproduces_scikit_learns_loss_and_gradient() -> None:
    # scikit-learn's _backprop, on the same weights, data and sample weights: its loss adds
    # ½·alpha·ΣW²/Σw to the weighted mean loss and its gradient alpha·W/Σw.
    from sklearn.neural_network import MLPClassifier

    X, y = make_data(9, 3, 1, "binary_crossentropy")
    weights = np.random.default_rng(5).uniform(0.2, 2, size=9)
    alpha = 0.7
    sk = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", alpha=alpha, max_iter=1,
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sk.fit(X, y[:, 0])
    model = regularised([3, 4, 1], "tanh", "sigmoid", "binary_crossentropy",
                        L2.from_alpha(alpha))
    model.set_weights([w.T if w.ndim == 2 else w[:, None] for pair in
                       zip(sk.coefs_, sk.intercepts_, strict=True) for w in pair])
    model._prepare(model.dtype)
    activations = [X, None, None]
    coef_grads = [np.empty_like(c) for c in sk.coefs_]
    intercept_grads = [np.empty_like(i) for i in sk.intercepts_]
    sk_loss, coef_grads, intercept_grads = sk._backprop(
        X, y, weights, activations, [None, None], coef_grads, intercept_grads)
    loss, _ = model._objective(X, y, weights)  # fills each layer's d_weights and d_biases
    assert loss == pytest.approx(sk_loss, rel=1e-14)
    ours = [g.copy() for g in model.gradients()]
    for mine, theirs in zip(ours, [coef_grads[0].T, intercept_grads[0][:, None],
                                   coef_grads[1].T, intercept_grads[1][:, None]], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-15)


def test_the_penalty_is_in_the_reported_loss() -> None:
    X, y = make_data(8, 2, 1, "binary_crossentropy")
    plain = regularised([2, 3, 1], "tanh", "sigmoid", "binary_crossentropy")
    penalised = regularised([2, 3, 1], "tanh", "sigmoid", "binary_crossentropy", L2(0.1))
    squares = sum(float((w**2).sum()) for w in plain.get_weights()[0::2])
    for model in (plain, penalised):
        model.fit(X, y, epochs=1, learning_rate=1e-12, batch_size=None, verbose=0)
    assert penalised.history.loss[0] == pytest.approx(plain.history.loss[0] + 0.1 * squares,
                                                      rel=1e-9)


# -- sample weights -------------------------------------------------------------------------
@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
def test_weight_two_is_the_sample_twice_and_weight_zero_removes_it(loss: str) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    X, y = make_data(6, 3, n_outputs, loss)
    weights = np.array([2.0, 1, 0, 1, 1, 1])
    X_same = np.vstack([X[[0]], np.delete(X, 2, axis=0)])
    y_same = np.vstack([y[[0]], np.delete(y, 2, axis=0)])
    models = []
    for data, sample_weight in (((X, y), weights), ((X_same, y_same), None)):
        model = regularised([3, 4, n_outputs], "tanh", output, loss, L2.from_alpha(0.2))
        model.fit(*data, epochs=20, learning_rate=0.05, batch_size=None, verbose=0,
                  sample_weight=sample_weight)
        models.append(model)
    np.testing.assert_allclose(models[0].history.loss, models[1].history.loss, rtol=1e-12)
    for a, b in zip(models[0].get_weights(), models[1].get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize(("weights", "message"), [
    ([1.0, 2.0], r"sample_weight must have shape \(4,\)"),
    ([1.0, -1.0, 1.0, 1.0], r"sample_weight must hold weights >= 0, got -1"),
    ([0.0, 0.0, 0.0, 0.0], r"sample_weight must not be all zero"),
    ([1.0, np.nan, 1.0, 1.0], r"sample_weight must not contain NaN"),
])
def test_bad_sample_weights_are_refused_before_training(weights: list[float], message: str,
                                                        xor_data: tuple) -> None:
    model = make_model([2, 2, 1])
    before = model.get_weights()
    with pytest.raises(ValueError, match=message):
        model.fit(*xor_data, epochs=1, sample_weight=weights, verbose=0)
    assert len(model.history) == 0
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


# -- dropout --------------------------------------------------------------------------------
def test_dropout_changes_training_only() -> None:
    X, y = make_data(50, 4, 1, "binary_crossentropy")
    model = regularised([4, 16, 1], "relu", "sigmoid", "binary_crossentropy", dropout=0.5)
    without = regularised([4, 16, 1], "relu", "sigmoid", "binary_crossentropy")
    # Prediction: deterministic, and the same as the network without dropout (unscaled).
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(model.predict_proba(X), without.predict_proba(X))
    # Training: a seeded fit is reproducible; another seed draws other masks.
    runs = [regularised([4, 16, 1], "relu", "sigmoid", "binary_crossentropy", dropout=0.5)
            .fit(X, y, epochs=3, learning_rate=0.1, batch_size=10, random_state=seed, verbose=0)
            .history.loss for seed in (1, 1, 2)]
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_dropout_keeps_each_units_expectation() -> None:
    layer = Layer(3, 200, "relu", random_state=0, dropout=0.3)
    inputs = np.random.default_rng(1).normal(size=(3, 4))
    plain = layer.forward(inputs)
    draws = np.mean([layer.forward(inputs, DropoutKey(2, step)) for step in range(4000)], axis=0)
    assert layer.mask is not None
    assert (layer.mask > 0).mean() == pytest.approx(0.7, abs=0.05)  # 800 units kept at 0.7
    # The mean over 4,000 masks is f(z), within a few standard errors of each unit's mean.
    standard_error = plain * math.sqrt(0.3 / 0.7 / 4000)
    assert np.all(np.abs(draws - plain) <= 5 * standard_error + 1e-12)
    assert set(np.unique(layer.mask)) == {0.0, 1 / 0.7}


def test_dropout_narrows_the_gap_between_train_and_test() -> None:
    # A 2-128-128-1 network on 60 noisy moons overfits: measured, 95% train against 84% test
    # accuracy and a test log-loss of 4.0 against 0.10 in training; with dropout 0.5, 88% and
    # 85%, and 1.17 against 0.23.
    from scratchnn.datasets import moons

    X, y = moons(n_samples=60, noise=0.35, random_state=0)
    X_test, y_test = moons(n_samples=2000, noise=0.35, random_state=1)
    accuracy_gap, loss_gap = {}, {}
    for rate in (0.0, 0.5):
        model = Perceptron.from_sizes([2, 128, 128, 1], "relu", "sigmoid", "binary_crossentropy",
                                      init="he", random_state=0, dropout=rate)
        model.fit(X, y, epochs=300, optimizer=Adam(0.003), batch_size=16, shuffle=True,
                  random_state=0, verbose=0)
        accuracy_gap[rate] = model.score(X, y) - model.score(X_test, y_test)
        loss_gap[rate] = (model._evaluation_loss(X_test, y_test[:, None].astype(float))
                          - model._evaluation_loss(X, y[:, None].astype(float)))
    assert accuracy_gap[0.0] > 0.08 and accuracy_gap[0.5] < accuracy_gap[0.0] - 0.05
    assert loss_gap[0.0] > 2 and loss_gap[0.5] < loss_gap[0.0] / 3


def test_dropouts_noisy_loss_is_not_diagnosed_as_a_learning_rate_too_high() -> None:
    from scratchnn.datasets import moons

    X, y = moons(n_samples=200, noise=0.2, random_state=0)
    codes = {}
    for rate in (0.0, 0.5):
        model = Perceptron.from_sizes([2, 16, 16, 1], "tanh", "sigmoid", "binary_crossentropy",
                                      random_state=0, dropout=rate)
        model.history.loss.extend([0.5, 0.4, 0.3, 0.35, 0.25, 0.3, 0.2, 0.28, 0.2, 0.27, 0.22])
        codes[rate] = {finding.code for finding in model.diagnose(X, y)}
    assert "unstable" in codes[0.0] and "unstable" not in codes[0.5]


def test_dropout_is_refused_on_the_output_layer() -> None:
    with pytest.raises(ValueError, match=r"layers\[1\]: dropout is for hidden layers"):
        Perceptron([Layer(2, 3, "relu"), Layer(3, 1, "sigmoid", dropout=0.2)])
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1"):
        Layer(2, 3, "relu", dropout=1)
    with pytest.raises(TypeError, match="kernel_regularizer must be an L2, a number or None"):
        Layer(2, 3, "relu", kernel_regularizer="l2")
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        L2(-1.0)


# -- schedules ------------------------------------------------------------------------------
def fit_with(optimizer: SGD | Adam, epochs: int = 12, batch_size: int | None = 5,
             **kwargs: object) -> Perceptron:
    X, y = make_data(20, 2, 1, "binary_crossentropy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make_model([2, 3, 1], init="xavier").fit(
            X, y, epochs=epochs, optimizer=optimizer, batch_size=batch_size, verbose=0,
            **kwargs)  # type: ignore[arg-type]


def test_exponential_decay_follows_keras_formula() -> None:
    history = fit_with(SGD(ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5))).history
    steps = 4 * np.arange(12)  # 4 batches an epoch: the rate of each epoch's first step
    np.testing.assert_allclose(history.learning_rate, 0.1 * 0.5 ** (steps / 3), rtol=1e-15)
    staircase = fit_with(SGD(ExponentialDecay(0.1, 3, 0.5, staircase=True))).history
    np.testing.assert_allclose(staircase.learning_rate, 0.1 * 0.5 ** np.floor(steps / 3))


def test_cosine_decay_follows_keras_formula() -> None:
    history = fit_with(Adam(CosineDecay(0.01, decay_steps=30, alpha=0.1))).history
    steps = np.minimum(4 * np.arange(12), 30)
    expected = 0.01 * (0.9 * 0.5 * (1 + np.cos(np.pi * steps / 30)) + 0.1)
    np.testing.assert_allclose(history.learning_rate, expected, rtol=1e-14)


def test_inverse_scaling_follows_scikit_learns_formula() -> None:
    history = fit_with(SGD(InverseScaling(0.1, power_t=0.25))).history
    seen = 20 * np.arange(12)  # scikit-learn's t_: samples trained on before the epoch
    expected = np.where(seen == 0, 0.1, 0.1 / (seen + 1) ** 0.25)
    np.testing.assert_allclose(history.learning_rate, expected, rtol=1e-15)


def test_adaptive_divides_by_five_on_a_plateau_and_stops_below_1e_6() -> None:
    # A tolerance no epoch can reach: after the first epoch, every n_iter_no_change + 1 = 2
    # epochs the rate is divided by 5, from 0.1 down to 0.1 / 5^9 = 2.6e-7 <= 1e-6, after which
    # the next plateau stops training.
    model = fit_with(SGD(Adaptive(0.1, tol=10.0, n_iter_no_change=1)), epochs=100)
    rates = model.history.learning_rate
    np.testing.assert_allclose(rates, [0.1 / 5 ** (max(e - 1, 0) // 2)
                                       for e in range(len(rates))])
    assert rates[-1] <= 1e-6 < rates[-3] and len(rates) == 19


def test_reduce_on_plateau_watches_the_validation_loss() -> None:
    model = fit_with(SGD(ReduceOnPlateau(0.1, patience=2, min_delta=10.0, factor=0.5)),
                     validation_split=0.25, random_state=0)
    rates = model.history.learning_rate
    # The first epoch improves on the initial infinity; then every 2 epochs make a plateau.
    np.testing.assert_allclose(rates, [0.1 * 0.5 ** (max(e - 1, 0) // 2) for e in range(12)])
    # Without validation data, 10% of the training data is held out for it, as for early
    # stopping.
    held_out = fit_with(SGD(ReduceOnPlateau(0.1)), epochs=2, random_state=0)
    assert len(held_out.history.val_loss) == 2


# -- convergence stopping -------------------------------------------------------------------
def test_convergence_stopping_follows_scikit_learns_rule() -> None:
    # tol = 10: after the first epoch (an improvement on the initial infinity) no epoch improves
    # enough, so the count reaches patience = n_iter_no_change + 1 = 3 at the fourth epoch.
    rule = EarlyStopping(monitor="loss", min_delta=10.0, patience=3, restore_best_weights=False)
    model = fit_with(SGD(0.1), epochs=50, early_stopping=rule)
    assert len(model.history) == 4
    # A reachable tolerance: training goes on while each epoch gains at least tol.
    long = fit_with(SGD(0.5), epochs=200, early_stopping=EarlyStopping(
        "loss", min_delta=1e-3, patience=3, restore_best_weights=False))
    gains = -np.diff(long.history.loss)
    assert 4 < len(long.history) < 200
    assert np.all(gains[-3:] < 1e-3) and not np.all(gains[-4:] < 1e-3)
    assert model.best_epoch_ is None


def test_a_budget_ending_first_warns_of_convergence() -> None:
    X, y = make_data(20, 2, 1, "binary_crossentropy")
    rule = EarlyStopping(monitor="loss", min_delta=0.0, patience=5)
    with pytest.warns(ConvergenceWarning, match="used all its 3 epochs"):
        make_model([2, 3, 1]).fit(X, y, epochs=3, learning_rate=0.1, early_stopping=rule,
                                  verbose=0)
    with warnings.catch_warnings():  # without a stopping rule, nothing to warn about
        warnings.simplefilter("error")
        make_model([2, 3, 1]).fit(X, y, epochs=3, learning_rate=0.1, verbose=0)


# -- L-BFGS ---------------------------------------------------------------------------------
def test_lbfgs_minimises_the_full_batch_loss(xor_data: tuple) -> None:
    model = regularised([2, 4, 1], "tanh", "sigmoid", "binary_crossentropy", L2.from_alpha(1e-4))
    model.fit(*xor_data, epochs=200, optimizer="lbfgs", verbose=0)
    assert model.score(*xor_data) == 1.0
    assert model.history.loss[-1] < 0.01
    assert len(model.history) == model.lbfgs_result_.nit <= 200
    # The recorded loss of the last iteration is the loss of the final weights.
    X, y = xor_data
    assert model._evaluation_loss(X.astype(float), y.reshape(-1, 1).astype(float)) == (
        pytest.approx(model.history.loss[-1], rel=1e-12))
    assert model.lbfgs_result_.fun == pytest.approx(model.history.loss[-1], rel=1e-12)


def test_lbfgs_without_scipy_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                  xor_data: tuple) -> None:
    import builtins

    real_import = builtins.__import__

    def no_scipy(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("scipy"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_scipy)
    model = make_model([2, 2, 1])
    before = model.get_weights()
    with pytest.raises(ImportError,
                       match=r"SciPy and threadpoolctl: pip install 'scratchnn\[lbfgs\]'"):
        model.fit(*xor_data, optimizer=LBFGS(), verbose=0)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


# -- saving ---------------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", [
    lambda: SGD(InverseScaling(0.1), momentum=0.5),
    lambda: Adam(ExponentialDecay(0.01, 3, 0.5)),
    lambda: SGD(Adaptive(0.1, tol=0.05, n_iter_no_change=1)),
    lambda: SGD(ReduceOnPlateau(0.1, monitor="loss", patience=1, min_delta=0.05)),
    lambda: LBFGS(),
], ids=["invscaling", "exponential", "adaptive", "plateau", "lbfgs"])
def test_a_loaded_model_continues_training_exactly(optimizer: object, tmp_path: object) -> None:
    X, y = make_data(24, 3, 1, "binary_crossentropy")
    settings = {"epochs": 4, "batch_size": 6, "verbose": 0}
    model = regularised([3, 5, 1], "tanh", "sigmoid", "binary_crossentropy", L2(0.01),
                        dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, optimizer=optimizer(), random_state=1, **settings)  # type: ignore[operator]
        path = tmp_path / "model.npz"  # type: ignore[operator]
        model.save(path)
        loaded = load(path)
        assert repr(loaded.layers) == repr(model.layers)
        for trained in (model, loaded):
            trained.fit(X, y, random_state=2, **settings)
    assert loaded.history.learning_rate == model.history.learning_rate
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_during_lbfgs_keeps_the_last_complete_iteration(xor_data: tuple) -> None:
    import os
    import signal

    class CtrlCAtThree:
        def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
            if epoch == 2:  # the third iteration (callbacks count from 0)
                os.kill(os.getpid(), signal.SIGINT)

    model = regularised([2, 4, 1], "tanh", "sigmoid", "binary_crossentropy")
    with pytest.raises(KeyboardInterrupt):
        model.fit(*xor_data, epochs=50, optimizer=LBFGS(), callbacks=[CtrlCAtThree()],
                  verbose=0)
    assert len(model.history) == 3
    X, y = xor_data
    assert model._evaluation_loss(X.astype(float), y.reshape(-1, 1).astype(float)) == (
        pytest.approx(model.history.loss[-1], rel=1e-12))
