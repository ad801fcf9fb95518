"""The user's own files in the command line: train on a CSV or on arrays, save, predict to a
file, the same predictions as Python; bad files in one line."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from scratchnn import load
from tests.test_cli import run


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    """A CSV with string labels in the middle column and features of very different scales."""
    folder = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3)) * [1, 10, 100] + [0, 50, -20]
    labels = np.where(X[:, 0] + X[:, 1] / 10 > 5, "yes",
                      np.where(X[:, 2] > -20, "maybe", "no"))
    path = folder / "data.csv"
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["a", "b", "answer", "c"])
        for row, label in zip(X, labels, strict=True):
            writer.writerow([row[0], row[1], label, row[2]])
    return path, X, labels


def test_a_csv_round_trip(table: tuple[Path, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    path, X, labels = table
    trained = run("train", "--data", str(path), "--target", "answer", "--epochs", "60",
                  "--verbose", "0", "--save", str(tmp_path / "model.npz"))
    assert trained.returncode == 0, trained.stderr
    accuracy = float(trained.stdout.split("test accuracy: ")[1].split("%")[0])
    assert accuracy > 85  # standardised features: the scales do not matter
    predicted = run("predict", str(tmp_path / "model.npz"), "--data", str(path), "--target",
                    "answer", "--output", str(tmp_path / "predictions.csv"))
    assert predicted.returncode == 0, predicted.stderr
    with (tmp_path / "predictions.csv").open() as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["prediction", "probability maybe", "probability no", "probability yes"]
    model = load(tmp_path / "model.npz")  # the same predictions from Python, on raw inputs
    probabilities = model.predict_proba(X)
    assert [row[0] for row in rows[1:]] == [model.class_labels[i]  # type: ignore[index]
                                            for i in probabilities.argmax(axis=1)]
    np.testing.assert_allclose(np.array(rows[1:])[:, 1:].astype(float), probabilities,
                               rtol=1e-5)
    assert np.mean(np.array([row[0] for row in rows[1:]]) == labels) > 0.85


def test_arrays_and_a_test_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    np.savez(tmp_path / "test.npz", X=X[:50], y=y[:50])
    result = run("train", "--data", str(tmp_path / "X.npy"), "--target",
                 str(tmp_path / "y.npy"), "--test-data", str(tmp_path / "test.npz"),
                 "--epochs", "5", "--verbose", "0", "--json")
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout


BAD_FILES = {
    "missing target": ("a,b,label\n1,2,x\n3,4,y\n", "no column 'answer' for the target"),
    "text feature": ("a,b,answer\n1,two,x\n3,4,y\n", "the feature column 'b' must hold numbers"),
    "ragged row": ("a,b,answer\n1,2,x\n3,y\n", "line 3: 2 values, but the header has 3"),
    "empty": ("", "empty: it needs a header line"),
    "one class": ("a,b,answer\n1,2,x\n3,4,x\n", "one class only"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_are_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    content, message = BAD_FILES[name]
    (tmp_path / "bad.csv").write_text(content)
    result = run("train", "--data", str(tmp_path / "bad.csv"), "--target", "answer")
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_standardised_model_predicts_the_same_everywhere(tmp_path: Path) -> None:
    from scratchnn import Perceptron
    from scratchnn.preprocessing import Standardization

    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 3)) * [1, 100, 0.01] + [5, -300, 2]
    y = (X[:, 0] > 5).astype(int)
    model = Perceptron.from_sizes([3, 4, 1], "tanh", "sigmoid", "bce", random_state=0)
    model.standardization = Standardization.of(X)
    model.fit(X, y, epochs=30, learning_rate=0.5, batch_size=None, verbose=0)
    np.testing.assert_allclose(model.standardization.mean, X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.standardization.scale, X.std(axis=0), rtol=1e-12)
    expected = model.predict_proba(X)
    model.save(tmp_path / "model.npz")
    outputs = [load(tmp_path / "model.npz").predict_proba(X),
               model.to_sklearn().predict_proba(X)[:, 1:]]
    if pytest.importorskip("onnxruntime"):
        import onnxruntime

        model.to_onnx(tmp_path / "model.onnx")
        session = onnxruntime.InferenceSession(str(tmp_path / "model.onnx"))
        outputs.append(session.run(["output"], {"input": X})[0])
    pytest.importorskip("tensorflow")
    outputs.append(load(tmp_path / "model.npz", engine="tensorflow").predict_proba(X))
    for output in outputs:
        np.testing.assert_allclose(output, expected, rtol=1e-12)
