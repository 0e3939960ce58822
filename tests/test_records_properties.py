"""Properties of record cleaning, over generated inputs (hypothesis): what the rules may
never do, whatever a scraper puts in a field.

* An author kept is a name: bounded length, no digits, no URL or e-mail, a few words,
  and made only of words the credit contained (nothing invented, nothing guessed).
* A date never gains a time or a zone the input did not have.
* Furniture removal only removes: what is left is paragraphs of the input, in order,
  and removing again removes nothing more.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st
from news_archive.ingest.fields import parse_date
from news_archive.ingest.furniture import strip_furniture
from news_archive.ingest.names import MAX_NAME_CHARS, clean_authors, person_name

WORDS = ["View", "All", "Posts", "Jane", "Doe", "Reporter", "More", "Min", "Read", "The", "What", "Is",
         "Published", "P.M.", "Et", "Feb.", "Mark", "Prigg", "For", "Dailymail.Com", "Reuters", "Editorial",
         "and", "de", "la", "O'Brien", "Anne-Marie", "www.site.com", "jane@site.com", "2019", "Correspondent",
         "CNN", "National", "Politics", "Technology", "Staff", "Getty", "Images", "By", "Is", "A", "Writer"]
credit = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=0, max_size=14).map(" ".join),
    st.text(max_size=300),
)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.findall(r"[^\W\d_][\w'’.-]*", text)}


@settings(max_examples=400, deadline=None)
@given(credit)
@example("À\x1f㐀")  # a separator control between two words: they stay two words
@example("Jane\x0cDoe")
def test_a_kept_author_is_a_bounded_name_made_of_the_credits_own_words(text: str):
    name, source = person_name(text)
    if name:
        assert len(name) <= MAX_NAME_CHARS
        assert not re.search(r"\d|https?:|www\.|@|\.com\b", name, re.I)
        assert 1 <= len(name.split()) <= 5
        assert _words(name) <= _words(text) | {w.casefold() for w in text.split()}
    assert source in ("", "Reuters", "CNN") or len(source) < 40


@settings(max_examples=200, deadline=None)
@given(st.lists(credit, max_size=6))
def test_clean_authors_keeps_no_duplicates_and_never_more_than_given(credits: list[str]):
    people, _ = clean_authors(credits)
    assert len({p.casefold() for p in people}) == len(people)
    assert all(len(p) <= MAX_NAME_CHARS for p in people)


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2035, 12, 31))
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=300, deadline=None)
@given(moments, st.sampled_from(["T", " "]))
def test_a_time_without_a_zone_keeps_only_its_day(moment: datetime, sep: str):
    got = parse_date(moment.isoformat(sep=sep, timespec="seconds"))
    assert type(got) is date and got == moment.date()


@settings(max_examples=300, deadline=None)
@given(moments, offsets)
def test_a_time_with_its_zone_keeps_both(moment: datetime, zone: timezone):
    aware = moment.replace(microsecond=0, tzinfo=zone)
    got = parse_date(aware.isoformat())
    assert isinstance(got, datetime) and got == aware and got.utcoffset() == aware.utcoffset()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_free_text_never_gains_a_zone_it_does_not_name(text: str):
    got = parse_date(text)
    if isinstance(got, datetime):
        assert got.tzinfo is not None, "a time is only kept with its zone"
        named = re.search(r"[A-Z]{1,5}|[+-]\d{2}:?\d{2}", text)
        assert named or got.utcoffset() == UTC.utcoffset(None)


PARAS = ["Advertisement Continue reading the main story", "Story Continued Below", "Read More",
         "The council approved the budget on Tuesday after a long debate about the library service.",
         "Share this article on Facebook", "Authors: Jane Doe", "By Jane Doe",
         "Commuters said the closure had doubled their journey times across the city.",
         "Copyright 2017 The Associated Press. All rights reserved.", "Photo", "“Yes,” she said."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PARAS), st.text(min_size=1, max_size=120)), max_size=12),
       st.sampled_from(["", "Council passes budget"]))
def test_furniture_removal_only_removes_and_is_stable(paragraphs: list[str], headline: str):
    kept = strip_furniture(paragraphs, headline)
    it = iter(p.strip() for p in paragraphs)
    assert all(any(k == p or p.endswith(k) for p in it) for k in kept), "kept paragraphs are the input's, in order"
    assert strip_furniture(kept, headline) == kept


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=80)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)
record_keys = st.sampled_from(["title", "headline", "text", "maintext", "body", "authors", "author",
                               "date_publish", "publishing_date", "url", "source_domain", "description",
                               "summary", "sections", "paragraphs", "language"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(record_keys, json_value, max_size=8))
def test_any_json_record_becomes_a_clean_story_or_a_reason(rec: dict):
    from news_archive.ingest.errors import Rejected
    from news_archive.ingest.json_record import record_to_story

    try:
        story = record_to_story(rec, "r.json")
    except Rejected as exc:
        assert exc.reason
        return
    assert story.headline and story.body
    assert all(len(a) <= MAX_NAME_CHARS and not re.search(r"\d", a) for a in story.authors)
    if isinstance(story.published, datetime):
        assert story.published.tzinfo is not None
