"""The build's derived-data caches change how fast a rebuild is, never what it produces.

Tag phrases, MinHash signatures, the archive-wide entity resolution and the gazetteer's
place table are cached under ``<work>/cache/``.  Each test here computes something cold
and warm and wants the same answer, or damages a cache and wants it ignored, or changes
one story and wants exactly that story recomputed.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from news_archive.dedupe import SIGNATURE_CACHE, Deduplicator
from news_archive.enrich import entities, gazetteer, ner, ner_cache, tags, write_details
from news_archive.enrich.aliases import AliasTable, load_aliases
from news_archive.story import Entity, Story
from support import assigned_tags, sample_stories


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> list[Story]:
    """The sample archive's stories, as ingest hands them on."""
    return sample_stories(tmp_path_factory.mktemp("ingest"))


def fresh(stories: list[Story]) -> list[Story]:
    return copy.deepcopy(stories)


def edited(stories: list[Story], i: int, extra: str) -> list[Story]:
    """The stories with one paragraph appended to story ``i``."""
    out = fresh(stories)
    out[i].body = [*out[i].body, extra]
    return out


# Tags


def tags_of(stories: list[Story], cache: Path | None = None) -> list[list[str]]:
    return assigned_tags(stories, cache_dir=cache)


def test_tags_from_a_warm_phrase_cache_equal_cold_ones(archive, tmp_path):
    cold = tags_of(archive)
    assert tags_of(archive, tmp_path) == cold  # fills the cache
    assert (tmp_path / tags.PHRASE_CACHE).is_file()
    assert tags_of(archive, tmp_path) == cold  # reads it


def test_spellings_merge_like_one_counter_per_key_ties_to_the_first_seen():
    """spellings_of must pick what the old all-in-one Counter merge picked."""
    texts = [  # ties everywhere: each spelling of "airstrike", "border crossing" and "convoy" twice
        ("Airstrikes", ["The airstrikes hit the convoy near the border crossing."]),
        ("Airstrike", ["One airstrike hit a convoy near the border crossings."]),
        ("Convoys", ["Convoys and more convoys drove past; an airstrike and airstrikes followed."]),
        ("Borders", ["The border crossing and the border crossings were closed."]),
    ]
    stories = [Story(headline=h, body=b) for h, b in texts]
    stop = tags._stopwords()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for s in stories:
        tags.phrases(s, stop, surfaces)
    expected = {k: c.most_common(1)[0][0] for k, c in surfaces.items()}
    got = tags.spellings_of([tags.StoryPhrases.of(s, stop) for s in stories])
    assert {k: expected[k] for k in got} == got
    assert all(expected[k] == k for k in expected.keys() - got.keys())  # the rest are spelled as their key
    assert (got["airstrike"], got["border crossing"], got["convoy"]) == ("airstrikes", "border crossing", "convoy")


@pytest.mark.parametrize("damage", ["{not json", '{"version": 1}', "[]", ""])
def test_a_damaged_phrase_cache_is_ignored_and_rewritten(archive, tmp_path, damage):
    cold = tags_of(archive)
    tags_of(archive, tmp_path)
    (tmp_path / tags.PHRASE_CACHE).write_text(damage, encoding="utf-8")
    assert tags_of(archive, tmp_path) == cold
    assert tags_of(archive, tmp_path) == cold
    assert (tmp_path / tags.PHRASE_CACHE).read_text(encoding="utf-8") != damage


def test_a_damaged_phrase_cache_entry_is_recomputed(archive, tmp_path):
    cold = tags_of(archive)
    tags_of(archive, tmp_path)
    path = tmp_path / tags.PHRASE_CACHE
    data = json.loads(path.read_text(encoding="utf-8"))
    first = next(iter(data["stories"]))
    data["stories"][first] = [{"x": 1}, {}, {}]  # counts whose keys have no spellings
    path.write_text(json.dumps(data), encoding="utf-8")
    assert tags_of(archive, tmp_path) == cold


def test_only_a_changed_story_is_tokenised_again(archive, tmp_path, monkeypatch):
    tags_of(archive, tmp_path)
    changed = edited(archive, 3, "Flood defences along the river estuary were strengthened by engineers.")
    calls: list[str] = []
    real = tags.phrases

    def spy(story: Story, stop: set[str], surfaces: dict[str, Counter[str]]) -> Counter[str]:
        calls.append(story.headline)
        return real(story, stop, surfaces)

    monkeypatch.setattr(tags, "phrases", spy)
    warm = tags_of(changed, tmp_path)
    assert calls == [changed[3].headline]
    monkeypatch.setattr(tags, "phrases", real)
    assert warm == tags_of(changed)
    calls.clear()
    monkeypatch.setattr(tags, "phrases", spy)
    tags_of(changed, tmp_path)
    assert calls == []


def test_a_rebuild_encodes_only_the_stories_it_tokenised(archive, tmp_path, monkeypatch):
    """One story changed: the cache file is written again from the other stories' entries as
    they were read, only the changed story's entry is encoded (re-encoding all 2,000 was
    ~0.45 CPU-s of every incremental build), and the file still says what a cold build's does."""
    tags_of(archive, tmp_path)
    changed = edited(archive, 2, "Engineers strengthened the flood defences along the river estuary.")
    encoded: list[int] = []
    real = tags.StoryPhrases.to_json

    def spy(self: tags.StoryPhrases) -> list[dict[str, object]]:
        encoded.append(1)
        return real(self)

    monkeypatch.setattr(tags.StoryPhrases, "to_json", spy)
    warm = tags_of(changed, tmp_path)
    assert len(encoded) == 1
    monkeypatch.setattr(tags.StoryPhrases, "to_json", real)
    assert warm == tags_of(changed)
    cold_dir = tmp_path / "cold"
    tags_of(changed, cold_dir)
    assert json.loads((tmp_path / tags.PHRASE_CACHE).read_text(encoding="utf-8")) == \
        json.loads((cold_dir / tags.PHRASE_CACHE).read_text(encoding="utf-8"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(["edit", "drop", "add", "reorder", "same"]),
                                st.integers(min_value=0, max_value=10_000)), min_size=1, max_size=5),
       watch=st.booleans())
def test_phrases_after_any_sequence_of_changes_are_a_cold_builds(archive, tmp_path_factory, steps, watch):
    """Stories edited, dropped, added back and reordered, build after build (one-shot, or one
    watch session's cycles): each build's phrases, and the cache file it leaves, are what a
    build from nothing gives the same stories."""
    cache = tmp_path_factory.mktemp("phrases")
    kept: dict[str, object] | None = {} if watch else None
    pool = fresh(archive)
    stories = list(pool[: len(pool) // 2])
    for n, (op, x) in enumerate(steps):
        if op == "edit":
            stories = list(stories)
            i = x % len(stories)
            stories[i] = copy.deepcopy(stories[i])
            stories[i].body = [*stories[i].body, f"Correction {n}: the harbour authority revised its figures."]
        elif op == "drop" and len(stories) > 1:
            stories = [s for j, s in enumerate(stories) if j != x % len(stories)]
        elif op == "add":
            stories = [*stories, pool[x % len(pool)]]
        elif op == "reorder":
            stories = stories[x % len(stories):] + stories[:x % len(stories)]
        got = [f.to_json() for f in tags.PhraseCache(cache, kept).phrases_of(stories)]
        cold_dir = tmp_path_factory.mktemp("cold")
        cold = [f.to_json() for f in tags.PhraseCache(cold_dir).phrases_of(stories)]
        assert got == cold
        assert json.loads((cache / tags.PHRASE_CACHE).read_text(encoding="utf-8")) == \
            json.loads((cold_dir / tags.PHRASE_CACHE).read_text(encoding="utf-8"))


# Dedupe


def dedupe(stories: list[Story], cache: Path | None = None) -> tuple[list[str], list[tuple[str, str]]]:
    kept, dups = Deduplicator(cache_dir=cache).run(fresh(stories))
    return [s.origin for s in kept], [(d.origin, o.origin) for d, o in dups]


def with_near_copy(stories: list[Story]) -> list[Story]:
    """The archive plus a rescrape of its first story (one word changed, a new byline)."""
    out = fresh(stories)
    src = out[0]
    body = [p.replace(" the ", " that ", 1) for p in src.body]
    out.append(Story(headline=src.headline + " (updated)", body=body, byline="by AFP", origin="zz/near-copy.txt"))
    return out


def test_duplicates_from_warm_signatures_equal_cold_ones(archive, tmp_path):
    stories = with_near_copy(archive)
    cold = dedupe(stories)
    assert ("zz/near-copy.txt", archive[0].origin) in cold[1]
    assert dedupe(stories, tmp_path) == cold
    assert dedupe(stories, tmp_path) == cold


@pytest.mark.parametrize("damage", ["{not json", '{"version": "x", "signatures": {}}', "null"])
def test_a_damaged_signature_cache_is_ignored(archive, tmp_path, damage):
    stories = with_near_copy(archive)
    cold = dedupe(stories)
    dedupe(stories, tmp_path)
    (tmp_path / SIGNATURE_CACHE).write_text(damage, encoding="utf-8")
    assert dedupe(stories, tmp_path) == cold


def test_damaged_signature_entries_are_recomputed(archive, tmp_path):
    stories = with_near_copy(archive)
    cold = dedupe(stories)
    dedupe(stories, tmp_path)
    path = tmp_path / SIGNATURE_CACHE
    data = json.loads(path.read_text(encoding="utf-8"))
    for i, k in enumerate(data["signatures"]):
        data["signatures"][k] = ["not base64!", "AAAA", None, 7][i % 4]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert dedupe(stories, tmp_path) == cold


def test_a_story_changed_into_a_near_copy_is_found_with_a_warm_cache(archive, tmp_path):
    stories = fresh(archive)
    stories.append(Story(headline="Something else", body=["Melting snow flooded the valley road on Tuesday."],
                     origin="zz/other.txt"))
    assert dedupe(stories, tmp_path) == dedupe(stories)
    stories[-1].body = [p.replace(" the ", " that ", 1) for p in archive[0].body]  # now a copy of story 0
    warm = dedupe(stories, tmp_path)
    assert warm == dedupe(stories)
    assert ("zz/other.txt", archive[0].origin) in warm[1]


# Entities: the archive-wide resolution is memoised on its whole input

NAMES = {"Tony Blair": "PERSON", "Blair": "PERSON", "Labour": "ORG", "London": "GPE", "Gordon Brown": "PERSON",
         "Brown": "PERSON", "Iraq": "GPE", "United Nations": "ORG", "UN": "ORG"}
_NAME_RE = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, NAMES), key=len, reverse=True)) + r")\b")

TEXTS = [
    "Blair heads to London\n\nTony Blair said Labour would win in London. Blair spoke on Monday.",
    "Brown sets out budget\n\nGordon Brown told Labour members in London the budget was fair. Brown smiled.",
    "UN debates Iraq\n\nThe United Nations met on Iraq. The UN said Iraq needed aid, and Blair agreed.",
]


def fake_spans(nlp: object, texts: list[str], processes: int = 1):
    """A stand-in for spaCy: the names above wherever they occur, sentences at '. '."""
    for text in texts:
        yield {
            "ents": [[m.start(), m.end(), NAMES[m.group(0)]] for m in _NAME_RE.finditer(text)],
            "sents": [0] + [m.end() for m in re.finditer(r"\. ", text)],
        }


@pytest.fixture
def fake_ner(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """No model: the fake NER above; returns a list that counts resolve_archive's runs."""
    monkeypatch.setattr(ner_cache, "model_version", lambda name: "fake-1")  # where each is looked up
    monkeypatch.setattr(entities, "load_model", lambda name: None)
    monkeypatch.setattr(ner, "raw_spans", fake_spans)
    runs: list[int] = []
    real = entities.resolve_archive

    def counted(articles, table, *evidence):
        runs.append(len(articles))
        return real(articles, table, *evidence)

    monkeypatch.setattr(entities, "resolve_archive", counted)
    return runs


def resolve(texts: list[str], cache_root: Path | None, table: AliasTable | None = None) -> list[list[Entity]]:
    cache = ner_cache.NerCache(str(cache_root), "fake") if cache_root else None
    found, _ = entities.resolve_texts(texts, "fake", table or load_aliases(), cache)
    return found


def test_memoised_entities_equal_resolved_ones(fake_ner, tmp_path):
    cold = resolve(TEXTS, None)
    assert any(e.name == "Tony Blair" for e in cold[0])
    assert resolve(TEXTS, tmp_path) == cold
    assert resolve(TEXTS, tmp_path) == cold
    assert fake_ner == [3, 3]  # the third run took the memo
    assert all(isinstance(m, tuple) for ents in resolve(TEXTS, tmp_path) for e in ents for m in e.mentions)


def test_a_changed_text_resolves_the_archive_again(fake_ner, tmp_path):
    resolve(TEXTS, tmp_path)
    changed = [TEXTS[0], TEXTS[1] + " Gordon Brown later flew to Iraq.", TEXTS[2]]
    assert resolve(changed, tmp_path) == resolve(changed, None)
    assert resolve(TEXTS[:2], tmp_path) == resolve(TEXTS[:2], None)  # one gone
    assert fake_ner == [3, 3, 3, 2, 2]


def test_a_changed_alias_table_resolves_the_archive_again(fake_ner, tmp_path):
    resolve(TEXTS, tmp_path)
    table = load_aliases()
    table.display["tony blair"] = "Anthony Blair"
    table.fingerprint = "changed"
    found = resolve(TEXTS, tmp_path, table)
    assert any(e.name == "Anthony Blair" for e in found[0])
    assert fake_ner == [3, 3]


@pytest.mark.parametrize("damage", ["", "x\n[]", "{}", "not-a-digest\n{"])
def test_a_damaged_memo_is_ignored(fake_ner, tmp_path, damage):
    cold = resolve(TEXTS, None)
    resolve(TEXTS, tmp_path)
    (tmp_path / "ner" / "archive.json").write_text(damage, encoding="utf-8")
    assert resolve(TEXTS, tmp_path) == cold


def test_a_memo_with_the_right_key_but_damaged_rows_is_ignored(fake_ner, tmp_path):
    cold = resolve(TEXTS, None)
    resolve(TEXTS, tmp_path)
    memo = tmp_path / "ner" / "archive.json"
    digest = memo.read_text(encoding="utf-8").split("\n", 1)[0]
    for rows in ('[[["x"]], [], []]', "[[], []]", '{"a": 1}', "[[[1,2,3,4,[[1]],6]],[],[]]"):
        memo.write_text(f"{digest}\n{rows}", encoding="utf-8")
        assert resolve(TEXTS, tmp_path) == cold


def test_a_damaged_ner_cache_entry_is_run_again(fake_ner, tmp_path):
    cold = resolve(TEXTS, None)
    resolve(TEXTS, tmp_path)
    cache = ner_cache.NerCache(str(tmp_path), "fake")
    path = cache._path(cache.key(TEXTS[1]))
    for damage in ("{broken", "[]", '{"ents": 1}'):
        path.write_text(damage, encoding="utf-8")
        assert resolve(TEXTS, tmp_path) == cold
        assert ner_cache.parse_raw(path.read_bytes()) is not None  # written again


def test_entity_details_are_not_rewritten_when_unchanged(tmp_path):
    story = Story(headline="Blair heads to London", body=["Tony Blair said so."], entities=[
        Entity(name="Tony Blair", type="person", display="Tony Blair", aliases=["Blair"], mentions=[(22, 32)],
               sentence="Tony Blair said so."),
    ])
    path = tmp_path / "entities.json"
    assert write_details([story], path) is True
    before = path.stat().st_mtime_ns
    assert write_details([story], path) is False
    assert path.stat().st_mtime_ns == before
    story.entities[0].sentence = "Tony Blair said so again."
    assert write_details([story], path) is True
    assert "again" in path.read_text(encoding="utf-8")


# The gazetteer's place table


def test_the_cached_place_table_is_the_built_one(tmp_path: Path):
    built = gazetteer._build()
    place_cache = tmp_path / gazetteer.PLACES_CACHE
    table = gazetteer.PlaceTable()
    table.keep_in(tmp_path)
    assert table.weights() == built  # builds and stores it
    assert place_cache.is_file()
    again = gazetteer.PlaceTable()
    again.keep_in(tmp_path)
    assert again.weights() == built  # reads it
    place_cache.write_text("{damaged", encoding="utf-8")
    damaged = gazetteer.PlaceTable()
    damaged.keep_in(tmp_path)
    assert damaged.weights() == built


def test_a_loaded_place_table_is_stored_for_every_build_that_asks(tmp_path: Path):
    """Whichever build asked first, the next build's cache folder gets the table too."""
    table = gazetteer.PlaceTable()
    table.keep_in(tmp_path / "one")
    (tmp_path / "one").mkdir()
    weights = table.weights()
    (tmp_path / "two").mkdir()
    table.keep_in(tmp_path / "two")
    assert (tmp_path / "two" / gazetteer.PLACES_CACHE).is_file()
    again = gazetteer.PlaceTable()
    again.keep_in(tmp_path / "two")
    assert again.weights() == weights


def _used_modules(module: object, seen: set) -> set:
    """The modules of this package that ``module`` uses, found at run time from what its
    namespace holds (modules, and functions and classes by their ``__module__``), and
    theirs in turn: an oracle for the cache keys that does not read import statements."""
    import inspect
    import sys

    for value in vars(module).values():
        used = value if inspect.ismodule(value) else sys.modules.get(getattr(value, "__module__", None) or "")
        name = getattr(used, "__name__", "")
        if (used is not None and name.startswith("news_archive") and used not in seen
                and not used.__file__.endswith("__init__.py")):
            seen.add(used)
            _used_modules(used, seen)
    return seen


@pytest.mark.parametrize("entry, sources", [("archive_pass", ner_cache.archive_sources),
                                            ("article_pass", ner_cache.article_sources)])
def test_the_entity_caches_are_keyed_by_every_module_and_table_the_passes_use(entry, sources):
    """A cached pass is keyed by the source of all it runs: a module added to the passes
    (``makers``, ``spelled_out`` were, after the hand-kept list of the key) or a data table
    beside them (``demonyms.toml``) must change the key when it changes."""
    import importlib

    module = importlib.import_module(f"news_archive.enrich.{entry}")
    keyed = set(sources())
    used = {Path(m.__file__).resolve() for m in _used_modules(module, {module})}
    assert used - keyed == set()
    tables = {p.resolve() for p in Path(ner_cache.__file__).with_name("data").glob("*.toml")}
    assert tables - keyed == set()


def test_a_module_edited_since_its_imports_were_read_is_read_again(tmp_path: Path) -> None:
    """The import walk is remembered per version of a file: an edit that imports another
    module must put that module in the closure (the cache keys follow the code)."""
    import os

    from news_archive.enrich.memo import source_closure

    for name in ("b", "c"):
        (tmp_path / f"{name}.py").write_text("X = 1\n", encoding="utf-8")
    a = tmp_path / "a.py"
    a.write_text("from . import b\n", encoding="utf-8")
    assert source_closure(a) == sorted([a, tmp_path / "b.py"])
    a.write_text("from . import b, c\n", encoding="utf-8")
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 1))  # even within one clock tick
    assert source_closure(a) == sorted([a, tmp_path / "b.py", tmp_path / "c.py"])


def test_imports_remembered_across_builds_follow_every_edit(tmp_path: Path, monkeypatch) -> None:
    """Each module's imports as a previous build stored them (``imports_remembered``, a new
    process each time: the in-process cache emptied) are taken only while the module's
    stat signature is the one they were found at: an edit that imports another module,
    of the same size or not, puts it in the closure; a module written just now is not
    stored at all (a second edit in the same clock tick could keep its signature)."""
    import os

    from news_archive.enrich import memo

    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("b", "c", "d"):
        (tmp_path / f"{name}.py").write_text("X = 1\n", encoding="utf-8")
    a = tmp_path / "a.py"
    a.write_text("from . import b\n", encoding="utf-8")

    def closure() -> list[Path]:
        memo._imported_cached.cache_clear()  # as a new process would
        with memo.imports_remembered(cache) as imports:
            return memo.source_closure(a, imports=imports)

    assert closure() == sorted([a, tmp_path / "b.py"])
    assert not (cache / memo.IMPORTS_FILE).exists()  # every module written just now: none stored
    monkeypatch.setattr(memo, "RACY_NS", 0)  # what a build long after the edits sees
    assert closure() == sorted([a, tmp_path / "b.py"])
    assert str(a) in json.loads((cache / memo.IMPORTS_FILE).read_text())["files"]

    def parsed(path: Path) -> list[Path]:
        raise AssertionError(f"{path} parsed although remembered")

    with monkeypatch.context() as m:  # unchanged: nothing parsed again
        m.setattr(memo, "_imported", parsed)
        assert closure() == sorted([a, tmp_path / "b.py"])
    a.write_text("from . import b, c\n", encoding="utf-8")  # another size
    assert closure() == sorted([a, tmp_path / "b.py", tmp_path / "c.py"])
    a.write_text("from . import b, d\n", encoding="utf-8")  # the same size, the same mtime
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))
    assert closure() == sorted([a, tmp_path / "b.py", tmp_path / "d.py"])


def test_two_builds_in_one_process_keep_their_own_import_records(tmp_path: Path, monkeypatch) -> None:
    """Each build's record of its modules' imports is its own (``memo.ImportMemo``), never a
    module global: two builds open at once in one process (a watch session and a tool, two
    threads) each take what their own work folder stored and save only what they found.
    Kept in module globals, the second build's record replaced the first's: the first
    saved the second's findings into its own folder, the second's exit then failed."""
    from news_archive.enrich import memo

    monkeypatch.setattr(memo, "RACY_NS", 0)
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(f"from . import {name}_dep\n", encoding="utf-8")
        (tmp_path / f"{name}_dep.py").write_text("X = 1\n", encoding="utf-8")
    caches = {name: tmp_path / f"cache-{name}" for name in ("a", "b")}
    for cache in caches.values():
        cache.mkdir()
    first, second = memo.imports_remembered(caches["a"]), memo.imports_remembered(caches["b"])
    record_a = first.__enter__()
    record_b = second.__enter__()
    assert record_a is not record_b
    assert memo.source_closure(tmp_path / "a.py", imports=record_a) == [tmp_path / "a.py", tmp_path / "a_dep.py"]
    assert memo.source_closure(tmp_path / "b.py", imports=record_b) == [tmp_path / "b.py", tmp_path / "b_dep.py"]
    first.__exit__(None, None, None)
    second.__exit__(None, None, None)
    for name, cache in caches.items():
        stored = json.loads((cache / memo.IMPORTS_FILE).read_text())["files"]
        assert sorted(Path(p).name for p in stored) == [f"{name}.py", f"{name}_dep.py"]
    # A later build of folder a takes folder a's record only.
    with memo.imports_remembered(caches["a"]) as again:
        assert sorted(Path(p).name for p in again.remembered) == ["a.py", "a_dep.py"]
        assert again.used == {}
