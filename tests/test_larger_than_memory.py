"""Training sets larger than memory: a memory-mapped set trains, shuffles, validates and
predicts in bounded memory on the NumPy engine (measured with ``tracemalloc``), with the same
numbers as the same set in memory; the TensorFlow engine streams its batches from it, with the
NumPy engine's numbers, in a resident set of at most the data plus a pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from scratchnn import Perceptron, TrainingDivergedError
from scratchnn.initializers import check_fit_random_state
from scratchnn.training import stratified_split
from tests.conftest import make_data, make_model

ROOT = Path(__file__).resolve().parent.parent

ROWS, FEATURES = 20_000, 784  # 63 MB of float32


@pytest.fixture(scope="module")
def memmapped(tmp_path_factory: pytest.TempPathFactory) -> tuple[np.ndarray, np.ndarray]:
    """A 20,000 x 784 float32 ``.npy`` opened with ``mmap_mode="r"``, and its labels."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(ROWS, FEATURES)).astype(np.float32)
    y = (X[:, :10].sum(axis=1) > 0).astype(np.intp) + 2 * (X[:, 10] > 0)
    path = tmp_path_factory.mktemp("large") / "X.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r"), y


def network() -> Perceptron:
    return Perceptron.from_sizes([FEATURES, 32, 4], "relu", "softmax",
                                 "categorical_crossentropy", random_state=0, dtype=np.float32)


def fit(model: Perceptron, X: np.ndarray, y: np.ndarray) -> None:
    model.fit(X, y, epochs=1, batch_size=64, learning_rate=0.01, shuffle=True,
              validation_split=0.1, random_state=0, verbose=0)


def test_a_memmap_trains_validates_and_predicts_in_bounded_memory(
        memmapped: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = memmapped
    model = network()
    tracemalloc.start()
    try:
        fit(model, X, y)
        probabilities = model.predict_proba(X)
        loss, accuracy = model.evaluate(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A copy of the training split alone would be 56 MB; the labels, the orders and the
    # predictions are about 2 MB, a chunk of the validation rows 4 MB.
    assert peak < X.nbytes / 8, f"peak {peak / 2**20:.1f} MB for {X.nbytes / 2**20:.0f} MB"
    assert probabilities.shape == (ROWS, 4) and np.isfinite(loss) and accuracy > 0.3
    assert len(model.history.val_loss) == 1


def test_a_memmap_trains_as_the_same_set_in_memory(
        memmapped: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = memmapped
    on_disk, in_memory = network(), network()
    fit(on_disk, X, y)
    fit(in_memory, np.array(X), y)
    assert on_disk.history.history == in_memory.history.history
    for streamed, whole in zip(on_disk.get_weights(), in_memory.get_weights(), strict=True):
        np.testing.assert_array_equal(streamed, whole)
    np.testing.assert_array_equal(on_disk.predict_proba(X), in_memory.predict_proba(X))


def test_a_split_copies_nothing_and_gives_the_copied_splits_numbers() -> None:
    """``validation_split`` trains on rows of the set, not a copy: the numbers are those of
    training on the copied split with that split as validation data."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] > 0).astype(int)
    split = Perceptron.from_sizes([3, 5, 1], "tanh", "sigmoid", "binary_crossentropy",
                                  random_state=0)
    split.fit(X, y, epochs=3, batch_size=16, validation_split=0.2, shuffle=False,
              random_state=7, verbose=0)
    train, held_out = stratified_split(y.astype(float), 0.2, check_fit_random_state(7))
    copied = Perceptron.from_sizes([3, 5, 1], "tanh", "sigmoid", "binary_crossentropy",
                                   random_state=0)
    copied.fit(X[train], y[train], epochs=3, batch_size=16,
               validation_data=(X[held_out], y[held_out]), shuffle=False, verbose=0)
    for key, values in copied.history.history.items():
        assert split.history.history[key] == pytest.approx(values, rel=1e-12), key
    for a, b in zip(split.get_weights(), copied.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_the_chunks_cover_every_row_once(memmapped: tuple[np.ndarray, np.ndarray]) -> None:
    X, _ = memmapped
    model = network()
    rows = np.arange(ROWS)[::-3]
    np.testing.assert_allclose(model._predict_in_chunks(X, rows),
                               model._forward_rows(np.asarray(X[rows])), rtol=1e-5, atol=1e-7)


# -- the TensorFlow engine streams its batches -----------------------------------------------
@pytest.fixture
def small_memmap(tmp_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """60 x 3 float64 in a memory-mapped ``.npy`` (streamed whatever its size), 3 classes."""
    X, y = make_data(60, 3, 3, "categorical_crossentropy")
    np.save(tmp_path / "X.npy", X)
    return np.load(tmp_path / "X.npy", mmap_mode="r"), y


def chunks_of(monkeypatch: pytest.MonkeyPatch, n_batches: int, batch_size: int,
              row_bytes: int) -> None:
    """Make the TensorFlow engine stream chunks of ``n_batches`` batches."""
    from scratchnn.tf_engine import streaming

    monkeypatch.setattr(streaming, "CHUNK_BYTES", n_batches * batch_size * row_bytes)


@pytest.mark.tensorflow
@pytest.mark.parametrize(("settings", "batches_per_chunk"), [
    pytest.param({"batch_size": 8}, None, marks=pytest.mark.slow, id="in_order"),
    pytest.param({"batch_size": 7, "shuffle": True, "random_state": 3}, 2,
                 id="shuffled-chunks_of_2"),
    pytest.param({"batch_size": 16, "shuffle": True, "random_state": 1, "validation_split": 0.25,
                  "sample_weight": np.random.default_rng(5).uniform(0, 2, 60)}, None,
                 marks=pytest.mark.slow, id="split_and_weighted"),
    pytest.param({"batch_size": 16, "validation_split": 0.25, "random_state": 2,
                  "sample_weight": np.random.default_rng(5).uniform(0, 2, 60)}, 1,
                 marks=pytest.mark.slow, id="split_and_weighted-chunks_of_1"),
])
def test_streamed_tensorflow_training_gives_the_numpy_engines_numbers(
        small_memmap: tuple[np.ndarray, np.ndarray], settings: dict,
        batches_per_chunk: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The epoch's batches whether a streamed chunk is the whole epoch (None), or a few
    batches with a partial chunk at the end (60 rows in chunks of 2 batches of 7: four of 14
    rows and one of 4; 45 training rows in chunks of 1 batch of 16: 16, 16 and 13)."""
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron
    from scratchnn.tf_engine.streaming import streams

    X, y = small_memmap
    if batches_per_chunk is not None:
        weighted = "sample_weight" in settings
        chunks_of(monkeypatch, batches_per_chunk, settings["batch_size"], 8 * (3 + 3 + weighted))
    numpy_model = make_model([3, 5, 3], "tanh", "softmax", "categorical_crossentropy",
                             init="xavier")
    tf_model = TFPerceptron.from_perceptron(numpy_model)
    for model in (numpy_model, tf_model):
        model.fit(X, y, epochs=5, optimizer="adam", learning_rate=0.05, verbose=0, **settings)
    assert streams(np.asarray(X))
    assert tf_model._fit_stream["sample_weight" in settings].experimental_get_tracing_count() == 1
    for key, values in numpy_model.history.history.items():
        np.testing.assert_allclose(tf_model.history.history[key], values, rtol=1e-9)
    for streamed, expected in zip(tf_model.get_weights(), numpy_model.get_weights(),
                                  strict=True):
        np.testing.assert_allclose(streamed, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.tensorflow
def test_a_streamed_fit_that_diverges_stops_at_the_numpy_engines_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    chunks_of(monkeypatch, 3, 4, 8 * (3 + 1))  # 4 batches an epoch: chunks of 3 and 1

    X, y = make_data(16, 3, 1, "mean_squared_error")
    np.save(tmp_path / "X.npy", X * 100)
    X_mapped = np.load(tmp_path / "X.npy", mmap_mode="r")
    numpy_model = make_model([3, 8, 1], "relu", "linear", "mean_squared_error", init="he")
    places, weights = [], []
    for model in (TFPerceptron.from_perceptron(numpy_model), numpy_model):
        with pytest.raises(TrainingDivergedError) as failure:
            model.fit(X_mapped, y, epochs=50, learning_rate=1e6, batch_size=4, verbose=0)
        places.append((failure.value.epoch, failure.value.batch))
        weights.append(model.get_weights())
    assert places[0] == places[1] == (1, 4)  # the first batch of the second chunk
    for streamed, expected in zip(*weights, strict=True):
        np.testing.assert_allclose(streamed, expected, rtol=1e-9)


PEAK_SCRIPT = """
import json, sys, numpy as np
from benchmarks.timing import peak_memory_mb
from scratchnn import Perceptron
from scratchnn.tf_engine import TFPerceptron
X = np.load(sys.argv[1], mmap_mode="r")
y = np.arange(len(X)) % 10
model = TFPerceptron.from_perceptron(Perceptron.from_sizes(
    [X.shape[1], 64, 10], "relu", "softmax", "categorical_crossentropy", random_state=0,
    dtype=np.float32))
model.predict_proba(X[:10])  # TensorFlow started: the memory before the data is read
before = peak_memory_mb()
model.fit(X, y, epochs=1, batch_size=128, learning_rate=0.01, shuffle=True, random_state=0,
          verbose=0)
model.predict_proba(X)
print(json.dumps({"before": before, "after": peak_memory_mb()}))
"""


@pytest.mark.slow
@pytest.mark.tensorflow
def test_a_memmap_fit_on_tensorflow_stays_within_the_data_plus_a_pipeline(
        tmp_path: Path) -> None:
    """The pages of the file read count in the resident set (at most the data once); a
    tensor of the whole set, as before, took 3.5 times the data on top of TensorFlow."""
    pytest.importorskip("tensorflow")
    path = tmp_path / "X.npy"
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(100_000, 784))
    for start in range(0, len(X), 25_000):
        X[start:start + 25_000] = np.random.default_rng(start).random((25_000, 784),
                                                                      dtype=np.float32)
    X.flush()
    data_mb = X.nbytes / 2**20
    del X
    result = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, str(path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["after"] - report["before"] < 2 * data_mb, (report, data_mb)
