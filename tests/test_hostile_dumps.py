"""Hostile and odd dumps: each costs only itself, and nothing outside the dumps folder is read.

The cases are files under tests/data/hostile/ where they are small; the big ones (a
JSON line nested 100,000 deep, a text over spaCy's 1,000,000 characters, a gzip bomb)
and the ones a repository cannot hold (symlinks, a FIFO) are made here.  Conversion
runs the build's own ``convert_all`` on a temporary tree; one real Pelican build over
a mixed hostile folder checks what reaches ``output/``.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, Site, build_site
from news_archive.convert import convert_all

HOSTILE = ROOT / "tests" / "data" / "hostile"
SECRET = "The private memo that must never be published describes the plan in detail for the board."


def convert(root: Path, **extra: object) -> dict[str, dict]:
    """The build's conversion step over ``root/content/dumps``; the report's entries by path."""
    settings = {"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
                "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_PROGRESS": False, **extra}
    report = convert_all(settings)
    return {e["path"]: e for e in report.to_json()["dumps"]}


def dumps_folder(root: Path, *names: str) -> Path:
    dumps = root / "content" / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(HOSTILE / name, dumps / name)
    return dumps


def secret_elsewhere(root: Path) -> Path:
    """An article-like file and a folder of them outside the dumps folder."""
    outside = root / "elsewhere"
    (outside / "folder").mkdir(parents=True)
    text = f"Secret memo leaks\n\n{SECRET}\n\nA second paragraph explains what it means for the staff.\n"
    (outside / "secret.txt").write_text(text, encoding="utf-8")
    (outside / "folder" / "also-secret.txt").write_text(text, encoding="utf-8")
    return outside


def generated_text(root: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in (root / "content" / "generated").glob("*.md"))


def test_symlinks_that_leave_the_dumps_folder_are_refused_and_listed(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "short-author.json")
    outside = secret_elsewhere(tmp_path)
    (dumps / "leak.txt").symlink_to(outside / "secret.txt")
    (dumps / "leaky-folder").symlink_to(outside / "folder")
    (dumps / "z-same-story.json").symlink_to(dumps / "short-author.json")  # inside: read like its target
    (dumps / "inner").mkdir()
    (dumps / "inner-folder").symlink_to(dumps / "inner")
    (dumps / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (outside / "meta.json").write_text(json.dumps({"source": "Secret Source Weekly"}), encoding="utf-8")
    (dumps / "short-author.json.meta.json").symlink_to(outside / "meta.json")  # a sidecar is input too
    report = convert(tmp_path)
    assert "outside the dumps folder" in report["short-author.json.meta.json"]["reason"]
    assert "Secret Source Weekly" not in generated_text(tmp_path)
    assert "outside the dumps folder" in report["leak.txt"]["reason"]
    assert "folder outside the dumps folder" in report["leaky-folder"]["reason"]
    assert "not followed" in report["inner-folder"]["reason"]
    assert "broken symlink" in report["dangling.txt"]["reason"]
    for path in ("leak.txt", "leaky-folder", "inner-folder", "dangling.txt"):
        assert report[path]["status"] == "rejected", path
    assert report["short-author.json"]["status"] == "converted"
    assert report["z-same-story.json"]["status"] == "duplicate"
    assert SECRET not in generated_text(tmp_path)


def test_a_fifo_in_the_dumps_folder_is_refused_without_blocking_the_build(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "short-author.json")
    os.mkfifo(dumps / "pipe.txt")  # opening it to read would wait for a writer for ever
    report = convert(tmp_path)
    assert report["pipe.txt"] == {**report["pipe.txt"], "status": "rejected", "reason": "refused: a FIFO, not a file"}
    assert report["short-author.json"]["status"] == "converted"


def test_a_dump_over_the_size_bound_is_refused_from_its_size(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "short-author.json")
    (dumps / "huge.txt").write_text("Huge report\n\n" + "A long paragraph of the report. " * 1000, encoding="utf-8")
    report = convert(tmp_path, NEWS_ARCHIVE_MAX_DUMP_BYTES=10_000)
    assert report["huge.txt"]["status"] == "rejected"
    assert report["huge.txt"]["reason"] == ("too large: 32,013 bytes, over NEWS_ARCHIVE_MAX_DUMP_BYTES "
                                            "(10,000 bytes)")
    assert report["short-author.json"]["status"] == "converted"


def gzip_bomb(path: Path, inflated: int) -> None:
    """A gzip file of ``inflated`` zero bytes: one member of 16 MiB of zeros, repeated."""
    step = 1 << 24
    member = gzip.compress(b"\0" * step, compresslevel=9)
    with path.open("wb") as fh:
        for _ in range(inflated // step):
            fh.write(member)


def test_a_gzip_bomb_is_refused_while_inflating_with_little_memory(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "short-author.json")
    gzip_bomb(dumps / "bomb.txt.gz", 2 << 30)  # 2 MB that inflates to 2 GB
    assert (dumps / "bomb.txt.gz").stat().st_size < 3_000_000
    # In a process of its own, so its peak memory is the conversion's.
    code = (
        "import json, resource, sys; sys.path.insert(0, 'plugins'); sys.path.insert(0, 'tests')\n"
        "from test_hostile_dumps import convert\n"
        f"report = convert(__import__('pathlib').Path({str(tmp_path)!r}))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(json.dumps({'bomb': report['bomb.txt.gz'], 'peak_mb': peak}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["bomb"]["status"] == "rejected"
    assert result["bomb"]["reason"].startswith("too large: gzip file inflates to over 50,000,000 bytes")
    assert result["peak_mb"] < 600, result  # the bound plus one step, never the 2 GB


def test_one_pathological_line_or_record_costs_only_itself(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "array-with-a-broken-record.json", "line-separator-inside-a-string.jsonl")
    good = [json.dumps({"title": t, "maintext": f"{t} was the story of the day in the town.\nIt had a second line."})
            for t in ("Market reopens", "School gets a new roof")]
    deep = "[" * 100_000 + "]" * 100_000
    (dumps / "deep.jsonl").write_text("\n".join([good[0], deep, good[1]]) + "\n", encoding="utf-8")
    (dumps / "deep-array.json").write_text(f"[{good[0]},\n{deep},\n{good[1]}]\n", encoding="utf-8")
    report = convert(tmp_path)
    for name in ("deep.jsonl", "deep-array.json"):  # the array's records duplicate the lines' ones
        assert {report[f"{name}#1"]["status"], report[f"{name}#3"]["status"]} <= {"converted", "duplicate"}, name
        assert report[f"{name}#2"]["status"] == "rejected", name
        assert "nested too deeply" in report[f"{name}#2"]["reason"], name
    assert report["array-with-a-broken-record.json#2"]["reason"].startswith("invalid JSON in record 2")
    assert report["array-with-a-broken-record.json#1"]["status"] == "converted"
    assert report["array-with-a-broken-record.json#3"]["status"] == "converted"
    # U+2028 inside a JSON string is no line break: the record stays one record.
    assert report["line-separator-inside-a-string.jsonl#1"]["headline"] == "Harbour plan goes to a vote"
    assert report["line-separator-inside-a-string.jsonl#2"]["status"] == "converted"


@pytest.mark.parametrize(("name", "reason"), [
    ("logo.svg", "not an article: image file (.svg)"),
    ("saved-logo", "not an article: XML document (<svg>), not a page or a story"),
    ("feed.xml", "not an article: XML document (<rss>), not a page or a story"),
    ("tracker.js", "not an article: style sheet or script file (.js)"),
])
def test_files_that_are_not_articles_are_refused_with_what_they_are(tmp_path: Path, name: str, reason: str):
    dumps_folder(tmp_path, name, "xhtml-story.xhtml")
    report = convert(tmp_path)
    assert report[name]["status"] == "rejected" and report[name]["reason"] == reason
    assert report["xhtml-story.xhtml"]["headline"] == "Ferry service resumes after storm"  # XHTML is a page


def long_report(chars: int) -> str:
    """A JSON record whose body is longer than spaCy reads at once; names only at its very end.

    Its words are long lower-case ones, so the text is long in characters but cheap in
    tokens for NER.
    """
    filler = " ".join(["harbourdevelopmentcommitteesubmissionannex"] * 20)
    paragraphs = [f"paragraph {i}: {filler}." for i in range(chars // (len(filler) + 20) + 1)]
    paragraphs.append("Angela Merkel met Emmanuel Macron in Paris on Monday to talk about the harbour.")
    return json.dumps({"title": "The harbour report in full", "maintext": "\n".join(paragraphs)})


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """One real build over a mixed hostile folder, with NER and the search index."""
    root = tmp_path_factory.mktemp("hostile")
    dumps = dumps_folder(root, "long-author-biography.json", "short-author.json", "logo.svg",
                         "array-with-a-broken-record.json")
    outside = secret_elsewhere(root)
    (dumps / "leak.txt").symlink_to(outside / "secret.txt")
    (dumps / "leaky-folder").symlink_to(outside / "folder")
    (dumps / "long-report.json").write_text(long_report(1_050_000), encoding="utf-8")
    pages = root / "content" / "pages"
    pages.mkdir()
    (outside / "secret-page.md").write_text(f"Title: Secret page\n\n{SECRET}\n", encoding="utf-8")
    (pages / "secret-page.md").symlink_to(outside / "secret-page.md")
    (pages / "secret-folder").symlink_to(outside / "folder")
    (outside / "folder" / "secret-too.md").write_text(f"Title: Secret too\n\n{SECRET}\n", encoding="utf-8")
    title = "A page whose title goes on and on " * 12
    (pages / "long-title.md").write_text(f"Title: {title}\n\nA page with a long title.\n", encoding="utf-8")
    return build_site(root)


def test_a_hostile_folder_builds_and_every_file_is_accounted_for(hostile_site: Site):
    report = {e["path"]: e for e in hostile_site.report["dumps"]}
    dumps = hostile_site.content / "dumps"
    listed = {p.relative_to(dumps).as_posix() for p in dumps.iterdir()}
    assert {path.split("#")[0] for path in report} == listed
    for path, e in report.items():
        assert e["status"] in ("converted", "duplicate", "rejected"), path
        assert e["status"] != "rejected" or e["reason"], path


def test_no_file_name_in_the_output_is_too_long_and_short_urls_stay(hostile_site: Site):
    report = {e["path"]: e for e in hostile_site.report["dumps"]}
    assert report["long-author-biography.json"]["status"] == "converted"
    for path in hostile_site.output.rglob("*"):
        assert len(path.name.encode()) <= 90, path.name  # a bounded slug plus ".atom.xml" at most
    assert (hostile_site.output / "author" / "lena-fischer" / "index.html").exists()  # unchanged
    long_page = [p for p in hostile_site.output.iterdir() if p.name.startswith("a-page-whose-title")]
    assert len(long_page) == 1 and len(long_page[0].name) <= 80


def test_a_text_longer_than_spacy_reads_gets_its_entities_from_its_end_too(hostile_site: Site):
    report = {e["path"]: e for e in hostile_site.report["dumps"]}
    assert report["long-report.json"]["status"] == "converted"
    page = hostile_site.page(report["long-report.json"]["url"])
    assert "Angela Merkel" in page and "/entity/person/angela-merkel/" in page


def test_nothing_from_outside_the_content_folder_is_published(hostile_site: Site):
    for path in hostile_site.output.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".txt"):
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    assert not (hostile_site.output / "secret-page").exists()
    report = {e["path"]: e for e in hostile_site.report["dumps"]}
    assert report["leak.txt"]["status"] == report["leaky-folder"]["status"] == "rejected"


def test_a_file_name_that_is_not_utf8_is_refused_and_named_in_the_report(tmp_path: Path):
    dumps = dumps_folder(tmp_path, "short-author.json")
    story = (HOSTILE / "short-author.json").read_bytes().replace(b"Council approves", b"Council backs")
    with open(os.path.join(os.fsencode(dumps), b"caf\xe9-story.json"), "wb") as fh:  # a Latin-1 name
        fh.write(story)
    os.mkdir(os.path.join(os.fsencode(dumps), b"r\xe9sum\xe9s"))
    report = convert(tmp_path)  # used to stop the whole build: the report could not be written
    assert report["caf\\xe9-story.json"]["reason"] == "refused: its name is not valid UTF-8; rename it"
    assert report["r\\xe9sum\\xe9s"]["status"] == "rejected"
    assert report["short-author.json"]["status"] == "converted"


def test_a_field_no_story_has_at_that_length_rejects_the_record(tmp_path: Path):
    dumps_folder(tmp_path, "endless-headline.json", "short-author.json")
    report = convert(tmp_path)
    assert report["endless-headline.json"]["status"] == "rejected"
    assert report["endless-headline.json"]["reason"] == ("headline of 5,219 characters (at most 1,000): "
                                                          "not a story's field")
    assert report["short-author.json"]["status"] == "converted"


def test_the_duplicate_signature_of_a_huge_story_costs_bounded_memory():
    # A million distinct shingles (a 20 MB story): hashed all at once, 100 x 1,000,000 uint64s.
    code = (
        "import resource, sys; sys.path.insert(0, 'plugins')\n"
        "from news_archive.dedupe import signature\n"
        "shingles = set(range(7, 7 + 1_000_000 * 3, 3))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "sig = signature(shingles)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 - before, int(sig.min()))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    grown, _ = map(int, proc.stdout.split())
    assert grown < 300, f"signature grew the process by {grown} MB"


def test_author_pages_follow_the_slug_bound_of_this_build_not_of_the_cached_one(tmp_path: Path):
    # Pelican's reader cache keeps each page's Author objects with the settings of the
    # build that read them; a tree whose last build used other rules (or stopped on a
    # name too long for a file) must still get this build's bounded slug.
    dumps_folder(tmp_path, "long-author-name.json")
    fast = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False}
    build_site(tmp_path, extra={**fast, "NEWS_ARCHIVE_MAX_SLUG_LENGTH": 30})
    assert (tmp_path / "output" / "author" / "maximiliano-alessandro").is_dir()
    site = build_site(tmp_path, extra={**fast, "NEWS_ARCHIVE_MAX_SLUG_LENGTH": 40})
    bounded = "maximiliano-alessandro-castellanos"
    assert (site.output / "author" / bounded / "index.html").exists()
    report = {e["path"]: e for e in site.report["dumps"]}
    assert f"/author/{bounded}/" in site.page(report["long-author-name.json"]["url"])
