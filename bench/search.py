"""Search benchmark: index build, query latency, known-item quality, HTTP load.

    .venv/bin/python bench/search.py            # everything (~15 minutes on 2 cores)
    .venv/bin/python bench/search.py --quick    # BBC corpus only, no 20k archive, short load run
    .venv/bin/python bench/search.py --static   # the static (Pagefind) column only, both sizes
    .venv/bin/python bench/search.py --static --gzip-host   # served by the site's own static-file
                                                # app (gzip, as most hosts) instead of http.server

Builds Whoosh documents directly from ``../shared/data/bbc`` (2,095 articles: line 1
is the headline, then paragraphs), not through Pelican, with the project's own schema,
indexer, related-article step and search code.  The 20,000-article archive is
synthesised from it deterministically: each copy gets a varied headline, a shifted
date (one story in twenty undated), a different source, and its paragraphs rotated.

Prints: build time and index size; query latency (median, p95) for 1–3-word queries
run the way the service runs them (facets, highlighted snippets, spelling check);
known-item rate (each BBC article's headline words, without quotes, rank the article
in the top 3) and MRR; then a real HTTP load run (``wrk``, 8 connections, 30 s, on
127.0.0.1 only) against ``python -m news_archive serve``, steady and while a rebuild
swaps in a new index generation.  Skips cleanly when the shared data is absent.

The static column (``--static``, and after the service figures otherwise): the same
documents given to ``search/static_index.py`` (Pagefind records + spelling table; the
spelling words counted from the documents with the index's analyzer, which gives the
same table as the Whoosh ``spell`` field), each story also given up to five "people"
(capitalised word pairs of its text) so the person filter is as large as an NER'd
archive's; then: index build time, size on disk, a rebuild after changing one story
(Pagefind cannot update in place), and, for 30 queries each in a fresh headless
Chromium context (nothing cached) against ``python -m http.server`` serving the
index with the built site's ``search/index.html`` and theme (run ``make html``
first): bytes fetched per query (everything the search page fetches after its own
HTML, CSS and script: Pagefind's script, WebAssembly, index, filter and fragment
chunks, the spelling shards) and time to first result (navigation start to the first
result drawn), median and p95, and the median bytes of each part (Pagefind's script,
its WebAssembly, ``pf_meta``, word-index chunks, filter chunks, result fragments, the
spelling table).  ``python -m http.server`` compresses nothing (Pagefind's own files are
gzipped at rest, ``pagefind.js`` is not); ``--gzip-host`` serves the same files with the
site's own static-file app (``news_archive.static``: gzip for text types), as most hosts
and ``make serve`` do.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))
BBC = ROOT.parent / "shared" / "data" / "bbc"

from news_archive.search import indexer  # noqa: E402
from news_archive.search.schema import make_document  # noqa: E402
from news_archive.search.service import Generation, SearchRequest, search  # noqa: E402
from support import free_port, wait_until_up  # noqa: E402

SOURCES = ["BBC", "AFP", "Reuters", "AP", "The Guardian", "Al Jazeera", "DPA", "Xinhua"]
PREFIXES = ["", "Update: ", "Analysis: ", "Explainer: ", "Latest: ", "Report: ", "Briefing: ",
            "Update 2: ", "In depth: ", "Recap: "]
PLACES = ["London", "Paris", "Zürich", "Washington", "Brussels", "Beijing", "Moscow", "Kabul",
          "Baghdad", "Tokyo", "Berlin", "Geneva", "New York", "Delhi", "Lagos"]


def bbc_articles() -> list[dict]:
    out = []
    for path in sorted(BBC.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        headline, _, body = text.partition("\n")
        out.append({"section": path.parent.name, "slug": path.stem, "headline": headline.strip(),
                    "body": body.strip()})
    return out


def _h(*parts: object) -> int:
    return int(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def documents(arts: list[dict], n: int) -> dict[str, dict]:
    """n documents: the BBC articles, then varied copies of them."""
    docs = {}
    for i in range(n):
        base, copy = arts[i % len(arts)], i // len(arts)
        paras = [p for p in re.split(r"\n\s*\n", base["body"]) if p.strip()]
        if copy and len(paras) > 2:
            k = copy % (len(paras) - 1) + 1
            paras = paras[:1] + paras[k:] + paras[1:k]
        headline = PREFIXES[copy % len(PREFIXES)] + base["headline"]
        if copy >= len(PREFIXES):
            headline += f" ({copy})"
        undated = _h(i, "undated") % 20 == 0
        published = None if undated else datetime(2004, 1, 1) + timedelta(days=copy * 400 + _h(i) % 365)
        url = f"/news/{base['slug']}{'-' + str(copy) if copy else ''}/"
        places = [PLACES[_h(i, "p", j) % len(PLACES)] for j in range(_h(i, "np") % 3)]
        doc = make_document(
            url=url, headline=headline, dek=paras[0] if paras else "", body="\n\n".join(paras[1:]),
            authors=[], source=SOURCES[_h(i, "s") % len(SOURCES)] if copy else "BBC",
            entities={"place": sorted(set(places))}, tags=[base["section"]], published=published,
        )
        doc["content_hash"] = indexer.document_hash(doc)
        docs[url] = doc
    return docs


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the 2-process writer, related workers)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def build(root: Path, docs: dict[str, dict], label: str) -> Path:
    t0, c0 = time.perf_counter(), cpu_seconds()
    counts = indexer.index_documents(root, docs, full=True, related_count=0)
    t1, c1 = time.perf_counter(), cpu_seconds()
    gen = (root / "index").resolve()
    print(f"{label}: {len(docs):,} articles indexed in {t1 - t0:.1f} s "
          f"({len(docs) / (t1 - t0):.0f} docs/s; {c1 - c0:.0f} CPU-s), index {dir_size(gen) / 2**20:.1f} MiB")
    t0, c0 = time.perf_counter(), cpu_seconds()
    counts = indexer.index_documents(root, docs, full=False, related_count=5)
    t1, c1 = time.perf_counter(), cpu_seconds()
    gen = (root / "index").resolve()
    rel = counts["related"]
    sizes = [len(v) for v in rel.values()]
    print(f"{label}: related articles for {counts['related_computed']:,} articles in {t1 - t0:.1f} s "
          f"({c1 - c0:.0f} CPU-s) "
          f"(min {min(sizes)}, median {statistics.median(sizes)} per article)")
    # An incremental build: 1 added, 1 changed, 1 removed.
    urls = sorted(docs)
    more = dict(docs)
    more.pop(urls[0])
    changed = dict(more[urls[1]], body=more[urls[1]]["body"] + "\n\nA correction was appended.")
    changed["content_hash"] = indexer.document_hash({k: v for k, v in changed.items() if k != "content_hash"})
    more[urls[1]] = changed
    added = dict(docs[urls[2]], url="/news/bench-added/")
    added["content_hash"] = "bench-added"
    more["/news/bench-added/"] = added
    t0 = time.perf_counter()
    counts = indexer.index_documents(root, more, related_count=5)
    t1 = time.perf_counter()
    print(f"{label}: incremental (1 added, 1 changed, 1 removed) in {t1 - t0:.2f} s, "
          f"{counts['related_computed']} related lists recomputed")
    before = counts["generation"]
    t0 = time.perf_counter()
    counts = indexer.index_documents(root, more, related_count=5)
    print(f"{label}: rebuild with nothing changed in {time.perf_counter() - t0:.2f} s "
          f"(no new generation written: {counts['generation'] == before})")
    return (root / "index").resolve()


def queries(arts: list[dict], n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    vocab = sorted({w for a in arts for w in re.findall(r"[A-Za-z]{4,}", a["headline"])})
    return [" ".join(rng.sample(vocab, rng.choice((1, 2, 3)))) for _ in range(n)]


def latency(gen_path: Path, qs: list[str], label: str) -> None:
    gen = Generation(str(gen_path))
    for q in qs[:20]:
        search(gen, SearchRequest(q=q))
    times, cpu, totals = [], [], []
    for q in qs:
        t0, c0 = time.perf_counter(), time.thread_time()
        data = search(gen, SearchRequest(q=q))
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        totals.append(data["total"])
        assert "facets" in data
    times.sort()
    cpu.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{label}: {len(qs)} queries of 1–3 words (facets + snippets + spelling): "
          f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
          f"(median {statistics.median(totals):.0f} hits); CPU time per query "
          f"median {statistics.median(cpu):.1f} ms, p95 {cpu[int(len(cpu) * 0.95) - 1]:.1f} ms")
    gen.retire()


def known_item(gen_path: Path, arts: list[dict], docs: dict[str, dict]) -> None:
    gen = Generation(str(gen_path))
    top3 = 0
    rr = 0.0
    misses = []
    for a in arts:
        url = f"/news/{a['slug']}/"
        words = " ".join(re.findall(r"\w+", a["headline"]))
        data = search(gen, SearchRequest(q=words, size=10))
        urls = [r["url"] for r in data["results"]]
        if url in urls:
            rank = urls.index(url) + 1
            rr += 1 / rank
            top3 += rank <= 3
        if url not in urls[:3]:
            misses.append(a["headline"])
    n = len(arts)
    print(f"known-item: {top3}/{n} = {top3 / n:.1%} in the top 3 (target ≥ 95%), MRR@10 {rr / n:.3f}")
    if misses:
        print("  e.g. missed:", "; ".join(misses[:5]))
    gen.retire()


WRK_SCRIPT = """
local queries = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/search.json?q=" .. queries[(i %% #queries) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%f %%f %%d %%d %%d %%f %%d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout,
    e.status, summary.requests, latency:percentile(50) / 1000, 0))
end
"""


def run_wrk(url: str, script: Path, seconds: int) -> dict:
    proc = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
                          capture_output=True, text=True, timeout=seconds + 60)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")]
    if not lines:
        raise RuntimeError(f"wrk failed: {proc.stdout}\n{proc.stderr}")
    line = lines[0]
    parts = line.split()
    reqs, dur, p99 = int(parts[1]), float(parts[2]), float(parts[3])
    return {"requests": reqs, "rps": reqs / dur, "p99_ms": p99, "socket_errors": int(parts[4]),
            "non_2xx": int(parts[5]), "p50_ms": float(parts[7])}


def load(root: Path, docs: dict[str, dict], qs: list[str], seconds: int, workers: int = 0) -> None:
    """The HTTP load runs: with the service's answer cache (its default), then without it
    (every request searched: what a stream of queries never asked before costs)."""
    if not shutil.which("wrk"):
        print("load: skipped (wrk not installed: apt-get install wrk)")
        return
    for cache in (None, 0):
        load_run(root, qs, seconds, workers, cache)


def load_run(root: Path, qs: list[str], seconds: int, workers: int, cache: int | None) -> None:
    site = root / "site"
    (site / "output").mkdir(parents=True, exist_ok=True)
    (site / "output" / "index.html").write_text("<!doctype html><title>bench</title>")
    conf = site / "benchconf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *  # noqa\n"
                    f"PATH = {str(site)!r}\nOUTPUT_PATH = {str(site / 'output')!r}\n"
                    f"NEWS_ARCHIVE_WORK_DIR = {str(root)!r}\n"
                    f"THEME = {str(ROOT / 'theme')!r}\n"
                    + (f"NEWS_ARCHIVE_SEARCH_CACHE = {cache}\n" if cache is not None else ""))
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    server = subprocess.Popen([sys.executable, "-m", "news_archive", "serve", "--settings", str(conf),
                               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    banner = server.stdout.readline().strip() if server.stdout else ""
    url = f"http://127.0.0.1:{port}"
    what = "answer cache on (default)" if cache is None else "answer cache off (NEWS_ARCHIVE_SEARCH_CACHE = 0)"
    try:
        wait_until_up(url, server, path="/search.json?q=warmup", timeout=30)  # also opens the index
        from urllib.parse import quote

        one = []
        for q in qs[200:300]:  # never asked before in this run: each is searched
            t0 = time.perf_counter()
            urllib.request.urlopen(url + "/search.json?q=" + quote(q), timeout=30).read()
            one.append((time.perf_counter() - t0) * 1000)
        script = root / "bench.lua"
        script.write_text(WRK_SCRIPT % ", ".join(json.dumps(quote(q)) for q in qs[:200]))
        print(f"load: {banner.split(': ', 1)[-1]}; {what}; load average {os.getloadavg()[0]:.1f}")
        print(f"load: one request at a time over HTTP ({len(one)} queries, none asked before): "
              f"median {statistics.median(one):.1f} ms, p95 {sorted(one)[int(len(one) * 0.95) - 1]:.1f} ms")
        c0 = tree_cpu(server.pid)
        steady = run_wrk(url, script, seconds)
        steady_cpu = (tree_cpu(server.pid) - c0) * 1000 / max(steady["requests"], 1)
        print(f"load (8 connections, {seconds} s, /search.json, 200 queries in turn): {steady['rps']:.0f} req/s, "
              f"p50 {steady['p50_ms']:.0f} ms, p99 {steady['p99_ms']:.0f} ms, "
              f"errors {steady['socket_errors'] + steady['non_2xx']} ({steady['requests']:,} requests); "
              f"service CPU {steady_cpu:.1f} ms per request")
        # The same while rebuilds swap in new generations (changed articles → new generation).
        swapper = subprocess.Popen(["nice", "-n", str(SWAP_NICE[0]), sys.executable, __file__, "--swap", str(root),
                                    "--swap-seconds", str(seconds), "--swaps", str(SWAPS[0])],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        c0 = tree_cpu(server.pid)
        during = run_wrk(url, script, seconds)
        during_cpu = (tree_cpu(server.pid) - c0) * 1000 / max(during["requests"], 1)
        swaps = swapper.communicate(timeout=seconds * 10 + 900)[0].strip()
        niced = f", the rebuild at nice +{SWAP_NICE[0]}" if SWAP_NICE[0] else ""
        print(f"load during index swaps ({swaps}{niced}): {during['rps']:.0f} req/s, "
              f"p50 {during['p50_ms']:.0f} ms, p99 {during['p99_ms']:.0f} ms, "
              f"errors {during['socket_errors'] + during['non_2xx']} ({during['requests']:,} requests); "
              f"service CPU {during_cpu:.1f} ms per request")
    finally:
        server.terminate()
        server.wait(timeout=20)


def swap_loop(root: Path, seconds: int, count: int = 0) -> None:
    """Rebuild the index repeatedly (each time changing 50 articles) for ``seconds``; with
    ``count``, exactly that many rebuilds, each started at its own slot of the run (k *
    seconds / count), so two runs compared swap the same number of times whatever the load
    (an unbounded loop fitted 5 rebuilds in 30 s in one run and 3 in another: different
    work for the service's cores)."""
    docs = documents(bbc_articles(), int((root / "n").read_text()))
    start = time.monotonic()
    deadline = start + seconds
    swaps, round_ = 0, 0
    done: list[float] = []
    while (swaps < count) if count else (time.monotonic() < deadline - 2):
        if count:
            time.sleep(max(start + swaps * seconds / count - time.monotonic(), 0))
        round_ += 1
        for url in sorted(docs)[round_ * 50: round_ * 50 + 50]:
            d = dict(docs[url], body=docs[url]["body"] + f"\n\nRevision {round_}.")
            d["content_hash"] = f"rev{round_}-{url}"
            docs[url] = d
        indexer.index_documents(root, docs, related_count=5)
        swaps += 1
        done.append(time.monotonic() - start)
    # When each new generation was published: one published after the load run ended was
    # never served, so its cost is not in the run's figures.
    print(f"{swaps} swaps, published at {', '.join(f'{t:.0f}' for t in done)} s")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its children alive now (the
    service's workers): read from /proc, so what the service spends per request is known
    on a machine whose other load makes its wall-clock figures meaningless."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def rebuild_once(root: Path, round_: int) -> None:
    """One rebuild as ``swap_loop`` does it (50 articles changed): a new generation."""
    docs = documents(bbc_articles(), int((root / "n").read_text()))
    for r in range(1, round_ + 1):
        for url in sorted(docs)[r * 50: r * 50 + 50]:
            d = dict(docs[url], body=docs[url]["body"] + f"\n\nRevision {r}.")
            d["content_hash"] = f"rev{r}-{url}"
            docs[url] = d
    indexer.index_documents(root, docs, related_count=5)


def swap_cpu(root: Path, qs: list[str], rounds: int) -> None:
    """What one index swap costs a worker, in CPU (wall-clock is meaningless on a loaded
    machine): CPU-s to open a generation (from nothing, and from the one open before, as the
    service does), split into its parts, and CPU-ms per request over the 200 queries the load
    run sends, on the generation open for a while and on the one just opened (its first
    answers: what readers pay right after the switch).  The rebuilds run in a child process;
    the answer cache is off so that every request is searched."""
    import cProfile
    import pstats

    scratch = Path(tempfile.mkdtemp(prefix="bench-swap-cpu-"))
    shutil.copytree(root, scratch / "root", symlinks=True)
    root = scratch / "root"

    def per_request(gen: Generation) -> list[float]:
        out = []
        for q in qs[:200]:
            c0 = time.thread_time()
            search(gen, SearchRequest(q=q))
            out.append((time.thread_time() - c0) * 1000)
        return out

    def summary(xs: list[float]) -> str:
        xs = sorted(xs)
        return (f"median {statistics.median(xs):.1f}, p95 {xs[int(len(xs) * 0.95) - 1]:.1f}, "
                f"max {xs[-1]:.1f}, total {sum(xs) / 1000:.2f} CPU-s")

    c0 = time.thread_time()
    gen = Generation(str((root / "index").resolve()))
    print(f"swap-cpu: open from nothing {time.thread_time() - c0:.2f} CPU-s ({root})")
    per_request(gen)
    print(f"swap-cpu: a generation open a while, CPU-ms per request: {summary(per_request(gen))}")
    for r in range(1, rounds + 1):
        env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
        subprocess.run([sys.executable, __file__, "--rebuild-once", str(root), "--round", str(r)],
                       cwd=ROOT, env=env, check=True)
        path = str((root / "index").resolve())
        c0 = time.thread_time()
        fresh = Generation(path, previous=gen)
        opened = time.thread_time() - c0
        prof = cProfile.Profile()  # the same open again, profiled (its figures inflated by the profiler)
        prof.enable()
        Generation(path, previous=gen).retire()
        prof.disable()
        first = per_request(fresh)
        again = per_request(fresh)
        st = pstats.Stats(prof)
        print(f"swap-cpu: swap {r}: open from the generation before {opened:.2f} CPU-s; "
              f"segments {len(fresh.facets.segments)}")
        print(f"swap-cpu: swap {r}: first answers on the new generation, CPU-ms per request: {summary(first)}")
        print(f"swap-cpu: swap {r}: the same requests again: {summary(again)}")
        st.sort_stats("cumulative").print_stats(14)
        gen.retire()
        gen = fresh
    gen.retire()
    shutil.rmtree(scratch, ignore_errors=True)


STATIC_QUERIES_PER_SIZE = 30
GZIP_HOST = [False]  # set from --gzip-host (a one-run switch, read by browse_static)
STATIC_BUNDLES = [1]  # set from --bundles (read by static_column): NEWS_ARCHIVE_STATIC_BUNDLES
SWAP_NICE = [0]  # set from --swap-nice (read by load_run)
SWAPS = [0]  # set from --swaps (read by load_run): 0 rebuilds for as long as the run lasts
PERSON = re.compile(r"\b([A-Z][a-z]{2,} [A-Z][a-z]{2,})\b")


def static_docs(docs: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for url, doc in docs.items():
        people = list(dict.fromkeys(PERSON.findall(doc["body"])))[:5]
        facets = dict(doc["facets"], person=people)
        out[url] = dict(doc, facets=facets)
    return out


def static_column(root: Path, docs: dict[str, dict], qs: list[str], label: str) -> None:
    from news_archive.search import static_index

    site, work = root / "static-site", root / "static-work"
    if site.exists():
        shutil.rmtree(site)
    built = ROOT / "output"
    if not (built / "search" / "index.html").exists():
        print(f"{label} static: skipped (run `make html` first: the bench serves its search page)")
        return
    shutil.copytree(built / "theme", site / "theme")
    (site / "search").mkdir(parents=True)
    shutil.copy2(built / "search" / "index.html", site / "search" / "index.html")
    sdocs = static_docs(docs)
    bundles = STATIC_BUNDLES[0]
    t0, c0 = time.perf_counter(), cpu_seconds()
    stats = static_index.build(str(site), str(work), sdocs, "en", None, bundles=bundles)
    t1, c1 = time.perf_counter(), cpu_seconds()
    # The page the build would write for this index: facets loaded at once or on demand.
    from news_archive.search.static_pages import EAGER_FACET_BYTES

    eager = stats["filter_bytes"] <= EAGER_FACET_BYTES
    page = site / "search" / "index.html"
    html = re.sub(r'data-facets="[^"]*" data-facet-bytes="[^"]*"',
                  f'data-facets="{"eager" if eager else "on-demand"}" '
                  f'data-facet-bytes="{stats["filter_bytes"]}"', page.read_text())
    if bundles > 1:  # as the build writes the page for an index in several bundles
        html = html.replace('data-pagefind="/pagefind/pagefind.js"',
                            f'data-pagefind="/pagefind/0/pagefind.js" data-bundles="{bundles}" '
                            'data-words="/search/words/" data-stem="/theme/js/pagefind-stem.js"')
    page.write_text(html)
    size = dir_size(site / "pagefind")
    spell = dir_size(site / "search" / "spelling")
    files = sum(1 for p in (site / "pagefind").rglob("*") if p.is_file())
    print(f"{label} static: {stats['records']:,} records indexed in {t1 - t0:.1f} s ({c1 - c0:.0f} CPU-s of this "
          f"process and Pagefind), Pagefind index {size / 2**20:.1f} MiB in {files:,} files, spelling table "
          f"{stats['words']:,} words in {stats['shards']:,} shards, {spell / 2**20:.2f} MiB; facet counts "
          f"(all filter chunks) {stats['filter_bytes'] / 1024:.0f} KiB, loaded "
          f"{'with every search' if eager else 'only when the reader asks for the filters'}")
    import gzip

    def largest(folder: Path) -> str:
        files = [f for f in folder.glob("*.json") if f.name not in ("index.json", "fold.json")]
        big = max(files, key=lambda f: f.stat().st_size)
        return f"{big.stat().st_size / 1024:.1f} KiB ({len(gzip.compress(big.read_bytes())) / 1024:.1f} gzipped)"

    order = site / "search" / "order.json"
    print(f"{label} static: side tables: spelling largest file {largest(site / 'search' / 'spelling')}; "
          f"date order {order.stat().st_size / 1024:.0f} KiB ({len(gzip.compress(order.read_bytes())) / 1024:.0f} "
          f"gzipped); facet words {dir_size(site / 'search' / 'facets') / 1024:.0f} KiB, largest bucket "
          f"{largest(site / 'search' / 'facets')}")
    url = sorted(sdocs)[1]
    sdocs[url] = dict(sdocs[url], body=sdocs[url]["body"] + "\n\nA correction was appended.")
    t0 = time.perf_counter()
    static_index.build(str(site), str(work), sdocs, "en", None, bundles=bundles)
    print(f"{label} static: rebuild after changing one story {time.perf_counter() - t0:.1f} s (a full rebuild: "
          f"Pagefind cannot update an index in place); with nothing changed ", end="")
    t0 = time.perf_counter()
    again = static_index.build(str(site), str(work), sdocs, "en", None, bundles=bundles)
    print(f"{time.perf_counter() - t0:.1f} s (written: {again['written']})")
    qs = qs[:STATIC_QUERIES_PER_SIZE] + ["goverment budjet", "afganistan"]
    browse_static(site, qs, label, "")
    browse_static(site, qs[:10], label + " sorted newest first", "&sort=newest")
    people = [p for doc in list(sdocs.values())[:: max(1, len(sdocs) // 10)] for p in doc["facets"]["person"][:1]]
    browse_static(site, [f'person:"{p}"' for p in people[:10]], label + " person: queries", "")
    if not eager:
        browse_static(site, qs[:10], label + " with filters shown", "&facets=1")


PARTS = (("script", lambda p: p.endswith(".js")), ("wasm", lambda p: p.endswith(".pagefind")),
         ("pf_meta", lambda p: p.endswith(".pf_meta")), ("word chunks", lambda p: p.endswith(".pf_index")),
         ("filters", lambda p: p.endswith(".pf_filter")), ("fragments", lambda p: p.endswith(".pf_fragment")),
         ("spelling", lambda p: p.startswith("/search/spelling/")),
         ("date order", lambda p: p == "/search/order.json"),
         ("facet words", lambda p: p.startswith("/search/facets/")),
         ("bundle words", lambda p: p.startswith("/search/words/")))


def part_of(path: str) -> str:
    return next((name for name, test in PARTS if test(path.split("?")[0])), "other")


def static_server(site: Path, port: int, gzip_host: bool) -> subprocess.Popen:
    if gzip_host:
        code = ("import sys\nfrom waitress import serve\nfrom news_archive.static import StaticFiles\n"
                "serve(StaticFiles(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))\n")
        return subprocess.Popen([sys.executable, "-c", code, str(site), str(port)],
                                env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(site)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def browse_static(site: Path, qs: list[str], label: str, extra: str) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        print(f"{label} static: browser figures skipped ({chromium} not installed)")
        return
    from urllib.parse import quote

    from playwright.sync_api import sync_playwright

    port = free_port()
    server = static_server(site, port, GZIP_HOST[0])
    base = f"http://127.0.0.1:{port}"
    fetched, engine, first, results, warm = [], [], [], [], []
    parts: dict[str, list[int]] = {name: [] for name, _ in PARTS}
    try:
        wait_until_up(base, server, path="/search/", timeout=5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), args=["--headless=new", "--no-sandbox"])
            for q in qs:
                context = browser.new_context()
                page = context.new_page()
                sizes: list[tuple[str, int]] = []

                def on_finished(request: object, sizes: list[tuple[str, int]] = sizes) -> None:
                    path = request.url.removeprefix(base)
                    if path.startswith(("/pagefind/", "/search/spelling/", "/search/facets/", "/search/order",
                                        "/search/words/", "/theme/js/pagefind-stem.js")):
                        sizes.append((path, request.sizes()["responseBodySize"]))

                page.on("requestfinished", on_finished)
                page.goto(base + "/search/?q=" + quote(q) + extra)
                page.wait_for_selector(".result, .search-empty", timeout=60_000)
                took = page.evaluate("() => performance.now()")
                page.wait_for_load_state("networkidle")
                results.append(page.locator(".result").count())
                fetched.append(sum(n for _, n in sizes))
                for name in parts:
                    parts[name].append(sum(n for p, n in sizes if part_of(p) == name))
                engine.append(sum(n for p, n in sizes if p.endswith((".js", ".pagefind"))))
                first.append(took)
                # A second query in the same visit: only the new chunks and fragments.
                sizes.clear()
                page.goto(base + "/search/?q=" + quote(qs[(qs.index(q) + 1) % len(qs)]) + extra)
                page.wait_for_selector(".result, .search-empty", timeout=60_000)
                page.wait_for_load_state("networkidle")
                warm.append(sum(n for _, n in sizes))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    index_only = sorted(f - e for f, e in zip(fetched, engine, strict=True))
    fetched.sort()
    first.sort()
    warm.sort()

    def p95(xs: list[float]) -> float:
        return xs[max(0, int(len(xs) * 0.95) - 1)]

    print(f"{label} static: {len(qs)} queries, each in a fresh browser (nothing cached): bytes fetched per query "
          f"median {statistics.median(fetched) / 1024:.0f} KiB, p95 {p95(fetched) / 1024:.0f} KiB, max "
          f"{fetched[-1] / 1024:.0f} KiB; time to first result median {statistics.median(first):.0f} ms, "
          f"p95 {p95(first):.0f} ms ({sum(1 for r in results if r)} of {len(qs)} queries found stories); "
          f"of the bytes, {statistics.median(engine) / 1024:.0f} KiB (median) are Pagefind's script and "
          f"WebAssembly, fetched once per visit; the index's own: median {statistics.median(index_only) / 1024:.0f}"
          f" KiB, p95 {p95(index_only) / 1024:.0f} KiB; a second query in the same visit fetches median "
          f"{statistics.median(warm) / 1024:.0f} KiB, p95 {p95(warm) / 1024:.0f} KiB")
    print(f"{label} static: served by {'the site static-file app (gzip)' if GZIP_HOST[0] else 'http.server (no gzip)'}"
          "; median KiB of each part of a first query: "
          + ", ".join(f"{name} {statistics.median(v) / 1024:.0f} (p95 {p95(sorted(v)) / 1024:.0f})"
                      for name, v in parts.items()))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="BBC corpus only and a 10 s load run")
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--load-seconds", type=int, default=30)
    ap.add_argument("--static", action="store_true", help="the static search column only")
    ap.add_argument("--gzip-host", action="store_true",
                    help="serve the static column with the site's static-file app (gzip), not http.server")
    ap.add_argument("--service", action="store_true", help="the service column only (no static column)")
    ap.add_argument("--bundles", type=int, default=1, help="the static column's index in this many Pagefind bundles")
    ap.add_argument("--workers", type=int, default=0, help="`serve --workers` for the load runs (0: one per core)")
    ap.add_argument("--index-root", default=None,
                    help="build the big index here and keep it; reused as it is when already built")
    ap.add_argument("--swap-nice", type=int, default=0,
                    help="run the rebuilds that swap the index at this nice increment (a rebuild on a serving "
                         "machine would be niced: the service then keeps the cores it needs)")
    ap.add_argument("--swaps", type=int, default=0,
                    help="exactly this many rebuilds during the swap load run, evenly spread (compare runs "
                         "with the same number; default: rebuild for as long as the run lasts)")
    ap.add_argument("--load-only", choices=("on", "off", "both"), default=None,
                    help="only the load runs (answer cache on, off or both), on a copy of --index-root "
                         "(built already), so that the rebuilds of the swap run leave the kept index as it was")
    ap.add_argument("--swap-cpu", type=int, default=0, metavar="ROUNDS",
                    help="CPU cost of ROUNDS index swaps to one worker (with --index-root, built already)")
    ap.add_argument("--rebuild-once", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--round", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--swap", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--swap-seconds", type=int, default=30, help=argparse.SUPPRESS)
    args = ap.parse_args()
    GZIP_HOST[0] = args.gzip_host
    STATIC_BUNDLES[0] = args.bundles
    SWAP_NICE[0] = args.swap_nice
    SWAPS[0] = args.swaps
    if args.rebuild_once:
        rebuild_once(Path(args.rebuild_once), args.round)
        return 0
    if args.swap_cpu:
        swap_cpu(Path(args.index_root), queries(bbc_articles(), 300), args.swap_cpu)
        return 0
    if args.load_only:
        copy = Path(tempfile.mkdtemp(prefix="bench-search-load-")) / "root"
        shutil.copytree(args.index_root, copy, symlinks=True)
        try:
            for cache in {"on": (None,), "off": (0,), "both": (None, 0)}[args.load_only]:
                load_run(copy, queries(bbc_articles(), 300), args.load_seconds, args.workers, cache)
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
        return 0
    if args.swap:
        swap_loop(Path(args.swap), args.swap_seconds, args.swaps)
        return 0
    if not BBC.exists():
        print(f"bench/search.py: skipped, shared data not available at {BBC}")
        return 0
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    print(f"commit {commit}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, "
          f"{platform.platform()}; load average at start {os.getloadavg()[0]:.1f}")
    arts = bbc_articles()
    qs = queries(arts, 300)
    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        bbc_docs = documents(arts, len(arts))
        if args.static:
            static_column(tmp / "bbc", bbc_docs, qs, f"BBC {len(bbc_docs):,}")
            if not args.quick:
                static_column(tmp / "big", documents(arts, args.n), qs, f"{args.n // 1000}k")
            return 0
        gen = build(tmp / "bbc", bbc_docs, "BBC")
        latency(gen, qs, "BBC latency")
        known_item(gen, arts, bbc_docs)
        if not args.service:
            static_column(tmp / "bbc", bbc_docs, qs, f"BBC {len(bbc_docs):,}")
        if args.quick:
            (tmp / "bbc" / "n").write_text(str(len(arts)))
            load(tmp / "bbc", bbc_docs, qs, 10, args.workers)
            return 0
        big = documents(arts, args.n)
        big_root = Path(args.index_root) if args.index_root else tmp / "big"
        if args.index_root and (big_root / "n").exists() and (big_root / "n").read_text() == str(args.n):
            gen = (big_root / "index").resolve()
            print(f"{args.n // 1000}k: the index built earlier in {big_root} ({gen.name})")
        else:
            gen = build(big_root, big, f"{args.n // 1000}k")
        latency(gen, qs, f"{args.n // 1000}k latency")
        if not args.service:
            static_column(tmp / "big", big, qs, f"{args.n // 1000}k")
        (big_root / "n").write_text(str(args.n))
        load(big_root, big, qs, args.load_seconds, args.workers)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
