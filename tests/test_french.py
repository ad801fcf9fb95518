"""French throughout: with ``--lang fr``, or a French locale, what the command line prints
(``train`` and its diagnoses, ``check``, ``trace``, every error) holds no English word, and
follows French typography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scratchnn.cli import main
from scratchnn.language import FORMULAS, language_of_environment, say, speaking
from tests.conftest import COURSE, slipped
from tests.test_course_check import SLIPS

#: Words that say the text is English (none of them is French).
ENGLISH = {
    "the", "of", "is", "are", "not", "no", "file", "loss", "layer", "layers", "expected",
    "received", "epoch", "epochs", "accuracy", "training", "train", "must", "should", "got",
    "error", "and", "with", "to", "for", "from", "was", "has", "have", "be", "stuck", "learning",
    "rate", "try", "diagnosis", "saved", "model", "could", "read", "write", "inputs", "target",
    "probability", "prediction", "right", "wrong", "hint", "step", "forward", "backward",
    "pass", "update", "this", "that", "it", "at", "by", "or", "missing", "such", "folder",
    "required", "invalid", "choice", "value", "unrecognized",
    "sigmoid", "note", "network", "sample", "samples", "weights", "between", "positive",
    "integer", "needs", "kept", "restart", "falling", "falls", "slowly", "larger", "smaller",
    "directory", "following", "choose", "line", "checks", "defines", "there",
}

#: What is the same in both languages, taken out before the words are read.
SAME_IN_BOTH = [
    *(re.escape(formula) for formula in FORMULAS.values()),
    # The course's line, as the course (written in French) prints it, and as ``check`` asks
    # the student's fit to print it: word for word in every language.
    r"Loss at epoch \d+: \d+\.\d{3}",
    r"Loss at epoch N: L\.LLL",
    # Python, quoted in the hints: the lines a student writes.
    r"from utils import",
    r"for layer in reversed\(self\.layers\)",
    r"if __name__ == \"__main__\":",
    r"\b\w+ [-+]?= ",  # the name an assignment sets
    r"\b(Layer|Perceptron)\b",  # the course's classes
    r"'[^' ]*'",  # a value quoted by argparse
    r"(?m)^scratchnn( \w+)?",  # the program and its command, as the error starts
]


def prose(text: str) -> str:
    """``text`` without what is the same in both languages."""
    for pattern in SAME_IN_BOTH:
        text = re.sub(pattern, " ", text)
    return text


def english_words(text: str) -> set[str]:
    """The words of ``text`` that are English: prose only (names of code, numbers, paths
    and the text the same in both languages left out)."""
    found = set()
    for chunk in prose(text).split():
        chunk = chunk.strip(",;:!?«»()").rstrip(".")
        if re.search(r"[_()\[\]{}=@\"/\\<>*+|.\d²⁰¹ᵀ-]", chunk):  # code, a number, a path
            continue
        found |= {word.lower() for word in chunk.split("'")} & ENGLISH
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command line in this process: its exit code and everything it printed."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_the_word_finder_finds_english() -> None:
    assert english_words("scratchnn: error: --epochs must be a positive integer, got 0") == {
        "error", "must", "be", "positive", "integer", "got"}
    assert english_words("Loss at epoch 3: 0.693\nperte (binary_crossentropy) : 0.1") == set()
    assert english_words("a¹ = sigmoid(z¹), la couche de sigmoid") == {"sigmoid"}


TRAINING = [
    ("train",),  # the course's XOR network, its table and its score
    ("train", "--learning-rate", "0.01", "--epochs", "600"),  # the diagnosis of a small rate
    ("train", "--epochs", "1000", "--restarts", "2", "--seed", "1"),  # stuck: restarts
]


@pytest.mark.parametrize("argv", TRAINING)
def test_train_speaks_french(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    code, output = run(capsys, *argv, "--lang", "fr", "--verbose", "1")
    assert code == 0, output
    assert english_words(output) == set(), output
    assert "exactitude" in output and "Loss at epoch" in output


def test_the_diagnoses_restarts_and_notes_speak_french(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(capsys, "train", "--lang", "fr", "--epochs", "1000", "--restarts", "2",
                       "--seed", "1", "--verbose", "1")
    assert code == 0 and "Diagnostic\u00a0:" in output and "Essayez\u00a0:" in output, output
    assert "nouveau départ 1 sur 2" in output and "Gardé\u00a0: le départ" in output, output
    code, output = run(capsys, "train", "--lang", "fr", "--epochs", "3", "--early-stopping",
                       "--validation-split", "0.5", "--dataset", "moons", "--verbose", "1")
    assert code == 0 and "Remarque\u00a0:" in output and english_words(output) == set(), output


CHECKED = {
    "right": lambda folder: COURSE / "solution.py",
    "da_wrong_sign": lambda folder: slipped("solution.py", SLIPS["da_wrong_sign"][0], folder),
    "loss_assigned": lambda folder: slipped("solution.py", SLIPS["loss_assigned"][0], folder),
    "no_classes": lambda folder: write(folder / "empty.py", "x = 1\n"),
}


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", list(CHECKED))
def test_check_speaks_french(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                             case: str) -> None:
    code, output = run(capsys, "check", str(CHECKED[case](tmp_path)), "--lang", "fr")
    assert code == (0 if case == "right" else 1), output
    assert english_words(output) == set(), output
    assert not re.search(r"[^\W\d_]: ", prose(output)), output  # French puts a space before :


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_trace_speaks_french(capsys: pytest.CaptureFixture[str], activation: str) -> None:
    code, output = run(capsys, "trace", "--lang", "fr", "--activation", activation)
    assert code == 0 and english_words(output) == set(), output
    assert "sigmoïde" in output.splitlines()[0]


#: For each command, arguments it refuses: argparse's refusals and scratchnn's own.
REFUSED = [
    ("train", "--epochs", "x"), ("train", "--epochs", "0"), ("train", "--dataset", "mnist"),
    ("train", "--unknown"), ("train", "--learning-rate", "-1"), ("train", "--batch-size"),
    ("train", "--data", "missing.csv", "--target", "y"), ("train", "--task", "regression"),
    ("predict",), ("predict", "missing.npz", "--input", "1", "2"),
    ("predict", "missing.npz", "--input", "1", "--data", "x.csv"),
    ("plot", "missing.npz"), ("plot", "missing.npz", "-o", "picture"),
    ("plot", "missing.npz", "-o", "picture.png"),
    ("export", "missing.npz"), ("export", "missing.npz", "-o", "model.onnx"),
    ("trace", "--sample", "9"), ("trace", "--sample", "x"), ("trace", "--hidden", "0"),
    ("check",), ("check", "missing.py"), ("check", "."), ("check", "x.py", "--timeout", "x"),
    ("playground", "--port", "0"), ("playground", "--model", "missing.npz", "--no-browser"),
    (),
]


@pytest.mark.parametrize("argv", REFUSED, ids=" ".join)
def test_every_error_speaks_french(capsys: pytest.CaptureFixture[str],
                                   argv: tuple[str, ...]) -> None:
    code, output = run(capsys, *argv, "--lang", "fr")
    assert code == 2 and len(output.strip().splitlines()) == 1, output
    assert "erreur\u00a0:" in output and english_words(output) == set(), output


def test_a_french_locale_makes_french_the_default(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert run(capsys, "trace", "--sample", "9")[1].startswith("scratchnn\u00a0: erreur")
    assert run(capsys, "train", "--epochs", "x")[1].startswith("scratchnn train\u00a0: erreur")
    assert "must be between" in run(capsys, "trace", "--sample", "9", "--lang", "en")[1]
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # the first set of LC_ALL, LC_MESSAGES, LANG
    assert "must be between" in run(capsys, "trace", "--sample", "9")[1]
    assert language_of_environment({"LC_MESSAGES": "fr_CA.UTF-8", "LANG": "en_GB"}) == "fr"
    assert language_of_environment({}) == "en"


def test_the_pictures_speak_french(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from scratchnn import datasets
    from scratchnn.numpy_engine import Perceptron
    from scratchnn.plot import plot_training

    X, y = datasets.xor()
    model = Perceptron.from_sizes([2, 2, 1], "sigmoid", "sigmoid", "binary_crossentropy",
                                  random_state=0).fit(X, y, epochs=5, verbose=0)
    with speaking("fr"):
        figure = plot_training(model, X, y)
    texts = [text for ax in figure.axes for text in (
        ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
        *(t.get_text() for t in (ax.get_legend().get_texts() if ax.get_legend() else [])))]
    assert "Perte" in texts and "époque" in texts and "Frontière de décision" in texts
    assert english_words(" ".join(texts)) == set(), texts


def test_french_numbers_and_an_unknown_language() -> None:
    with speaking("fr"):
        assert say("score", score="exactitude", value="75.0%") == "exactitude\u00a0: 75.0\u00a0%"
    with pytest.raises(ValueError, match="language must be one of"), speaking("de"):
        pass


def test_what_keeps_a_check_from_running_is_said_in_each_language() -> None:
    from scratchnn.check_report import Report

    missing = Report(problem=["missing", {"names": ["Layer", "Perceptron"]}])
    assert "defines no Layer and no Perceptron" in missing.text("en") and not missing.ok
    assert "pas de Layer ni de Perceptron" in missing.text("fr")
    variables = Report(problem=["tf_no_variables", {"missing": "W2, b2",
                                                    "names": "W1, b1, W2, b2"}])
    assert english_words(variables.text("fr")) == set(), variables.text("fr")
    assert "no tf.Variable W2, b2" in variables.text("en")
