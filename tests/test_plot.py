"""Pictures, rendered headless: valid PNGs of the expected size that show what was learned."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scratchnn import datasets
from scratchnn.plot import plot_decision_boundary, plot_training
from tests.conftest import make_model
from tests.test_cli import run


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def boundary_pixels(model: object, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    figure = Figure(figsize=(3, 3), dpi=50)
    canvas = FigureCanvasAgg(figure)
    plot_decision_boundary(model, X, y, figure.add_subplot())  # type: ignore[arg-type]
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_training_figure_is_a_png_of_the_expected_size(tmp_path: Path) -> None:
    X, y = datasets.moons(100)
    model = make_model([2, 8, 1], "tanh", init="xavier").fit(
        X, y, epochs=20, optimizer="adam", learning_rate=0.02, validation_split=0.2,
        verbose=False)
    plot_training(model, X, y, tmp_path / "moons.png")
    assert png_size(tmp_path / "moons.png") == (1100, 450)
    plot_training(model.fit(X, y, epochs=1, verbose=False), np.c_[X, X], y, tmp_path / "4d.png")
    assert png_size(tmp_path / "4d.png") == (550, 450)  # loss only: no boundary in 4-D


def test_the_boundary_shows_what_training_changed() -> None:
    X, y = datasets.xor()
    model = make_model([2, 4, 1], "tanh", init="xavier", seed=1)
    before = boundary_pixels(model, X, y)
    model.fit(X, y, epochs=500, learning_rate=1.0, batch_size=None, verbose=False)
    after = boundary_pixels(model, X, y)
    changed = np.any(before != after, axis=-1).mean()
    assert changed > 0.2, f"only {changed:.1%} of the pixels changed"
    assert np.array_equal(boundary_pixels(model, X, y), after)  # deterministic rendering


def test_multiclass_boundary_and_bad_input() -> None:
    X, y = datasets.spirals(90, n_classes=3)
    model = make_model([2, 8, 3], "relu", "softmax", "categorical_crossentropy")
    assert boundary_pixels(model, X, y).shape[-1] == 4
    with pytest.raises(ValueError, match=r"needs 2-D inputs, got X of shape \(90, 3\)"):
        plot_decision_boundary(model, np.c_[X, X[:, 0]], y, Figure().add_subplot())


@pytest.mark.slow
def test_cli_draws_while_training_and_from_a_saved_model(tmp_path: Path) -> None:
    result = run("train", "--plot", str(tmp_path / "train.png"), "--save",
                 str(tmp_path / "xor.npz"))
    assert result.returncode == 0, result.stderr
    assert png_size(tmp_path / "train.png") == (1100, 450)
    result = run("plot", str(tmp_path / "xor.npz"), "--dataset", "xor", "-o",
                 str(tmp_path / "again.png"))
    assert result.returncode == 0, result.stderr
    assert png_size(tmp_path / "again.png") == (1100, 450)
    wrong = run("plot", str(tmp_path / "xor.npz"), "--dataset", "digits", "-o",
                str(tmp_path / "x.png"))
    assert wrong.returncode == 2 and "the model takes 2 inputs" in wrong.stderr


@pytest.mark.slow
def test_animate_writes_a_gif_of_the_boundary_and_the_loss_along_the_way(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "circles.gif"
    result = run("train", "--dataset", "circles", "--epochs", "6", "--verbose", "0",
                 "--animate", str(path))
    assert result.returncode == 0, result.stderr
    assert "animation of 6 frames saved to" in result.stdout  # one an epoch
    with Image.open(path) as animation:
        assert animation.format == "GIF" and animation.n_frames == 6
        first = np.asarray(animation.convert("RGB"))
        animation.seek(animation.n_frames - 1)
        last = np.asarray(animation.convert("RGB"))
    assert first.shape == last.shape and np.abs(first.astype(int) - last).sum() > 0


@pytest.mark.parametrize(("options", "words"), [
    (["--animate", "out.png"], "ending in .gif"),
    (["--dataset", "digits", "--animate", "out.gif"], "2-D data"),
])
def test_animate_refuses_what_it_cannot_draw(options: list[str], words: str,
                                             tmp_path: Path) -> None:
    result = run("train", "--epochs", "1", *options[:-1], str(tmp_path / options[-1]))
    assert result.returncode == 2 and words in result.stderr
