"""The Whoosh schema of an article, and how an article becomes a document.

Three kinds of field, each for one job:

* **text** fields (``headline``, ``dek``, ``body``, and the entity/tag/source/author
  text fields) are stemmed and accent-folded, so ``elections`` finds ``election``
  and ``Zurich`` finds ``Zürich``; ``headline`` carries the largest BM25F boost.
* **exact** fields (``f_person``, ``f_tag``, ``f_source``, …) hold each name as one
  untouched token: filters and facet counts need exact identity, not word matching.
* ``spell`` holds the unstemmed, folded words of the article: spelling suggestions
  must propose real words (``election``), never stems (``elect``).

Undated articles get no ``published`` and no ``year``; two sortable keys put them
last whether the reader sorts by newest or by oldest.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    StripFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from ..article_story import entity_names, listed, story_of
from ..render import page_paragraphs
from ..story import ENTITY_TYPES

# Bump whenever the schema or the analysis changes: the indexer then rebuilds from nothing.
SCHEMA_VERSION = "3"

# Facet/filter name → the exact field that holds its values.
EXACT_FIELDS = {
    "person": "f_person",
    "organisation": "f_organisation",
    "place": "f_place",
    "group": "f_group",
    "tag": "f_tag",
    "source": "f_source",
    "author": "f_author",
    "year": "f_year",
    "section": "f_section",
}
EXACT_NAMES = {field: name for name, field in EXACT_FIELDS.items()}
ENTITY_KINDS = ENTITY_TYPES  # person, organisation, place, group
# Joins the values of a multi-valued exact field; never appears in a name.
SEP = "\x1f"
# Sort keys that put undated articles last in both directions.
UNDATED_NEWEST = -1
UNDATED_OLDEST = 10**9


def text_analyzer() -> Any:
    """Words → folded, stop-filtered stems (what readers' words are matched as)."""
    return (RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)
            | StopFilter() | StemFilter())


def spell_analyzer() -> Any:
    """Words → folded words, unstemmed (what spelling suggestions are made of)."""
    return RegexTokenizer(r"[^\W\d_]{2,}") | LowercaseFilter() | CharsetFilter(accent_map)


def exact_analyzer() -> Any:
    """A SEP-joined list of names → one token per name, case and accents kept."""
    return RegexTokenizer(r"[^\x1f]+") | StripFilter()


def _exact() -> KEYWORD:
    field = KEYWORD(stored=False, scorable=False)
    field.analyzer = exact_analyzer()
    return field


def make_schema() -> Schema:
    ana = text_analyzer()
    fields: dict[str, Any] = {
        "url": ID(stored=True, unique=True),
        "content_hash": STORED,
        "headline": TEXT(stored=True, analyzer=ana, field_boost=4.0),
        "dek": TEXT(stored=True, analyzer=ana, field_boost=1.5),
        "body": TEXT(stored=True, analyzer=ana),
        "spell": TEXT(analyzer=spell_analyzer(), phrase=False, spelling=True),
        "tag": TEXT(analyzer=ana, field_boost=1.5),
        "source": TEXT(analyzer=ana),
        "author": TEXT(analyzer=ana),
        "published": DATETIME(stored=True),
        "year": NUMERIC(int, bits=32, stored=True, signed=False),
        "sort_newest": NUMERIC(int, bits=64, sortable=True),
        "sort_oldest": NUMERIC(int, bits=64, sortable=True),
        "facets": STORED,
    }
    for kind in ENTITY_KINDS:
        fields[kind] = TEXT(analyzer=ana, field_boost=1.5)
    for exact in EXACT_FIELDS.values():
        fields[exact] = _exact()
    return Schema(**fields)


def plain_text(content_html: str) -> str:
    """Article HTML → plain text (paragraphs kept apart)."""
    text = re.sub(r"</p>\s*", "\n\n", content_html)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def spell_text(headline: str, dek: str, body: str, facets: dict[str, list[str]]) -> str:
    """What the ``spell`` field indexes: the words of the text and of the tags and names.
    One function, because the words of a deleted document are counted again from its stored
    fields (:func:`stored_terms`)."""
    names = [*facets.get("tag", []), *(n for kind in ENTITY_KINDS for n in facets.get(kind, []))]
    return "\n".join((headline, dek, body, *names))


def stored_terms(stored: dict[str, Any], field: str) -> set[str]:
    """The terms a document holds in ``field`` (``body``, ``spell`` or an exact field), from
    its stored fields: what Whoosh still counts for a deleted document in its
    ``doc_frequency`` (deletions only mark documents until a merge removes them)."""
    facets = stored.get("facets") or {}
    if field == "spell":
        text = spell_text(stored.get("headline") or "", stored.get("dek") or "", stored.get("body") or "", facets)
        analyzer = spell_analyzer()
    elif field in EXACT_NAMES:
        text, analyzer = SEP.join(facets.get(EXACT_NAMES[field]) or []), exact_analyzer()
    else:
        text, analyzer = stored.get(field) or "", text_analyzer()
    return {token.text for token in analyzer(text)}


def make_document(*, url: str, headline: str, dek: str = "", body: str = "",
                  authors: list[str] | None = None, source: str = "",
                  entities: dict[str, list[str]] | None = None, tags: list[str] | None = None,
                  published: datetime | None = None, section: str = "") -> dict[str, Any]:
    """The fields indexed for one article, from plain values.

    ``published`` is None for an undated article: it then has no date fields at all
    (never a stand-in date), and sorts last.
    """
    authors = [a for a in (authors or []) if a.strip()]
    tags = [t for t in (tags or []) if t.strip()]
    entities = {k: [n for n in (entities or {}).get(k, []) if n.strip()] for k in ENTITY_KINDS}
    sources = [source] if source.strip() else []
    years = [str(published.year)] if published is not None else []
    facets: dict[str, list[str]] = {"source": sources, "author": authors, "tag": tags, "year": years,
                                    "section": [section.strip()] if section.strip() else [], **entities}
    doc: dict[str, Any] = {
        "url": url,
        "headline": headline,
        "dek": dek,
        "body": body,
        "spell": spell_text(headline, dek, body, facets),
        "tag": "\n".join(tags),
        "source": source,
        "author": "\n".join(authors),
        "facets": facets,
    }
    for kind in ENTITY_KINDS:
        doc[kind] = "\n".join(entities[kind])
    for name, field in EXACT_FIELDS.items():
        doc[field] = SEP.join(facets[name])
    if published is not None:
        date = published.replace(tzinfo=None)
        doc["published"] = date
        doc["year"] = date.year
        days = date.toordinal()
        doc["sort_newest"] = days
        doc["sort_oldest"] = days
    else:
        doc["sort_newest"] = UNDATED_NEWEST
        doc["sort_oldest"] = UNDATED_OLDEST
    return doc


def body_text(article: Any) -> str:
    """What is indexed of an article's body: its Story's paragraphs as the page shows them,
    else (a page without a Story) its HTML as plain text."""
    story = story_of(article)
    if story is not None:
        return "\n\n".join(page_paragraphs(story))
    return plain_text(article.content)


def article_document(article: Any) -> dict[str, Any]:
    """The fields indexed for one Pelican article."""
    undated = str(getattr(article, "undated", "false")).lower() == "true"
    return make_document(
        url="/" + article.url.lstrip("/"),
        headline=article.title,
        dek=getattr(article, "dek", "") or "",
        body=body_text(article),
        authors=listed(article, "authors"),  # never the AUTHOR setting's stand-in
        source=getattr(article, "source", "") or "",
        entities={kind: entity_names(article, kind) for kind in ENTITY_KINDS},
        tags=listed(article, "tags"),
        published=None if undated else article.date,
        section=str(article.metadata.get("section") or ""),
    )


# The generator's attribute holding :func:`article_documents`' result for this build.
DOCUMENTS = "_news_archive_documents"


def article_documents(generator: Any) -> dict[str, dict[str, Any]]:
    """url → :func:`article_document` of every article of an ArticlesGenerator, made once per
    build: the Whoosh index and the static index are fed the same documents, and making
    them (each story's page paragraphs, its spelling text) was done twice, ~1 s of a warm
    2,000-story build.  Kept on the generator, which lives for one build only; the indexer
    adds each document's ``content_hash``, by which the static index then knows an unchanged
    document (``static_index.inputs_key``)."""
    docs: dict[str, dict[str, Any]] | None = getattr(generator, DOCUMENTS, None)
    if docs is None:
        docs = {}
        for article in generator.articles:
            doc = article_document(article)
            docs[doc["url"]] = doc
        setattr(generator, DOCUMENTS, docs)
    return docs
