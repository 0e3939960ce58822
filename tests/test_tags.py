"""Tags: 3–8 per story, normalised across the archive, shaped by the maintainer's vocabulary."""

from __future__ import annotations

import re
from collections import defaultdict

from conftest import Site
from news_archive.enrich.tags import tag_key


def page_tags(site: Site) -> dict[str, list[str]]:
    """Tags of every generated page, as its metadata header lists them."""
    out = {}
    for page in (site.content / "generated").glob("*.md"):
        line = next((x for x in page.read_text(encoding="utf-8").splitlines() if x.startswith("Tags:")), "Tags:")
        out[page.stem] = [t.strip() for t in line[5:].split(";") if t.strip()]
    return out


def test_every_story_has_three_to_eight_tags(sample_site: Site):
    tags = page_tags(sample_site)
    assert len(tags) >= 21
    for slug, ts in tags.items():
        assert 3 <= len(ts) <= 8, (slug, ts)


def test_tags_are_normalised_across_the_archive(sample_site: Site):
    spellings = defaultdict(set)
    for ts in page_tags(sample_site).values():
        assert len({tag_key(t) for t in ts}) == len(ts), ts  # no "airstrike" next to "airstrikes"
        for t in ts:
            spellings[tag_key(t)].add(t)
            assert not re.search(r"\b(said|says|told|would|also)\b", t.casefold()), t
    split = {k: v for k, v in spellings.items() if len(v) > 1}
    assert not split, split  # one spelling per tag in the whole archive


def test_salient_entities_and_topical_phrases_become_tags(sample_site: Site):
    seed = page_tags(sample_site)["top-islamic-state-commander-killed-in-afghanistan-airstrike"]
    assert "Islamic State" in seed and "Qari Hekmat" in seed  # canonical names, not "I.S." or "Hekmat"
    assert any(t.islower() for t in seed), seed  # and at least one keyphrase
    blair_stories = [ts for ts in page_tags(sample_site).values() if "Tony Blair" in ts]
    assert len(blair_stories) >= 8  # a shared tag groups stories


def test_tag_pages_and_index_show_counts(sample_site: Site):
    index = sample_site.page("/tags/")
    m = re.search(r'href="/tag/tony-blair/">Tony Blair</a> <span class="count">(\d+)</span>', index)
    assert m and int(m.group(1)) >= 8
    page = sample_site.page("/tag/tony-blair/")
    assert re.search(r"\d+ stories", page)


def test_accented_words_stay_whole_in_tags():
    """'Zürich lakeside' must never become the tag 'rich lakeside'."""
    from collections import Counter

    from news_archive.enrich.tags import _stopwords, phrases
    from news_archive.story import Story

    assert tag_key("Zürich Lakesides") == "zürich lakeside"
    story = Story(headline="Storm floods the Zürich lakeside",
                  body=["The Zürich lakeside promenade was closed after the storm flooded the café terraces."])
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    keys = phrases(story, _stopwords(), surfaces)
    assert not any(k.startswith("rich") for k in keys), keys
    assert "café terrace" in keys
