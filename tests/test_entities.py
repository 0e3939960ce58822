"""Entities: what a reader sees on entity pages, and the `entities` command.

Real dumps in (the bundled sample archive, built once per session), real pages out.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT, SAMPLE_DUMPS, SEED, Site, build_site

SEED_URL = "/news/top-islamic-state-commander-killed-in-afghanistan-airstrike/"


def entity_links(html: str) -> list[str]:
    return re.findall(r'href="(/entity/[^"#?]*)"', html)


def test_seed_yields_person_pages_for_its_four_people_and_no_bare_hekmat(sample_site: Site):
    for slug in ("qari-hekmat", "mawlawi-habib-ul-rahman", "lutfullah-azizi", "faqir-mohammad-jawzjani"):
        page = sample_site.page(f"/entity/person/{slug}/")
        assert SEED_URL in page, slug
    people = {p.name for p in (sample_site.output / "entity" / "person").iterdir()}
    assert "hekmat" not in people and "azizi" not in people and "jawzjani" not in people
    assert "<h1>Qari Hekmat</h1>" in sample_site.page("/entity/person/qari-hekmat/")


def test_seed_entities_have_the_right_types_and_no_junk(sample_site: Site):
    html = sample_site.page(SEED_URL)
    links = set(entity_links(html))
    assert "/entity/organisation/islamic-state/" in links  # I.S. and Daesh: not places
    assert "/entity/organisation/haqqani-network/" in links  # not a facility
    assert "/entity/place/jowzjan/" in links and "/entity/place/united-states/" in links
    for junk in ("afghanistan-airstrike", "daesh", "i-s", "defense-ministry", "related-articles", "hekmat"):
        assert not any(link.rstrip("/").endswith("/" + junk) for link in links), junk
    assert not list(sample_site.output.glob("entity/*/afghanistan-airstrike"))


def test_article_lists_entities_grouped_by_type_and_every_chip_has_a_page(sample_site: Site):
    html = sample_site.page(SEED_URL)
    section = html[html.index("In this story"):] if "In this story" in html else html
    people = section.index("People")
    places = section.index("Places")
    assert section.index("/entity/person/qari-hekmat/") > people
    assert section.index("/entity/place/jowzjan/") > places
    for page in sample_site.output.rglob("*.html"):
        for link in entity_links(page.read_text(encoding="utf-8")):
            assert (sample_site.output / link.strip("/") / "index.html").is_file(), (page, link)


def test_entity_page_shows_aliases_sentence_and_company(sample_site: Site):
    page = sample_site.page("/entity/organisation/islamic-state/")
    assert "Organisation" in page
    aliases = page[page.index("Also written as"):].split("</p>")[0]
    assert "I.S." in aliases and "Daesh" in aliases
    # The sentence naming the entity in each story, from the body, escaped.
    assert "A high-ranking Islamic State commander in Afghanistan has been killed" in page
    related = page[page.index("Most often mentioned with"):]
    assert "/entity/place/afghanistan/" in related.split("</section>")[0]
    # Undated stories are shown as such, never with an invented date.
    assert "Date unknown" in page


def test_entity_of_undated_stories_only_has_no_feed_and_links_none(sample_site: Site):
    page = sample_site.page("/entity/person/qari-hekmat/")
    # The seed is undated: its feed would be empty, so it is neither written nor linked.
    assert "qari-hekmat.atom.xml" not in page and 'class="feed-link"' not in page
    assert not (sample_site.output / "feeds/entity/person/qari-hekmat.atom.xml").exists()


def test_dated_stories_newest_first_undated_last_with_a_chart_and_feed(curated_site: Site):
    page = curated_site.page("/entity/place/jowzjan-province/")
    # Two stories a page here (DEFAULT_PAGINATION = 2), but the front page holds up to three
    # (paging: pages are counted from the oldest story): newest first, the undated one last.
    assert page.index("Jowzjan police seize weapons cache") < page.index("Jowzjan governor warns of militant")
    assert page.index("Jowzjan governor warns of militant") < page.index("Top Islamic State Commander Killed")
    assert "2 July 2018" in page and "Date unknown" in page
    assert not (curated_site.output / "entity/place/jowzjan-province/page/2").exists()
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert "<script" not in chart and 'role="img"' in chart
    assert chart.count("<title>") == 5  # March to July 2018, one bar a month
    assert "Mar 2018: 1 story" in chart and "Jul 2018: 1 story" in chart and "Apr 2018: 0 stories" in chart
    assert "1 with date unknown" in page
    assert "fighters &amp; &lt;commanders&gt; were" in page and "<commanders>" not in page  # dump text stays escaped
    feed = (curated_site.output / "feeds/entity/place/jowzjan-province.atom.xml").read_text(encoding="utf-8")
    assert feed.count("<entry>") == 2 and feed.count("<published>") == 2
    assert "Top Islamic State Commander" not in feed


def test_entities_index_by_type_with_counts_and_an_a_to_z_view(sample_site: Site):
    index = sample_site.page("/entities/")
    for kind in ("person", "organisation", "place"):
        assert f'id="{kind}"' in index
    assert 'id="group"' not in index  # nationalities get no pages (README: Entities)
    blair = re.search(r'href="/entity/person/tony-blair/">Tony Blair</a> <span class="count">(\d+)</span>', index)
    assert blair and int(blair.group(1)) >= 10
    az = sample_site.page("/entities/a-z/")  # jump links to a page per letter
    assert az.index('href="/entities/a-z/a/"') < az.index('href="/entities/a-z/q/"')
    q = sample_site.page("/entities/a-z/q/")
    assert "/entity/person/qari-hekmat/" in q and 'aria-current="page">Q<' in q
    assert 'href="/entities/a-z/a/"' in q  # every letter page links every other letter


def test_entities_command_gives_offsets_and_canonical_names():
    text = ("Qari Hekmat was killed in Darzab, the ministry said. Hekmat had led I.S. fighters, "
            "and Daesh did not comment.\n\nRelated Articles")
    lines = [json.dumps({"id": "a", "text": text}), "not json", json.dumps({"id": 7, "text": ""})]
    proc = subprocess.run(
        [sys.executable, "-m", "news_archive", "entities"], input="\n".join(lines) + "\n",
        capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": ""}, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "line 2" in proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7] and out[1]["entities"] == []
    ents = out[0]["entities"]
    found = {(text[e["start"]:e["end"]], e["type"], e["name"]) for e in ents}
    assert ("Hekmat", "person", "Qari Hekmat") in found
    assert [text[e["start"]:e["end"]] for e in ents if e["name"] == "Qari Hekmat"] == ["Hekmat", "Hekmat"]
    assert ("I.S.", "organisation", "Islamic State") in found
    assert ("Daesh", "organisation", "Islamic State") in found
    assert ("Darzab", "place", "Darzab") in found
    assert not any("Related" in f[0] for f in found)


@pytest.fixture(scope="module")
def curated_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The seed plus two BBC dumps, with a maintainer entity file and tag vocabulary."""
    root = tmp_path_factory.mktemp("curated")
    (root / "content").mkdir()
    (root / "content" / "entities.toml").write_text(
        '[[entity]]\nname = "Hekmatullah"\ntype = "person"\naliases = ["Qari Hekmat", "Hekmat"]\n\n'
        '[types]\n"Darzab" = "organisation"\n\n'
        '[display]\n"Jowzjan" = "Jowzjan Province"\n\n'
        '[blocklist]\nnames = ["Kabul"]\n',
        encoding="utf-8",
    )
    (root / "content" / "tags.toml").write_text(
        '[map]\n"airstrikes" = "air strikes"\n\n[forbid]\ntags = ["forces", "Afghanistan"]\n', encoding="utf-8"
    )
    records = [
        {"title": "Jowzjan governor warns of militant build-up", "date_publish": "2018-03-05 09:00:00",
         "source_domain": "example.org", "language": "en",
         "maintext": "The governor of Jowzjan, Lutfullah Azizi, said on Monday that Islamic State fighters "
                     "& <commanders> were regrouping in Darzab district.\n\nAzizi asked Kabul for more troops."},
        {"title": "Jowzjan police seize weapons cache", "date_publish": "2018-07-02 11:30:00",
         "source_domain": "example.org", "language": "en",
         "maintext": "Police in Jowzjan province seized a weapons cache in Darzab, provincial police chief "
                     "Faqir Mohammad Jawzjani said.\n\nJawzjani said the weapons belonged to Islamic State."},
    ]
    dated = root / "dated.jsonl"
    dated.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    dumps = [SAMPLE_DUMPS / SEED, SAMPLE_DUMPS / "bbc" / "blair-ready-to-call-election.html",
             SAMPLE_DUMPS / "bbc" / "abbas-will-not-tolerate-attacks.txt", dated]
    return build_site(root, dumps, {"DEFAULT_PAGINATION": 2})


def test_maintainer_entity_file_aliases_types_display_names_and_blocklist(curated_site: Site):
    seed = curated_site.page(SEED_URL)
    links = set(entity_links(seed))
    assert "/entity/person/hekmatullah/" in links and "/entity/person/qari-hekmat/" not in links
    assert "/entity/organisation/darzab/" in links  # type override
    assert "/entity/place/jowzjan-province/" in links  # display name
    assert not any("kabul" in link for link in links)  # blocklist


def test_maintainer_tag_vocabulary_maps_and_forbids(curated_site: Site):
    from test_tags import page_tags

    tags = [t for ts in page_tags(curated_site).values() for t in ts]
    assert tags
    assert not {"forces", "afghanistan", "airstrikes", "airstrike"} & {t.casefold() for t in tags}
    assert "air strikes" in tags


def test_rebuild_with_no_changed_dumps_runs_no_ner(curated_site: Site):
    first = curated_site.report["stats"]
    assert first["ner_words_per_second"], "the first build ran NER and said how fast"
    again = build_site(curated_site.root, extra={"DEFAULT_PAGINATION": 2})
    assert again.report["stats"]["ner_words_per_second"] is None
    assert again.page(SEED_URL) == curated_site.page(SEED_URL)


def test_shipped_example_files_parse():
    from news_archive.enrich.aliases import load_aliases
    from news_archive.enrich.tags import Vocabulary

    table = load_aliases(ROOT / "content" / "entities.toml")
    assert table.sources[-1].endswith("entities.toml")
    assert table.lookup("Daesh") == ("Islamic State", "organisation")
    assert table.lookup("u.s.") == ("United States", "place")
    assert Vocabulary.load(ROOT / "content" / "tags.toml").apply("Airstrikes") == "Airstrikes"


def test_extract_then_entities_on_the_seed_gives_clean_canonical_entities():
    env = {"PYTHONPATH": str(ROOT / "plugins"), "PATH": ""}
    extract = subprocess.run([sys.executable, "-m", "news_archive", "extract", str(SAMPLE_DUMPS / SEED)],
                             capture_output=True, text=True, env=env, timeout=300, check=True)
    story = json.loads(extract.stdout.splitlines()[0])
    text = "\n\n".join([story["headline"], story["dek"], story["body"]])
    proc = subprocess.run([sys.executable, "-m", "news_archive", "entities"],
                          input=json.dumps({"id": "seed", "text": text}) + "\n",
                          capture_output=True, text=True, env=env, timeout=300, check=True)
    ents = json.loads(proc.stdout)["entities"]
    names = {(e["type"], e["name"]) for e in ents}
    for person in ("Qari Hekmat", "Mawlawi Habib-ul-Rahman", "Lutfullah Azizi", "Faqir Mohammad Jawzjani"):
        assert ("person", person) in names
    assert ("organisation", "Islamic State") in names and ("organisation", "Haqqani Network") in names
    assert not {n for t, n in names if n in ("Hekmat", "Azizi", "Daesh", "I.S.", "Afghanistan Airstrike")}
    assert not any(t == "place" and n in ("Daesh", "I.S.", "Haqqani Network") for t, n in names)
    # Every mention of Hekmat is found and points at the text; "Qari" is not in the span.
    spans = [text[e["start"]:e["end"]] for e in ents if e["name"] == "Qari Hekmat"]
    assert set(spans) == {"Hekmat"} and len(spans) == text.count("Hekmat")
    # The headline's "Afghanistan" is a place mention; "Airstrike" is not part of anything.
    head = [e for e in ents if e["end"] <= len(story["headline"])]
    assert {text[e["start"]:e["end"]] for e in head} == {"Islamic State", "Afghanistan"}


def test_a_broken_maintainer_file_fails_the_build_and_says_where(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "entities.toml").write_text('[[entity]]\nname = "X"\ntype = "planet"\n', encoding="utf-8")
    site = build_site(tmp_path, [SAMPLE_DUMPS / SEED], check=False)
    assert site.log.count("AliasFileError") and "planet" in site.log and "entities.toml" in site.log
    assert not (site.output / "news").exists()


def test_a_name_glued_to_its_own_hover_card_is_cut_at_the_repeat():
    """Scrapes of some sites repeat a linked name ('Rep. Ilhan Omar Ilhan Omar Hillicon Valley: …')."""
    from news_archive.enrich.names import trim_span

    text = "threatened to kill Rep. Ilhan Omar Ilhan Omar Hillicon Valley yesterday"
    start = text.index("Ilhan")
    s, e = trim_span(text, start, text.index(" yesterday"))
    assert text[s:e] == "Ilhan Omar"
    # A real name with a repeated single word is left alone.
    text = "Sirhan Sirhan was denied parole"
    assert trim_span(text, 0, len("Sirhan Sirhan")) == (0, len("Sirhan Sirhan"))


def test_ner_reads_nothing_in_a_script_written_without_spaces():
    """The English model cannot split Japanese or Thai into words: it took whole sentences
    for names, and their tag pages' file names broke a real build (fundus_multilingual)."""
    from news_archive.enrich.entities import ner_text
    from news_archive.story import Story

    japanese = Story(headline="東京で大雨、交通に影響",
                     body=["東京都内では昨夜から激しい雨が降り続き、多くの道路が冠水した。"])
    thai = Story(headline="กรุงเทพฯ ฝนตกหนัก", body=["เมื่อคืนที่ผ่านมาเกิดฝนตกหนักในกรุงเทพมหานคร"])
    english = Story(headline="Rain floods Tokyo roads", body=["Heavy rain flooded roads in Tokyo (東京) overnight."])
    assert ner_text(japanese) == "" and ner_text(thai) == ""
    assert ner_text(english).startswith("Rain floods Tokyo roads")


def test_no_texts_make_no_entities_with_or_without_the_cache(tmp_path) -> None:
    """The archive pass over nothing (every story rejected, or `entities` given no text)."""
    from news_archive.enrich.entities import resolve_texts
    from news_archive.enrich.ner_cache import NerCache
    from news_archive.settings import DEFAULTS

    model = DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
    assert resolve_texts([], model) == ([], 0)
    assert resolve_texts([], model, cache=NerCache(str(tmp_path), model)) == ([], 0)
