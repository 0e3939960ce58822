"""Related lists kept up to date locally are the lists a build from scratch computes.

An incremental build does not compute every related list again: ``related.refresh``
recomputes only the lists a change can reach and merges the changed stories' new scores
into the others.  Whatever sequence of additions, changes and removals an archive goes
through, every list must still be exactly the one computed from nothing on a fresh index
of the same stories (ties by URL, weights by frequency class, the cut-off for common terms,
removed stories, stories that were listed and dropped out).  Real BBC texts, real Whoosh
indexes; a few synthetic names per story so that names gain and lose weight too.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from news_archive.search import indexer
from news_archive.search import related as R
from news_archive.search.schema import make_document
from support import examples, shared_data

PEOPLE = ["Ann Lee", "Bo Chen", "Cy Diaz", "Dee Okafor", "Eli Roth"]
PLACES = ["London", "Paris", "Lagos", "Kabul"]
POOL = 70  # stories the sequences draw from: 32-63 in the archive keeps one size class mostly
COUNT = 3


def _h(*parts: object) -> int:
    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def pool() -> list[tuple[str, str, str, str]]:
    """(section, slug, headline, body) of the first BBC stories of each section."""
    root = shared_data("bbc")
    out = []
    for section in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for path in sorted((root / section).glob("*.txt"))[: POOL // 5]:
            headline, _, body = path.read_text(encoding="utf-8", errors="replace").strip().partition("\n")
            out.append((section, path.stem, headline.strip(), body.strip()))
    return out


def story(item: tuple[str, str, str, str], version: int, stories: list[tuple[str, str, str, str]]) -> dict:
    """Version 0 is the story as written; later versions graft on another story's opening
    and swap the names, so a change moves both term and name frequencies."""
    section, slug, headline, body = item
    if version:
        other = stories[_h(slug, version) % len(stories)]
        body = other[3][:600] + "\n\n" + body[_h(slug, version, "cut") % 400:]
    people = [PEOPLE[_h(slug, version, "p", j) % len(PEOPLE)] for j in range(_h(slug, version, "np") % 3)]
    places = [PLACES[_h(slug, version, "pl") % len(PLACES)]] if _h(slug, version, "hp") % 2 else []
    doc = make_document(url=f"/news/{slug}/", headline=headline, body=body, tags=[section],
                        entities={"person": sorted(set(people)), "place": places})
    doc["content_hash"] = indexer.document_hash(doc)
    return doc


OPS = st.lists(st.tuples(st.sampled_from(["add", "change", "remove"]), st.integers(0, 10**6)),
               min_size=1, max_size=5)


# Each example indexes the archive from scratch after every step: 12 took two minutes of a
# loaded `make test` (``--full-scale``: 12).
@settings(max_examples=examples(6, 12), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(34, 48), seed=st.integers(0, 10**6), ops=OPS)
def test_incrementally_kept_lists_equal_lists_from_scratch(start: int, seed: int, ops: list[tuple[str, int]]):
    stories = pool()
    order = sorted(range(len(stories)), key=lambda i: _h(seed, i))
    versions = {i: 0 for i in order[:start]}
    tmp = Path(tempfile.mkdtemp(prefix="related-prop-"))
    try:
        kept = tmp / "kept"

        def archive() -> dict[str, dict]:
            docs = [story(stories[i], v, stories) for i, v in versions.items()]
            return {d["url"]: d for d in docs}

        previous = indexer.index_documents(kept, archive(), related_count=COUNT)["related"]
        for step, (op, pick) in enumerate(ops):
            inside = sorted(versions)
            outside = [i for i in order if i not in versions]
            if op == "add" and outside:
                versions[outside[pick % len(outside)]] = 0
            elif op == "change" and inside:
                i = inside[pick % len(inside)]
                versions[i] += 1
            elif op == "remove" and len(inside) > 2:
                del versions[inside[pick % len(inside)]]
            docs = archive()
            counts = indexer.index_documents(kept, docs, related_count=COUNT)
            incremental = counts["related"]
            scratch = indexer.index_documents(tmp / f"scratch{step}", docs, related_count=COUNT)["related"]
            assert incremental == scratch, f"after {ops[: step + 1]}"
            # The unchanged stories whose pages show another list: what the writers put first.
            assert counts["relisted"] == {u for u, shown in incremental.items()
                                          if u not in counts["urls"] and previous.get(u) != shown}
            previous = incremental
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_one_added_story_recomputes_few_lists(tmp_path: Path):
    """The point of it: adding a story in the same size class recomputes a few lists, not all."""
    stories = pool()
    docs = {d["url"]: d for d in (story(s, 0, stories) for s in stories[:50])}
    indexer.index_documents(tmp_path, docs, related_count=COUNT)
    new = story(stories[50], 0, stories)
    counts = indexer.index_documents(tmp_path, {**docs, new["url"]: new}, related_count=COUNT)
    assert 1 <= counts["related_computed"] < len(docs) // 2
    assert R.Weights.of(50) == R.Weights.of(51)


def test_weights_move_only_at_powers_of_two():
    w = R.Weights.of(2000)
    assert (w.epoch, w.max_class) == (10, 7)
    assert [w.klass(df) for df in (0, 1, 2, 3, 4, 5, 8, 9, 128, 129)] == [0, 0, 1, 2, 2, 3, 3, 4, 7, 0]
    assert [w.weight(df) for df in (1, 2, 3, 128, 129)] == [0, 10, 9, 4, 0]
    assert R.Weights.of(20000).max_class == 9  # at most 512 articles, whatever the size


def test_lists_whose_key_terms_can_be_told_are_only_scored_again(tmp_path: Path):
    """Most lists a new story reaches keep their key terms, or change only by the terms whose
    weight moved: they are scored again without weighing every candidate term, and are
    still, entry for entry (key terms, names, kept scores), the lists from scratch."""
    stories = pool()
    docs = {d["url"]: d for d in (story(s, 0, stories) for s in stories[:50])}
    indexer.index_documents(tmp_path / "kept", docs, related_count=COUNT)
    rescored = 0
    for extra in stories[50:53]:
        new = story(extra, 0, stories)
        docs = {**docs, new["url"]: new}
        counts = indexer.index_documents(tmp_path / "kept", docs, related_count=COUNT)
        rescored += counts["related_rescored"]
        indexer.index_documents(tmp_path / new["url"].strip("/").replace("/", "-"), docs, related_count=COUNT)
        kept = json.loads(((tmp_path / "kept" / "index").resolve() / "related.json").read_text())["lists"]
        scratch_root = tmp_path / new["url"].strip("/").replace("/", "-")
        scratch = json.loads(((scratch_root / "index").resolve() / "related.json").read_text())["lists"]
        for url, item in scratch.items():
            assert {k: kept[url][k] for k in ("terms", "facets")} == {k: item[k] for k in ("terms", "facets")}, url
            assert kept[url]["top"][:COUNT] == item["top"][:COUNT], url
    assert rescored >= 1


def test_the_deleted_documents_terms_are_kept_with_the_generation(tmp_path: Path):
    """Whoosh keeps a deleted document until a merge: every changed story leaves one, and
    the live frequencies subtract their terms.  Those are kept by content hash with the
    generation (``deleted-terms.json``), for exactly the documents still deleted, so the
    next build analyses only the documents it deletes itself."""
    from news_archive.search.live import LiveCounts
    from whoosh import index as windex

    stories = pool()
    docs = {d["url"]: d for d in (story(s, 0, stories) for s in stories[:40])}
    indexer.index_documents(tmp_path, docs, related_count=COUNT)
    for version, item in enumerate(stories[:3], start=1):
        changed = story(item, version, stories)
        docs = {**docs, changed["url"]: changed}
        indexer.index_documents(tmp_path, docs, related_count=COUNT)
    live = (tmp_path / "index").resolve()
    kept = json.loads((live / indexer.DELETED_TERMS).read_text())["terms"]
    ix = windex.open_dir(str(live))
    with ix.searcher() as s:
        counts = LiveCounts(s.reader())
        assert set(kept) == counts.deleted_hashes() and len(kept) == 3
        assert LiveCounts(s.reader(), kept).dead("body") == counts.dead("body")
    ix.close()
