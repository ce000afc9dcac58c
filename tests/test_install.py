"""Installable for real: a wheel, installed (not editable) into a fresh venv, works outside the checkout.

The test builds the wheel from a copy of the sources (no stale ``build/``, nothing
written into the checkout), installs it with ``--no-deps`` into a new venv and lets
that venv reach the dependencies already installed in the test's own environment
through a ``.pth`` line (the path only: that environment's ``.pth`` files, among
them the editable install of this checkout, are not processed). Jupyter's data
come from a folder on ``JUPYTER_PATH`` holding nbconvert's templates and a
``python3`` kernel spec that points at no interpreter at all: the renderer must
run its kernels on its own interpreter, never on a registered kernel. Then, in a
folder outside the checkout, ``quality-balance demo``, ``assess`` and ``render``
run as a user types them. Offline: ``--no-build-isolation`` uses the setuptools
of the dev extra, ``--no-index`` installs the wheel just built. Takes ~30 s.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
COUNTY, CITY = "清丰县", "濮阳市"


def _run(args, *, cwd, env=None, timeout=600):
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args} → {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _nbconvert_data_dir() -> Path:
    """The Jupyter data folder of this environment that holds nbconvert's ``lab`` template."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("nbconvert", "templates"):
        if (Path(folder) / "lab").is_dir():
            return Path(folder).parent.parent
    pytest.fail("nbconvert's lab template is not installed in this environment")


@pytest.fixture(scope="module")
def installed():
    """(venv python, venv bin, run folder, environment, wheel); everything under one temporary folder."""
    with tempfile.TemporaryDirectory(prefix="qb-install-") as tmp:
        root = Path(tmp).resolve()
        assert not root.is_relative_to(REPO)
        src = root / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        shutil.copytree(REPO / "quality_balance", src / "quality_balance",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
              "-q", "-w", root / "dist", src], cwd=root)
        wheels = list((root / "dist").glob("quality_balance-*.whl"))
        assert len(wheels) == 1, wheels

        venv = root / "venv"
        _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=root)
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        # install while the new venv sees nothing else, so pip compares it with nothing
        _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q",
              wheels[0]], cwd=root)
        purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                            cwd=root).stdout.strip())
        deps = dict.fromkeys(sysconfig.get_path(k) for k in ("purelib", "platlib"))
        (purelib / "_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")

        jupyter = root / "jupyter"
        jupyter.mkdir()
        (jupyter / "nbconvert").symlink_to(_nbconvert_data_dir() / "nbconvert", target_is_directory=True)
        decoy = jupyter / "kernels" / "python3"
        decoy.mkdir(parents=True)
        (decoy / "kernel.json").write_text(json.dumps(
            {"argv": [str(root / "no-such-python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
             "display_name": "Python 3 (decoy)", "language": "python"}), encoding="utf-8")

        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONSTARTUP")}
        env.update(PATH=f"{python.parent}{os.pathsep}{env.get('PATH', '')}", JUPYTER_PATH=str(jupyter),
                   PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1")
        run = root / "run"
        run.mkdir()
        yield python, python.parent, run, env, wheels[0]


def test_the_wheel_ships_the_report_notebooks_and_the_standards(installed):
    *_, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("county_report.ipynb", "city_overview.ipynb"):
        packaged = f"quality_balance/report/notebooks/{name}"
        assert packaged in names
        # the one copy: the notebook an analyst opens in notebooks/ is the packaged one
        assert zipfile.ZipFile(wheel).read(packaged) == (REPO / "notebooks" / name).read_bytes()
    shipped = {p.relative_to(REPO).as_posix() for p in (REPO / "quality_balance").rglob("*")
               if p.is_file() and p.suffix in (".toml", ".ipynb")}
    assert shipped and shipped <= names
    assert "quality_balance/standards/profiles/national.toml" in names


def test_the_installed_copy_is_imported_not_the_checkout(installed):
    python, _, run, env, _ = installed
    where = _run([python, "-c", "import quality_balance as qb; print(qb.__file__)"], cwd=run, env=env).stdout
    path = Path(where.strip()).resolve()
    assert path.is_relative_to(python.parent.parent.resolve()) and not path.is_relative_to(REPO), path


def test_demo_assess_and_render_work_outside_the_checkout(installed):
    _, bin_dir, run, env, _ = installed
    exe = bin_dir / "quality-balance"
    _run([exe, "demo", "--out", "d"], cwd=run, env=env)
    assert {"schools.csv", "counties.csv", "survey.csv", "metadata.json"} <= {p.name for p in (run / "d").iterdir()}
    _run([exe, "assess", "d", "--out", "t"], cwd=run, env=env)
    assert (run / "t" / "verdicts.csv").stat().st_size > 0 and (run / "t" / "评估结果.xlsx").exists()
    done = _run([exe, "render", "d", "--out", "r", "--county", COUNTY, "--jobs", "1", "--no-progress"],
                cwd=run, env=env)
    assert "失败 0 份" in done.stdout
    import nbformat

    for name in (COUNTY, "城市概览"):
        for suffix in (".ipynb", ".html"):
            assert (run / "r" / CITY / f"{name}{suffix}").stat().st_size > 0
        nb = nbformat.read(run / "r" / CITY / f"{name}.ipynb", as_version=4)
        assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
        assert nb.metadata["kernelspec"]["name"] == "python3"   # reopens in JupyterLab with the usual kernel
    headline = nbformat.read(run / "r" / CITY / f"{COUNTY}.ipynb", as_version=4).metadata["quality_balance"]["headline"]
    assert headline["county"] == COUNTY and headline["verdicts"][-1] == {
        "year": 2025, "overall": "met", "resources": "met", "guarantee": "met", "quality": "met",
        "recognition": "met", "veto": "met"}
    assert (run / "r" / "index.html").exists()
