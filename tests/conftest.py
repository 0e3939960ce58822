"""Shared fixtures: real Pelican builds into temporary folders, real servers on loopback.

A build is ``python -m pelican`` in a subprocess with this project's settings, the
content, output and work folders pointed into a temporary directory, so tests never
touch ``content/generated``, ``output/`` or ``var/`` of the working tree.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE_DUMPS = ROOT / "content" / "dumps"
SEED = "000_eacdf06b02cf087c.txt"
sys.path.insert(0, str(ROOT / "plugins"))


@dataclass
class Site:
    """A built site: where its content, output and work folders are."""

    root: Path
    content: Path
    output: Path
    work: Path
    log: str

    @property
    def report(self) -> dict:
        return json.loads((self.work / "report.json").read_text(encoding="utf-8"))

    @property
    def index(self) -> Path:
        return self.work / "index"

    def page(self, url: str) -> str:
        path = self.output / url.strip("/")
        if path.is_dir() or not path.suffix:
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    def settings_file(self) -> Path:
        """A settings file for this site, for the search service and `serve`."""
        path = self.root / "siteconf.py"
        path.write_text(
            f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n"
            f"PATH = {str(self.content)!r}\nOUTPUT_PATH = {str(self.output)!r}\n"
            f"NEWS_ARCHIVE_WORK_DIR = {str(self.work)!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
            encoding="utf-8",
        )
        return path


def build_site(root: Path, dumps: Path | list[Path] | None = None, extra: dict | None = None,
               check: bool = True) -> Site:
    """Copy dumps into ``root/content/dumps`` (unless already there) and run Pelican."""
    content = root / "content"
    target = content / "dumps"
    if dumps is not None:
        target.mkdir(parents=True, exist_ok=True)
        if isinstance(dumps, Path) and dumps.is_dir():
            shutil.copytree(dumps, target, dirs_exist_ok=True)
        else:
            for d in dumps if isinstance(dumps, list) else [dumps]:
                shutil.copy2(d, target / d.name)
    output, work = root / "output", root / "var"
    settings = {
        "PATH": str(content),
        "NEWS_ARCHIVE_WORK_DIR": str(work),
        "THEME": str(ROOT / "theme"),
        "NEWS_ARCHIVE_PROGRESS": False,
        **(extra or {}),
    }
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(ROOT / "pelicanconf.py"),
           "-o", str(output), "--fatal", "errors"]
    for key, value in settings.items():
        cmd += ["-e", f"{key}={json.dumps(value)}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000"}
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pelican failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return Site(root=root, content=content, output=output, work=work, log=proc.stdout + proc.stderr)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The bundled sample archive, built once per test session."""
    return build_site(tmp_path_factory.mktemp("sample"), SAMPLE_DUMPS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen


def start_server(site: Site) -> Server:
    """`python -m news_archive serve` (waitress) for a built site, on a free loopback port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "news_archive", "serve", "--settings", str(site.settings_file()),
         "--output", str(site.output), "--port", str(port)],
        cwd=site.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/", timeout=2).read()
            return Server(url, proc)
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read().decode() if proc.stdout else "server died") from None
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.fixture(scope="session")
def sample_server(sample_site: Site):
    server = start_server(sample_site)
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=10)


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with a clear message."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


# --- the browser (tests/browser/) ---------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def missing(what: str) -> None:
    """A prerequisite is absent: a failure in CI, a clear skip on a developer's machine."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI must run the browser tests)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright (never a downloaded browser), one per session."""
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} not found: `apt-get install chromium` to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        missing(f"{AXE} not found: run `npm ci` in tests/browser (make test does)")
    return AXE
