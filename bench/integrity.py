"""Build integrity and search-service bounds, measured on real builds and a real index.

    .venv/bin/python bench/integrity.py            # everything (~6 minutes on 2 cores)
    .venv/bin/python bench/integrity.py --quick    # the 2,095 BBC stories instead of 20,000

Prints, with the machine and commit:

* **404 window**: a real Pelican build (NER off) of 6 stories, then a rebuild adding 300;
  while it runs, the live index's manifest is read every ~5 ms and each listed article's
  page is looked for on disk.  The window is the time from the first to the last sample
  in which some listed article had no page (and how many at worst).
* **query fuzz**: 4,600 seeded random queries from the query language's alphabet against
  the sample archive through the real WSGI app in-process; failures are exceptions,
  non-200/400 statuses, non-JSON bodies, and answers the service's last-resort guard gave.
* **query latency**: open-ended and closed ``date:`` ranges, ``*`` and a few expensive
  terms on a Whoosh index of the BBC corpus synthesised to N articles (bench/search.py's
  documents), median of 3, the way the service runs them (facets, snippets, spelling).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

TOKENS = ['"', ":", "date:", "year:", "person:", "org:", "tag:", "headline:", "title:", "author:", "url:", "~",
          "~2", "~2/5", "/5", "^", "^2", "..", "[", "]", "{", "}", "(", ")", "TO", "AND", "OR", "NOT", "-", "+",
          "*", "?", "/", "\\", "2018", "2018-13", "2018-02-30", "13", "02", "30", "-01", "bush", "Hekmat", "élan",
          "日本", "ß", "İ", "\u0301", "0", "99999", " ", " ", " ", ">", "<", ">=", "<=", "=", ",", ".", "!", "&",
          "%", "#"]
QUERIES = ["date:2016..", "date:..2004", "date:>2000", "date:<2010", "date:2005", "date:2005-03", "date:..",
           "election date:2003..", "*", "elect*", "goverment~", "said~2", "com*"]


def commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "plugins"], cwd=ROOT, capture_output=True, text=True)
        return out.stdout.strip() + (" (+ uncommitted changes)" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def window(tmp: Path) -> None:
    from conftest import build_site
    from test_index_publish import NEW, build_command, live_urls, missing_pages
    from test_search_language import write_dumps

    root = tmp / "window"
    write_dumps(root / "content" / "dumps")
    site = build_site(root, extra={"NEWS_ARCHIVE_NER": False})
    write_dumps(site.content / "dumps", NEW)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000"}
    started = time.monotonic()
    proc = subprocess.Popen(build_command(site), cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    first = last = None
    samples = worst = 0
    while proc.poll() is None:
        try:
            urls = live_urls(site)
        except (OSError, ValueError):
            continue
        missing = len(missing_pages(site, urls))
        samples += 1
        if missing:
            now = time.monotonic() - started
            first = now if first is None else first
            last, worst = now, max(worst, missing)
        time.sleep(0.005)
    took = time.monotonic() - started
    shown = (f"{last - first:.2f} s (from {first:.2f} to {last:.2f} s), up to {worst} listed articles without a page"
             if first is not None else "none")
    print(f"404 window during a rebuild adding {len(NEW)} stories (build {took:.1f} s, exit {proc.returncode}, "
          f"{samples} samples): {shown}")


def fuzz(tmp: Path, n: int) -> None:
    from conftest import SAMPLE_DUMPS, build_site
    from test_search_service import app_for, call

    site = build_site(tmp / "sample", SAMPLE_DUMPS)
    app = app_for(site)

    class Guarded(logging.Handler):
        count = 0

        def emit(self, record: logging.LogRecord) -> None:
            Guarded.count += 1

    logging.getLogger("news_archive.search").addHandler(Guarded(logging.ERROR))
    rng = random.Random(1)
    failures: list[tuple[str, str]] = []
    for _ in range(n):
        q = "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 8)))
        try:
            status, headers, body = call(app, "/search.json", "q=" + quote(q))
            json.loads(body)
            if not status.startswith(("200", "400")):
                failures.append((q, status))
        except Exception as exc:  # what waitress would have answered with a 500
            failures.append((q, f"{type(exc).__name__}: {exc}"))
    print(f"query fuzz: {n} queries, {len(failures)} 5xx/exceptions/non-JSON, "
          f"{Guarded.count} answered only by the last-resort guard")
    for q, what in failures[:5]:
        print(f"  {q!r}: {what}")


def latency(tmp: Path, n: int) -> None:
    import search as B
    from news_archive.search import indexer
    from news_archive.search.service import Generation, SearchRequest, search

    docs = B.documents(B.bbc_articles(), n)
    started = time.perf_counter()
    indexer.index_documents(tmp / "ix", docs, full=True, related_count=0)
    print(f"index of {n} articles built in {time.perf_counter() - started:.0f} s")
    gen = Generation(str((tmp / "ix" / "index").resolve()))
    for q in QUERIES:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            out = search(gen, SearchRequest.from_query_string("q=" + quote(q)))
            times.append(time.perf_counter() - t)
        print(f"  {q!r:24} {out['total']:6} results  median {statistics.median(times) * 1000:7.0f} ms")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2,095 articles for the latency part, 1,000 fuzzed queries")
    args = ap.parse_args()
    print(f"bench/integrity.py at {commit()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.1f}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-integrity-"))
    try:
        window(tmp)
        fuzz(tmp, 1000 if args.quick else 4600)
        bbc = ROOT.parent / "shared" / "data" / "bbc"
        if bbc.exists():
            latency(tmp, 2095 if args.quick else 20000)
        else:
            print(f"query latency: skipped, shared data not available at {bbc}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
