"""The shortcuts the entity pages and feeds take at archive scale give exactly what the
plain definitions give: the top co-occurring entities, and a feed's newest stories."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

from news_archive.feeds import dated
from news_archive.ordering import newest_first
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


def test_distinctive_top_related_equals_sorting_everything():
    """With the archive's counts (own, total): every scored co-mention sorted, the first
    RELATED_COUNT taken, the rest filled by raw count, whether or not the caller hands over
    the casefolded names."""
    from news_archive.taxonomy import _npmi, coarse, related_min

    rng = random.Random(11)
    names = ["Blair", "blair", "Bush", "Brown", "London", "Paris", "EU", "UN", "Oscar", "BBC", "Iraq", "NHS"]
    entities = [Entity(f"{rng.choice(names)} {i % 3}", rng.choice(["person", "place"]), SETTINGS) for i in range(60)]
    for e in entities:
        e.articles = [None] * rng.randrange(0, 40)
    folded = [e.name.casefold() for e in entities]
    total = 200
    for _ in range(300):
        co = Counter({rng.randrange(len(entities)): rng.choice([1, 2, 4, 4, 5, 8, 13])
                      for _ in range(rng.randrange(40))})
        own = rng.randrange(1, 40)
        scored = sorted((-_npmi(n, own, coarse(len(entities[j].articles)), coarse(total)),
                         entities[j].name.casefold(), j, n)
                        for j, n in co.items() if n >= related_min(total) and entities[j].articles)
        picked = [(entities[j], n) for _, _, j, n in scored[:RELATED_COUNT]]
        rest = [(entities[j], n) for j, n in co.items() if j not in {j for _, _, j, _ in scored[:RELATED_COUNT]}]
        plain = picked + sorted(rest, key=lambda x: (-x[1], x[0].name.casefold()))[:RELATED_COUNT - len(picked)]
        assert top_related(co, entities, own=own, total=total) == plain
        assert top_related(co, entities, own=own, total=total, folded=folded) == plain


def test_feed_newest_equals_sorting_everything():
    rng = random.Random(3)
    start = datetime(2020, 1, 1)
    for _ in range(100):
        stories = [SimpleNamespace(date=start + timedelta(days=rng.randrange(20)), n=i, title=rng.choice("abc"),
                                   metadata={"undated": rng.choice(["false", "false", "true"]),
                                             "archived": f"2020-02-0{rng.randrange(1, 4)}T00:00:00"})
                   for i in range(rng.randrange(60))]
        plain = sorted((s for s in stories if s.metadata["undated"] != "true"), key=lambda s: s.date, reverse=True)
        for limit in (1, 5, 25, 50):
            assert [s.n for s in dated(stories, limit)] == [s.n for s in plain[:limit]]
        assert [s.n for s in dated(stories)] == [s.n for s in plain]
        # A list sorted as an entity's stories are (newest_first: equal dates by headline):
        # its first items give the same feed as sorting it.
        ordered = sorted(stories, key=newest_first)
        plain = sorted((s for s in ordered if s.metadata["undated"] != "true"), key=lambda s: s.date, reverse=True)
        for limit in (1, 5, 25, 50):
            assert [s.n for s in dated(ordered, limit, newest_first=True)] == [s.n for s in plain[:limit]]


def test_co_mentions_rank_distinctive_entities_above_merely_frequent_ones():
    """'Most often mentioned with' Iraq: not just the archive's commonest names (issue 12)."""
    total = 1000

    def ent(name: str, stories: int) -> Entity:
        e = Entity(name, "place", SETTINGS)
        e.articles = [None] * stories
        return e

    # Blair is in 300 stories, 40 of them with Iraq (of its 80): about chance. Baghdad is in
    # 30 stories, 25 with Iraq; Fallujah in 6, 5 with Iraq; a name seen once with Iraq is noise.
    entities = [ent("Tony Blair", 300), ent("Baghdad", 30), ent("Fallujah", 6), ent("Once", 1)]
    co = Counter({0: 40, 1: 25, 2: 5, 3: 1})
    ranked = [e.name for e, _ in top_related(co, entities, own=80, total=total)]
    assert ranked[:2] == ["Baghdad", "Fallujah"], ranked
    assert ranked.index("Baghdad") < ranked.index("Tony Blair")
    assert [n for _, n in top_related(co, entities, own=80, total=total)][:2] == [25, 5]  # the count shown
    # Without the frequencies (older callers), raw counts as before.
    assert [e.name for e, _ in top_related(co, entities)][0] == "Tony Blair"


def test_co_mentions_keep_their_order_when_a_name_they_list_gains_a_story():
    """An entity's "mentioned with" list does not change when a story it is not in adds one
    to a name on it (its page would change for nothing): Sri Lanka and the World Bank, each
    seen with the Maldives in 4 stories, stay in the order they were."""
    def ent(name: str, stories: int) -> Entity:
        e = Entity(name, "place", SETTINGS)
        e.articles = [None] * stories
        return e

    entities = [ent("World Bank", 41), ent("Sri Lanka", 41)] + [ent(f"Other {i}", 200 + i) for i in range(10)]
    co = Counter({0: 4, 1: 4, **{2 + i: 5 for i in range(10)}})
    before = top_related(co, entities, own=6, total=2000)
    entities[1].articles.append(None)  # Sri Lanka: 42 stories
    after = top_related(co, entities, own=6, total=2001)
    assert [e.name for e, _ in after] == [e.name for e, _ in before]
    assert [e.name for e, _ in after][:2] == ["Sri Lanka", "World Bank"]  # equal here: by name


class _CountingList(list):
    """A story list that counts how often it is walked."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_list_order_words_are_worked_out_once_per_list_not_once_per_page():
    """Every page of a paginated list says the whole list's order and dated count; the
    theme's filters give what the plain definitions give, walking the list once per build
    (the home pagination at 20,000 stories walked all of them on each of ~1,000 pages)."""
    from jinja2 import Environment
    from news_archive import ordering
    from news_archive.build import BUILD_KEY, Build
    from news_archive.site import FILTERS

    rng = random.Random(5)
    stories = _CountingList(SimpleNamespace(metadata={"undated": rng.choice(["false", "true"])}, n=i)
                            for i in range(50))
    env = Environment(autoescape=True)
    env.filters.update(FILTERS)
    template = env.from_string("{{ articles|dated_count }}|{{ articles|order_label(page) }}")
    settings = {"PATH": "content"}
    build = Build.start(settings)
    assert settings[BUILD_KEY] is build
    pages = [stories[i:i + 10] for i in range(0, 50, 10)]
    plain = [f"{ordering.dated_count(list(stories))}|{ordering.order_label(list(stories), page)}" for page in pages]
    _CountingList.walks = 0
    shown = [template.render(articles=stories, page=page, **settings) for page in pages]
    assert _CountingList.walks == 2  # flags and count, once each, for five pages
    assert shown == plain
    # A list changed in place, even at the same length, is worked out again.
    first_dated = next(i for i, s in enumerate(stories) if s.metadata["undated"] == "false")
    was = stories[first_dated]
    stories[first_dated] = SimpleNamespace(metadata={"undated": "true"}, n=first_dated)
    assert template.render(articles=stories, page=pages[0], **settings) == \
        f"{ordering.dated_count(list(stories))}|{ordering.order_label(list(stories), pages[0])}"
    stories[first_dated] = was
    # Outside a build the filters still answer, by walking the list.
    assert template.render(articles=stories, page=pages[0]) == shown[0]


def test_memoised_entity_slugs_are_the_slugs_slugify_gives_under_the_same_settings(tmp_path):
    """Entity slugs are kept from one build to the next (``taxonomy.SlugMemo``), keyed by
    the slug settings: a build with other slug settings slugifies every name again."""
    from news_archive.build import Build
    from news_archive.taxonomy import SlugMemo
    from pelican.settings import DEFAULT_CONFIG

    names = ["Ann Lee", "Zürich", "Mahmoud Abbas", "São Paulo", "BBC News"]

    def slugs(**extra):  # one build's entity slugs, and slugify's own for the same settings
        settings = {**DEFAULT_CONFIG, "NEWS_ARCHIVE_WORK_DIR": str(tmp_path), **extra}
        memo = SlugMemo(settings, Build.start(settings))
        memoised = [memo.slug(Entity(n, "person", settings)) for n in names]
        memo.save()
        return memoised, [Entity(n, "person", settings).slug for n in names]

    first, plain = slugs()
    assert first == plain and "zurich" in first
    again, _ = slugs()
    assert again == plain  # read back from the work folder
    other, plain_other = slugs(SLUG_REGEX_SUBSTITUTIONS=[(r"[^\w\s-]", ""), (r"(?u)\A\s*", ""),
                                                         (r"(?u)\s*\Z", ""), (r"[-\s]+", "_")])
    assert other == plain_other and "ann_lee" in other


def test_an_entity_front_page_does_not_change_when_one_of_its_stories_is_re_tagged():
    """The front page shows an entity's count, spellings and co-mentions, not its stories'
    tags: its inputs (taxonomy.EntityFront) stay the same when a story of it is re-tagged."""
    from news_archive.fingerprints import Fingerprints
    from news_archive.taxonomy import EntityFront
    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Tag

    settings = {**DEFAULT_CONFIG, **SETTINGS}

    def digest(tags: list[str]) -> bytes:
        ent, other = Entity("Harbour Board", "organisation", settings), Entity("Port", "place", settings)
        ent.articles = [Article("<p>Body.</p>", {"title": f"Story {i}", "date": datetime(2020, 1, 1 + i),
                                                 "slug": f"story-{i}"}, settings=settings) for i in range(3)]
        ent.articles[0].tags = [Tag(t, settings) for t in tags]
        ent.related = [(other, 2)]
        return Fingerprints().value(EntityFront(ent, {}))

    assert digest(["harbour"]) == digest(["ferry", "port"])


def test_timeline_keys_from_each_storys_date_are_the_plain_ones():
    """An entity's chart key from its stories' dates made once per build (``story_date``) is
    the key read from the stories themselves: the undated counted, the first and last of
    equal instants in other zones (another month on the calendar) taken as min and max take
    them."""
    from zoneinfo import ZoneInfo

    from news_archive.taxonomy import story_date, timeline_key

    rng = random.Random(11)
    zones = [ZoneInfo("UTC"), ZoneInfo("Europe/London"), ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")]
    base = datetime(2019, 12, 31, 20, 0, tzinfo=ZoneInfo("UTC"))
    for _ in range(300):
        stories = []
        for i in range(rng.randrange(1, 25)):
            hours = rng.choice([0, 0, 3, 5, 30, 24 * 40, -24 * 400])
            when = (base + timedelta(hours=hours)).astimezone(rng.choice(zones))
            stories.append(SimpleNamespace(date=when, n=i, title=rng.choice("ab"),
                                           metadata={"undated": rng.choice(["false", "false", "true"]),
                                                     "archived": "2020-02-01T00:00:00"}))
        ent = Entity("Ann Lee", "person", SETTINGS)
        ent.articles = sorted(stories, key=newest_first) if rng.random() < 0.5 else stories
        dates = {id(s): story_date(s) for s in stories}
        assert timeline_key(ent, dates) == timeline_key(ent)
