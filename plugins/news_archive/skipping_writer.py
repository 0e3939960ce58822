"""Skip rendering pages whose inputs have not changed.

A page's digest (``fingerprints``) is compared with the one the last build recorded in
``<work>/render-memo.json``; an unchanged page with its file in place is neither
rendered nor rewritten.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from pelican.utils import sanitised_join

from . import settings as S
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


MEMO: RenderMemo | None = None
