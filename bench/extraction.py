"""Body-extraction quality on ../shared/data/extraction, with the benchmark's own metric.

The scrapinghub article-extraction benchmark scores an extracted body against the
human-marked one like this (see ../shared/data/INDEX.md): tokenize with ``\\w+``,
take 4-token shingles (a text shorter than 4 tokens is one shingle), count TP/FP/FN
over the shingle multisets, normalise the three to sum to 1 per page, average
precision over pages with TP+FP>0 and recall over pages with TP+FN>0, and report
F1 of the two averages.

Printed: the full-page text dumps (our text extractor), the HTML pages (our HTML
reader, trafilatura), the keep-all baseline (every line of the text dump), and the
headline exact-match rate (our headline vs the page title's headline part).  To show
the text rules are general rather than fitted to these pages, the text figures are
also printed separately for two halves of the pages (alternate pages in index order): rules
tuned on one half should score about the same on the other.

A second part times near-duplicate detection (``dedupe.py``, MinHash + LSH) on an
archive synthesised from the BBC corpus: N distinct stories (each a deterministic mix
of sentences from several BBC articles) plus planted near-copies (a word changed per
paragraph, a paragraph dropped), and prints time, the planted copies found and the
distinct stories wrongly merged.

Printed first: the machine and the commit measured.

Run: ``PYTHONPATH=plugins .venv/bin/python bench/extraction.py [--worst K] [--dedupe N]``
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "extraction"
sys.path.insert(0, str(ROOT / "plugins"))

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def page_score(truth: str, pred: str) -> tuple[float, float, float]:
    """Normalised (TP, FP, FN) of one page."""
    t, p = shingles(truth), shingles(pred)
    tp = fp = fn = 0.0
    for key in t.keys() | p.keys():
        a, b = t.get(key, 0), p.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def prf(scores: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    precisions = [tp / (tp + fp) for tp, fp, _ in scores if tp + fp > 0]
    recalls = [tp / (tp + fn) for tp, _, fn in scores if tp + fn > 0]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _norm_headline(text: str) -> str:
    return " ".join(_TOKEN_RE.findall(text.casefold()))


_SEPARATOR_RE = re.compile(r"\s+(?:[-|–—•·:»«]|::|--)\s+")


def title_headlines(title: str) -> set[str]:
    """What counts as the true headline of a page: its title line, or the title with the
    site name cut off at a separator ('<headline> - <site>', '<site> | <headline>')."""
    found = {_norm_headline(title)}
    for m in _SEPARATOR_RE.finditer(title):
        found.add(_norm_headline(title[: m.start()]))
        found.add(_norm_headline(title[m.end() :]))
    return found - {""}


def synth_archive(n: int, copies: int) -> tuple[list, set[tuple[str, str]]]:
    """n distinct stories from BBC sentences, plus `copies` near-copies of some of them."""
    from news_archive.story import Story

    bbc = sorted((DATA.parent / "bbc").glob("*/*.txt"))
    articles = []
    for path in bbc:
        lines = [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]
        sentences = [s for p in lines[1:] for s in re.split(r"(?<=[.!?])\s+", p) if len(s.split()) > 4]
        articles.append((lines[0], sentences))
    stories = []
    for i in range(n):
        # Story i: sentences from four articles chosen by i, so no two stories share much text.
        cycle = i // len(articles)
        picks = [articles[(i * k + k * k + cycle * (k + 3)) % len(articles)] for k in (1, 7, 31, 101)]
        paragraphs = [" ".join(sents[(3 * cycle) % max(1, len(sents)):][:3]) for _, sents in picks if sents]
        stories.append(Story(headline=f"{picks[0][0]} ({i})", body=paragraphs, origin=f"s{i:06d}.txt"))
    planted = set()
    for c in range(copies):
        original = stories[(c * 7919) % n]
        body = [p.replace(" the ", " a ", 1) for p in original.body]
        if len(body) > 3:
            del body[c % len(body)]
        copy = Story(headline=original.headline, body=body, origin=f"z{c:06d}.txt")
        stories.append(copy)
        planted.add((copy.origin, original.origin))
    return stories, planted


def bench_dedupe(n: int) -> None:
    from news_archive.dedupe import Deduplicator

    if not (DATA.parent / "bbc").is_dir():
        print("dedupe: skipped (no ../shared/data/bbc)")
        return
    copies = max(10, n // 20)
    stories, planted = synth_archive(n, copies)
    t0 = time.perf_counter()
    kept, dups = Deduplicator().run(stories)
    elapsed = time.perf_counter() - t0
    found = {(d.origin, o.origin) for d, o in dups}
    print(f"dedupe: {len(stories)} stories ({n} distinct + {copies} planted near-copies) in {elapsed:.1f} s; "
          f"planted copies found {len(found & planted)}/{copies}; distinct stories merged "
          f"{len(found - planted)}")


def bench_bbc(line: Callable[..., str]) -> None:
    """Out-of-sample check on another shape of text dump: the BBC corpus (headline line,
    then paragraphs) must come out whole: headline = line 1, body = the rest."""
    from news_archive.ingest import Rejected
    from news_archive.ingest.text import read_text

    files = sorted((DATA.parent / "bbc").glob("*/*.txt"))
    if not files:
        return
    scores, hits = [], 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
        try:
            story = read_text(text, path.name)
            body, headline = story.text, story.headline
            if story.dateline:  # 'LONDON (AP) —' moved out of the first paragraph
                body = story.dateline + " " + body
        except Rejected:
            body, headline = "", ""
        scores.append(page_score("\n".join(lines[1:]), body))
        hits += " ".join(headline.split()) == " ".join(lines[0].split())
    print(line("BBC stories as bare text dumps", scores))
    print(f"headline exact match (BBC bare text dumps): {hits}/{len(files)} = {hits / len(files):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--worst", type=int, default=0, help="list the K worst text pages")
    ap.add_argument("--no-html", action="store_true", help="skip the (slower) HTML pages")
    ap.add_argument("--dedupe", type=int, default=20000, help="stories for the dedupe timing (0: skip)")
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}; commit {commit.stdout.strip() or '?'}", flush=True)
    if args.dedupe:
        bench_dedupe(args.dedupe)
    if not (DATA / "index.csv").exists():
        print(f"skipped: benchmark data not found at {DATA} (needs ../shared/data)")
        return 0

    from news_archive.ingest import Rejected, site_furniture
    from news_archive.ingest.decode import decode
    from news_archive.ingest.html_page import read_html
    from news_archive.ingest.site_furniture import page_lines
    from news_archive.ingest.text import read_text

    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader((DATA / "index.csv").open(encoding="utf-8")))
    texts = {r["file"]: decode((DATA / "txt" / r["file"]).read_bytes()) for r in rows}
    furniture = site_furniture((name, page_lines(text)) for name, text in texts.items())

    keep_all, text_scores, html_scores = [], [], []
    halves: dict[str, list[tuple[float, float, float]]] = {"even": [], "odd": []}
    headline_hits = headline_total = 0
    per_page = []
    t0 = time.perf_counter()
    for n, r in enumerate(rows):
        gt = truth[r["benchmark_id_sha256"]]["articleBody"]
        raw = texts[r["file"]]
        keep_all.append(page_score(gt, raw))
        try:
            story = read_text(raw, r["file"], furniture=furniture[r["file"]])
            body, headline = story.text, story.headline
        except Rejected:
            body, headline = "", ""
        s = page_score(gt, body)
        text_scores.append(s)
        halves["even" if n % 2 == 0 else "odd"].append(s)
        per_page.append((s, r["file"]))
        # The page's title line is "<headline> - <site>" or "<headline> | <site>".
        title = raw.strip().split("\n", 1)[0].strip()
        if headline:
            headline_total += 1
            if _norm_headline(headline) in title_headlines(title):
                headline_hits += 1
    t_text = time.perf_counter() - t0
    if not args.no_html:
        t0 = time.perf_counter()
        for r in rows:
            gt = truth[r["benchmark_id_sha256"]]["articleBody"]
            html = gzip.decompress((DATA / "html" / f"{r['benchmark_id_sha256']}.html.gz").read_bytes())
            try:
                body = read_html(decode(html), r["file"]).text
            except Rejected:
                body = ""
            html_scores.append(page_score(gt, body))
        t_html = time.perf_counter() - t0

    def line(name: str, scores: list[tuple[float, float, float]]) -> str:
        p, r, f = prf(scores)
        return f"{name:<34} {len(scores):>5} {p:>9.3f} {r:>7.3f} {f:>7.3f}"

    print(f"{'extraction benchmark':<34} {'pages':>5} {'precision':>9} {'recall':>7} {'F1':>7}")
    print(line("keep-all baseline (text dumps)", keep_all))
    print(line("text dumps (ingest/text.py)", text_scores))
    print(line("  half A (pages 1, 3, 5, …)", halves["even"]))
    print(line("  half B (pages 2, 4, 6, …)", halves["odd"]))
    if html_scores:
        print(line("HTML pages (trafilatura)", html_scores))
    print(f"headline exact match (text dumps): {headline_hits}/{len(rows)} = {headline_hits / len(rows):.3f}"
          f" (vs the page's title line minus the site name; a headline was given for {headline_total})")
    print(f"time: text {t_text:.1f} s" + (f", HTML {t_html:.1f} s" if html_scores else ""))
    bench_bbc(line)
    if args.worst:
        for (tp, fp, fn), name in sorted(per_page)[: args.worst]:
            print(f"  {name}: tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
