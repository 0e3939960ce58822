"""One build at a time per work folder, and what interrupted builds leave behind is cleared.

Real Pelican builds of a small archive (NER off); the "other build" holding the lock is
a real second process.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, build_site
from news_archive import fileio
from news_archive.convert import _remove_stale
from news_archive.identity import State
from test_search_language import write_dumps

FAST = {"NEWS_ARCHIVE_NER": False}

HOLDER = """
import sys, time
sys.path.insert(0, {plugins!r})
from news_archive import buildlock
buildlock.acquire({work!r})
print("locked", flush=True)
time.sleep(120)
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "400")  # Pelican's console would wrap the message
    write_dumps(tmp_path / "content" / "dumps")
    return tmp_path


def hold_lock(work: Path) -> subprocess.Popen:
    """Another process that takes the build lock of ``work`` and keeps it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER.format(plugins=str(ROOT / "plugins"), work=str(work))],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_second_build_refuses_clearly_while_another_runs(root: Path):
    holder = hold_lock(root / "var")
    try:
        site = build_site(root, extra=FAST, check=False)
    finally:
        holder.kill()
        holder.wait()
    assert f"another build is running in {root / 'var'} (pid {holder.pid})" in site.log
    assert not (root / "content" / "generated").exists()  # it did nothing at all
    assert not (root / "var" / "report.json").exists()


def test_the_refusal_exits_non_zero(root: Path):
    holder = hold_lock(root / "var")
    try:
        cmd = [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(ROOT / "pelicanconf.py"),
               "-o", str(root / "output"), "-e", f'NEWS_ARCHIVE_WORK_DIR="{root / "var"}"',
               f'PATH="{root / "content"}"', "NEWS_ARCHIVE_NER=false"]  # one -e: Pelican keeps the last
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
    finally:
        holder.kill()
        holder.wait()
    assert proc.returncode == 75, proc.stdout + proc.stderr


def test_a_killed_builds_lock_does_not_block_the_next(root: Path):
    holder = hold_lock(root / "var")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (root / "var" / "build.lock").read_text().strip() == str(holder.pid)  # the file stays
    site = build_site(root, extra=FAST)
    assert site.report["counts"]["converted"] == 6


MANY = {f"story{i}": (f"Council votes on plan number {i}", f"2018-02-{i % 27 + 1:02d}", "AFP", [],
                      f"The council voted on plan number {i} on Tuesday after a debate about roads and "
                      f"schools in district {i}.\n\nMembers said the plan would cost {i} million.")
        for i in range(40)}


def test_two_builds_at_once_in_one_tree_never_crash(root: Path):
    """Before the lock, one of two builds after dumps were removed crashed in remove_stale."""
    write_dumps(root / "content" / "dumps", MANY)
    site = build_site(root, extra=FAST)
    for key in MANY:
        (site.content / "dumps" / f"{key}.json").unlink()
    (site.content / "dumps" / "stadium.json").unlink()
    (site.content / "dumps" / "court.json").unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000"}
    cmd = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from conftest import build_site; "
           "from pathlib import Path; s = build_site(Path(sys.argv[2]), extra={'NEWS_ARCHIVE_NER': False}, "
           "check=False); print(s.log)", str(ROOT / "tests"), str(root)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(2)]
    logs = [p.communicate(timeout=300)[0] for p in procs]
    for log in logs:
        assert "FileNotFoundError" not in log and "Traceback" not in log, log
    finished = [log for log in logs if "another build is running" not in log]
    assert finished  # at least one of them built
    rebuilt = build_site(root, extra=FAST)
    assert rebuilt.report["counts"]["converted"] == 4
    assert not (site.output / "news" / "club-sets-football-stadium-budget").exists()


def test_temporary_files_of_interrupted_writes_are_removed_at_build_start(root: Path):
    site = build_site(root, extra=FAST)
    interrupted = hold_lock(site.work)  # a build killed mid-write: it never said it finished
    interrupted.send_signal(signal.SIGKILL)
    interrupted.wait()
    gone = dead_pid()
    stale = [site.work / "cache" / f".phrases.json.{gone}.tmp",
             site.output / "news" / f".index.html.{gone}.tmp",
             site.content / "generated" / f".budget.md.{gone}.tmp"]
    live = site.work / "cache" / f".phrases.json.{os.getpid()}.tmp"  # a writer that is still running
    for path in [*stale, live]:
        path.write_text("half a file")
    build_site(root, extra=FAST)
    assert [p for p in stale if p.exists()] == []
    assert live.exists()


def test_after_a_finished_build_the_next_does_not_walk_the_output_for_temporary_files(root: Path):
    """Only a build that died mid-write leaves temporary files; a finished one says so in the
    lock file, and the next build trusts it (walking 150,000 output files is seconds)."""
    site = build_site(root, extra=FAST)
    lock = site.work / "build.lock"
    pid, said = lock.read_text().split()
    assert said == "finished" and pid.isdigit()
    planted = site.output / "news" / f".index.html.{dead_pid()}.tmp"  # no build left this
    planted.write_text("not from a build")
    build_site(root, extra=FAST)
    assert planted.exists()
    assert lock.read_text().split()[1:] == ["finished"]


def test_stale_deletions_tolerate_files_already_gone(tmp_path: Path):
    out = tmp_path / "output"
    (out / "a").mkdir(parents=True)
    (out / "a" / "one.html").write_text("x")
    removed = fileio.remove_stale(str(out), ["a/one.html", "a/two.html", "b/three.html"], set())
    assert removed == ["a/one.html"] and not (out / "a").exists()

    generated = tmp_path / "generated"
    generated.mkdir()
    (generated / "kept.md").write_text("kept")
    (generated / "vanished.md").symlink_to(generated / "nowhere.md")  # listed, but cannot be read
    state = State(tmp_path / "state.json")
    state.written = {"vanished": "0" * 64, "kept": hashlib.sha256(b"kept").hexdigest()}
    _remove_stale(generated, set(), state)
    assert state.written == {} and not (generated / "kept.md").exists()


def test_pages_and_feeds_are_written_beside_and_renamed(tmp_path: Path):
    """A reader (the web server) never sees half a page: the old inode stays whole."""
    target = tmp_path / "page.html"
    target.write_text("old page")
    with open(target) as reader:
        assert fileio.write_if_changed(str(target), b"new page")
        assert reader.read() == "old page"
    assert target.read_text() == "new page"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]
