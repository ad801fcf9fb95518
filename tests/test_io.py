"""Saving and loading: exact round trips, atomic writes, and a loader that refuses bad files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scratchnn
from scratchnn import datasets, load
from tests.conftest import make_data, make_model
from tests.test_cli import run


def trained_model(dtype: type = np.float64) -> scratchnn.Perceptron:
    X, y = make_data(20, 3, 3, "categorical_crossentropy")
    model = make_model([3, 5, 4, 3], "tanh", "softmax", "categorical_crossentropy", dtype=dtype)
    return model.fit(X.astype(dtype), y, epochs=4, learning_rate=0.1, batch_size=5,
                     verbose=False)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_exact(tmp_path: Path, dtype: type) -> None:
    model = trained_model(dtype)
    model.save(tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert type(loaded) is scratchnn.Perceptron
    assert repr(loaded) == repr(model)
    for a, b in zip(model.get_weights(), loaded.get_weights(), strict=True):
        assert a.dtype == b.dtype == dtype
        assert a.tobytes() == b.tobytes()
    assert loaded.history.loss == model.history.loss
    assert loaded.history.epoch == model.history.epoch
    X, _ = make_data(7, 3, 3, "categorical_crossentropy")
    assert loaded.predict_proba(X).tobytes() == model.predict_proba(X).tobytes()


def test_the_whole_history_is_kept(tmp_path: Path) -> None:
    X, y = datasets.xor()
    model = make_model([2, 2, 1]).fit(X, y, epochs=300, learning_rate=2.0, batch_size=None,
                                      validation_data=(X, y), restarts=3, random_state=0,
                                      verbose=False)
    model.save(tmp_path / "model.npz")
    loaded = load(tmp_path / "model.npz")
    assert loaded.history == model.history
    assert len(loaded.history.val_loss) == len(loaded.history.val_accuracy) == 300


def test_the_file_is_plain_arrays_and_a_json_header(tmp_path: Path) -> None:
    trained_model().save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert sorted(archive.files) == ["W1", "W2", "W3", "b1", "b2", "b3", "header"]
        header = json.loads(archive["header"].tobytes())
    assert header["format_version"] == 3
    assert header["library_version"] == scratchnn.__version__
    assert header["engine"] == "numpy"
    assert header["loss"] == "categorical_crossentropy"
    assert header["dtype"] == "float64"
    assert [layer["activation"] for layer in header["layers"]] == ["tanh", "tanh", "softmax"]
    assert [layer["n_neurons"] for layer in header["layers"]] == [5, 4, 3]
    assert header["optimizer"] == {"name": "sgd", "iterations": 16, "slots": [],
                                   "config": {"learning_rate": 0.1, "momentum": 0.0,
                                              "nesterov": False}}


def test_a_failed_save_leaves_the_old_file_whole(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "model.npz"
    old = trained_model()
    old.save(path)
    old_bytes = path.read_bytes()

    def disk_full(file: Any, *args: Any, **kwargs: Any) -> None:
        file.write(b"PK\x03\x04 half a model")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="No space left"):
        make_model([3, 2, 1]).save(path)
    assert path.read_bytes() == old_bytes
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    trained_model().save(path)
    path.chmod(0o640)
    trained_model().save(path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_custom_activation_cannot_be_saved(tmp_path: Path) -> None:
    from scratchnn import Layer, Perceptron
    from scratchnn.activations import Tanh

    class Scaled(Tanh):
        name = "scaled"

    model = Perceptron([Layer(2, 2, Scaled()), Layer(2, 1, "sigmoid")])
    with pytest.raises(ValueError, match=r"layers\[0\] has a custom activation"):
        model.save(tmp_path / "model.npz")
    assert not list(tmp_path.iterdir())


# -- the loader refuses everything that is not a valid model ---------------------------------

def write_archive(path: Path, **arrays: Any) -> None:
    with path.open("wb") as file:
        np.savez(file, **arrays)


def header_of(model: scratchnn.Perceptron) -> dict[str, Any]:
    from scratchnn.io import _header

    return _header(model.get_spec(), model.engine)


def as_bytes(header: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)


class Exploit:
    """Unpickling this would create a file: loading must never do it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (subprocess.call, (["touch", str(self.marker)],))


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    model = make_model([2, 3, 1])
    good = tmp_path / "good.npz"
    model.save(good)
    data = good.read_bytes()
    weights = dict(zip(["W1", "b1", "W2", "b2"], model.get_weights(), strict=True))
    header = header_of(model)
    files: dict[str, tuple[Path, str]] = {}

    def add(name: str, message: str, content: bytes | None = None, **arrays: Any) -> None:
        path = tmp_path / f"{name}.npz"
        if content is not None:
            path.write_bytes(content)
        else:
            write_archive(path, **arrays)
        files[name] = (path, message)

    add("empty", "it is not an .npz archive", b"")
    add("random bytes", "it is not an .npz archive", bytes(range(256)) * 4)
    add("truncated", "could not be read as a model archive", data[: len(data) // 2])
    add("truncated header", "could not be read as a model archive", data[:40])
    flipped = bytearray(data)
    with zipfile.ZipFile(good) as archive:
        member = archive.getinfo("W1.npy")
    flipped[member.header_offset + len(member.FileHeader()) + member.compress_size - 1] ^= 0x01
    add("flipped byte in W1", "the member W1.npy is damaged", bytes(flipped))
    add("renamed array", "the array W2 is missing", header=as_bytes(header), W1=weights["W1"],
        b1=weights["b1"], V2=weights["W2"], b2=weights["b2"])
    add("missing array", "the array b2 is missing", header=as_bytes(header), W1=weights["W1"],
        b1=weights["b1"], W2=weights["W2"])
    add("extra array", r"unexpected arrays \['extra'\]", header=as_bytes(header),
        extra=np.zeros(1), **weights)
    add("wrong shape", r"the member W1.npy holds float64 of shape \(2, 3\), expected float64 "
                       r"of shape \(3, 2\)",
        header=as_bytes(header), **{**weights, "W1": np.zeros((2, 3))})
    add("wrong dtype", r"the member b1.npy holds float32 of shape \(3, 1\), expected float64",
        header=as_bytes(header), **{**weights, "b1": weights["b1"].astype(np.float32)})
    add("NaN weights", "the array W2 holds NaN", header=as_bytes(header),
        **{**weights, "W2": np.full((1, 3), np.nan)})
    add("unknown version",
        r"unknown format version 99 \(this scratchnn reads versions \[1, 2, 3, 4\]\)",
        header=as_bytes({**header, "format_version": 99}), **weights)
    add("unknown activation", "layer 0 has an unknown activation 'swish'",
        header=as_bytes({**header, "layers": [{**header["layers"][0], "activation": "swish"},
                                               header["layers"][1]]}), **weights)
    add("not a model", "it has no header array", x=np.arange(3))
    add("header not JSON", "its header is not valid JSON",
        header=np.frombuffer(b"{not json", dtype=np.uint8), **weights)
    add("header of another format", "its header does not describe a scratchnn model",
        header=as_bytes({"format": "other"}), **weights)
    add("pickled object array", r"the member W1.npy holds object of shape \(1,\), expected",
        header=as_bytes(header), **{**weights, "W1": np.array([Exploit(tmp_path / "pwned")],
                                                              dtype=object)})
    npy = tmp_path / "array.npy"
    np.save(npy, np.zeros(3))
    files["an .npy file"] = (npy, "it is not an .npz archive")
    return files


def test_every_bad_file_gives_the_documented_value_error(tmp_path: Path) -> None:
    for name, (path, message) in bad_files(tmp_path).items():
        with pytest.raises(ValueError, match=rf"is not a valid scratchnn model: .*({message})"):
            load(path)
            pytest.fail(f"{name} was loaded")
        assert not (tmp_path / "pwned").exists(), name


def test_a_missing_file_is_a_file_not_found_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "absent.npz")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzed_files_only_ever_give_a_value_error(data: st.DataObject, tmp_path_factory: Any
                                                   ) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    path = directory / "model.npz"
    make_model([2, 3, 1]).save(path)
    content = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(content) - 1))
        content[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        content = content[: data.draw(st.integers(0, len(content)))]
    path.write_bytes(bytes(content))
    with contextlib.suppress(ValueError):
        load(path)


def test_load_refuses_an_unknown_engine(tmp_path: Path) -> None:
    make_model([2, 3, 1]).save(tmp_path / "model.npz")
    with pytest.raises(ValueError, match=r"engine must be one of \['numpy', 'tensorflow'\]"):
        load(tmp_path / "model.npz", engine="torch")


def test_a_zip_that_is_not_numpy_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("header.npy", b"not an array")
    (tmp_path / "model.npz").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=r"the member header\.npy is not a \.npy array"):
        load(tmp_path / "model.npz")


def test_cli_saves_and_predicts(tmp_path: Path) -> None:
    path = tmp_path / "xor.npz"
    result = run("train", "--save", str(path))
    assert result.returncode == 0, result.stderr
    assert f"model saved to {path}" in result.stdout
    result = run("predict", str(path), "--input", "0", "1", "--input", "1", "1")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["inputs", "probability", "prediction"]
    assert [row.split()[-1] for row in rows[1:]] == ["1", "0"]
    bad = run("predict", str(path), "--input", "0", "1", "2")
    assert bad.returncode == 2
    assert "--input must have 2 values per sample" in bad.stderr
    (tmp_path / "junk.npz").write_bytes(b"junk")
    junk = run("predict", str(tmp_path / "junk.npz"), "--input", "0", "1")
    assert junk.returncode == 2 and "is not a valid scratchnn model" in junk.stderr


def test_a_save_killed_midway_leaves_no_lasting_temporary(tmp_path: Path) -> None:
    import signal
    import sys
    import time

    # A save killed by SIGKILL while it writes: its temporary stays, then the next save to the
    # folder removes it (its writer is gone), and a live writer's temporary is left alone.
    code = ("import sys, time, numpy as np\nimport scratchnn.io as io\n"
            "io.write_atomically(sys.argv[1], lambda f: (f.write(b'x' * 1000), f.flush(), "
            "print('writing', flush=True), time.sleep(60)))")
    writer = subprocess.Popen([sys.executable, "-c", code, str(tmp_path / "model.npz")],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    live = tmp_path / f".other.npz.{os.getpid()}.abcdefgh.tmp"
    live.write_bytes(b"a save of this process, under way")
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    stale = list(tmp_path.glob(".model.npz.*.tmp"))
    assert len(stale) == 1
    time.sleep(0.01)
    trained_model().save(tmp_path / "model.npz")
    assert not stale[0].exists() and live.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [live.name, "model.npz"])


def test_saving_onto_a_symbolic_link_writes_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    real = tmp_path / "models" / "v1.npz"
    link = tmp_path / "current.npz"
    trained_model().save(real)
    link.symlink_to(real)
    model = trained_model()
    model.fit(*make_data(4, 3, 1, "binary_crossentropy"), epochs=1, learning_rate=0.5,
              verbose=False)
    model.save(link)
    assert link.is_symlink() and link.resolve() == real
    for a, b in zip(load(real).get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
