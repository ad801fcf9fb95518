""""Show code": the scratchnn script that builds a session's network on its data and trains it
as the page did, stretch by stretch, so that it ends at the page's weights and losses.

One ``fit`` per stretch of epochs trained with the same settings, all drawing from one
generator seeded as the page's: a fit shuffles its points each epoch, starting from their
order in the data set, which is what the session does within a stretch.  The optimizer is
one object kept from stretch to stretch (Adam's moments too) unless the page started it
afresh.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from .words import word

if TYPE_CHECKING:
    from .session import Session

__all__ = ["write_code"]

OPTIMIZERS = {"sgd": "SGD", "adam": "Adam"}
WIDTH = 99


def _comment(text: str) -> list[str]:
    """``text`` as comment lines."""
    return textwrap.wrap(text, WIDTH, initial_indent="# ", subsequent_indent="# ")


def _settings_lines(settings: dict[str, Any]) -> list[str]:
    """The lines that give every layer the penalty and the hidden layers the dropout."""
    penalty = f"L2({settings['l2']!r})" if settings["l2"] else "None"
    return ["for layer in model.layers:",
            f"    layer.kernel_regularizer = {penalty}",
            "for layer in model.layers[:-1]:",
            f"    layer.dropout = {settings['dropout']!r}"]


def _training_lines(session: Session, lang: str) -> list[str]:
    """Each stretch trained: its settings where they changed, and its fit."""
    lines = [*_comment(word(lang, "code_training")),
             f"rng = np.random.default_rng({session.config['seed']!r})"]
    previous: dict[str, Any] | None = None
    first = 1
    for stretch in session.stretches:
        if not stretch.epochs:
            continue
        settings = stretch.settings
        last = first + stretch.epochs - 1
        lines.append(f"# {word(lang, 'code_stretch', first=first, last=last)}")
        changed = previous is None or any(settings[key] != previous[key]
                                          for key in ("l2", "dropout"))
        if changed and (session.opened is not None or previous is not None
                        or settings["l2"] or settings["dropout"]):
            lines += _settings_lines(settings)
        kind = OPTIMIZERS[settings["optimizer"]]
        if stretch.undone:
            lines += _comment(f"({word(lang, 'code_fresh')})")
        if stretch.fresh:
            lines.append(f"optimizer = {kind}({settings['learning_rate']!r})")
        elif previous is not None and settings["learning_rate"] != previous["learning_rate"]:
            lines.append(f"optimizer.learning_rate = {settings['learning_rate']!r}")
        lines += [f"model.fit(X_train, y_train, epochs={stretch.epochs}, "
                  f"batch_size={settings['batch_size']}, optimizer=optimizer,",
                  f"          shuffle={settings['shuffle']}, random_state=rng, verbose=0)"]
        previous, first = settings, last + 1
    return lines


def write_code(session: Session, lang: str = "en") -> str:
    """The script of ``session``, its comments and what it prints in ``lang``."""
    c = session.config
    used = {OPTIMIZERS[stretch.settings["optimizer"]] for stretch in session.stretches
            if stretch.epochs}
    if any(stretch.settings["l2"] for stretch in session.stretches if stretch.epochs):
        used.add("L2")
    used.add("load" if session.opened is not None else "Perceptron")
    title = textwrap.fill(word(lang, "code_title", epoch=session.epoch), WIDTH - 3)
    lines = [f'"""{title}"""',
             "import numpy as np", "",
             f"from scratchnn import {', '.join(sorted(used, key=str.lower))}",
             "from scratchnn.playground.data import dataset, features", "",
             *_comment(word(lang, "code_data", dataset=c["dataset"], seed=session.data_seed)),
             "train_points, y_train, test_points, y_test = dataset(",
             f"    {c['dataset']!r}, noise={c['noise'] / 100!r}, "
             f"train_ratio={c['train_ratio'] / 100!r}, seed={session.data_seed!r})",
             f"X_train = features(train_points, {c['features']!r})",
             f"X_test = features(test_points, {c['features']!r})", ""]
    if session.opened is not None:
        lines += [*_comment(word(lang, "code_loaded")),
                  f"model = load({str(session.source or 'model.npz')!r}, engine='numpy')"]
    else:
        sizes = [len(c["features"]), *c["hidden"], 1]
        init = f"init={session.init!r}, " if session.init else ""
        lines += [*_comment(word(lang, "code_network", seed=c["seed"])),
                  f"model = Perceptron.from_sizes({sizes!r}, {c['activation']!r}, 'sigmoid', "
                  f"'binary_crossentropy',",
                  f"                              {init}random_state={c['seed']!r})"]
    lines += ["", *_training_lines(session, lang), "",
              "train_loss = model.evaluate(X_train, y_train)[0]",
              "test_loss = model.evaluate(X_test, y_test)[0]",
              "accuracy = model.score(X_test, y_test)"]
    result = word(lang, "code_result", epoch=session.epoch, train="{train_loss:.6f}",
                  test="{test_loss:.6f}", accuracy="{accuracy:.1%}")
    lines.append(f"print(f{result!r})")
    return "\n".join(lines) + "\n"
