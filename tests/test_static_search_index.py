"""The static search index `make html` writes for plain static hosts: a real Pagefind
index (its binary, from the wheel) built from the same documents as the Whoosh index,
and the spelling table the browser corrects queries from."""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

from conftest import Site
from news_archive.search import static_index
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


def test_records_carry_the_facets_and_put_undated_stories_out_of_the_date_sort():
    d = docs()
    undated, dated = static_index.record(d["/news/0/"], "en"), static_index.record(d["/news/1/"], "en")
    assert undated["filters"] == {"person": ["Qari Hekmat"], "tag": ["war"]}
    assert undated["sort"] == {} and undated["meta"]["date"] == ""  # never a stand-in date
    assert dated["sort"] == {"date": str(datetime(2018, 3, 14).toordinal())}
    assert dated["filters"]["year"] == ["2018"] and dated["meta"] == {
        "title": "Government budget cut", "date": "2018-03-14", "source": "AFP"}
    assert set(static_index.FACET_NAMES) >= {"person", "organisation", "place", "tag", "source", "year"}


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
    key = static_index.shard_key("government")
    assert key == "67-6f" and key in index["shards"]
    shard = json.loads((spelling / f"{key}.json").read_text())
    assert shard["government"] == 3, "the number of stories with the word"
    zurich = json.loads((spelling / f"{static_index.shard_key('zurich')}.json").read_text())
    assert "zurich" in zurich, "words are accent-folded like the service's spelling field"
    assert json.loads((spelling / "fold.json").read_text())["ü"] == "u"


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
    letters = [chr(c) for start, end in static_index.FOLD_RANGES for c in range(start, end) if chr(c).isalpha()]
    words = [f"{c}ab{c.upper()}" for c in letters] + [f"x{c}{c}y" for c in letters]
    # Only words the script would look up: letters only (it skips a word with a combining mark).
    words = [w for w in words if w.isalpha()] + ["Zürich", "Straße"]
    js = (source + "const [table, words] = JSON.parse(require('fs').readFileSync(0));"
          "process.stdout.write(JSON.stringify(words.map(w => fold(w, table))));")
    folded = json.loads(subprocess.run([node, "-e", js], input=json.dumps([static_index.fold_table(), words]),
                                       capture_output=True, text=True, check=True, timeout=60).stdout)
    fold = spell_analyzer()
    differ = []
    for word, browser in zip(words, folded, strict=True):
        tokens = [t.text for t in fold(word)]
        if len(tokens) == 1 and tokens[0] != browser:
            differ.append((word, tokens[0], browser))
    assert not differ, differ[:20]
    assert folded[-2:] == ["zurich", "strase"]
