"""Fixtures only: the sample archive built once, its search service, the browser.

The helpers they use (builds, servers, shared data) are in ``tests/support.py``; import
them from there.  The names below are also re-exported here so that test modules still
written ``from conftest import …`` keep working while branches merge (remove once none is).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import (  # noqa: F401  (re-exported for `from conftest import …`)
    AXE,
    CHROMIUM,
    LAUNCH_ARGS,
    ROOT,
    SAMPLE_DUMPS,
    SEED,
    SHARED,
    Server,
    Site,
    build_site,
    built_once,
    free_port,
    missing,
    shared_data,
    start_server,
    stop,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full-scale", action="store_true", default=False,
                     help="build the archive-scale browser tests from all 2,095 BBC stories, not one in four; "
                          "every generated static-bundle query; the large hypothesis example counts")


def pytest_configure(config: pytest.Config) -> None:
    """``--full-scale`` reaches ``support.examples`` before the test modules (and their
    ``@settings``) are imported; each xdist worker runs this too."""
    import support

    support.SCALE["full"] = bool(config.getoption("full_scale"))


def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder all xdist workers of this run share (each worker's own temporary folder is
    ``popen-gwN`` inside it); without xdist, this session's own temporary folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The bundled sample archive, built once per test run (shared by the xdist workers)."""
    return built_once(shared_tmp(tmp_path_factory), "sample", lambda root: build_site(root, SAMPLE_DUMPS))


@pytest.fixture(scope="session")
def sample_server(sample_site: Site):
    server = start_server(sample_site)
    yield server
    stop(server.proc)


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
