"""Rendered notebooks for analysts: signed as trusted, parameters injected as readable Chinese literals."""
from __future__ import annotations

import ast

import nbformat
import pytest

from quality_balance.report.render import ReportJob, execute_jobs, python_literal, readable_translator

HOSTILE = ["台前县", 'a"b', "a'b", "back\\slash", "行一\n行二", "tab\there", "\\n not a newline",
           '"""三引号"""', "\u2028分隔\u2029", "\x00\x1b控制", "'; import os; os.system('x') #", "末尾\\"]


@pytest.mark.parametrize("text", HOSTILE)
def test_python_literal_parses_back_to_the_same_string(text):
    source = python_literal(text)
    assert ast.literal_eval(source) == text
    assert "\n" not in source and "\r" not in source


def test_python_literal_keeps_chinese_readable():
    assert python_literal("台前县") == '"台前县"'
    assert python_literal("濮阳市") == '"濮阳市"'
    assert python_literal("\u53f0\u524d\u53bf") == '"台前县"'


def test_the_injected_cell_parses_to_the_same_values_for_hostile_names():
    parameters = {f"p{i}": text for i, text in enumerate(HOSTILE)}
    parameters.update(year=2025, none=None, flag=False, ratio=0.5, names=["台前县", 'x"y'], by={"县": "台前县"})
    source = readable_translator().codify(parameters)
    tree = ast.parse(source)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert values == parameters
    assert 'p0 = "台前县"' in source and "\\u53f0" not in source


def _parameter_notebook(path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('county = "x"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(repr(county))"),
                nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML('<b style=\"color:red\">红</b>')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    root = tmp_path_factory.mktemp("signed")
    name = '台前"县\\\n'
    jobs = [ReportJob(_parameter_notebook(root / "p.ipynb"), "某市/台前县", {"county": name}, "台前县")]
    [result] = execute_jobs(jobs, root / "out", n_jobs=1, progress=False)
    assert result.ok, result.error
    return nbformat.read(result.ipynb, as_version=4), name


def test_executed_notebook_has_readable_parameters_that_the_kernel_reads_back(executed):
    nb, name = executed
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    source = injected[0].source
    assert 'county = "台前\\"县\\\\\\n"' in source and "\\u53f0" not in source
    tree = ast.parse(source)
    assert ast.literal_eval(tree.body[0].value) == name
    printed = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert printed[0].text.strip() == repr(name)


def test_executed_notebook_is_trusted_for_the_user_who_rendered_it(executed):
    from nbformat.sign import NotebookNotary

    nb, _ = executed
    assert NotebookNotary().check_signature(nb)
    nb.cells[-1].outputs[0]["data"]["text/html"] = "<script>changed</script>"
    assert not NotebookNotary().check_signature(nb)                  # a changed notebook is no longer trusted
