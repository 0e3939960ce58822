"""PER / ORG / LOC of CoNLL-style newswire, scored through ``python -m news_archive entities``.

    .venv/bin/python bench/newswire_dev.py /tmp/conll-dev/train-excerpt.txt [--errors]

The file is not in the repository (CoNLL-2003's licence): one sentence a line, tokens
separated by spaces, entities written ``[ORG European Commission]``, documents started by
a ``-DOCSTART-`` line, ``#`` lines ignored.  Use only the *train* or *dev* parts of such a
corpus (eng.train, eng.testa): this is a dev measurement, for tuning.  A document's text
is its sentences, tokens joined by single spaces, one sentence a line: CoNLL-style text
as a wire gives it (all-caps headlines, datelines, tables).  The documents go to the
command together, like one small archive.  Mentions are scored by exact span and type
(MISC is not scored; a prediction on a MISC span counts as a false positive, as in
conlleval).  Without the file the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TYPES = {"PER": "person", "ORG": "organisation", "LOC": "place"}
_ENT_RE = re.compile(r"\[(PER|ORG|LOC|MISC) ([^\]]+)\]")


def read_docs(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, gold spans) per document of the bracketed file."""
    docs: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("-DOCSTART-"):
            docs.append([])
        elif docs:
            docs[-1].append(line.strip())
    out = []
    for lines in docs:
        text, spans = "", []
        for n, line in enumerate(lines):
            if n:
                text += "\n"
            pos = 0
            for m in _ENT_RE.finditer(line):
                text += line[pos:m.start()]
                start = len(text)
                text += m.group(2)
                if m.group(1) in TYPES:
                    spans.append((start, len(text), TYPES[m.group(1)]))
                pos = m.end()
            text += line[pos:]
        out.append((text, spans))
    return out


def run_entities(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """The spans the ``entities`` command gives, per text (person / organisation / place only)."""
    lines = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    done = subprocess.run([sys.executable, "-m", "news_archive", "entities"], input=lines, capture_output=True,
                          text=True, check=True, cwd=ROOT)
    found: dict[int, list[tuple[int, int, str]]] = {}
    for line in done.stdout.splitlines():
        rec = json.loads(line)
        found[rec["id"]] = [(e["start"], e["end"], e["type"]) for e in rec["entities"]
                            if e["type"] in TYPES.values()]
    return [found.get(i, []) for i in range(len(texts))]


def prf(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"{p:.3f}  {r:.3f}  {f:.3f}   ({tp}/{fp}/{fn})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, help="bracketed CoNLL-style file (train or dev part only)")
    ap.add_argument("--errors", action="store_true", help="print every missed and spurious span")
    args = ap.parse_args()
    if not args.path.is_file():
        print(f"{args.path}: no such file; nothing to score (see the docstring for the format)")
        return 0
    docs = read_docs(args.path)
    predicted = run_entities([t for t, _ in docs])
    counts: Counter[tuple[str, str]] = Counter()
    for (text, gold), pred in zip(docs, predicted, strict=True):
        g, p = set(gold), set(pred)
        for s in g & p:
            counts[s[2], "tp"] += 1
        for s in p - g:
            counts[s[2], "fp"] += 1
            if args.errors:
                print(f"  + {s[2]:<12} {text[s[0]:s[1]]!r}")
        for s in g - p:
            counts[s[2], "fn"] += 1
            if args.errors:
                typed = [x[2] for x in p if (x[0], x[1]) == (s[0], s[1])]
                print(f"  - {s[2]:<12} {text[s[0]:s[1]]!r}" + (f" (as {typed[0]})" if typed else ""))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    sents = sum(t.count("\n") + 1 for t, _ in docs)
    print(f"commit {commit}; {args.path} ({len(docs)} documents, {sents} lines); DEV data")
    print("  type               P      R     F1   (tp/fp/fn)")
    for t in ("all", *TYPES.values()):
        keys = TYPES.values() if t == "all" else [t]
        tp, fp, fn = (sum(counts[k, x] for k in keys) for x in ("tp", "fp", "fn"))
        print(f"  {t:<14} {prf(tp, fp, fn)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
