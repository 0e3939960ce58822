"""Duplicate detection: copies and near-copies merge, different stories never do,
and the answer is the same on every run (no salted hashing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT, SAMPLE_DUMPS, SEED
from news_archive.dedupe import Deduplicator
from news_archive.ingest.text import read_text
from news_archive.story import Story

SEED_STORY = read_text((SAMPLE_DUMPS / SEED).read_text(encoding="utf-8"), SEED)


def story(origin: str, body: list[str], headline: str = "Headline") -> Story:
    return Story(headline=headline, body=body, origin=origin)


def test_exact_copy_and_near_copy_merge_into_the_first_by_path():
    exact = story("b.txt", SEED_STORY.body, SEED_STORY.headline)
    near = story("c.txt", [p.replace("officials said", "officials told reporters") for p in SEED_STORY.body[:-1]],
                 SEED_STORY.headline + " (updated)")
    first = story("a.txt", SEED_STORY.body, SEED_STORY.headline)
    kept, dups = Deduplicator().run([near, exact, first])
    assert [s.origin for s in kept] == ["a.txt"]
    assert {(d.origin, o.origin) for d, o in dups} == {("b.txt", "a.txt"), ("c.txt", "a.txt")}


def test_same_headline_different_story_stays_two():
    other = story("b.txt", ["Melting snow flooded the valley road on Tuesday and the county closed two passes "
                            "until engineers have inspected the bridges, officials said."], SEED_STORY.headline)
    kept, dups = Deduplicator().run([story("a.txt", SEED_STORY.body, SEED_STORY.headline), other])
    assert len(kept) == 2 and dups == []


def test_stories_sharing_one_quoted_paragraph_stay_two():
    shared = SEED_STORY.body[3]
    a = story("a.txt", SEED_STORY.body[:6])
    b = story("b.txt", [shared, "A different report about the provincial election followed, with its own "
                        "quotes from candidates, observers and voters in three districts of the north.",
                        "Turnout was lower than in the last vote, the election commission said on Sunday."])
    kept, _ = Deduplicator().run([a, b])
    assert len(kept) == 2


def test_signatures_do_not_depend_on_python_hash_seed():
    code = ("import sys; sys.path.insert(0, 'plugins'); from news_archive.dedupe import shingles, signature; "
            "print(signature(shingles(open(sys.argv[1], encoding='utf-8').read())).tolist())")
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(subprocess.run([sys.executable, "-c", code, str(SAMPLE_DUMPS / SEED)], cwd=ROOT, env=env,
                                   capture_output=True, text=True, check=True).stdout)
    assert len(outputs) == 1


def test_a_rebuild_reuses_candidate_verdicts_and_ignores_damaged_ones(tmp_path, monkeypatch):
    """Comparing a candidate pair's shingles is the costly step; a rebuild with the same
    bodies judges no pair twice and still gives the same answer."""
    from news_archive import dedupe

    def archive() -> list[Story]:
        near = [p.replace("officials said", "officials told reporters") for p in SEED_STORY.body[:-1]]
        return [story("a.txt", SEED_STORY.body, SEED_STORY.headline), story("c.txt", near, "Updated"),
                story("d.txt", ["A different story about the weather in Kabul on Sunday, with rain expected."])]

    def answer(result) -> tuple:
        kept, dups = result
        return [s.origin for s in kept], [(d.origin, o.origin) for d, o in dups]

    first = answer(Deduplicator(cache_dir=tmp_path).run(archive()))
    assert first == (["a.txt", "d.txt"], [("c.txt", "a.txt")])

    def no_shingling(*args, **kwargs):
        raise AssertionError("a cached verdict was computed again")

    with monkeypatch.context() as m:
        m.setattr(dedupe, "shingles", no_shingling)
        assert answer(Deduplicator(cache_dir=tmp_path).run(archive())) == first

    cache = tmp_path / dedupe.SIGNATURE_CACHE
    data = json.loads(cache.read_text(encoding="utf-8"))
    assert data["verdicts"] and all(v is True for v in data["verdicts"].values())
    data["verdicts"] = {k: "garbage" for k in data["verdicts"]}
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert answer(Deduplicator(cache_dir=tmp_path).run(archive())) == first
    # Other thresholds are other verdicts, never the cached ones.
    assert answer(Deduplicator(threshold=0.99, containment=0.999, cache_dir=tmp_path).run(archive()))[1] == []
