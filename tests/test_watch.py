"""``news-archive watch`` writes what a one-shot build of the same dumps writes, cycle after cycle.

A real watcher (the console command, in a process of its own, watching the folder with
watchfiles) and a twin tree built by one-shot ``pelican`` runs go through the same steps:
the first build, a dump added (with a broken one beside it), a dump changed, a dump
removed, a setting changed (the size limit, under a dump the session knows by its stat
signature).  After each step every output file of the two trees is compared byte for byte.

The twin is a one-shot *incremental* build (each step builds on the last), because that
is what the watcher is: whether incremental equals from-scratch is checked elsewhere
(bench/build.py --verify and the incremental tests).

Then the build lock: with another build holding the work folder's lock, a cycle is
refused and said to be, and is run once the lock is free, with no new change.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, build_site
from news_archive import buildlock
from support import BUILD_ENV, SAMPLE_DUMPS, SEED, stop

SIDECAR = ROOT / "tests" / "data" / "dumps" / "sidecar"


# Pagefind 1.5.2 writes its filter chunks in an order of its own that changes from one
# process to the next (a Rust hash map): two one-shot builds of the same dumps differ in
# those chunks, in the meta and entry files that name them by hash, and in the facet byte
# count search/index.html quotes.  Those are compared by what they hold, not byte for byte.
FILTER_NAMED = re.compile(r"^pagefind/(filter/[^/]+\.pf_filter|pagefind\.[^/]+\.pf_meta|pagefind-entry\.json)$")
FACET_BYTES = re.compile(rb'data-facet-bytes="\d+"')


def output_files(output: Path) -> dict[str, bytes]:
    """Every output file's bytes, Pagefind's filter chunks (see FILTER_NAMED) pooled into one
    entry of what they hold: their decoded bytes, each chunk's sorted, in sorted order."""
    files, filters = {}, []
    for p in sorted(output.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(output).as_posix()
        if FILTER_NAMED.match(rel):
            data = gzip.decompress(p.read_bytes()) if p.suffix.startswith(".pf_") else p.read_bytes()
            filters.append(bytes(sorted(data)) if p.suffix == ".pf_filter" else b"")
            continue
        files[rel] = FACET_BYTES.sub(b"", p.read_bytes()) if rel == "search/index.html" else p.read_bytes()
    files["pagefind filter chunks"] = b"|".join(sorted(filters))
    return files


def differences(a: Path, b: Path) -> list[str]:
    left, right = output_files(a), output_files(b)
    out = [f"only watched: {p}" for p in sorted(left.keys() - right.keys())]
    out += [f"only one-shot: {p}" for p in sorted(right.keys() - left.keys())]
    out += [f"differs: {p}" for p in sorted(left.keys() & right.keys()) if left[p] != right[p]]
    return out


class Watcher:
    """``python -m news_archive watch`` on a tree, and the cycles it reports in watch.json."""

    def __init__(self, root: Path, conf: Path = ROOT / "pelicanconf.py") -> None:
        self.root = root
        self.status = root / "var" / "watch.json"
        settings = {"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
                    "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False}
        cmd = [sys.executable, "-m", "news_archive", "watch", "--settings", str(conf),
               "--output", str(root / "output"), "--debounce-ms", "100"]
        for key, value in settings.items():
            cmd += ["-e", f"{key}={json.dumps(value)}"]
        self.log = open(root / "watch.log", "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=root, env={**os.environ, **BUILD_ENV}, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def cycle(self, number: int, seconds: float = 120, exact: bool = True) -> dict:
        """Wait for cycle ``number`` (or, not ``exact``, any later one) to be reported; its status."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the watcher exited:\n{self.text()}"
            try:
                status = json.loads(self.status.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                status = {}
            if status.get("number", 0) >= number:
                assert status["number"] == number or not exact, f"cycle {number} was followed by more:\n{self.text()}"
                return status
            time.sleep(0.1)
        raise AssertionError(f"no cycle {number} within {seconds} s:\n{self.text()}")

    def text(self) -> str:
        self.log.flush()
        return (self.root / "watch.log").read_text(encoding="utf-8")

    def stop(self) -> None:
        stop(self.proc)
        self.log.close()


def test_watch_cycles_write_what_one_shot_builds_write(tmp_path: Path) -> None:
    watched, oneshot = tmp_path / "watched", tmp_path / "oneshot"
    for root in (watched, oneshot):
        shutil.copytree(SIDECAR, root / "content" / "dumps")
    conf = tmp_path / "conf.py"  # the watcher's settings file: a step edits it
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n", "utf-8")
    limit: dict[str, int] = {}  # the one-shot twin's settings

    def lower_limit(dumps: Path) -> None:
        """A setting that decides what is read: the seed dump, unchanged (known to the session
        by its stat signature), is now over the size limit."""
        below = (dumps / SEED).stat().st_size - 1
        if dumps.parent.parent == oneshot:
            limit["NEWS_ARCHIVE_MAX_DUMP_BYTES"] = below
        else:
            conf.write_text(conf.read_text("utf-8") + f"NEWS_ARCHIVE_MAX_DUMP_BYTES = {below}\n", "utf-8")

    watcher = Watcher(watched, conf)
    try:
        assert watcher.cycle(1)["ok"]
        build_site(oneshot)
        assert differences(watched / "output", oneshot / "output") == []

        steps = {
            "a dump added, and a broken one": lambda d: (shutil.copy2(SAMPLE_DUMPS / SEED, d / SEED),
                                                         (d / "broken.json").write_text("{not json", "utf-8")),
            "a dump changed": lambda d: (d / "second-story.txt").write_text(
                (d / "second-story.txt").read_text("utf-8") + "\nThe statistics office will publish revised "
                "figures for the whole year in February, officials said.\n", "utf-8"),
            "a dump removed": lambda d: ((d / "wire-story.txt").unlink(), (d / "wire-story.txt.meta.json").unlink()),
            "a setting changed": lower_limit,
        }
        for number, (step, change) in enumerate(steps.items(), start=2):
            change(watched / "content" / "dumps")
            status = watcher.cycle(number)
            assert status["ok"], (step, status)
            change(oneshot / "content" / "dumps")
            site = build_site(oneshot, extra=limit)
            assert status["counts"] == site.report["counts"], step
            assert differences(watched / "output", oneshot / "output") == [], step
        assert status["counts"]["rejected"] == 2  # the broken dump, the seed over the limit; the watcher goes on
        assert "rejected  broken.json" in watcher.text()

        # Another build holds the lock: the cycle is refused, then run once the lock is free.
        work = str(watched / "var")
        lock = subprocess.Popen([sys.executable, "-c", "import sys, time; from news_archive import buildlock; "
                                 f"buildlock.acquire({work!r}); print('held', flush=True); time.sleep(60)"],
                                stdout=subprocess.PIPE, text=True)
        try:
            assert lock.stdout.readline().strip() == "held"
            (watched / "content" / "dumps" / "second-story.txt").unlink()
            refused = watcher.cycle(6)
            assert refused["locked"] and not refused["ok"] and f"pid {lock.pid}" in refused["error"]
        finally:
            stop(lock)
        retried = watcher.cycle(7, exact=False)
        while not retried["ok"]:  # refused again while the lock was being let go
            retried = watcher.cycle(retried["number"] + 1, exact=False)
        assert retried["changes"] == refused["changes"]  # the change waited, was not lost
        assert retried["counts"]["converted"] == status["counts"]["converted"] - 1
        assert buildlock.holder(buildlock.lock_path(work)) == str(watcher.proc.pid)
    finally:
        watcher.stop()


LEFT_ALIVE = """
import gc, json, shutil, sys
from pathlib import Path
from support import SAMPLE_DUMPS, write_settings_file
from news_archive.build import Build
from news_archive.watch import WatchSession
from pelican.contents import Article
root = Path(sys.argv[1])
shutil.copytree(SAMPLE_DUMPS, root / "content" / "dumps")
conf = write_settings_file(root / "conf.py", root / "content", root / "output", root / "var")
session = WatchSession(str(conf), overrides={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_PROGRESS": False})
cycle = session.build()
print(json.dumps({"ok": cycle.ok, "builds": sum(isinstance(o, Build) for o in gc.get_objects()),
                  "articles": sum(isinstance(o, Article) for o in gc.get_objects())}))
"""


def test_a_cycle_leaves_nothing_of_itself_alive_for_the_next(tmp_path: Path) -> None:
    """Pelican's memoized content caches kept every cycle's articles, and through them its
    settings and build, alive in the watcher: at 20,000 stories its peak grew from 5.6 to
    6.9 GiB and a cycle took longer than a one-shot build."""
    proc = subprocess.run([sys.executable, "-c", LEFT_ALIVE, str(tmp_path)], cwd=ROOT / "tests",
                          env={**os.environ, **BUILD_ENV}, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found == {"ok": True, "builds": 0, "articles": 0}, found
