"""The static index Pagefind writes is whole when the build moves it in.

Pagefind's ``write_files`` answers before the binary has finished writing its last files;
closing the service at once left ``pagefind-entry.json`` or ``wasm.<lang>.pagefind`` empty in
about one bundle in ten (seen first by tests/test_watch.py: a static search that never
loads).  Written thirty times, real binary, no bundle may hold an empty file.
"""

from __future__ import annotations

from pathlib import Path

from news_archive.search import static_index

RECORDS = [
    {"url": f"/news/story-{i}/", "content": f"Flood waters rose again in the valley, story {i}.",
     "language": "en", "meta": {"title": f"Story {i}"}, "filters": {}, "sort": {}}
    for i in range(3)
] + [{"url": "/news/autre/", "content": "Les eaux montent encore dans la vallée.", "language": "unknown",
      "meta": {"title": "Autre"}, "filters": {}, "sort": {}}]


def test_every_bundle_is_written_whole(tmp_path: Path) -> None:
    empty = {}
    for n in range(30):
        target = tmp_path / str(n)
        static_index._run(static_index._write_pagefind(RECORDS, target))
        names = sorted(p.name for p in target.rglob("*") if p.is_file() and not p.stat().st_size)
        if names:
            empty[n] = names
        assert (target / "pagefind-entry.json").is_file()
    assert empty == {}
