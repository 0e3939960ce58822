"""Related lists in an incremental index update: seconds, lists computed, lists changed.

Builds a Whoosh index of N documents (the BBC texts of ``bench/search.py``, then varied
copies) with related lists, then applies rounds of "1 added, 1 changed, 1 removed" as an
incremental build does, and prints per round the related step's seconds and CPU-seconds,
how many lists were computed from nothing (``related.refresh``) and how many shown lists
changed (= article pages a build re-renders for them).  ``--check`` also computes every list
from nothing on a fresh index after the last round and compares (0 differing lists).
Also prints the same-section precision of the lists (share of listed stories from the
article's own BBC section).

    PYTHONPATH=plugins .venv/bin/python bench/related.py --n 2095 --check
    PYTHONPATH=plugins .venv/bin/python bench/related.py --n 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))

import search as S  # noqa: E402
from news_archive.search import indexer  # noqa: E402


def precision(rel: dict[str, list[dict]], docs: dict[str, dict]) -> float:
    sec = {u: (d["facets"].get("tag") or [""])[0] for u, d in docs.items()}
    pairs = [(u, r["url"]) for u, lst in rel.items() for r in lst]
    return sum(sec[a] == sec[b] for a, b in pairs) / max(len(pairs), 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2095)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="compare the last lists with lists from scratch")
    args = ap.parse_args()
    if not S.BBC.exists():
        print(f"bench/related.py: skipped, shared data not available at {S.BBC}")
        return 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"commit {commit}; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average at start {os.getloadavg()[0]:.1f}")
    arts = S.bbc_articles()
    pool = S.documents(arts, args.n + args.rounds + 1)
    spare = list(pool)[args.n:]  # in the order documents() made them: the first n are the archive
    docs = {u: pool[u] for u in list(pool)[: args.n]}
    tmp = Path(tempfile.mkdtemp(prefix="bench-related-"))
    try:
        t0, c0 = time.perf_counter(), S.cpu_seconds()
        counts = indexer.index_documents(tmp / "ix", docs, full=True, related_count=5)
        print(f"N={len(docs):,}: index and every related list in {time.perf_counter() - t0:.1f} s "
              f"({S.cpu_seconds() - c0:.1f} CPU-s; related {counts['related_seconds']} s); "
              f"same-section precision {precision(counts['related'], docs):.3f}")
        shown = counts["related"]
        order = sorted(docs)
        for r in range(args.rounds):
            gone = order[(r * 7919) % len(order)]
            edit = order[(r * 104729 + 1) % len(order)]
            docs.pop(gone)
            changed = dict(docs[edit], body=docs[edit]["body"] + f"\n\nA correction was appended ({r}).")
            changed.pop("content_hash")
            changed["content_hash"] = indexer.document_hash(changed)
            docs[edit] = changed
            new = spare[r]
            docs[new] = pool[new]
            order = sorted(docs)
            c0 = S.cpu_seconds()
            counts = indexer.index_documents(tmp / "ix", docs, related_count=5)
            moved = sum(counts["related"].get(u) != shown.get(u) for u in docs)
            print(f"N={len(docs):,} round {r + 1} (1 added, 1 changed, 1 removed): "
                  f"related {counts['related_seconds']} s "
                  f"(index write {counts['write_seconds']} s, {S.cpu_seconds() - c0:.1f} CPU-s in all); "
                  f"{counts['related_computed']} lists computed; {moved} shown lists changed")
            shown = counts["related"]
        if args.check:
            scratch = indexer.index_documents(tmp / "scratch", docs, full=True, related_count=5)["related"]
            print(f"N={len(docs):,}: lists differing from a fresh index's: "
                  f"{sum(scratch[u] != shown[u] for u in docs)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
