"""A rebuild with nothing changed leaves every Atom feed file untouched (not rewritten)."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE_DUMPS, build_site


def test_unchanged_feeds_are_not_rewritten(tmp_path: Path):
    site = build_site(tmp_path, SAMPLE_DUMPS)
    feeds = sorted(site.output.rglob("*.atom.xml"))
    assert len(feeds) > 10  # site, tag and entity feeds
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in feeds}
    build_site(tmp_path)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in feeds}
    assert after == before
