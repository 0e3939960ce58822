"""The query language, ranking, sorting, facets and forgiveness, through the real WSGI app.

A small archive of news-please JSON dumps with known dates, sources and authors (one
undated) is built by Pelican once for this module; every assertion is about what a
reader would see from /search.json or /search.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import SAMPLE_DUMPS, SEED, Site, build_site
from test_search_service import app_for, call

STORIES = {
    "zurich": ("Flood warning issued for Zürich lakeside", "2018-03-14", "swissinfo.ch", ["Anna Keller"],
               "Authorities in Zürich issued a flood warning on Tuesday as the lake rose after days of "
               "heavy rain. Residents near the shore were told to move valuables upstairs.\n\nThe city "
               "declared a state of emergency for the old town and opened shelters."),
    "budget": ("Parliament passes budget after long debate", "2017-06-02", "Reuters", ["John Smith"],
               "The parliament passed the annual budget late on Friday after a debate that lasted "
               "eleven hours. Ministers said spending on schools and hospitals would rise.\n\nThe "
               "opposition called the budget a missed chance for tax reform."),
    "election": ("Election campaign enters its final week", "2016-11-01", "AFP", [],
                 "Candidates crossed the country on Tuesday as the election campaign entered its final "
                 "week. Polls show the race is close.\n\nTurnout in the last elections was the lowest "
                 "in two decades, and both parties are trying to bring voters back."),
    "court": ("Election result disputed in court", "2018-01-10", "AFP", ["Marie Dubois"],
              "Lawyers for the losing party asked the supreme court to annul the election result, "
              "citing irregularities at polling stations.\n\nThe court said it would rule within "
              "a month."),
    "stadium": ("Club sets football stadium budget", "2018-07-20", "Reuters", [],
                "The football club approved a budget for its new stadium on Monday. The board said "
                "the ground would hold forty thousand fans.\n\nSupporters have waited a decade for the "
                "move away from the old ground."),
    "geneva": ("Budget talks stall in Geneva", None, "Reuters", [],
               "Talks on the organisation's budget stalled in Geneva after delegates failed to agree "
               "on contributions.\n\nThe emergency session will resume next month, when the state "
               "delegations return."),
}


def write_dumps(folder: Path, stories: dict = STORIES) -> None:
    """One news-please JSON dump per story (the undated one has no date at all)."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, (title, date, source, authors, text) in stories.items():
        record = {"title": title, "maintext": text, "authors": authors, "url": f"https://example.org/{key}",
                  "source_domain": source, "language": "en"}
        if date:
            record["date_publish"] = f"{date} 09:00:00+00:00"  # a time with its zone is kept as a time
        (folder / f"{key}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def news_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("news")
    write_dumps(root / "content" / "dumps")
    return build_site(root, SAMPLE_DUMPS / SEED)


@pytest.fixture(scope="module")
def app(news_site: Site):
    return app_for(news_site)


def get(app, query: str, path: str = "/search.json") -> dict:
    status, headers, body = call(app, path, query)
    assert status == "200 OK", (query, status)
    return json.loads(body)


def headlines(data: dict) -> list[str]:
    return [r["headline"] for r in data["results"]]


def q(app, text: str, extra: str = "") -> dict:
    return get(app, "q=" + quote(text) + extra)


def test_json_keeps_the_documented_shape_and_adds_suggestion_and_facets(app):
    data = q(app, "budget")
    assert {"query", "total", "page", "results", "suggestion", "facets"} <= set(data)
    assert data["query"] == "budget" and data["page"] == 1 and data["total"] == 3
    for hit in data["results"]:
        assert set(hit) >= {"url", "headline", "date", "snippet"}
        assert hit["date"] is None or len(hit["date"]) == 10
        assert "<mark>" in hit["snippet"]
    undated = [h for h in data["results"] if h["headline"] == "Budget talks stall in Geneva"]
    assert undated[0]["date"] is None  # never a stand-in date


def test_every_word_is_required_unless_or(app):
    assert headlines(q(app, "election court")) == ["Election result disputed in court"]
    assert set(headlines(q(app, "stadium OR hospitals"))) == {
        "Club sets football stadium budget", "Parliament passes budget after long debate"}


def test_words_match_in_all_their_forms_and_without_accents(app):
    assert "Flood warning issued for Zürich lakeside" in headlines(q(app, "Zurich"))
    assert "Flood warning issued for Zürich lakeside" in headlines(q(app, "zürich flooding"))
    assert "Election campaign enters its final week" in headlines(q(app, "elections"))


def test_the_headline_weighs_most(app):
    # "budget" is in three stories; the one with it first in a short headline is not buried.
    assert headlines(q(app, "budget debate"))[0] == "Parliament passes budget after long debate"


def test_phrases_match_words_in_order(app):
    assert headlines(q(app, '"state of emergency"')) == ["Flood warning issued for Zürich lakeside"]
    assert {"Flood warning issued for Zürich lakeside", "Budget talks stall in Geneva"} <= set(
        headlines(q(app, "state emergency")))


def test_minus_and_not_exclude(app):
    both = set(headlines(q(app, "budget")))
    assert "Club sets football stadium budget" in both
    assert set(headlines(q(app, "budget -football"))) == both - {"Club sets football stadium budget"}
    assert set(headlines(q(app, "budget NOT football"))) == both - {"Club sets football stadium budget"}


def test_field_prefixes(app):
    assert headlines(q(app, "author:Keller")) == ["Flood warning issued for Zürich lakeside"]
    assert set(headlines(q(app, "source:AFP"))) == {"Election result disputed in court",
                                                    "Election campaign enters its final week",
                                                    "Top Islamic State Commander Killed in Afghanistan Airstrike"}
    assert headlines(q(app, "headline:stadium")) == ["Club sets football stadium budget"]
    seed = q(app, "person:hekmat")
    assert headlines(seed) == ["Top Islamic State Commander Killed in Afghanistan Airstrike"]
    assert q(app, "org:taliban")["total"] >= 1


def test_dates_years_months_and_ranges(app):
    assert set(headlines(q(app, "date:2018"))) == {"Flood warning issued for Zürich lakeside",
                                                   "Election result disputed in court",
                                                   "Club sets football stadium budget"}
    assert headlines(q(app, "date:2018-03")) == ["Flood warning issued for Zürich lakeside"]
    assert headlines(q(app, "budget date:2016..2017")) == ["Parliament passes budget after long debate"]
    assert set(headlines(q(app, "election date:>2017"))) == {"Election result disputed in court"}
    assert set(headlines(q(app, "election date:<2017"))) == {"Election campaign enters its final week"}
    assert q(app, "geneva date:1900..2100")["total"] == 0  # an undated story matches no date


def test_a_date_it_cannot_read_is_explained_not_failed(app):
    data = q(app, "budget date:yesterday")
    assert data["total"] == 3
    assert any("date:yesterday" in note for note in data["notes"])


def test_sorting_by_date_puts_undated_stories_last_both_ways(app):
    newest = headlines(q(app, "budget", "&sort=newest"))
    oldest = headlines(q(app, "budget", "&sort=oldest"))
    assert newest == ["Club sets football stadium budget", "Parliament passes budget after long debate",
                      "Budget talks stall in Geneva"]
    assert oldest == ["Parliament passes budget after long debate", "Club sets football stadium budget",
                      "Budget talks stall in Geneva"]


def test_facets_count_the_results_and_each_link_narrows_to_that_count(app):
    data = q(app, "budget OR election")
    facets = data["facets"]
    assert {"source", "year"} <= set(facets)
    assert {f["value"]: f["count"] for f in facets["source"]} == {"Reuters": 3, "AFP": 2}
    assert {f["value"]: f["count"] for f in facets["year"]} == {"2018": 2, "2017": 1, "2016": 1}
    assert facets.get("author") and {f["value"] for f in facets["author"]} >= {"John Smith", "Marie Dubois"}
    for name, items in facets.items():
        for item in items:
            parts = urlsplit(item["url"])
            narrowed = get(app, parts.query)
            assert narrowed["total"] == item["count"], (name, item)
            assert set(headlines(narrowed)) <= set(headlines(data))
            active = narrowed["filters"]
            assert {"name": name, "value": item["value"]}.items() <= active[0].items()
            widened = get(app, urlsplit(active[0]["remove_url"]).query)
            assert widened["total"] == data["total"]


def test_entity_facets_list_the_people_of_the_results(app):
    data = q(app, "Hekmat")
    people = {f["value"] for f in data["facets"].get("person", [])}
    assert "Qari Hekmat" in people
    narrowed = get(app, "q=&person=" + quote("Qari Hekmat"))
    assert headlines(narrowed) == ["Top Islamic State Commander Killed in Afghanistan Airstrike"]


def test_active_filters_are_shown_and_removable_on_the_html_page(app):
    status, _, body = call(app, "/search", "q=budget&source=Reuters&year=2018")
    html = body.decode()
    assert status == "200 OK"
    assert "Sources: Reuters" in html and "Year: 2018" in html
    assert 'href="/search?q=budget&amp;year=2018"' in html  # removes the source filter
    assert 'href="/search?q=budget&amp;source=Reuters"' in html  # removes the year filter
    assert html.count('class="result"') == 1


def test_misspellings_get_a_suggestion_and_results(app):
    data = q(app, "floood")
    assert data["suggestion"] == "flood"
    assert data["match"] == "corrected"
    assert headlines(data) == ["Flood warning issued for Zürich lakeside"]
    status, _, body = call(app, "/search", "q=parliment+budgett")
    html = body.decode()
    assert "parliament budget" in html and "Parliament passes budget after long debate" in html


def test_when_no_story_has_every_word_some_words_are_offered(app):
    data = q(app, "stadium hydrologists")
    assert data["match"] in ("any", "corrected-any", "fuzzy") and data["total"] >= 1


def test_a_zero_result_page_helps(app):
    status, _, body = call(app, "/search", "q=" + quote("xylophonics <b>"))
    html = body.decode()
    assert status == "200 OK"
    assert "No stories found" in html and "&lt;b&gt;" in html and "<b>" not in html
    assert 'href="/search/help/"' in html and "/entities/" in html  # the path static hosts have too


def test_help_page_documents_the_language_and_results_link_to_it(app):
    status, headers, body = call(app, "/search/help")
    html = body.decode()
    assert status == "200 OK" and headers["Content-Type"].startswith("text/html")
    for syntax in ('"state of emergency"', " OR ", "-football", "person:", "org:", "place:", "tag:",
                   "source:", "author:", "date:2018", "date:2016..2018"):
        assert syntax.replace('"', "&#34;") in html or syntax in html, syntax
    _, _, results = call(app, "/search", "q=budget")
    assert 'href="/search/help/"' in results.decode()


def test_pagination_and_page_size(app):
    first = q(app, "budget OR election", "&size=2")
    assert first["pages"] == 3 and len(first["results"]) == 2 and first["page_size"] == 2
    second = get(app, urlsplit(first["next_url"]).query)
    assert second["page"] == 2 and not set(headlines(first)) & set(headlines(second))
    past = q(app, "budget", "&size=2&page=9")
    assert past["page"] == 9 and past["results"] == [] and past["total"] == 3
