"""What the tests (and the benchmarks) share: real builds, real servers, the shared data.

A build is ``python -m pelican`` in a subprocess with this project's settings, the
content, output and work folders pointed into a temporary directory, so tests never
touch ``content/generated``, ``output/`` or ``var/`` of the working tree.  The plugin is
the one installed in the virtual environment (``make`` installs it, editable), so no
helper here puts ``plugins/`` on a path.

Tests import these as ``from support import …`` (pytest puts ``tests/`` on the path:
``pythonpath`` in pyproject.toml); ``bench/`` scripts put ``tests/`` on ``sys.path``
themselves.  Fixtures stay in ``conftest.py``.  pytest is imported only where a test is
skipped, so a benchmark can use the rest without the test tools.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE_DUMPS = ROOT / "content" / "dumps"
SEED = "000_eacdf06b02cf087c.txt"
# A fixed build time, so that two builds of the same dumps write the same pages.
BUILD_ENV = {"SOURCE_DATE_EPOCH": "1764000000"}


def write_settings_file(path: Path, content: Path, output: Path, work: Path) -> Path:
    """A Pelican settings file: this project's pelicanconf.py pointed at another tree.

    Written whole and renamed into place: two test workers sharing one site may write it
    at the same time, and a server must never read half of it."""
    text = (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n"
        f"PATH = {str(content)!r}\nOUTPUT_PATH = {str(output)!r}\n"
        f"NEWS_ARCHIVE_WORK_DIR = {str(work)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
    )
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        part = path.with_name(f".{path.name}.{os.getpid()}")
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    return path


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
        return write_settings_file(self.root / "siteconf.py", self.content, self.output, self.work)


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
    # One -e with every pair: Pelican keeps only the last -e it is given.
    cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
    proc = subprocess.run(cmd, cwd=root, env={**os.environ, **BUILD_ENV}, capture_output=True, text=True,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pelican failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return Site(root=root, content=content, output=output, work=work, log=proc.stdout + proc.stderr)


def built_once(base: Path, name: str, build: Callable[[Path], Site]) -> Site:
    """``build(root)`` once for the whole test run, even when pytest-xdist runs it in
    several worker processes: the first worker to take the lock builds, the others wait
    and reuse the site.  ``base`` is a folder every worker shares (the parent of each
    worker's own temporary folder); without xdist the build is simply run.  The shared
    site is read-only for its users: a test that changes a site builds its own."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = base / name
        root.mkdir(parents=True, exist_ok=True)
        return build(root)
    root = base / name
    done = base / f"{name}.built"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return Site(root=root, content=root / "content", output=root / "output", work=root / "var",
                        log=done.read_text(encoding="utf-8"))
        shutil.rmtree(root, ignore_errors=True)  # a worker that died mid-build
        root.mkdir(parents=True)
        site = build(root)
        done.write_text(site.log, encoding="utf-8")
        return site


def dump_entries(dumps: Path) -> set[str]:
    """Every entry a maintainer sees in a dumps folder: files, links (to anything) and
    special files, named as the build report names them."""
    out = set()
    for dirpath, dirs, files in os.walk(dumps):
        for name in files + [d for d in dirs if (Path(dirpath) / d).is_symlink()]:
            rel = (Path(dirpath) / name).relative_to(dumps).as_posix()
            out.add(rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))
    return out


# --- the search service -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60, path: str = "/",
                  timeout: float = 2) -> None:
    """Poll ``url + path`` until it answers; fail at once if the server process has died.

    ``path`` is what the server must answer (a search service may have no page at ``/``);
    ``timeout`` bounds each try (a first search that opens a large index takes longer)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + path, timeout=timeout).read()
            return
        except OSError:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else b""
                raise AssertionError((out.decode() if isinstance(out, bytes) else out) or "server died") from None
            time.sleep(0.2)
    stop(proc)
    raise AssertionError("server did not start")


def start_service(settings: Path, output: Path, cwd: Path, quiet: bool = False) -> Server:
    """`python -m news_archive serve` (waitress) on a free loopback port, once it answers."""
    port = free_port()
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "news_archive", "serve", "--settings", str(settings),
         "--output", str(output), "--host", "127.0.0.1", "--port", str(port)],
        cwd=cwd, stdout=out, stderr=subprocess.STDOUT if not quiet else subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, proc)
    return Server(url, proc)


def start_server(site: Site) -> Server:
    """The search service for a built site."""
    return start_service(site.settings_file(), site.output, site.root)


def stop(proc: subprocess.Popen, seconds: float = 10) -> None:
    """Stop a server: ask (SIGTERM), then insist (SIGKILL) if it has not gone in ``seconds``."""
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=seconds)


# --- how big a run is ------------------------------------------------------------------

# Set by conftest.py (``pytest --full-scale``) before any test module is imported.
SCALE = {"full": False}


def examples(small: int, full: int) -> int:
    """A hypothesis test's example count: ``small`` in ``make test``, ``full`` under
    ``pytest --full-scale`` (where the counts the properties were first checked with run)."""
    return full if SCALE["full"] else small


# --- what a test may lack ---------------------------------------------------------------


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with a clear message."""
    path = SHARED.joinpath("data", *parts)
    if not path.exists():
        import pytest

        pytest.skip(f"shared data not available: {path}")
    return path


CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def missing(what: str) -> None:
    """A prerequisite is absent: a failure in CI, a clear skip on a developer's machine."""
    import pytest

    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} (CI must run the browser tests)")
    pytest.skip(what)


def sample_stories(work: Path) -> list:
    """The sample archive's stories (``content/dumps``) as ingest hands them on; ``work``
    holds the URL state ingest keeps."""
    from news_archive.identity import State
    from news_archive.read_dumps import read_all

    stories, _ = read_all(SAMPLE_DUMPS, State(work / "state.json"), work / "dumps", False)
    assert len(stories) >= 20
    return stories


def assigned_tags(stories: list, vocabulary=None, cache_dir: Path | None = None,
                  memo_dir: Path | None = None) -> list[list[str]]:
    """The tags the archive's code gives copies of ``stories`` (3 to 8 a story):
    ``tags.assign_all`` (with its phrase cache in ``cache_dir``), or with ``memo_dir`` the
    memoised ``enrich.memo.assign_tags``."""
    import copy

    from news_archive.enrich import memo, tags

    stories = copy.deepcopy(stories)
    if memo_dir is not None:
        memo.assign_tags(stories, 3, 8, vocabulary, memo_dir)
    else:
        tags.assign_all(stories, 3, 8, vocabulary, cache_dir=cache_dir)
    return [s.tags for s in stories]


# --- texts for the NER model ------------------------------------------------------------

NER_PEOPLE = ["Angela Merkel", "Emmanuel Macron", "Joe Biden", "Olaf Scholz", "Ursula von der Leyen"]
NER_PLACES = ["Paris", "Brussels", "Washington", "Tokyo", "Nairobi", "Lima", "Oslo"]


def ner_texts(n: int) -> list[str]:
    """Distinct short stories of different lengths (so chunks, batches and pieces are
    uneven), each with an all-caps headline and names met again later in the text: what
    the NER tests feed one process and several and compare."""
    out = []
    for i in range(n):
        who, where = NER_PEOPLE[i % len(NER_PEOPLE)], NER_PLACES[(i * 3) % len(NER_PLACES)]
        body = [f"TALKS IN {where.upper()} ON DAY {i}", f"{who} arrived in {where} on day {i} of the talks."] + [
            f"The Bank of Japan and Toyota were discussed in {NER_PLACES[j % len(NER_PLACES)]}." for j in range(i % 4)
        ] + [f"{who.split()[-1]} said the World Health Organization (WHO) would report."]
        out.append("\n\n".join(body))
    return out
