"""The command line, run as a user runs it: a real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRATCHNN = str(Path(sys.executable).parent / "scratchnn")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRATCHNN, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_help_lists_the_options() -> None:
    result = run("train", "--help")
    assert result.returncode == 0
    for option in ("--hidden", "--activation", "--epochs", "--learning-rate", "--batch-size",
                   "--seed", "--init", "--log-every", "--json", "--engine"):
        assert option in result.stdout


def test_train_solves_xor_and_prints_the_table() -> None:
    result = run("train", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Loss at epoch 300: ")
    assert sum(line.startswith("Loss at epoch") for line in lines) == 10
    table = lines[lines.index(next(x for x in lines if x.startswith("inputs"))):]
    assert [row.split()[-1] for row in table[1:5]] == ["0", "1", "1", "0"]
    assert "accuracy: 100.0%" in lines
    report = json.loads(lines[-1])
    assert report["engine"] == "numpy" and report["dataset"] == "xor"
    assert report["epochs"] == 3000 and report["train_accuracy"] == 1.0
    assert report["final_loss"] < 0.05


def test_options_change_the_network() -> None:
    result = run("train", "--hidden", "4", "3", "--activation", "tanh", "--init", "xavier",
                 "--epochs", "50", "--learning-rate", "0.5", "--batch-size", "1",
                 "--seed", "3", "--log-every", "25", "--json")
    assert result.returncode == 0, result.stderr
    assert sum(line.startswith("Loss at epoch") for line in result.stdout.splitlines()) == 2
    assert json.loads(result.stdout.splitlines()[-1])["epochs"] == 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "x"], "invalid int value: 'x'"),
        (["--epochs", "0"], "--epochs must be a positive integer"),
        (["--learning-rate", "-1"], "--learning-rate must be a positive finite number"),
        (["--hidden", "0"], "--hidden sizes must be positive integers"),
        (["--activation", "swish"], "invalid choice: 'swish'"),
        (["--batch-size", "-1"], "--batch-size must be a positive integer"),
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--validation-split", "1.5"], "--validation-split must be between 0 and 1"),
        (["--unknown"], "unrecognized arguments: --unknown"),
    ],
)
def test_bad_options_give_one_line_and_exit_code_2(args: list[str], message: str) -> None:
    result = run("train", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_trains_xor() -> None:
    result = subprocess.run(["make", "--no-print-directory", "demo"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "accuracy: 100.0%" in result.stdout


@pytest.mark.slow
def test_training_tools_from_the_command_line() -> None:
    result = run("train", "--dataset", "moons", "--l2", "0.001", "--dropout", "0.1",
                 "--schedule", "cosine", "--epochs", "20", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])["test_accuracy"] > 0.8
    lbfgs = run("train", "--optimizer", "lbfgs", "--epochs", "100", "--json")
    assert lbfgs.returncode == 0, lbfgs.stderr
    assert json.loads(lbfgs.stdout.splitlines()[-1])["train_accuracy"] == 1.0
    # A stopping rule that the epochs outrun says so in one plain line, not a Python warning.
    short = run("train", "--dataset", "circles", "--early-stopping", "--epochs", "3")
    assert short.returncode == 0 and "Warning" not in short.stderr
    assert "Note: training used all its 3 epochs" in short.stdout
    for bad, message in ((("--dropout", "1"), "--dropout must be in [0, 1)"),
                         (("--l2", "-1"), "--l2 must be a finite number >= 0"),
                         (("--optimizer", "lbfgs", "--schedule", "cosine"),
                          "--schedule needs a learning rate")):
        refused = run("train", *bad)
        assert refused.returncode == 2 and message in refused.stderr


# Packages a plain 'pip install scratchnn' does not bring (tqdm and NumPy it does).
EXTRAS = ("tensorflow", "keras", "sklearn", "scipy", "matplotlib", "onnx", "onnxruntime",
          "threadpoolctl", "starlette", "uvicorn", "websockets")
NUMPY_ONLY = (f"import sys\nfor name in {EXTRAS!r}:\n    sys.modules[name] = None\n"
              "from scratchnn.cli import main\nmain(sys.argv[1:])\n")


def run_numpy_only(*args: str, terminal: bool = False) -> tuple[int, str]:
    """The command line as on a machine with NumPy and tqdm only; in a pseudo-terminal if
    ``terminal`` (so the default is the progress bar)."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    if not terminal:
        result = subprocess.run([sys.executable, "-c", NUMPY_ONLY, *args], capture_output=True,
                                text=True, timeout=120, check=False)
        return result.returncode, result.stdout + result.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # 80 x 24
    process = subprocess.Popen([sys.executable, "-c", NUMPY_ONLY, *args], stdin=follower,
                               stdout=follower, stderr=follower, close_fds=True)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the program ended
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return process.wait(timeout=120), output.decode(errors="replace")


def test_a_terminal_with_numpy_only_gets_the_progress_bar() -> None:
    code, output = run_numpy_only("train", "--epochs", "300", terminal=True)
    assert code == 0, output
    assert "300/300" in output and "accuracy: 100.0%" in output


def test_missing_extras_are_named_before_any_training() -> None:
    code, output = run_numpy_only("train", "--plot", "out.png")
    assert code == 2 and "pip install 'scratchnn[plot]'" in output
    assert "Loss at epoch" not in output and "Traceback" not in output
    code, output = run_numpy_only("train", "--optimizer", "lbfgs")
    assert code == 2 and "pip install 'scratchnn[lbfgs]'" in output
    assert "Loss at epoch" not in output
    code, output = run_numpy_only("train", "--engine", "tensorflow")
    assert code == 2 and "pip install 'scratchnn[tf]'" in output


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A classifier, a regression model and a two-output regression model, saved."""
    import numpy as np

    from scratchnn import Perceptron

    folder = tmp_path_factory.mktemp("models")
    assert run("train", "--dataset", "moons", "--epochs", "2", "--verbose", "0", "--save",
               str(folder / "moons.npz")).returncode == 0
    for name, n_outputs in (("regression", 1), ("two_outputs", 2)):
        model = Perceptron.from_sizes([2, 3, n_outputs], "tanh", "linear", "squared_error",
                                      random_state=0)
        model.fit(np.zeros((4, 2)), np.zeros((4, n_outputs)), epochs=1, verbose=0)
        model.save(folder / f"{name}.npz")
    return folder


BAD_INVOCATIONS = [
    ("train", "--seed", "-1"),
    ("train", "--hidden", "1000000000"),
    ("train", "--plot", "no_extension"),
    ("train", "--epochs", "0"),
    ("train", "--learning-rate", "nan"),
    ("train", "--validation-split", "1.5"),
    ("train", "--dropout", "-0.1"),
    ("train", "--save", "/nonexistent/folder/model.npz", "--epochs", "1"),
    ("predict", "{models}/moons.npz", "--input", "nan", "nan"),
    ("predict", "{models}/moons.npz", "--input", "1", "2", "3"),
    ("predict", "{models}/none.npz", "--input", "1", "2"),
    ("plot", "{models}/moons.npz", "-o", "no_extension"),
    ("export", "{models}/moons.npz", "-o", "/nonexistent/folder/model.onnx"),
    ("trace", "--sample", "9"),
    ("check", "{models}/none.py"),
]


@pytest.mark.parametrize("invocation", BAD_INVOCATIONS, ids=" ".join)
def test_every_bad_invocation_is_one_line_and_exit_2(invocation: tuple[str, ...],
                                                     saved_models: Path) -> None:
    result = run(*(part.format(models=saved_models) for part in invocation))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("scratchnn")


@pytest.mark.parametrize("name", ["regression", "two_outputs"])
def test_predict_shows_the_values_of_a_regression(name: str, saved_models: Path) -> None:
    result = run("predict", str(saved_models / f"{name}.npz"), "--input", "1", "2")
    assert result.returncode == 0, result.stderr
    values = result.stdout.splitlines()[1].split()[2:]
    assert len(values) == (1 if name == "regression" else 2)


@pytest.mark.parametrize("target", ["model", "file", "folder", "folder.onnx"])
def test_export_never_writes_over_what_it_should_not(target: str, saved_models: Path,
                                                     tmp_path: Path) -> None:
    # Before: a traceback onto an existing file or folder, and the model itself overwritten.
    model = tmp_path / "moons.npz"
    model.write_bytes((saved_models / "moons.npz").read_bytes())
    output = {"model": model, "file": tmp_path / "notes.txt", "folder": tmp_path / "work",
              "folder.onnx": tmp_path / "out.onnx"}[target]
    if target == "file":
        output.write_text("keep me")
    if target.startswith("folder"):
        output.mkdir()
        (output / "keep.txt").write_text("keep me")
    before = model.read_bytes()
    result = run("export", str(model), "-o", str(output))
    assert result.returncode == 2, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert model.read_bytes() == before
    assert target != "file" or output.read_text() == "keep me"


def test_a_model_with_too_few_class_labels_is_one_line(saved_models: Path,
                                                       tmp_path: Path) -> None:
    import io
    import zipfile

    import numpy as np

    with zipfile.ZipFile(saved_models / "moons.npz") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(np.load(io.BytesIO(members["header.npy"])).tobytes())
    buffer = io.BytesIO()
    np.save(buffer, np.frombuffer(json.dumps({**header, "class_labels": ["a"]}).encode(),
                                  np.uint8))
    with zipfile.ZipFile(tmp_path / "bad.npz", "w") as archive:
        for name, data in {**members, "header.npy": buffer.getvalue()}.items():
            archive.writestr(name, data)
    np.save(tmp_path / "X.npy", np.zeros((3, 2)))
    result = run("predict", str(tmp_path / "bad.npz"), "--data", str(tmp_path / "X.npy"))
    assert result.returncode == 2 and "it names 1 classes for 2" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
