"""Skip rendering pages whose inputs have not changed.

A page's digest (``fingerprints``) is compared with the one the last build recorded in
``<work>/render-memo.json``; an unchanged page with its file in place is neither
rendered nor rewritten.

Two levels, both in that file:

* a whole ``write_file`` call (one page, or every page of a paginated list) is keyed by
  what Pelican builds its pages from: the template, the file name and URL, the keyword
  arguments and shared context variables the template reads, the lists it paginates
  and their page size (:meth:`RenderMemo.call_digest`).  When the key and every file it
  wrote last time are unchanged, Pelican's own walk (context copies, paginators, page
  objects, the per-page digests) is not done at all: the files are only accounted for
  (Pelican's bookkeeping of written paths, the ``content_written`` signal).  Most pages
  of a warm rebuild end here: the entity, tag and article pages are one call each.
* otherwise each page Pelican renders is keyed by the template variables it sees
  (:meth:`RenderMemo.page_digest`), so a paginated list whose inputs changed still
  re-renders only the pages that did (adding one story to an entity with 300 changes
  its first page, not the other fourteen).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import ChainMap, Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from typing import Any

from pelican import signals
from pelican.utils import get_relative_path, path_to_url, posixize_path

from . import settings as S
from .build import Build
from .fileio import read_json, write_json
from .fingerprints import Fingerprints
from .pelican_overrides import AtomicWriter, _Discard, _WriteIfChanged


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


# Settings that say where the site's folders are, not what a page shows: the content, the
# output, the theme (whose files are digested by their content), Pelican's cache and the work
# folder.  Left out of the global digest, so a site moved to another folder (a CI checkout, a
# copied benchmark archive) renders no page again; a template that reads one of them by name
# still has it in its pages' digests (every setting is a context variable).
LOCATION_SETTINGS = frozenset({"PATH", "OUTPUT_PATH", "THEME", "CACHE_PATH", "NEWS_ARCHIVE_WORK_DIR"})


def code_and_theme_digest(settings: dict[str, Any]) -> str:
    """Everything outside the context that shapes every page: theme, plugin code, settings.

    Files count by their path inside the plugin or the theme and their bytes, not by where
    the checkout is; the settings without :data:`LOCATION_SETTINGS`."""
    import pelican

    h = hashlib.blake2b(digest_size=16)
    h.update(f"pelican {pelican.__version__}".encode())
    roots = [os.path.dirname(os.path.abspath(__file__)), str(settings.get("THEME", ""))]
    for n, root in enumerate(roots):
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                h.update(f"{n}:{os.path.relpath(path, root)}".encode("utf-8", "surrogateescape"))
                with open(path, "rb") as fh:
                    h.update(fh.read())
    out: list[str] = []
    Fingerprints()._encode({k: v for k, v in settings.items() if k not in LOCATION_SETTINGS}, out, None)
    h.update("\x1f".join(out).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class RenderMemo:
    """Which page files were rendered from which inputs, kept in ``<work>/render-memo.json``."""

    FILE = "render-memo.json"

    def __init__(self, settings: dict[str, Any]) -> None:
        self.path = os.path.join(S.work_dir(settings), self.FILE)
        self.settings = settings
        self.global_digest = code_and_theme_digest(settings)
        self.fingerprints = Fingerprints()
        self.variables: dict[str, set[str] | None] = {}
        self._sorted: dict[str, tuple[str, ...]] = {}
        # (template, id of the context) -> (the context, ids of the values read, their digests)
        self._shared: dict[tuple[str, int], tuple[Any, tuple[int, ...], bytes]] = {}
        # (template, keyword argument names...) -> (names read from the context, from the arguments)
        self._split: dict[tuple[str, ...], tuple[list[str], list[str]]] = {}
        self.before: dict[str, str] = {}
        self.now: dict[str, str] = {}
        # write_file calls: first file name -> [call digest, [files written]]
        self.calls_before: dict[str, list[Any]] = {}
        self.calls_now: dict[str, list[Any]] = {}
        self.variables_before: dict[str, list[str] | None] = {}
        # groups of calls a generator keys itself (all of one entity's pages): group -> [key, [first file names]]
        self.groups_before: dict[str, list[Any]] = {}
        self.groups_now: dict[str, list[Any]] = {}
        self.skipped = 0
        self.replayed = 0  # of the skipped pages: those whose whole write_file call was skipped
        self.groups_replayed = 0  # groups of calls skipped whole (SkippingWriter.replay_group)
        self.seconds = 0.0  # spent on digests: what deciding to skip costs
        self.rendered: Counter[str] = Counter()  # pages rendered, by template: what was not skipped
        data = read_json(self.path)
        if isinstance(data, dict) and data.get("global") == self.global_digest and isinstance(data.get("pages"), dict):
            self.before = data["pages"]
            calls = data.get("calls")
            if isinstance(calls, dict):
                self.calls_before = calls
            groups = data.get("groups")
            if isinstance(groups, dict):
                self.groups_before = groups
            # What each template reads, as the last build parsed it: the global digest holds
            # every template's source, so it is the same (parsing them all took ~1 s).
            known = data.get("variables")
            if isinstance(known, dict):
                self.variables_before = {str(k): v for k, v in known.items()
                                         if v is None or (isinstance(v, list) and all(isinstance(x, str) for x in v))}

    def _names(self, template: Any) -> tuple[str, ...] | None:
        """The context names the template (and what it includes) reads, sorted; None: any."""
        name = template.name
        if name not in self.variables:
            if name in self.variables_before:
                known = self.variables_before[name]
                self.variables[name] = set(known) if known is not None else None
            else:
                try:
                    self.variables[name] = template_variables(template.environment, name)
                except Exception:  # a template we cannot parse is simply always rendered
                    self.variables[name] = None
            names = self.variables[name]
            self._sorted[name] = tuple(sorted(names)) if names is not None else ()
        return self._sorted[name] if self.variables[name] is not None else None

    def call_digest(self, template: Any, name: str, context: dict[str, Any], relative_urls: bool,
                    paginated: dict[str, Any] | None, template_name: str | None, url: str | None,
                    kwargs: dict[str, Any]) -> str | None:
        """Digest of everything a ``Writer.write_file`` call's pages are made from (None: the
        template's variables are unknown, never skip).

        Pelican's page context is the shared context, ``localsiteurl``, ``output_file`` and
        a relative ``SITEURL`` (functions of the file name and ``relative_urls``), the
        keyword arguments, and for a paginated template each list's paginator and pages
        (functions of the list, the page size, the name, the URL and the pagination
        settings, which the global digest holds).  So the call is keyed by the template,
        name, URL, ``relative_urls``, the page size and paginated lists, and every
        variable the template reads from the keyword arguments or the shared context;
        the shared ones are digested once per template while their objects stay the same.
        """
        started = time.perf_counter()
        try:
            names = self._names(template)
            if names is None:
                return None
            fp = self.fingerprints
            h = hashlib.blake2b(digest_size=16)
            h.update(repr(("call", template.name, name, bool(relative_urls), url)).encode("utf-8", "surrogatepass"))
            pages = paginated if paginated is not None else {
                k: v for k, v in kwargs.items() if k in ("articles", "dates")}
            sizes = self.settings.get("PAGINATED_TEMPLATES") or {}
            if pages and template_name in sizes:
                per_page = sizes[template_name] or self.settings.get("DEFAULT_PAGINATION")
                h.update(repr(("paginated", template_name, per_page, sorted(pages))).encode())
                for key in sorted(pages):
                    h.update(fp.value(pages[key]))
            shared, kw_names = self._shared_parts(template, names, context, kwargs)
            h.update(shared)
            for key in kw_names:
                h.update(b"\x1fkw:" + key.encode())
                h.update(fp.value(kwargs[key]))
            return h.hexdigest()
        finally:
            self.seconds += time.perf_counter() - started

    def _shared_parts(self, template: Any, names: tuple[str, ...], context: dict[str, Any],
                      given: Any) -> tuple[bytes, list[str]]:
        """The digest parts of the names ``template`` reads from the shared context (those not
        ``given`` as keyword arguments), and the names it reads from the arguments.  Digested
        once per template while the context binds each name to the same object."""
        split = self._split.get((template.name, *given))
        if split is None:  # which names come from the keyword arguments: the same for every
            kw = [k for k in names if k in given]  # entity (tag, article) page
            split = self._split[(template.name, *given)] = ([k for k in names if k not in given], kw)
        shared_names, kw_names = split
        # What each name is bound to now (the context itself: absent), looked up in C, not in
        # a generator: some 24 names for every one of 14,500 calls.
        ids = tuple(map(id, map(context.get, shared_names, repeat(context, len(shared_names)))))
        hit = self._shared.get((template.name, id(context)))
        if hit is None or hit[0] is not context or hit[1] != ids:
            fp = self.fingerprints
            parts = b"".join([k.encode() + fp.value(context[k]) for k in shared_names if k in context])
            hit = self._shared[(template.name, id(context))] = (context, ids, parts)
        return hit[2], kw_names  # one update of the parts joined: the same digest as one per part

    def group_digest(self, template: Any, context: dict[str, Any], given: tuple[str, ...],
                     subjects: tuple[Any, ...], inputs: Any) -> str | None:
        """Digest of a group of ``write_file`` calls of one template (None: never skip them).

        ``subjects`` (nodes: an entity) and ``inputs`` (values; plain objects count by their
        fields) must hold everything the group's keyword arguments are made from.  A
        subject counts as a page's own subject does (``Fingerprints.deep``: its fields and
        the face of each node it points at), digested once per build already (``prime``).
        ``given`` names every keyword argument the calls pass, so the shared context counts
        only by the names the template reads from it (the shared ``articles`` is every
        story; a page's are its own).
        """
        started = time.perf_counter()
        try:
            names = self._names(template)
            if names is None:
                return None
            shared, _ = self._shared_parts(template, names, context, given)
            h = hashlib.blake2b(digest_size=16)
            h.update(repr(("group", template.name)).encode())
            h.update(shared)
            for subject in subjects:
                h.update(self.fingerprints.deep(subject))
            h.update(self.fingerprints.value(inputs))
            return h.hexdigest()
        finally:
            self.seconds += time.perf_counter() - started

    def page_digest(self, template: Any, context: dict[str, Any]) -> str | None:
        started = time.perf_counter()
        try:
            return self._page_digest(template, context)
        finally:
            self.seconds += time.perf_counter() - started

    def _page_digest(self, template: Any, context: dict[str, Any]) -> str | None:
        name = template.name
        names = self._names(template)
        if names is None:
            return None
        h = hashlib.blake2b(digest_size=16)
        h.update(name.encode())
        for key in names:
            if key in context:
                h.update(key.encode())
                h.update(self.fingerprints.value(context[key]))
        return h.hexdigest()

    def save(self) -> None:
        variables = {k: sorted(v) if v is not None else None for k, v in self.variables.items()}
        write_json(self.path, {"global": self.global_digest, "pages": self.now, "calls": self.calls_now,
                               "groups": self.groups_now, "variables": variables})


class _PageContext(ChainMap):  # type: ignore[type-arg]
    """A replayed page's context for the ``content_written`` receivers: the shared context,
    the page's names and the keyword arguments, as one mapping.  ChainMap's ``get`` and
    ``in`` go through a generator (and ``[]`` through a KeyError per map missed); these
    ask each map in turn, the same answers at a quarter of the cost (15,000 pages, each
    asked for the build, its file name and whether it is an article)."""

    def get(self, key: Any, default: Any = None) -> Any:
        for mapping in self.maps:
            if key in mapping:
                return mapping[key]
        return default

    def __contains__(self, key: object) -> bool:
        for mapping in self.maps:
            if key in mapping:
                return True
        return False


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
        writer.recording.append(name)
        if digest is not None:
            memo.now[name] = digest
            path = writer.output_file(name)
            if memo.before.get(name) == digest and os.path.isfile(path):
                writer.unchanged.add(path)
                memo.skipped += 1
                return ""
        memo.rendered[self._template.name] += 1
        return self._template.render(context)


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
        self.recording: list[str] = []  # the pages of the write_file call under way
        self.primed = False
        self._group: list[str] | None = None  # the calls of the group under way (group)
        # sanitised_join's base, made once: it is made again for each of the ~15,000 paths
        # an unchanged rebuild accounts for (:meth:`output_file`)
        self._base = posixize_path(os.path.abspath(self.output_path))
        build = Build.of(self.settings)
        if build is not None:  # saved at the end of the build (speedups.on_finalized)
            build.render_memo = self.memo

    def output_file(self, name: str) -> str:
        """``sanitised_join(self.output_path, name)``: the same path and the same refusal of a
        path outside the output folder, with the folder's own absolute path made once."""
        joined = posixize_path(os.path.abspath(os.path.join(self.output_path, name)))
        if not joined.startswith(self._base):
            raise RuntimeError(f"Attempted to break out of output directory to {joined}")
        return joined

    def _prime(self, context: dict[str, Any]) -> None:
        if not self.primed:
            started = time.perf_counter()
            self.memo.fingerprints.prime(context)
            self.memo.seconds += time.perf_counter() - started
            self.primed = True

    def group_key(self, template: Any, context: dict[str, Any], given: tuple[str, ...],
                  subjects: tuple[Any, ...], inputs: Any) -> str | None:
        """The key of a group of calls (:meth:`RenderMemo.group_digest`), for :meth:`replay_group`."""
        self._prime(context)
        return self.memo.group_digest(template, context, given, subjects, inputs)

    def write_file(self, name: Any, template: Any, context: dict[str, Any], relative_urls: bool = False,
                   paginated: dict[str, Any] | None = None, template_name: str | None = None,
                   override_output: bool = False, url: str | None = None, **kwargs: Any) -> Any:
        self._prime(context)
        key = None
        if name and isinstance(name, str) and not override_output:
            key = self.memo.call_digest(template, name, context, relative_urls, paginated, template_name, url, kwargs)
            if key is not None and self._replay(name, key, context, relative_urls, kwargs):
                return None
        self.recording = []
        if self._group is not None and isinstance(name, str):
            self._group.append(name)
        result = super().write_file(name, _MemoTemplate(template, self), context, relative_urls=relative_urls,
                                    paginated=paginated, template_name=template_name,
                                    override_output=override_output, url=url, **kwargs)
        if key is not None and self.recording and all(f in self.memo.now for f in self.recording):
            self.memo.calls_now[name] = [key, self.recording]
        self.recording = []
        return result

    def _replay(self, name: str, key: str, context: dict[str, Any], relative_urls: bool,
                kwargs: dict[str, Any]) -> bool:
        """Account for an unchanged call's files without Pelican's walk; False: not unchanged."""
        entry = self.memo.calls_before.get(name)
        if not (isinstance(entry, list) and len(entry) == 2 and entry[0] == key and entry[1]):
            return False
        files = self._replayable(entry[1])
        if files is None:
            return False
        self._account(name, key, files, context, relative_urls, kwargs)
        return True

    def _replayable(self, files: Any) -> list[tuple[str, str]] | None:
        """The files a call wrote last build with their paths, when every one is still as it
        left them (in the output, recorded, not written or overridden by this build yet)."""
        memo = self.memo
        out = []
        for f in map(str, files):
            path = self.output_file(f)
            if (f not in memo.before or path in self._written_files or path in self._overridden_files
                    or f in memo.now or not os.path.isfile(path)):
                return None
            out.append((f, path))
        return out

    def _account(self, name: str, key: str, files: list[tuple[str, str]], context: dict[str, Any],
                 relative_urls: bool, kwargs: dict[str, Any]) -> None:
        """Pelican's bookkeeping of an unchanged call's files, as if it had written them."""
        memo = self.memo
        for f, path in files:
            local = {"localsiteurl": context.get("localsiteurl"), "output_file": f}
            if relative_urls:  # what Pelican's _write_file leaves in the shared context
                local["SITEURL"] = local["localsiteurl"] = context["localsiteurl"] = path_to_url(get_relative_path(f))
            self._written_files.add(path)
            memo.now[f] = memo.before[f]
            memo.skipped += 1
            memo.replayed += 1
            # As Pelican's page context: the shared one, the page's names, the keyword arguments last.
            signals.content_written.send(path, context=_PageContext(kwargs, local, context))
        memo.calls_now[name] = [key, [f for f, _ in files]]
        if self._group is not None:
            self._group.append(name)

    def replay_group(self, group: str, key: str | None, context: dict[str, Any], relative_urls: bool) -> bool:
        """Account for every file of a group of calls (:meth:`group`) whose key is the one the
        last build recorded, without making their arguments; False: not unchanged.

        The key (:meth:`RenderMemo.group_digest`) stands for each call's key: the calls are
        not digested one by one.  Their receivers get the page context without the calls'
        keyword arguments, which the caller no longer makes (it is not an article page)."""
        memo = self.memo
        entry = memo.groups_before.get(group)
        if key is None or not (isinstance(entry, list) and len(entry) == 2 and entry[0] == key and entry[1]):
            return False
        calls = []
        for name in entry[1]:
            call = memo.calls_before.get(name)
            if not (isinstance(call, list) and len(call) == 2 and call[1]):
                return False
            files = self._replayable(call[1])
            if files is None:
                return False
            calls.append((str(name), call[0], files))
        if len({f for _, _, files in calls for f, _ in files}) != sum(len(files) for _, _, files in calls):
            return False  # two calls of the group claim one file: let Pelican walk them
        for name, call_key, files in calls:
            self._account(name, call_key, files, context, relative_urls, {})
        memo.groups_now[group] = [key, [name for name, _, _ in calls]]
        memo.groups_replayed += 1
        return True

    @contextmanager
    def group(self, group: str, key: str | None) -> Iterator[None]:
        """Record the ``write_file`` calls made inside as one group keyed by ``key``, for
        :meth:`replay_group` in the next build (only when every call could be recorded)."""
        calls: list[str] = []
        outer, self._group = self._group, calls
        try:
            yield
        finally:
            self._group = outer
        if key is not None and calls and all(name in self.memo.calls_now for name in calls):
            self.memo.groups_now[group] = [key, calls]

    def _skipped(self, filename: str) -> None:
        self.unchanged.discard(filename)

    def _open_page(self, filename: str, encoding: str) -> Any:
        """Nothing at all for an unchanged page, else the atomic compare-and-write."""
        if filename in self.unchanged:
            self.unchanged.discard(filename)
            return _Discard()
        return _WriteIfChanged(filename, encoding)

