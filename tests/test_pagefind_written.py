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


def test_written_waits_for_an_empty_file_to_be_filled(tmp_path: Path) -> None:
    """The whole bundle is looked at once the entry file is whole: a file still empty then
    is waited for (Pagefind is still writing it), never published empty."""
    import asyncio
    import json

    (tmp_path / "fragment").mkdir()
    (tmp_path / "wasm.en.pagefind").write_bytes(b"wasm")
    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"languages": {"en": {"wasm": "en"}}}))
    late = tmp_path / "fragment" / "en_1.pf_fragment"
    late.write_bytes(b"")

    async def scenario() -> None:
        waiting = asyncio.ensure_future(static_index._written(tmp_path, seconds=5))
        await asyncio.sleep(0.1)
        assert not waiting.done(), "an empty file of the bundle is not written yet"
        late.write_bytes(b"fragment")
        await asyncio.wait_for(waiting, 2)

    static_index._run(scenario())  # in a thread of its own if a loop runs here (Playwright)


def test_written_gives_up_on_an_entry_naming_missing_webassembly(tmp_path: Path) -> None:
    import json

    import pytest

    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"languages": {"en": {"wasm": "en"}}}))
    (tmp_path / "wasm.en.pagefind").write_bytes(b"")
    with pytest.raises(RuntimeError, match="did not finish"):
        static_index._run(static_index._written(tmp_path, seconds=0.3))
