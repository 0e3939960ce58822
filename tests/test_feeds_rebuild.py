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



def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_a_changed_story_reaches_its_feeds_and_a_gone_tag_takes_its_feed_with_it(tmp_path: Path):
    """Unchanged feeds are skipped by a digest of their inputs; that must never hide a change,
    and a tag that no longer exists must not leave its feed behind."""
    site = build_site(tmp_path, SAMPLE_DUMPS)
    dumps = [e for e in site.report["dumps"] if e["status"] == "converted"]
    site_feed = site.output / "feeds" / "all.atom.xml"
    tag_feeds = {p.name.removesuffix(".atom.xml"): p for p in (site.output / "feeds" / "tag").glob("*.atom.xml")}

    def stories_on(slug: str) -> set[str]:
        page = (site.output / "tag" / slug / "index.html").read_text(encoding="utf-8")
        return {e["path"] for e in dumps if f'{e["url"].lstrip("/")}"' in page}

    lonely = [(slug, stories.pop()) for slug in sorted(tag_feeds) if len(stories := stories_on(slug)) == 1]
    assert lonely, "the sample should have a tag carried by one story only"
    gone_tag, gone_dump = lonely[0]

    feed_text = site_feed.read_text(encoding="utf-8")
    edited = next(e for e in dumps if e["path"] != gone_dump and e["path"].endswith(".txt")
                  and _escaped(e["headline"]) in feed_text)
    path = site.content / "dumps" / edited["path"]
    text = path.read_text(encoding="utf-8")
    # Every occurrence: a full-page dump also carries its headline in the page-title line.
    path.write_text(text.replace(edited["headline"], edited["headline"] + " Revisited"), encoding="utf-8")
    (site.content / "dumps" / gone_dump).unlink()

    build_site(tmp_path)
    assert not (site.output / "tag" / gone_tag / "index.html").exists()
    assert not tag_feeds[gone_tag].exists()
    assert _escaped(edited["headline"] + " Revisited") in site_feed.read_text(encoding="utf-8")
