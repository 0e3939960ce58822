"""The static index Pagefind writes is whole when the build moves it in.

Pagefind's ``write_files`` answers before the binary has finished writing its last files;
closing the service at once left ``pagefind-entry.json`` or ``wasm.<lang>.pagefind`` empty in
about one bundle in ten (seen first by tests/test_watch.py: a static search that never
loads); terminating it after that check still cut files short under load.  Written thirty
times, real binary: no bundle may hold an empty or a cut-short file, and the binary must
leave by itself, its writes done, rather than be terminated.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from news_archive.search import static_index

RECORDS = [
    {"url": f"/news/story-{i}/", "content": f"Flood waters rose again in the valley, story {i}.",
     "language": "en", "meta": {"title": f"Story {i}"}, "filters": {}, "sort": {}}
    for i in range(3)
] + [{"url": "/news/autre/", "content": "Les eaux montent encore dans la vallée.", "language": "unknown",
      "meta": {"title": "Autre"}, "filters": {}, "sort": {}}]


def test_every_bundle_is_written_whole(tmp_path: Path) -> None:
    empty, cut, assets = {}, {}, {}
    for n in range(30):
        target = tmp_path / str(n)
        static_index._run(static_index._write_pagefind(RECORDS, target))
        files = [p for p in target.rglob("*") if p.is_file()]
        names = sorted(p.name for p in files if not p.stat().st_size)
        if names:
            empty[n] = names
        for path in files:
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":  # the index, fragments and WebAssembly are gzip: whole or not
                try:
                    gzip.decompress(data)
                except (EOFError, OSError):
                    cut.setdefault(n, []).append(path.name)
            elif path.suffix in (".js", ".css"):  # the same script and style in every bundle
                assets.setdefault(path.name, set()).add(data)
        assert (target / "pagefind-entry.json").is_file()
    assert empty == {}
    assert cut == {}
    assert {name: len(versions) for name, versions in assets.items() if len(versions) > 1} == {}
    # ... and of the sizes the build waits for: the installed Pagefind has its row in the table.
    assert {name: len(next(iter(v))) for name, v in assets.items()} == static_index._assets()


def test_written_waits_for_a_script_cut_short_to_be_finished(tmp_path: Path) -> None:
    """Non-empty is not whole: a script at less than its size, or a gzip file that ends
    before its stream does, is waited for (Pagefind's I/O threads are still writing it)."""
    import asyncio
    import json

    assets = static_index._assets()
    (tmp_path / "wasm.en.pagefind").write_bytes(gzip.compress(b"wasm"))
    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"languages": {"en": {"wasm": "en"}}}))
    for name, size in assets.items():
        (tmp_path / name).write_bytes(b"x" * size)
    late = tmp_path / "pagefind-ui.js"
    late.write_bytes(b"x" * 98304)
    fragment = tmp_path / "fragment" / "en_1.pf_fragment"
    fragment.parent.mkdir()
    whole = gzip.compress(b"pagefind_dcd" + bytes(range(256)) * 64)
    fragment.write_bytes(whole[: len(whole) // 2])

    async def scenario() -> None:
        waiting = asyncio.ensure_future(static_index._written(tmp_path, seconds=5))
        await asyncio.sleep(0.1)
        assert not waiting.done(), "a script cut short is not written yet"
        late.write_bytes(b"x" * assets["pagefind-ui.js"])
        await asyncio.sleep(0.1)
        assert not waiting.done(), "a gzip file cut short is not written yet"
        fragment.write_bytes(whole)
        await asyncio.wait_for(waiting, 2)

    static_index._run(scenario())


def test_the_binary_leaves_by_itself_once_its_writes_are_done() -> None:
    """Terminated (status -15), the binary dropped the writes still queued in its I/O
    threads; closed, it is handed the end of its input and exits with 0 when done."""

    async def scenario() -> int | None:
        service = await static_index._prompt_service()().launch()
        await service.close()
        return service._backend.returncode

    assert static_index._run(scenario()) == 0


def test_written_waits_for_an_empty_file_to_be_filled(tmp_path: Path) -> None:
    """The whole bundle is looked at once the entry file is whole: a file still empty then
    is waited for (Pagefind is still writing it), never published empty."""
    import asyncio
    import json

    (tmp_path / "fragment").mkdir()
    (tmp_path / "wasm.en.pagefind").write_bytes(b"wasm")
    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"languages": {"en": {"wasm": "en"}}}))
    for name, size in static_index._assets().items():  # the scripts and styles, whole
        (tmp_path / name).write_bytes(b"x" * size)
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
