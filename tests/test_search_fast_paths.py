"""The search's fast paths give exactly what the plain code they replaced gave.

Each fast path (facet links encoded once per answer, facet counts from per-generation
columns) is compared with the straightforward version, kept here as the specification,
over generated inputs (hypothesis).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from news_archive.search.request import SearchRequest

values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
filters = st.lists(st.tuples(st.sampled_from(["person", "tag", "year", "source"]), values), max_size=3)


@settings(max_examples=300, deadline=None)
@given(values, filters, st.sampled_from(["relevance", "newest", "oldest"]), st.integers(1, 50),
       st.integers(1, 100), st.sampled_from(["person", "tag", "year"]), values,
       st.sampled_from(["/search", "/archive/search"]))
def test_a_facet_link_is_the_url_of_the_request_with_that_filter_added(q, fs, sort, size, page, name, value, base):
    req = SearchRequest(q=q, page=page, size=size, sort=sort, filters=fs)
    assert req.narrowing(base)(name, value) == req.url(base, filters=[*fs, (name, value)])


def reference_facets(reader, docnums) -> dict[str, list[dict]]:
    """Facet counts as Whoosh's exact-field postings give them (no per-generation column)."""
    from news_archive.search.facets import FACETS
    from news_archive.search.schema import EXACT_FIELDS

    out = {}
    chosen = set(docnums)
    for name, _, limit in FACETS:
        field = EXACT_FIELDS[name]
        counts = Counter()
        if field in reader.schema:
            for term in reader.field_terms(field):
                n = sum(1 for d in reader.postings(field, term).all_ids() if d in chosen)
                if n:
                    counts[term] = n
        items = sorted(counts.items(), key=lambda kv: kv[0], reverse=True) if name == "year" else sorted(
            counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))
        out[name] = [{"value": v, "count": n} for v, n in items[:limit]]
    return out


def facet_index(tmp: Path, stories: list[tuple[str, list[str], str, int | None]]) -> str:
    from datetime import datetime

    from news_archive.search import indexer
    from news_archive.search.schema import make_document

    docs = {}
    for i, (source, people, tag, year) in enumerate(stories):
        url = f"/news/s{i}/"
        doc = make_document(url=url, headline=f"story {i}", body="flood", source=source, tags=[tag],
                            entities={"person": people},
                            published=datetime(year, 5, 1) if year else None)
        doc["content_hash"] = indexer.document_hash(doc)
        docs[url] = doc
    indexer.index_documents(tmp, docs, related_count=0)
    return str((tmp / "index").resolve())


NAMES = ["Ann", "ann", "Bo", "Émile", "emile", "Zoë", "Al Gore", "al gore", "X"]
stories = st.lists(st.tuples(st.sampled_from(["AFP", "Reuters", "afp", ""]),
                             st.lists(st.sampled_from(NAMES), max_size=3, unique=True),
                             st.sampled_from(["flood", "Flood", "budget", "élection"]),
                             st.one_of(st.none(), st.integers(1990, 2030))), min_size=1, max_size=40)


@settings(max_examples=25, deadline=None)
@given(stories, st.data())
def test_facet_counts_are_the_counts_of_the_exact_fields_postings(tmp_path_factory, stories, data):
    from news_archive.search.pool import Generation

    gen = Generation(facet_index(tmp_path_factory.mktemp("facets"), stories))
    try:
        docnums = data.draw(st.sets(st.integers(0, len(stories) - 1)))
        with gen.searcher() as s:
            expected = reference_facets(s.reader(), docnums)
        assert gen.facets.count(docnums) == expected
    finally:
        gen.retire()


WORDS = ["flood", "floods", "river", "budget", "élection", "minister", "rain", "valley", "vote"]
texts = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
articles = st.lists(st.tuples(texts, texts, texts, st.sampled_from(["flood", "budget", "vote"])),
                    min_size=1, max_size=30)
words_query = st.tuples(st.lists(st.sampled_from([*WORDS, "-flood", "-vote", "OR", "nowhere"]), min_size=1,
                                 max_size=3).map(" ".join), st.booleans())


def ranking_index(tmp: Path, arts: list[tuple[str, str, str, str]], removed: set[int]) -> str:
    """An index updated in place (several segments, deleted documents: what a service reads
    after incremental builds), so the counts Whoosh scores with include deleted documents."""
    from news_archive.search import indexer
    from news_archive.search.schema import make_document

    docs = {}
    for i, (headline, dek, body, tag) in enumerate(arts):
        doc = make_document(url=f"/news/s{i}/", headline=headline, dek=dek, body=body, tags=[tag])
        doc["content_hash"] = indexer.document_hash(doc)
        docs[doc["url"]] = doc
    indexer.index_documents(tmp, docs, related_count=0)
    for i in removed:
        docs.pop(f"/news/s{i}/", None)
    half = dict(list(docs.items())[: len(docs) // 2])
    for doc in half.values():
        doc["body"] += " rain"
        doc["content_hash"] = indexer.document_hash({k: v for k, v in doc.items() if k != "content_hash"})
    indexer.index_documents(tmp, docs, related_count=0)
    return str((tmp / "index").resolve())


def whoosh_matches(s, q) -> set[int]:
    """The documents ``q`` matches, by Whoosh, an exclusion taken as a set difference."""
    from whoosh import query as Q

    if isinstance(q, Q.AndNot):
        return whoosh_matches(s, q.a) - whoosh_matches(s, q.b)
    return set(s.docs_for_query(q))


def test_an_excluded_word_excludes_every_story_holding_it_in_an_index_updated_in_place(tmp_path):
    """Whoosh's AndNot matcher listed a story tagged "flood" for ``river -flood`` once the
    index had been updated in place (its stories rewritten into a new segment)."""
    from news_archive.search.pool import Generation
    from news_archive.search.service import search

    gen = Generation(ranking_index(tmp_path, [("", "", "", "flood"), ("", "", "river", "flood"),
                                              ("", "", "", "flood"), ("", "", "river", "vote")], set()))
    try:
        data = search(gen, SearchRequest(q="river -flood"))
        assert [r["url"] for r in data["results"]] == ["/news/s3/"] and data["total"] == 1
        data = search(gen, SearchRequest(q="river -flood", sort="newest"))
        assert [r["url"] for r in data["results"]] == ["/news/s3/"] and data["total"] == 1
    finally:
        gen.retire()


@settings(max_examples=25, deadline=None)
@given(articles, st.sets(st.integers(0, 29), max_size=5), st.lists(words_query, min_size=1, max_size=6),
       st.integers(1, 12))
def test_ranking_from_scored_terms_is_whooshs_ranking(tmp_path_factory, arts, removed, queries, limit):
    """The page of best documents ranked from per-generation term scores (``matching.ranked``)
    is the page Whoosh's collector ranks: the same scores, best first; among documents of
    equal score, any order (Whoosh's own depends on how segments were merged)."""
    import pytest
    from news_archive.search.matching import Budget, make_filter, matched, ranked, top
    from news_archive.search.pool import Generation
    from news_archive.search.query import parse

    gen = Generation(ranking_index(tmp_path_factory.mktemp("ranking"), arts, removed))
    try:
        with gen.searcher() as s:
            for text, any_word in queries:
                q = parse(text, any_word=any_word).query
                if q is None:
                    continue
                mine = ranked(s, q, limit, gen.terms, gen.scored)
                assert mine is not None, f"{q!r} is a tree of words: it must be ranked from term scores"
                found = matched(s, q, make_filter(gen, [], []), None, gen.terms)
                assert found == whoosh_matches(s, q)
                everything = top(s, q, Budget(10), limit=None, filter=found)
                score = {everything.docnum(i): everything.score(i) for i in range(len(everything.top_n))
                         if everything.docnum(i) in found}  # (an empty filter is no filter to Whoosh)
                assert set(mine) <= set(score), "a ranked document Whoosh does not match"
                assert len(mine) == min(limit, len(score))
                best = sorted(score.values(), reverse=True)[:limit]
                assert [score[d] for d in mine] == pytest.approx(best, rel=1e-9, abs=1e-12)
    finally:
        gen.retire()
