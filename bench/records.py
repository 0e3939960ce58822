"""How clean the archive's reading of real-world records is, on ../shared/data.

The three real corpora a maintainer meets first (news-please crawler output, fundus
parser output in 24 languages, newspaper4k's multilingual HTML pages) are copied into
a scratch dumps folder and read with the build's own code (``python -m news_archive
extract``).  Printed, with the machine and commit:

* records converted / rejected / duplicate, and a histogram of rejection reasons;
* distinct author strings, how many of them a reviewer judged junk (the list in
  ``bench/records_junk_authors.txt`` was judged by hand on the *input* strings, before
  any rule was written; it is a yardstick, not the rules), and the author strings
  that neither list covers, so a reviewer can judge them;
* furniture paragraphs left in bodies, counted with a list of known furniture
  patterns (below; independent of the extractor's own rules);
* headlines that still end in a site-name suffix (`` - Site``, `` | Site``), where the
  suffix names the record's site (its letters occur in the source domain, or it is
  repeated as a suffix by several records of the same site).

Run: ``.venv/bin/python bench/records.py [--show N] [--json OUT] [--plugins DIR]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "bench"))

CORPORA = {
    "newsplease": DATA / "newsplease_5w1h",
    "fundus": DATA / "fundus_multilingual",
    "newspaper4k": DATA / "newspaper4k_multilingual" / "html",
}

# Paragraphs that are page furniture, not journalism (matched against whole paragraphs,
# or their start where the pattern says so).  Written from reading the corpora's bodies.
FURNITURE = [
    r"advertisement( continue reading the main story)?",
    r"continue reading( the main story)?",
    r"story continued below",
    r"read more:?.{0,120}",
    r"read (also|next|or share this story):?.*",
    r"(see also|related|more):.{0,120}",
    r"scroll down for video",
    r"photo|video|image|photos|videos",
    r"savesave.*",
    r"more-in",
    r"authors?:.*",
    r"the views expressed.*",
    r"(share|tweet|email|pin)( (this|on|via) .*)?",
    r"share (this|on|via) .{0,80}",
    r"sign up for .{0,80}",
    r"keep up with this story and more by subscribing now",
    r"chat with us in facebook messenger.*",
    r"media playback is unsupported on your device.*",
    r"image (copyright|caption) .*",
    r"copyright( ©)? \d{4} .{0,200}",
    r".{0,80}all rights reserved\..{0,160}",
    r"slideshow \(\d+ images\)",
    r"now playing:.*",
    r"(getty images|shutterstock|ap photo|reuters)",
    r"_{3,}|\.{3}",
    r"story highlights .*",
    r"(published|updated|posted|last updated):? .{0,40}\d{1,2}:\d{2}.{0,20}",
    r"by [a-z .'-]{3,60}",
    r"first published,? .{0,60}",
]
_FURNITURE_RE = re.compile(r"^(?:" + "|".join(FURNITURE) + r")\W*$", re.I)
_SEP_RE = re.compile(r"\s+(?:[-|–—•·:»]|::|--)\s+")


def letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def extract(dumps: Path) -> list[dict]:
    from news_archive import __main__ as cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cli.main(["extract", str(dumps)])
    return [json.loads(line) for line in out.getvalue().splitlines()]


def reason_key(reason: str) -> str:
    """A reason without the paths it names, so equal causes count together."""
    reason = re.sub(r"duplicate of .*", "duplicate of …", reason or "")
    return re.sub(r"\(keys: .*\)", "(keys: …)", reason)


def site_suffixes(recs: list[dict]) -> list[tuple[str, str]]:
    """(headline, suffix) for headlines that end in their site's name."""
    by_site: dict[str, Counter[str]] = defaultdict(Counter)
    for r in recs:
        parts = _SEP_RE.split(r.get("headline") or "")
        if len(parts) > 1:
            by_site[r.get("source") or ""][letters(parts[-1])] += 1
    found = []
    for r in recs:
        parts = _SEP_RE.split(r.get("headline") or "")
        if len(parts) < 2 or len(parts[-1].split()) > 6:
            continue
        host = letters(urlsplit(r.get("url") or "").hostname or "") + " " + letters(r.get("source") or "")
        for tail in parts[:0:-1]:  # from the last segment back: 'Hawaii News Now - KGMB and KHNL'
            words = tail.split()
            if len(words) > 6:
                break
            key = letters(tail)
            acronym = letters("".join(w[0] for w in words[:-1]) + words[-1]) if len(words) > 1 else ""
            if key and (key in host or (acronym and acronym in host) or by_site[r.get("source") or ""][key] >= 2
                        or (len(letters(words[0])) >= 2 and letters(words[0]) in host.split("www")[-1][:4])):
                found.append((r["headline"], tail))
                break
    return found


def main() -> int:
    from build import machine

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--show", type=int, default=15, help="examples to print per finding")
    ap.add_argument("--json", help="write the figures and lists here")
    ap.add_argument("--plugins", default=str(ROOT / "plugins"),
                    help="the plugins folder to measure (another commit's: `git archive C plugins`, "
                         "with BENCH_COMMIT=C)")
    args = ap.parse_args()
    sys.path.insert(0, args.plugins)
    missing = [str(p) for p in CORPORA.values() if not p.exists()]
    if missing:
        print(f"shared data not available: {', '.join(missing)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="records-bench-") as tmp:
        dumps = Path(tmp) / "dumps"
        for name, src in CORPORA.items():
            shutil.copytree(src, dumps / name, symlinks=False)
        recs = extract(dumps)
        for r in recs:
            r["path"] = r["path"].replace(str(dumps) + "/", "")
    m = machine()
    print(f"# bench/records.py — {m['date']}, commit {m['commit']}")
    print(f"machine: {m['nproc']} CPUs, {m['memory']}, {m['cpu']}, Python {m['python']}\n")

    status = Counter((r["path"].split("/")[0], r["status"]) for r in recs)
    print("| corpus | converted | rejected | duplicate |\n|---|---|---|---|")
    for corpus in CORPORA:
        print(f"| {corpus} | {status[corpus, 'converted']} | {status[corpus, 'rejected']} | "
              f"{status[corpus, 'duplicate']} |")
    total = Counter(r["status"] for r in recs)
    print(f"| all ({len(recs)} records) | {total['converted']} | {total['rejected']} | {total['duplicate']} |\n")
    print("Rejection reasons:")
    for reason, n in Counter(reason_key(r["reason"]) for r in recs if r["status"] == "rejected").most_common():
        print(f"  {n:4d}  {reason}")

    converted = [r for r in recs if r["status"] == "converted"]
    judged = ROOT / "bench" / "records_junk_authors.txt"
    junk_list: set[str] = set()
    good_list: set[str] = set()
    section: set[str] | None = None
    for ln in judged.read_text(encoding="utf-8").splitlines():
        if ln.startswith("# junk"):
            section = junk_list
        elif ln.startswith("# good"):  # also '# good (salvaged …)'
            section = good_list
        elif ln.strip() and not ln.startswith("#") and section is not None:
            section.add(ln.strip())
    authors = Counter(a for r in converted for a in r["authors"])
    junk = sorted(a for a in authors if a in junk_list)
    unjudged = sorted(a for a in authors if a not in junk_list and a not in good_list)
    print(f"\nAuthor strings: {len(authors)} distinct on {sum(1 for r in converted if r['authors'])} stories; "
          f"judged junk: {len(junk)} distinct ({sum(authors[a] for a in junk)} credits); "
          f"not yet judged: {len(unjudged)}")
    for a in junk[: args.show]:
        print(f"  junk: {a!r} ×{authors[a]}")
    for a in unjudged[: args.show]:
        print(f"  unjudged: {a!r} ×{authors[a]}")

    furniture = Counter()
    for r in converted:
        for p in (r["body"] or "").split("\n\n"):
            if _FURNITURE_RE.match(p.strip()):
                furniture[p.strip()[:70]] += 1
    print(f"\nFurniture paragraphs left in bodies: {sum(furniture.values())} "
          f"({len(furniture)} distinct)")
    for p, n in furniture.most_common(args.show):
        print(f"  {n:4d}  {p!r}")
    first_line = Counter()
    for r in converted:
        first = (r["body"] or "").split("\n\n", 1)[0]
        if first.strip().casefold() == (r["headline"] or "").strip().casefold():
            first_line["repeats the headline"] += 1
    print(f"Bodies whose first paragraph repeats the headline: {first_line['repeats the headline']}")

    suffixed = site_suffixes(converted)
    print(f"\nHeadlines ending in their site's name: {len(suffixed)}")
    for h, s in suffixed[: args.show]:
        print(f"  {h!r}  (suffix {s!r})")

    # newspaper4k's own extraction of its pages (its test fixtures) as a reference: not a
    # human ground truth, but a second reader's opinion of where each body is.
    from extraction import page_score, prf

    meta = DATA / "newspaper4k_multilingual" / "metadata"
    scores = []
    for r in converted:
        if r["path"].startswith("newspaper4k/"):
            ref = json.loads((meta / (Path(r["path"]).stem + ".json")).read_text(encoding="utf-8"))
            scores.append(page_score(ref.get("text") or "", r["body"] or ""))
            print(f"  {Path(r['path']).name}: F1 vs newspaper4k "
                  f"{prf([scores[-1]])[2]:.3f}, headline {'=' if r['headline'] == ref.get('title') else '≠'} "
                  f"{ref.get('title')!r}")
    if scores:
        p, rc, f = prf(scores)
        print(f"newspaper4k pages: body vs newspaper4k's extraction P {p:.3f} R {rc:.3f} F1 {f:.3f} ({len(scores)})")

    dates = Counter()
    for r in converted:
        p = r["published"] or ""
        if not p:
            dates["none"] += 1
        elif len(p) == 10:
            dates["date only"] += 1
        elif re.search(r"[+-]\d{2}:\d{2}$", p):
            dates["date, time and zone"] += 1
        else:
            dates["time without zone" + (" (midnight)" if p.endswith("T00:00:00") else "")] += 1
    print("\nPublished dates: " + ", ".join(f"{k} {v}" for k, v in sorted(dates.items())))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": m, "status": {f"{c}/{s}": n for (c, s), n in status.items()},
            "junk_authors": junk, "unjudged_authors": unjudged, "furniture": dict(furniture),
            "suffixed": suffixed, "dates": dict(dates),
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
