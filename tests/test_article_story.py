"""Articles carry their Story: typed fields instead of ``;``-joined metadata parsed back.

Each page is what ``render_markdown`` wrote for a Story, read by Pelican's own Markdown
reader with this project's settings.  Read through ``article_story``, an article with
its Story and the same article without one (as a maintainer's own page is) must say
the same: the same undatedness, entity names, authors, tags, paragraphs and indexed
body, even for names with ``;``, runs of spaces and duplicates, which the page's
metadata can only hold in its own way.  A hand-edited generated page is read from
its metadata (it gets no Story), so the edit shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from conftest import ROOT, build_site
from news_archive import article_story
from news_archive.build import Build
from news_archive.render import render_markdown
from news_archive.search.schema import article_document, body_text
from news_archive.story import ENTITY_TYPES, Entity, Story
from pelican.contents import Article
from pelican.readers import Readers
from pelican.settings import read_settings

STORIES = [
    Story(headline="Floods close mountain passes", body=["Melting snow   flooded the road.", "", "Two passes shut."],
          authors=["Ann Lee", "  Bo; Chen ", "Ann Lee"], source="AFP", published=date(2017, 11, 15),
          tags=["floods", "roads; bridges", "floods"], origin="a.txt",
          entities=[Entity("Ann Lee", "person"), Entity("Red Cross", "organisation"),
                    Entity("Bern", "place"), Entity("Swiss", "group"), Entity("A;B", "person")]),
    Story(headline="Undated note", body=["Text with <b>markup</b> & *stars* | pipes."], origin="b.txt"),
    Story(headline="Timed", body=["One paragraph."], published=datetime(2020, 1, 2, 3, 4, tzinfo=UTC),
          origin="c.txt", entities=[Entity("Zoë Ärger", "person"), Entity("zoë ärger", "person")]),
]


@pytest.fixture(scope="module")
def settings() -> dict:
    return read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(ROOT / "content")})


def read_page(story: Story, tmp_path: Path, settings: dict) -> Article:
    """The generated page of ``story``, as Pelican reads it."""
    page = tmp_path / f"{story.origin}.md"
    page.write_text(render_markdown(story, "slug-" + story.origin[0], datetime(2026, 1, 1, tzinfo=UTC), "4"),
                    encoding="utf-8")
    return Readers(settings).read_file(str(tmp_path), page.name, content_class=Article)


@pytest.mark.parametrize("story", STORIES, ids=lambda s: s.origin)
def test_the_story_and_its_page_say_the_same(story: Story, tmp_path: Path, settings: dict) -> None:
    bare = read_page(story, tmp_path, settings)
    with_story = read_page(story, tmp_path, settings)
    build = Build.start(settings)
    build.stories[story.content_hash] = story
    article_story.attach(with_story)
    assert article_story.story_of(with_story) is story
    assert article_story.story_of(bare) is None
    for read in (article_story.is_undated, article_story.paragraphs, body_text):
        assert read(with_story) == read(bare), read.__name__
    for kind in ENTITY_TYPES:
        assert article_story.entity_names(with_story, kind) == article_story.entity_names(bare, kind), kind
    for key in ("authors", "tags"):
        assert article_story.listed(with_story, key) == article_story.listed(bare, key), key
    assert article_document(with_story) == article_document(bare)
    settings.pop("_NEWS_ARCHIVE_BUILD")


def test_only_a_story_this_build_rendered_is_attached(tmp_path: Path, settings: dict) -> None:
    story = STORIES[0]
    article = read_page(story, tmp_path, settings)
    article_story.attach(article)  # no build: nothing to attach
    assert article_story.story_of(article) is None
    Build.start(settings)  # a build that did not render this story
    article_story.attach(article)
    assert article_story.story_of(article) is None
    settings.pop("_NEWS_ARCHIVE_BUILD")


def test_a_hand_edited_page_is_read_from_its_metadata(tmp_path: Path) -> None:
    """A kept hand edit of a generated page's entity list and text shows in the built site:
    the page has no Story in the build, so its metadata and HTML are what it says."""
    dump = ROOT / "tests" / "data" / "dumps" / "page"
    site = build_site(tmp_path, sorted(dump.glob("*.txt"))[:1],
                      extra={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False})
    page = next((site.content / "generated").glob("*.md"))
    text = page.read_text(encoding="utf-8")
    header, _, body = text.partition("\n\n")
    page.write_text(header + "\nPeople: Hand Edited Person;\n\nA paragraph written by hand.\n\n" + body,
                    encoding="utf-8")
    site = build_site(tmp_path, extra={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False})
    url = next(e["url"] for e in site.report["dumps"] if e.get("status") == "converted")
    html = site.page(url)
    assert "Hand Edited Person" in html  # the entity list and the JSON-LD read the edited metadata
    assert '"name": "Hand Edited Person"' in html
    assert "A paragraph written by hand." in html


def test_every_article_of_a_real_build_carries_its_story(tmp_path: Path) -> None:
    """An in-process Pelican build of the sample archive: each generated article holds the
    very Story object the converter rendered its page from."""
    import shutil

    from conftest import SAMPLE_DUMPS
    from pelican import Pelican, signals

    shutil.copytree(SAMPLE_DUMPS, tmp_path / "content" / "dumps")
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={
        "PATH": str(tmp_path / "content"), "OUTPUT_PATH": str(tmp_path / "output"),
        "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var"), "THEME": str(ROOT / "theme"),
        "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False,
    })
    pelican = Pelican(settings)
    seen: list[tuple[object, object]] = []

    def probe(generator: object) -> None:
        build = Build.of(generator.settings)  # type: ignore[attr-defined]
        for article in generator.articles:  # type: ignore[attr-defined]
            seen.append((article_story.story_of(article), build.story_of(article.metadata["content_hash"])))

    signals.article_generator_finalized.connect(probe)
    try:
        pelican.run()
    finally:
        signals.article_generator_finalized.disconnect(probe)
    assert len(seen) >= 20
    assert all(mine is not None and mine is built for mine, built in seen)


def test_entity_names_follow_a_changed_entity_list():
    """The names are worked out once per Story, and again whenever its entity list is
    replaced or grows: never a stale list."""

    class Page:  # what entity_names reads of an article: its Story
        story = Story(headline="h", body=["b"], origin="x.txt", entities=[Entity("Bern", "place")])

    page = Page()
    assert article_story.entity_names(page, "place") == ["Bern"]
    assert article_story.entity_names(page, "person") == []
    page.story.entities.append(Entity("Ann Lee", "person"))
    assert article_story.entity_names(page, "person") == ["Ann Lee"]
    page.story.entities = [Entity("Zürich", "place"), Entity("Aarau", "place")]
    assert article_story.entity_names(page, "place") == ["Aarau", "Zürich"]
    names = article_story.entity_names(page, "place")
    names.append("changed by the caller")
    assert article_story.entity_names(page, "place") == ["Aarau", "Zürich"]
    assert "_names_by_kind" not in page.story.to_json()
