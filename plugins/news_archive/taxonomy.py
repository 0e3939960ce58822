"""Entity pages: a Pelican generator that indexes articles by entity once.

Pelican has no generic taxonomy, and its own tag pages scan every article per tag.
Here one pass over the articles builds ``{entity: [articles]}`` (and, from the same
lists, which entities are mentioned together); each entity page is then written from
its own list.  ``Entity`` is a ``URLWrapper``, so its URLs come from the
``ENTITY_URL`` / ``ENTITY_SAVE_AS`` settings like Pelican's own tags.

Which entities get a page: people, organisations and places mentioned in at least
``NEWS_ARCHIVE_ENTITY_MIN_ARTICLES`` stories (default 1: a person named in one story is
still someone a reader may look up).  Groups (nationalities, religions: "Afghan",
"Palestinian") get no page: a page of every story that says "British" tells a reader
nothing; they stay in the metadata and the search index.  A chip is only ever made for
an entity that has a page.
"""

from __future__ import annotations

import calendar
import heapq
import math
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from markupsafe import Markup, escape
from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from . import settings as S
from .article_story import entity_names, is_undated, story_of
from .build import Build
from .enrich import DOUBT_KEY, read_details, story_details
from .enrich.review import WAITING
from .fileio import read_json, write_json
from .ordering import date_flags, newest_first, order_label
from .paging import list_pages, page_size, story_views
from .story import ENTITY_LABELS, ENTITY_TYPES

PAGE_KINDS = ("person", "organisation", "place")
# Every keyword argument an entity page is given (EntityGenerator.write_entity): the names
# its pages' group key does not read from the shared context.
ENTITY_PAGE_ARGS = ("entity_head", "pager", "articles", "list_order", "mentions", "page_name", "entity", "timeline")
RELATED_COUNT = 8  # entities shown as "most often mentioned with"
INDEX_TOP = 60  # entities per type on the index's "by coverage" view; the A–Z view lists all


class EntityHead:
    """What every page of an entity shows of it: its name, kind and links, plain values.

    An ``Entity`` carries its whole story list (and a page's digest reads all of it), so
    only plain values of it reach its pages (this, and :class:`EntityFront` on its front page)."""

    def __init__(self, ent: Entity) -> None:
        self.name = ent.name
        self.kind = ent.kind
        self.url = ent.url
        self.feed_url = ent.feed_url
        self.type_label = ent.type_label
        self.type_singular = ent.type_singular


class EntityFront(EntityHead):
    """What an entity's front page shows of it, as plain values: its head, count, doubt,
    other spellings and the names seen with it (name, kind, link, stories together).

    The entity itself would bring into the page's inputs every field of each of its
    stories (the page links them all through it): a story re-tagged elsewhere in the
    archive re-rendered the fronts of all the entities it names, with nothing on them
    changed."""

    def __init__(self, ent: Entity, links: dict[int, tuple[Entity, EntityLink]]) -> None:
        super().__init__(ent)
        self.count = ent.count
        self.type_uncertain = ent.type_uncertain
        self.aliases = list(ent.aliases)
        self.related = [(EntityLink.of(other, links), n) for other, n in ent.related]


class EntityLink:
    """A chip for another entity: its name, kind and link."""

    def __init__(self, ent: Entity) -> None:
        self.name = ent.name
        self.kind = ent.kind
        self.url = ent.url

    @classmethod
    def of(cls, ent: Entity, links: dict[int, tuple[Entity, EntityLink]]) -> EntityLink:
        """The build's one link to ``ent`` (``links``, by the entity's id): its URL is formatted
        once (URLWrapper.url is formatted anew on every access), and a page's digest takes a
        link it met on another front page from its memo instead of encoding it again."""
        known = links.get(id(ent))
        if known is None:
            known = links[id(ent)] = (ent, cls(ent))
        return known[1]


class Entity(URLWrapper):
    """A canonical entity with its own page at ENTITY_URL (``{kind}`` and ``{slug}``)."""

    def __init__(self, name: str, kind: str, settings: dict[str, Any]) -> None:
        super().__init__(name, settings)
        self.kind = kind
        self.articles: list[Any] = []
        self.aliases: list[str] = []
        self.related: list[tuple[Entity, int]] = []
        self.feed_url = ""
        self.doubt = 0.0  # uncertainty of its type, 0–1 (enrich.review); ranks it and marks its page

    @property
    def type_uncertain(self) -> bool:
        """Doubtful enough for its page to say so (the review queue's "waiting" mark)."""
        return self.doubt >= WAITING

    @property
    def weight(self) -> float:
        """Stories × confidence: what the "most covered" lists rank by, so that an entity
        whose type rests on weak evidence does not lead them however often it is named."""
        return len(self.articles) * (1.0 - self.doubt)

    def __hash__(self) -> int:
        return hash((self.kind, self.slug))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and (self.kind, self.slug) == (other.kind, other.slug)

    def __lt__(self, other: Entity) -> bool:
        return (self.kind, self.name.casefold()) < (other.kind, other.name.casefold())

    def _normalize_key(self, key: str) -> str:  # pragma: no cover - URLWrapper API
        return key

    @property
    def type_label(self) -> str:
        return ENTITY_LABELS[self.kind]

    @property
    def type_singular(self) -> str:
        return {"person": "Person", "organisation": "Organisation", "place": "Place", "group": "Group"}[self.kind]

    @property
    def count(self) -> int:
        return len(self.articles)

    @property
    def letter(self) -> str:
        """A–Z heading the entity is listed under ("#" for names not starting with a letter)."""
        from unidecode import unidecode

        first = unidecode(self.name[:1]).upper()[:1]
        return first if first.isalpha() else "#"


# What an entity's chart is drawn from (timeline_key): its name, how many of its stories are
# undated, the year and month of its first and last dated story, each dated story's.
TimelineKey = tuple[str, int, tuple[int, int], tuple[int, int], tuple[tuple[int, int], ...]]


# What timeline_key reads of a story: whether it is undated, its date's instant (a naive UTC
# datetime, which orders as the aware dates do, compared in C) and the date's own year and month.
StoryDate = tuple[bool, datetime, tuple[int, int]]


def story_date(article: Any) -> StoryDate:
    """A story's :data:`StoryDate` (made once per build: ``EntityGenerator``)."""
    d = article.date
    offset = d.utcoffset()
    return (is_undated(article), d if offset is None else d.replace(tzinfo=None) - offset, (d.year, d.month))


def timeline_key(entity: Entity, dates: dict[int, StoryDate] | None = None) -> TimelineKey | None:
    """Everything :func:`timeline_svg` draws from, as plain values (None: no dated story, no
    chart), so that a watch session can keep each chart by it (``EntityGenerator``).

    The first and last stories are the earliest and latest instants, taken as their
    datetimes say; their year and month are those datetimes' own, as the chart shows them.
    ``dates``: each story's :func:`story_date` by its id, when the caller has them (10,000
    entities asked each of their stories, and compared aware datetimes, each comparison two
    calls of the zone's Python ``utcoffset``: ~100,000 of them at 2,000 stories).  The first of
    equal instants is taken either way, as ``min`` and ``max`` take it."""
    if dates is not None:
        rows = [dates[id(a)] for a in entity.articles]
        told = [r for r in rows if not r[0]]
        if not told:
            return None
        first_row, last_row = min(told, key=itemgetter(1)), max(told, key=itemgetter(1))
        return (entity.name, len(rows) - len(told), first_row[2], last_row[2], tuple(r[2] for r in told))
    dated = [a.date for a in entity.articles if not is_undated(a)]
    if not dated:
        return None
    first, last = min(dated), max(dated)
    return (entity.name, len(entity.articles) - len(dated), (first.year, first.month), (last.year, last.month),
            tuple((d.year, d.month) for d in dated))


def timeline_svg(entity: Entity, months: Sequence[str] | None = None) -> Markup:
    """Mentions over time as a small bar chart, drawn at build time (no scripts).

    Stories per month when the dated stories span at most three years, else per year;
    undated stories are counted in the caption, never placed on the time axis.
    ``months``: ``list(calendar.month_abbr)``, when the caller has it (each name is a
    ``strftime`` call: ~50,000 of them per build at 2,000 stories).
    """
    key = timeline_key(entity)
    return draw_timeline(key, months) if key is not None else Markup("")


def draw_timeline(key: TimelineKey, months: Sequence[str] | None = None) -> Markup:
    """The chart of :func:`timeline_svg`, from its :func:`timeline_key`."""
    abbr = months if months is not None else calendar.month_abbr
    name, undated, (first_year, first_month), (last_year, last_month), dated = key
    monthly = (last_year - first_year) <= 3
    if monthly:
        periods = [(y, m) for y in range(first_year, last_year + 1) for m in range(1, 13)
                   if (y, m) >= (first_year, first_month) and (y, m) <= (last_year, last_month)]
        counts = Counter(dated)
        label = [f"{abbr[m]} {y}" for y, m in periods]
    else:
        periods = [(y, 0) for y in range(first_year, last_year + 1)]
        counts = Counter((y, 0) for y, _ in dated)
        label = [str(y) for y, _ in periods]
    peak = max(counts.values())
    bar, gap, height = 10, 2, 48
    width = max(len(periods) * (bar + gap), bar)
    bars = []
    for i, p in enumerate(periods):
        n = counts.get(p, 0)
        h = round(height * n / peak) if n else 0
        x = i * (bar + gap)
        bars.append(
            f'<rect x="{x}" y="{height - h}" width="{bar}" height="{max(h, 1) if n else 0}">'
            f"<title>{escape(label[i])}: {n} {'story' if n == 1 else 'stories'}</title></rect>"
            f'<rect class="timeline-base" x="{x}" y="{height}" width="{bar}" height="1"></rect>'
        )
    span = label[0] if len(label) == 1 else f"{label[0]} – {label[-1]}"
    caption = f"{len(dated)} dated {'story' if len(dated) == 1 else 'stories'}, {span}"
    if undated:
        caption += f"; {undated} with date unknown (not shown)"
    desc = escape(f"Stories mentioning {name} per {'month' if monthly else 'year'}: {caption}")
    return Markup(
        f'<figure class="timeline"><svg class="timeline-chart" role="img" aria-label="{desc}" '
        f'viewBox="0 0 {width} {height + 1}" width="{min(width, 600)}" height="{height + 1}" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
        f'<figcaption class="meta">{escape(caption)}</figcaption></figure>'
    )


def top_related(
    co: Counter[int], entities: list[Entity], own: int = 0, total: int = 0,
    folded: Sequence[str] | None = None,
) -> list[tuple[Entity, int]]:
    """The RELATED_COUNT entities most distinctively mentioned with one, ties by name.

    Raw counts give every entity the archive's commonest names ("Iraq": Tony Blair,
    Labour, the Conservatives — they are in most political stories).  With ``own`` (the
    entity's story count) and ``total`` (the archive's), the entities seen with it in at
    least :func:`related_min` stories are ranked by normalised pointwise mutual information
    (:func:`_npmi`): how much likelier they are with it than in the archive at large; the
    minimum count keeps a name seen once with it from leading.  The other entity's count
    and the archive's are taken :func:`coarse`, so that lists stay put as the archive grows.
    Slots left are filled by raw count.  Without them: by raw count only.  The count shown
    is the number of stories together either way.

    "United States" co-occurs with thousands of entities: by raw count only those whose
    count reaches the RELATED_COUNT-th largest can be in the list, so only they are sorted;
    and only the RELATED_COUNT best-scored are picked out of the scored ones (``nsmallest``
    is ``sorted(…)[:n]``; the entity's index in the tuples leaves no tie for it to break).
    ``folded``: each entity's casefolded name, by index, when the caller has them (every
    entity of a build asks for those of all it is seen with)."""
    names = folded if folded is not None else {j: entities[j].name.casefold() for j in co}
    items = list(co.items())
    picked: list[tuple[Entity, int]] = []
    if own and total:
        least = related_min(total)
        whole = coarse(total)
        scored = heapq.nsmallest(RELATED_COUNT, (
            (-_npmi(n, own, coarse(len(entities[j].articles)), whole), names[j], j, n)
            for j, n in items if n >= least and entities[j].articles
        ))
        picked = [(entities[j], n) for _, _, j, n in scored]
        if len(picked) == RELATED_COUNT:
            return picked
        chosen = {j for _, _, j, _ in scored}
        items = [(j, n) for j, n in items if j not in chosen]
    want = RELATED_COUNT - len(picked)
    if len(items) > want:
        cutoff = heapq.nlargest(want, (n for _, n in items))[-1]
        items = [(j, n) for j, n in items if n >= cutoff]
    ranked = sorted(items, key=lambda x: (-x[1], names[x[0]]))
    return picked + [(entities[j], n) for j, n in ranked[:want]]


STEPS_PER_DOUBLING = 4


def coarse(count: int) -> float:
    """A story count rounded down to a quarter-doubling (…, 8, 9.5, 11.3, 13.5, 16, …).

    The distinctiveness of a co-mention weighs the other entity's story count and the
    archive's; taken exactly, one story added anywhere reorders the lists of every entity
    seen with any of its names, and their pages change although nothing about them did
    (at 2,000 stories a third of the entity pages one added story changed were such).  At
    this grain (≤ 19 %, a fifth of a unit of PMI) a list changes only when a count crosses
    a step; the count a chip shows is exact."""
    if count <= 1:
        return float(max(count, 0))
    return 2 ** (math.floor(STEPS_PER_DOUBLING * math.log2(count) + 1e-9) / STEPS_PER_DOUBLING)


def _npmi(together: int, own: int, theirs: float, total: float) -> float:
    """Normalised PMI (Bouma 2009): PMI over −log p(together), in [−1, 1]; unlike PMI it does
    not favour the rarest names, as 1 means "never one without the other"."""
    if together >= total:
        return 1.0
    return math.log(together * total / (own * theirs)) / -math.log(together / total)


def related_min(total: int) -> int:
    """Stories together before a co-mention is ranked by distinctiveness: 2 in a small
    archive, one more per tenfold growth (4 at 2,000 stories, 5 at 20,000)."""
    return max(2, math.ceil(math.log10(max(total, 1))))


SLUG_MEMO = "entity-slugs.json"  # in the work folder: each entity name's slug, as last computed


class SlugMemo:
    """Each entity name's slug, kept from one build to the next.

    ``URLWrapper.slug`` runs Pelican's ``slugify`` (unidecode and a dozen regular
    expressions): ~11,000 entities cost a warm build at 2,000 stories about a second.
    A slug is a pure function of the name, the class's slug settings and the versions of
    Pelican and unidecode, and the memo is keyed by all of those, so a build that finds a
    name in it gets the slug ``slugify`` would have given.  Kept in the work folder (one-shot
    builds) and in ``Build.kept`` (a watch session); it holds this build's names only."""

    def __init__(self, settings: dict[str, Any], build: Build | None) -> None:
        from .enrich.memo import code_digest, digest, package_version

        subs = settings.get("ENTITY_REGEX_SUBSTITUTIONS", settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        self.key = digest(repr(subs), repr(settings.get("SLUGIFY_PRESERVE_CASE", False)),
                          repr(settings.get("SLUGIFY_USE_UNICODE", False)), package_version("pelican"),
                          package_version("unidecode"), code_digest(__file__))
        self.path = os.path.join(S.work_dir(settings), SLUG_MEMO)
        self.kept = build.kept("entity-slugs") if build is not None else None
        known = self.kept.get(self.key) if self.kept is not None else None
        if known is None:
            memo = read_json(self.path)
            ok = isinstance(memo, dict) and memo.get("key") == self.key and isinstance(memo.get("slugs"), dict)
            known = memo["slugs"] if ok else {}
        self.before: dict[str, str] = known
        self.now: dict[str, str] = {}

    def slug(self, entity: Entity) -> str:
        """The entity's slug, from the memo when its name is there (then set on the entity)."""
        name = entity.name
        hit = self.before.get(name)
        if hit is not None:
            entity._slug = hit
        else:
            hit = entity.slug
        self.now[name] = hit
        return hit

    def save(self) -> None:
        if self.kept is not None:
            self.kept.clear()
            self.kept[self.key] = self.now
        if self.now != self.before:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_json(self.path, {"key": self.key, "slugs": self.now})


class TimelineMemo:
    """Each entity's chart, kept from one watch cycle to the next by what it is drawn from.

    Drawing ~10,000 charts was a tenth of a 2,000-story cycle's entity pass, and one new
    story changes the charts of its own few dozen entities.  A chart is a pure function of
    its :func:`timeline_key` and the month names (the locale's, read once per build: they
    are part of the memo's key), so a cycle that finds it gets what drawing it would give.
    Only a watch session keeps them (``Build.kept``; a one-shot build draws each chart once
    anyway), and only this cycle's: the memo never holds an entity that is gone."""

    def __init__(self, build: Build | None) -> None:
        self.months = tuple(calendar.month_abbr)
        self.kept = build.kept("entity-timelines") if build is not None and build.session is not None else None
        self.before: dict[TimelineKey, Markup] = (self.kept or {}).get(self.months, {})
        self.now: dict[TimelineKey, Markup] = {}

    def draw(self, key: TimelineKey | None) -> Markup:
        """The chart drawn from ``key`` (none for None: no dated story)."""
        if key is None:
            return Markup("")
        hit = self.before.get(key)
        if hit is None:
            hit = draw_timeline(key, self.months)
        if self.kept is not None:
            self.now[key] = hit
        return hit

    def carry(self, key: TimelineKey | None) -> None:
        """A chart not drawn this cycle (its pages were unchanged) stays kept for the next."""
        if self.kept is not None and key is not None and key in self.before:
            self.now[key] = self.before[key]

    def save(self) -> None:
        if self.kept is not None:
            self.kept.clear()
            self.kept[self.months] = self.now


class EntityGenerator(Generator):
    """Builds ``context['entities_by_kind']`` and writes one page per entity plus the indexes."""

    def generate_context(self) -> None:
        articles = self.context.get("articles", [])
        min_articles = int(S.get(self.settings, "NEWS_ARCHIVE_ENTITY_MIN_ARTICLES"))
        details = read_details(S.work_dir(self.settings), Build.of(self.settings))
        doubt: dict[str, float] = details.pop(DOUBT_KEY, None) or {}  # type: ignore[assignment]
        registry: dict[tuple[str, str], Entity] = {}
        by_name: dict[tuple[str, str], Entity] = {}  # so each name is slugified once, not once per story
        slugs = SlugMemo(self.settings, Build.of(self.settings))
        per_article: list[tuple[Any, list[tuple[str, Entity]]]] = []
        aliases: dict[Entity, Counter[str]] = defaultdict(Counter)
        # Each entity's sentence from each story, by the story's id (its url is formatted anew on
        # every access; the articles live through the build).
        self.sentences: dict[Entity, dict[int, str]] = defaultdict(dict)
        # What each chart is drawn from, kept beside the entities, not on them: a page shows only
        # its own entity's chart, and an entity's fields are part of the inputs of every page
        # that links it (see speedups).  A chart is drawn only for pages that are rendered.
        self.timeline_keys: dict[Entity, TimelineKey | None] = {}
        for article in articles:  # the one pass over the archive
            story = story_of(article)  # its details are on its Story; a page without one: the file's
            info = (story_details(story) if story is not None
                    else details.get(article.metadata.get("content_hash", ""), {}))
            found = []
            for kind in ENTITY_TYPES:
                for name in entity_names(article, kind):
                    ent = by_name.get((kind, name))
                    if ent is None:
                        ent = Entity(name, kind, self.settings)
                        ent = by_name[(kind, name)] = registry.setdefault((kind, slugs.slug(ent)), ent)
                        ent.doubt = max(ent.doubt, float(doubt.get(f"{kind}\t{name}", 0.0)))
                    if ent.articles and ent.articles[-1] is article:
                        continue
                    ent.articles.append(article)
                    found.append((kind, ent))
                    sentence, spellings, _ = info.get(f"{kind}\t{name}", ["", [], 0])
                    if sentence:
                        self.sentences[ent][id(article)] = sentence
                    if spellings:  # most names are seen in one spelling: no Counter.update call for none
                        aliases[ent].update(spellings)
            per_article.append((article, found))
        slugs.save()

        shown_list = [
            ent for ent in registry.values() if ent.kind in PAGE_KINDS and len(ent.articles) >= min_articles
        ]
        # Co-occurrence is counted over small integers, not Entity objects: it is the square of
        # the entities per story for every story, and Entity's hash is Python code.
        number = {id(ent): i for i, ent in enumerate(shown_list)}
        together: dict[int, Counter[int]] = defaultdict(Counter)
        for article, found in per_article:
            linked = [number[id(ent)] for _, ent in found if id(ent) in number]
            groups = []
            for kind in ENTITY_TYPES:
                ents = sorted((e for k, e in found if k == kind and id(e) in number), key=lambda e: -len(e.articles))
                if ents:
                    groups.append((kind, ENTITY_LABELS[kind], ents))
            article.entity_groups = groups
            if len(linked) > 1:
                for i in linked:
                    together[i].update(linked)

        feed_pattern = S.get(self.settings, "NEWS_ARCHIVE_ENTITY_FEED_ATOM")
        self.charts = TimelineMemo(Build.of(self.settings))
        folded = [ent.name.casefold() for ent in shown_list]
        by_kind: dict[str, list[Entity]] = defaultdict(list)
        # Each story's sort key made once, not once per entity it names (~50,000 keys at
        # 2,000 stories): the same keys, so the same stable sort.
        order = {id(a): newest_first(a) for a in articles}
        dates = {id(a): story_date(a) for a in articles}
        for i, ent in enumerate(shown_list):
            ent.articles.sort(key=lambda a: order[id(a)])
            ent.aliases = sorted((a for a in aliases[ent] if a and a != ent.name), key=str.casefold)
            co = together.get(i, Counter())
            co.pop(i, None)
            ent.related = top_related(co, shown_list, own=len(ent.articles), total=len(articles), folded=folded)
            self.timeline_keys[ent] = timeline_key(ent, dates)
            # A feed only where it has entries: an entity with no dated story gets none (and no link).
            has_dated = any(not dates[id(a)][0] for a in ent.articles)
            ent.feed_url = feed_pattern.format(kind=ent.kind, slug=ent.slug) if feed_pattern and has_dated else ""
            by_kind[ent.kind].append(ent)
        for kind in by_kind:
            by_kind[kind].sort(key=lambda e: (-e.weight, -len(e.articles), e.name.casefold()))
        self.entities_by_kind = dict(by_kind)
        self.context["entities_by_kind"] = [
            (kind, ENTITY_LABELS[kind], by_kind[kind]) for kind in PAGE_KINDS if by_kind.get(kind)
        ]
        self.context["entity_type_labels"] = ENTITY_LABELS
        self.context["ENTITIES_AZ_URL"] = self.az_url()

    def write_entity(self, writer: Any, template: Any, ent: Entity, per_page: int | None, rel: bool) -> None:
        """An entity's pages (``paging``: numbered from its oldest story).  Its front page has
        all about it (count, chart, names seen with it, other spellings); a later page only
        its name, links and its own stories, so a story added to it changes its front page
        and the page the story is on, not every page of a long list.

        All of an entity's pages are one group for the skipping writer, keyed by the entity
        (its fields and the face of each name seen with it: all ``EntityHead`` and
        ``EntityFront`` are made of), its stories' list views, its sentences and chart, the
        page size and ``ENTITY_PAGE_ARGS`` (every argument the pages are given): when none
        of it changed, the pages are accounted for without being cut, digested one by one
        or having their chart drawn (10,000 entities are most of an unchanged rebuild)."""
        chart_key = self.timeline_keys.get(ent)
        said = self.sentences.get(ent, {})
        views = story_views(self.context, ent.articles)
        mentions = [said.get(id(a), "") for a in ent.articles]
        if not hasattr(writer, "replay_group"):
            self._write_entity_pages(writer, template, ent, chart_key, views, mentions, per_page, rel)
            return
        group = "entity:" + ent.save_as
        # The chart's key by its repr: plain strings and integers (TimelineKey), which repr
        # writes out exactly, in C; digested item by item, its (year, month) pairs were a
        # quarter of an unchanged rebuild's entity group keys.
        key = writer.group_key(template, self.context, ENTITY_PAGE_ARGS, (ent,),
                               (repr(chart_key), self.charts.months, views, mentions, per_page, rel))
        if writer.replay_group(group, key, self.context, rel):
            self.charts.carry(chart_key)
            return
        with writer.group(group, key):
            self._write_entity_pages(writer, template, ent, chart_key, views, mentions, per_page, rel)

    def _write_entity_pages(self, writer: Any, template: Any, ent: Entity, chart_key: TimelineKey | None,
                            views: list[Any], mentions: list[str], per_page: int | None, rel: bool) -> None:
        head = EntityHead(ent)
        flags = date_flags(ent.articles)
        sentence_of = {id(v): m for v, m in zip(views, mentions, strict=True)}
        for page in list_pages(views, per_page, ent.url, ent.save_as, self.settings):
            more = ({"entity": EntityFront(ent, self.links), "timeline": self.charts.draw(chart_key)}
                    if page.front else {})
            args = {
                "entity_head": head,
                "pager": page,
                "articles": page.object_list,
                "list_order": order_label(ent.articles, page.object_list, flags),
                "mentions": [sentence_of[id(v)] for v in page.object_list],
                "page_name": ent.url.rstrip("/") or ent.save_as.rsplit(".", 1)[0],
                **more,
            }
            writer.write_file(page.save_as, template, self.context, paginated={}, template_name="entity",
                              url=page.url, relative_urls=rel, **args)

    def az_url(self) -> str:
        return self.settings["ENTITIES_URL"].rstrip("/") + "/a-z/"

    def _changed_first(self) -> list[Entity]:
        """Every entity, those naming a story new or changed in this build first (its pages
        are the ones that change: a new story is on them seconds sooner), each part in the
        order of ``entities_by_kind``.  Each entity's pages are a function of the context
        alone, so the order they are written in does not show in them."""
        every = [ent for ents in self.entities_by_kind.values() for ent in ents]
        build = Build.of(self.settings)
        changed = build.changed_articles if build is not None else {}
        if not changed:
            return every
        first = [ent for ent in every if any(id(a) in changed for a in ent.articles)]
        chosen = {id(ent) for ent in first}
        return first + [ent for ent in every if id(ent) not in chosen]

    def generate_output(self, writer: Any) -> None:
        rel = self.settings["RELATIVE_URLS"]
        self.links: dict[int, tuple[Entity, EntityLink]] = {}  # each entity's chip, made once (EntityLink.of)
        template = self.get_template("entity")
        per_page = page_size(self.settings, "entity")
        for ent in self._changed_first():
            self.write_entity(writer, template, ent, per_page, rel)
            if ent.feed_url:
                from .feeds import write_atom

                write_atom(self.settings, ent.articles, ent.feed_url, ent.name, ent.url, newest_first=True)
        self.charts.save()
        limit = {kind: ents[:INDEX_TOP] for kind, ents in self.entities_by_kind.items()}
        writer.write_file(
            self.settings["ENTITIES_SAVE_AS"],
            self.get_template("entities"),
            self.context,
            template_name="entities",
            view="coverage",
            top_by_kind=[
                (k, ENTITY_LABELS[k], limit[k], len(self.entities_by_kind[k])) for k in PAGE_KINDS if k in limit
            ],
            url=self.settings["ENTITIES_URL"],
            relative_urls=rel,
        )
        # The A–Z view (a page per letter, paginated) is written by lists.ListsGenerator.
