"""``render --pdf`` and :mod:`quality_balance.report.browser`: finding Chromium, printing, failures, clean-up.

These tests stand a small script in for the browser (named by ``QB_CHROMIUM``), which
writes a PDF, fails, or hangs, so that every path — success, failure, time-out, an
interruption in the middle of printing — runs without a real Chromium and without
waiting on one. The real browser is used by tests/report/test_browser.py.
"""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from quality_balance.errors import RenderError
from quality_balance.report import browser
from quality_balance.report.browser import BrowserNotFoundError, find_chromium, print_pdf, require_chromium
from tests.test_faults import CLI, WAIT_S, alive, snapshot, temporaries, wait_for


def fake_browser(folder: Path, behaviour: str) -> Path:
    """A stand-in for Chromium: ``ok`` writes a small PDF, ``fail`` exits 3, ``notpdf`` writes text,
    ``hang`` writes half a PDF, records its pid in ``<folder>/hanging.pid`` and sleeps."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"chromium-{behaviour}"
    script.write_text(f"""#!{sys.executable}
import os, sys, time
from pathlib import Path
behaviour = {behaviour!r}
target = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--print-to-pdf="))
assert any(a.startswith("--user-data-dir=") and Path(a.split("=", 1)[1]).is_dir() for a in sys.argv)
assert "--no-pdf-header-footer" in sys.argv and sys.argv[-1].startswith("file://")
if behaviour == "ok":
    Path(target).write_bytes(b"%PDF-1.4\\n% fake\\n")
elif behaviour == "fail":
    print("[0:0:ERROR:dbus/bus.cc] Failed to connect to the bus")
    print("页面崩溃了")
    sys.exit(3)
elif behaviour == "notpdf":
    Path(target).write_text("<html>")
elif behaviour == "hang":
    Path(target).write_bytes(b"%PDF-1.4 half")
    Path({str(folder / "hanging.pid")!r}).write_text(str(os.getpid()))
    time.sleep(600)
""", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def page(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    html = folder / "甲县.html"
    html.write_text("<html><body>甲县</body></html>", encoding="utf-8")
    return html


# --- finding the browser -----------------------------------------------------------------------------------

def test_find_chromium_takes_qb_chromium_first_then_the_names_on_path(tmp_path):
    bin_dir = tmp_path / "bin"
    for name in ("chromium-browser", "google-chrome"):
        fake_browser(bin_dir, "ok").rename(bin_dir / name)
    assert find_chromium({"PATH": str(bin_dir)}) == str(bin_dir / "chromium-browser")
    mine = fake_browser(tmp_path / "mine", "ok")
    assert find_chromium({"PATH": str(bin_dir), "QB_CHROMIUM": str(mine)}) == str(mine)
    assert find_chromium({"PATH": str(bin_dir), "QB_CHROMIUM": "google-chrome"}) == str(bin_dir / "google-chrome")
    # a QB_CHROMIUM that names nothing usable is not replaced by another browser
    assert find_chromium({"PATH": str(bin_dir), "QB_CHROMIUM": str(tmp_path / "nothing")}) is None
    assert find_chromium({"PATH": str(tmp_path / "empty")}) is None


def test_without_a_browser_the_message_says_what_to_install(tmp_path):
    with pytest.raises(BrowserNotFoundError) as caught:
        require_chromium({"PATH": str(tmp_path)})
    text = str(caught.value)
    assert "apt-get install chromium" in text and "QB_CHROMIUM" in text
    assert all(name in text for name in ("chromium", "chromium-browser", "google-chrome"))
    assert "--pdf" in text
    with pytest.raises(BrowserNotFoundError, match="QB_CHROMIUM 指定的“/没有/这个”"):
        require_chromium({"PATH": str(tmp_path), "QB_CHROMIUM": "/没有/这个"})
    assert isinstance(caught.value, RenderError)


def test_render_pdf_without_a_browser_exits_2_before_any_report(tmp_path, monkeypatch, capsys, demo_folder):
    from quality_balance.cli import main

    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    monkeypatch.delenv("QB_CHROMIUM", raising=False)
    out = tmp_path / "reports"
    status = main(["render", str(demo_folder), "--out", str(out), "--county", "清丰县", "--pdf", "--no-progress"])
    err = capsys.readouterr().err
    assert status == 2 and "apt-get install chromium" in err and "Traceback" not in err
    assert not out.exists()


# --- printing one page ---------------------------------------------------------------------------------------

def test_print_pdf_writes_the_pdf_and_leaves_nothing_else(page, tmp_path):
    pdf = print_pdf(page, page.with_suffix(".pdf"), chromium=str(fake_browser(tmp_path / "bin", "ok")))
    assert pdf.read_bytes().startswith(b"%PDF-1.4")
    assert sorted(p.name for p in page.parent.iterdir()) == ["甲县.html", "甲县.pdf"]


@pytest.mark.parametrize("behaviour, said", [("fail", "退出码 3"), ("notpdf", "不是 PDF")])
def test_a_browser_that_fails_is_a_render_error_and_the_old_pdf_stays(page, tmp_path, behaviour, said):
    old = page.with_suffix(".pdf")
    old.write_bytes(b"%PDF-old")
    with pytest.raises(RenderError, match=said) as caught:
        print_pdf(page, old, chromium=str(fake_browser(tmp_path / "bin", behaviour)))
    assert "甲县.html" in str(caught.value)
    if behaviour == "fail":
        assert "页面崩溃了" in str(caught.value) and "dbus" not in str(caught.value)
    assert old.read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in page.parent.iterdir()) == ["甲县.html", "甲县.pdf"]


def test_a_browser_that_hangs_is_stopped_after_the_timeout(page, tmp_path):
    bin_dir = tmp_path / "bin"
    with pytest.raises(RenderError, match="超时"):
        print_pdf(page, page.with_suffix(".pdf"), chromium=str(fake_browser(bin_dir, "hang")), timeout=2)
    pid = int((bin_dir / "hanging.pid").read_text())
    assert alive([pid]) == []
    assert sorted(p.name for p in page.parent.iterdir()) == ["甲县.html"]


def test_print_pdf_uses_the_headless_switches_of_the_brief():
    command = browser.chromium_command("/usr/bin/chromium", "/tmp/profile", "--print-to-pdf=x.pdf")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--user-data-dir=/tmp/profile"):
        assert flag in command


# --- the batch ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_run(tmp_path_factory, demo_folder):
    """``render --pdf`` of 清丰县 with the stand-in browser that writes a PDF."""
    root = tmp_path_factory.mktemp("pdf-run")
    env = {**os.environ, "QB_CHROMIUM": str(fake_browser(root / "bin", "ok"))}
    out = root / "reports"
    done = subprocess.run([*CLI, "render", str(demo_folder), "--out", str(out), "--county", "清丰县", "--pdf",
                           "--no-progress"], capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr
    return out


def test_render_pdf_writes_a_pdf_beside_each_report_and_the_index_links_it(pdf_run):
    for name in ("清丰县", "城市概览"):
        assert (pdf_run / "濮阳市" / f"{name}.pdf").read_bytes().startswith(b"%PDF")
    index = (pdf_run / "index.html").read_text(encoding="utf-8")
    assert 'href="濮阳市/清丰县.pdf"' in index and 'href="濮阳市/城市概览.pdf"' in index
    assert temporaries(pdf_run) == []


def test_a_failing_pdf_fails_its_report_but_keeps_its_html(tmp_path, demo_folder):
    env = {**os.environ, "QB_CHROMIUM": str(fake_browser(tmp_path / "bin", "fail"))}
    out = tmp_path / "reports"
    done = subprocess.run([*CLI, "render", str(demo_folder), "--out", str(out), "--county", "清丰县", "--pdf",
                           "--no-progress", "--jobs", "2"], capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 1 and "打印 PDF 失败" in done.stdout, done.stdout + done.stderr
    assert (out / "濮阳市" / "清丰县.html").is_file() and not (out / "濮阳市" / "清丰县.pdf").exists()
    assert temporaries(out) == []


def test_render_stopped_while_printing_leaves_the_earlier_reports_and_no_temporaries(pdf_run, tmp_path, demo_folder):
    out = tmp_path / "reports"
    for path in pdf_run.rglob("*"):
        if path.is_file():
            (out / path.relative_to(pdf_run)).parent.mkdir(parents=True, exist_ok=True)
            (out / path.relative_to(pdf_run)).write_bytes(path.read_bytes())
    before = snapshot(out)
    bin_dir = tmp_path / "bin"
    env = {**os.environ, "QB_CHROMIUM": str(fake_browser(bin_dir, "hang"))}
    proc = subprocess.Popen([*CLI, "render", str(demo_folder), "--out", str(out), "--county", "清丰县", "--pdf",
                             "--no-progress", "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        wait_for(lambda: (bin_dir / "hanging.pid").is_file() and list(out.rglob(".qb-tmp-*/*.pdf")),
                 "the browser to be printing")
        pid = int((bin_dir / "hanging.pid").read_text())
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=WAIT_S)
    finally:
        proc.kill()
    assert proc.returncode == 143, stderr
    assert "已终止（SIGTERM）" in stderr
    assert alive([pid]) == []                                       # the browser was stopped with its worker
    assert temporaries(out) == []                                   # no half PDF, no browser profile folder
    assert snapshot(out) == before

