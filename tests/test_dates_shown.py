"""A date is shown as it is known: a day as a day, a time with its zone — never a time or
zone the dump did not give (news-please's stand-in midnights, times without a zone)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from types import SimpleNamespace

from conftest import ROOT
from jinja2 import Environment, FileSystemLoader
from news_archive.render import render_markdown
from news_archive.story import Story

ARCHIVED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _meta(story: Story) -> dict[str, str]:
    head = render_markdown(story, "s", ARCHIVED, "test").split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def _shown(published: str, pelican_date: datetime) -> str:
    env = Environment(loader=FileSystemLoader(ROOT / "theme" / "templates"), autoescape=True)
    article = SimpleNamespace(undated="false", published=published, date=pelican_date)
    return env.get_template("_date.html").render(article=article)


def test_a_day_is_written_and_shown_as_a_day():
    meta = _meta(Story(headline="h", body=["b"], published=date(2017, 11, 15), date_source="dump"))
    assert meta["Published"] == "2017-11-15" and meta["Date"] == "2017-11-15"
    # Pelican reads 'Date: 2017-11-15' as midnight in the site's zone; the page must not say so.
    html = _shown(meta["Published"], datetime(2017, 11, 15, tzinfo=UTC))
    assert html == '<time datetime="2017-11-15">15 November 2017</time>'


def test_a_time_keeps_its_own_zone():
    est = timezone(timedelta(hours=-5))
    meta = _meta(Story(headline="h", body=["b"], published=datetime(2017, 11, 15, 4, 29, tzinfo=est)))
    assert meta["Published"] == "2017-11-15T04:29:00-05:00"
    html = _shown(meta["Published"], datetime(2017, 11, 15, 4, 29, tzinfo=est))
    assert 'datetime="2017-11-15T04:29:00-05:00"' in html


def test_a_day_survives_the_story_cache_as_a_day():
    story = Story(headline="h", body=["b"], published=date(2017, 11, 15))
    again = Story.from_json(story.to_json())
    assert type(again.published) is date and again.published == date(2017, 11, 15)
