"""Where the static search index step (``search/static_index.build``) spends its time.

    PYTHONPATH=plugins nice -n 10 .venv/bin/python bench/static_index.py --n 2000
    PYTHONPATH=plugins nice -n 10 .venv/bin/python bench/static_index.py --n 20000 --index SITE/var/index
    PYTHONPATH=plugins nice -n 10 .venv/bin/python bench/static_index.py --n 20000 --bundles 4

Builds ``--n`` documents (bench/search.py's BBC-derived ones, with people as in its static
column) into a fresh static index, then times the rebuild an incremental build does
(1 story added, 1 changed, 1 removed), one with one story changed and one with nothing
changed, and prints each step of ``build`` (``stats["phases"]``) with wall-clock and CPU seconds (this process
and the Pagefind binary), the machine, the commit and the load average.  ``--index``
takes the spelling table from a real Whoosh index (a kept archive's ``var/index``)
instead of counting the documents' words.  Never a timed test: figures only.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "bench"))

from news_archive.search import static_index  # noqa: E402
from search import bbc_articles, cpu_seconds, documents, static_docs  # noqa: E402


def machine() -> str:
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return (f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"commit {commit}{' (modified)' if dirty else ''}, load average {os.getloadavg()[0]:.2f}")


def snapshot(site: Path) -> dict[Path, tuple[int, int, int]]:
    """Each file of the static index (``pagefind/`` and ``search/``) by (inode, mtime, size):
    a file whose triple changed was written again."""
    out = {}
    for folder in (site / "pagefind", site / "search"):
        for p in folder.rglob("*") if folder.exists() else ():
            if p.is_file():
                st = p.stat()
                out[p] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def timed(label: str, site: Path, work: Path, docs: dict, index: str | None, bundles: int | str = 1) -> dict:
    before = snapshot(site)
    t0, c0 = time.perf_counter(), cpu_seconds()
    stats = static_index.build(str(site), str(work), docs, "en", index, bundles=bundles)
    t1, c1 = time.perf_counter(), cpu_seconds()
    after = snapshot(site)
    rewritten = [p for p, key in after.items() if before.get(p) != key]
    phases = "  ".join(f"{k} {v:.2f}" for k, v in stats["phases"].items())
    files = sum(1 for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"{label}: {t1 - t0:.2f} s wall, {c1 - c0:.2f} CPU-s (with Pagefind), written {stats['written']}, "
          f"{stats['records']:,} records, {files:,} bundle files, bundles rewritten {stats.get('rewritten', '-')}, "
          f"load {os.getloadavg()[0]:.2f}")
    binary = stats["phases"]
    print(f"    files written: {len(rewritten):,} ({sum(after[p][2] for p in rewritten) / 1024:,.0f} KiB) of "
          f"{len(after):,} ({sum(k[2] for k in after.values()) / 1024:,.0f} KiB); Pagefind "
          f"{binary.get('pagefind_cpu', 0):.2f} CPU-s, peak {binary.get('pagefind_peak_mib', 0):.0f} MiB")
    print(f"    phases (s): {phases}")
    return stats


def edited(doc: dict, more: str) -> dict:
    """The document with ``more`` at the end of its body, without the ``content_hash`` a build
    gave it (``start_bundle`` keys a document by it: a copy keeping the old one looks unchanged)."""
    return {**{k: v for k, v in doc.items() if k != "content_hash"}, "body": doc["body"] + more}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000, help="stories in the archive")
    ap.add_argument("--index", default=None, help="a Whoosh index for the spelling table (else from the documents)")
    ap.add_argument("--repeat", type=int, default=1, help="incremental rebuilds to time")
    ap.add_argument("--bundles", default="1", help="Pagefind bundles (NEWS_ARCHIVE_STATIC_BUNDLES: a number or auto)")
    args = ap.parse_args()
    args.bundles = int(args.bundles) if args.bundles.isdigit() else args.bundles
    print(machine())
    docs = static_docs(documents(bbc_articles(), args.n + 1))
    spare = sorted(docs)[-1]
    extra = docs.pop(spare)
    with tempfile.TemporaryDirectory(prefix="bench-static-") as tmp:
        site, work = Path(tmp) / "site", Path(tmp) / "work"
        timed(f"N={args.n:,} from scratch", site, work, docs, args.index, args.bundles)
        for round_ in range(args.repeat):
            urls = sorted(docs)
            changed, removed = urls[1 + round_], urls[-2 - round_]
            docs[changed] = edited(docs[changed], f"\n\nA correction ({round_}).")
            gone = docs.pop(removed)
            docs[extra["url"]] = extra
            timed(f"N={args.n:,} incremental (1 added, 1 changed, 1 removed)", site, work, docs, args.index,
                  args.bundles)
            extra = gone
        one = sorted(docs)[len(docs) // 2]
        docs[one] = edited(docs[one], "\n\nA second correction.")
        timed(f"N={args.n:,} one story changed", site, work, docs, args.index, args.bundles)
        timed(f"N={args.n:,} nothing changed", site, work, docs, args.index, args.bundles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
