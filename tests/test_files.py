"""The user's own files in the command line: train on a CSV or on arrays, save, predict to a
file, the same predictions as Python; bad files in one line."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

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


# -- Data by name (issue 25) -------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: Any) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def predictions(path: Path) -> list[list[str]]:
    with path.open() as file:
        return list(csv.reader(file))


@pytest.fixture(scope="module")
def trained(table: tuple[Path, np.ndarray, np.ndarray],
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained from the CSV's named columns a, b, c (target 'answer')."""
    path = tmp_path_factory.mktemp("trained") / "model.npz"
    result = run("train", "--data", str(table[0]), "--target", "answer", "--epochs", "20",
                 "--verbose", "0", "--save", str(path))
    assert result.returncode == 0, result.stderr
    return path


def test_the_model_keeps_the_names_of_its_columns(trained: Path) -> None:
    model = load(trained)
    assert model.feature_names_in_ == ["a", "b", "c"] and model.target_name_ == "answer"


def test_predict_picks_the_columns_by_name_in_any_order(
        table: tuple[Path, np.ndarray, np.ndarray], trained: Path, tmp_path: Path) -> None:
    # Before: the columns were taken by position, and 109 of 200 predictions changed.
    path, X, labels = table
    expected = run("predict", str(trained), "--data", str(path), "--output",
                   str(tmp_path / "expected.csv"))
    assert expected.returncode == 0, expected.stderr
    shuffled = write_csv(tmp_path / "shuffled.csv", ["c", "note", "answer", "a", "b"],
                         [[x[2], "n", label, x[0], x[1]] for x, label in zip(X, labels,
                                                                            strict=True)])
    result = run("predict", str(trained), "--data", str(shuffled), "--output",
                 str(tmp_path / "got.csv"))
    assert result.returncode == 0, result.stderr
    assert predictions(tmp_path / "got.csv") == predictions(tmp_path / "expected.csv")


def test_a_missing_column_is_refused_by_name(table: tuple[Path, np.ndarray, np.ndarray],
                                             trained: Path, tmp_path: Path) -> None:
    # Before: an unrelated column in place of the missing one was taken as it.
    X = table[1]
    other = write_csv(tmp_path / "other.csv", ["a", "z", "c"], X)
    result = run("predict", str(trained), "--data", str(other))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no column 'b', which the model takes as input" in result.stderr


def test_an_unnamed_source_is_matched_by_count(table: tuple[Path, np.ndarray, np.ndarray],
                                               trained: Path, tmp_path: Path) -> None:
    X = table[1]
    np.save(tmp_path / "X.npy", X)
    result = run("predict", str(trained), "--data", str(tmp_path / "X.npy"))
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(X) + 1
    np.save(tmp_path / "narrow.npy", X[:, :2])
    narrow = run("predict", str(trained), "--data", str(tmp_path / "narrow.npy"))
    assert narrow.returncode == 2 and "2 feature columns, but the model takes 3" in narrow.stderr


def test_test_data_is_read_by_name(table: tuple[Path, np.ndarray, np.ndarray],
                                   tmp_path: Path) -> None:
    path, X, labels = table
    shuffled = write_csv(tmp_path / "test.CSV", ["answer", "c", "b", "a"],
                         [[label, x[2], x[1], x[0]] for x, label in zip(X, labels,
                                                                        strict=True)])
    result = run("train", "--data", str(path), "--target", "answer", "--test-data",
                 str(shuffled), "--epochs", "40", "--verbose", "0", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["test_accuracy"] > 0.85
    missing = write_csv(tmp_path / "missing.csv", ["answer", "c", "a"],
                        [[label, x[2], x[0]] for x, label in zip(X, labels, strict=True)])
    refused = run("train", "--data", str(path), "--target", "answer", "--test-data",
                  str(missing), "--epochs", "1")
    assert refused.returncode == 2 and "no column 'b'" in refused.stderr


UNREADABLE = {
    # The target's empty cells, nan and 1e400 were extra classes ('', nan, -2**63).
    "empty target": ("a,answer\n1,x\n2,\n3,y\n", "line 3: the target column 'answer' is empty"),
    "nan target": ("a,answer\n1,1\n2,nan\n3,0\n", "line 3: the target column 'answer' holds "
                                                  "'nan', not a finite number"),
    "huge target": ("a,answer\n1,1\n2,0\n3,1e400\n", "line 4: the target column 'answer' "
                                                    "holds '1e400'"),
    # A feature column of the same name as the target was dropped.
    "duplicate names": ("a,answer,answer\n1,2,3\n4,5,6\n",
                        "the header names two columns 'answer' (columns 2 and 3)"),
    "oversize field": ("a,answer\n1," + "x" * 200_000 + "\n", "line 2: field larger than "
                                                             "field limit"),
    "nan feature": ("a,answer\n1,x\nnan,y\n", "line 3: the feature column 'a' holds 'nan'"),
    "continuous target": ("a,answer\n" + "".join(f"{i},{i * 0.37:.2f}\n" for i in range(40)),
                          "not whole, such as 0.37: a quantity, not classes; to predict it, "
                          "train a regressor with --task regression"),
    "tiny classes": ("a,answer\n1,x\n2,x\n3,x\n4,y\n5,y\n",
                     "the class 'y' has 2 row(s): the test split needs at least 3 rows"),
    "identifiers": ("a,answer\n" + "".join(f"{i},{i}\n" for i in range(40)),
                    "40 classes in 40 rows"),
}


@pytest.mark.parametrize("name", list(UNREADABLE))
def test_what_cannot_be_read_faithfully_is_refused_in_one_line(name: str,
                                                               tmp_path: Path) -> None:
    content, message = UNREADABLE[name]
    (tmp_path / "bad.csv").write_text(content)
    result = run("train", "--data", str(tmp_path / "bad.csv"), "--target", "answer",
                 "--verbose", "1")
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr and "Loss at epoch" not in result.stdout


@pytest.mark.parametrize(("files", "args", "message"), [
    ({"zero.npy": np.array(3.0)}, ["--data", "zero.npy", "--target", "zero.npy"],
     "the features must be a non-empty table"),
    ({"X.npy": np.zeros((4, 2)), "y.npz": None}, ["--data", "X.npy", "--target", "y.npz"],
     "y.npz: expected a .npy file of one array"),
    ({"X.npy": np.zeros((4, 2)), "y.npy": np.array([0, 1, np.nan, 1])},
     ["--data", "X.npy", "--target", "y.npy"], "the label of row 2 is nan"),
])
def test_bad_arrays_are_refused_in_one_line(files: dict[str, Any], args: list[str],
                                            message: str, tmp_path: Path) -> None:
    for name, array in files.items():
        if array is None:
            np.savez(tmp_path / name, y=np.zeros(4))
        else:
            np.save(tmp_path / name, array)
    result = run("train", *[str(tmp_path / arg) if arg in files else arg for arg in args])
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_byte_order_mark_and_an_upper_case_suffix(tmp_path: Path) -> None:
    # Excel's "CSV UTF-8" starts with a BOM: the first column was named '\ufefflabel'; and
    # DATA.CSV ignored --target.
    rows = "".join(f"{'xy'[i % 2]},{i % 2 + 0.1 * i}\n" for i in range(24))
    (tmp_path / "DATA.CSV").write_text("label,a\n" + rows, encoding="utf-8-sig")
    result = run("train", "--data", str(tmp_path / "DATA.CSV"), "--target", "label",
                 "--epochs", "2", "--verbose", "0", "--save", str(tmp_path / "model.npz"))
    assert result.returncode == 0, result.stderr
    model = load(tmp_path / "model.npz")
    assert model.feature_names_in_ == ["a"] and model.class_labels == ["x", "y"]
    predicted = run("predict", str(tmp_path / "model.npz"), "--data",
                    str(tmp_path / "DATA.CSV"), "--target", "label")
    assert predicted.returncode == 0, predicted.stderr


def test_a_regression_predicts_values_on_the_targets_scale(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    price = 1000 + 250 * X[:, 0] - 80 * X[:, 1] ** 2
    data = write_csv(tmp_path / "houses.csv", ["size", "age", "price"],
                     [[*x, p] for x, p in zip(X, price, strict=True)])
    result = run("train", "--data", str(data), "--target", "price", "--task", "regression",
                 "--epochs", "60", "--verbose", "0", "--json", "--save",
                 str(tmp_path / "model.npz"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["test_r2"] > 0.9
    model = load(tmp_path / "model.npz")
    assert model.target_standardization is not None and model.target_name_ == "price"
    np.testing.assert_allclose(model.target_standardization.mean, [price.mean()], rtol=0.05)
    written = run("predict", str(tmp_path / "model.npz"), "--data", str(data), "--output",
                  str(tmp_path / "out.csv"))
    assert written.returncode == 0, written.stderr
    rows = predictions(tmp_path / "out.csv")
    assert rows[0] == ["price"]
    values = np.array(rows[1:], dtype=float)[:, 0]
    np.testing.assert_allclose(values, model.predict(X), rtol=1e-5)
    assert np.abs(values - price).mean() < 0.2 * price.std()
    text = write_csv(tmp_path / "text.csv", ["a", "kind"], [[1, "x"], [2, "y"]])
    refused = run("train", "--data", str(text), "--target", "kind", "--task", "regression")
    assert refused.returncode == 2 and "holds text" in refused.stderr


@pytest.mark.parametrize("case", ["same name", "other spelling", "hard link", "symbolic link"])
def test_no_output_overwrites_an_input(case: str, table: tuple[Path, np.ndarray, np.ndarray],
                                       trained: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_bytes(table[0].read_bytes())
    output = {"same name": data, "other spelling": tmp_path / "sub" / ".." / "data.csv",
              "hard link": tmp_path / "hard.csv", "symbolic link": tmp_path / "soft.csv"}[case]
    (tmp_path / "sub").mkdir()
    if case == "hard link":
        output.hardlink_to(data)
    if case == "symbolic link":
        output.symlink_to(data)
    before = data.read_bytes()
    predicted = run("predict", str(trained), "--data", str(data), "--output", str(output))
    assert predicted.returncode == 2 and "would destroy it" in predicted.stderr
    assert len(predicted.stderr.strip().splitlines()) == 1
    arrays = tmp_path / "set.npz"
    np.savez(arrays, X=table[1], y=table[2] == "yes")
    saved = arrays.read_bytes()
    trained_again = run("train", "--data", str(arrays), "--save", str(arrays), "--epochs", "1")
    assert trained_again.returncode == 2 and "would destroy it" in trained_again.stderr
    assert data.read_bytes() == before and arrays.read_bytes() == saved


def test_ctrl_c_saves_the_last_complete_update(tmp_path: Path) -> None:
    # Before: a 21-line traceback, and the --save model lost.
    import os
    import signal
    import subprocess

    from tests.test_cli import SCRATCHNN

    process = subprocess.Popen(
        [SCRATCHNN, "train", "--dataset", "digits", "--epochs", "10000", "--log-every", "1",
         "--verbose", "1", "--save", str(tmp_path / "model.npz")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    first = process.stdout.readline()  # training has begun
    assert first.startswith("Loss at epoch"), first + (process.stderr.read()
                                                        if process.stderr else "")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines() == [
        f"scratchnn: interrupted: the model of the last complete update saved to "
        f"{tmp_path / 'model.npz'}"]
    model = load(tmp_path / "model.npz")
    assert len(model.history) >= 1 and all(np.isfinite(w).all() for w in model.get_weights())


def test_the_output_paths_are_checked_before_training(
        table: tuple[Path, np.ndarray, np.ndarray], tmp_path: Path) -> None:
    # Before: the set trained fully, then --save failed.
    for option, path in (("--save", tmp_path / "missing" / "model.npz"), ("--save", tmp_path),
                         ("--plot", tmp_path / "missing" / "figure.png")):
        result = run("train", "--data", str(table[0]), "--target", "answer", "--verbose", "1",
                     option, str(path))
        assert result.returncode == 2 and "Loss at epoch" not in result.stdout, result.stdout
        assert len(result.stderr.strip().splitlines()) == 1 and option in result.stderr
