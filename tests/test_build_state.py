"""No build leaves its state in a module: one Pelican run's state lives in its ``Build``.

Two real Pelican builds of the sample archive (cold, then warm) run in this process,
the way ``pelican --autoreload`` and the test suite run many builds in one process.
Every global of every ``news_archive`` module is recorded before, at points during
each build (after the plugin's receivers of several signals) and after: a global
rebound, or a container or object whose contents changed, is per-build state kept
where the next build (or another site built in the same process) would find it.

Allowed, each for a stated reason, are memos of pure functions of the installed code
and packages (the same value for every build), and the process's own locks.
"""

from __future__ import annotations

import gc
import hashlib
import importlib
import pkgutil
import shutil
import types
import weakref
from pathlib import Path
from typing import Any

import news_archive
import pytest
from conftest import ROOT, SAMPLE_DUMPS
from news_archive.speedups import BUILD_GC_THRESHOLD

# module.name → why it may change during a build.
ALLOWED = {
    "news_archive.enrich.gazetteer.PLACES": "the place table, a pure function of the installed packages",
    "news_archive.buildlock._HELD": "locks held by this process (released at the end of each build)",
    "news_archive.search.static_index._WRITING": "the process's lock of the static index writer "
                                                 "(held while Pagefind's bundle is written, one at a time)",
}


def all_modules() -> list[types.ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(news_archive.__path__, "news_archive.")
             if m.name != "news_archive.__main__"]
    return [news_archive, *(importlib.import_module(n) for n in sorted(names))]


def _state(value: Any) -> str:
    """What a value holds now, as a digest (its identity plus its contents)."""
    try:
        contents = repr(vars(value)) if hasattr(value, "__dict__") else repr(value)
    except Exception as exc:  # noqa: BLE001 - an unprintable value is compared by identity only
        contents = f"unprintable {type(exc).__name__}"
    return f"{id(value)}:" + hashlib.sha256(contents.encode("utf-8", "surrogatepass")).hexdigest()


def snapshot(modules: list[types.ModuleType]) -> dict[str, str]:
    """Every global that can hold state: not modules, functions, classes or loggers.

    The collector runs first: an object an earlier test (or build) left unreachable is freed
    now, not at some point of the build under check, so what a global refers to is the
    same on every run (weakly keyed module globals, whose contents change whenever the
    collector frees a key, are refused outright: :func:`test_no_module_global_is_weakly_keyed`)."""
    gc.collect()
    out = {}
    for module in modules:
        for name, value in vars(module).items():
            if name.startswith("__") or isinstance(value, (types.ModuleType, types.FunctionType, type,
                                                            types.BuiltinFunctionType)):
                continue
            if type(value).__name__ in ("Logger", "_lru_cache_wrapper", "Pattern", "TypeVar"):
                continue
            out[f"{module.__name__}.{name}"] = _state(value)
    return out


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k) and k not in ALLOWED)


# Signals after whose plugin receivers the globals are compared again, mid-build.
CHECKPOINTS = ("article_generator_finalized", "all_generators_finalized", "article_writer_finalized", "finalized")


def build_in_process(root: Path, probe: Any = None) -> None:
    """A real Pelican build of the sample archive; ``probe(signal_name)`` runs after the
    plugin's own receivers of each of CHECKPOINTS."""
    from pelican import Pelican
    from pelican.settings import read_settings

    content = root / "content"
    if not content.exists():
        shutil.copytree(SAMPLE_DUMPS, content / "dumps")
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(content), "OUTPUT_PATH": str(root / "output"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
        "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_NER_PROCESSES": 1,
    })
    from pelican import signals

    pelican = Pelican(settings)  # loads the plugin: its receivers are connected first
    receivers = []
    if probe is not None:
        for name in CHECKPOINTS:
            def receiver(*args: Any, _name: str = name, **kwargs: Any) -> None:
                probe(_name)
            receivers.append((getattr(signals, name), receiver))
            getattr(signals, name).connect(receiver)
    try:
        pelican.run()
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


def test_the_check_sees_a_module_global_written() -> None:
    """The detector itself: a dict filled and a global rebound are both seen."""
    module = types.ModuleType("news_archive_probe")
    module.memo = {}
    module.last = None
    before = snapshot([module])
    module.memo["a"] = 1
    assert changed(before, snapshot([module])) == ["news_archive_probe.memo"]
    module.last = object()
    assert "news_archive_probe.last" in changed(before, snapshot([module]))


WEAK = (weakref.WeakKeyDictionary, weakref.WeakValueDictionary, weakref.WeakSet)


def test_no_module_global_is_weakly_keyed() -> None:
    """A weak table in a module (a deletion mask per index reader, say) is state of every
    index and site the process ever opened, and it changes when the collector runs, not when
    the code does: whether the check above saw it depended on which tests ran before.  Such
    a table belongs to the object whose lifetime it follows (an index generation)."""
    found = [f"{module.__name__}.{name}" for module in all_modules() for name, value in vars(module).items()
             if isinstance(value, WEAK)]
    assert found == []


def test_builds_leave_no_state_in_module_globals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setenv("CI", "1")
    modules = all_modules()
    build_in_process(tmp_path / "warmup")  # first use fills the allowed memos and imports lazily
    modules = all_modules()
    before = snapshot(modules)
    seen: dict[str, list[str]] = {}

    during: set[int] = set()

    def probe(when: str) -> None:
        seen[when] = changed(before, snapshot(modules))
        if when != "finalized":  # after the plugin's last receiver, which puts it back
            during.add(gc.get_threshold()[0])

    thresholds = gc.get_threshold()
    for build in ("cold", "warm"):  # the warm build reads caches and memos back
        seen.clear()
        build_in_process(tmp_path / "site", probe)
        assert gc.get_threshold() == thresholds, f"{build}: the collector's threshold outlived the build"
        assert during == {BUILD_GC_THRESHOLD}, f"{build}: the collector ran at {during} during the build"
        during.clear()
        assert set(seen) == set(CHECKPOINTS), build
        assert {when: names for when, names in seen.items() if names} == {}, build
        assert changed(before, snapshot(modules)) == [], build
    assert (tmp_path / "site" / "output" / "index.html").is_file()


def test_kept_memos_live_as_long_as_a_watch_session_and_no_longer() -> None:
    """``Build.kept``: a one-shot build's memo dies with it; a watch cycle's is the next's."""
    from news_archive.build import WATCH_KEY, Build
    from news_archive.watch import WatchSession

    first, second = Build({}), Build({})
    first.kept("pages")["digest"] = "page"
    assert second.kept("pages") == {}

    session = WatchSession(str(ROOT / "pelicanconf.py"))
    cycle_one, cycle_two = Build({WATCH_KEY: session}), Build({WATCH_KEY: session})
    cycle_one.kept("pages")["digest"] = "page"
    assert cycle_two.kept("pages") == {"digest": "page"}
    assert cycle_two.kept("other") == {}


def test_a_one_shot_build_lets_the_ner_entries_go_with_the_archive_pass(tmp_path: Path) -> None:
    """The NER cache's entries (bytes and parsed spans) and the last pass are a watch
    session's memo for its next cycle; a one-shot build has no next cycle, and held them,
    a gigabyte at 20,000 stories, through its whole render."""
    from news_archive.build import WATCH_KEY, Build
    from news_archive.convert import convert_all
    from news_archive.watch import WatchSession
    from pelican.settings import read_settings

    dumps = tmp_path / "content" / "dumps"
    dumps.mkdir(parents=True)
    shutil.copy2(SAMPLE_DUMPS / "000_eacdf06b02cf087c.txt", dumps)
    override = {"PATH": str(tmp_path / "content"), "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var")}
    settings = read_settings(str(ROOT / "pelicanconf.py"), override=override)
    one_shot = Build.start(settings)
    convert_all(settings)
    assert one_shot.stories and "ner" not in one_shot._kept

    session = WatchSession(str(ROOT / "pelicanconf.py"))
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={**override, WATCH_KEY: session})
    Build.start(settings)
    convert_all(settings)
    assert session.kept["ner"]["entries"]  # what the next cycle reads instead of the files
