"""Properties of headline finding in text dumps, over generated scrapes (hypothesis).

* A breadcrumb trail is a section, not a story: under any trail ('Home > Politics',
  'News › World › Asia') the story's own headline is the headline, whether or not the
  trail repeats it, and a byline under it is still read as a byline.
* A web address is one word: putting one into a line adds exactly one to its count,
  so a headline that quotes an address is still a headline (12 address parts used to
  push it past the 30-word bound, and the headline line was lost).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from news_archive.ingest.text import read_text
from news_archive.ingest.words import word_count

SECTIONS = ["Home", "News", "World", "Politics", "Asia", "Business", "Local News", "Sport", "Tech"]
HEADLINE_WORDS = ["Minister", "says", "rail", "budget", "cut", "third", "next", "year", "council", "votes",
                  "new", "plan", "for", "the", "city", "centre", "floods", "hit", "northern", "towns"]
PARAGRAPHS = [
    "The transport minister said on Monday that the budget for regional rail services would be cut by a "
    "third next year, as the government seeks savings across every department.",
    "Speaking to reporters in the capital, the minister said the cuts were painful but necessary, and that "
    "no line would close before a public consultation had been held in each affected region.",
    "Opposition parties said the decision would leave rural towns without a reliable service and called "
    "for the plan to be withdrawn before the next budget vote in parliament.",
    "Rail unions said they would meet later this week to decide on their response, which could include "
    "strikes during the summer holiday season.",
]
trail = st.tuples(st.lists(st.sampled_from(SECTIONS), min_size=2, max_size=4),
                  st.sampled_from([">", "›", "»"])).map(lambda t: f" {t[1]} ".join(t[0]))
headline = st.lists(st.sampled_from(HEADLINE_WORDS), min_size=4, max_size=14).map(
    lambda words: " ".join(words).capitalize())
address = st.tuples(st.sampled_from(["https://www.", "http://", "www."]),
                    st.lists(st.sampled_from(["example", "news", "politics", "2021", "03", "rail-budget"]),
                             min_size=1, max_size=8)).map(lambda t: t[0] + "example.org/" + "/".join(t[1]))


@settings(max_examples=150, deadline=None)
@given(trail, headline, st.booleans(), st.booleans())
def test_under_a_breadcrumb_trail_the_headline_is_the_storys_own(crumbs: str, title: str, repeat: bool,
                                                               byline: bool):
    lines = [f"{crumbs} > {title}" if repeat else crumbs, title] + (["By Jane Holloway"] if byline else [])
    story = read_text("\n\n".join(lines + PARAGRAPHS), "generated.txt")
    assert story.headline == title
    assert story.body[0].startswith("The transport minister")
    if byline:
        assert story.authors == ["Jane Holloway"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(HEADLINE_WORDS), min_size=1, max_size=20), address, st.integers(0, 20))
def test_a_web_address_is_one_word(words: list[str], url: str, where: int):
    where = min(where, len(words))
    with_url = words[:where] + [url] + words[where:]
    assert word_count(" ".join(with_url)) == word_count(" ".join(words)) + 1
