"""Robustness benchmark: a real build over a few hundred hostile and odd dumps, then a query fuzz.

Generates its own mix into a temporary project (never the working tree): articles with
markup and script injection in every field (JSON, JSONL, HTML, text, sidecars),
symlinks out of the dumps folder (files, folders, a loop, a broken one, a FIFO, a link
in content/pages), gzip bombs (2 MB inflating to 2 GB), corrupt and nested gzip, a
sparse file over the size bound, JSON nested 100,000 deep, broken JSON arrays and
JSONL lines, a 1.2-million-character report and a multi-megabyte JSON line, binary
files and images, SVG/RSS/XHTML, empty and whitespace files, text in the wrong
encodings, and odd file names.  Then:

* one real ``python -m pelican`` build with this project's pelicanconf.py pointed at
  the temporary tree (what ``make html`` runs), its exit code and its peak memory (RSS
  and PSS summed over the process tree, sampled every 0.2 s);
* files tried versus files accounted for in the build report;
* live markup in ``output/`` that came from the dumps: every HTML page and every
  Atom/XML file is parsed (lxml), HTML carried inside feeds (``type="html"``) parsed
  again, and script elements (other than the theme's search script and JSON-LD that
  parses as JSON), ``on*`` attributes and ``javascript:`` URLs are counted;
* the text from outside the dumps folder, looked for in every output file;
* the search service (``python -m news_archive serve`` on 127.0.0.1, a free port)
  sent a few hundred fuzzed ``/search`` and ``/search.json`` queries, bounded in count
  and time; 5xx answers (and non-JSON ``/search.json`` answers) are counted.

    .venv/bin/python bench/robust.py            # the full mix (a few minutes)
    .venv/bin/python bench/robust.py --quick    # no huge texts, fewer queries

Prints the figures with the machine and the git commit measured.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from build import machine, run_measured  # noqa: E402
from support import BUILD_ENV, dump_entries, start_service, stop, write_settings_file  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SECRET = "Confidential figures that live outside the dumps folder and must never be published."
PAYLOADS = [
    "<script>alert('x')</script>",
    '"><script src=//evil.example/x.js></script>',
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "javascript:alert(1)",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<iframe src=javascript:alert(1)></iframe>",
    "</title><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<body onload=alert(1)>",
    "{{ config }}{% raw %}",
    "Title: Forged\nSlug: ../../etc",
    "\u202eevil\u202c \u2028 \ufeff",
]


def say(msg: str) -> None:
    print(msg, flush=True)


# --- the hostile mix -------------------------------------------------------------------


def story_text(rng: random.Random, n: int, payload: str) -> tuple[str, str]:
    words = ("harbour council vote budget river bridge school market strike ferry storm festival "
             "library museum station hospital port election court inquiry").split()
    head = f"{rng.choice(words).title()} {rng.choice(words)} story {n} {payload}"
    paragraphs = [" ".join(rng.choice(words) for _ in range(40)).capitalize() + f" ({n}.{i}) {payload}."
                  for i in range(4)]
    return head, "\n".join(paragraphs)


def long_text(chars: int) -> str:
    para = ("The inquiry heard that the harbour works ran late and over budget, and that the council "
            "was told of it in writing more than once. ")
    out = ["The harbour inquiry report in full", ""]
    i = 0
    while sum(len(p) for p in out) < chars:
        out.append(f"Paragraph {i}. " + para * 3)
        out.append("")
        i += 1
    out.append("Angela Merkel and Emmanuel Macron were named in the last paragraph.")
    return "\n".join(out)


def write_mix(root: Path, quick: bool) -> Path:
    """The dumps folder (and a few things beside it); returns it."""
    rng = random.Random(11)
    dumps = root / "content" / "dumps"
    outside = root / "elsewhere"
    for d in (dumps / "json", dumps / "text", dumps / "html", dumps / "odd", dumps / "bad", outside / "folder",
              root / "content" / "pages"):
        d.mkdir(parents=True, exist_ok=True)
    secret = f"Secret board memo\n\n{SECRET}\n\nA second paragraph says what the figures mean for staff.\n"
    (outside / "memo.txt").write_text(secret)
    (outside / "folder" / "memo2.txt").write_text(secret)
    (outside / "page.md").write_text(f"Title: Outside page\n\n{SECRET}\n")

    # Articles with a payload in every field, in every format.
    for n in range(60):
        p = PAYLOADS[n % len(PAYLOADS)]
        head, body = story_text(rng, n, p)
        rec = {"title": head, "maintext": body, "description": f"Dek {p}", "authors": [f"Reporter {n} {p}"],
               "date_publish": "2019-11-19 08:00:00", "url": p if n % 2 else f"https://news.example/{n}?q={p}",
               "source_domain": f"site{n % 5}.example {p}", "section": f"World {p}", "language": "en"}
        (dumps / "json" / f"story-{n:03}.json").write_text(json.dumps(rec))
        (dumps / "html" / f"page-{n:03}.html").write_text(
            f"<html><head><title>{head}</title><meta name=author content='{p}'>"
            f"<meta property='article:published_time' content='2019-11-18T10:00:00Z'></head>"
            f"<body><nav>Home News</nav><article><h1>{head}</h1><p class=byline>By Jane {p}</p>"
            + "".join(f"<p>{para} {p}</p>" for para in body.split("\n")) + f"<script>alert({n})</script>"
            f"<a href='javascript:alert({n})'>more</a></article></body></html>")
        text = f"Home | News | {p}\n\n{head}\n\nBy Sam Writer {p}\n\n" + "\n\n".join(body.split("\n"))
        (dumps / "text" / f"scrape-{n:03}.txt").write_text(text + "\n\nCopyright 2019\n")
    # Sidecars with payloads (and a sidecar link out of the folder).
    for n in range(0, 60, 7):
        (dumps / "text" / f"scrape-{n:03}.txt.meta.json").write_text(json.dumps(
            {"url": "javascript:alert(1)", "source": PAYLOADS[0], "section": PAYLOADS[2], "published": "2019-13-45"}))
    (dumps / "text" / "manifest.csv").write_text("file,source,url\nscrape-001.txt,<script>x</script>,javascript:x\n")
    (outside / "meta.json").write_text(json.dumps({"source": SECRET}))
    (dumps / "text" / "scrape-002.txt.meta.json").symlink_to(outside / "meta.json")

    # Multi-record files: broken lines, a deep line, a huge-ish line.
    lines = []
    for n in range(40):
        head, body = story_text(rng, 100 + n, PAYLOADS[n % len(PAYLOADS)])
        lines.append(json.dumps({"title": head, "text": body, "author": PAYLOADS[n % len(PAYLOADS)]}))
    lines[5] = "{\"title\": \"broken"
    lines[9] = "[" * 100_000 + "]" * 100_000
    lines[13] = "null"
    lines[17] = json.dumps({"title": None, "maintext": None})
    (dumps / "json" / "records.jsonl").write_text("\n".join(lines) + "\n")
    arr = [json.loads(x) if x.startswith("{\"title\": \"") and x.endswith("}") else {"x": 1} for x in lines[:20]]
    text_arr = json.dumps(arr)
    (dumps / "json" / "array.json").write_text(text_arr[:-1] + ", {\"title\": \"cut" + "]")
    (dumps / "json" / "deep.json").write_text("{\"a\":" * 100_000 + "1" + "}" * 100_000)
    (dumps / "json" / "deep-array.json").write_text("[" * 100_000 + "]" * 100_000)
    shapes = [1, "two", None, [3], {"title": ["x"]}, {"title": {"name": PAYLOADS[0]}, "text": [PAYLOADS[1]]}]
    (dumps / "json" / "wrong-shapes.json").write_text(json.dumps(shapes))
    if not quick:
        (dumps / "text" / "long-report.txt").write_text(long_text(1_200_000))
        big = "\n".join(f"Line {i} of the inquiry transcript, in which the witness said the budget ran over again."
                        for i in range(60_000))
        record = json.dumps({"title": "The whole transcript", "text": big})
        (dumps / "json" / "huge-line.jsonl").write_text(record + "\n")

    # Compressed: bombs, corrupt, nested, truncated.
    member = gzip.compress(b"\0" * (1 << 24), compresslevel=9)
    with (dumps / "bad" / "bomb.txt.gz").open("wb") as fh:
        for _ in range(128):  # 2 GiB inflated
            fh.write(member)
    head, body = story_text(rng, 500, PAYLOADS[0])
    (dumps / "odd" / "story.txt.gz").write_bytes(gzip.compress(f"{head}\n\n{body}\n".encode()))
    (dumps / "bad" / "nested.txt.gz").write_bytes(gzip.compress(gzip.compress(f"{head}\n\n{body}".encode())))
    (dumps / "bad" / "truncated.txt.gz").write_bytes(gzip.compress(body.encode() * 50)[:-40])
    (dumps / "bad" / "corrupt.gz").write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(300))
    with (dumps / "bad" / "sparse-huge.txt").open("wb") as fh:
        fh.truncate(60_000_000)  # over NEWS_ARCHIVE_MAX_DUMP_BYTES without using the disk

    # Binary, images, markup that is not an article, empty files.
    (dumps / "bad" / "random.bin").write_bytes(os.urandom(5000))
    (dumps / "bad" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + os.urandom(2000))
    (dumps / "bad" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    (dumps / "bad" / "doc.pdf").write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    (dumps / "bad" / "archive.zip").write_bytes(b"PK\x03\x04" + os.urandom(500))
    (dumps / "odd" / "logo.svg").write_text(
        "<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'>\n<title>Logo</title>\n"
        "<text>The harbour town's daily paper since 1897, every morning of the week, in print and online.</text>\n"
        "</svg>\n")
    (dumps / "odd" / "logo-no-extension").write_text((dumps / "odd" / "logo.svg").read_text())
    (dumps / "odd" / "feed.xml").write_text(
        "<?xml version='1.0'?><rss><channel><item><title>A</title>"
        "<description>The council approved the plan on Tuesday, finally.</description></item></channel></rss>")
    (dumps / "odd" / "app.js").write_text("document.write('<script>alert(1)</script>');\n" * 20)
    (dumps / "odd" / "site.css").write_text("body { background: url(javascript:alert(1)) }\n" * 20)
    (dumps / "odd" / "story.xhtml").write_text(
        "<?xml version='1.0'?><!DOCTYPE html><html xmlns='http://www.w3.org/1999/xhtml'><head><title>Ferry back</title>"
        "</head><body><article><h1>Ferry back</h1><p>The ferry sailed again on Wednesday after three days in port, "
        "and the first crossings were full of travellers who had waited since the storm.</p><p>More boats follow "
        "in the afternoon, the operator said.</p></article></body></html>")
    (dumps / "bad" / "empty.txt").write_bytes(b"")
    (dumps / "bad" / "spaces.txt").write_text("   \n\n\t  \n")
    (dumps / "bad" / "bom-only.txt").write_bytes(b"\xef\xbb\xbf")
    (dumps / "bad" / "nul.txt").write_bytes(b"\x00" * 100)

    # Text in many encodings (and some that lie).
    sample = ("Der Bürgermeister eröffnete am Dienstag die neue Brücke über den Fluss. "
              "Виталий Кличко — мэр Киева. 東京で会議が開かれた。 Le maire a inauguré le pont.")
    for enc in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1", "koi8-r", "shift_jis",
                "gb18030", "iso-8859-7", "utf-8-sig"):
        (dumps / "text" / f"enc-{enc}.txt").write_bytes(f"Bridge opens in town\n\n{sample}\n\n{sample}\n".encode(
            enc, errors="replace"))
    (dumps / "text" / "invalid-utf8.txt").write_bytes(b"Headline\n\n" + bytes(range(0x80, 0x100)) * 8)
    (dumps / "text" / "mojibake.txt").write_text(
        "Headline â€™ here\n\nThe councilâ€™s vote was â€œfinalâ€\x9d today.\n")

    # Odd names.
    for name in ("spaces in name.txt", "-leading-dash.txt", "ünïcödé-名前.txt", "hash#1.jsonl", "semi;colon.txt",
                 "quote'\"name.txt", "new\nline.txt", "tab\tname.txt", "x" * 240 + ".txt", "..dots.txt",
                 "percent%20name.txt", "<script>.txt", "README", "LICENSE.txt", ".hidden.txt"):
        head, body = story_text(rng, 600 + len(name), PAYLOADS[len(name) % len(PAYLOADS)])
        try:
            (dumps / "odd" / name).write_text(f"{head}\n\n{body}\n")
        except OSError:
            pass

    with open(os.path.join(os.fsencode(dumps / "odd"), b"latin1-caf\xe9.txt"), "wb") as fh:  # not UTF-8
        fh.write(f"{head}\n\n{body}\n".encode())

    # Links: out of the folder (file, folder, sidecar above), inside, broken, a loop, a FIFO; a page link.
    (dumps / "odd" / "memo-link.txt").symlink_to(outside / "memo.txt")
    (dumps / "odd" / "folder-link").symlink_to(outside / "folder")
    (dumps / "odd" / "inside-link.json").symlink_to(dumps / "json" / "story-000.json")
    (dumps / "odd" / "inside-folder-link").symlink_to(dumps / "json")
    (dumps / "odd" / "broken-link.txt").symlink_to(root / "nowhere.txt")
    (dumps / "odd" / "loop-a.txt").symlink_to(dumps / "odd" / "loop-b.txt")
    (dumps / "odd" / "loop-b.txt").symlink_to(dumps / "odd" / "loop-a.txt")
    (dumps / "odd" / "relative-escape.txt").symlink_to("../../../elsewhere/memo.txt")
    os.mkfifo(dumps / "odd" / "pipe.txt")
    (root / "content" / "pages" / "outside.md").symlink_to(outside / "page.md")
    (root / "content" / "pages" / "outside-folder").symlink_to(outside / "folder")
    return dumps


# --- counting --------------------------------------------------------------------------


def accounted(report: dict, tried: set[str]) -> set[str]:
    found = {f["path"] for f in report.get("other_files", [])}
    for e in report.get("dumps", []):
        path = e["path"]
        if path not in tried and "#" in path and path.rsplit("#", 1)[1].isdigit():
            path = path.rsplit("#", 1)[0]
        found.add(path)
    return found & tried


def live_markup(output: Path) -> dict[str, list[str]]:
    """Script elements, on* attributes and javascript: URLs in the output, by kind (with where)."""
    import lxml.etree as ET
    import lxml.html

    findings: dict[str, list[str]] = {"script": [], "on-attribute": [], "javascript-url": [], "unparsed": []}

    theme_scripts = {p.name for p in (ROOT / "theme" / "static" / "js").glob("*.js")}

    def check_html(root, where: str) -> None:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = el.tag.lower().split("}")[-1]
            if tag == "script":
                src, kind = el.get("src") or "", (el.get("type") or "").lower()
                if src.rsplit("/theme/js/", 1)[-1] in theme_scripts:  # the theme's own files
                    continue
                if kind == "application/ld+json" and not src:
                    try:
                        json.loads(el.text or "")
                        continue
                    except ValueError:
                        pass
                findings["script"].append(f"{where}: <script src={src!r}> {(el.text or '')[:60]!r}")
            for name, value in el.attrib.items():
                low = name.lower().split("}")[-1]
                if low.startswith("on"):
                    findings["on-attribute"].append(f"{where}: <{tag} {low}={value[:40]!r}>")
                cleaned = "".join(ch for ch in value if ch > " ").lower()
                if low in ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset") \
                        and cleaned.startswith(("javascript:", "vbscript:", "data:text/html")):
                    findings["javascript-url"].append(f"{where}: <{tag} {low}={value[:40]!r}>")

    for path in sorted(output.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(output).as_posix()
        if path.suffix in (".html", ".htm"):
            try:
                check_html(lxml.html.fromstring(path.read_bytes()), rel)
            except (ET.ParserError, ValueError) as exc:
                findings["unparsed"].append(f"{rel}: {exc}")
        elif path.suffix == ".xml":
            try:
                tree = ET.fromstring(path.read_bytes(), ET.XMLParser(resolve_entities=False, huge_tree=True))
            except ET.XMLSyntaxError as exc:
                findings["unparsed"].append(f"{rel}: {exc}")
                continue
            check_html(tree, rel)  # markup straight in the XML (xhtml content, svg)
            for el in tree.iter():
                if isinstance(el.tag, str) and el.get("type") == "html" and (el.text or "").strip():
                    try:
                        check_html(lxml.html.fragment_fromstring(el.text, create_parent="div"), rel + " (type=html)")
                    except (ET.ParserError, ValueError) as exc:
                        findings["unparsed"].append(f"{rel}: {exc}")
    return findings


def secret_leaks(output: Path) -> list[str]:
    return [p.relative_to(output).as_posix() for p in output.rglob("*")
            if p.is_file() and SECRET.encode() in p.read_bytes()]


# --- the query fuzz --------------------------------------------------------------------


def fuzz_queries(rng: random.Random, n: int) -> list[str]:
    atoms = ["harbour", "council", "bridge", "*", "?", "~", "~2", "^3", "\"", "(", ")", "[", "]", "{", "}", "AND",
             "OR", "NOT", "TO", "-", "+", ":", "\\", "date:2018-13", "date:2018-02-30", "bush~2/5", "date:[2019 TO]",
             "date:>2019", "published:[* TO *]", "title:", "tag:", "person:\"", "year:abc", "ünïcödé", "東京",
             "<script>alert(1)</script>", "%00", "\x00", "\u202e", "a" * 300, "*a*", "?*?*?*", "1e309", "-1",
             "\"unclosed phrase", "field:[a TO", "NOT NOT NOT", "((((((((", "date:2019-11-19..2019-11-20"]
    out = []
    for i in range(n):
        q = " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 6)))
        params = [("q", q)]
        if rng.random() < 0.4:
            params.append((rng.choice(["page", "size", "sort", "year", "tag", "person", "source", "author", "place"]),
                           rng.choice(["0", "-1", "99999999999999999999", "abc", "2019", "newest", "x" * 500, "",
                                       "<script>", "1.5", "\x00"])))
        base = "/search.json" if i % 2 else "/search"
        out.append(base + "?" + urllib.parse.urlencode(params))
    return out


def fuzz_service(root: Path, output: Path, work: Path, n: int, budget: float) -> dict[str, object]:
    """Start the search service, send ``n`` fuzzed queries within ``budget`` seconds, stop it."""
    conf = write_settings_file(root / "siteconf.py", root / "content", output, work)
    counts = {"sent": 0, "5xx": 0, "non_json": 0, "errors": 0, "statuses": {}}
    examples: list[str] = []
    try:
        server = start_service(conf, output, root, quiet=True)
    except AssertionError as exc:
        raise RuntimeError(f"the search service did not start: {exc}") from None
    url = server.url
    try:
        stop_at = time.monotonic() + budget
        for path in fuzz_queries(random.Random(5), n):
            if time.monotonic() > stop_at:
                break
            counts["sent"] += 1
            try:
                with urllib.request.urlopen(url + path, timeout=10) as resp:
                    status, body = resp.status, resp.read()
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read()
            except OSError as exc:
                counts["errors"] += 1
                examples.append(f"{path}: {exc}")
                continue
            counts["statuses"][status] = counts["statuses"].get(status, 0) + 1
            if status >= 500:
                counts["5xx"] += 1
                examples.append(f"{status} {path}")
            if path.startswith("/search.json"):
                try:
                    json.loads(body)
                except ValueError:
                    counts["non_json"] += 1
    finally:
        stop(server.proc)
    counts["examples"] = examples[:8]
    return counts


# --- main ------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="no huge texts, 100 queries")
    ap.add_argument("--queries", type=int, default=400)
    ap.add_argument("--keep", action="store_true", help="keep the temporary project and print where it is")
    args = ap.parse_args()
    queries = 100 if args.quick else args.queries
    info = machine()
    say(f"machine: {info['nproc']} cores, {info['memory']}, {info['cpu']}, Python {info['python']}, "
        f"{info['platform']}; commit {info['commit']}; {info['date']}")
    tmp = Path(tempfile.mkdtemp(prefix="robust-"))
    try:
        root = tmp / "project"
        dumps = write_mix(root, args.quick)
        tried = dump_entries(dumps)
        say(f"generated {len(tried)} entries under content/dumps/ (+ 2 links in content/pages/)")
        output, work = root / "output", root / "var"
        settings = {"PATH": str(root / "content"), "NEWS_ARCHIVE_WORK_DIR": str(work),
                    "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False}
        cmd = [sys.executable, "-m", "pelican", str(root / "content"), "-s", str(ROOT / "pelicanconf.py"),
               "-o", str(output)]
        # One -e with every pair: Pelican keeps only the last -e it is given.
        cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
        env = {**os.environ, **BUILD_ENV}
        run = run_measured(cmd, root, env, timeout=3600)
        say(f"build: exit code {run.returncode}, {run.seconds:.1f} s wall, {run.cpu_seconds:.1f} s CPU, "
            f"peak RSS {run.peak_rss / 2**20:.0f} MiB, peak PSS {run.peak_pss / 2**20:.0f} MiB (process tree)")
        if run.returncode != 0:
            say(run.log[-4000:])
        report = json.loads((work / "report.json").read_text()) if (work / "report.json").exists() else {}
        found = accounted(report, tried)
        say(f"files tried: {len(tried)}; accounted for in the report: {len(found)}"
            + (f"; missing: {sorted(tried - found)[:10]}" if tried - found else ""))
        if report:
            say(f"report counts: {report['counts']}; records and files: {len(report['dumps'])} entries, "
                f"{len(report['other_files'])} other files; stats {report['stats']}")
            reasons: dict[str, int] = {}
            for e in report["dumps"]:
                if e["status"] == "rejected":
                    key = e["reason"].split(":")[0] if not e["reason"].startswith("refused") else \
                        e["reason"].split("(")[0].strip()
                    reasons[key] = reasons.get(key, 0) + 1
            say("rejections by reason: " + "; ".join(f"{k} {v}" for k, v in sorted(reasons.items())))
            warned = [e for e in report["dumps"] if e.get("warnings")]
            say(f"entries with warnings: {len(warned)}" + (f" (e.g. {warned[0]['path']}: {warned[0]['warnings'][0]})"
                                                           if warned else ""))
        if output.is_dir():
            findings = live_markup(output)
            say("live markup in output/: " + ", ".join(f"{k} {len(v)}" for k, v in findings.items()))
            for kind, items in findings.items():
                for item in items[:3]:
                    say(f"  {kind}: {item}")
            leaks = secret_leaks(output)
            say(f"text from outside the dumps folder in output/: {len(leaks)} files"
                + (f" {leaks[:5]}" if leaks else ""))
            if (work / "index").exists():
                fuzz = fuzz_service(root, output, work, queries, budget=240)
                say(f"search fuzz: {fuzz['sent']} queries, 5xx {fuzz['5xx']}, /search.json not JSON "
                    f"{fuzz['non_json']}, connection errors {fuzz['errors']}, statuses {fuzz['statuses']}")
                for ex in fuzz["examples"]:
                    say(f"  {ex}")
        return 0
    finally:
        if args.keep:
            say(f"kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
