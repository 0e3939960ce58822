"""Nothing lost: every file under the dumps folder is accounted for in the build report.

One real build over a pile of dumps with every kind of trouble (an exact copy, the
same wire story scraped twice with small differences, two different stories under
one headline, an empty file, a binary file, an undecodable file, a JSONL file with a
bad line): each is converted, a duplicate of a named story, or rejected with a
reason, and the rest of the archive is built regardless.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DUMPS, SEED, Site, build_site

DATA = ROOT / "tests" / "data" / "dumps"


def _near_copy(seed: str) -> str:
    """The same AFP story from another scraper: other breadcrumb, a word changed, a paragraph dropped."""
    lines = seed.replace("Home Latest News", "World Asia").replace("dial up a", "step up a").split("\n")
    drop = next(i for i, ln in enumerate(lines) if ln.startswith("In January, Afghan forces"))
    del lines[drop]
    return "\n".join(lines)


SAME_HEADLINE_OTHER_STORY = (
    "Home Local Floods close mountain passes\n\nFloods close mountain passes\n\n"
    "Melting snow, not rain, flooded the valley road on Tuesday, and the county closed two passes "
    "until engineers have inspected the bridges.\n\n"
    "Farmers said the closure came at the worst time, with livestock still to be brought down "
    "from the summer pastures.\n"
)


@pytest.fixture(scope="module")
def troubled_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("troubled")
    dumps = root / "content" / "dumps"
    shutil.copytree(DATA, dumps)
    seed = (SAMPLE_DUMPS / SEED).read_text(encoding="utf-8")
    (dumps / "afp").mkdir()
    (dumps / "afp" / "seed.txt").write_text(seed, encoding="utf-8")
    (dumps / "afp" / "seed-copy.txt").write_text(seed, encoding="utf-8")
    (dumps / "afp" / "seed-other-scraper.txt").write_text(_near_copy(seed), encoding="utf-8")
    (dumps / "local-floods.txt").write_text(SAME_HEADLINE_OTHER_STORY, encoding="utf-8")
    (dumps / "bad").mkdir()
    (dumps / "bad" / "empty.txt").write_bytes(b"")
    (dumps / "bad" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    (dumps / "bad" / "undecodable.txt").write_bytes(bytes(range(0x80, 0x100)) * 40)
    return build_site(root, extra={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False})


def entries(site: Site) -> dict[str, dict]:
    return {e["path"]: e for e in site.report["dumps"]}


def test_every_file_and_record_is_accounted_for(troubled_site: Site):
    dumps = troubled_site.content / "dumps"
    files = {p.relative_to(dumps).as_posix() for p in dumps.rglob("*") if p.is_file()}
    report = entries(troubled_site)
    reported_files = {path.split("#")[0] for path in report}
    others = {f["path"]: f["role"] for f in troubled_site.report["other_files"]}
    assert reported_files | set(others) == files and not reported_files & set(others)
    assert others == {"sidecar/wire-story.txt.meta.json": "sidecar", "sidecar/manifest.csv": "manifest"}
    assert {"json/records.jsonl#1", "json/records.jsonl#2", "json/records.jsonl#3",
            "json/records.jsonl#4"} <= set(report)
    for path, e in report.items():
        assert e["status"] in ("converted", "duplicate", "rejected"), path
        if e["status"] == "converted":
            assert e["url"].startswith("/news/"), path
        elif e["status"] == "rejected":
            assert e["reason"], path


def test_bad_files_are_rejected_with_their_reason(troubled_site: Site):
    report = entries(troubled_site)
    assert report["bad/empty.txt"]["reason"] == "empty file"
    assert report["bad/photo.jpg"]["reason"] == "binary file, not text"
    assert report["bad/undecodable.txt"]["reason"].startswith("undecodable")
    assert "invalid JSON" in report["json/records.jsonl#2"]["reason"]
    assert report["json/records.jsonl#1"]["status"] == "converted"  # the bad line cost only itself


def test_exact_and_near_duplicates_become_one_article(troubled_site: Site):
    report = entries(troubled_site)
    kept = report["afp/seed-copy.txt"]
    assert kept["status"] == "converted"  # the first by path is kept
    for dup in ("afp/seed-other-scraper.txt", "afp/seed.txt"):
        assert report[dup]["status"] == "duplicate", dup
        assert report[dup]["duplicate_of"] == "afp/seed-copy.txt"
        assert report[dup]["url"] == kept["url"]
    pages = [p for p in (troubled_site.content / "generated").glob("*.md")
             if "Top Islamic State Commander" in p.read_text(encoding="utf-8")]
    assert len(pages) == 1


def test_same_headline_different_stories_get_two_pages(troubled_site: Site):
    report = entries(troubled_site)
    a, b = report["sidecar/wire-story.txt"], report["local-floods.txt"]
    assert a["status"] == b["status"] == "converted"
    assert a["headline"] == b["headline"] == "Floods close mountain passes"
    assert a["url"] != b["url"]
    assert "rescue teams worked through the night" in troubled_site.page(a["url"])
    assert "Melting snow, not rain" in troubled_site.page(b["url"])


def test_the_rest_of_the_archive_is_built(troubled_site: Site):
    for e in troubled_site.report["dumps"]:
        if e["status"] == "converted":
            assert e["headline"] in troubled_site.page(e["url"]).replace("&#39;", "'")


def report_command(site: Site, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    return subprocess.run([sys.executable, "-m", "news_archive", "report", "--work", str(site.work), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT)


def test_report_summary_and_strict_mode(troubled_site: Site):
    relaxed = report_command(troubled_site)
    assert relaxed.returncode == 0
    assert "rejected  bad/empty.txt: empty file" in relaxed.stdout
    assert "duplicate afp/seed.txt of afp/seed-copy.txt" in relaxed.stdout
    strict = report_command(troubled_site, "--strict")
    assert strict.returncode == 1  # what `make html STRICT=1` runs: the build fails
    assert "rejected" in strict.stderr


def test_strict_passes_when_nothing_is_rejected(tmp_path: Path):
    site = build_site(tmp_path, DATA / "page", extra={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False})
    assert site.report["counts"]["rejected"] == 0
    assert report_command(site, "--strict").returncode == 0


def _build_on_a_terminal(root: Path, ci: bool) -> str:
    """A real build whose output goes to a pseudo-terminal, as `make html` in a shell."""
    shutil.copytree(DATA / "page", root / "content" / "dumps")
    settings = {"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
                "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False}
    cmd = [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(ROOT / "pelicanconf.py"),
           "-o", str(root / "output")]
    # One -e with every pair: Pelican keeps only the last -e it is given.
    cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(ROOT / "plugins"), **({"CI": "true"} if ci else {}))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a 100-column terminal
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=root)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the build closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=300) == 0, out.decode(errors="replace")
    return out.decode(errors="replace")


def test_progress_bar_on_a_terminal_but_not_in_ci(tmp_path: Path):
    assert "converting dumps" in _build_on_a_terminal(tmp_path / "tty", ci=False)
    assert "converting dumps" not in _build_on_a_terminal(tmp_path / "ci", ci=True)
