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
import math
import os
import re
import stat
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
from .language import LocalizedValueError, Phrase
from .layers import Layer
from .losses import LOSSES
from .optimizers import OPTIMIZERS, Optimizer
from .preprocessing import Standardization
from .regularizers import L2
from .schedules import SCHEDULES
from .solvers import LBFGS
from .spec import LayerSpec, NetworkSpec

if TYPE_CHECKING:
    from .base import BaseModel

__all__ = ["FORMAT_VERSION", "load", "save", "write_atomically"]

FORMAT = "scratchnn-model"
FORMAT_VERSION = 4
#: A file is written with the oldest version that describes it: one without batch
#: normalisation as version 3, which older scratchnn reads too.
#: Version 1 files (before penalties, dropout, schedules and L-BFGS), version 2 files
#: (before feature names and a target scale) and version 3 files (before batch normalisation)
#: are read as well.
READABLE_VERSIONS = (1, 2, 3, 4)
HEADER_KEYS = {"format", "format_version", "library_version", "engine", "layers", "loss",
               "dtype", "optimizer", "history", "standardization", "class_labels",
               "feature_names", "target_name", "target_standardization"}
LAYER_KEYS = {"n_inputs", "n_neurons", "activation", "init", "kernel_regularizer", "dropout",
              "batch_norm", "momentum", "epsilon"}
#: A batch-normalised layer's arrays, each (n_neurons, 1), stored as ``gamma1``, ...
BATCH_NORM_ARRAYS = ("gamma", "beta", "moving_mean", "moving_variance")
SOLVERS: dict[str, type[Optimizer] | type[LBFGS]] = {**OPTIMIZERS, "lbfgs": LBFGS}
ENGINES = ("numpy", "tensorflow")
DTYPES = ("float32", "float64")
ZIP_MAGIC = b"PK\x03\x04"


def _header(spec: NetworkSpec, engine: str) -> dict[str, Any]:
    from .version import __version__

    for index, layer in enumerate(spec.layers):
        if ACTIVATIONS.get(layer.activation.name) != layer.activation:
            raise ValueError(
                f"layers[{index}] has a custom activation {layer.activation!r}; only "
                f"{sorted(ACTIVATIONS)} can be saved"
            )
    if type(LOSSES.get(spec.loss.name)) is not type(spec.loss):
        raise ValueError(f"the loss {spec.loss!r} is custom; only {sorted(LOSSES)} can be saved")
    return {
        "format": FORMAT,
        "format_version": (FORMAT_VERSION if any(layer.batch_norm for layer in spec.layers)
                           else 3),
        "library_version": __version__,
        "engine": engine,
        "layers": [
            {"n_inputs": layer.n_inputs, "n_neurons": layer.n_neurons,
             "activation": layer.activation.name, "init": layer.init,
             "kernel_regularizer": (layer.kernel_regularizer.config()
                                    if layer.kernel_regularizer else None),
             "dropout": layer.dropout}
            | ({"batch_norm": True, "momentum": layer.momentum, "epsilon": layer.epsilon}
               if layer.batch_norm else {})
            for layer in spec.layers
        ],
        "loss": spec.loss.name,
        "dtype": str(spec.dtype),
        "optimizer": _optimizer_header(spec.optimizer),
        "history": dataclasses.asdict(spec.history),
        "standardization": spec.standardization is not None,
        "class_labels": _class_labels(spec.class_labels),
        "feature_names": spec.feature_names,
        "target_name": spec.target_name,
        "target_standardization": spec.target_standardization is not None,
    }


def _class_labels(labels: list[Any] | None) -> list[Any] | None:
    """The class labels as JSON holds them: strings, integers or floats."""
    if labels is None:
        return None
    plain = [label.item() if isinstance(label, np.generic) else label for label in labels]
    for label in plain:
        if not _is_label(label):
            raise ValueError(f"class labels must be strings or numbers to be saved, got "
                             f"{label!r}")
    return plain


def _is_label(value: object) -> bool:
    """Whether ``value`` is a class label a file can hold: a string or a number."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


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
    """Write ``model`` (its description, ``model.get_spec()``) to ``path`` atomically (see the
    module's description)."""
    spec = model.get_spec()
    header = json.dumps(_header(spec, model.engine)).encode()
    arrays: dict[str, Any] = dict(zip(_parameter_names(len(spec.layers)), spec.weights(),
                                      strict=True))
    arrays |= {f"{name}{index}": array
               for index, layer in enumerate(spec.layers, start=1)
               for name, array in zip(BATCH_NORM_ARRAYS, layer.normalization() or (),
                                      strict=False)}
    if spec.optimizer is not None:
        arrays |= {f"optimizer.{name}": np.concatenate([a.ravel() for a in slot])
                   for name, slot in spec.optimizer.slots.items()}
    if spec.standardization is not None:
        arrays |= {"input.mean": spec.standardization.mean,
                   "input.scale": spec.standardization.scale}
    if spec.target_standardization is not None:
        arrays |= {"target.mean": spec.target_standardization.mean,
                   "target.scale": spec.target_standardization.scale}
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


def _require(condition: bool, message: str | Phrase) -> None:
    if not condition:
        raise _Invalid(message)


def _check_optimizer(description: object) -> None:
    if description is None:
        return
    _require(isinstance(description, dict) and description.get("name") in SOLVERS
             and set(description) == {"name", "config", "iterations", "slots"}
             and isinstance(description.get("config"), dict)
             and isinstance(description.get("slots"), list),
             "its optimizer is not described properly")
    assert isinstance(description, dict)
    iterations = description["iterations"]
    _require(isinstance(iterations, int) and not isinstance(iterations, bool)
             and 0 <= iterations <= MAX_ITERATIONS,
             f"its optimizer's iterations must be an integer from 0 to {MAX_ITERATIONS}, got "
             f"{iterations!r}")
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
        raise _Invalid(Phrase("model_header_json", error=error)) from None
    _require(isinstance(header, dict) and header.get("format") == FORMAT,
             Phrase("model_header_foreign"))
    unknown = set(header) - HEADER_KEYS
    _require(not unknown, f"its header has unknown keys {sorted(unknown)}")
    version = header.get("format_version")
    _require(version in READABLE_VERSIONS,
             Phrase("model_version", version=version, versions=list(READABLE_VERSIONS)))
    _require(header.get("engine") in ENGINES, f"unknown engine {header.get('engine')!r}")
    _require(header.get("loss") in LOSSES, f"unknown loss {header.get('loss')!r}")
    _require(header.get("dtype") in DTYPES, f"unknown dtype {header.get('dtype')!r}")
    layers = header.get("layers")
    _require(isinstance(layers, list) and len(layers) > 0, "its header lists no layers")
    for index, layer in enumerate(layers):
        _require(isinstance(layer, dict), f"layer {index} is not described")
        unknown = set(layer) - LAYER_KEYS
        _require(not unknown, f"layer {index} has unknown keys {sorted(unknown)}")
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
                  dropout=layer.get("dropout", 0.0), batch_norm=layer.get("batch_norm", False),
                  **_batch_norm_settings(layer))
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
                     and all(isinstance(v, int | float) and not isinstance(v, bool)
                             and math.isfinite(v) for v in history[name])
                     for name in values)
             and len(history["loss"]) == len(history["epoch"])
             and (history["start"] is None or isinstance(history["start"], int)),
             "its history is malformed")
    _check_optimizer(header.get("optimizer"))
    _require(isinstance(header.get("standardization", False), bool),
             "its standardization flag is not true or false")
    labels = header.get("class_labels")
    _require(labels is None or (isinstance(labels, list) and all(_is_label(label)
                                                                  for label in labels)),
             "its class labels are malformed")
    n_classes = max(2, layers[-1]["n_neurons"])
    _require(labels is None or len(labels) == n_classes,
             f"it names {len(labels or [])} classes for {n_classes} (its outputs)")
    names = header.get("feature_names")
    n_inputs = layers[0]["n_inputs"]
    _require(names is None or (isinstance(names, list) and len(names) == n_inputs
                               and all(isinstance(name, str) for name in names)
                               and len(set(names)) == n_inputs),
             f"its feature names must be null or {n_inputs} distinct strings (its inputs)")
    _require(header.get("target_name") is None or isinstance(header["target_name"], str),
             "its target name must be null or a string")
    _require(isinstance(header.get("target_standardization", False), bool),
             "its target_standardization flag is not true or false")
    return header


def _batch_norm_settings(layer: dict[str, Any]) -> dict[str, Any]:
    """A layer's ``momentum`` and ``epsilon``, as far as its description gives them."""
    return {key: layer[key] for key in ("momentum", "epsilon") if key in layer}


def _regularizer(layer: dict[str, Any]) -> L2 | None:
    description = layer.get("kernel_regularizer")
    if description is None:
        return None
    if not isinstance(description, dict):
        raise _Invalid(f"a kernel_regularizer is not described properly: {description!r}")
    return L2(**description)


#: What ``stat`` calls the files that are not regular ones: each would block or mislead.
NOT_REGULAR = ((stat.S_ISDIR, Phrase("kind_folder")), (stat.S_ISFIFO, Phrase("kind_fifo")),
               (stat.S_ISCHR, Phrase("kind_device")), (stat.S_ISBLK, Phrase("kind_device")),
               (stat.S_ISSOCK, Phrase("kind_socket")))


def _read(path: Path) -> tuple[dict[str, Any], list[NDArray[np.floating]]]:
    """Open ``path`` without blocking (a FIFO would wait for a writer forever) and read it
    only if it is a regular file, its size bounding what its members may inflate to."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    status = os.fstat(descriptor)
    for test, kind in NOT_REGULAR:
        if test(status.st_mode):
            os.close(descriptor)
            raise _Invalid(Phrase("model_not_file", kind=kind))
    with os.fdopen(descriptor, "rb") as file:
        _require(file.read(4) == ZIP_MAGIC, Phrase("model_not_npz"))
        file.seek(0)
        return _read_archive(file, status.st_size)


#: The largest JSON header read (a model's is a few kilobytes, its history included).
MAX_HEADER_BYTES = 16 << 20
#: Room for a member's ``.npy`` header, beside its data.
NPY_HEADER_BYTES = 1 << 16
#: The largest number of optimizer iterations read from a file.
MAX_ITERATIONS = 10**12
#: How many times its size a file's members may declare: a model's arrays are stored as they
#: are, and even deflated a trained network's weights shrink by a few percent, so more than
#: this is a crafted archive (deflated zeros) that would cost memory and time for nothing.
MAX_COMPRESSION = 32
#: What a file of any size may declare (a small model's arrays, however compressed).
MIN_DECLARED_BYTES = 16 << 20


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo,
                 shape: tuple[int, ...] | None, dtype: np.dtype[Any],
                 max_bytes: int) -> NDArray[Any]:
    """One ``.npy`` member, read only after its declared size and its ``.npy`` header match
    what is expected (``shape`` None: any 1-D length within ``max_bytes``); its checksum is
    checked as it is read to the end."""
    name = info.filename
    _require(info.file_size <= max_bytes + NPY_HEADER_BYTES,
             f"the member {name} declares {info.file_size} bytes, more than its array needs")
    try:
        with archive.open(info) as stream:
            try:
                version = np.lib.format.read_magic(stream)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                found_shape, fortran, found_dtype = read_header(
                    stream, max_header_size=NPY_HEADER_BYTES)
            except ValueError as error:
                raise _Invalid(f"the member {name} is not a .npy array ({error})") from None
            expected = found_shape if shape is None and len(found_shape) == 1 else shape
            _require(found_shape == expected and found_dtype == dtype,
                     f"the member {name} holds {found_dtype} of shape {found_shape}, expected "
                     f"{dtype} of shape {expected}")
            count = int(np.prod(found_shape, dtype=np.int64))
            _require(count * dtype.itemsize <= max_bytes,
                     f"the member {name} holds more than {max_bytes} bytes")
            flat = np.empty(count, dtype)
            _require(_read_into(stream, flat.data.cast("B")) and stream.read(1) == b"",
                     Phrase("model_member_truncated", name=name))
    except zipfile.BadZipFile:  # read to its end, the member's checksum is checked
        raise _Invalid(Phrase("model_member_damaged", name=name)) from None
    return flat.reshape(found_shape, order="F" if fortran else "C")


#: Bytes read at a time into an array: the array is the only copy of its data in memory.
READ_CHUNK = 1 << 20


def _read_into(stream: IO[bytes], target: memoryview) -> bool:
    """Fill ``target`` from ``stream`` a chunk at a time; whether the stream held enough."""
    filled = 0
    while filled < len(target):
        data = stream.read(min(READ_CHUNK, len(target) - filled))
        if not data:
            return False
        target[filled:filled + len(data)] = data
        filled += len(data)
    return True


def _read_archive(file: IO[bytes], size: int) -> tuple[dict[str, Any],
                                                     list[NDArray[np.floating]]]:
    """Every member checked against the header before it is read, and the members' declared
    sizes against the file's ``size``: memory and time are bounded by the model the header
    describes and by the file itself."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            declared = sum(info.file_size for info in infos)
            _require(declared <= max(MAX_COMPRESSION * size, MIN_DECLARED_BYTES),
                     f"its members declare {declared / 1e6:,.1f} MB in a file of "
                     f"{size / 1e6:,.2f} MB, more than {MAX_COMPRESSION} times its size: "
                     f"no model's arrays compress so much")
            names = [info.filename for info in infos]
            _require(len(names) == len(set(names)), "it holds the same member twice")
            for name in names:
                _require(name.endswith(".npy"), Phrase("model_member_not_npy", name=name))
            members = {info.filename.removesuffix(".npy"): info for info in infos}
            _require("header" in members, Phrase("model_no_header"))
            header = _read_header(_read_member(archive, members["header"], None,
                                               np.dtype(np.uint8), MAX_HEADER_BYTES))
            layers = header["layers"]
            dtype = np.dtype(header["dtype"])
            shapes: dict[str, tuple[int, ...]] = {
                f"{kind}{index + 1}": shape for index, layer in enumerate(layers)
                for kind, shape in (("W", (layer["n_neurons"], layer["n_inputs"])),
                                    ("b", (layer["n_neurons"], 1)))}
            normalized = {f"{name}{index + 1}": (layer["n_neurons"], 1)
                          for index, layer in enumerate(layers) if layer.get("batch_norm")
                          for name in BATCH_NORM_ARRAYS}
            # the optimizer's slots cover the trainable arrays: W, b, and gamma and beta
            n_parameters = sum(int(np.prod(shape)) for shape in shapes.values()) + sum(
                int(np.prod(shape)) for name, shape in normalized.items()
                if name.startswith(("gamma", "beta")))
            shapes |= normalized
            slot_names = [f"optimizer.{slot}" for slot in (header["optimizer"] or {}).get(
                "slots", [])]
            shapes |= {name: (n_parameters,) for name in slot_names}
            inputs = ["input.mean", "input.scale"] if header.get("standardization") else []
            shapes |= {name: (layers[0]["n_inputs"],) for name in inputs}
            targets = (["target.mean", "target.scale"] if header.get("target_standardization")
                       else [])
            shapes |= {name: (layers[-1]["n_neurons"],) for name in targets}
            inputs += targets  # float64, as the inputs' standardisation
            for name in shapes:
                _require(name in members, Phrase("model_array_missing", name=name))
            extra = set(members) - set(shapes) - {"header"}
            _require(not extra, Phrase("model_extra_arrays", names=sorted(extra)))
            arrays = {name: _read_member(archive, members[name], shape,
                                         np.dtype(np.float64) if name in inputs else dtype,
                                         int(np.prod(shape)) * 8)
                      for name, shape in shapes.items()}
    except _Invalid:
        raise
    except Exception as error:  # a damaged archive can fail in many ways; all mean the same
        raise _Invalid(Phrase("model_unreadable", kind=type(error).__name__, error=error)
                       ) from None
    for name, array in arrays.items():
        _require(bool(np.isfinite(array).all()), Phrase("model_not_finite", name=name))
        if name.startswith("moving_variance"):
            _require(bool((array >= 0).all()), Phrase("model_negative", name=name))
    header["batch_norm_arrays"] = {name: arrays[name] for name in normalized}
    slots = {name.removeprefix("optimizer."): arrays[name] for name in slot_names}
    if "v" in slots:
        _require(bool((slots["v"] >= 0).all()), "the optimizer array v (a second moment) holds "
                                                "negative values")
    header["optimizer_slots"] = slots
    for kind in ("input", "target"):
        if f"{kind}.scale" in arrays:
            _require(bool((arrays[f"{kind}.scale"] > 0).all()),
                     f"the array {kind}.scale holds values that are not positive")
            header[f"{kind}_arrays"] = (arrays[f"{kind}.mean"], arrays[f"{kind}.scale"])
    return header, [arrays[name] for name in _parameter_names(len(layers))]


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
        raise LocalizedValueError("model_invalid", path=os.fspath(path), problem=problem
                                  ) from None

    normalization = header["batch_norm_arrays"]
    layers = [
        LayerSpec(ACTIVATIONS[layer["activation"]], layer["init"],
                  weights[2 * index], weights[2 * index + 1], _regularizer(layer),
                  layer.get("dropout", 0.0), layer.get("batch_norm", False),
                  *(normalization.get(f"{name}{index + 1}") for name in BATCH_NORM_ARRAYS),
                  **_batch_norm_settings(layer))
        for index, layer in enumerate(header["layers"])
    ]
    optimizer = None
    if header["optimizer"] is not None:
        description = header["optimizer"]
        optimizer = _build_optimizer(description)
        optimizer.set_state({"iterations": description["iterations"],
                             **{k: [v] for k, v in header["optimizer_slots"].items()}})
    spec = NetworkSpec(
        layers, LOSSES[header["loss"]],
        Standardization(*header["input_arrays"]) if "input_arrays" in header else None,
        header.get("class_labels"), header.get("feature_names"), header.get("target_name"),
        History(**header["history"]), optimizer,
        Standardization(*header["target_arrays"]) if "target_arrays" in header else None)
    return spec.build(engine or header["engine"], adopt=True)
