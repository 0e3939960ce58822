"""Pelican-level performance: no per-term scans of the whole archive, and a timing log.

Pelican's ``ArticlesGenerator`` builds the ``dates`` list of every tag, category and
author page as ``[a for a in self.dates if a in articles]``: a list-membership test
per article per term, O(articles × articles-per-term) for each term, so the build
time grows with the square of the archive (20,000 articles × 8 tags each is over
three billion comparisons).  Its period archives do the same per year/month/day.
Here each generator instance gets replacements that order a term's own list by
each article's position in ``dates`` (one dictionary built once): O(articles) in
all.  The replacements write exactly the pages Pelican would, with the same lists
in the same order (tests/test_speedups.py checks this against Pelican's own code).

Only generators of a Pelican run that loads this plugin are changed (the methods
are bound on the instance at ``article_generator_init``), never Pelican's class.

Pelican's content cache goes under the work directory (``<work>/pelican-cache``)
unless ``CACHE_PATH`` is set to something other than Pelican's default.

Pelican never deletes an output page whose article is gone (it only ever adds and
rewrites), so a removed dump would keep its page, and links to it, forever.  The
list of pages each build wrote is kept in ``<work>/written-pages.txt``; pages the
previous build wrote and this one did not are deleted at the end (only those: files
anybody else put in the output folder are never touched).

The timing log, ``<work>/build-timings.json``, splits one build into its phases
(convert, Pelican read, other contexts, search index, writing by template) from
signal timestamps; ``bench/build.py`` reads it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections import Counter, defaultdict
from itertools import groupby
from operator import attrgetter
from typing import Any

from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from . import settings as S
from .fileio import read_json, remove_stale, write_atomic, write_if_changed, write_json

log = logging.getLogger(__name__)

TIMINGS_FILE = "build-timings.json"
WRITTEN_FILE = "written-pages.txt"
PELICAN_DEFAULT_CACHE_PATH = "cache"


# --- O(articles) taxonomy pages -------------------------------------------------------


def _in_dates_order(dates: list[Any], position: dict[int, int], articles: list[Any]) -> list[Any]:
    """``[a for a in dates if a in articles]`` without the scan: sort by position."""
    return sorted(articles, key=lambda a: position[id(a)])


def _positions(generator: ArticlesGenerator) -> dict[int, int]:
    return {id(a): i for i, a in enumerate(generator.dates)}


def _write_terms(generator: ArticlesGenerator, write: Any, kind: str, terms: Any) -> None:
    """Write one page per tag/category/author from its own article list.

    ``kind`` is the template name and the context key Pelican uses ("tag",
    "category", "author"); the error handling matches Pelican's.
    """
    template = generator.get_template(kind)
    position = _positions(generator)
    for term, articles in terms:
        dates = _in_dates_order(generator.dates, position, articles)
        try:
            write(
                term.save_as,
                template,
                generator.context,
                url=term.url,
                articles=articles,
                dates=dates,
                template_name=kind,
                blog=True,
                page_name=term.page_name,
                all_articles=generator.articles,
                **{kind: term},
            )
        except FileOverwriteFailedError:
            if not term.slug:
                log.info('%s "%s" has an invalid slug; skipping its page', kind.title(), term)
                continue
            log.error('Failed to write %s page for "%s".', kind.title(), term)
            raise


def generate_tags(self: ArticlesGenerator, write: Any) -> None:
    """Tag pages, each built from its own list (Pelican's scans every article per tag)."""
    _write_terms(self, write, "tag", self.tags.items())


def generate_categories(self: ArticlesGenerator, write: Any) -> None:
    """Category pages, each built from its own list."""
    _write_terms(self, write, "category", self.categories)


def generate_authors(self: ArticlesGenerator, write: Any) -> None:
    """Author pages, each built from its own list."""
    _write_terms(self, write, "author", self.authors)


def build_period_archives(
    self: ArticlesGenerator, sorted_articles: list[Any], articles: list[Any], settings: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Year/month/day archives in one pass per granularity.

    Pelican's version filters the whole archive once per period
    (``[a for a in articles if a in dates]``); here each period's ``articles`` list
    (the periods' articles in ``articles`` order) comes from grouping once.
    """
    import calendar

    period_archives: dict[str, list[dict[str, Any]]] = defaultdict(list)
    key_funcs = {
        "year": attrgetter("date.year"),
        "month": attrgetter("date.year", "date.month"),
        "day": attrgetter("date.year", "date.month", "date.day"),
    }
    for granularity, key_func in key_funcs.items():
        save_as_fmt = settings[f"{granularity.upper()}_ARCHIVE_SAVE_AS"]
        url_fmt = settings[f"{granularity.upper()}_ARCHIVE_URL"]
        if not save_as_fmt:
            continue
        # Articles of each period in `articles` order, keyed by the period of each one.
        # groupby below splits runs of `sorted_articles`; a period can only form more than
        # one run if sorted_articles is not sorted by date, exactly as in Pelican.
        in_order: dict[Any, list[Any]] = defaultdict(list)
        for article in articles:
            in_order[key_func(article)].append(article)
        for period, group in groupby(sorted_articles, key=key_func):
            dates = list(group)
            ids = {id(a) for a in dates}
            own = in_order[period]
            archive: dict[str, Any] = {
                "dates": dates,
                "articles": own if len(own) == len(dates) else [a for a in own if id(a) in ids],
            }
            first = dates[0].date
            archive["save_as"] = save_as_fmt.format(date=first)
            archive["url"] = url_fmt.format(date=first)
            if granularity == "year":
                archive["period"] = (period,)
                archive["period_num"] = (period,)
            else:
                month_name = calendar.month_name[period[1]]
                if granularity == "month":
                    archive["period"] = (period[0], month_name)
                else:
                    archive["period"] = (period[0], month_name, period[2])
                archive["period_num"] = tuple(period)
            period_archives[granularity].append(archive)
    return period_archives


def install(generator: Any) -> None:
    """Bind the O(articles) taxonomy methods on this ArticlesGenerator instance."""
    if not isinstance(generator, ArticlesGenerator):
        return
    generator.generate_tags = generate_tags.__get__(generator)  # type: ignore[method-assign]
    generator.generate_categories = generate_categories.__get__(generator)  # type: ignore[method-assign]
    generator.generate_authors = generate_authors.__get__(generator)  # type: ignore[method-assign]
    generator._build_period_archives = build_period_archives.__get__(generator)  # type: ignore[method-assign]


# --- skip rendering pages whose inputs have not changed -------------------------------


class Fingerprints:
    """Digests of what a template can see, computed once per object per build.

    A page's output is a function of its template (and the templates it includes), the
    settings, the plugin's code, and the context variables the template names.  Those
    variables hold articles, tags, entities and lists of them, which point at each other
    (an article at its entities, an entity at its articles), so a digest follows
    references one level: a page's subject counts by its own fields plus the own scalar
    fields (``face``) of every article, tag or entity it points at (its entities' names
    and links), and a list by each item's ``summary``, which is what pages show of them.
    Objects are memoised by identity, and kept alive by the memo so an id is never
    reused within a build: each article is digested once, not once per page it is on.
    """

    EXCLUDED = frozenset({"settings", "_context", "_Content__context"})

    def __init__(self) -> None:
        self._shallow: dict[int, tuple[Any, bytes, list[Any]]] = {}
        self._deep: dict[int, tuple[Any, bytes]] = {}
        self._values: dict[int, tuple[Any, bytes]] = {}
        self._open: set[int] = set()
        self._summaries: dict[int, tuple[Any, bytes]] = {}
        self._faces: dict[int, tuple[Any, bytes]] = {}
        self._node_kinds: set[type] = set()  # classes whose instances are nodes (Article, Tag, Entity…)
        self._plain_kinds: set[type] = set()
        self._summary_hexes: dict[int, str] = {}  # nodes are kept alive by _summaries
        self._tokens: dict[int, tuple[Any, str]] = {}

    @classmethod
    def fields(cls, node: Any) -> dict[str, Any]:
        """A node's own attributes, less settings and context; a tag's or entity's slug by value
        (it is computed on first use: its value, not whether it was asked for yet)."""
        fields = {k: v for k, v in vars(node).items() if k not in cls.EXCLUDED and k != "_slug"}
        if isinstance(node, URLWrapper):
            fields["_slug"] = node.slug
        return fields

    def _is_node_kind(self, kind: type) -> bool:
        """Whether instances of a class are nodes (answered once per class)."""
        if kind in self._node_kinds:
            return True
        if kind in self._plain_kinds:
            return False
        node = issubclass(kind, (Content, URLWrapper))
        (self._node_kinds if node else self._plain_kinds).add(kind)
        return node

    @staticmethod
    def is_node(obj: Any) -> bool:
        return isinstance(obj, (Content, URLWrapper))

    @staticmethod
    def token(obj: Any) -> str:
        """Identity only (what it is, not what it says): the source file of a page, the
        kind, name and slug of a tag, author or entity.  Never ``url``: Pelican computes
        it anew from the settings on every access, which would cost more than the page."""
        if isinstance(obj, Content):
            return f"C:{obj.source_path}"
        return f"W:{type(obj).__name__}:{obj._name}"

    def _encode(self, obj: Any, out: list[str], nodes: list[Any] | None, depth: int = 0,
                by_digest: bool = False) -> None:
        """Append a stable text form of ``obj``; other nodes become tokens (and are collected).

        With ``by_digest`` (template variables), a large container or plain object met
        inside another stands for its memoised digest: each page of a paginated list has
        its own ``articles_page`` pointing at the one paginator and its whole list, which
        must be digested once per list, not once per page (that is quadratic: 600 pages
        of the home page × 12,000 stories).
        """
        kind = type(obj)  # the common leaves first, by exact type: this runs millions of times
        if kind is str:
            out.append(f"s{len(obj)}:")
            out.append(obj)
            return
        if obj is None or kind is int or kind is bool or kind is float:
            out.append(repr(obj))
            return
        if kind in self._node_kinds or self._is_node_kind(kind):
            hit = self._tokens.get(id(obj))
            if hit is None:
                hit = self._tokens[id(obj)] = (obj, self.token(obj))
            out.append(hit[1])
            if nodes is not None:
                nodes.append(obj)
            return
        if by_digest and depth and (
            (isinstance(obj, (list, tuple, dict, set, frozenset)) and len(obj) > 16)
            or (hasattr(obj, "__dict__") and not callable(obj)  # nodes never get here: caught above
                and not isinstance(obj, type) and type(obj).__name__ != "module" and not hasattr(obj, "isoformat"))
        ):
            if id(obj) in self._open:  # a cycle through plain objects: name it, do not follow it
                out.append(type(obj).__name__)
            else:
                out.append(self.value(obj).hex())
            return
        if obj is None or isinstance(obj, (bool, int, float)):
            out.append(repr(obj))
        elif isinstance(obj, str):  # Markup too
            out.append(f"s{len(obj)}:")
            out.append(obj)
        elif isinstance(obj, dict):
            out.append("{")
            for key in sorted(obj, key=repr):
                if key in self.EXCLUDED:
                    continue
                out.append(repr(key))
                self._encode(obj[key], out, nodes, depth + 1, by_digest)
            out.append("}")
        elif isinstance(obj, (list, tuple)):
            out.append(f"[{len(obj)}")
            for item in obj:
                self._encode(item, out, nodes, depth + 1, by_digest)
            out.append("]")
        elif isinstance(obj, (set, frozenset)):
            parts = []
            for item in obj:
                sub: list[str] = []
                self._encode(item, sub, nodes, depth + 1, by_digest)
                parts.append("".join(sub))
            out.append("{" + "|".join(sorted(parts)) + "}")
        elif hasattr(obj, "isoformat"):
            out.append(obj.isoformat())
        elif callable(obj) or isinstance(obj, type) or type(obj).__name__ == "module":
            out.append(getattr(obj, "__qualname__", getattr(obj, "__name__", type(obj).__name__)))
        elif hasattr(obj, "__dict__") and depth < 8:
            out.append(type(obj).__name__)
            self._encode(vars(obj), out, nodes, depth + 1, by_digest)
        else:
            out.append(re.sub(r" at 0x[0-9a-f]+", "", repr(obj)))

    @staticmethod
    def _digest(parts: list[str]) -> bytes:
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def shallow(self, node: Any) -> bytes:
        """A node's own fields; the nodes it points at only by identity."""
        return self._own(node)[1]

    def neighbours(self, node: Any) -> list[Any]:
        """The nodes a node's fields point at, as they were when it was first digested."""
        return self._own(node)[2]

    def _own(self, node: Any) -> tuple[Any, bytes, list[Any]]:
        """Digested once per build, at first sight, and never again (see ``prime``)."""
        hit = self._shallow.get(id(node))
        if hit is not None:
            return hit
        out: list[str] = [self.token(node)]
        nodes: list[Any] = []
        fields = self.fields(node)
        self._encode(fields, out, nodes)
        entry = (node, self._digest(out), nodes)
        self._shallow[id(node)] = entry
        return entry

    def summary(self, node: Any) -> bytes:
        """What a list shows of a node: its own scalar fields (title, dek, date, source, name),
        the identities of the nodes it points at directly (its tags, an entity's stories:
        names and counts), and only the length of anything nested deeper (its related
        stories, its entity groups).  So a story whose related list changed re-renders its
        own page, not every tag and entity page that lists it."""
        hit = self._summaries.get(id(node))
        if hit is not None:
            return hit[1]
        out: list[str] = [self.token(node)]
        fields = self.fields(node)
        for key in sorted(fields):
            out.append(key)
            self._summarise(fields[key], out, 0)
        digest = self._digest(out)
        self._summaries[id(node)] = (node, digest)
        return digest

    def _summary_hex(self, node: Any) -> str:
        """``summary(node).hex()``, kept: a story is on dozens of lists."""
        hit = self._summary_hexes.get(id(node))
        if hit is None:
            hit = self._summary_hexes[id(node)] = self.summary(node).hex()
        return hit

    def _summarise(self, obj: Any, out: list[str], level: int) -> None:
        flat = (str, int, float, bool, type(None))
        if isinstance(obj, flat) or hasattr(obj, "isoformat") or self.is_node(obj):
            self._encode(obj, out, None)
        elif isinstance(obj, (list, tuple, set, frozenset)) and all(
            isinstance(x, flat) or self.is_node(x) for x in obj
        ):
            self._encode(obj, out, None)
        elif isinstance(obj, dict) and level == 0:
            out.append("{")
            for key in sorted(obj, key=repr):
                if key not in self.EXCLUDED:
                    out.append(repr(key))
                    self._summarise(obj[key], out, level + 1)
            out.append("}")
        elif isinstance(obj, (list, tuple, dict, set, frozenset)):
            out.append(f"#{len(obj)}")
        else:
            out.append(type(obj).__name__)

    def face(self, node: Any) -> bytes:
        """What a page shows of a node its subject points at: its own scalar fields (an
        entity chip's name, kind and link; a related entity's name), never the members of
        its lists.  So adding a story to "United States" re-renders the United States page
        and the pages that list that story, not every story page with a "United States"
        chip.  (Counts a page shows are its subject's own, or come from a list variable,
        which ``value`` digests item by item.)"""
        hit = self._faces.get(id(node))
        if hit is not None:
            return hit[1]
        out: list[str] = [self.token(node)]
        fields = self.fields(node)
        flat = (str, int, float, bool, type(None))
        for key in sorted(fields):
            value = fields[key]
            if isinstance(value, flat) or hasattr(value, "isoformat") or self.is_node(value):
                out.append(key)
                self._encode(value, out, None)
            elif isinstance(value, dict):  # Pelican's metadata: its scalar entries
                for sub in sorted(value, key=repr):
                    item = value[sub]
                    if isinstance(item, flat) or hasattr(item, "isoformat"):
                        out.append(f"{key}.{sub}")
                        self._encode(item, out, None)
        digest = self._digest(out)
        self._faces[id(node)] = (node, digest)
        return digest

    def deep(self, node: Any) -> bytes:
        """A node's own fields plus the face (own scalar fields) of every node it points at."""
        hit = self._deep.get(id(node))
        if hit is not None:
            return hit[1]
        parts = [self.shallow(node).hex()]
        parts += [self.face(n).hex() for n in self.neighbours(node)]
        digest = self._digest(parts)
        self._deep[id(node)] = (node, digest)
        return digest

    def value(self, obj: Any, depth: int = 0) -> bytes:
        """A template variable.  The page's own subject (``article``, ``tag``, ``entity``) goes
        deep: its fields and its neighbours' faces (an article page shows its entities'
        names and links).  Lists and plain objects (``articles``,
        ``articles_page``) are opened, and each node in them counts by its ``summary``:
        a list item shows its title, dek, date and source, and names of its tags, not
        the lists of its neighbours.  (So adding one story to "United States" does not
        re-render every page that lists any story mentioning the United States.)"""
        if isinstance(obj, str):  # most template variables are settings: no list, no recursion
            return hashlib.blake2b(obj.encode("utf-8", "surrogatepass"), digest_size=16, person=b"s").digest()
        if self.is_node(obj):
            return self.deep(obj)
        if isinstance(obj, (list, tuple, dict, set, frozenset)) or (
            hasattr(obj, "__dict__") and not callable(obj) and depth < 8
        ):
            hit = self._values.get(id(obj))
            if hit is not None:
                return hit[1]
            if type(obj) is list and obj and all(self._is_node_kind(type(x)) for x in obj):
                # A list of stories (or tags, entities): by far the commonest variable, and
                # each item's summary already names it, so no separate token per item.
                parts = [f"L{len(obj)}"] + [self._summary_hex(n) for n in obj]
                digest = self._digest(parts)
                self._values[id(obj)] = (obj, digest)
                return digest
            out: list[str] = []
            nodes: list[Any] = []
            self._open.add(id(obj))
            try:
                self._encode(obj, out, nodes, 0, by_digest=True)
            finally:
                self._open.discard(id(obj))
            out += [self._summary_hex(n) for n in nodes]
            digest = self._digest(out)
            self._values[id(obj)] = (obj, digest)
            return digest
        out = []
        self._encode(obj, out, None)
        return self._digest(out)


    def prime(self, context: dict[str, Any]) -> None:
        """Digest everything the shared context reaches, before the first page is rendered.

        Rendering changes objects as a side effect (properties that cache what they
        computed, plugins that annotate during writing), and a build that skips pages
        skips those changes too.  Digests taken before any rendering see the same state
        in every build, so an unchanged page gets the same digest whether or not the
        pages written before it were rendered.
        """
        for key, value in context.items():
            if not key.isupper():
                self.value(value)
        for node, _digest in list(self._summaries.values()):  # every node in a list the context holds
            self.deep(node)  # and everything one step from each of them
        for node, _digest, _nodes in list(self._shallow.values()):
            self.summary(node)
            self.face(node)


def template_variables(env: Any, name: str, seen: set[str] | None = None) -> set[str] | None:
    """Context names a template and everything it extends or includes can read.

    None when a template is chosen at render time (``{% include some_variable %}``):
    then nobody can say which variables matter, and the page is always rendered.
    """
    from jinja2 import meta

    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    source = env.loader.get_source(env, name)[0]
    ast = env.parse(source)
    names = set(meta.find_undeclared_variables(ast))
    for ref in meta.find_referenced_templates(ast):
        if ref is None:
            return None
        more = template_variables(env, ref, seen)
        if more is None:
            return None
        names |= more
    return names


def code_and_theme_digest(settings: dict[str, Any]) -> str:
    """Everything outside the context that shapes every page: theme, plugin code, settings."""
    import pelican

    h = hashlib.blake2b(digest_size=16)
    h.update(f"pelican {pelican.__version__}".encode())
    roots = [os.path.dirname(os.path.abspath(__file__)), str(settings.get("THEME", ""))]
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                h.update(path.encode("utf-8", "surrogateescape"))
                with open(path, "rb") as fh:
                    h.update(fh.read())
    out: list[str] = []
    Fingerprints()._encode(settings, out, None)
    h.update("\x1f".join(out).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class RenderMemo:
    """Which page files were rendered from which inputs, kept in ``<work>/render-memo.json``."""

    FILE = "render-memo.json"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.path = os.path.join(S.work_dir(settings), self.FILE)
        self.global_digest = code_and_theme_digest(settings)
        self.fingerprints = Fingerprints()
        self.variables: dict[str, set[str] | None] = {}
        self.before: dict[str, str] = {}
        self.now: dict[str, str] = {}
        self.skipped = 0
        self.seconds = 0.0  # spent on digests: what deciding to skip costs
        data = read_json(self.path)
        if isinstance(data, dict) and data.get("global") == self.global_digest and isinstance(data.get("pages"), dict):
            self.before = data["pages"]

    def page_digest(self, template: Any, context: dict[str, Any]) -> str | None:
        started = time.perf_counter()
        try:
            return self._page_digest(template, context)
        finally:
            self.seconds += time.perf_counter() - started

    def _page_digest(self, template: Any, context: dict[str, Any]) -> str | None:
        name = template.name
        if name not in self.variables:
            try:
                self.variables[name] = template_variables(template.environment, name)
            except Exception:  # a template we cannot parse is simply always rendered
                self.variables[name] = None
        names = self.variables[name]
        if names is None:
            return None
        h = hashlib.blake2b(digest_size=16)
        h.update(name.encode())
        for key in sorted(names):
            if key in context:
                h.update(key.encode())
                h.update(self.fingerprints.value(context[key]))
        return h.hexdigest()

    def save(self) -> None:
        write_json(self.path, {"global": self.global_digest, "pages": self.now})


class _MemoTemplate:
    """Stands in for a Jinja template: renders only when the page's inputs changed."""

    def __init__(self, template: Any, writer: SkippingWriter) -> None:
        self._template = template
        self._writer = writer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._template, name)

    def render(self, context: dict[str, Any]) -> str:
        writer, memo = self._writer, self._writer.memo
        name = context.get("output_file", "")
        digest = memo.page_digest(self._template, context) if name else None
        if digest is not None:
            memo.now[name] = digest
            path = sanitised_join(writer.output_path, name)
            if memo.before.get(name) == digest and os.path.isfile(path):
                writer.unchanged.add(path)
                memo.skipped += 1
                return ""
        return self._template.render(context)


class AtomicWriter(Writer):
    """Pelican's writer, except that each page is written beside its file and renamed over
    it (never truncated in place: the web server or a reader of ``output/`` never sees half
    a page, and a build killed mid-write leaves the old page), and only if its bytes
    changed (reading and comparing costs a fraction of rewriting, and an identical page
    keeps its modification time)."""

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        """Pelican's bookkeeping (one write per path unless overridden, as in Pelican 4.12),
        then :meth:`_open_page`."""
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time '
                                               "(was previously overwritten)")
            log.info('Skipping "%s", not overwriting', filename)
            self._skipped(filename)
            return _Discard()
        if filename in self._written_files:
            if not override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" as Pelican has already '
                                               "written to it previously (set `override=True` if intended)")
            log.info('Overwriting "%s"', filename)
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return self._open_page(filename, encoding)

    def _skipped(self, filename: str) -> None:
        """A write Pelican's rules skip (overridden before)."""

    def _open_page(self, filename: str, encoding: str) -> Any:
        return _WriteIfChanged(filename, encoding)


class SkippingWriter(AtomicWriter):
    """The atomic writer, except that a page whose inputs are unchanged is neither rendered
    nor rewritten: its file (and its modification time) stay as the last build left them.

    Pelican still walks every page (pagination, duplicate-path checks, the
    ``content_written`` signal the sitemap listens to); only ``render`` and the write
    are skipped.  On this project's build machine truncating and rewriting 20,000
    existing files was most of a rebuild (a cold build, writing new files, rendered 7×
    faster).  Anything unrecognised (a changed theme, plugin code or setting) empties
    the memo, and every page is rendered again.
    """

    def __init__(self, output_path: str, settings: dict[str, Any] | None = None) -> None:
        super().__init__(output_path, settings=settings)
        self.memo = RenderMemo(self.settings)
        self.unchanged: set[str] = set()
        self.primed = False
        global MEMO
        MEMO = self.memo

    def write_file(self, name: Any, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        if not self.primed:
            started = time.perf_counter()
            self.memo.fingerprints.prime(context)
            self.memo.seconds += time.perf_counter() - started
            self.primed = True
        return super().write_file(name, _MemoTemplate(template, self), context, *args, **kwargs)

    def _skipped(self, filename: str) -> None:
        self.unchanged.discard(filename)

    def _open_page(self, filename: str, encoding: str) -> Any:
        """Nothing at all for an unchanged page, else the atomic compare-and-write."""
        if filename in self.unchanged:
            self.unchanged.discard(filename)
            return _Discard()
        return _WriteIfChanged(filename, encoding)


class _WriteIfChanged:
    """Collects a page and, on close, writes it beside the file and renames it over, unless the
    file already holds it (``fileio.write_if_changed``)."""

    def __init__(self, path: str, encoding: str) -> None:
        self.path = path
        self.encoding = encoding
        self.parts: list[str] = []

    def __enter__(self) -> _WriteIfChanged:
        return self

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            return
        write_if_changed(self.path, "".join(self.parts).encode(self.encoding))


class _Discard:
    """What an unchanged page is "written" to: nothing (not even /dev/null, opened 10,000 times)."""

    def __enter__(self) -> _Discard:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, text: str) -> int:
        return len(text)


MEMO: RenderMemo | None = None


# --- content cache location ------------------------------------------------------------


def place_cache(pelican: Any) -> None:
    """Keep Pelican's content cache with our other caches, in the work directory."""
    settings = pelican.settings
    if settings.get("CACHE_PATH") in (PELICAN_DEFAULT_CACHE_PATH, None):
        settings["CACHE_PATH"] = os.path.join(S.work_dir(settings), "pelican-cache")


# --- timing log ------------------------------------------------------------------------


class Timings:
    """Signal timestamps of one build, and where the writing time went by template."""

    def __init__(self) -> None:
        self.marks: dict[str, float] = {}
        self.write_seconds: dict[str, float] = defaultdict(float)
        self.pages: Counter[str] = Counter()
        self.last = 0.0
        self.paths: set[str] = set()
        self.skipped = 0
        self.digest_seconds = 0.0

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks.setdefault(name, now)
        self.last = now

    def written(self, context: dict[str, Any]) -> None:
        now = time.perf_counter()
        # Pelican does not pass the template name on; the first folder of the page says it.
        name = str(context.get("output_file", ""))
        kind = "article" if "article" in context else (name.split("/", 1)[0] if "/" in name else name)
        self.write_seconds[kind] += now - self.last
        self.pages[kind] += 1
        self.last = now

    def phases(self) -> dict[str, float]:
        m = self.marks
        spans = {
            "convert": ("initialized", "article_generator_init"),
            "pelican_read": ("article_generator_init", "article_generator_finalized"),
            "other_contexts": ("article_generator_finalized", "all_generators_finalized"),
            "search_index": ("all_generators_finalized", "get_writer"),
            "render_write": ("get_writer", "finalized"),
            "plugin_total": ("initialized", "finalized"),
        }
        return {k: round(m[b] - m[a], 3) for k, (a, b) in spans.items() if a in m and b in m}

    def to_json(self) -> dict[str, Any]:
        return {
            "phases": self.phases(),
            "render_write_by_template": {k: round(v, 3) for k, v in sorted(self.write_seconds.items())},
            "pages_by_template": dict(sorted(self.pages.items())),
            "pages_not_rerendered": self.skipped,
            "page_digest_seconds": round(self.digest_seconds, 3),
        }


TIMINGS = Timings()


def on_initialized(pelican: Any) -> None:
    global TIMINGS
    TIMINGS = Timings()
    TIMINGS.mark("initialized")
    place_cache(pelican)


def on_article_generator_init(generator: Any) -> None:
    TIMINGS.mark("article_generator_init")
    install(generator)


def on_article_generator_finalized(generator: Any) -> None:
    TIMINGS.mark("article_generator_finalized")


def on_all_generators_finalized(generators: list[Any]) -> None:
    TIMINGS.mark("all_generators_finalized")


def on_get_writer(pelican: Any) -> type[Writer]:
    """The writer that skips unchanged pages (NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES), else one
    that still writes every page atomically."""
    TIMINGS.mark("get_writer")
    if S.get(pelican.settings, "NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES"):
        return SkippingWriter
    return AtomicWriter


def on_content_written(path: str, context: dict[str, Any] | None = None) -> None:
    TIMINGS.written(context or {})
    TIMINGS.paths.add(os.path.abspath(path))


def prune_stale(output: str, work: str, written: set[str]) -> list[str]:
    """Delete pages the previous build wrote and this one did not; returns them.

    Paths are kept relative to the output folder, so moving the site does not
    delete anything; a path outside it is never touched.
    """
    output = os.path.abspath(output)
    record = os.path.join(work, WRITTEN_FILE)
    now = sorted(os.path.relpath(p, output) for p in written if p.startswith(output + os.sep))
    try:
        with open(record, encoding="utf-8") as fh:
            before = [line.rstrip("\n") for line in fh if line.strip()]
    except OSError:
        before = []
    removed = remove_stale(output, before, set(now))
    write_atomic(record, "".join(f"{rel}\n" for rel in now))
    if removed:
        log.info("news_archive: removed %d stale pages", len(removed))
    return removed


def remove_stale_pages(pelican: Any) -> None:
    """Receiver of ``finalized``, connected after the search index is published: a page is
    deleted only once the live index no longer lists it."""
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    prune_stale(pelican.output_path, work, TIMINGS.paths)


def on_finalized(pelican: Any) -> None:
    TIMINGS.mark("finalized")
    work = S.work_dir(pelican.settings)
    os.makedirs(work, exist_ok=True)
    global MEMO
    if MEMO is not None:
        MEMO.save()
        TIMINGS.skipped = MEMO.skipped
        TIMINGS.digest_seconds = MEMO.seconds
        MEMO = None
    path = os.path.join(work, TIMINGS_FILE)
    write_atomic(path, json.dumps(TIMINGS.to_json(), indent=1))


def register() -> None:
    """Connect first, so the timestamps bracket the plugin's own receivers."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_init.connect(on_article_generator_init)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.get_writer.connect(on_get_writer)
    signals.content_written.connect(on_content_written)
    signals.finalized.connect(on_finalized)
