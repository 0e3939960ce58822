"""The static search index `make html` writes for plain static hosts: a real Pagefind
index (its binary, from the wheel) built from the same documents as the Whoosh index,
and the spelling table the browser corrects queries from."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from conftest import Site
from news_archive.search import static_index, static_tables
from news_archive.search.schema import make_document


def docs(*changed: str) -> dict[str, dict]:
    out = {}
    for i, (headline, published) in enumerate([("Qari Hekmat killed in Jowzjan", None),
                                               ("Government budget cut", datetime(2018, 3, 14)),
                                               ("Flood warning for Zürich", datetime(2019, 1, 2))]):
        body = "The government budget was debated. " + ("Changed. " if headline in changed else "")
        doc = make_document(url=f"/news/{i}/", headline=headline, body=body, source="AFP" if i else "",
                            entities={"person": ["Qari Hekmat"]} if i == 0 else {"place": ["Zürich"]},
                            tags=["war"], published=published)
        out[doc["url"]] = doc
    return out


def fragments(output: Path) -> dict[str, dict]:
    """url → the fragment Pagefind wrote for it (what a reader's browser is sent)."""
    out = {}
    for path in (output / "pagefind" / "fragment").iterdir():
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        out[data["url"]] = data
    return out


def test_records_carry_the_facets_and_no_sort_key():
    """Pagefind keeps a sort's page order in the metadata every search loads (42 KiB at
    20,000 stories): the records have none, the date order is our own file."""
    d = docs()
    undated, dated = static_index.record(d["/news/0/"], "en"), static_index.record(d["/news/1/"], "en")
    assert undated["filters"] == {"person": ["Qari Hekmat"], "tag": ["war"]}
    assert undated["meta"]["date"] == ""  # never a stand-in date
    assert undated["sort"] == {} and dated["sort"] == {}
    assert dated["filters"]["year"] == ["2018"] and dated["meta"] == {
        "title": "Government budget cut", "date": "2018-03-14", "source": "AFP", "all": static_index.EVERY}
    assert set(static_tables.FACET_NAMES) >= {"person", "organisation", "place", "tag", "source", "year"}


def test_the_date_order_names_the_dated_stories_newest_first_by_their_pagefind_ids(tmp_path: Path):
    out = tmp_path / "output"
    static_index.build(str(out), str(tmp_path / "work"), docs(), "en")
    order = json.loads((out / "search" / "order.json").read_text())["newest"].split()
    ids = {name.removesuffix(".pf_fragment"): url for name, url in fragments_by_name(out).items()}

    def story(prefix: str) -> str:
        found = [url for ident, url in ids.items() if ident.split("_", 1)[1].startswith(prefix)]
        assert len(found) == 1, (prefix, found)  # a prefix names one story, no other
        return found[0]

    assert [story(p) for p in order] == ["/news/2/", "/news/1/"], "newest first; the undated story is not listed"
    assert all(len(p) >= static_tables.MIN_ID_PREFIX for p in order)


def test_id_prefixes_are_the_shortest_no_other_id_starts_with():
    ids = ["en_abcd123", "en_abcd129", "en_ffff000", "en_abce000"]
    got = static_tables.unique_prefixes(ids)
    assert got == {"en_abcd123": "abcd123", "en_abcd129": "abcd129", "en_ffff000": "ffff", "en_abce000": "abce"}


def fragments_by_name(output: Path) -> dict[str, str]:
    """fragment file name → its story's url."""
    return {path.name: json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])["url"]
            for path in (output / "pagefind" / "fragment").iterdir()}


def test_build_writes_once_skips_when_unchanged_and_replaces_the_whole_index(tmp_path: Path):
    out, work = tmp_path / "output", tmp_path / "work"
    first = static_index.build(str(out), str(work), docs(), "en")
    assert first["written"] and first["records"] == 3
    assert (out / "pagefind" / "pagefind.js").exists() and (out / "pagefind" / "pagefind-entry.json").exists()
    assert not (out / "pagefind" / "pagefind-ui.js").exists(), "Pagefind's UI widget is not published"
    assert sorted(fragments(out)) == ["/news/0/", "/news/1/", "/news/2/"]
    before = {p.name for p in (out / "pagefind" / "fragment").iterdir()}

    again = static_index.build(str(out), str(work), docs(), "en")
    assert not again["written"], "a build that changes nothing writes nothing"

    changed = static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en")
    assert changed["written"]
    after = {p.name for p in (out / "pagefind" / "fragment").iterdir()}
    assert len(after) == 3 and after != before, "the old index's chunks are removed, not left behind"
    assert "Changed." in fragments(out)["/news/2/"]["content"]
    assert not list(out.glob(".pagefind-*")), "no half-written bundle is left"


def test_spelling_table_is_sharded_by_first_letters_and_lists_the_words(tmp_path: Path):
    out = tmp_path / "output"
    static_index.build(str(out), str(tmp_path / "work"), docs(), "en")
    spelling = out / "search" / "spelling"
    index = json.loads((spelling / "index.json").read_text())
    key = static_tables.shard_key("government")
    assert key == "67-6f" and key in index["shards"]
    shard = json.loads((spelling / f"{key}.json").read_text())
    assert shard["government"] == 3, "the number of stories with the word"
    zurich = json.loads((spelling / f"{static_tables.shard_key('zurich')}.json").read_text())
    assert "zurich" in zurich, "words are accent-folded like the service's spelling field"
    assert json.loads((spelling / "fold.json").read_text())["ü"] == "u"


def test_a_large_spelling_shard_is_split_by_word_length_so_no_lookup_fetches_much():
    """A big archive has thousands of words starting "co": one 2-letter shard of them all
    would be fetched for every "co…" word of every query.  Split by length, a lookup
    fetches its own length (and, to correct, the lengths within edit distance 2)."""
    import random

    rng = random.Random(7)
    words = Counter({"co" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 12))): 1
                     for _ in range(4000)})
    words.update({"zebra": 2, "zeal": 1})
    shards = static_tables.spelling_shards(words)
    sizes = {key: len(json.dumps(table).encode()) for key, table in shards.items()}
    assert max(sizes.values()) <= static_tables.SPLIT_BYTES, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
    co = static_tables.shard_key("co")
    assert f"{co}.9" in shards and all(len(w) == 9 for w in shards[f"{co}.9"])
    assert shards[static_tables.shard_key("ze")] == {"zebra": 2, "zeal": 1}, "a small shard stays whole"
    assert sum(map(len, shards.values())) == len(words), "every word is in exactly one file"


def test_facet_words_map_a_folded_word_to_the_values_with_it(tmp_path: Path):
    out = tmp_path / "output"
    static_index.build(str(out), str(tmp_path / "work"), docs(), "en")
    folder = out / "search" / "facets"
    buckets = json.loads((folder / "index.json").read_text())["buckets"]
    assert set(buckets) == {"person", "place", "tag", "source"}, "no year: year:2018 is a year filter"

    def values(facet: str, word: str) -> list[str]:
        bucket = static_tables.word_bucket(word, buckets[facet])
        return json.loads((folder / f"{facet}.{bucket}.json").read_text()).get(word, [])

    assert values("person", "hekmat") == values("person", "qari") == ["Qari Hekmat"]
    assert values("place", "zurich") == ["Zürich"], "folded as the spelling words are"
    assert values("source", "afp") == ["AFP"] and values("person", "nobody") == []


def test_facet_buckets_stay_small_on_a_large_facet():
    import random

    rng = random.Random(3)

    def word() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))).title()

    families = [word() for _ in range(977)]
    names = sorted({f"{word()} {rng.choice(families)}" for _ in range(20000)})
    table = static_tables.facet_words({"/a/": {"facets": {"person": names}}})
    files = static_tables.facet_buckets(table)
    n = files["index"]["buckets"]["person"]
    assert n > 1 and all(len(json.dumps(files[f"person.{i}"]).encode()) < 3 * static_tables.BUCKET_BYTES
                         for i in range(n))


def test_word_chunks_are_small_so_a_query_fetches_little_of_the_index(tmp_path: Path):
    """Three stories of 1,500 distinct words each (9,000 locations): one chunk at Pagefind's default size (20,000
    locations), several at ours."""
    import random

    rng = random.Random(11)
    d = docs()
    for url in d:
        words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)) for _ in range(1500)]
        d[url] = dict(d[url], body=" ".join(words))
    out = tmp_path / "output"
    static_index.build(str(out), str(tmp_path / "work"), d, "en")
    chunks = list((out / "pagefind" / "index").glob("*.pf_index"))
    assert len(chunks) >= 2, "9,000 locations make one chunk at the default size"


def test_a_search_by_filters_alone_searches_the_word_every_story_has():
    """Pagefind 1.5.2's search(null, {filters}) fetches every word chunk of the index (at
    2,095 stories 2.1 MiB for one person:"…" query): the script searches the one word
    every record's metadata has instead, which must be the build's."""
    import re

    script = (Path(__file__).resolve().parents[1] / "theme" / "static" / "js" / "static-search.js").read_text()
    assert re.search(r'var EVERY = "([a-z]+)";', script).group(1) == static_index.EVERY
    assert "pagefind.search(null" not in script and "parts.push(null)" not in script
    assert static_index.record(docs()["/news/0/"], "en")["meta"]["all"] == static_index.EVERY


def test_the_browser_buckets_a_word_as_the_build_does():
    """static-search.js's bucketOf must give word_bucket's answer for any word, or a
    person:/tag:/… term looks in the wrong file and finds nothing."""
    import re
    import shutil
    import subprocess

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed: cannot run the browser script's bucketOf")
    script = (Path(__file__).resolve().parents[1] / "theme" / "static" / "js" / "static-search.js").read_text()
    source = re.search(r"\n  function bucketOf\(word, n\) \{.*?\n  \}\n", script, re.S).group(0)
    words = ["hekmat", "zurich", "αθηνα", "москва", "北京", "a", "x" * 40, "straße", "😀emoji"]
    cases = [(w, n) for w in words for n in (1, 2, 7, 64, 1000)]
    js = (source + "const cases = JSON.parse(require('fs').readFileSync(0));"
          "process.stdout.write(JSON.stringify(cases.map(([w, n]) => bucketOf(w, n))));")
    got = json.loads(subprocess.run([node, "-e", js], input=json.dumps(cases), capture_output=True, text=True,
                                    check=True, timeout=60).stdout)
    assert got == [static_tables.word_bucket(w, n) for w, n in cases]


def test_make_html_publishes_the_static_search(sample_site: Site):
    out = sample_site.output
    assert (out / "search" / "index.html").exists() and (out / "search" / "help" / "index.html").exists()
    page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-engine="static"' in page and "/theme/js/static-search.js" in page
    assert "Search needs JavaScript here" in page
    urls = fragments(out)
    seed = "/news/top-islamic-state-commander-killed-in-afghanistan-airstrike/"
    assert seed in urls and "Qari Hekmat" in urls[seed]["filters"]["person"]
    spelling = json.loads((out / "search" / "spelling" / "index.json").read_text())
    assert spelling["words"] > 1000
    # Other pages never load the static index: only the search page has its script.
    for path in out.rglob("*.html"):
        if path.parent.name != "search":
            assert "pagefind" not in path.read_text(encoding="utf-8"), path


def test_no_list_waits_for_the_static_index(sample_site: Site):
    """The search pages, which need the finished Pagefind index, are the last pages written:
    the entity and list pages are written while the binary is still at work."""
    out = sample_site.output
    search = max((out / "search" / name / "index.html").stat().st_mtime_ns for name in ("", "help"))
    others = [p for p in out.rglob("*.html") if p.parent.name != "search" and p.parent.parent.name != "search"]
    assert any(p.is_relative_to(out / "entity") for p in others)
    assert max(p.stat().st_mtime_ns for p in others) <= search


def test_build_works_where_an_event_loop_is_already_running(tmp_path: Path):
    """Pagefind's wrapper is async; the build must not depend on there being no loop
    (Playwright's sync API, or an async host, keeps one running in the thread)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside() -> dict:
        return static_index.build(str(tmp_path / "output"), str(tmp_path / "work"), docs(), "en")

    # In a thread of its own: this test's thread may already run one (the browser tests').
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside()).result()["written"]


def test_turning_static_search_off_takes_our_index_down_and_nobody_elses(tmp_path: Path):
    out, work = tmp_path / "output", tmp_path / "work"
    assert not static_index.remove(str(out), str(work)), "nothing of ours to remove"
    static_index.build(str(out), str(work), docs(), "en")
    assert static_index.remove(str(out), str(work))
    assert not (out / "pagefind").exists() and not (out / "search" / "spelling").exists()
    assert not (out / "search" / "order.json").exists() and not (out / "search" / "facets").exists()
    (out / "pagefind").mkdir(parents=True)  # a maintainer's own, not written by a build
    assert not static_index.remove(str(out), str(work)) and (out / "pagefind").exists()


def test_the_browser_folds_query_words_as_the_index_folds_the_archive_words():
    """A query word is looked up in the spelling shard of its folded form: the browser's
    fold (static-search.js) must give the index's (Whoosh's accent_map), or a word the
    archive has looks missing and gets "corrected".  Every letter of Latin-1 and Latin
    Extended-A/B, Greek, Cyrillic and Latin Extended Additional, in words, through both."""
    import re
    import shutil
    import subprocess

    import pytest
    from news_archive.search.schema import spell_analyzer

    node = shutil.which("node")
    if node is None:
        pytest.skip("node not installed: cannot run the browser script's fold")
    script = (Path(__file__).resolve().parents[1] / "theme" / "static" / "js" / "static-search.js").read_text()
    source = re.search(r"\n  function fold\(word, table\) \{.*?\n  \}\n", script, re.S).group(0)
    letters = [chr(c) for start, end in static_tables.FOLD_RANGES for c in range(start, end) if chr(c).isalpha()]
    words = [f"{c}ab{c.upper()}" for c in letters] + [f"x{c}{c}y" for c in letters]
    # Only words the script would look up: letters only (it skips a word with a combining mark).
    words = [w for w in words if w.isalpha()] + ["Zürich", "Straße"]
    js = (source + "const [table, words] = JSON.parse(require('fs').readFileSync(0));"
          "process.stdout.write(JSON.stringify(words.map(w => fold(w, table))));")
    folded = json.loads(subprocess.run([node, "-e", js], input=json.dumps([static_tables.fold_table(), words]),
                                       capture_output=True, text=True, check=True, timeout=60).stdout)
    fold = spell_analyzer()
    differ = []
    for word, browser in zip(words, folded, strict=True):
        tokens = [t.text for t in fold(word)]
        if len(tokens) == 1 and tokens[0] != browser:
            differ.append((word, tokens[0], browser))
    assert not differ, differ[:20]
    assert folded[-2:] == ["zurich", "strase"]


def test_a_rebuild_leaves_the_unchanged_files_of_the_bundle_as_they_are(tmp_path: Path):
    """One changed story changes few of Pagefind's content-named files; those the live
    bundle already holds byte for byte are not renamed over (on ext4 each such rename
    writes the file out at once), yet the bundle is what a build from scratch writes."""
    out, work = tmp_path / "output", tmp_path / "work"
    static_index.build(str(out), str(work), docs(), "en")
    live = out / "pagefind"
    inodes = {p.relative_to(live): p.stat().st_ino for p in live.rglob("*") if p.is_file()}
    static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en")
    after = {p.relative_to(live): p.stat().st_ino for p in live.rglob("*") if p.is_file()}
    kept = [rel for rel, ino in after.items() if inodes.get(rel) == ino]
    assert any(rel.parts[0] == "fragment" for rel in kept), "the unchanged stories' fragments stay in place"
    assert "Changed." in fragments(out)["/news/2/"]["content"]
    scratch = tmp_path / "scratch"
    static_index.build(str(scratch), str(tmp_path / "work2"), docs("Flood warning for Zürich"), "en")
    def tree(root: Path) -> dict:
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert tree(live) == tree(scratch / "pagefind")


def test_a_started_index_is_built_from_the_documents_as_they_were_when_started(tmp_path: Path):
    """``start`` returns while Pagefind writes; the build goes on rendering (and may change
    its articles) meanwhile: what it changes afterwards is not in the index."""
    out, work = tmp_path / "output", tmp_path / "work"
    d = docs()
    pending = static_index.start(str(out), str(work), d, "en")
    d["/news/2/"]["body"] = "Changed after the start."
    d["/news/9/"] = dict(d["/news/1/"], url="/news/9/")
    stats = pending.result()
    assert stats["written"] and stats["records"] == 3
    assert sorted(fragments(out)) == ["/news/0/", "/news/1/", "/news/2/"]
    assert "Changed after" not in fragments(out)["/news/2/"]["content"]


def test_two_started_indexes_are_written_one_after_the_other(tmp_path: Path):
    """A watch cycle may start an index while the last one's writer is still at work: the
    second waits for the first, so the bundle and the state file are the second's."""
    out, work = tmp_path / "output", tmp_path / "work"
    first = static_index.start(str(out), str(work), docs(), "en")
    second = static_index.start(str(out), str(work), docs("Flood warning for Zürich"), "en")
    assert first.result()["written"]
    assert second.result()["written"]
    assert "Changed." in fragments(out)["/news/2/"]["content"]
    assert not static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en")["written"]


def test_a_build_whose_documents_and_index_are_unchanged_makes_no_records(tmp_path: Path, monkeypatch):
    """Documents that carry the indexer's ``content_hash`` are known by it: unchanged, the
    records and tables are not made again; one changed document makes them all again."""
    from news_archive.search.indexer import document_hash

    def hashed(*changed: str) -> dict[str, dict]:
        return {u: {**d, "content_hash": document_hash(d)} for u, d in docs(*changed).items()}

    out, work = tmp_path / "output", tmp_path / "work"
    assert static_index.build(str(out), str(work), hashed(), "en")["written"]
    made = []
    real = static_index.record
    monkeypatch.setattr(static_index, "record", lambda doc, language: made.append(doc["url"]) or real(doc, language))
    again = static_index.build(str(out), str(work), hashed(), "en")
    assert not again["written"] and made == [] and again["filter_bytes"]
    changed = static_index.build(str(out), str(work), hashed("Flood warning for Zürich"), "en")
    assert changed["written"] and len(made) == 3
    assert "Changed." in fragments(out)["/news/2/"]["content"]


def test_a_bundle_begun_before_the_index_is_taken_over_and_is_the_bundle_from_scratch(tmp_path: Path):
    """``start_bundle`` runs Pagefind from the documents alone (the Whoosh index is not
    updated yet); ``start`` moves that bundle in instead of running the binary again, and
    what it writes is what a build that began nothing ahead writes."""
    out, work = tmp_path / "output", tmp_path / "work"
    static_index.build(str(out), str(work), docs(), "en")
    changed = docs("Flood warning for Zürich")
    ahead = static_index.start_bundle(str(out), str(work), changed, "en")
    assert ahead is not None and all("content_hash" in d for d in changed.values())
    stats = static_index.start(str(out), str(work), changed, "en", ahead=ahead).result()
    assert stats["written"] and "pagefind_ahead_wait" in stats["phases"]
    scratch = tmp_path / "scratch"
    static_index.build(str(scratch), str(tmp_path / "work2"), docs("Flood warning for Zürich"), "en")

    def tree(root: Path) -> dict:
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(out) == tree(scratch)
    # Unchanged since: nothing is begun, nothing written, no folder left beside the live one.
    assert static_index.start_bundle(str(out), str(work), docs("Flood warning for Zürich"), "en") is None
    assert sorted(p.name for p in out.iterdir()) == ["pagefind", "search"]


def test_a_bundle_begun_for_nothing_is_thrown_away(tmp_path: Path):
    """A state file that does not name the bundle's inputs (an older build's) begins one;
    ``start`` then finds nothing changed, writes nothing and removes the begun folder."""
    from news_archive.search.indexer import document_hash

    out, work = tmp_path / "output", tmp_path / "work"
    hashed = {u: {**d, "content_hash": document_hash(d)} for u, d in docs().items()}
    static_index.build(str(out), str(work), hashed, "en")
    state = json.loads((work / static_index.STATE_FILE).read_text())
    (work / static_index.STATE_FILE).write_text(json.dumps({k: v for k, v in state.items() if k != "bundle_inputs"}))
    ahead = static_index.start_bundle(str(out), str(work), hashed, "en")
    assert ahead is not None
    assert not static_index.start(str(out), str(work), hashed, "en", ahead=ahead).result()["written"]
    ahead.folder.result()
    deadline = time.monotonic() + 10
    while len(list(out.iterdir())) > 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(p.name for p in out.iterdir()) == ["pagefind", "search"]


def test_in_several_bundles_a_changed_story_rewrites_only_its_bundle(tmp_path: Path):
    """``bundles=3``: each story in the bundle its URL hashes to; changing one story rewrites
    that bundle's files only (the others keep their very files), and the word table says
    which bundles hold each word."""
    out, work = tmp_path / "output", tmp_path / "work"
    first = static_index.build(str(out), str(work), docs(), "en", bundles=3)
    assert first["rewritten"] == [0, 1, 2] and sorted(p.name for p in (out / "pagefind").iterdir()) == ["0", "1", "2"]

    def files() -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns)
                for p in (out / "pagefind").rglob("*") if p.is_file()}

    before = files()
    changed = static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en", bundles=3)
    own = static_tables.bundle_of("/news/2/", 3)
    assert changed["rewritten"] == [own]
    after = files()
    touched = {name.split("/")[1] for name in set(before) ^ set(after)}
    touched |= {name.split("/")[1] for name in before.keys() & after.keys() if before[name] != after[name]}
    assert touched == {str(own)}, touched
    words = json.loads((out / "search" / "words" / "index.json").read_text())
    assert words["bundles"] == 3 and words["prefix"]["zu"] == 1 << own
    assert not static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en", bundles=3)["written"]
    scratch = tmp_path / "scratch"
    static_index.build(str(scratch), str(tmp_path / "work2"), docs("Flood warning for Zürich"), "en", bundles=3)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(out) == tree(scratch), "the rebuilt bundles and tables are those of a build from scratch"
    one = static_index.build(str(out), str(work), docs("Flood warning for Zürich"), "en")  # back to one bundle
    assert one["written"] and (out / "pagefind" / "pagefind-entry.json").exists()
    assert not (out / "pagefind" / "0").exists() and not (out / "search" / "words").exists()


def test_more_bundles_than_stories_leaves_the_empty_ones_out_of_every_search(tmp_path: Path):
    """Three stories in six bundles: some bundles hold none (Pagefind writes them without an
    index); the word table's ``stories`` names the others, the only ones a phrase or a search
    by filters alone is sent to."""
    out = tmp_path / "output"
    static_index.build(str(out), str(tmp_path / "work"), docs(), "en", bundles=6)
    held = {static_tables.bundle_of(url, 6) for url in docs()}
    assert len(held) < 6
    words = json.loads((out / "search" / "words" / "index.json").read_text())
    assert words["stories"] == sum(1 << i for i in held)


def test_a_pelican_build_in_three_bundles_rewrites_only_the_changed_storys_bundle(tmp_path: Path):
    """The whole build (the bundle begun ahead of the Whoosh index, then the tables): one
    edited dump rewrites the one bundle its story hashes to, and the search page names the
    bundles."""
    from conftest import ROOT, build_site

    extra = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False, "NEWS_ARCHIVE_STATIC_BUNDLES": 3}
    site = build_site(tmp_path, ROOT / "tests" / "data" / "dumps" / "sidecar", extra=extra)
    bundles = site.output / "pagefind"
    assert sorted(p.name for p in bundles.iterdir()) == ["0", "1", "2"]
    page = (site.output / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind="/pagefind/0/pagefind.js"' in page and 'data-bundles="3"' in page

    def files() -> dict[str, int]:
        return {str(p.relative_to(bundles)): p.stat().st_mtime_ns for p in bundles.rglob("*") if p.is_file()}

    before = files()
    dump = site.content / "dumps" / "second-story.txt"
    dump.write_text(dump.read_text(encoding="utf-8") + "\nThe statistics office will publish revised "
                    "figures for the whole year in February, officials said.\n", encoding="utf-8")
    site = build_site(site.root, extra=extra)
    after = files()
    touched = {name.split("/")[0] for name in set(before) ^ set(after)}
    touched |= {name.split("/")[0] for name in before.keys() & after.keys() if before[name] != after[name]}
    state = json.loads((site.work / static_index.STATE_FILE).read_text(encoding="utf-8"))
    assert len(touched) == 1 and state["rewritten"] == [int(next(iter(touched)))], (touched, state["rewritten"])


def test_a_build_that_finds_nothing_changed_still_names_the_bundles(tmp_path: Path):
    """The search page points the browser at ``pagefind/0/`` … by the count the stats give:
    a build that finds its inputs unchanged (every warm build) must give it too, or the page
    it writes sends readers to a one-bundle index that is not there."""
    out, work = tmp_path / "output", tmp_path / "work"
    hashed = {url: {**doc, "content_hash": f"h{url}"} for url, doc in docs().items()}
    assert static_index.build(str(out), str(work), hashed, "en", bundles=3)["bundles"] == 3
    again = static_index.build(str(out), str(work), hashed, "en", bundles=3)
    assert not again["written"] and again.get("bundles") == 3, again
    plain = static_index.build(str(out), str(work), docs(), "en", bundles=3)  # no content hash: by digest
    assert not plain["written"] and plain.get("bundles") == 3, plain


def test_a_warm_pelican_build_in_three_bundles_keeps_the_search_page_on_them(tmp_path: Path):
    """Built twice with nothing changed: the second build's search page still loads
    ``pagefind/0/pagefind.js`` with three bundles (it was written for one: no search)."""
    from conftest import ROOT, build_site

    extra = {"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False, "NEWS_ARCHIVE_STATIC_BUNDLES": 3}
    site = build_site(tmp_path, ROOT / "tests" / "data" / "dumps" / "sidecar", extra=extra)
    site = build_site(site.root, extra=extra)
    page = (site.output / "search" / "index.html").read_text(encoding="utf-8")
    assert 'data-pagefind="/pagefind/0/pagefind.js"' in page and 'data-bundles="3"' in page


def test_auto_chooses_one_bundle_per_stories_per_bundle_stories():
    """``"auto"`` (the default): as many bundles as ``STORIES_PER_BUNDLE`` stories fill, at least
    one, at most ``MAX_BUNDLES``; one for a site not in English; a number is that number."""
    per = static_index.STORIES_PER_BUNDLE
    count = static_index.bundle_count
    assert [count("auto", "en", n) for n in (0, 1, per, per + 1, 5 * per)] == [1, 1, 1, 2, 5]
    assert count("auto", "en", 10**9) == static_index.MAX_BUNDLES and count("AUTO", "de", 5 * per) == 1
    assert count(3, "en", 10) == 3 and count(1, "en", 10 * per) == 1 and count("4", "en", 0) == 4
    assert count("many", "en", 5 * per) == 5  # not a number: auto, with a warning


def test_auto_below_stories_per_bundle_writes_what_one_bundle_always_wrote(tmp_path: Path):
    """An archive of fewer than ``STORIES_PER_BUNDLE`` stories with the default writes the very
    files, and keeps the very state keys, of ``bundles=1``: no rewrite on upgrade."""
    hashed = {url: {**doc, "content_hash": f"h{url}"} for url, doc in docs().items()}
    one = static_index.build(str(tmp_path / "one"), str(tmp_path / "w1"), hashed, "en", bundles=1)
    auto = static_index.build(str(tmp_path / "auto"), str(tmp_path / "w2"), hashed, "en", bundles="auto")

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(tmp_path / "one") == tree(tmp_path / "auto")
    assert "bundles" not in auto and auto["inputs"] == one["inputs"]
    state = lambda w: json.loads((tmp_path / w / static_index.STATE_FILE).read_text())  # noqa: E731
    assert state("w1")["digest"] == state("w2")["digest"]


def test_fewer_bundles_leave_no_bundle_of_the_earlier_count(tmp_path: Path):
    """3 bundles, then 2 (the count "auto" picks falls as stories go): ``pagefind/2/`` is
    removed, every story is in the bundle its URL hashes to among 2, and the word table names 2."""
    out, work = tmp_path / "output", tmp_path / "work"
    static_index.build(str(out), str(work), docs(), "en", bundles=3)
    two = static_index.build(str(out), str(work), docs(), "en", bundles=2)
    assert two["written"] and sorted(p.name for p in (out / "pagefind").iterdir()) == ["0", "1"]
    assert json.loads((out / "search" / "words" / "index.json").read_text())["bundles"] == 2
    held = {url: i for i in range(2) for url in static_tables.fragment_ids(out / "pagefind" / str(i))}
    assert held == {url: static_tables.bundle_of(url, 2) for url in docs()}
