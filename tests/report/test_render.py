"""Batch rendering with papermill: outputs, hidden code, embedded images, failures kept and reported."""
import re

import nbformat
import pytest

from quality_balance.report.render import LOG_FILE, ReportJob, RenderSummary, execute_jobs


def _tiny_notebook(path):
    """A parameterized notebook: draws a chart titled with ``name`` and fails when name == 'bad'."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("name = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 小测试"),
        params,
        nbformat.v4.new_code_cell("import matplotlib\nmatplotlib.use('module://matplotlib_inline.backend_inline')\n"
                                  "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\n"
                                  "ax.plot([1, 2])\nplt.show()"),
        nbformat.v4.new_code_cell("if name == 'bad':\n    raise ValueError('坏数据 ' + name)\n"
                                  "print('SECRET_' + 'OUTPUT', name)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    notebook = _tiny_notebook(root / "tiny.ipynb")
    jobs = [ReportJob(notebook, f"某市/{n}", {"name": n}, f"{n}县") for n in ("a", "bad", "c")]
    out = root / "reports"
    results = execute_jobs(jobs, out, n_jobs=2, progress=False)
    return out, results


def test_every_job_has_a_result_in_order(batch):
    _, results = batch
    assert [r.job.name for r in results] == ["某市/a", "某市/bad", "某市/c"]
    assert [r.ok for r in results] == [True, False, True]


def test_failure_is_reported_with_its_error(batch):
    _, results = batch
    error = results[1].error
    assert "ValueError" in error and "坏数据 bad" in error
    summary = RenderSummary(tuple(results), batch[0])
    assert not summary.ok and summary.failures == [results[1]]
    assert "失败 1 份" in str(summary) and "坏数据 bad" in str(summary)


def test_other_reports_are_intact(batch):
    out, _ = batch
    for name in ("a", "c"):
        nb = nbformat.read(out / "某市" / f"{name}.ipynb", as_version=4)
        outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"]
        assert any(o.get("text", "").strip() == f"SECRET_OUTPUT {name}" for o in outputs)
        assert f"SECRET_OUTPUT {name}" in (out / "某市" / f"{name}.html").read_text(encoding="utf-8")


def test_failed_notebook_is_kept_and_its_html_shows_the_error(batch):
    out, _ = batch
    nb = nbformat.read(out / "某市" / "bad.ipynb", as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "ValueError"
    page = (out / "某市" / "bad.html").read_text(encoding="utf-8")
    assert "坏数据 bad" in page and 'data-mime-type="application/vnd.jupyter.stderr"' in page


def test_html_hides_code_and_embeds_images(batch):
    out, _ = batch
    page = (out / "某市" / "a.html").read_text(encoding="utf-8")
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    assert "plt.subplots" not in page and "SECRET_' + 'OUTPUT" not in page
    assert 'class="highlight' not in page            # no syntax-highlighted source anywhere
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page)
    assert "<title>a县</title>" in page


def test_no_temporary_files_are_left(batch):
    out, _ = batch
    names = sorted(p.name for p in (out / "某市").iterdir())
    assert names == ["a.html", "a.ipynb", "bad.html", "bad.ipynb", "c.html", "c.ipynb"]
    assert (out / LOG_FILE).exists()


# --- the real report notebooks, through the command line -----------------------------------

def _write_data(folder):
    """A synthetic-labelled data folder as a bureau would send it (CSV with Chinese headers):
    测试市 甲县 (2024 fails G14, 2025 passes), 测试市 乙县 (a school missing R7, key schools: veto),
    另一市 丙县 (passes)."""
    import json

    from tests.builders import COUNTY_OK, PRIMARY_OK, SCHOOL_GQ_OK, school, survey_rows
    from tests.input_files import write_csv
    from quality_balance.schema import COUNTIES, SURVEY

    def s(**kw):
        return school(PRIMARY_OK, **SCHOOL_GQ_OK, **kw)
    folder.mkdir()
    write_csv(folder / "schools.csv", [
        s(school_id="A", year=2024), s(school_id="A"), s(school_id="A2", students_primary=600.0),
        s(school_id="B", county="乙县", multimedia_rooms=2.0), s(school_id="B2", county="乙县"),
        s(school_id="C", city="另一市", county="丙县")])
    write_csv(folder / "counties.csv", [
        dict(COUNTY_OK, year=2024, quota_share=40.0), dict(COUNTY_OK),
        dict(COUNTY_OK, county="乙县", v3_key_schools=True),
        dict(COUNTY_OK, city="另一市", county="丙县")], table=COUNTIES)
    write_csv(folder / "survey.csv", survey_rows(year=2024) + survey_rows() + survey_rows(county="乙县")
              + survey_rows(city="另一市", county="丙县"), table=SURVEY)
    (folder / "metadata.json").write_text(json.dumps({"synthetic": True}), encoding="utf-8")
    return folder


def _notebooks_failing_for(folder, county):
    """The project's notebooks, with a last cell in the county report that raises for ``county``."""
    import shutil

    from quality_balance.report.render import NOTEBOOK_DIR

    shutil.copytree(NOTEBOOK_DIR, folder)
    path = folder / "county_report.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(f"if county == {county!r}:\n    raise RuntimeError('模拟失败')"))
    nbformat.write(nb, path)
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from quality_balance.cli import main

    root = tmp_path_factory.mktemp("reports")
    data = _write_data(root / "data")
    notebooks = _notebooks_failing_for(root / "notebooks", "乙县")
    out = root / "reports"
    status = main(["render", str(data), "--out", str(out), "--city", "测试市", "--jobs", "2", "--no-progress",
                   "--notebooks", str(notebooks)])
    return out, status


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def test_a_failing_county_makes_the_exit_status_non_zero(rendered, capsys):
    _, status = rendered
    assert status == 1


def test_other_reports_render_without_errors(rendered):
    out, _ = rendered
    for name in ("测试市/甲县", "测试市/城市概览"):
        outputs = _outputs(out / f"{name}.ipynb")
        assert outputs, name
        assert not [o for o in outputs if o.output_type == "error"], name
        assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"], name   # no warnings


def test_rendered_report_html_has_no_code_no_errors_and_embedded_charts(rendered):
    out, _ = rendered
    page = (out / "测试市" / "甲县.html").read_text(encoding="utf-8")
    code_cells = re.findall(r'class="jp-Cell jp-CodeCell[^"]*"', page)
    assert len(code_cells) > 10 and all("jp-mod-noInput" in c for c in code_cells)
    assert 'class="highlight' not in page and "import quality_balance" not in page
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page and "Traceback" not in page
    # CV, schools, recognition, and the progress of G14 (fixed in 2025)
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', page)) == 4
    assert "演示数据" in page and "甲县 各年度各维度结论" in page
    for section in ("八、逐年进展", "九、趋势预测", "十、规划目标完成情况", "十一、达标差距"):
        assert section in page


def test_failed_county_keeps_its_partial_notebook_and_error_page(rendered):
    out, _ = rendered
    errors = [o for o in _outputs(out / "测试市" / "乙县.ipynb") if o.output_type == "error"]
    assert [e.evalue for e in errors] == ["模拟失败"]
    page = (out / "测试市" / "乙县.html").read_text(encoding="utf-8")
    assert "模拟失败" in page and "乙县 各年度各维度结论" in page          # the cells before the failure are kept


def test_index_links_every_report_with_its_verdict(rendered):
    out, _ = rendered
    index = (out / "index.html").read_text(encoding="utf-8")
    for href in ("测试市/甲县.html", "测试市/乙县.html", "测试市/城市概览.html"):
        assert f'href="{href}"' in index and (out / href).exists()
    assert not (out / "另一市").exists()                               # --city 测试市 renders one city
    other = re.search(r"<tr><td>丙县</td>(.*?)</tr>", index).group(1)   # ... but the index lists every county
    assert "本次未生成" in other and "href" not in other
    assert "演示数据" in index
    row = re.search(r"<tr><td>甲县</td>(.*?)</tr>", index).group(1)
    assert row.startswith("<td>国家标准（教督〔2017〕6号）</td>")      # the title of the profile it was assessed under
    assert re.findall(r'class="status"[^>]*>([^<]+)<', row) == ["未达标", "达标"]
    assert "2025年" in row and "已生成" in row
    failed = re.search(r"<tr><td>乙县</td>(.*?)</tr>", index).group(1)
    assert "失败" in failed and "模拟失败" in failed


def test_batch_leaves_no_temporary_files(rendered):
    out, _ = rendered
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".")]
    assert leftovers == []


def test_make_lab_opens_jupyterlab_at_the_repository_on_the_explore_notebook():
    import subprocess
    import sys
    from pathlib import Path

    from quality_balance.report.render import CITY_NOTEBOOK, COUNTY_NOTEBOOK, NOTEBOOK_DIR

    repo = Path(__file__).resolve().parents[2]
    makefile = (repo / "Makefile").read_text(encoding="utf-8")
    # root at the repository (data/, notebooks/ and reports/ reachable), notebooks/explore.ipynb opened first
    command = r'jupyter lab --ServerApp.root_dir="\$\(CURDIR\)" notebooks/explore.ipynb'
    assert re.search(r"^lab:.*\n\t\$\(BIN\)/" + command + r"\s*$", makefile, re.M)
    assert "explore.ipynb" in subprocess.run(["make", "-s", "help"], cwd=repo, capture_output=True, text=True,
                                             timeout=120).stdout
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run([str(jupyter), "lab", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "JupyterLab" in done.stdout
    opened = repo / "notebooks"
    assert {p.name for p in opened.glob("*.ipynb")} >= {COUNTY_NOTEBOOK, CITY_NOTEBOOK, "explore.ipynb"}
    # the report notebooks are kept once, inside the package; notebooks/ links to them
    for name in (COUNTY_NOTEBOOK, CITY_NOTEBOOK):
        assert (opened / name).resolve() == (NOTEBOOK_DIR / name).resolve()


def test_report_notebooks_have_a_tagged_parameters_cell():
    from quality_balance.report.render import CITY_NOTEBOOK, COUNTY_NOTEBOOK, NOTEBOOK_DIR

    common = {"first_year", "last_year", "data_dir", "demo_fallback", "profile", "data_slice"}
    expected = {COUNTY_NOTEBOOK: {"city", "county"} | common, CITY_NOTEBOOK: {"city"} | common}
    for name, params in expected.items():
        nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1, name
        assigned = set(re.findall(r"^(\w+)\s*=", tagged[0].source, re.M))
        assert assigned == params, name


def test_plan_jobs_gives_one_report_per_county_and_one_overview_per_city(tmp_path, monkeypatch):
    import pandas as pd

    from quality_balance.report.render import plan_jobs

    monkeypatch.chdir(tmp_path)
    places = pd.DataFrame({"city": ["甲市", "甲市", "乙市"], "county": ["A县", "B县", "C县"]})
    jobs = plan_jobs(places, "data", notebook_dir=tmp_path / "nb", profile="my.toml", last_year=2024)
    assert [j.name for j in jobs] == ["甲市/A县", "甲市/B县", "乙市/C县", "甲市/城市概览", "乙市/城市概览"]
    assert [j.notebook.name for j in jobs] == ["county_report.ipynb"] * 3 + ["city_overview.ipynb"] * 2
    first = jobs[0].parameters
    assert first == {"data_dir": str(tmp_path / "data"), "demo_fallback": False,
                     "profile": str(tmp_path / "my.toml"), "first_year": None, "last_year": 2024,
                     "city": "甲市", "county": "A县"}
    assert "county" not in jobs[-1].parameters and jobs[-1].parameters["city"] == "乙市"
    assert plan_jobs(places, "data", profile="桓台县")[0].parameters["profile"] == "桓台县"   # a name stays a name


def test_unknown_county_is_refused_before_anything_runs(tmp_path):
    from quality_balance.cli import main

    data = _write_data(tmp_path / "data")
    assert main(["render", str(data), "--out", str(tmp_path / "out"), "--county", "不存在县"]) == 2
    assert not (tmp_path / "out").exists()


# --- the engine: the notebook saved when the run starts and ends, not around every cell -----------------

def _cells_notebook(path, *sources):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_the_notebook_is_written_when_the_run_starts_and_ends_only(tmp_path, monkeypatch):
    import papermill.engines
    import papermill.execute

    from quality_balance.report.render import _run_job

    writes = []
    for module in (papermill.engines, papermill.execute):
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb", lambda nb, path, real=real: (writes.append(path), real(nb, path)))
    notebook = _cells_notebook(tmp_path / "six.ipynb", *[f"print({i})" for i in range(6)])
    result = _run_job(ReportJob(notebook, "某市/六", {}, "六"), str(tmp_path / "out"))
    assert result.ok, result.error
    # papermill's own engine: start, 2 per cell, end, final = 15; here start, end and papermill's final write
    assert len(writes) == 3
    saved = nbformat.read(result.ipynb, as_version=4)
    assert [c.outputs[0]["text"] for c in saved.cells] == [f"{i}\n" for i in range(6)]


def test_a_cell_that_times_out_keeps_the_cells_run_before_it(tmp_path):
    notebook = _cells_notebook(tmp_path / "slow.ipynb", "print('先完成的单元')", "import time\ntime.sleep(600)")
    result = execute_jobs([ReportJob(notebook, "某市/慢", {}, "慢县")], tmp_path / "out", n_jobs=1, progress=False,
                          timeout=2)[0]
    assert not result.ok and "Timeout" in result.error
    saved = nbformat.read(result.ipynb, as_version=4)
    assert saved.cells[0].outputs[0]["text"] == "先完成的单元\n"   # saved at the end of the run, with its outputs
    assert "先完成的单元" in result.html.read_text(encoding="utf-8")


def test_one_exporter_serves_every_page_and_gives_what_a_fresh_one_gives(batch):
    from nbconvert import HTMLExporter

    from quality_balance.report.render import _html_exporter, _with_page_style, notebook_to_html

    out, _ = batch
    pages = []
    for name in ("a", "bad", "a"):
        nb = nbformat.read(out / "某市" / f"{name}.ipynb", as_version=4)
        fresh = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                             embed_images=True).from_notebook_node(nb, resources={"metadata": {"name": name}})[0]
        pages.append(notebook_to_html(nb, name))
        assert pages[-1] == _with_page_style(fresh)
    assert _html_exporter() is _html_exporter() and pages[0] == pages[2] and pages[0] != pages[1]


def test_jobs_start_longest_first_and_come_back_in_their_order(tmp_path):
    """One worker runs the jobs one after the other: each notebook appends its name to a file when it starts."""
    from quality_balance.errors import RenderError

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("name = 'x'\nlog = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("with open(log, 'a') as f:\n    f.write(name + ' ')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "log.ipynb")
    log = tmp_path / "started.txt"
    jobs = [ReportJob(tmp_path / "log.ipynb", f"某市/{n}", {"name": n, "log": str(log)}, n) for n in "abc"]
    results = execute_jobs(jobs, tmp_path / "out", n_jobs=1, progress=False, costs=[(1, 5), (1, 9), (0, 50)])
    assert log.read_text().split() == ["b", "a", "c"]            # county reports (1, …) by rows, then the city
    assert [r.job.name for r in results] == ["某市/a", "某市/b", "某市/c"] and all(r.ok for r in results)
    with pytest.raises(RenderError, match="costs"):
        execute_jobs(jobs, tmp_path / "out", n_jobs=1, progress=False, costs=[1, 2])


def test_the_expected_costs_put_the_largest_county_reports_first(demo_data):
    from quality_balance.report.render import _expected_costs, _start_order, plan_jobs

    places = demo_data.schools[["city", "county"]].drop_duplicates()
    jobs = plan_jobs(places, "data")
    costs = _expected_costs(jobs, demo_data)
    rows = demo_data.schools.groupby(["city", "county"]).size()
    first = jobs[_start_order(len(jobs), costs)[0]].parameters
    assert (first["city"], first["county"]) == rows.idxmax()       # the county with the most school rows
    last_county = _start_order(len(jobs), costs)[len(places) - 1]
    assert jobs[last_county].parameters.get("county") is not None  # every county report before the overviews
    city_rows = {c: int(n) for c, n in demo_data.schools.groupby("city").size().items()}
    assert [c for j, c in zip(jobs, costs) if "county" not in j.parameters] == \
        [(0, city_rows[j.parameters["city"]]) for j in jobs if "county" not in j.parameters]
