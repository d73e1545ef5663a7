"""A running app server and a headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SITEFINDER_ARTIFACTS", ROOT / "artifacts"))
LINK_SECRET = "browser-test-secret"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 120.0, step: float = 0.25):
    """Poll ``predicate`` until it returns something true (returned), or fail after ``timeout`` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def start_app(extra_env: dict[str, str] | None = None, script: Path = ROOT / "app.py") -> tuple[subprocess.Popen, str]:
    """Start ``script`` (the app) on a free port (with ``extra_env``) and wait until it answers.

    The server's output goes to a temporary file, never to an unread pipe: a pipe that nobody
    reads fills up (64 kB) and then blocks the server at its next log line.
    """
    port = _free_port()
    env = {**os.environ, "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "SITEFINDER_LINK_SECRET": LINK_SECRET, **(extra_env or {})}
    log = tempfile.NamedTemporaryFile(prefix="sitefinder-server-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port",
                             str(port), "--server.address", "127.0.0.1"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = Path(log.name)  # type: ignore[attr-defined]
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"the app did not start: {server_log(proc)[-2000:]}")


def server_log(proc: subprocess.Popen) -> str:
    """What a server started by :func:`start_app` has written so far."""
    path = getattr(proc, "log_path", None)
    return path.read_text(encoding="utf-8", errors="replace") if path and path.exists() else ""


def stop_app(proc: subprocess.Popen) -> None:
    """Stop a server started by :func:`start_app` (killed if it does not end within 20 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    db = tmp_path_factory.mktemp("registry") / "registry.sqlite"
    proc, url = start_app({"SITEFINDER_DATABASE_URL": f"sqlite:///{db}"})
    yield url
    stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    pg = context.new_page()
    yield pg
    context.close()
