"""Run by test_distributed.py in a fresh process: N logical CPU devices must be configured
before TensorFlow starts.  Prints one JSON object with the largest differences found."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

from scratchnn.tf_engine.distributed import make_strategy

strategy = make_strategy(sys.argv[1])

from scratchnn import L2, SGD, ExponentialDecay, TrainingDivergedError, load  # noqa: E402
from scratchnn.tf_engine import TFPerceptron  # noqa: E402
from tests.conftest import make_data, make_model  # noqa: E402


def largest_difference(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.max(np.abs(x - y) / np.maximum(np.abs(y).max(), 1e-300)))
               for x, y in zip(a, b, strict=True))


report: dict[str, float | int] = {"replicas": strategy.num_replicas_in_sync}
X, y = make_data(24, 3, 3, "categorical_crossentropy")
for batch_size, name in [(None, "full"), (8, "mini"), (1, "per_sample"), (7, "uneven")]:
    numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                             init="xavier")
    single = TFPerceptron.from_perceptron(numpy_model)
    distributed = TFPerceptron.from_perceptron(numpy_model, strategy=strategy)
    for model in (numpy_model, single, distributed):
        model.fit(X, y, epochs=10, batch_size=batch_size, optimizer="adam", learning_rate=0.01,
                  verbose=False)
    report[f"{name}_loss_vs_numpy"] = largest_difference(
        [np.array(distributed.history.loss)], [np.array(numpy_model.history.loss)])
    report[f"{name}_weights_vs_numpy"] = largest_difference(distributed.get_weights(),
                                                            numpy_model.get_weights())
    report[f"{name}_weights_vs_single"] = largest_difference(distributed.get_weights(),
                                                             single.get_weights())

# Weight penalties (Keras's and scikit-learn's), sample weights and a schedule by step, on
# uneven batches: each replica adds its share of the penalty, the weights sum across replicas.
sample_weight = np.random.default_rng(4).uniform(0, 2, size=len(X))
numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                         init="xavier")
numpy_model.layers[0].kernel_regularizer = L2(0.01)
numpy_model.layers[1].kernel_regularizer = L2.from_alpha(0.3)
distributed = TFPerceptron.from_perceptron(numpy_model, strategy=strategy)
for model in (numpy_model, distributed):
    model.fit(X, y, epochs=10, batch_size=7, optimizer=SGD(ExponentialDecay(0.2, 5, 0.5)),
              sample_weight=sample_weight, verbose=False)
report["regularised_loss_vs_numpy"] = largest_difference(
    [np.array(distributed.history.loss)], [np.array(numpy_model.history.loss)])
report["regularised_weights_vs_numpy"] = largest_difference(distributed.get_weights(),
                                                            numpy_model.get_weights())

# A memory-mapped set streams its batches (gathered from the file), shuffled, split and
# weighted, with the numbers of the NumPy engine.
with tempfile.TemporaryDirectory() as folder:
    np.save(Path(folder) / "X.npy", X)
    X_mapped = np.load(Path(folder) / "X.npy", mmap_mode="r")
    numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                             init="xavier")
    distributed = TFPerceptron.from_perceptron(numpy_model, strategy=strategy)
    for model in (numpy_model, distributed):
        model.fit(X_mapped, y, epochs=4, batch_size=5, optimizer="adam", learning_rate=0.01,
                  sample_weight=sample_weight, validation_split=0.25, shuffle=True,
                  random_state=2, verbose=False)
    report["streamed_loss_vs_numpy"] = largest_difference(
        [np.array(distributed.history.loss + distributed.history.val_loss)],
        [np.array(numpy_model.history.loss + numpy_model.history.val_loss)])
    report["streamed_weights_vs_numpy"] = largest_difference(distributed.get_weights(),
                                                             numpy_model.get_weights())
    del X_mapped

# Dropout: every replica draws its own masks, from the fit's seed.
dropout_runs = []
for _ in range(2):
    model = TFPerceptron.from_perceptron(
        make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy"), strategy=strategy)
    model.layers[0].dropout = 0.5
    dropout_runs.append(model.fit(X, y, epochs=3, batch_size=8, learning_rate=0.1,
                                  random_state=3, verbose=False).history.loss)
report["dropout_reproducible"] = int(dropout_runs[0] == dropout_runs[1]
                                     and bool(np.isfinite(dropout_runs[0]).all()))

# A step whose loss is not finite is skipped on every replica, as on one device.
X_far, y_far = make_data(16, 3, 1, "mean_squared_error")
numpy_model = make_model([3, 8, 1], "relu", "linear", "mean_squared_error", init="he")
places, weights = [], []
for model in (TFPerceptron.from_perceptron(numpy_model, strategy=strategy), numpy_model):
    try:
        model.fit(X_far * 100, y_far, epochs=50, learning_rate=1e6, batch_size=4, verbose=False)
    except TrainingDivergedError as error:
        places.append((error.epoch, error.batch))
    weights.append(model.get_weights())
report["diverged_at_the_same_batch"] = int(len(places) == 2 and places[0] == places[1])
report["diverged_weights_vs_numpy"] = largest_difference(*weights)

later = TFPerceptron.from_perceptron(make_model([3, 5, 3], "relu", "softmax",
                                                "categorical_crossentropy"))
later.fit(X, y, epochs=5, batch_size=8, verbose=False, strategy=strategy)  # fit(strategy=...)
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "model.npz"
    later.save(path)
    for engine in ("numpy", "tensorflow"):
        loaded = load(path, engine=engine)
        report[f"loaded_{engine}_prediction"] = float(
            np.max(np.abs(loaded.predict_proba(X) - later.predict_proba(X))))
        report[f"loaded_{engine}_same_classes"] = int(
            np.array_equal(loaded.predict(X), later.predict(X)))
print(json.dumps(report))
