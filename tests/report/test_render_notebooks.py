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


# --- notebooks/explore.ipynb ------------------------------------------------------------------------------------

def test_explore_first_views_are_in_chinese(demo_data):
    from quality_balance.report import explore
    from tests.report.test_browser import english_leaks

    text = explore.source_text(demo_data)
    assert text.startswith("演示数据（合成，非真实统计）") and english_leaks(text) == []
    overview = explore.data_overview(demo_data)
    assert overview.index.name == "市" and list(overview.columns) == ["县区数", "学校数", "年份"]
    assert overview.loc["濮阳市", "县区数"] == 6 and overview["县区数"].sum() == 17
    assert set(overview["年份"]) == {"2021—2025"}
    preview = explore.schools_preview(demo_data, n=3)
    assert len(preview) == 3 and preview.index.name == "学校名称"
    assert english_leaks(" ".join(preview.columns)) == [] and "县区代码" in preview.columns


def test_explore_source_names_a_folder_not_its_path():
    from types import SimpleNamespace

    from quality_balance.report.explore import source_text

    assert source_text(SimpleNamespace(source="/work/数据/县区报送", synthetic=False)) == "数据来源：县区报送"


def test_explore_picker_offers_every_county_and_year(demo_assessment):
    import ipywidgets

    from quality_balance.errors import UnknownNameError
    from quality_balance.report.explore import county_picker

    picker = county_picker(demo_assessment, county="台前县", year=2024)
    assert isinstance(picker, ipywidgets.VBox)
    place, year = picker.children[0].children
    assert isinstance(place, ipywidgets.Dropdown) and isinstance(year, ipywidgets.Dropdown)
    assert place.description == "县区" and year.description == "年份"
    assert len(place.options) == 17 and place.value == ("濮阳市", "台前县") and place.label == "濮阳市 台前县"
    assert [label for label, _ in year.options] == ["2025年", "2024年", "2023年", "2022年", "2021年"]
    assert year.value == 2024
    assert county_picker(demo_assessment).children[0].children[1].value == 2025      # the latest year first
    with pytest.raises(UnknownNameError, match="county"):
        county_picker(demo_assessment, county="不存在县")


def test_explore_notebook_has_the_picker_and_the_editable_cell():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    nb = nbformat.read(repo / "notebooks" / "explore.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("explore.county_picker(result" in s for s in code)
    assert any(s.startswith('county = "') for s in code)
    assert not any("data.schools.head()" in s or "print(data.provenance)" in s for s in code)
