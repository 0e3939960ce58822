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
