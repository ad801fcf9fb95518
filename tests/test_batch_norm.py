"""Batch normalisation on the NumPy engine: Keras's meanings, gradients by finite
differences, training and inference modes, the spec and saving, and bad input."""

from __future__ import annotations

import copy
import itertools
import pickle

import numpy as np
import pytest

from scratchnn import Layer, Perceptron, gradcheck, load
from scratchnn.gradcheck import relative_error
from tests.conftest import OUTPUT_FOR_LOSS, make_data


def bn_model(sizes: list[int], hidden: str = "tanh", output: str = "sigmoid",
             loss: str = "binary_crossentropy", seed: int = 0,
             dtype: type = np.float64) -> Perceptron:
    rng = np.random.default_rng(seed)
    layers = [Layer(n_in, n_out, hidden if index < len(sizes) - 2 else output,
                    random_state=rng, batch_norm=index < len(sizes) - 2, dtype=dtype)
              for index, (n_in, n_out) in enumerate(itertools.pairwise(sizes))]
    return Perceptron(layers, loss)


def perturbed(model: Perceptron, seed: int = 1) -> Perceptron:
    """Gamma, beta and the moving statistics away from their initial values."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.batch_norm:
            layer.gamma[...] = rng.uniform(0.5, 1.5, layer.gamma.shape)
            layer.beta[...] = rng.normal(size=layer.beta.shape)
            layer.moving_mean[...] = rng.normal(size=layer.beta.shape)
            layer.moving_variance[...] = rng.uniform(0.5, 2, layer.beta.shape)
    return model


@pytest.mark.parametrize("loss", list(OUTPUT_FOR_LOSS))
@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_gradients_of_weights_gamma_and_beta_match_finite_differences(loss: str,
                                                                      hidden: str) -> None:
    output, n_outputs = OUTPUT_FOR_LOSS[loss]
    model = perturbed(bn_model([3, 4, 5, n_outputs], hidden, output, loss))
    model.layers[-1] = Layer.from_parameters(  # the output layer normalised too
        model.layers[-1].weights, model.layers[-1].biases, output,
        normalization=tuple(np.ones((n_outputs, 1)) * v for v in (1.2, 0.1, 0.0, 1.0)))
    X, y = make_data(7, 3, n_outputs, loss, seed=2)
    errors = gradcheck(model, X, y)
    assert set(errors) == {f"{p}{i}" for i in (1, 2, 3) for p in ("W", "gamma", "beta")}
    assert max(errors.values()) < 1e-6, errors


def test_the_bias_gradient_is_zero_and_the_input_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    layer = perturbed(Perceptron([Layer(3, 4, "tanh", random_state=0, batch_norm=True)],
                                 "mean_squared_error")).layers[0]
    inputs, upstream = rng.normal(size=(3, 6)), rng.normal(size=(4, 6))

    def loss(x: np.ndarray) -> float:  # L = Σ upstream ⊙ a: ∂L/∂a is upstream
        return float(np.sum(upstream * layer.forward(x, training=True)))

    layer.forward(inputs, training=True)
    da_prev = layer.backward(upstream.copy())
    numeric = np.zeros_like(inputs)
    for index in np.ndindex(inputs.shape):
        step = np.zeros_like(inputs)
        step[index] = 1e-6
        numeric[index] = (loss(inputs + step) - loss(inputs - step)) / 2e-6
    assert da_prev is not None and relative_error(da_prev, numeric) < 1e-8
    assert not layer.d_biases.any()
    # and the bias indeed changes nothing in training
    before = layer.forward(inputs, training=True)
    layer.biases += 5.0
    np.testing.assert_allclose(layer.forward(inputs, training=True), before, atol=1e-12)


def test_forward_is_keras_formula_in_training_and_inference() -> None:
    layer = Layer(2, 3, "linear", random_state=0, batch_norm=True, momentum=0.9, epsilon=0.01)
    layer.gamma[...] = [[2.0], [1.0], [0.5]]
    layer.beta[...] = [[0.1], [0.2], [0.3]]
    x = np.random.default_rng(0).normal(size=(2, 5))
    z = layer.weights @ x
    mean, variance = z.mean(axis=1, keepdims=True), z.var(axis=1, keepdims=True)  # biased
    expected = layer.gamma * (z - mean) / np.sqrt(variance + 0.01) + layer.beta
    np.testing.assert_allclose(layer.forward(x, training=True), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_mean, 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.9 + 0.1 * variance, rtol=1e-12)
    inference = layer.gamma * (z - layer.moving_mean) / np.sqrt(layer.moving_variance + 0.01)
    np.testing.assert_allclose(layer.forward(x), inference + layer.beta, rtol=1e-12)


def test_training_learns_gamma_beta_and_statistics_and_predict_uses_the_moving_ones() -> None:
    X, y = make_data(40, 3, 1, "binary_crossentropy", seed=4)
    model = bn_model([3, 5, 1])
    model.fit(X, y, epochs=5, batch_size=8, optimizer="adam", verbose=0)
    hidden = model.layers[0]
    assert not np.allclose(hidden.gamma, 1) and not np.allclose(hidden.beta, 0)
    assert not np.allclose(hidden.moving_mean, 0) and not np.allclose(hidden.moving_variance, 1)
    assert not hidden.biases.any()  # zero gradients: Adam leaves the biases where they were
    # predict is the folded, inference-mode network: independent of the batch
    np.testing.assert_allclose(model.predict_proba(X[:1]), model.predict_proba(X)[:1],
                               rtol=1e-12)
    spec = model.get_spec()
    a = X.T
    for (W, b, activation) in spec.folded_layers():
        a = activation(W @ a + b.reshape(-1, 1))
    np.testing.assert_allclose(a.T, model.predict_proba(X), rtol=1e-10)


def test_early_stopping_restores_the_moving_statistics_of_the_best_epoch() -> None:
    X, y = make_data(60, 3, 1, "binary_crossentropy", seed=5)
    model = bn_model([3, 5, 1])
    model._prepare(np.dtype(np.float64))
    snapshot = model._snapshot()
    before = [s.copy() for s in model._statistics()]
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    model._restore(snapshot)
    for now, then in zip(model._statistics(), before, strict=True):
        np.testing.assert_array_equal(now, then)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_spec_save_load_pickle_and_copy_keep_everything(tmp_path, dtype) -> None:
    X, y = make_data(30, 3, 1, "binary_crossentropy", seed=6)
    model = bn_model([3, 4, 1], dtype=dtype)
    model.layers[0].momentum, model.layers[0].epsilon = 0.9, 1e-2
    model.fit(X.astype(dtype), y, epochs=2, batch_size=5, optimizer="adam", verbose=0)
    model.save(tmp_path / "bn.npz")
    for twin in (load(tmp_path / "bn.npz"), pickle.loads(pickle.dumps(model)),
                 copy.deepcopy(model), model.get_spec().build()):
        np.testing.assert_array_equal(twin.predict_proba(X), model.predict_proba(X))
        for a, b in zip(twin.layers, model.layers, strict=True):
            assert (a.batch_norm, a.momentum, a.epsilon) == (b.batch_norm, b.momentum, b.epsilon)
            for name in ("gamma", "beta", "moving_mean", "moving_variance"):
                assert np.array_equal(getattr(a, name), getattr(b, name))
                assert getattr(a, name) is None or getattr(a, name).dtype == dtype
        twin.fit(X.astype(dtype), y, epochs=1, batch_size=5, verbose=0)  # goes on training
    # the optimizer's state covers gamma and beta: training goes on as the original would
    resumed = load(tmp_path / "bn.npz")
    resumed.fit(X.astype(dtype), y, epochs=1, batch_size=5, verbose=0)
    model.fit(X.astype(dtype), y, epochs=1, batch_size=5, verbose=0)
    np.testing.assert_array_equal(resumed.predict_proba(X), model.predict_proba(X))


def test_a_float32_model_trains_a_float64_copy(tmp_path) -> None:
    X, y = make_data(20, 3, 1, "binary_crossentropy", seed=7)
    model = bn_model([3, 4, 1], dtype=np.float32)
    model.fit(X, y, epochs=1, batch_size=5, verbose=0)  # float64 data: converts the model
    assert all(a.dtype == np.float64 for layer in model.layers for a in
               layer.parameters() + layer.statistics())


def test_bad_input_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="batch_norm must be True or False"):
        Layer(2, 3, "relu", batch_norm="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="momentum must be in"):
        Layer(2, 3, "relu", batch_norm=True, momentum=1.5)
    with pytest.raises(ValueError, match="epsilon must be a finite number > 0"):
        Layer(2, 3, "relu", batch_norm=True, epsilon=0)
    X, y = make_data(10, 3, 1, "binary_crossentropy")
    model = bn_model([3, 4, 1])
    before = model.get_spec()
    with pytest.raises(ValueError, match="batch_size=1"):
        model.fit(X, y, epochs=1, verbose=0)  # the default batch_size is 1
    with pytest.raises(ValueError, match="L-BFGS cannot train it"):
        model.fit(X, y, epochs=1, optimizer="lbfgs", verbose=0)
    for a, b in zip(model.get_spec().layers, before.layers, strict=True):
        assert np.array_equal(a.gamma, b.gamma) and np.array_equal(a.moving_mean, b.moving_mean)


def test_a_trailing_batch_of_one_sample_trains_as_keras_does() -> None:
    X, y = make_data(9, 3, 1, "binary_crossentropy", seed=8)
    model = bn_model([3, 4, 1])
    model.fit(X, y, epochs=2, batch_size=4, verbose=0)  # batches of 4, 4 and 1
    assert np.isfinite(model.predict_proba(X)).all()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_estimators_normalise_their_hidden_layers() -> None:
    from sklearn.datasets import load_digits

    from scratchnn.sklearn import MLPClassifier, MLPRegressor

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16, y[:300]
    classifier = MLPClassifier((16, 16), batch_norm=True, max_iter=20, random_state=0,
                               batch_size=32, learning_rate_init=0.01).fit(X, y)
    assert [layer.batch_norm for layer in classifier.model_.layers] == [True, True, False]
    assert classifier.score(X, y) > 0.8
    np.testing.assert_allclose(classifier.predict_proba(X[:3]),
                               classifier.predict_proba(X)[:3], rtol=1e-12)
    # scikit-learn's own MLP gets the layers with the normalisation folded in
    np.testing.assert_allclose(classifier.model_.to_sklearn().predict_proba(X),
                               classifier.predict_proba(X), rtol=1e-10)
    regressor = MLPRegressor(hidden_layer_sizes=(8,), batch_norm=True, max_iter=3,
                             random_state=0).fit(X, y)
    assert regressor.model_.layers[0].batch_norm
    with pytest.raises(ValueError, match="batch_norm=True trains by mini-batch updates"):
        MLPClassifier(batch_norm=True, solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="batch_norm"):
        MLPClassifier(batch_norm="yes").fit(X, y)
    with pytest.raises(ValueError, match="batch_size=1"):
        MLPClassifier(batch_norm=True, batch_size=1, max_iter=1).fit(X, y)


def test_a_verbose_fit_diagnoses_a_batch_normalised_model(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    X, y = make_data(30, 3, 1, "binary_crossentropy", seed=9)
    model = bn_model([3, 4, 1])
    model.fit(X, y, epochs=2, batch_size=8, verbose=1)
    assert "Loss at epoch 2" in capsys.readouterr().out
    assert isinstance(model.diagnose(X, y), list)


def test_damaged_batch_norm_files_are_refused_by_name(tmp_path) -> None:
    import json

    model = bn_model([3, 4, 1])
    model.save(tmp_path / "bn.npz")
    with np.load(tmp_path / "bn.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    header = json.loads(arrays["header"].tobytes())
    assert header["format_version"] == 4 and header["layers"][0]["batch_norm"] is True

    def damaged(name: str, change: dict) -> str:
        changed = {**arrays, **change}
        np.savez(tmp_path / name, **{k: v for k, v in changed.items() if v is not None})
        return str(tmp_path / name)

    bad_header = json.loads(json.dumps(header))
    bad_header["layers"][0]["batch_norm"] = "yes"
    cases = {
        damaged("missing.npz", {"gamma1": None}): "the array gamma1 is missing",
        damaged("negative.npz", {"moving_variance1": -np.ones((4, 1))}):
            "moving_variance1 holds negative values",
        damaged("setting.npz", {"header": np.frombuffer(json.dumps(bad_header).encode(),
                                                        np.uint8)}):
            "batch_norm must be True or False",
    }
    for path, message in cases.items():
        with pytest.raises(ValueError, match=message):
            load(path)


def test_a_restart_starts_batch_normalisation_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from scratchnn import trainer

    stuck = [types.SimpleNamespace(code=next(iter(trainer.STUCK)))]
    monkeypatch.setattr(trainer, "diagnose", lambda *args: stuck)
    starts: list[list[np.ndarray]] = []
    train_once = trainer.Trainer._train_once

    def recording(self: trainer.Trainer, *args: object) -> bool:
        layer = self.model.layers[0]
        starts.append([getattr(layer, name).copy() for name in
                       ("gamma", "beta", "moving_mean", "moving_variance")])
        return train_once(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(trainer.Trainer, "_train_once", recording)
    X, y = make_data(20, 3, 1, "binary_crossentropy", seed=10)
    model = perturbed(bn_model([3, 4, 1]))
    model.fit(X, y, epochs=2, batch_size=5, restarts=1, random_state=0, verbose=0)
    assert len(starts) == 2 and not np.allclose(starts[0][0], 1)
    for array, initial in zip(starts[1], (1, 0, 0, 1), strict=True):
        np.testing.assert_array_equal(array, initial)


def test_the_summary_shows_the_normalisation_and_counts_gamma_and_beta() -> None:
    model = Perceptron([Layer(3, 4, "relu", batch_norm=True, random_state=0),
                        Layer(4, 1, "sigmoid", random_state=1)])
    summary = model.summary()
    assert "batch normalisation: gamma and beta (4, 1)" in summary
    assert "total parameters: 29" in summary   # 12 + 4 + 4 + 4, then 4 + 1
