"""``sitemap.xml``: every HTML page this build wrote, and nothing else.

Pelican never deletes stale output during development, so walking ``output/`` would
list pages that no longer exist; instead the ``content_written`` signal tells us each
page as it is written, into the build's ledger (``Build.written``), and the sitemap lists
the ledger's pages.  The 404 page is not a page of the site and is left out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from .fileio import write_atomic
from .structured import site_url

# URLs per sitemap file (the sitemaps.org limit).
MAX_URLS = 50_000

def page_url(path: str, output: str) -> str | None:
    """Site-relative URL of an output file, directory-style; None for non-pages.

    A path under ``output`` whose rest has no ``.``, ``..`` or empty part (the ledger's are
    absolute and normal: ``speedups.on_content_written``) is that rest: a slice, not
    relpath's walk of both paths (15,000 pages a build).  Any other path takes relpath
    (a part starting with a dot, ``.well-known``, too: the slice is only ever a shortcut)."""
    prefix = output.rstrip(os.sep) + os.sep
    rel = path[len(prefix):] if path.startswith(prefix) else ""
    if (rel and not rel.startswith((".", os.sep)) and not rel.endswith(os.sep) and os.sep + "." not in rel
            and os.sep * 2 not in rel):
        rel = rel.replace(os.sep, "/")
    else:
        rel = os.path.relpath(path, output).replace(os.sep, "/")
    if not rel.endswith(".html") or rel.startswith("..") or rel == "404.html":
        return None
    return rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel


def lastmod(path: str, days: dict[int, str] | None = None) -> str:
    """When a page last changed, as a W3C date: its file's modification time (a page whose
    inputs did not change is not rewritten, so it keeps its time; see speedups).

    ``days``: the dates already written out, by day since the epoch (a sitemap's 15,000
    pages were written on a few days: one ``strftime`` per day, not per page)."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return ""
    if days is None:
        return datetime.fromtimestamp(mtime, tz=UTC).strftime("%Y-%m-%d")
    day = int(mtime // 86400)
    known = days.get(day)
    if known is None:
        known = days[day] = datetime.fromtimestamp(mtime, tz=UTC).strftime("%Y-%m-%d")
    return known


def _urlset(locs: list[tuple[str, str]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{escape(loc)}</loc>{f'<lastmod>{mod}</lastmod>' if mod else ''}</url>"
              for loc, mod in locs]
    return "\n".join(lines + ["</urlset>"]) + "\n"


def write_robots(settings: dict[str, Any]) -> str | None:
    """``robots.txt`` naming the sitemap, when the site has an absolute SITEURL and no
    robots.txt of its own (a maintainer's static one is never overwritten)."""
    base = site_url(settings)
    target = os.path.join(settings["OUTPUT_PATH"], "robots.txt")
    if not base.startswith(("http://", "https://")) or os.path.exists(target):
        return None
    write_atomic(target, f"User-agent: *\nAllow: /\n\nSitemap: {base}/sitemap.xml\n")
    return target


def write_sitemap(settings: dict[str, Any], written: Iterable[str], max_urls: int = MAX_URLS) -> str:
    """Write OUTPUT_PATH/sitemap.xml listing every page written by this build (``written``:
    the build's ledger of written files, ``Build.written``).

    The protocol allows 50,000 URLs per file: a larger archive gets ``sitemap-N.xml``
    files and ``sitemap.xml`` becomes their index."""
    output = os.path.abspath(settings["OUTPUT_PATH"])
    base = site_url(settings)
    pages = sorted((u, p) for u, p in ((page_url(p, output), p) for p in written) if u is not None)
    days: dict[int, str] = {}
    locs = [(f"{base}/{u}", lastmod(p, days)) for u, p in pages]
    target = os.path.join(output, "sitemap.xml")
    if len(locs) <= max_urls:
        write_atomic(target, _urlset(locs))  # a crawler never fetches half a sitemap
        return target
    parts = []
    for n, start in enumerate(range(0, len(locs), max_urls), 1):
        name = f"sitemap-{n}.xml"
        write_atomic(os.path.join(output, name), _urlset(locs[start:start + max_urls]))
        parts.append(f"  <sitemap><loc>{escape(f'{base}/{name}')}</loc></sitemap>")
    write_atomic(target, "\n".join(['<?xml version="1.0" encoding="UTF-8"?>',
                                   '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
                                   *parts, "</sitemapindex>"]) + "\n")
    return target
