"""French throughout: with ``--lang fr``, or a French locale, what the command line prints
(``train`` and its diagnoses, ``check``, ``trace``, every error) holds no English word, and
follows French typography."""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from scratchnn.cli import main
from scratchnn.language import FORMULAS, language_of_environment, say, speaking
from tests.conftest import COURSE, slipped
from tests.test_course_check import SLIPS
from tests.test_files import BAD_FILES, UNREADABLE

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
    r"(?m)^    \w+ ",  # a command's name, as the help lists the commands
    r"scratchnn \w+",  # a command, as the help's usage and text name it
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
    ("trace", "--hidden", "1000000000"),  # refused before allocating 128 GB
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


#: Files a student gives ``train --data bad.csv --target answer``, each refused (as
#: test_files shows in English) in one French line.
MALFORMED = {
    **{name: content for name, (content, _) in {**BAD_FILES, **UNREADABLE}.items()},
    "missing feature value": "a,b,answer\n1,2,x\n3,,y\n",  # the cell Excel leaves empty
    "not UTF-8": "a,b,answer\n1,2,café\n",  # saved as Latin-1 below
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_csv_is_refused_in_french(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, name: str) -> None:
    (tmp_path / "bad.csv").write_bytes(MALFORMED[name].encode("latin-1"))
    code, output = run(capsys, "train", "--data", str(tmp_path / "bad.csv"), "--target",
                       "answer", "--lang", "fr")
    assert code == 2 and len(output.strip().splitlines()) == 1, output
    assert "erreur\u00a0:" in output and english_words(output) == set(), output


def table_file(tmp_path: Path, name: str, content: str) -> str:
    (tmp_path / name).write_text(content)
    return str(tmp_path / name)


#: Arguments of ``train`` (given the folder of its files) that its data refuses.
BAD_DATA: dict[str, Callable[[Path], list[str]]] = {
    "an .npy that is no table": lambda folder: [
        "--data", array_file(folder, "zero.npy", np.array(3.0)), "--target",
        str(folder / "zero.npy")],
    "labels of another length": lambda folder: [
        "--data", array_file(folder, "X.npy", np.zeros((4, 2))), "--target",
        array_file(folder, "y.npy", np.zeros(3))],
    "an .npz without X": lambda folder: [
        "--data", npz_file(folder, "data.npz", y=np.zeros(4))],
    "text for a regression": lambda folder: [
        "--data", table_file(folder, "text.csv", "a,answer\n1,x\n2,y\n3,x\n4,y\n"), "--target",
        "answer", "--task", "regression"],
}


def array_file(folder: Path, name: str, array: np.ndarray) -> str:
    np.save(folder / name, array)
    return str(folder / name)


def npz_file(folder: Path, name: str, **arrays: np.ndarray) -> str:
    np.savez(folder / name, **arrays)  # type: ignore[arg-type]
    return str(folder / name)


@pytest.mark.parametrize("case", list(BAD_DATA))
def test_bad_arrays_are_refused_in_french(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                          case: str) -> None:
    code, output = run(capsys, "train", *BAD_DATA[case](tmp_path), "--lang", "fr")
    assert code == 2 and len(output.strip().splitlines()) == 1, output
    assert "erreur\u00a0:" in output and english_words(output) == set(), output


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained on a CSV of columns a, b and answer."""
    folder = tmp_path_factory.mktemp("model")
    rows = "".join(f"{i % 5},{i % 3},{'xy'[i % 2]}\n" for i in range(24))
    data = table_file(folder, "data.csv", "a,b,answer\n" + rows)
    main(["train", "--data", data, "--target", "answer", "--epochs", "1", "--verbose", "0",
          "--save", str(folder / "model.npz")])
    return folder / "model.npz"


#: Model files ``predict`` cannot load (given the folder and a good model's bytes).
DAMAGED: dict[str, Callable[[Path, bytes], Path]] = {
    "not a model": lambda folder, good: write(folder / "junk.npz", "not a model at all"),
    "truncated": lambda folder, good: write_bytes(folder / "cut.npz", good[:len(good) // 2]),
    "a folder": lambda folder, good: folder,
    "arrays, not a model": lambda folder, good: Path(npz_file(folder, "arrays.npz",
                                                              X=np.zeros(2))),
}


def write_bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_model_is_refused_in_french(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path, saved_model: Path,
                                              case: str) -> None:
    model = DAMAGED[case](tmp_path, saved_model.read_bytes())
    code, output = run(capsys, "predict", str(model), "--input", "1", "2", "--lang", "fr")
    assert code == 2 and "n'est pas un modèle scratchnn valide" in output, output
    assert english_words(output) == set(), output


def test_a_missing_column_is_refused_in_french(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path, saved_model: Path) -> None:
    data = table_file(tmp_path, "inputs.csv", "a,c\n1,2\n")
    code, output = run(capsys, "predict", str(saved_model), "--data", data, "--lang", "fr")
    assert code == 2 and "pas de colonne 'b'" in output and english_words(output) == set()


def test_fits_refusals_are_french(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (("--optimizer", "lbfgs", "--early-stopping"), ("--validation-split", "0.1"),
                 ("--dataset", "moons", "--learning-rate", "1e308", "--epochs", "2")):
        code, output = run(capsys, "train", *argv, "--verbose", "0", "--lang", "fr")
        assert code == 2 and english_words(output) == set(), output


COMMANDS = ["", "train", "predict", "plot", "export", "trace", "check", "playground"]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_help_speaks_french(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, output = run(capsys, *command.split(), "-h", "--lang", "fr")
    assert code == 0 and output.startswith("utilisation\u00a0: scratchnn"), output
    assert "options\u00a0:" in output and "afficher cette aide" in output, output
    assert english_words(output) == set(), output


def test_the_help_speaks_the_locales_language(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert "--epochs ÉPOQUES" in run(capsys, "train", "-h")[1]
    english = run(capsys, "train", "-h", "--lang", "en")[1]
    assert english.startswith("usage: scratchnn train") and "--epochs EPOCHS" in english
    assert "show this help message and exit" in english


def test_a_library_error_is_english_for_python_and_french_when_spoken(tmp_path: Path) -> None:
    from scratchnn.files import read_table

    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="empty: it needs a header line") as raised:
        read_table(tmp_path / "empty.csv", "y")
    with speaking("fr"):
        assert "vide\u00a0: il faut une ligne d'en-tête" in str(raised.value)
    copy = pickle.loads(pickle.dumps(raised.value))
    assert type(copy) is type(raised.value) and str(copy) == str(raised.value)


def test_a_csv_saved_by_excel_in_french_reads_as_its_comma_version(tmp_path: Path) -> None:
    from scratchnn.files import read_table

    excel = "\ufeffâge;taille;classe\r\n1,5;2;oui\r\n3;4,25;non\r\n"  # BOM, CRLF, 1,5
    (tmp_path / "excel.csv").write_bytes(excel.encode())
    (tmp_path / "plain.csv").write_text("âge,taille,classe\n1.5,2,oui\n3,4.25,non\n")
    read, plain = (read_table(tmp_path / name, "classe") for name in ("excel.csv", "plain.csv"))
    assert read.feature_names == plain.feature_names == ["âge", "taille"]
    np.testing.assert_array_equal(read.X, plain.X)
    assert read.y is not None and plain.y is not None
    assert read.y.tolist() == plain.y.tolist() == ["oui", "non"]


def test_a_missing_value_is_named_so(tmp_path: Path) -> None:
    from scratchnn.files import read_table

    (tmp_path / "gap.csv").write_text("a,b,answer\n1,2,x\n3, ,y\n")
    with pytest.raises(ValueError, match=r"line 3: the feature column 'b' is empty \(a "
                                         r"missing value\)"):
        read_table(tmp_path / "gap.csv", "answer")


def test_the_playground_says_where_it_is_in_french(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    uvicorn = pytest.importorskip("uvicorn")
    pytest.importorskip("starlette")
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: None)  # start-up line only
    # nor uvicorn's logging, whose handlers would keep this test's captured stderr
    monkeypatch.setattr(uvicorn.Config, "configure_logging", lambda self: None)
    code, output = run(capsys, "playground", "--no-browser", "--lang", "fr")
    assert code == 0 and "terrain de jeu de scratchnn à l'adresse http://127.0.0.1:" in output
    assert "&lang=fr (Ctrl-C" in output  # the page it opens speaks French too
    assert "(Ctrl-C l'arrête)" in output and english_words(output) == set(), output


def test_batch_normalisation_on_the_command_line_trains_and_its_refusal_is_french(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, printed = run(capsys, "train", "--dataset", "moons", "--batch-norm", "--epochs", "5",
                        "--verbose", "0", "--lang", "fr")
    assert code == 0 and "exactitude" in printed and not english_words(printed)
    code, printed = run(capsys, "train", "--dataset", "moons", "--batch-norm", "--batch-size",
                        "1", "--verbose", "0", "--lang", "fr")
    assert code == 2 and "demande des lots d'au moins 2 exemples" in printed
