"""Entity pages: a Pelican generator that indexes articles by entity once.

Pelican has no generic taxonomy, and its own tag pages scan every article per tag.
Here one pass over the articles builds ``{entity: [articles]}``; each entity page is
then written from its own list.  ``Entity`` is a ``URLWrapper``, so its URLs come
from the ``ENTITY_URL`` / ``ENTITY_SAVE_AS`` settings like Pelican's own tags.
"""

from __future__ import annotations

from collections import defaultdict
from operator import attrgetter
from typing import Any

from pelican.generators import Generator
from pelican.readers import ensure_metadata_list
from pelican.urlwrappers import URLWrapper

from . import settings as S
from .render import ENTITY_KEYS
from .story import ENTITY_TYPES

TYPE_LABELS = {"person": "People", "organisation": "Organisations", "place": "Places", "group": "Groups"}


class Entity(URLWrapper):
    """A canonical entity with its own page at ENTITY_URL (``{kind}`` and ``{slug}``)."""

    def __init__(self, name: str, kind: str, settings: dict[str, Any]) -> None:
        super().__init__(name, settings)
        self.kind = kind
        self.articles: list[Any] = []

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
        return TYPE_LABELS[self.kind]


def entity_names(article: Any, kind: str) -> list[str]:
    """Canonical names of one type listed in an article's metadata."""
    value = article.metadata.get(ENTITY_KEYS[kind].lower(), "")
    return ensure_metadata_list(value) if value else []


class EntityGenerator(Generator):
    """Builds ``context['entities']`` and writes one page per entity plus the index."""

    def generate_context(self) -> None:
        articles = self.context.get("articles", [])
        min_articles = int(S.get(self.settings, "NEWS_ARCHIVE_ENTITY_MIN_ARTICLES"))
        registry: dict[tuple[str, str], Entity] = {}
        by_name: dict[tuple[str, str], Entity] = {}
        for article in articles:
            for kind in ENTITY_TYPES:
                for name in entity_names(article, kind):
                    ent = Entity(name, kind, self.settings)
                    ent = registry.setdefault((kind, ent.slug), ent)
                    if not ent.articles or ent.articles[-1] is not article:
                        ent.articles.append(article)
                    by_name[(kind, name)] = ent
        by_kind: dict[str, list[Entity]] = defaultdict(list)
        for ent in registry.values():
            if len(ent.articles) >= min_articles:
                by_kind[ent.kind].append(ent)
        for kind in by_kind:
            by_kind[kind].sort(key=lambda e: (-len(e.articles), e.name.casefold()))
        shown = {id(e) for ents in by_kind.values() for e in ents}
        linked = {key: e for key, e in by_name.items() if id(e) in shown}
        for article in articles:
            groups = []
            for kind in ENTITY_TYPES:
                names = entity_names(article, kind)
                ents = list(dict.fromkeys(linked[(kind, n)] for n in names if (kind, n) in linked))
                if ents:
                    groups.append((kind, TYPE_LABELS[kind], ents))
            article.entity_groups = groups
        self.entities_by_kind = dict(by_kind)
        self.context["entities_by_kind"] = [
            (kind, TYPE_LABELS[kind], by_kind[kind]) for kind in ENTITY_TYPES if by_kind.get(kind)
        ]
        self.context["entity_type_labels"] = TYPE_LABELS

    def generate_output(self, writer: Any) -> None:
        order = attrgetter("date")
        for ents in self.entities_by_kind.values():
            for ent in ents:
                articles = sorted(ent.articles, key=order, reverse=True)
                writer.write_file(
                    ent.save_as,
                    self.get_template("entity"),
                    self.context,
                    entity=ent,
                    articles=articles,
                    dates=articles,
                    paginated={"articles": articles, "dates": articles},
                    template_name="entity",
                    url=ent.url,
                    relative_urls=self.settings["RELATIVE_URLS"],
                )
        writer.write_file(
            self.settings["ENTITIES_SAVE_AS"],
            self.get_template("entities"),
            self.context,
            template_name="entities",
            url=self.settings["ENTITIES_URL"],
            relative_urls=self.settings["RELATIVE_URLS"],
        )
