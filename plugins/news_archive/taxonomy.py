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
from .ordering import newest_first
from .story import ENTITY_LABELS, ENTITY_TYPES

PAGE_KINDS = ("person", "organisation", "place")
RELATED_COUNT = 8  # entities shown as "most often mentioned with"
INDEX_TOP = 60  # entities per type on the index's "by coverage" view; the A–Z view lists all


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


def timeline_svg(entity: Entity) -> Markup:
    """Mentions over time as a small bar chart, drawn at build time (no scripts).

    Stories per month when the dated stories span at most three years, else per year;
    undated stories are counted in the caption, never placed on the time axis.
    """
    dated = [a.date for a in entity.articles if not is_undated(a)]
    undated = len(entity.articles) - len(dated)
    if not dated:
        return Markup("")
    first, last = min(dated), max(dated)
    monthly = (last.year - first.year) <= 3
    if monthly:
        periods = [(y, m) for y in range(first.year, last.year + 1) for m in range(1, 13)
                   if (y, m) >= (first.year, first.month) and (y, m) <= (last.year, last.month)]
        counts = Counter((d.year, d.month) for d in dated)
        label = [f"{calendar.month_abbr[m]} {y}" for y, m in periods]
    else:
        periods = [(y, 0) for y in range(first.year, last.year + 1)]
        counts = Counter((d.year, 0) for d in dated)
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
    desc = escape(f"Stories mentioning {entity.name} per {'month' if monthly else 'year'}: {caption}")
    return Markup(
        f'<figure class="timeline"><svg class="timeline-chart" role="img" aria-label="{desc}" '
        f'viewBox="0 0 {width} {height + 1}" width="{min(width, 600)}" height="{height + 1}" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
        f'<figcaption class="meta">{escape(caption)}</figcaption></figure>'
    )


def top_related(
    co: Counter[int], entities: list[Entity], own: int = 0, total: int = 0
) -> list[tuple[Entity, int]]:
    """The RELATED_COUNT entities most distinctively mentioned with one, ties by name.

    Raw counts give every entity the archive's commonest names ("Iraq": Tony Blair,
    Labour, the Conservatives — they are in most political stories).  With ``own`` (the
    entity's story count) and ``total`` (the archive's), the entities seen with it in at
    least :func:`related_min` stories are ranked by normalised pointwise mutual information
    (:func:`_npmi`): how much likelier they are with it than in the archive at large; the
    minimum count keeps a name seen once with it from leading.
    Slots left are filled by raw count.  Without them: by raw count only.  The count shown
    is the number of stories together either way.

    "United States" co-occurs with thousands of entities: by raw count only those whose
    count reaches the RELATED_COUNT-th largest can be in the list, so only they are sorted."""
    items = list(co.items())
    picked: list[tuple[Entity, int]] = []
    if own and total:
        least = related_min(total)
        scored = sorted(
            (-_npmi(n, own, len(entities[j].articles), total), entities[j].name.casefold(), j, n)
            for j, n in items if n >= least and entities[j].articles
        )
        picked = [(entities[j], n) for _, _, j, n in scored[:RELATED_COUNT]]
        if len(picked) == RELATED_COUNT:
            return picked
        chosen = {j for _, _, j, _ in scored[:RELATED_COUNT]}
        items = [(j, n) for j, n in items if j not in chosen]
    want = RELATED_COUNT - len(picked)
    if len(items) > want:
        cutoff = heapq.nlargest(want, (n for _, n in items))[-1]
        items = [(j, n) for j, n in items if n >= cutoff]
    ranked = sorted(((entities[j], n) for j, n in items), key=lambda x: (-x[1], x[0].name.casefold()))
    return picked + ranked[:want]


def _npmi(together: int, own: int, theirs: int, total: int) -> float:
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
        self.sentences: dict[Entity, dict[str, str]] = defaultdict(dict)
        # Kept beside the entities, not on them: a page shows only its own entity's chart, and
        # an entity's fields are part of the inputs of every page that links it (see speedups).
        self.timelines: dict[Entity, Markup] = {}
        for article in articles:  # the one pass over the archive
            story = story_of(article)  # its details are on its Story; a page without one: the file's
            info = (story_details(story) if story is not None
                    else details.get(article.metadata.get("content_hash", ""), {}))
            found = []
            url = ""  # article.url is formatted anew on each access: once per article, when needed
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
                        url = url or article.url
                        self.sentences[ent][url] = sentence
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
        by_kind: dict[str, list[Entity]] = defaultdict(list)
        for i, ent in enumerate(shown_list):
            ent.articles.sort(key=newest_first)
            ent.aliases = sorted((a for a in aliases[ent] if a and a != ent.name), key=str.casefold)
            co = together.get(i, Counter())
            co.pop(i, None)
            ent.related = top_related(co, shown_list, own=len(ent.articles), total=len(articles))
            self.timelines[ent] = timeline_svg(ent)
            # A feed only where it has entries: an entity with no dated story gets none (and no link).
            has_dated = any(not is_undated(a) for a in ent.articles)
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

    def az_url(self) -> str:
        return self.settings["ENTITIES_URL"].rstrip("/") + "/a-z/"

    def generate_output(self, writer: Any) -> None:
        rel = self.settings["RELATIVE_URLS"]
        template = self.get_template("entity")
        for ents in self.entities_by_kind.values():
            for ent in ents:
                writer.write_file(
                    ent.save_as,
                    template,
                    self.context,
                    entity=ent,
                    articles=ent.articles,
                    dates=ent.articles,
                    mentions=self.sentences.get(ent, {}),
                    timeline=self.timelines.get(ent, Markup("")),
                    paginated={"articles": ent.articles, "dates": ent.articles},
                    template_name="entity",
                    url=ent.url,
                    page_name=ent.url.rstrip("/") or ent.save_as.rsplit(".", 1)[0],
                    relative_urls=rel,
                )
                if ent.feed_url:
                    from .feeds import write_atom

                    write_atom(self.settings, ent.articles, ent.feed_url, ent.name, ent.url)
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
