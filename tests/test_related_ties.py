"""Related articles do not depend on how the index happens to be laid out.

Document numbers in a Whoosh index follow the order documents were written in, and an
incremental build appends (and merges segments) where a build from scratch writes in URL
order.  Articles that score the same as neighbours must come out in the same order
either way (by URL), or an incremental build and a build from scratch of the same dumps
would print different "related" lists.
"""

from __future__ import annotations

from pathlib import Path

from news_archive.search import indexer
from news_archive.search.schema import make_document


def docs(names: list[str]) -> dict[str, dict]:
    out = {}
    for i, name in enumerate(names):
        # The same one person in every story, and words of their own: every pair scores the same.
        doc = make_document(url=f"/news/{name}/", headline=f"Story {name}", body=f"Unique{i}word{name} text",
                            entities={"person": ["Ann Lee"]})
        doc["content_hash"] = indexer.document_hash(doc)
        out[doc["url"]] = doc
    return out


def test_equal_scores_are_ordered_by_url_whatever_the_write_order(tmp_path: Path):
    everything = docs(["a", "b", "c", "d", "e"])
    scratch = indexer.index_documents(tmp_path / "scratch", everything, related_count=2)["related"]
    # The same archive reached incrementally: "a" is written last, so its document number is last.
    later = tmp_path / "later"
    indexer.index_documents(later, {u: d for u, d in everything.items() if u != "/news/a/"}, related_count=2)
    incremental = indexer.index_documents(later, everything, related_count=2)["related"]
    assert scratch["/news/c/"] == [{"url": "/news/a/", "headline": "Story a"},
                                   {"url": "/news/b/", "headline": "Story b"}]
    # Every list, the new story's and every other's, is the one a build from scratch makes.
    assert incremental == scratch


def test_lists_and_word_counts_after_changes_are_those_of_a_fresh_index(tmp_path: Path):
    """Deleted documents stay counted in Whoosh's doc_frequency until a merge: neither the
    related lists' weights nor the spelling table may see them."""
    from news_archive.search import static_tables

    def story(name: str, words: str, person: str) -> dict:
        doc = make_document(url=f"/news/{name}/", headline=f"Story {name}", body=words, entities={"person": [person]})
        doc["content_hash"] = indexer.document_hash(doc)
        return doc

    first = {d["url"]: d for d in (
        story("a", "harbour storm pilots beacons", "Ann Lee"), story("b", "harbour storm channel survey", "Ann Lee"),
        story("c", "storm beacons ferry timetable", "Bo Chen"), story("d", "ferry timetable pilots strike", "Bo Chen"),
        story("e", "strike pilots union talks", "Cy Diaz"), story("f", "union talks harbour wages", "Cy Diaz"))}
    later = dict(first)
    del later["/news/b/"]  # removed
    later["/news/c/"] = story("c", "storm beacons ferry timetable wages overtime", "Ann Lee")  # changed
    later["/news/g/"] = story("g", "overtime wages union harbour", "Bo Chen")  # added
    updated, work = tmp_path / "updated", str(tmp_path / "work")
    indexer.index_documents(updated, first, related_count=3)
    static_tables.spelling_words(str((updated / "index").resolve()), first, work)  # memoised, as a build does
    incremental = indexer.index_documents(updated, later, related_count=3)["related"]
    scratch = indexer.index_documents(tmp_path / "scratch", later, related_count=3)["related"]
    assert incremental == scratch
    words = {name: static_tables.spelling_words(str((tmp_path / name / "index").resolve()), later)
             for name in ("updated", "scratch")}
    assert words["updated"] == words["scratch"]
    assert "survey" not in words["updated"]  # only the removed story had it
    # The memoised words of the first index moved by what the indexer took out and put in:
    # the same words, not counted again from the index.
    path = str((updated / "index").resolve())
    assert (Path(path) / static_tables.SPELLING_CHANGE).exists()
    assert static_tables.spelling_words(path, later, work) == words["scratch"]


def test_memoised_spelling_words_follow_every_change_to_the_index(tmp_path: Path):
    """The spelling words are memoised by the index's state (``static_tables.index_key``),
    on disk and in a watch session's memo: an unchanged index is not counted again, and
    an index that lost or gained a story (a deletion alone changes no segment file) is."""
    from news_archive.search import static_tables

    every = {}
    for name, words in (("a", "harbour storm pilots"), ("b", "harbour survey channel"), ("c", "ferry timetable")):
        doc = make_document(url=f"/news/{name}/", headline=f"Story {name}", body=words, entities={})
        doc["content_hash"] = indexer.document_hash(doc)
        every[doc["url"]] = doc
    index, work = tmp_path / "site", tmp_path / "work"
    indexer.index_documents(index, every, related_count=2)
    path = str((index / "index").resolve())
    kept: dict = {}
    fresh = static_tables.spelling_words(path, every)
    assert static_tables.spelling_words(path, every, str(work), kept) == fresh
    assert (work / static_tables.SPELLING_MEMO).exists() and kept
    assert static_tables.spelling_words(path, every, str(work)) == fresh  # read back from the work folder
    assert static_tables.spelling_words(path, every, None, kept) == fresh  # from the session's memo

    less = {u: d for u, d in every.items() if u != "/news/b/"}
    indexer.index_documents(index, less, related_count=2)  # "survey" only in the removed story
    path = str((index / "index").resolve())
    for where in ((str(work), None), (None, kept), (str(work), kept)):
        words = static_tables.spelling_words(path, less, *where)
        assert "survey" not in words and words == static_tables.spelling_words(path, less)
    assert len(kept) == 1  # only the last index's words are kept
