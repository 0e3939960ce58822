"""The shortcuts the entity pages and feeds take at archive scale give exactly what the
plain definitions give: the top co-occurring entities, and a feed's newest stories."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

from news_archive.feeds import dated
from news_archive.taxonomy import RELATED_COUNT, Entity, top_related

SETTINGS = {"ENTITY_URL": "entity/{kind}/{slug}/", "ENTITY_SAVE_AS": "entity/{kind}/{slug}/index.html"}


def test_top_related_equals_sorting_everything():
    rng = random.Random(7)
    names = ["Blair", "blair", "Bush", "Brown", "London", "Paris", "EU", "UN", "Oscar", "BBC", "Iraq", "NHS"]
    entities = [Entity(f"{rng.choice(names)} {i % 5}", rng.choice(["person", "place"]), SETTINGS) for i in range(60)]
    for _ in range(200):
        counts = [1, 1, 2, 2, 3, 5, 8]
        co = Counter({rng.randrange(len(entities)): rng.choice(counts) for _ in range(rng.randrange(30))})
        plain = sorted(((entities[j], n) for j, n in co.items()), key=lambda x: (-x[1], x[0].name.casefold()))
        assert top_related(co, entities) == plain[:RELATED_COUNT]


def test_feed_newest_equals_sorting_everything():
    rng = random.Random(3)
    start = datetime(2020, 1, 1)
    for _ in range(100):
        stories = [SimpleNamespace(date=start + timedelta(days=rng.randrange(20)), n=i,
                                   metadata={"undated": rng.choice(["false", "false", "true"])})
                   for i in range(rng.randrange(60))]
        plain = sorted((s for s in stories if s.metadata["undated"] != "true"), key=lambda s: s.date, reverse=True)
        for limit in (1, 5, 25, 50):
            assert [s.n for s in dated(stories, limit)] == [s.n for s in plain[:limit]]
        assert [s.n for s in dated(stories)] == [s.n for s in plain]
