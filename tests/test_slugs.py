"""One slug function: Pelican's ``slugify`` with the site's substitutions and our bound,
and the URLs an earlier slug function gave are kept (``state.json`` remembers them)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from news_archive.slugs import bound_slugs, slug
from pelican.settings import DEFAULT_CONFIG
from pelican.urlwrappers import Tag
from pelican.utils import slugify
from support import ROOT, Site, build_site

DATA = ROOT / "tests" / "data" / "slugs"
QUICK = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_STATIC_SEARCH": False}


def settings(**extra) -> dict:
    out = {"SLUG_REGEX_SUBSTITUTIONS": list(DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]), **extra}
    bound_slugs(out)
    return out


def urls(site: Site) -> dict[str, str]:
    return {d["path"]: d["url"] for d in site.report["dumps"] if d["status"] == "converted"}


def test_a_short_headline_gets_exactly_pelicans_slug():
    for text in ["Blair and Brown criticised by MPs", "Mayor's £2bn pledge: what it means", "Zürich’s “new” tram"]:
        assert slug(text) == slugify(text, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def test_an_article_and_a_tag_of_the_same_name_get_the_same_slug():
    conf = settings()
    name = "A very long name " * 12 + "that goes on"
    assert slug(name, conf) == Tag(name, conf).slug
    assert slug(name, conf) == slug(name)  # bound once, whether the settings carry it or not


def test_a_long_headline_is_cut_at_a_hyphen_to_the_bound():
    headline = "Exampleton harbour: the long and winding history of a plan that residents have argued about"
    made = slug(headline)
    assert len(made) <= 80 and not made.endswith("-")
    assert "exampleton-harbour-the-long-and-winding-history-of-a-plan-that-residents-have".startswith(made)
    assert len(slug(headline, settings(NEWS_ARCHIVE_MAX_SLUG_LENGTH=30))) <= 30


def test_a_headline_without_letters_is_still_named():
    assert slug("<script></script> ?!") == "story"


def test_urls_given_by_the_old_slug_function_are_kept(tmp_path: Path):
    before = json.loads((DATA / "urls-before.json").read_text(encoding="utf-8"))
    work = tmp_path / "var"
    work.mkdir()
    shutil.copy2(DATA / "state-before.json", work / "state.json")
    site = build_site(tmp_path, DATA / "dumps", extra=QUICK)
    assert urls(site) == before
    # Not a vacuous check: today's function names two of these stories differently.
    renamed = {d["path"] for d in site.report["dumps"] if d["url"] != f"/news/{slug(d['headline'])}/"}
    assert renamed == {"stories.jsonl#2", "stories.jsonl#3"}

    again = build_site(tmp_path, extra=QUICK)  # nothing changed
    assert urls(again) == before

    # A story new to the archive is named by today's function; the old ones stay put.
    shutil.copy2(DATA / "later" / "later.jsonl", site.content / "dumps" / "later.jsonl")
    later = urls(build_site(tmp_path, extra=QUICK))
    new = {path: url for path, url in later.items() if path not in before}
    assert list(new.values()) == ["/news/councils-us-style-review-residents-verdict/"], later
    assert {path: later[path] for path in before} == before


def test_without_its_state_an_archive_is_named_by_the_current_function(tmp_path: Path):
    """What `make clean` costs: the remembered slugs go with var/, so stories whose old
    and new slugs differ get new URLs (and those are stable from then on)."""
    site = build_site(tmp_path, DATA / "dumps", extra=QUICK)
    assert all(url == f"/news/{slug(d['headline'])}/" for d in site.report["dumps"] if (url := d.get("url")))
