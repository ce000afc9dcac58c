"""Headless Chromium: finding it, printing a report page to PDF, and driving a page (for the browser tests).

:func:`find_chromium` looks for the browser where a user's machine has it: the
program named by the environment variable :data:`CHROMIUM_ENV` (``QB_CHROMIUM``)
when it is set, else the first of :data:`CHROMIUM_NAMES` on ``PATH``.
:func:`require_chromium` says in Chinese what to install when there is none.

:func:`print_pdf` prints one HTML file to PDF with ``chromium --headless
--print-to-pdf``. The page's own ``@page`` CSS sets the paper (A4) and margins;
Chromium's header and footer (date, file URL) are left out. The PDF is written
into a staging folder beside its final place (:func:`quality_balance.output.atomic_folder`,
``.qb-tmp-<pid>-…``) and moved there when complete; the browser's fresh profile
folder (``--user-data-dir``) is inside it and removed as soon as the browser is
stopped. A render worker stopped by a signal, or a run killed outright, leaves
only temporaries that the clean-up (:func:`~quality_balance.output.remove_stale`) removes.

:class:`DevToolsPage` drives one tab over the DevTools protocol (websocket-client,
which Jupyter's server already installs): open a page in a window of a given size,
emulate print media, evaluate JavaScript. The tests in ``tests/report/test_browser.py``
use it to look at the reports as a reader's browser shows them.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import RenderError
from ..output import atomic_folder, remove_stale

__all__ = ["CHROMIUM_ENV", "CHROMIUM_NAMES", "PDF_TIMEOUT_S", "BrowserNotFoundError", "find_chromium",
           "require_chromium", "chromium_command", "print_pdf", "DevToolsPage"]

#: Environment variable naming the Chromium program to use (a path, or a name on ``PATH``).
CHROMIUM_ENV = "QB_CHROMIUM"
#: Program names searched on ``PATH``, in this order, when :data:`CHROMIUM_ENV` is not set.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: Seconds one page may take to print before Chromium is stopped and the PDF counted as failed.
PDF_TIMEOUT_S = 180
#: Seconds a started browser has to open its DevTools port (:class:`DevToolsPage`).
START_TIMEOUT_S = 60
#: The switches of every headless run: no sandbox (root, containers), no GPU, no network of its own, no first-run UI.
HEADLESS_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")


class BrowserNotFoundError(RenderError):
    """No Chromium to print with: the message names where it was looked for and what to install."""


def find_chromium(environ: Mapping[str, str] | None = None) -> str | None:
    """The Chromium program to use, or ``None`` when there is none.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read :data:`CHROMIUM_ENV` and ``PATH`` from (default: ``os.environ``).

    Returns
    -------
    str or None
        The full path of the program named by ``QB_CHROMIUM`` when that is set (a set but
        unusable value gives ``None``, not another browser: the user asked for that one),
        else of the first of :data:`CHROMIUM_NAMES` found on ``PATH``.
    """
    environ = os.environ if environ is None else environ
    path = environ.get("PATH", os.defpath)
    wanted = environ.get(CHROMIUM_ENV, "").strip()
    if wanted:
        return shutil.which(wanted, path=path)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def require_chromium(environ: Mapping[str, str] | None = None) -> str:
    """:func:`find_chromium`, or a :class:`BrowserNotFoundError` saying what to install.

    Parameters
    ----------
    environ : mapping, optional
        As for :func:`find_chromium`.

    Returns
    -------
    str
        The full path of the browser program.

    Raises
    ------
    BrowserNotFoundError
        Naming the programs looked for, the value of ``QB_CHROMIUM`` if set, and the install command.
    """
    environ = os.environ if environ is None else environ
    found = find_chromium(environ)
    if found:
        return found
    wanted = environ.get(CHROMIUM_ENV, "").strip()
    where = (f"环境变量 {CHROMIUM_ENV} 指定的“{wanted}”不存在或不可执行" if wanted else
             f"在 PATH 中没有找到 {'、'.join(CHROMIUM_NAMES)}，也没有设置环境变量 {CHROMIUM_ENV}")
    raise BrowserNotFoundError(
        f"生成 PDF（--pdf）需要 Chromium 浏览器：{where}。请安装 Chromium（Debian/Ubuntu："
        f"sudo apt-get install chromium fonts-noto-cjk），或把环境变量 {CHROMIUM_ENV} 设为浏览器程序的路径；"
        f"不加 --pdf 则只生成 HTML 报告。")


def chromium_command(chromium: str, user_data_dir: str | Path, *extra: str) -> list[str]:
    """The command line of one headless Chromium run with a fresh profile folder.

    Parameters
    ----------
    chromium : str
        The browser program (:func:`find_chromium`).
    user_data_dir : str or Path
        An empty folder for the browser's profile.
    *extra : str
        Further switches and the URL.

    Returns
    -------
    list of str
    """
    return [chromium, *HEADLESS_FLAGS, f"--user-data-dir={user_data_dir}", *extra]


def _stop_group(proc: subprocess.Popen) -> None:
    """Kill the browser and every process it started (its own session), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not refused
        pass


def _tail(text: str, lines: int = 5) -> str:
    """The last lines of the browser's output that are not its D-Bus chatter (for an error message)."""
    kept = [line for line in text.splitlines() if line.strip() and "dbus" not in line.lower()]
    return " / ".join(kept[-lines:])


def print_pdf(html: str | Path, pdf: str | Path, *, chromium: str | None = None,
              timeout: float = PDF_TIMEOUT_S) -> Path:
    """Print the page ``html`` to the PDF file ``pdf`` with headless Chromium.

    Parameters
    ----------
    html : str or Path
        The HTML file (opened as a ``file://`` URL; its images are embedded).
    pdf : str or Path
        Where the PDF goes; its folder must exist. It is replaced only when the new one is complete.
    chromium : str, keyword-only, optional
        The browser program; default :func:`require_chromium`.
    timeout : float, keyword-only
        Seconds the browser may take (default :data:`PDF_TIMEOUT_S`); then it is killed.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    BrowserNotFoundError
        No browser (only when ``chromium`` is not given).
    RenderError
        The browser failed, timed out or wrote no PDF; the message names the page and what happened.
        Nothing is left behind: the temporary PDF and the profile folder are removed, and so is every
        browser process (killed as a group), on an interruption too.
    """
    chromium = chromium or require_chromium()
    html, pdf = Path(html).absolute(), Path(pdf)
    with atomic_folder(pdf.parent) as stage:  # the PDF is moved into place only when complete
        profile = stage / f".qb-tmp-{os.getpid()}-chromium"  # a temporary of this process: remove_stale below
        profile.mkdir()
        target = stage / pdf.name
        command = chromium_command(chromium, profile, "--no-pdf-header-footer", f"--print-to-pdf={target}",
                                   html.as_uri())
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            try:
                said, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RenderError(f"打印 PDF 超时：{html.name} 在 {timeout:g} 秒内没有打印完成"
                                  f"（浏览器 {chromium}），已停止浏览器") from None
            finally:
                _stop_group(proc)  # helpers it left (and, on an interruption, the browser itself)
        finally:
            remove_stale(stage, pids={os.getpid()})  # the browser's profile folder, whatever happened
        said = said.decode("utf-8", "replace")
        written = target.is_file() and target.stat().st_size > 0
        if proc.returncode != 0 or not written:
            raise RenderError(f"打印 PDF 失败：{html.name}，浏览器 {chromium} 退出码 {proc.returncode}，"
                              f"{'已写出' if written else '没有写出'} PDF 文件；浏览器输出：{_tail(said) or '无'}")
        with open(target, "rb") as fh:
            if fh.read(5) != b"%PDF-":
                raise RenderError(f"打印 PDF 失败：{html.name}，浏览器写出的文件不是 PDF")
    return pdf


class DevToolsPage:
    """One tab of a headless Chromium, driven over the DevTools protocol (a context manager).

    Parameters
    ----------
    profile : str or Path
        An empty folder for the browser's profile (the caller's: a test's temporary folder); it is
        left to the caller to remove.
    chromium : str, keyword-only, optional
        The browser program; default :func:`require_chromium`.
    timeout : float, keyword-only
        Seconds any one step (start, a command, a page load) may take before a :class:`RenderError`.

    Examples
    --------
    ``with DevToolsPage(tmp) as tab: tab.open(path, width=1366, height=768); tab.evaluate("document.title")``
    """

    def __init__(self, profile: str | Path, *, chromium: str | None = None,
                 timeout: float = START_TIMEOUT_S) -> None:
        self.chromium = chromium or require_chromium()
        self.profile = Path(profile)
        self.timeout = timeout
        self._next_id = 0
        self._proc: subprocess.Popen | None = None
        self._socket = None
        self._session: str | None = None

    # -- life cycle -------------------------------------------------------------------
    def __enter__(self) -> "DevToolsPage":
        import websocket  # websocket-client

        self.profile.mkdir(parents=True, exist_ok=True)
        command = chromium_command(self.chromium, self.profile, "--remote-debugging-port=0",
                                   "--remote-allow-origins=*", "about:blank")
        self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = self.profile / "DevToolsActivePort"
            end = time.monotonic() + self.timeout
            while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
                if self._proc.poll() is not None or time.monotonic() > end:
                    raise RenderError(f"浏览器 {self.chromium} 没有打开调试端口（退出码 {self._proc.poll()}）")
                time.sleep(0.05)
            port, path = port_file.read_text().split()[:2]
            self._socket = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=self.timeout,
                                                       suppress_origin=True)
            target = self._call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
            self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                       session=False)["sessionId"]
            self._call("Page.enable")
            self._call("Runtime.enable")
            self._call("Emulation.setScrollbarsHidden", {"hidden": True})  # the window is all page
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self._socket is not None:
            try:
                self._socket.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
            self._socket = None
        if self._proc is not None:
            _stop_group(self._proc)
            self._proc = None

    # -- the protocol ---------------------------------------------------------------------
    def _call(self, method: str, params: Mapping[str, Any] | None = None, *, session: bool = True) -> dict:
        """Send one command and return its result (events received meanwhile are dropped)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": dict(params or {})}
        if session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            reply = json.loads(self._socket.recv())
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RenderError(f"浏览器命令 {method} 失败：{reply['error'].get('message')}")
                return reply.get("result", {})
        raise RenderError(f"浏览器命令 {method} 在 {self.timeout:g} 秒内没有回应")

    def evaluate(self, expression: str) -> Any:
        """The value of the JavaScript ``expression`` in the page (JSON-like values; promises awaited)."""
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                 "awaitPromise": True})
        if "exceptionDetails" in result:
            raise RenderError(f"页面脚本出错：{result['exceptionDetails'].get('text')} — {expression[:80]}")
        return result.get("result", {}).get("value")

    def resize(self, width: int, height: int) -> None:
        """Make the window ``width`` × ``height`` CSS pixels (device scale 1, desktop)."""
        self._call("Emulation.setDeviceMetricsOverride", {"width": int(width), "height": int(height),
                                                          "deviceScaleFactor": 1, "mobile": False})

    def media(self, media: str) -> None:
        """Emulate the CSS media type ``"print"`` or ``"screen"`` (``""``: the page's own)."""
        self._call("Emulation.setEmulatedMedia", {"media": media})

    def open(self, page: str | Path, *, width: int = 1366, height: int = 768) -> None:
        """Load the file ``page`` in a ``width`` × ``height`` window and wait until it and its fonts are loaded."""
        self.resize(width, height)
        self.media("")
        url = Path(page).absolute().as_uri()
        self._call("Page.navigate", {"url": url})
        end = time.monotonic() + self.timeout
        ready = f"location.href === {json.dumps(url)} && document.readyState === 'complete'" \
                " && document.fonts.status === 'loaded'"
        while not self.evaluate(ready):
            if time.monotonic() > end:
                raise RenderError(f"页面 {Path(page).name} 在 {self.timeout:g} 秒内没有加载完成")
            time.sleep(0.05)
        self.evaluate("window.scrollTo(0, 0)")

    def all(self, expression: str) -> Sequence[Any]:
        """:meth:`evaluate` for an expression giving an array (an empty list for ``null``)."""
        return self.evaluate(expression) or []
