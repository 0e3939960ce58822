"""Why pages were rendered again: one build of a kept archive (``bench/build.py --keep``),
in this process, with every rendered page's template variables digested one by one.

The skipping writer renders a page when the digest of its template variables changed
(``skipping_writer.RenderMemo.page_digest``); this script records each variable's own
digest (and, for a page's subject -- an article, an entity --, each of its fields) in
``<work>/page-variables.json`` and, against what the previous run of this script left
there, prints for each template how many pages were rendered and which variables (and
fields) had changed on them.  So "3,199 entity pages rendered" becomes "2,900 because
``entity.related`` changed".

    .venv/bin/python bench/rerender.py /tmp/k/n2000            # a build as things are
    .venv/bin/python bench/rerender.py /tmp/k/n2000 --walk     # first: record every page
    .venv/bin/python bench/rerender.py /tmp/k/n2000 --change   # 1 dump added, 1 changed, 1 removed first
    .venv/bin/python bench/rerender.py /tmp/k/n2000 --add      # 1 dump added (as the watch benchmark)
    .venv/bin/python bench/rerender.py /tmp/k/n2000 --profile /tmp/p.prof

The first run on an archive (with ``--walk``) only records (nothing to compare with).  The digests cost
time: the phases it prints are for where the time goes, not for figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build as bench  # noqa: E402

RECORD = "page-variables.json"


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _fields(fp: Any, node: Any) -> dict[str, str]:
    """Each field of a node, with the faces of the nodes that field points at."""
    out: dict[str, str] = {}
    for key, value in sorted(fp.fields(node).items()):
        parts: list[str] = []
        nodes: list[Any] = []
        fp._encode(value, parts, nodes)
        parts += [fp.face(n).hex() for n in nodes]
        out[key] = fp._digest(parts).hex()
    return out


def _item(fp: Any, item: Any) -> str:
    """What a list shows of one item (a story's summary; a (tag, stories) pair as a whole), short."""
    return (fp.summary(item) if fp.is_node(item) else fp.value(item)).hex()[:10]


def pages_of(items: list[str], per_page: int, orphans: int, oldest_first: bool) -> list[list[str]]:
    """The pages of a list as Pelican splits it (newest first), or, with ``oldest_first``, as
    a list whose pages are counted from its oldest end would (page 1 the oldest ``per_page``:
    a story added at the newest end then changes only the newest page)."""
    seq = list(reversed(items)) if oldest_first else items
    pages, i = [], 0
    while i < len(seq) or not pages:
        top = i + per_page
        if top + orphans >= len(seq):
            top = len(seq)
        pages.append(seq[i:top])
        i = top
    return pages


def changed_pages(old: list[Any], new: list[Any], oldest_first: bool) -> int:
    a, b = pages_of(old[2], old[0], old[1], oldest_first), pages_of(new[2], new[0], new[1], oldest_first)
    return sum(1 for k in range(max(len(a), len(b))) if k >= len(a) or k >= len(b) or a[k] != b[k])


def patch(now: dict[str, dict[str, Any]], lists: dict[str, Any]) -> None:
    """Record, for every page digest taken, each variable's digest (and a subject's fields)."""
    from news_archive import skipping_writer

    original = skipping_writer.RenderMemo._page_digest

    def _page_digest(self: Any, template: Any, context: dict[str, Any]) -> str | None:
        digest = original(self, template, context)
        names = self._names(template)
        name = context.get("output_file", "")
        if names is None or not name:
            return digest
        fp = self.fingerprints
        entry: dict[str, Any] = {"template": template.name}
        for key in names:
            if key in context:
                value = context[key]
                entry[key] = fp.value(value).hex()
                if fp.is_node(value):
                    entry[key + "."] = _fields(fp, value)
            if key.endswith("_page") and hasattr(value, "object_list") and hasattr(value, "paginator"):
                entry[key + ".object_list"] = fp.value(list(value.object_list)).hex()
                pag = value.paginator
                if value.number == 1 and key[:-5] + "_paginator" in context:
                    lists[name + " " + key] = [pag.per_page, pag.orphans,
                                               [_item(fp, x) for x in pag.object_list]]
        now[name] = entry
        return digest

    skipping_writer.RenderMemo._page_digest = _page_digest


def compare(before: dict[str, Any], now: dict[str, Any], rendered: set[str],
            lists_before: dict[str, Any], lists_now: dict[str, Any]) -> str:
    pages: Counter[str] = Counter()
    same_items: Counter[str] = Counter()
    causes: dict[str, Counter[str]] = defaultdict(Counter)
    for name in sorted(rendered):
        entry = now.get(name)
        if entry is None:
            continue
        template = entry["template"]
        pages[template] += 1
        old = before.get(name)
        if old is None:
            causes[template]["(new page)"] += 1
            continue
        slices = [k for k in entry if k.endswith("_page.object_list")]
        if slices and all(old.get(k) == entry[k] for k in slices):
            same_items[template] += 1
        for key, value in entry.items():
            if key == "template" or key.endswith(".") or key.endswith(".object_list"):
                continue
            if old.get(key) != value:
                fields = entry.get(key + ".")
                changed = ([f for f, d in fields.items() if (old.get(key + ".") or {}).get(f) != d]
                           if fields else [])
                causes[template][key + (f" ({', '.join(changed)})" if changed else "")] += 1
    lines = []
    shift: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, new in lists_now.items():
        old = lists_before.get(key)
        if old is None or not new[2]:
            continue
        template = now.get(key.split(" ", 1)[0], {}).get("template", "?")
        shift[template][0] += 1
        shift[template][1] += changed_pages(old, new, False)
        shift[template][2] += changed_pages(old, new, True)
    for template, n in pages.most_common():
        lines.append(f"{template}: {n} rendered; {same_items[template]} of them show the same stories "
                     "as before (only counts, page numbers or other parts changed)")
        if template in shift:
            lists_, newest, oldest = shift[template]
            lines.append(f"    of {lists_} paginated lists walked: {newest} pages hold other stories than before; "
                         f"numbered from the oldest story, {oldest} would")
        for cause, m in causes[template].most_common(12):
            lines.append(f"    {m:6d}  {cause}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="an archive folder bench/build.py --keep left (…/n2000)")
    parser.add_argument("--change", action="store_true", help="first add one dump, change one, remove one")
    parser.add_argument("--add", action="store_true", help="first add one new dump (what the watch benchmark does)")
    parser.add_argument("--profile", type=Path, help="run the build under cProfile, stats saved here")
    parser.add_argument("--walk", action="store_true",
                        help="forget the memo's whole-call entries first, so that every page is walked and "
                             "its variables recorded (the first run on an archive needs it)")
    args = parser.parse_args(argv)
    n = int(args.root.name.lstrip("n"))
    archive = bench.Archive(n, args.root, 3600, 2)
    if args.change:
        archive.change_three()
    if args.add:
        added = archive.n
        while (archive.dumps / bench.synth.dump_name(added)).exists():
            added += 1
        bench.synth.write_dumps(added + 1, archive.dumps, archive.corpus, start=added)
    if args.walk:
        memo_path = archive.work / "render-memo.json"
        data = bench._load(memo_path)
        data["calls"] = {}
        memo_path.write_text(json.dumps(data), encoding="utf-8")
    now: dict[str, dict[str, Any]] = {}
    lists: dict[str, Any] = {}
    if not args.profile:  # a profile is of the build as it is, without the recording
        patch(now, lists)
    record = archive.work / RECORD
    before = bench._load(record)
    settings = {"PATH": str(archive.content), "NEWS_ARCHIVE_WORK_DIR": str(archive.work),
                "THEME": str(bench.ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False,
                "NEWS_ARCHIVE_NER_PROCESSES": 2}
    argv_p = [str(archive.content), "-s", str(bench.ROOT / "pelicanconf.py"), "-o", str(archive.output),
              "--fatal", "errors", "-e", *(f"{k}={json.dumps(v)}" for k, v in settings.items())]
    os.chdir(archive.site)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764000000")
    from pelican import main as pelican_main

    cpu, started = _cpu(), time.perf_counter()
    if args.profile:
        import cProfile

        cProfile.runctx("pelican_main(argv_p)", globals(), {"pelican_main": pelican_main, "argv_p": argv_p},
                        str(args.profile))
    else:
        pelican_main(argv_p)
    cpu, wall = _cpu() - cpu, time.perf_counter() - started
    timings = bench._load(archive.work / "build-timings.json")
    rendered = {k for k in now}  # pages whose digest was taken …
    memo = bench._load(archive.work / "render-memo.json").get("pages", {})
    prev_memo = before.get("_memo", {})
    rendered = {k for k in rendered if prev_memo.get(k) != memo.get(k)}  # … and changed: rendered
    if not args.profile:
        merged = {**{k: v for k, v in before.items() if k not in ("_memo", "_lists")}, **now, "_memo": memo,
                  "_lists": {**before.get("_lists", {}), **lists}}
        record.write_text(json.dumps(merged), encoding="utf-8")
    print(f"build: {wall:.1f} s, {cpu:.1f} CPU-s (with the recording's overhead)")
    print("phases: " + json.dumps(timings.get("phases", {})))
    print("page digests: " + str(timings.get("page_digest_seconds")) + " s")
    print("rendered by template: " + json.dumps(timings.get("pages_rendered_by_template", {})))
    print("render_write by template: " + json.dumps(timings.get("render_write_by_template", {})))
    if args.profile:
        import pstats

        pstats.Stats(str(args.profile)).sort_stats("cumulative").print_stats(60)
    elif before:
        print(compare(before, now, rendered, before.get("_lists", {}), lists))
    else:
        print("(first run on this archive: recorded only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
