"""Any pile of bytes in the dumps folder converts: every file accounted for, nothing from elsewhere.

Hypothesis makes dumps folders of odd and hostile files (random bytes, text in odd
encodings, JSON of every shape with article-like keys, JSONL with broken lines, HTML
with markup in every field, deep nesting, gzip wraps of all of these, odd names, and
a symlink to an article outside the folder) and runs the build's own ``convert_all``
on each.  The properties: the conversion finishes; every file is in the report
(converted, duplicate or rejected with a reason) or listed as a sidecar, manifest,
note or hidden file; no text from outside the dumps folder reaches a generated page.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from news_archive.convert import convert_all
from support import dump_entries

SECRET = "Quarterly secret figures that live outside the dumps folder and must stay there."
KEYS = ["title", "headline", "maintext", "text", "body", "authors", "author", "date_publish", "url",
        "description", "language", "source_domain", "section", "name"]
EXTENSIONS = ["", ".txt", ".json", ".jsonl", ".html", ".htm", ".gz", ".svg", ".xml", ".js", ".md", ".json.gz"]
INJECTION = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
             "<svg onload=alert(1)>", "{{ 7*7 }}", "Title: forged\n", "\u202e\u2028\x00\ufeff"]

words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
prose = st.lists(st.sampled_from(INJECTION) | words | st.just("The council met on Tuesday to vote on the plan."),
                 min_size=1, max_size=8).map(" ".join)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | prose
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.sampled_from(KEYS) | words, inner, max_size=6), max_leaves=25)
records = st.fixed_dictionaries({}, optional={k: st.one_of(prose, json_values) for k in KEYS})


def encoded(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


texts = st.builds(encoded, st.lists(prose, min_size=1, max_size=6).map("\n\n".join),
                  st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "utf-8-sig"]))
json_dumps = st.builds(lambda v: json.dumps(v, ensure_ascii=False).encode(), st.one_of(records, json_values))
json_arrays = st.builds(lambda v: json.dumps(v).encode(), st.lists(records, max_size=4))
jsonl = st.builds(lambda rows, bad: "\n".join([json.dumps(r) for r in rows] + bad).encode(),
                  st.lists(records, max_size=4), st.lists(st.sampled_from(["{", "[" * 3000, "]", "null"]), max_size=2))
pages = st.builds(lambda h, p: f"<html><head><title>{h}</title></head><body><h1>{h}</h1><p>{p}</p></body></html>"
                  .encode(), prose, prose)
deep = st.integers(1, 20_000).map(lambda n: ("[" * n + "]" * n).encode())
plain = st.one_of(st.binary(max_size=600), texts, json_dumps, json_arrays, jsonl, pages, deep, st.just(b""))
contents = plain | plain.map(gzip.compress)
stems = st.text(st.characters(codec="utf-8", exclude_characters="/\x00", exclude_categories=["Cs"]),
                min_size=1, max_size=30)
# Names as the disk holds them: mostly UTF-8, sometimes bytes from another encoding.
raw_stems = st.binary(min_size=1, max_size=20).filter(lambda b: b"/" not in b and b"\0" not in b)
names = st.builds(lambda s, e: os.fsdecode((s + e.encode())[:60]), stems.map(str.encode) | raw_stems,
                  st.sampled_from(EXTENSIONS))
folders = st.dictionaries(names, contents, min_size=1, max_size=6)


def file_of(path: str, files: set[str]) -> str:
    """The file a report entry is about: ``file.jsonl#3`` is record 3 of ``file.jsonl``
    (a file may have ``#`` in its own name)."""
    if path in files:
        return path
    match = re.fullmatch(r"(.*)#\d+", path, re.S)
    return match.group(1) if match else path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(folder=folders, link_out=st.booleans(), nested=st.booleans())
def test_any_dumps_folder_converts_with_every_file_accounted_for(folder, link_out, nested):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dumps = root / "content" / "dumps"
        target = dumps / "sub" if nested else dumps
        target.mkdir(parents=True)
        for name, data in folder.items():
            if name.strip(".") and len(os.fsencode(name)) < 200:
                (target / name).write_bytes(data)
        (root / "outside").mkdir()
        (root / "outside" / "memo.txt").write_text(f"Secret memo\n\n{SECRET}\n\nMore of the memo here.\n")
        if link_out:
            (dumps / "memo.txt").symlink_to(root / "outside" / "memo.txt")
            (dumps / "outside-folder").symlink_to(root / "outside")
        report = convert_all({"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(root / "var"),
                              "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_PROGRESS": False}).to_json()
        files = dump_entries(dumps)
        reported = {file_of(e["path"], files) for e in report["dumps"]}
        others = {f["path"] for f in report["other_files"]}
        assert reported | others == files
        for e in report["dumps"]:
            assert e["status"] in ("converted", "duplicate", "rejected")
            assert e["status"] != "rejected" or e["reason"]
        for status in sorted({e["status"] for e in report["dumps"]}):
            event(f"some dump {status}")
        pages = "".join(p.read_text(encoding="utf-8") for p in (root / "content" / "generated").glob("*.md"))
        assert SECRET not in pages
