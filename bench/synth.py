"""Synthetic news archives of any size, made from the BBC corpus in ../shared/data/bbc/.

A benchmark is only as honest as its input.  Up to the corpus size (2,095 stories)
each dump is one real BBC story re-shaped into the scrape-text format of the seed
dump (breadcrumb, headline, ``by AFP``-style byline, photo caption, dek, paragraphs,
footer).  Above that, every further dump is a *different* story as far as the
pipeline can tell: its headline, date, source and byline vary deterministically,
and its body recombines paragraphs of three stories (about a third each, a
different half of the base story's paragraphs in alternate variants, a third
of each partner), so
near-duplicate detection keeps it: 5-word-shingle Jaccard similarity and
containment against any other dump stay far below the detector's thresholds.

Each dump gets a ``<dump>.meta.json`` sidecar with ``published``, ``url`` and
``section`` (one in twenty stays undated, as real archives do), so period archives
spread over six years.  The same records also render as plain Markdown pages for
the bare-Pelican anchor (title, date, body; nothing else).

Everything is a pure function of (N, corpus): the same N gives byte-identical files.

Run it alone to write an archive: ``python bench/synth.py 2000 /tmp/archive``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "data" / "bbc"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")

SOURCES = ("AFP", "Reuters", "AP", "BBC", "dpa", "Xinhua", "UPI", "EFE")
DATELINES = ("LONDON", "PARIS", "NEW YORK", "BRUSSELS", "BERLIN", "TOKYO", "NAIROBI", "SYDNEY")
FIRST_NAMES = ("Anna", "Ben", "Clara", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "James",
               "Kofi", "Laura", "Marta", "Nadia", "Omar", "Paul", "Rosa", "Sam", "Tariq", "Yuki")
LAST_NAMES = ("Abbott", "Barros", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hassan", "Ito",
              "Jensen", "Kowalski", "Lopez", "Mensah", "Novak", "Okafor", "Patel", "Quinn", "Rossi",
              "Silva", "Tanaka")
QUALIFIERS = ("latest", "analysis", "reaction", "what we know", "explainer", "update",
              "the background", "in detail", "timeline", "views from the region", "live report",
              "key questions")
EPOCH = datetime(2004, 1, 1, 6, 0, tzinfo=UTC)
DAYS = 6 * 365


@dataclass(frozen=True)
class Source:
    """One BBC story: headline and paragraphs, and which section it came from."""

    headline: str
    paragraphs: tuple[str, ...]
    section: str


@dataclass(frozen=True)
class Record:
    """One synthetic story, before it is written as a dump or as plain Markdown."""

    number: int
    headline: str
    paragraphs: tuple[str, ...]
    section: str
    source: str
    authors: tuple[str, ...]
    published: datetime | None
    dateline: str


def available() -> bool:
    return BBC.is_dir()


def load_corpus(root: Path = BBC) -> list[Source]:
    """Every BBC story, interleaved by section so any prefix mixes all five sections."""
    by_section: list[list[Source]] = []
    for section in CATEGORIES:
        stories = []
        for path in sorted((root / section).glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
            blocks = [re.sub(r"\s+", " ", b).strip() for b in text.split("\n\n")]
            blocks = [b for b in blocks if b]
            if len(blocks) < 3:
                continue
            stories.append(Source(blocks[0], tuple(blocks[1:]), section))
        by_section.append(stories)
    out: list[Source] = []
    for i in range(max(len(s) for s in by_section)):
        out.extend(s[i] for s in by_section if i < len(s))
    return out


def record(number: int, corpus: list[Source]) -> Record:
    """The ``number``-th story of every synthetic archive (independent of N)."""
    size = len(corpus)
    base_i, variant = number % size, number // size
    base = corpus[base_i]
    if variant == 0:
        headline, paragraphs = base.headline, base.paragraphs
    else:
        # Three stories, about a third each: two variants of one base story share at most
        # half of its sentences, i.e. about a sixth of their text, so near-duplicate
        # detection (Jaccard or containment of word shingles) keeps them apart.
        first = (base_i + 1 + (variant * 7919) % (size - 1)) % size
        second = (base_i + 1 + (variant * 104729 + size // 2) % (size - 1)) % size
        if second in (first, base_i):
            second = (second + 1) % size if (second + 1) % size != base_i else (second + 2) % size
        # By sentence, not paragraph (many BBC stories are one short lead and one long
        # block): every other sentence of the base story, a third of each partner (the
        # corpus holds a few stories twice: two partners that are the same text must
        # still not add up to most of it), regrouped three sentences to a paragraph.
        own = _sentences(base.paragraphs)[variant % 2 :: 2][:12]
        paragraphs = _paragraphs(own + _third(_sentences(corpus[first].paragraphs), 1)
                                 + _third(_sentences(corpus[second].paragraphs), 2))
        qualifier = QUALIFIERS[(number * 5) % len(QUALIFIERS)]
        headline = f"{base.headline}: {qualifier} {variant + 1}"
    rank = (number * 2654435761) % 2**32
    published = None if number % 20 == 19 else EPOCH + timedelta(
        days=rank % DAYS, hours=rank % 13, minutes=rank % 60
    )
    source = SOURCES[number % len(SOURCES)]
    authors: tuple[str, ...] = ()
    if number % 3 == 0:
        authors = (f"{FIRST_NAMES[rank % 20]} {LAST_NAMES[(rank // 20) % 20]}",)
        if number % 9 == 0:
            authors += (f"{FIRST_NAMES[(rank // 400) % 20]} {LAST_NAMES[(rank // 8000) % 20]}",)
    dateline = DATELINES[(rank // 7) % len(DATELINES)] if number % 4 == 1 else ""
    return Record(number, headline, paragraphs, base.section, source, authors, published, dateline)


def _sentences(paragraphs: tuple[str, ...]) -> list[str]:
    return [t for p in paragraphs for t in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“])", p) if t]


def _third(sentences: list[str], k: int) -> list[str]:
    """The k-th third (0, 1, 2) of a story's sentences: at least one, at most eight."""
    n = len(sentences)
    part = sentences[k * n // 3 : (k + 1) * n // 3] or sentences[min(k, n - 1) : min(k, n - 1) + 1]
    return part[:8]


def _paragraphs(sentences: list[str]) -> tuple[str, ...]:
    """Three sentences to a paragraph, each ending like running prose."""
    out = []
    for i in range(0, len(sentences), 3):
        text = " ".join(sentences[i : i + 3])
        out.append(text if text.endswith((".", "!", "?", '"', "”", "'")) else text + ".")
    return tuple(out)


def _dek(paragraphs: tuple[str, ...]) -> str:
    """A one-line standfirst: the second paragraph's first sentence, as a title-like line.

    A dek must not look like running prose (the extractor would take it for the
    body), so it is cut short and loses its final full stop.
    """
    text = paragraphs[1] if len(paragraphs) > 1 else paragraphs[0]
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    words = sentence.split()[:24]
    return " ".join(words).rstrip(".!?,;:")


def scrape_text(rec: Record) -> str:
    """The record as a page scrape, shaped like content/dumps/000_eacdf06b02cf087c.txt."""
    section = rec.section.title()
    if rec.authors:
        byline = "by " + " and ".join(rec.authors) + f", {rec.source}"
    else:
        byline = f"by {rec.source}"
    body = list(rec.paragraphs)
    if rec.dateline:
        body[0] = f"{rec.dateline} ({rec.source}) — {body[0]}"
    lines = [
        f"Home News {section} {rec.headline}",
        rec.headline,
        byline,
        "File Photo",
        _dek(rec.paragraphs),
        *body,
        "Related Articles",
        "Share this:",
        "Leave a Comment",
    ]
    return "\n\n".join(lines) + "\n"


def sidecar(rec: Record) -> dict[str, str]:
    meta = {"url": f"https://news.example.org/{rec.section}/{rec.number:06d}", "section": rec.section.title()}
    if rec.published:
        meta["published"] = rec.published.isoformat()
    return meta


def plain_markdown(rec: Record) -> str:
    """The bare-Pelican anchor page: title, date and body only (an undated story gets
    the same fallback date our pipeline would give it, so both sites hold the same pages)."""
    date = rec.published or EPOCH
    body = "\n\n".join(p.replace("<", "&lt;") for p in rec.paragraphs)
    title = rec.headline.replace("\n", " ")
    return f"Title: {title}\nDate: {date:%Y-%m-%d %H:%M}\nSlug: story-{rec.number:06d}\n\n{body}\n"


def dump_name(number: int) -> str:
    return f"{number // 1000:03d}/{number:06d}.txt"


def write_dumps(n: int, dumps: Path, corpus: list[Source] | None = None, start: int = 0) -> list[Path]:
    """Write dumps ``start`` … ``n-1`` (each with its sidecar) under ``dumps``."""
    corpus = corpus or load_corpus()
    paths = []
    for number in range(start, n):
        rec = record(number, corpus)
        path = dumps / dump_name(number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(scrape_text(rec), encoding="utf-8")
        path.with_name(path.name + ".meta.json").write_text(json.dumps(sidecar(rec)), encoding="utf-8")
        paths.append(path)
    return paths


def write_plain(n: int, folder: Path, corpus: list[Source] | None = None) -> None:
    """The same N stories as plain Markdown for a bare Pelican build."""
    corpus = corpus or load_corpus()
    for number in range(n):
        path = folder / f"{number // 1000:03d}" / f"{number:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(plain_markdown(record(number, corpus)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=0, help="number of dumps (0: just describe the corpus)")
    parser.add_argument("out", type=Path, nargs="?", help="folder to write the dumps into")
    parser.add_argument("--markdown", action="store_true", help="write plain Markdown (bare Pelican) instead")
    args = parser.parse_args(argv)
    if not available():
        print(f"bench/synth.py: skipped, {BBC} is not available")
        return 0
    corpus = load_corpus()
    if not args.n or not args.out:
        print(f"bench/synth.py: {len(corpus)} BBC stories available; "
              "usage: python bench/synth.py N FOLDER [--markdown]")
        return 0
    if args.markdown:
        write_plain(args.n, args.out, corpus)
    else:
        write_dumps(args.n, args.out, corpus)
    print(f"wrote {args.n} {'Markdown pages' if args.markdown else 'dumps'} to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
