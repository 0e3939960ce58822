"""A text dump that quotes markup is still a text dump: its headline keeps the tag as text.

A headline such as "Why <p> tags matter" or a menu line ``<body onload=track()>`` is
text that the page shows (it is escaped wherever it goes later).  The format is told
by how the document begins, not by a tag somewhere in its first lines: a saved page
or an HTML fragment begins with markup (a doctype, ``<html>``, a tag whose markup goes
on past the first line), a text dump with its words.  Likewise only a document that
is markup is refused as an XML file (SVG, RSS): a text dump whose first line opens
with ``<svg onload=…>`` is not a logo.
"""

from __future__ import annotations

import gzip

import pytest
from conftest import ROOT, shared_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from news_archive.ingest import Rejected
from news_archive.ingest.sniff import read_bytes, sniff

PARAGRAPHS = [
    "The council met on Tuesday to vote on the plan, and the members agreed after a long debate "
    "that lasted well into the night.",
    "The mayor said the budget would keep taxes flat for the third year in a row while adding money "
    "for the parks and schools.",
    "Opposition members said the plan did too little for the poorest districts of the city, where "
    "many roads are in need of repair.",
]
BODY = "\n\n".join(PARAGRAPHS)
# Markup a headline, a menu or a paragraph of a text dump may quote.
MARKUP = ["<script>alert(1)</script>", "javascript:alert(1)", '"><img src=x onerror=alert(1)>',
          "<svg onload=alert(1)>", "<body onload=alert(1)>", "<p>", "<html>", "<head>", "<article>",
          "<!doctype html>", "<a href='javascript:x'>", "<rss>", "<feed>", "</script>"]


def read(text: str, name: str = "story.txt") -> tuple[str, str]:
    """(format the dump is read as, its headline) or ('rejected', reason)."""
    try:
        [story] = read_bytes(text.encode(), name=name, origin=name)
    except Rejected as exc:
        return "rejected", exc.reason
    return story.format, story.headline


def shapes(headline: str) -> dict[str, str]:
    """One story as the three kinds of text dump: a bare story, a scrape, a full page."""
    return {
        "bare story": f"{headline}\n\n{BODY}\n",
        "scrape": f"Home News {headline}\n\n{headline}\n\nBy AFP\n\n{BODY}\n",
        "full page": f"{headline} - City News\n\nHome\nNews\nSport\n\n{headline}\n\n"
                     f"Jane Doe - Nov 19, 2019\n\n{BODY}\n\nShare this:\n",
    }


@pytest.mark.parametrize("markup", MARKUP)
@pytest.mark.parametrize("shape", ["bare story", "scrape", "full page"])
def test_a_headline_quoting_markup_is_kept_as_text(markup: str, shape: str):
    headline = f"Council votes {markup} on the budget"
    kind, got = read(shapes(headline)[shape])
    assert kind.endswith("-text"), got
    assert got == headline


@pytest.mark.parametrize("markup", MARKUP)
def test_markup_in_a_menu_or_a_paragraph_leaves_the_dump_text(markup: str):
    menu = f"Council votes - City News\n\n{markup}\nHome\nNews\n\nCouncil votes\n\n{BODY}\n"
    paragraph = f"Council votes - City News\n\nHome\nNews\n\nCouncil votes\n\n{PARAGRAPHS[0]} {markup}\n\n{BODY}\n"
    for text in (menu, paragraph):
        assert read(text) == ("scrape-text", "Council votes"), text


@pytest.mark.parametrize("first_line", [
    "<body onload=\"track()\"> is where the tracking starts", "<p> tags explained: what every editor should know",
    "<svg onload=alert(1)> is the oldest trick in the book",
])
def test_a_text_dump_may_open_with_a_quoted_tag(first_line: str):
    text = f"{first_line}\n\n{BODY}\n"
    assert sniff(text, "story.txt") == "text"
    kind, headline = read(text)
    assert kind == "scrape-text" and headline == first_line


# A headline of 26 words: near the 30 a headline may have.
LONG = ("Council members from every district of the city vote late on Tuesday night to approve a new budget "
        "for roads, schools, parks and the old harbour")


@pytest.mark.parametrize("markup", ["<a href='javascript:alert(1)'>", "<script>alert(1)</script> <b>",
                                    "<img src=x onerror=alert(1)>", "javascript:alert(document.cookie)"])
def test_quoted_markup_counts_as_one_word_of_a_headline(markup: str):
    """'<a href=\'javascript:alert(1)\'>' is one thing the reader sees, not five words that
    push a long headline over the length of a headline ("no headline above the body")."""
    headline = f"{LONG} {markup}"
    assert read(shapes(headline)["bare story"]) == ("scrape-text", headline)


def test_angle_brackets_that_are_no_markup_still_count_their_words():
    from news_archive.ingest.words import word_count

    assert word_count("<The Palace: Tale of Jang Noksu> returns") == 7  # a title in brackets, not a tag
    assert word_count("Council votes <a href='javascript:alert(1)'>") == 3


def test_an_xml_file_is_refused_only_when_it_is_one():
    """A real SVG or feed declares itself (<?xml …>, xmlns) or closes its root; a text dump
    whose every line quotes a tag and whose first opens with '<svg onload=…>' is no logo."""
    text = ("<svg onload=alert(1)> votes plan <script>alert(1)</script>\n\n"
            f"{PARAGRAPHS[0]} <img src=x onerror=alert(1)>\n\n{PARAGRAPHS[1]} <b>bold</b>\n")
    assert read(text)[0] != "rejected" or "XML document" not in read(text)[1]
    assert read('<svg width="10"><rect/></svg>', "logo")[0] == "rejected"


def test_documents_that_are_markup_are_still_read_as_markup():
    page = (ROOT / "tests" / "data" / "dumps" / "html" / "gadget-article.html").read_text(encoding="utf-8")
    assert sniff(page) == "html"
    assert sniff("<p>Dock workers returned to work on Monday.</p>\n<p>The union agreed.</p>") == "html"
    assert sniff("<p>Dock workers returned to work on Monday.</p><p>The union agreed.</p>") == "html"
    assert sniff("<!doctype html>\nCouncil votes\n\nThe council met.") == "html"
    for name in ("logo.svg", "saved-logo", "feed.xml"):
        kind, reason = read((ROOT / "tests" / "data" / "hostile" / name).read_text(encoding="utf-8"), name)
        assert kind == "rejected" and "not an article" in reason, (name, reason)


def test_every_page_of_the_extraction_benchmark_is_still_html():
    folder = shared_data("extraction", "html")
    for page in sorted(folder.glob("*.html.gz")):
        assert sniff(gzip.decompress(page.read_bytes()).decode("utf-8", "replace")) == "html", page.name


words = st.sampled_from(["Council", "votes", "budget", "plan", "city", "new", "on", "for", "the", "Mayor"])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(words, min_size=3, max_size=6), st.integers(0, 6), st.sampled_from(MARKUP),
       st.sampled_from(["bare story", "scrape", "full page"]))
def test_markup_inside_a_headline_changes_nothing_but_the_headline(before: list[str], cut: int, markup: str,
                                                                  shape: str):
    """Wherever markup stands in a headline after its first word, the dump reads as with a
    plain word there: same format, and the headline with the markup as written."""
    cut = max(1, min(cut, len(before)))
    plain = " ".join([*before[:cut], "Report", *before[cut:]])
    hostile = " ".join([*before[:cut], markup, *before[cut:]])
    kind, headline = read(shapes(plain)[shape])
    if kind == "rejected":
        return  # a headline of stop words only may be no headline: that is another question
    assert read(shapes(hostile)[shape]) == (kind, headline.replace("Report", markup))
