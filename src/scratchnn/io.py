"""Saving and loading models: a ``.npz`` of plain arrays and a JSON header, never a pickle.

The file holds ``header`` (the JSON text as uint8 bytes: format version, library version,
engine, layers, loss, dtype, history, optimizer settings), the parameters
``W1, b1, W2, b2, ...`` and the optimizer's state ``optimizer.<slot>`` (one flat array per
slot, the parameters in the same order), so that training can continue after loading.  Saving
writes a temporary file in the same folder, flushes it to disk and renames it over the
target, so a crash or a full disk never leaves a half-written model nor harms the old file.
Loading reads with ``allow_pickle=False`` and checks every key, shape and dtype.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .activations import ACTIVATIONS
from .history import History
from .initializers import INITIALIZERS
from .layers import Layer
from .losses import LOSSES
from .optimizers import OPTIMIZERS, Optimizer
from .regularizers import L2
from .schedules import SCHEDULES
from .solvers import LBFGS

if TYPE_CHECKING:
    from .base import BaseModel

__all__ = ["FORMAT_VERSION", "load", "save", "write_atomically"]

FORMAT = "scratchnn-model"
FORMAT_VERSION = 2
#: Version 1 files (before penalties, dropout, schedules and L-BFGS) are read as well.
READABLE_VERSIONS = (1, 2)
SOLVERS: dict[str, type[Optimizer] | type[LBFGS]] = {**OPTIMIZERS, "lbfgs": LBFGS}
ENGINES = ("numpy", "tensorflow")
DTYPES = ("float32", "float64")
ZIP_MAGIC = b"PK\x03\x04"


def _header(model: BaseModel) -> dict[str, Any]:
    from . import __version__

    for index, layer in enumerate(model.layers):
        if ACTIVATIONS.get(layer.activation.name) != layer.activation:
            raise ValueError(
                f"layers[{index}] has a custom activation {layer.activation!r}; only "
                f"{sorted(ACTIVATIONS)} can be saved"
            )
    if type(LOSSES.get(model.loss.name)) is not type(model.loss):
        raise ValueError(f"the loss {model.loss!r} is custom; only {sorted(LOSSES)} can be saved")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "engine": model.engine,
        "layers": [
            {"n_inputs": layer.n_inputs, "n_neurons": layer.n_neurons,
             "activation": layer.activation.name, "init": layer.init,
             "kernel_regularizer": (layer.kernel_regularizer.config()
                                    if layer.kernel_regularizer else None),
             "dropout": layer.dropout}
            for layer in model.layers
        ],
        "loss": model.loss.name,
        "dtype": str(model.dtype),
        "optimizer": _optimizer_header(getattr(model, "optimizer_", None)),
        "history": dataclasses.asdict(model.history),
    }


def _optimizer_header(optimizer: Optimizer | LBFGS | None) -> dict[str, Any] | None:
    if optimizer is None:
        return None
    config = optimizer.config()
    schedule = optimizer.schedule
    if schedule is not None:
        config["learning_rate"] = {"schedule": schedule.name, "config": schedule.config(),
                                   "state": schedule.state()}
    return {"name": optimizer.name, "config": config,
            "iterations": optimizer.iterations, "slots": sorted(optimizer.slots)}


def _build_optimizer(description: dict[str, Any]) -> Optimizer | LBFGS:
    """The optimizer (with its schedule, in its saved state) that a header describes."""
    config = dict(description["config"])
    rate = config.get("learning_rate")
    if isinstance(rate, dict):
        _require(rate.get("schedule") in SCHEDULES and isinstance(rate.get("config"), dict)
                 and isinstance(rate.get("state"), dict),
                 f"its learning-rate schedule is not described properly: {rate!r}")
        schedule = SCHEDULES[rate["schedule"]](**rate["config"])
        schedule.set_state(rate["state"])
        config["learning_rate"] = schedule
    return SOLVERS[description["name"]](**config)


def _parameter_names(n_layers: int) -> list[str]:
    return [f"{kind}{index}" for index in range(1, n_layers + 1) for kind in "Wb"]


def _file_mode(path: Path) -> int:
    """The permissions the file would get if created by ``open``: the old file's, or 0o666
    less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save(model: BaseModel, path: str | os.PathLike[str]) -> None:
    """Write ``model`` to ``path`` atomically (see the module's description)."""
    header = json.dumps(_header(model)).encode()
    arrays: dict[str, Any] = dict(
        zip(_parameter_names(len(model.layers)), model.get_weights(), strict=True)
    )
    optimizer = getattr(model, "optimizer_", None)
    if optimizer is not None:
        arrays |= {f"optimizer.{name}": np.concatenate([a.ravel() for a in slot])
                   for name, slot in optimizer.slots.items()}
    write_atomically(path, lambda file: np.savez(
        file, header=np.frombuffer(header, dtype=np.uint8), **arrays))


#: Our temporary files: ``.<target name>.<writer's process id>.<random>.tmp``.
TEMPORARY = re.compile(r"^\..+\.(\d+)\.[A-Za-z0-9_]{8}\.tmp$")


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove the temporaries of saves whose process died (killed mid-save) from ``folder``;
    those of saves still running are left alone."""
    for candidate in folder.glob(".*.tmp"):
        match = TEMPORARY.match(candidate.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(match.group(1)), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                candidate.unlink()
        except (PermissionError, OverflowError):  # another user's process, or no such id
            continue


def write_atomically(path: str | os.PathLike[str], write: Callable[[IO[bytes]], object]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, flush it to disk and rename it
    over ``path``: a crash or a full disk never leaves a half-written file nor harms the old
    one.  A symbolic link is written through: its target gets the new content.  Temporaries
    that killed saves left in the folder are removed."""
    target = Path(os.path.realpath(path))
    _remove_stale_temporaries(target.parent)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent,
                                             prefix=f".{target.name}.{os.getpid()}.",
                                             suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


class _Invalid(Exception):
    """A reason the file is not a valid model; load turns it into a ValueError."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise _Invalid(message)


def _check_optimizer(description: object) -> None:
    if description is None:
        return
    _require(isinstance(description, dict) and description.get("name") in SOLVERS
             and isinstance(description.get("config"), dict)
             and isinstance(description.get("iterations"), int)
             and isinstance(description.get("slots"), list),
             "its optimizer is not described properly")
    assert isinstance(description, dict)
    try:
        optimizer = _build_optimizer(description)
    except (TypeError, ValueError, KeyError) as error:
        raise _Invalid(f"its optimizer settings are invalid ({error})") from None
    _require(sorted(description["slots"]) == sorted(optimizer.slot_names),
             f"its optimizer lists the slots {description['slots']}, expected "
             f"{sorted(getattr(optimizer, 'slot_names', ()))}")


def _read_header(raw: NDArray[Any]) -> dict[str, Any]:
    _require(raw.dtype == np.uint8 and raw.ndim == 1, "its header is not JSON bytes")
    try:
        header = json.loads(raw.tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _Invalid(f"its header is not valid JSON ({error})") from None
    _require(isinstance(header, dict) and header.get("format") == FORMAT,
             "its header does not describe a scratchnn model")
    version = header.get("format_version")
    _require(version in READABLE_VERSIONS,
             f"unknown format version {version!r} (this scratchnn reads versions "
             f"{list(READABLE_VERSIONS)})")
    _require(header.get("engine") in ENGINES, f"unknown engine {header.get('engine')!r}")
    _require(header.get("loss") in LOSSES, f"unknown loss {header.get('loss')!r}")
    _require(header.get("dtype") in DTYPES, f"unknown dtype {header.get('dtype')!r}")
    layers = header.get("layers")
    _require(isinstance(layers, list) and len(layers) > 0, "its header lists no layers")
    for index, layer in enumerate(layers):
        _require(isinstance(layer, dict), f"layer {index} is not described")
        for key in ("n_inputs", "n_neurons"):
            value = layer.get(key)
            _require(isinstance(value, int) and not isinstance(value, bool) and value > 0,
                     f"layer {index} has an invalid {key} {value!r}")
        _require(layer.get("activation") in ACTIVATIONS,
                 f"layer {index} has an unknown activation {layer.get('activation')!r}")
        _require(layer.get("init") in INITIALIZERS,
                 f"layer {index} has an unknown initialiser {layer.get('init')!r}")
        try:
            Layer(1, 1, "linear", kernel_regularizer=_regularizer(layer),
                  dropout=layer.get("dropout", 0.0))
        except (TypeError, ValueError) as error:
            raise _Invalid(f"layer {index} has invalid settings ({error})") from None
    history = header.get("history")
    values = ("loss", "val_loss", "val_accuracy", "learning_rate")
    if isinstance(history, dict) and version == 1:
        history.setdefault("learning_rate", [])
    _require(isinstance(history, dict)
             and set(history) == {field.name for field in dataclasses.fields(History)}
             and isinstance(history["epoch"], list)
             and all(isinstance(e, int) for e in history["epoch"])
             and all(isinstance(history[name], list)
                     and all(isinstance(v, int | float) for v in history[name])
                     for name in values)
             and len(history["loss"]) == len(history["epoch"])
             and (history["start"] is None or isinstance(history["start"], int)),
             "its history is malformed")
    _check_optimizer(header.get("optimizer"))
    return header


def _regularizer(layer: dict[str, Any]) -> L2 | None:
    description = layer.get("kernel_regularizer")
    if description is None:
        return None
    if not isinstance(description, dict):
        raise _Invalid(f"a kernel_regularizer is not described properly: {description!r}")
    return L2(**description)


def _read(path: Path) -> tuple[dict[str, Any], list[NDArray[np.floating]]]:
    with path.open("rb") as file:
        _require(file.read(4) == ZIP_MAGIC, "it is not an .npz archive")
        file.seek(0)
        return _read_archive(file)


def _read_archive(file: IO[bytes]) -> tuple[dict[str, Any], list[NDArray[np.floating]]]:
    try:
        # NumPy reads only the bytes an array needs, so it would miss a changed byte: check
        # every member's CRC first.
        with zipfile.ZipFile(file) as archive:
            damaged = archive.testzip()
        _require(damaged is None, f"the member {damaged} is damaged (its checksum is wrong)")
        file.seek(0)
        with np.load(file, allow_pickle=False) as archive:
            names = set(archive.files)
            _require("header" in names, "it has no header array")
            header = _read_header(archive["header"])
            layers = header["layers"]
            expected = _parameter_names(len(layers))
            slot_arrays = [f"optimizer.{slot}" for slot in (header["optimizer"] or {}).get(
                "slots", [])]
            for name in expected + slot_arrays:
                _require(name in names, f"the array {name} is missing")
            extra = names - set(expected) - set(slot_arrays) - {"header"}
            _require(not extra, f"it holds unexpected arrays {sorted(extra)}")
            weights = [archive[name] for name in expected]
            slots = {name.removeprefix("optimizer."): archive[name] for name in slot_arrays}
    except _Invalid:
        raise
    except Exception as error:  # a damaged archive can fail in many ways; all mean the same
        raise _Invalid(f"it could not be read as a model archive ({type(error).__name__}: "
                       f"{error})") from None
    for index, layer in enumerate(layers):
        shapes = {"W": (layer["n_neurons"], layer["n_inputs"]), "b": (layer["n_neurons"], 1)}
        for kind, shape in shapes.items():
            array = weights[2 * index + (kind == "b")]
            name = f"{kind}{index + 1}"
            _require(array.shape == shape,
                     f"the array {name} has shape {array.shape}, expected {shape}")
            _require(array.dtype == np.dtype(header["dtype"]),
                     f"the array {name} has dtype {array.dtype}, expected {header['dtype']}")
            _require(bool(np.isfinite(array).all()), f"the array {name} holds NaN or infinity")
    n_parameters = sum(w.size for w in weights)
    for name, array in slots.items():
        _require(array.shape == (n_parameters,) and array.dtype == np.dtype(header["dtype"]),
                 f"the optimizer array {name} has shape {array.shape} and dtype {array.dtype}, "
                 f"expected ({n_parameters},) and {header['dtype']}")
    header["optimizer_slots"] = slots
    return header, weights


def load(path: str | os.PathLike[str], engine: str | None = None) -> BaseModel:
    """Load a model saved by ``model.save(path)``, on either engine.

    Parameters
    ----------
    path : str or path-like
    engine : {"numpy", "tensorflow"} or None
        The engine to load into; default: the one the model was saved from.

    Raises
    ------
    ValueError
        If the file is not a scratchnn model, is damaged or truncated, has an unknown format
        version, or lacks an array or has one of the wrong shape or dtype.
    """
    if engine is not None and engine not in ENGINES:
        raise ValueError(f"engine must be one of {list(ENGINES)} or None, got {engine!r}")
    try:
        header, weights = _read(Path(path))
    except _Invalid as problem:
        raise ValueError(f"{os.fspath(path)!r} is not a valid scratchnn model: {problem}") from None

    from .models import Perceptron

    layers = [
        Layer(spec["n_inputs"], spec["n_neurons"], spec["activation"], init=spec["init"],
              random_state=0, dtype=header["dtype"], kernel_regularizer=_regularizer(spec),
              dropout=spec.get("dropout", 0.0))
        for spec in header["layers"]
    ]
    model: BaseModel = Perceptron(layers, loss=header["loss"])
    model.set_weights(weights)
    model.history = History(**header["history"])
    if header["optimizer"] is not None:
        description = header["optimizer"]
        optimizer = _build_optimizer(description)
        optimizer.set_state({"iterations": description["iterations"],
                             **{k: [v] for k, v in header["optimizer_slots"].items()}})
        model.optimizer_ = optimizer
    if (engine or header["engine"]) == "tensorflow":
        from .tf_engine import TFPerceptron

        model = TFPerceptron.from_perceptron(model)  # type: ignore[arg-type]
    return model
