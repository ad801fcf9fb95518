"""The playground in a real browser: Debian's Chromium, headless, driven by Playwright (no
browser is downloaded).  ``scratchnn playground --no-browser`` serves the page; the test
loads it, plays, watches the epoch, the curves and the test loss move on XOR and on circles,
changes the data set and the layers, sees a refused setting's message, downloads the model
and loads it with ``scratchnn.load``, and takes a screenshot; the loss chart has its axes and
legend, a run with dead ReLU units gets the diagnosis on the page, and ``?lang=fr`` (or a
French browser) gives the page and its code in French.  The page opens at the address the
command prints, with its token; without it, or from another site's page, nothing works."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
playwright = pytest.importorskip("playwright.sync_api")

from scratchnn import load  # noqa: E402
from tests.test_playground_server import listening, wait_for  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
#: Where the screenshot goes (the README's picture is drawn the same way).
SCREENSHOT = os.environ.get("SCRATCHNN_SCREENSHOT")
#: Without Chromium's own check of pages reaching this machine (other browsers have none),
#: so that the playground's refusal of another site's page is what is tested.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-features=LocalNetworkAccessChecks"]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="no Chromium at /usr/bin/chromium: this test needs Debian's chromium package "
           "(apt-get install -y chromium; .ci/run installs it when missing)")]


@pytest.fixture(scope="module")
def address() -> Iterator[str]:
    """The address of ``scratchnn playground --no-browser``, stopped after the tests."""
    with subprocess.Popen([sys.executable, "-m", "scratchnn.cli", "playground", "--no-browser"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as server:
        try:
            assert server.stdout is not None and server.stderr is not None
            line = server.stdout.readline()  # the first line says where
            found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=[\w-]+", line)
            assert found, (line, server.stderr.read() if server.poll() is not None else "")
            port = int(found.group(1))
            wait_for(lambda: listening(port))
            yield found.group(0)
        finally:
            server.terminate()
            server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=FLAGS)
        yield chromium
        chromium.close()


def number(page: Any, testid: str) -> float:
    return float(page.get_by_test_id(testid).text_content())


def train_and_watch(page: Any, epochs: int) -> tuple[float, float, str, str]:
    """Play until the epoch counter passes ``epochs``; the test loss and the loss curve's
    picture before and after."""
    wait_for(lambda: page.get_by_test_id("epoch").text_content() == "0")
    wait_for(lambda: page.get_by_test_id("test-loss").text_content() not in ("", "–"))
    before = number(page, "test-loss")
    curve_before = page.locator("#loss-curve").inner_html()
    page.get_by_test_id("play").click()
    wait_for(lambda: number(page, "epoch") > epochs)
    page.get_by_test_id("pause").click()
    page.wait_for_timeout(300)
    after = number(page, "test-loss")
    curve_after = page.locator("#loss-curve").inner_html()
    return before, after, curve_before, curve_after


def test_the_page_trains_on_xor_and_circles_and_its_model_loads(
        address: str, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(address, timeout=30_000)
    page.wait_for_selector("body[data-session]", timeout=30_000)  # connected

    page.get_by_test_id("dataset").select_option("xor")
    page.get_by_test_id("add-layer").click()
    wait_for(lambda: page.locator("#layer-count").text_content() == "3 hidden layers")
    page.get_by_test_id("remove-layer").click()
    wait_for(lambda: page.locator("#layer-count").text_content() == "2 hidden layers")
    page.get_by_test_id("add-neuron-0").click()
    page.get_by_test_id("add-neuron-1").click()
    wait_for(lambda: page.locator("#columns .column").nth(1).locator(".unit").count() == 5)
    before, after, curve_before, curve_after = train_and_watch(page, 100)
    assert after < 0.5 * before, (before, after)
    assert curve_after != curve_before
    assert_the_chart_has_axes_and_a_legend(page, ("epoch", "loss"), ("training", "test"))
    epoch = number(page, "epoch")
    page.wait_for_timeout(500)
    assert number(page, "epoch") == epoch  # paused

    page.get_by_test_id("dataset").select_option("circles")
    before, after, _, _ = train_and_watch(page, 100)
    assert after < 0.5 * before, (before, after)
    assert page.locator("#links line").count() == 2 * 5 + 5 * 3 + 3
    page.screenshot(path=str(SCREENSHOT or tmp_path / "playground.png"))

    epoch = number(page, "epoch")
    page.get_by_test_id("step").click()
    wait_for(lambda: number(page, "epoch") == epoch + 1)

    page.fill("#l2", "5")  # the server refuses it and says why
    page.locator("#l2").dispatch_event("change")
    wait_for(lambda: page.get_by_test_id("error").is_visible())
    assert "l2" in page.get_by_test_id("error").text_content()

    page.get_by_test_id("show-code").click()
    wait_for(lambda: page.get_by_test_id("code").is_visible())
    assert "Perceptron.from_sizes([2, 5, 3, 1]" in page.get_by_test_id("code").text_content()

    with page.expect_download(timeout=30_000) as download:
        page.get_by_test_id("download").click()
    path = tmp_path / "model.npz"
    download.value.save_as(path)
    model = load(path)
    assert [layer.n_neurons for layer in model.layers] == [5, 3, 1]
    assert len(model.history) >= 100

    assert not errors, errors
    page.close()


#: What another site's page tries: the playground's socket, even with the token.
ATTACK = """async (address) => {
  const url = new URL(address);
  const socket = new WebSocket(`ws://${url.host}/ws${url.search}`);
  return await new Promise((resolve) => {
    socket.onmessage = (event) => resolve("answered: " + event.data.slice(0, 40));
    socket.onclose = () => resolve("refused");
  });
}"""


def test_without_the_token_or_from_another_site_nothing_works(address: str,
                                                              browser: Any) -> None:
    page = browser.new_page()
    bare = address.split("?")[0]
    port = int(bare.rsplit(":", 1)[1].rstrip("/"))
    assert page.goto(bare, timeout=30_000).status == 403
    for site in ("http://attacker.example/", f"http://localhost:{port + 1}/"):
        page.route(site, lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>another site</title>"))
        page.goto(site, timeout=30_000)
        assert page.evaluate(ATTACK, address) == "refused", site
    page.goto(address, timeout=30_000)  # the playground's own page, with the token
    assert page.evaluate(ATTACK, address).startswith("answered")
    page.close()


def assert_the_chart_has_axes_and_a_legend(page: Any, axes: tuple[str, str],
                                           legend: tuple[str, str]) -> None:
    """The loss chart names its axes ``axes``, has ticks with numbers on both, and draws two
    curves in two colours that its legend names ``legend``."""
    chart = page.get_by_test_id("loss-curve")
    assert [chart.locator(f".axis-name.{axis}").text_content() for axis in "xy"] == list(axes)
    for axis in "xy":
        labels = chart.locator(f".tick-label.{axis}").all_text_contents()
        assert len(labels) >= 2 and all(re.fullmatch(r"[\d.]+", label) for label in labels)
    colour = "(element) => getComputedStyle(element).{}"
    curves = [chart.locator(f".curve.{name}") for name in ("train", "test")]
    strokes = [curve.evaluate(colour.format("stroke")) for curve in curves]
    assert strokes[0] != strokes[1] and all(curve.get_attribute("points") for curve in curves)
    keys = page.get_by_test_id("loss-legend").locator(".key")
    assert [key.evaluate(colour.format("backgroundColor")) for key in keys.all()] == strokes
    assert page.get_by_test_id("loss-legend").text_content().split() == list(legend)


#: Three layers of 8 ReLU units at SGD 0.1 on spirals: units die on the way.
DEAD_UNITS = ("configure({dataset: 'spirals', hidden: [8, 8, 8], activation: 'relu', "
              "learning_rate: 0.1, seed: 1})")


def test_the_page_shows_the_diagnosis_of_dead_units(address: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    page.goto(address, timeout=30_000)
    page.wait_for_selector("body[data-session]", timeout=30_000)
    assert page.get_by_test_id("diagnoses").is_hidden()
    page.evaluate(DEAD_UNITS)  # the page's own function, as its controls call it
    wait_for(lambda: page.locator("#layer-count").text_content() == "3 hidden layers")
    page.get_by_test_id("play").click()
    dead = page.get_by_test_id("diagnoses").locator("li[data-code=dead_relu]")
    wait_for(lambda: dead.count() > 0, seconds=60)
    page.get_by_test_id("pause").click()
    assert "ReLU units are never active" in dead.first.text_content()
    page.close()


#: English words that must not be left on the French page.
ENGLISH = re.compile(r"\b(Play|Reset|Step|Epoch|Learning|Optimizer|Data set|Training|Noise|"
                     r"Batch|hidden|neurons?|Features|Output|Test loss|Show code|Download|"
                     r"training|epoch|loss)\b")


def test_the_page_and_its_code_speak_french(address: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="en-US")
    page.goto(f"{address}&lang=fr", timeout=30_000)
    page.wait_for_selector("body[data-session]", timeout=30_000)
    wait_for(lambda: page.get_by_test_id("test-loss").text_content() not in ("", "–"))
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert page.get_by_test_id("play").text_content() == "▶ Lancer"
    page.get_by_test_id("step").click()
    wait_for(lambda: number(page, "epoch") == 1)
    text = page.locator("body").inner_text()
    assert not ENGLISH.search(text), ENGLISH.search(text)
    # A space before every colon, one that never breaks the line.
    assert "Bruit\u00a0:" in text and not re.search(r"[^\u00a0]:", text)
    assert_the_chart_has_axes_and_a_legend(page, ("époque", "perte"), ("entraînement", "test"))
    titles = page.locator("[title]").evaluate_all("elements => elements.map(e => e.title)")
    assert not any(ENGLISH.search(title) for title in titles), titles
    page.fill("#l2", "5")  # the server refuses it, in French
    page.locator("#l2").dispatch_event("change")
    wait_for(lambda: page.get_by_test_id("error").is_visible())
    assert page.get_by_test_id("error").text_content() == (
        "l2 doit être un nombre de 0 à 1\u00a0; reçu\u00a0: 5")
    page.get_by_test_id("show-code").click()
    wait_for(lambda: page.get_by_test_id("code").is_visible())
    code = page.get_by_test_id("code").text_content()
    assert "# Les données de la page : circles" in code and "# Époques 1 à 1" in code
    page.close()
    french = browser.new_page(locale="fr-FR")  # the browser's language, without ?lang=
    french.goto(address, timeout=30_000)
    french.wait_for_selector("body[data-session]", timeout=30_000)
    assert french.get_by_test_id("play").text_content() == "▶ Lancer"
    french.close()
