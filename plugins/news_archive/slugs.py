"""One slug function for every page: Pelican's ``slugify`` with our length bound.

Article slugs (``slug()``, used by the converter) and the slugs Pelican makes for
authors, tags, categories, entities and pages are the same function: Pelican's
``slugify`` under this site's ``SLUG_REGEX_SUBSTITUTIONS`` (and ``SLUGIFY_*`` options),
with the bound below as its last substitutions.  A story keeps the slug it was first
given whatever this function later says: the converter remembers slugs in
``state.json`` by the story's keys (``convert.assign_slugs``), so URLs written by an
earlier slug function (the converter had its own until issue 14: ``don-t-stop`` where
Pelican says ``dont-stop``) stay; only a story new to the archive is named by this one.

Why the bound:

Pelican names author, tag and category pages (and our entity pages, through
``URLWrapper``) after ``slugify(name)`` with no bound on its length: a scraped
``authors`` field holding a 560-character biography became
``author/<560 characters>/index.html`` and the whole build stopped on
``OSError: [Errno 36] File name too long``.  Pelican's own hook for shaping slugs is
its ``*_REGEX_SUBSTITUTIONS`` settings, which every ``URLWrapper`` and page slug goes
through; one last substitution cuts the slug to ``NEWS_ARCHIVE_MAX_SLUG_LENGTH``
characters at a hyphen.  Short slugs, and so existing URLs, are unchanged.  Two names
whose slugs agree on their first 80 characters share a page, as two names that
differ only in punctuation already do.
"""

from __future__ import annotations

from typing import Any

from . import settings as S

# What a story is called when its headline has no letter or digit a slug can keep.
FALLBACK = "story"

# File names are at most 255 bytes; a slug of Unicode letters (SLUGIFY_USE_UNICODE) may
# take 4 bytes a character, so then the bound is cut to what 255 bytes hold.
UNICODE_MOST = 60
# Pelican's URLWrapper classes and ours: each reads <KIND>_REGEX_SUBSTITUTIONS when set.
KINDS = ("AUTHOR", "TAG", "CATEGORY", "ENTITY")
# The generator attribute that holds this build's slugs of cached authors, tags and categories (rebind).
SLUGS_MADE = "_news_archive_slugs_made"


def bound_rules(limit: int) -> list[tuple[str, str]]:
    """Substitutions, run after Pelican's, that keep at most ``limit`` characters (cut at a hyphen)."""
    return [
        # Longer than the bound: cut at the last hyphen that fits, if that keeps half of it,
        (rf"(?s)\A(?=.{{{limit + 1}}})(.{{{limit // 2},{limit}}})-.*\Z", r"\1"),
        # else at the bound itself.
        (rf"(?s)\A(.{{{limit}}}).+\Z", r"\1"),
        (r"(?s)\A(.+?)-+\Z", r"\1"),  # never ending in a hyphen
    ]


def _limit(settings: dict[str, Any]) -> int:
    limit = int(S.get(settings, "NEWS_ARCHIVE_MAX_SLUG_LENGTH"))
    return min(limit, UNICODE_MOST) if settings.get("SLUGIFY_USE_UNICODE") else limit


def _bounded(subs: Any, rules: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``subs`` followed by the bound, once (the bound may already be there)."""
    kept = [tuple(s) for s in subs or []]
    return [s for s in kept if s not in rules] + rules


def bound_slugs(settings: dict[str, Any]) -> None:
    """Append the bound to every slug substitution list Pelican will read (idempotent)."""
    rules = bound_rules(_limit(settings))
    for kind in ("SLUG", *KINDS):
        key = f"{kind}_REGEX_SUBSTITUTIONS"
        if key not in settings and kind != "SLUG":
            continue  # Pelican falls back to SLUG_REGEX_SUBSTITUTIONS, which gets the bound
        settings[key] = _bounded(settings.get(key), rules)


def slug(text: str, settings: dict[str, Any] | None = None) -> str:
    """The slug of a headline (or any name), as Pelican would make it, bounded.

    ``settings`` are Pelican's (bound or not yet: the bound is applied once either way);
    without them, Pelican's defaults.  Never empty: a headline of only punctuation or
    markup is called ``story`` (the converter suffixes repeats).
    """
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    settings = settings or {}
    subs = settings.get("SLUG_REGEX_SUBSTITUTIONS", DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    made = slugify(text, regex_subs=_bounded(subs, bound_rules(_limit(settings))),
                   preserve_case=bool(settings.get("SLUGIFY_PRESERVE_CASE", False)),
                   use_unicode=bool(settings.get("SLUGIFY_USE_UNICODE", False)))
    return made.strip("-") or FALLBACK


def on_initialized(pelican: Any) -> None:
    bound_slugs(pelican.settings)


def rebind(generator: Any, metadata: dict[str, Any]) -> None:
    """Make the authors, tags and category of a page read this build's settings.

    Pelican's reader cache (``CONTENT_CACHING_LAYER = "reader"``) pickles each page's
    metadata with its ``Author``/``Tag``/``Category`` objects, and each holds the
    settings of the build that read it: a tree whose last build stopped on a
    560-character author page kept making that page from the cache, bound or not.
    """
    from pelican.urlwrappers import URLWrapper

    made: dict[tuple[type, str], str] = generator.__dict__.setdefault(SLUGS_MADE, {})
    for value in metadata.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, URLWrapper) and item.settings is not generator.settings:
                item.settings = generator.settings
                if item._slug_from_name:
                    item._slug = None  # made again from the name, under the current rules
                    # Once per name and kind in a build: each story's cached metadata has
                    # its own Tag and Author objects, and slugify (unidecode and a dozen
                    # regular expressions) ran ~10,000 times a 2,000-story build for
                    # ~1,800 names.  The slug is a function of the kind (its
                    # <KIND>_REGEX_SUBSTITUTIONS), the name and these settings.
                    key = (type(item), item.name)
                    known = made.get(key)
                    if known is None:
                        made[key] = item.slug
                    else:
                        item._slug = known
