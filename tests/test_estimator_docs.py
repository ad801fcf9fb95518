"""The estimators' documentation, where users look: ``help()`` lists every parameter."""

from __future__ import annotations

import inspect
import pydoc
import re
from typing import Any

import pytest

pytest.importorskip("sklearn")

from scratchnn.sklearn import MLPClassifier, MLPRegressor

ESTIMATORS = [MLPClassifier, MLPRegressor]


def section(doc: str, title: str) -> list[str]:
    """The names documented in the numpydoc section ``title`` of ``doc``: the lines
    ``name : type`` at the section's indentation (a simple parse, as numpydoc's)."""
    lines = inspect.cleandoc(doc).splitlines()
    start = lines.index(title) + 2
    assert set(lines[start - 1]) == {"-"}, f"{title} is not underlined"
    names = []
    for line in lines[start:]:
        if line and not line[0].isspace():
            if line.startswith("--"):  # the next section's underline: its title was last
                names.pop()
                break
            names.append(re.split(r"\s*:\s*", line, maxsplit=1)[0])
    return names


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_every_parameter_is_documented_in_order(estimator: Any) -> None:
    parameters = list(inspect.signature(estimator.__init__).parameters)[1:]
    assert section(estimator.__doc__, "Parameters") == parameters
    assert section(pydoc.render_doc(estimator, renderer=pydoc.plaintext).replace(
        "\n |  ", "\n"), "Parameters") == parameters


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_the_fitted_attributes_are_documented(estimator: Any) -> None:
    documented = set(section(estimator.__doc__, "Attributes"))
    assert {"coefs_", "intercepts_", "loss_curve_", "n_iter_", "model_"} <= documented
    assert ("classes_" in documented) == (estimator is MLPClassifier)
    for name in ("engine", "dropout", "restarts"):
        assert "scratchnn's" in estimator.__doc__.split(f"\n{name} : ")[1].split("\n")[1]


@pytest.mark.parametrize(("estimator", "method"), [
    (MLPClassifier, "fit"), (MLPClassifier, "partial_fit"), (MLPClassifier, "predict"),
    (MLPClassifier, "predict_proba"), (MLPClassifier, "predict_log_proba"),
    (MLPClassifier, "score"), (MLPRegressor, "fit"), (MLPRegressor, "partial_fit"),
    (MLPRegressor, "predict"), (MLPRegressor, "score")])
def test_each_method_documents_its_parameters_and_return(estimator: Any, method: str) -> None:
    function = inspect.unwrap(getattr(estimator, method))
    doc = inspect.getdoc(function)
    assert doc is not None
    parameters = list(inspect.signature(function).parameters)[1:]
    assert section(doc, "Parameters") == parameters
    assert "Returns\n-------" in doc
