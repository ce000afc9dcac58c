"""render on Dask: the same report jobs on a real LocalCluster of 2 worker processes, failures kept, the index built.

Without dask installed these tests skip, saying so; under ``CI=true`` they fail (the dev extra installs it).
"""
import importlib.util
import os
import re
import shutil
import sys

import nbformat
import pytest

from quality_balance.cli import main

DASK_MISSING = importlib.util.find_spec("distributed") is None
NO_DASK = "dask[distributed] is not installed (pip install 'quality-balance[dask]'); the dev extra installs it"


@pytest.fixture(scope="module")
def dask_run(tmp_path_factory, demo_folder):
    """``render --dask-local 2`` of two demo counties and their city, with the county report failing for 清丰县."""
    if DASK_MISSING:
        (pytest.fail if os.environ.get("CI", "").lower() == "true" else pytest.skip)(NO_DASK)
    from quality_balance.report.render import NOTEBOOK_DIR

    root = tmp_path_factory.mktemp("dask")
    notebooks = root / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, notebooks)
    path = notebooks / "county_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("if county == '清丰县':\n    raise RuntimeError('模拟失败')"))
    nbformat.write(nb, path)
    out = root / "reports"
    status = main(["render", str(demo_folder), "--out", str(out), "--county", "台前县", "--county", "清丰县",
                   "--dask-local", "2", "--no-progress", "--notebooks", str(notebooks)])
    return out, status


def _errors(path):
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]


def test_dask_run_renders_every_report_and_keeps_the_failed_notebook(dask_run):
    out, status = dask_run
    assert status == 1                                                  # one report failed
    assert _errors(out / "濮阳市" / "台前县.ipynb") == [] and _errors(out / "濮阳市" / "城市概览.ipynb") == []
    assert [e.evalue for e in _errors(out / "濮阳市" / "清丰县.ipynb")] == ["模拟失败"]
    page = (out / "濮阳市" / "台前县.html").read_text(encoding="utf-8")
    assert "台前县 各年度各维度结论" in page and "Traceback" not in page


def test_dask_run_builds_the_index_and_leaves_no_temporaries(dask_run):
    out, _ = dask_run
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "已生成" in re.search(r"<tr><td>台前县</td>(.*?)</tr>", index).group(1)
    assert "模拟失败" in re.search(r"<tr><td>清丰县</td>(.*?)</tr>", index).group(1)
    assert "本次未生成" in re.search(r"<tr><td>南乐县</td>(.*?)</tr>", index).group(1)
    assert [p.name for p in out.rglob(".*")] == []                      # staged slices and partials removed


def test_without_dask_the_option_says_what_to_install(tmp_path, demo_folder, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)          # import fails as when not installed
    assert main(["render", str(demo_folder), "--out", str(tmp_path / "out"), "--dask-local", "2"]) == 2
    err = capsys.readouterr().err
    assert "--dask-local" in err and "quality-balance[dask]" in err
    assert not (tmp_path / "out").exists()                              # nothing rendered


@pytest.mark.parametrize("args, named", [(["--dask-local", "0"], "--dask-local"),
                                         (["--dask-local", "2", "--jobs", "2"], "--jobs")])
def test_bad_dask_options_are_refused_naming_the_option(tmp_path, demo_folder, capsys, args, named):
    assert main(["render", str(demo_folder), "--out", str(tmp_path / "out"), *args]) == 2
    assert named in capsys.readouterr().err and not (tmp_path / "out").exists()
