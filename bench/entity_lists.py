"""The lists an editor would audit: the most covered entities per type, and how many
entities and tags gather a single story.

    PYTHONPATH=plugins .venv/bin/python bench/entity_lists.py ARCHIVE [--top 60] [--json FILE]

ARCHIVE is a built archive: its project directory (with ``content/generated``) or its
output directory (the project is then its parent).  The figures come from the generated
pages' metadata (``People:``, ``Organisations:``, ``Places:``, ``Tags:``), which is what
the entity and tag pages are built from, so they do not depend on the theme.  A person
reads the printed lists and counts the wrong types (the audit of issue 12); the script
does not judge them; ``--by-confidence`` ranks them as the site does, by stories ×
(1 − the type's uncertainty, from the build's ``var/cache/ner/evidence.json``).  With
``--related NAME`` it also prints the entities most often
mentioned with NAME, ranked as the entity pages rank them (``taxonomy.top_related``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

KEYS = {"people": "person", "organisations": "organisation", "places": "place"}


def generated_dir(archive: Path) -> Path:
    for base in (archive, archive.parent):
        if (base / "content" / "generated").is_dir():
            return base / "content" / "generated"
    raise SystemExit(f"{archive}: no content/generated beside it (is it a built archive?)")


def read_pages(gen: Path) -> list[dict[str, list[str]]]:
    """Each generated page's entity and tag lists, from its metadata header."""
    pages = []
    for md in sorted(gen.glob("*.md")):
        meta: dict[str, list[str]] = {}
        with md.open(encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    break
                name, _, value = line.partition(":")
                name = name.strip().casefold()
                if name in KEYS or name == "tags":
                    sep = ";" if ";" in value else ","
                    meta[name] = [v.strip() for v in value.split(sep) if v.strip()]
        pages.append(meta)
    return pages


def single_rate(counts: Counter[str]) -> str:
    single = sum(1 for n in counts.values() if n == 1)
    return f"{single:,} of {len(counts):,} ({single / len(counts):.0%})" if counts else "0 of 0"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", type=Path)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--related", action="append", default=[], help="print the co-mentions of this entity")
    parser.add_argument("--json", type=Path, help="also write the lists here")
    parser.add_argument("--by-confidence", action="store_true",
                        help="rank by stories x (1 - uncertainty), the site's order (var/cache/ner/evidence.json)")
    args = parser.parse_args(argv)
    gen = generated_dir(args.archive)
    pages = read_pages(gen)
    doubt: dict[str, float] = {}
    if args.by_confidence:
        from news_archive.enrich.review import doubts, load

        doubt = doubts(load(gen.parent.parent / "var"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"{len(pages):,} stories in {args.archive} (code at {commit.stdout.strip() or '?'})")
    per_type: dict[str, Counter[str]] = {t: Counter() for t in KEYS.values()}
    tags: Counter[str] = Counter()
    for meta in pages:
        for k, t in KEYS.items():
            per_type[t].update(set(meta.get(k, [])))
        tags.update(set(meta.get("tags", [])))
    entities = Counter({(t, n): c for t, cs in per_type.items() for n, c in cs.items()})
    out: dict[str, object] = {}
    for t, cs in per_type.items():
        def weight(item: tuple[str, int], t: str = t) -> float:
            return item[1] * (1.0 - doubt.get(f"{t}\t{item[0]}", 0.0))

        top = sorted(cs.items(), key=lambda x: (-weight(x), x[0].casefold()))[: args.top]
        out[t] = top
        order = "stories x (1 - uncertainty)" if args.by_confidence else "stories"
        print(f"\n== top {args.top} {t} ({order}) ==")
        for i, (name, n) in enumerate(top, 1):
            print(f"{i:3}. {name} ({n})")
    names = {n.casefold() for (_, n) in entities}
    dup = sorted((t for t in tags if t.casefold() in names), key=lambda t: -tags[t])
    print(f"\nentities with a single story: {single_rate(entities)}")
    for t, cs in per_type.items():
        print(f"  {t}: {single_rate(cs)}")
    print(f"tags with a single story: {single_rate(tags)}")
    print(f"tags that are also an entity's name: {len(dup):,} (e.g. {', '.join(dup[:8])})")
    print(f"top {args.top} tags: {', '.join(f'{t} ({n})' for t, n in tags.most_common(args.top))}")
    for name in args.related:
        print(f"\nmost often mentioned with {name}: {', '.join(related(pages, name))}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def related(pages: list[dict[str, list[str]]], name: str) -> list[str]:
    """The co-mentions of one entity as its page ranks them (taxonomy.top_related)."""
    from news_archive import taxonomy

    class Ent:  # what top_related reads of an entity
        def __init__(self, label: str) -> None:
            self.name, self.articles = label, []

    ents: dict[str, Ent] = {}
    co: Counter[int] = Counter()
    index: dict[str, int] = {}
    together = defaultdict(int)
    for meta in pages:
        found = {n for k in KEYS for n in meta.get(k, [])}
        for n in found:
            ents.setdefault(n, Ent(n)).articles.append(meta)
        if name in found:
            for n in found - {name}:
                together[n] += 1
    listing = list(ents.values())
    index = {e.name: i for i, e in enumerate(listing)}
    for n, c in together.items():
        co[index[n]] = c
    total = len(pages)
    try:
        ranked = taxonomy.top_related(co, listing, own=len(ents[name].articles) if name in ents else 0, total=total)
    except TypeError:  # the older signature: by raw count
        ranked = taxonomy.top_related(co, listing)
    return [f"{e.name} ({n})" for e, n in ranked]


if __name__ == "__main__":
    sys.exit(main())
