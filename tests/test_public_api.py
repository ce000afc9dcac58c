"""The public API's habits: numpydoc Parameters/Returns on every ``qb.*`` function, keyword-only options.

For every function in ``quality_balance.__all__`` (and the main methods of the public
classes), the docstring has ``Parameters`` and ``Returns`` sections (numpydoc headings:
the name, then a line of as many ``-``), every parameter of the signature is named in
``Parameters``, and every parameter with a default is keyword-only, unless
:data:`POSITIONAL` names it with the reason. The docstring says which: the entry of a
keyword-only parameter reads "keyword-only", that of an allowed positional one
"positional".
"""
from __future__ import annotations

import inspect
import re

import pytest

import quality_balance as qb

#: Parameters with a default that stay positional, and why: data arguments, and the selection of
#: functions whose main use is a selection (the one thing a call names).
POSITIONAL = {
    ("gini", "weights"): "data: the second data array, as in weighted_cv(values, weights)",
    ("theil", "weights"): "data: the second data array, as in weighted_cv(values, weights)",
    ("load_profile", "profile"): "selection: the profile to load, load_profile('桓台县')",
    ("plan_status", "plans"): "selection: the plans to judge, plan_status(a, '濮阳市')",
    ("plan_actuals", "plans"): "selection: the plans to compare with, as in plan_status",
    ("gap_to_pass", "county"): "selection: gap_to_pass(a, '台前县', 2025)",
    ("gap_to_pass", "year"): "selection: gap_to_pass(a, '台前县', 2025)",
    ("gap_table", "kind"): "selection: which of the gap's tables, gap_table(gap, 'cv')",
    ("load_dataset_or_demo", "data_dir"): "data: the folder to load",
}

FUNCTIONS = {name: getattr(qb, name) for name in qb.__all__ if inspect.isfunction(getattr(qb, name))}
METHODS = {"Assessment.profile_of": qb.Assessment.profile_of, "Profile.get": qb.Profile.get}
DOCUMENTED = {**FUNCTIONS, **METHODS}


def sections(doc: str) -> dict[str, str]:
    """numpydoc sections of a (dedented) docstring: heading → body, for headings underlined by as many ``-``."""
    lines = doc.splitlines()
    starts = [i for i in range(len(lines) - 1)
              if lines[i].strip() and not lines[i][0].isspace()
              and re.fullmatch(r"-+", lines[i + 1]) and len(lines[i + 1]) == len(lines[i].rstrip())]
    found = {}
    for k, i in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        found[lines[i].strip()] = "\n".join(lines[i + 2:end])
    return found


def entries(body: str) -> dict[str, str]:
    """Parameter name → its entry (type line and description) in a ``Parameters`` body.

    An entry starts at a line that is not indented: ``name : type``, ``a, b : type`` or ``name``.
    """
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in body.splitlines():
        if line.strip() and not line[0].isspace():
            current = [line]
            for name in line.split(" :")[0].split(","):
                found[name.strip().lstrip("*")] = current
        elif current:
            current.append(line)
    return {name: "\n".join(text) for name, text in found.items()}


def parameters(func) -> list[inspect.Parameter]:
    return [p for p in inspect.signature(func).parameters.values() if p.name not in ("self", "cls")]


def test_the_check_sees_every_public_function():
    assert len(FUNCTIONS) >= 30 and {"assess", "gap_to_pass", "load_dataset", "write_ledger"} <= set(FUNCTIONS)
    assert "demo" not in FUNCTIONS                                   # a module, imported on first use


def test_the_parsers_on_a_docstring_written_for_them():
    doc = "Title.\n\nParameters\n----------\na, b : int\n    Two.\nc\n    Three.\n\nReturns\n-------\nint\n"
    assert set(sections(doc)) == {"Parameters", "Returns"}
    assert set(entries(sections(doc)["Parameters"])) == {"a", "b", "c"}
    assert sections("Parameters\n---------\nx : int\n") == {}       # underline one short: not a heading
    assert sections("Parameters\n\nx : int\n") == {}


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_docstring_has_parameters_and_returns(name):
    found = sections(inspect.getdoc(DOCUMENTED[name]) or "")
    for heading in ("Parameters", "Returns"):
        assert heading in found, f"{name}: no numpydoc {heading!r} section (heading underlined with '-')"
        assert found[heading].strip(), f"{name}: the {heading!r} section is empty"


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_every_parameter_is_named_in_parameters(name):
    func = DOCUMENTED[name]
    named = entries(sections(inspect.getdoc(func) or "").get("Parameters", ""))
    missing = [p.name for p in parameters(func) if p.name not in named]
    assert not missing, f"{name}: parameters not in its Parameters section: {missing}"


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_options_are_keyword_only(name):
    func = DOCUMENTED[name]
    short = name.rsplit(".", 1)[-1]
    positional = [p.name for p in parameters(func)
                  if p.default is not p.empty and p.kind is not p.KEYWORD_ONLY and (short, p.name) not in POSITIONAL]
    assert not positional, f"{name}: options with a default must be keyword-only: {positional}"


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_the_docstring_says_which_parameters_are_keyword_only_or_positional(name):
    func = DOCUMENTED[name]
    short = name.rsplit(".", 1)[-1]
    named = entries(sections(inspect.getdoc(func) or "").get("Parameters", ""))
    for p in parameters(func):
        text = named.get(p.name, "").lower()
        if p.kind is p.KEYWORD_ONLY:
            assert "keyword-only" in text, f"{name}: the entry of {p.name!r} does not say keyword-only"
        elif (short, p.name) in POSITIONAL:
            assert "positional" in text, f"{name}: the entry of {p.name!r} does not say why it stays positional"


@pytest.mark.parametrize("func_name, param", sorted(POSITIONAL))
def test_the_allow_list_names_real_positional_parameters_with_a_default(func_name, param):
    func = FUNCTIONS[func_name]
    p = inspect.signature(func).parameters[param]
    assert p.default is not p.empty and p.kind is p.POSITIONAL_OR_KEYWORD, (func_name, param)


def test_an_option_given_positionally_is_a_type_error():
    with pytest.raises(TypeError, match="positional argument"):
        qb.wilson_interval(85, 100, 0.95)
    with pytest.raises(TypeError, match="positional argument"):
        qb.load_profile("national", ())
    lo, _ = qb.wilson_interval(85, 100, confidence=0.95)
    assert round(float(lo), 4) == 0.7672
