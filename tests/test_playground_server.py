"""The playground's server, through Starlette's test client: the page and its files,
configuration, training frames, bad input refused with a message (the session goes on), two
tabs independent, the download read by ``scratchnn.load``, ``--model``, the code shown ending
at the page's weights and losses (to 1e-9, with Adam, shuffling, Reset, changed settings and an
undone divergence), the course's XOR and an opened model kept on its data, the diagnoses, and
French.  Its door (another host, another page's origin, no token: 403) is in
``test_playground_hostile.py``."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")
from starlette.testclient import TestClient

from scratchnn import Perceptron, datasets, load
from scratchnn.playground import free_port
from scratchnn.playground.server import create_app
from scratchnn.playground.session import Session, check_config

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "the-run's-token"
#: Where the test client says the server is: Host, Origin and port are checked.
SERVER = "127.0.0.1:8123"
WS = f"ws://{SERVER}/ws?token={TOKEN}"


def playground(model_path: Path | None = None) -> TestClient:
    """A test client of the playground (the token ``TOKEN``) at ``SERVER``."""
    return TestClient(create_app(model_path, TOKEN), base_url=f"http://{SERVER}")
TESTIDS = ["play", "pause", "step", "reset", "epoch", "train-loss", "test-loss", "dataset",
           "add-layer", "remove-layer", "boundary", "show-code", "download"]


def receive_until(socket: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """The next message of type ``kind`` (at most ``limit`` messages read)."""
    for _ in range(limit):
        message = socket.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} message in {limit}")


def opened(socket: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    hello = receive_until(socket, "hello")
    return hello, receive_until(socket, "frame")


def test_the_page_and_its_files_are_served_by_the_package() -> None:
    client = playground()
    page = client.get(f"/?token={TOKEN}")
    assert page.status_code == 200
    for testid in TESTIDS:
        assert f'data-testid="{testid}"' in page.text, testid
    assert "http" not in page.text.replace('href="/static', "")  # no CDN: nothing external
    for name in ("playground.js", "playground.css", "words.json"):
        assert client.get(f"/static/{name}").status_code == 200


def test_play_sends_frames_whose_loss_falls_and_pause_stops_them() -> None:
    with playground() as client, client.websocket_connect(WS) as socket:
        hello, first = opened(socket)
        assert hello["config"]["dataset"] == "circles" and first["epoch"] == 0
        socket.send_json({"type": "config", "config": {"dataset": "xor", "hidden": [8, 8],
                                                       "features": ["x1", "x2"]}})
        opened(socket)
        socket.send_json({"type": "play"})
        frames = [receive_until(socket, "frame") for _ in range(8)]
        socket.send_json({"type": "pause"})
        epochs = [frame["epoch"] for frame in frames]
        assert epochs == sorted(epochs) and epochs[-1] > epochs[0] > 0
        assert frames[-1]["test_loss"] < first["test_loss"]
        frame = frames[-1]
        assert len(frame["boundary"]) == frame["resolution"] ** 2
        assert [len(layer) for layer in frame["units"]] == [8, 8]
        assert all(len(unit) == frame["unit_resolution"] ** 2 for unit in frame["units"][0])
        assert np.array(frame["weights"][1]).shape == (8, 8)
        assert frame["epochs_per_second"] > 0


def test_step_trains_one_epoch_and_reset_starts_again() -> None:
    with playground() as client, client.websocket_connect(WS) as socket:
        opened(socket)
        socket.send_json({"type": "step"})
        assert receive_until(socket, "frame")["epoch"] == 1
        socket.send_json({"type": "step"})
        assert receive_until(socket, "frame")["epoch"] == 2
        socket.send_json({"type": "reset"})
        hello, frame = opened(socket)
        assert frame["epoch"] == 0 and hello["config"]["seed"] == 1


BAD_MESSAGES = {
    "out-of-range size": ({"type": "config", "config": {"hidden": [9]}}, "hidden"),
    "too many layers": ({"type": "config", "config": {"hidden": [2] * 7}}, "hidden"),
    "learning rate 0": ({"type": "config", "config": {"learning_rate": 0}}, "learning_rate"),
    "unknown data set": ({"type": "config", "config": {"dataset": "mnist"}}, "dataset"),
    "no feature": ({"type": "config", "config": {"features": []}}, "features"),
    "unknown setting": ({"type": "config", "config": {"epochs": 3}}, "unknown setting"),
    "unknown type": ({"type": "fly"}, "unknown message type"),
    "not an object": ([1, 2], "JSON object"),
    "shuffle not a switch": ({"type": "config", "config": {"shuffle": "yes"}}, "shuffle"),
    "discard not a switch": ({"type": "config", "config": {}, "discard": 1}, "discard"),
}


@pytest.mark.parametrize("name", list(BAD_MESSAGES))
def test_bad_input_is_refused_with_a_message_and_the_server_goes_on(name: str) -> None:
    message, words = BAD_MESSAGES[name]
    with playground() as client, client.websocket_connect(WS) as socket:
        hello, _ = opened(socket)
        socket.send_json(message)
        error = receive_until(socket, "error")
        assert words in error["message"]
        socket.send_text("{not json")
        assert "malformed message" in receive_until(socket, "error")["message"]
        socket.send_json({"type": "step"})  # the session is as it was, and trains
        frame = receive_until(socket, "frame")
        assert frame["epoch"] == 1 and len(frame["units"]) == len(hello["config"]["hidden"])


def test_two_tabs_train_independently_and_each_downloads_its_model(tmp_path: Path) -> None:
    with playground() as client, client.websocket_connect(WS) as first, \
            client.websocket_connect(WS) as second:
        first_hello, _ = opened(first)
        second_hello, _ = opened(second)
        assert first_hello["session"] != second_hello["session"]
        first.send_json({"type": "config", "config": {"hidden": [3]}})
        opened(first)
        for _ in range(3):
            first.send_json({"type": "step"})
            receive_until(first, "frame")
        second.send_json({"type": "step"})
        assert receive_until(second, "frame")["epoch"] == 1
        models = []
        for hello in (first_hello, second_hello):
            response = client.get(f"/model/{hello['session']}?token={TOKEN}")
            assert response.status_code == 200
            path = tmp_path / f"{hello['session']}.npz"
            path.write_bytes(response.content)
            models.append(load(path))
        assert [layer.n_neurons for layer in models[0].layers] == [3, 1]
        assert [layer.n_neurons for layer in models[1].layers] == [4, 2, 1]
        assert len(models[0].history) == 3 and len(models[1].history) == 1
    assert client.get(f"/model/nobody?token={TOKEN}").status_code == 404


def test_a_saved_model_opens_to_continue_training(tmp_path: Path) -> None:
    model = Perceptron.from_sizes([2, 5, 3, 1], "relu", "sigmoid", "binary_crossentropy",
                                  random_state=0)
    model.save(tmp_path / "model.npz")
    with playground(tmp_path / "model.npz") as client, client.websocket_connect(WS) as socket:
        hello, frame = opened(socket)
        assert hello["config"]["hidden"] == [5, 3] and hello["config"]["activation"] == "relu"
        np.testing.assert_allclose(frame["weights"][0], model.layers[0].weights)
    wide = Perceptron.from_sizes([3, 1], "relu", "sigmoid", "binary_crossentropy")
    wide.save(tmp_path / "wide.npz")
    with pytest.raises(ValueError, match="2 inputs"):
        create_app(tmp_path / "wide.npz")


@pytest.mark.slow  # TensorFlow's import
@pytest.mark.tensorflow
def test_a_model_saved_by_the_tensorflow_engine_opens(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    from scratchnn.tf_engine import TFPerceptron

    model = TFPerceptron.from_perceptron(Perceptron.from_sizes(
        [2, 3, 1], "tanh", "sigmoid", "binary_crossentropy", random_state=0))
    model.save(tmp_path / "tf.npz")
    with playground(tmp_path / "tf.npz") as client, client.websocket_connect(WS) as socket:
        hello, frame = opened(socket)
        assert hello["config"]["hidden"] == [3] and hello["config"]["activation"] == "tanh"
        np.testing.assert_allclose(frame["weights"][0], model.get_weights()[0], rtol=1e-6)
        socket.send_json({"type": "step"})
        assert receive_until(socket, "frame")["epoch"] == 1


def test_show_code_gives_python_that_runs_and_learns_the_same_configuration() -> None:
    session = Session()
    session.configure({"dataset": "xor", "hidden": [6, 3], "activation": "relu",
                       "optimizer": "adam", "learning_rate": 0.01, "l2": 0.001,
                       "features": ["x1", "x2", "x1*x2"]})
    session.advance(0.3)
    result = subprocess.run([sys.executable, "-c", session.code()], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.split("test accuracy ")[1].rstrip("%\n"))
    assert accuracy > 90
    assert "Adam(0.01)" in session.code() and "L2(0.001)" in session.code()


def test_the_configuration_is_checked_whole() -> None:
    config = check_config({"hidden": [], "dropout": 0.5})
    assert config["hidden"] == [] and config["dropout"] == 0.5
    session = Session()
    before = dict(session.config)
    with pytest.raises(ValueError, match="noise"):
        session.configure({"hidden": [2], "noise": 80})
    assert session.config == before  # nothing applied


def test_an_epoch_that_diverges_is_undone_and_said() -> None:
    session = Session()
    session.configure({"activation": "linear", "learning_rate": 10, "hidden": [8] * 6,
                       "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2"]})
    before = session.model.get_weights()
    with pytest.raises(ValueError, match=r"diverged in epoch 1.*smaller learning rate than 10"):
        session.step()
    assert session.epoch == 0 and len(session.losses) == 1
    for kept, weights in zip(session.model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(kept, weights)
    json.dumps(session.frame(), allow_nan=False)  # what the page gets is JSON
    session.configure({"learning_rate": 0.001})
    session.step()
    assert session.epoch == 1


def test_frames_keep_coming_while_playing_on_a_2_8_8_1_network() -> None:
    """Frames come while playing, each later in training, small enough to send often.  (How
    many a second is measured, not asserted: a test must not fail on a busy machine.)"""
    with playground() as client, client.websocket_connect(WS) as socket:
        opened(socket)
        socket.send_json({"type": "config", "config": {"hidden": [8, 8]}})
        opened(socket)
        socket.send_json({"type": "play"})
        receive_until(socket, "frame")
        frames = [receive_until(socket, "frame") for _ in range(10)]
        socket.send_json({"type": "pause"})
    epochs = [frame["epoch"] for frame in frames]
    assert epochs == sorted(epochs) and epochs[-1] > epochs[0]
    assert frames[-1]["epochs_per_second"] > 0
    assert len(json.dumps(frames[-1])) < 200_000


# -- the command ---------------------------------------------------------------------------
def started(*options: str) -> tuple[subprocess.Popen[str], str]:
    """``scratchnn playground --no-browser`` with ``options``, and the address it prints."""
    server = subprocess.Popen([sys.executable, "-m", "scratchnn.cli", "playground",
                               "--no-browser", *options], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, server.stdout.readline()


def listening(port: int) -> bool:
    """Whether a server accepts connections on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition: Any, seconds: float = 30) -> None:
    """Poll ``condition()`` until it is true, for at most ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.slow
def test_the_command_serves_on_127_0_0_1_with_a_token_and_stops_cleanly_on_ctrl_c() -> None:
    port = free_port("127.0.0.1")
    server, line = started("--port", str(port))
    with server:
        found = re.search(rf"http://127\.0\.0\.1:{port}/\?token=([\w-]+) ", line)
        assert found and len(found.group(1)) >= 40, line  # secrets.token_urlsafe(32)
        wait_for(lambda: listening(port) or server.poll() is not None)
        assert server.poll() is None
        for token, status in ((found.group(1), 200), ("", 403), (found.group(1)[:-1], 403)):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", f"/?token={token}")
            assert connection.getresponse().status == status
            connection.close()
        server.send_signal(signal.SIGINT)
        _, errors = server.communicate(timeout=30)
    assert server.returncode == 0 and "Traceback" not in errors


@pytest.mark.slow
def test_the_command_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    from tests.test_cli import run

    result = run("playground", "--no-browser", "--model", str(tmp_path / "missing.npz"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    result = run("playground", "--no-browser", "--port", "70000")
    assert result.returncode == 2 and "--port" in result.stderr


def test_without_the_web_stack_the_command_says_what_to_install() -> None:
    from tests.test_cli import run_numpy_only

    code, output = run_numpy_only("playground", "--no-browser")
    assert code == 2 and "pip install 'scratchnn[playground]'" in output


# -- "Show code" reproduces the page -------------------------------------------------------
def run_script(code: str, folder: Path) -> tuple[list[np.ndarray], float, float]:
    """Run the script ``code`` in a new Python; its model's weights and its training and test
    losses."""
    script, weights = folder / "page.py", folder / "weights.npz"
    script.write_text(code)
    runner = (f"import runpy, numpy; scope = runpy.run_path({str(script)!r}); "
              f"numpy.savez({str(weights)!r}, *scope['model'].get_weights()); "
              f"print(repr(scope['train_loss']), repr(scope['test_loss']))")
    result = subprocess.run([sys.executable, "-c", runner], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    train_loss, test_loss = map(float, result.stdout.split()[-2:])
    with np.load(weights) as saved:
        return [saved[f"arr_{i}"] for i in range(len(saved.files))], train_loss, test_loss


def assert_same_as_page(frame: dict[str, Any], code: str, folder: Path) -> None:
    """The script ``code`` ends at the ``frame``'s weights and losses, to 1e-9."""
    weights, train_loss, test_loss = run_script(code, folder)
    page = [np.array(array) for pair in zip(frame["weights"], frame["biases"], strict=True)
            for array in pair]
    assert len(weights) == len(page)
    for theirs, ours in zip(weights, page, strict=True):
        np.testing.assert_allclose(theirs.reshape(ours.shape), ours, rtol=0, atol=1e-9)
    assert abs(train_loss - frame["train_loss"]) < 1e-9
    assert abs(test_loss - frame["test_loss"]) < 1e-9


def steps(socket: Any, count: int) -> dict[str, Any]:
    """Train ``count`` epochs a step at a time; the last frame."""
    for _ in range(count):
        socket.send_json({"type": "step"})
        frame = receive_until(socket, "frame")
    return frame


def test_show_code_ends_at_the_pages_weights_and_losses_with_adam_shuffling_and_reset(
        tmp_path: Path) -> None:
    with playground() as client, client.websocket_connect(WS) as socket:
        opened(socket)
        socket.send_json({"type": "config", "config": {
            "dataset": "xor", "noise": 15, "hidden": [5, 3], "optimizer": "adam",
            "learning_rate": 0.03, "batch_size": 7, "dropout": 0.1}})
        opened(socket)
        steps(socket, 4)
        socket.send_json({"type": "reset"})  # new weights, the same points
        hello, _ = opened(socket)
        steps(socket, 6)
        # Settings changed along the way: Adam's state goes on, at another rate.
        socket.send_json({"type": "config", "config": {"learning_rate": 0.01, "l2": 0.001,
                                                       "batch_size": 10}})
        opened(socket)
        steps(socket, 5)
        socket.send_json({"type": "config", "config": {"optimizer": "sgd", "shuffle": False}})
        opened(socket)
        frame = steps(socket, 3)
        socket.send_json({"type": "code"})
        code = receive_until(socket, "code")["code"]
    assert frame["epoch"] == 14 and hello["config"]["seed"] == 1
    assert "seed=0)" in code and "random_state=1)" in code  # the page's points, new weights
    assert code.count("model.fit(") == 3 and "optimizer.learning_rate = 0.01" in code
    assert_same_as_page(frame, code, tmp_path)


def test_show_code_follows_an_epoch_that_diverged_and_was_undone(tmp_path: Path) -> None:
    session = Session()
    session.configure({"dataset": "gauss", "learning_rate": 0.0001, "activation": "linear",
                       "hidden": [8] * 6,
                       "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2"]})
    for _ in range(3):
        session.step()
    session.configure({"learning_rate": 10})
    with pytest.raises(ValueError, match="diverged in epoch 4"):
        session.step()
    session.configure({"learning_rate": 0.0001})
    for _ in range(2):
        session.step()
    code = session.code()
    assert "diverged on the page" in code and code.count("optimizer = SGD(0.0001)") == 2
    assert_same_as_page(session.frame(), code, tmp_path)


# -- the course's XOR, and an opened model keeps its data ----------------------------------
def test_the_courses_xor_brings_the_courses_network_and_training(tmp_path: Path) -> None:
    with playground() as client, client.websocket_connect(WS) as socket:
        opened(socket)
        socket.send_json({"type": "config", "config": {"dataset": "xor course"}})
        hello, _ = opened(socket)
        config = hello["config"]
        assert (config["hidden"], config["activation"], config["learning_rate"],
                config["batch_size"], config["shuffle"], config["optimizer"]) == (
            [2], "sigmoid", 0.01, 1, False, "sgd")
        assert hello["points"]["train"] == [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]]
        assert hello["points"]["low"] == [-0.5, -0.5]
        frame = steps(socket, 5)
        socket.send_json({"type": "code"})
        code = receive_until(socket, "code")["code"]
    assert "init='normal'" in code and "shuffle=False" in code
    assert_same_as_page(frame, code, tmp_path)


def course_model(path: Path) -> Perceptron:
    """The course's 2-2-1 sigmoid network trained on its XOR table, saved at ``path``."""
    X, y = datasets.xor()
    model = Perceptron.from_sizes([2, 2, 1], "sigmoid", "sigmoid", "binary_crossentropy",
                                  init="normal", random_state=0)
    model.fit(X, y, epochs=3000, learning_rate=2.0, batch_size=None, restarts=10)
    model.save(path)
    return model


def test_the_courses_model_opens_on_its_xor_and_stays_unless_thrown_away_on_purpose(
        tmp_path: Path) -> None:
    model = course_model(tmp_path / "xor.npz")
    with playground(tmp_path / "xor.npz") as client, client.websocket_connect(WS) as socket:
        hello, frame = opened(socket)
        assert hello["config"]["dataset"] == "xor course" and frame["test_loss"] < 0.05
        socket.send_json({"type": "config", "config": {"dataset": "gauss"}})
        hello, frame = opened(socket)  # another data set: the same model, on it
        assert hello["config"]["dataset"] == "gauss"
        np.testing.assert_array_equal(frame["weights"][0], model.layers[0].weights)
        socket.send_json({"type": "config", "config": {"hidden": [3]}})
        question = receive_until(socket, "confirm")  # a new network: asked, not done
        assert "thrown away" in question["message"]
        assert question["config"] == {"hidden": [3]}
        frame = steps(socket, 1)
        assert len(frame["weights"]) == 2 and len(frame["weights"][0]) == 2
        socket.send_json({"type": "code"})
        code = receive_until(socket, "code")["code"]
        assert f"load({str((tmp_path / 'xor.npz').resolve())!r}" in code
        assert_same_as_page(frame, code, tmp_path)
        socket.send_json({"type": "config", "config": {"hidden": [3]}, "discard": True})
        hello, _ = opened(socket)
        assert hello["config"]["hidden"] == [3]


# -- diagnoses and French -----------------------------------------------------------------
def test_frames_carry_the_librarys_diagnoses_in_the_sessions_language() -> None:
    session = Session()
    assert session.frame()["diagnoses"] == []
    session.configure({"dataset": "spirals", "hidden": [8, 8, 8], "activation": "relu",
                       "learning_rate": 0.1, "seed": 1})
    for _ in range(150):
        session.step()
    for lang, words in (("en", "ReLU units are never active"), ("fr", "unités ReLU")):
        session.lang = lang
        texts = {finding["code"]: finding["text"] for finding in session.frame()["diagnoses"]}
        assert words in texts["dead_relu"], texts


def test_a_french_page_gets_french_code_and_messages(tmp_path: Path) -> None:
    with playground() as client, client.websocket_connect(f"{WS}&lang=fr") as socket:
        opened(socket)
        socket.send_json({"type": "config", "config": {"dataset": "xor"}})
        opened(socket)
        frame = steps(socket, 1)
        socket.send_json({"type": "code"})
        code = receive_until(socket, "code")["code"]
        socket.send_json({"type": "config", "config": {
            "learning_rate": 10, "activation": "linear", "hidden": [8] * 6,
            "features": ["x1", "x2", "x1^2", "x2^2", "x1*x2"]}})
        opened(socket)
        socket.send_json({"type": "step"})
        assert "L'entraînement a divergé" in receive_until(socket, "error")["message"]
        socket.send_json({"type": "config", "config": {"l2": 5}})
        assert receive_until(socket, "error")["message"] == (
            "l2 doit être un nombre de 0 à 1 ; reçu : 5")
    assert "# Les données de la page : xor, tirées de la graine 0." in code
    assert "perte de test" in code and "Epoch" not in code
    assert_same_as_page(frame, code, tmp_path)
    with pytest.raises(ValueError, match="lang"):
        Session(lang="de")
    with playground() as client, client.websocket_connect(f"{WS}&lang=de") as socket:
        opened(socket)  # an unknown language: English
        socket.send_json({"type": "config", "config": {"l2": 5}})
        assert receive_until(socket, "error")["message"].startswith("l2 must be a number")
