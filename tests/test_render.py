"""Batch rendering with papermill: outputs, hidden code, embedded images, failures kept and reported."""
import re

import nbformat
import pytest

from quality_balance.render import LOG_FILE, ReportJob, RenderSummary, execute_jobs


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
    assert "坏数据 bad" in page and "application/vnd.jupyter.stderr" in page


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
