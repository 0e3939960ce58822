"""Every dump format, detected from content, yields the story a reader would expect.

Real files in (tests/data/dumps/, plus the shared benchmark pages when present),
the `extract` command's JSON out: the same reading code the build uses.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import json
import shutil
from pathlib import Path

from conftest import ROOT, shared_data
from news_archive import __main__ as cli

DUMPS = ROOT / "tests" / "data" / "dumps"


def extract(*paths: Path | str) -> list[dict]:
    """`python -m news_archive extract PATH…`, run in-process (tests/test_seed_extraction.py
    runs the same command as a real subprocess)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["extract", *map(str, paths)]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def by_name(records: list[dict]) -> dict[str, dict]:
    return {Path(r["path"]).name: r for r in records}


def test_full_page_text_dump_finds_the_article_among_menus_and_footers():
    [rec] = extract(DUMPS / "page" / "gadget-site-wagon.txt")
    assert rec["status"] == "converted"
    assert rec["headline"] == "The VZ Space Wagon is a strange electric estate with a hidden message"
    assert rec["authors"] == ["Chris Davies"]
    assert rec["published"] == "2019-11-19" and rec["date_source"] == "text"  # '8:15 pm CST': CST is ambiguous
    body = rec["body"]
    assert body.startswith("The first electric estate built on the new modular platform")
    assert body.endswith("the door opens after a short pulse.")
    assert "What the hidden message says" in body  # a subheading between paragraphs stays
    for noise in ("EXPLORE", "Search GadgetNews", "Advertisement", "Related Articles", "Leave a Comment",
                  "Five electric cars", "cookies", "All rights reserved", "Story Timeline", "Chris Davies"):
        assert noise not in body, noise


def test_non_english_page_uses_its_own_stop_words_and_byline():
    [rec] = extract(DUMPS / "page" / "german-page.txt")
    assert rec["headline"] == "Die elektronische Patientenakte kommt"
    assert rec["authors"] == ["Anna Schmidt", "Peter Wagner"]
    assert rec["body"].startswith("Die elektronische Patientenakte soll ab dem kommenden Jahr")
    assert rec["body"].endswith("heißt es aus dem Ministerium.")
    for noise in ("Startseite", "Mehr zum Thema", "Kliniken rüsten", "Impressum"):
        assert noise not in rec["body"]
    assert rec["published"] is None  # no date in the dump: none invented


def test_html_page_and_its_gzip_give_body_and_metadata(tmp_path: Path):
    src = DUMPS / "html" / "gadget-article.html"
    gz = tmp_path / "copy-of-page.html.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    no_ext = tmp_path / "saved-page"  # detected from content, not the name
    shutil.copy(src, no_ext)
    recs = extract(src, gz, no_ext)
    assert len(recs) == 3
    for rec in recs:
        assert rec["status"] in ("converted", "duplicate")
        assert rec["headline"] == "Moon lander contracts go to five more companies"
        assert rec["authors"] == ["Jeff Foust"]
        assert rec["source"] == "SpaceDaily"
        assert rec["url"] == "https://spacedaily.example/news/moon-lander-contracts"
        assert rec["published"].startswith("2019-11-18") and rec["date_source"] == "dump"
        assert rec["dateline"] == "Washington"
        assert rec["body"].startswith("NASA has added five companies")
        assert "Privacy" not in rec["body"] and "Launch" not in rec["body"]
    assert [r["status"] for r in recs].count("converted") == 1  # the copies are duplicates


def test_news_please_record(tmp_path: Path):
    sample = shared_data("news_please_sample.json")
    [rec] = extract(sample)
    original = json.loads(sample.read_text(encoding="utf-8"))
    assert rec["headline"] == original["title"]
    assert rec["body"] == original["maintext"]
    assert rec["published"] == "2017-07-17" and rec["date_source"] == "dump"  # a time without a zone: the day
    assert rec["url"] == original["url"] and rec["language"] == "en"
    assert rec["source"] == "www.rt.com" and rec["authors"] == []


def test_json_variant_keys_mongodb_date_and_author_string():
    [rec] = extract(DUMPS / "json" / "variant-record.json")
    assert rec["headline"] == "Harbour bridge reopens after repairs"
    assert rec["body"] == ("The harbour bridge reopened on Monday after three months of repairs to its deck.\n\n"
                           "Commuters said the closure had doubled their journey times.")
    assert rec["published"] == "2019-11-19T13:03:00+00:00"  # {"$date": epoch ms}
    assert rec["authors"] == ["Mary Major", "Rahul Iyer"]
    assert rec["dek"] is None and rec["source"] is None  # nulls stay empty


def test_jsonl_bad_line_costs_only_itself():
    recs = extract(DUMPS / "json" / "records.jsonl")
    status = {r["path"].rsplit("/", 1)[-1]: (r["status"], r["reason"]) for r in recs}
    assert status["records.jsonl#1"][0] == "converted"
    assert status["records.jsonl#2"][0] == "rejected" and "invalid JSON" in status["records.jsonl#2"][1]
    assert status["records.jsonl#3"] == ("rejected", "no headline and no article text in the JSON record")
    assert status["records.jsonl#4"][0] == "converted"
    rail = next(r for r in recs if r["path"].endswith("#4"))
    assert rail["source"] == "AP" and rail["authors"] == []  # an agency is not a person
    assert rail["published"] == "2019-11-19T08:00:00+00:00"  # epoch seconds


def test_sidecar_meta_json_and_manifest_fill_only_what_the_dump_lacks():
    recs = by_name(extract(DUMPS / "sidecar"))
    wire = recs["wire-story.txt"]
    # Its own .meta.json wins over the manifest row (which has a javascript: URL).
    assert wire["url"] == "https://wire.example/floods"
    assert wire["published"] == "2019-11-17T10:00:00+00:00" and wire["date_source"] == "sidecar"
    assert wire["source"] == "Reuters"  # the byline says Reuters; the manifest does not override it
    factory = recs["second-story.txt"]
    assert factory["url"] == "https://wire.example/factory"
    assert factory["source"] == "Wire Service"
    assert factory["published"].startswith("2019-11-18") and factory["date_source"] == "sidecar"
    assert "manifest.csv" not in recs and "wire-story.txt.meta.json" not in recs


def test_manifest_jsonl_and_unsafe_urls(tmp_path: Path):
    shutil.copy(DUMPS / "sidecar" / "second-story.txt", tmp_path / "story.txt")
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"file": "story.txt", "url": "javascript:alert(1)", "section": "Money"}) + "\n", encoding="utf-8")
    [rec] = extract(tmp_path)
    assert rec["url"] is None  # only http(s) URLs are kept
    assert rec["published"] is None and rec["date_source"] is None


def test_real_full_page_dumps_headline_and_byline():
    """Two real pages of the extraction benchmark (skipped without ../shared/data)."""
    folder = shared_data("extraction", "txt")
    index = {r["file"]: r for r in csv.DictReader((folder.parent / "index.csv").open(encoding="utf-8"))}
    page = folder / "004_06ee193de4bd611f.txt"
    assert page.name in index
    [rec] = extract(page)
    assert rec["headline"] == "The VW ID. SPACE VIZZION is a weird EV sports wagon with a secret message"
    assert rec["authors"] == ["Chris Davies"]
    assert rec["published"] == "2019-11-19" and rec["date_source"] == "text"  # "10:31 pm CST": CST is ambiguous
    assert rec["body"].startswith("Volkswagen’s first ID.3 all-electric car")
    assert "Search SlashGear" not in rec["body"]


BLURB = ("GadgetNews is an independent site that has covered technology, cars and science for "
         "readers around the world since 2005.")


def _site_page(headline: str, paragraphs: list[str]) -> str:
    body = "\n\n".join(paragraphs)
    return (f"{headline} - GadgetNews\n\nTech\nCars\nGaming\nSearch GadgetNews\n\n{headline}\n\n"
            f"Chris Davies - Nov 19, 2019, 8:15 pm CST\n\n{body}\n\n{BLURB}\n\nLeave a Comment\n")


def test_lines_repeated_across_pages_of_a_site_are_furniture(tmp_path: Path):
    one = _site_page("Electric wagon revealed at the show", [
        "The company showed its electric wagon at the motor show on Tuesday, and said a production "
        "version could follow within two years if demand is strong enough.",
        "The car has a range of about 300 miles and can charge to 80 percent in half an hour."])
    two = _site_page("Phone makers bet on folding screens", [
        "Several phone makers said on Wednesday that folding screens would reach cheaper models next "
        "year, as the cost of the flexible panels falls.",
        "Analysts were not convinced that buyers would pay for the extra weight and thickness."])
    (tmp_path / "one.txt").write_text(one, encoding="utf-8")
    (tmp_path / "two.txt").write_text(two, encoding="utf-8")
    alone = extract(tmp_path / "one.txt")[0]
    assert alone["body"].endswith(BLURB)  # one page alone: the blurb reads like prose
    together = by_name(extract(tmp_path))
    for name in ("one.txt", "two.txt"):
        assert BLURB not in together[name]["body"], name  # seen on both pages of the site
        assert together[name]["status"] == "converted"
    assert together["one.txt"]["body"].endswith("charge to 80 percent in half an hour.")
    # Two copies of the same story are not each other's furniture: both keep the body.
    shutil.copy(tmp_path / "one.txt", tmp_path / "one-again.txt")
    again = by_name(extract(tmp_path))
    assert again["one-again.txt"]["body"].startswith("The company showed its electric wagon")


def test_html_without_date_markup_stays_undated(tmp_path: Path):
    """A year in the text ("by the end of 2005") is not a publication date."""
    page = tmp_path / "undated.html"
    page.write_text(
        "<!doctype html><html><head><title>Aid target slips - World News</title></head><body>"
        "<article><h1>Aid target slips</h1><p>The agency said it would miss its goal of treating three "
        "million people by the end of 2005, and blamed a funding gap of two billion dollars.</p>"
        "<p>Officials said talks with donors would resume in Geneva in the spring of 2005.</p>"
        "</article></body></html>", encoding="utf-8")
    [rec] = extract(page)
    assert rec["status"] == "converted"
    assert rec["published"] is None and rec["date_source"] is None


def test_a_list_introduced_by_the_article_is_kept(tmp_path: Path):
    page = tmp_path / "tour.txt"
    page.write_text(
        "Band announces reunion tour - Music Site\n\nNews\nReviews\nTours\n\nBand announces reunion tour\n\n"
        "The band will reunite with its former singer for a tour of North America next summer, its first "
        "together in more than twenty years, the group said on Tuesday.\n\n"
        "Tickets go on sale on Friday. The tour dates are:\n\n"
        "June 9 – West Palm Beach, FL\nJune 10 – Tampa, FL\nJune 14 – Alpharetta, GA\n\n"
        "Share this:\nFacebook\nTwitter\n", encoding="utf-8")
    [rec] = extract(page)
    assert rec["body"].endswith("June 9 – West Palm Beach, FL\n\nJune 10 – Tampa, FL\n\nJune 14 – Alpharetta, GA")


def test_a_bare_story_keeps_its_whole_headline(tmp_path: Path):
    """Headline line then paragraphs (the BBC corpus shape): a dash in it is not a site separator."""
    story = tmp_path / "blunkett.txt"
    story.write_text("Blunkett row should end - Blair\n\nTony Blair said on Monday that the row over the home "
                     "secretary should now come to an end, after weeks of claims in the press.\n", encoding="utf-8")
    [rec] = extract(story)
    assert rec["headline"] == "Blunkett row should end - Blair"
    assert rec["body"].startswith("Tony Blair said on Monday")


def test_json_from_a_cms_export_with_html_body_and_nested_fields(tmp_path: Path):
    record = {
        "headline": {"name": "Port strike ends"},
        "content": "<p>Dock workers returned to work on <b>Monday</b> after a two-week strike.</p>"
                   "<p>The union said &amp; the employers agreed to a new pay deal.<br>Talks will resume in May.</p>",
        "author": {"name": "Ana Lima"},
        "publisher": {"name": "Harbour Times"},
        "link": "https://harbour.example/strike",
        "datePublished": "2019-11-18T09:30:00+01:00",
    }
    (tmp_path / "cms.json").write_text(json.dumps(record), encoding="utf-8")
    [rec] = extract(tmp_path / "cms.json")
    assert rec["headline"] == "Port strike ends"
    assert rec["body"] == ("Dock workers returned to work on Monday after a two-week strike.\n\n"
                           "The union said & the employers agreed to a new pay deal.\n\nTalks will resume in May.")
    assert rec["authors"] == ["Ana Lima"] and rec["source"] == "Harbour Times"
    assert rec["url"] == "https://harbour.example/strike"
    assert rec["published"] == "2019-11-18T09:30:00+01:00"


def test_jsonl_with_a_garbage_line_is_still_read_as_records(tmp_path: Path):
    lines = ['{"title": "Alpha", "text": "Alpha body text here."}', "garbage line, not JSON",
             '{"title": "Beta", "text": "Beta body text here."}']
    (tmp_path / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    recs = extract(tmp_path / "mixed.jsonl")
    assert [(r["path"].rsplit("#", 1)[1], r["status"]) for r in recs] == [
        ("1", "converted"), ("2", "rejected"), ("3", "converted")]
