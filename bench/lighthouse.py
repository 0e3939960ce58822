"""Lighthouse scores of the publish build of a 2,000-story archive, as a table.

Builds the bundled sample archive plus the 2,095 BBC stories of ``../shared/data/bbc/``
(five section folders) with ``publishconf.py`` (the publish build: absolute URLs, robots.txt)
whose ``SITEURL`` is the loopback address it is then served on by ``news_archive serve``
(the real server: gzip, caching headers), and runs npm ``lighthouse`` (from
tests/browser's lock file) with Debian's Chromium (``CHROME_PATH=/usr/bin/chromium``;
no browser is ever downloaded) on the home page, an article, an entity page, a tag page,
a section front and the search results for a real query (``/search?q=blair``, answered by
the search service), for phones (Lighthouse's default, throttled) and desktop.  Then the
same output is served as a plain static host would serve it (the same static-file app,
gzip and caching headers, but no search service) and ``/search/?q=blair`` is scored: the
static search page, whose results the browser finds itself in the Pagefind index.

    .venv/bin/python bench/lighthouse.py                # build (NER cached under var/bench) and score
    .venv/bin/python bench/lighthouse.py --reuse        # score the last build again
    .venv/bin/python bench/lighthouse.py --mobile-only

Prints the table with the machine and the commit measured, writes it to
bench/results/lighthouse-<date>.md, and keeps each page's JSON report in
``var/bench/lighthouse/reports/``.  Skips with a message when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import free_port, wait_until_up  # noqa: E402

BBC = ROOT.parent / "shared" / "data" / "bbc"
WORK = ROOT / "var" / "bench" / "lighthouse"
LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
RESULTS = ROOT / "bench" / "results"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
SECTIONS = ("business", "entertainment", "politics", "sport", "tech")
TARGET = 95
TEST_NER_CACHE = ROOT / "var" / "test-cache" / "bbc-ner"


def build(base: str) -> Path:
    """The publish build of sample + BBC into WORK/output (NER cache kept between runs)."""
    content = WORK / "content"
    if content.exists():
        shutil.rmtree(content)
    shutil.copytree(ROOT / "content" / "dumps", content / "dumps")
    for name in ("entities.toml", "tags.toml"):
        if (ROOT / "content" / name).exists():
            shutil.copy2(ROOT / "content" / name, content / name)
    for section in SECTIONS:
        shutil.copytree(BBC / section, content / "dumps" / "bbc-archive" / section)
    # spaCy's raw spans are cached by text, model and NER version: the browser tests' cache
    # of these very stories is reused as it is (an exact cache, never a stand-in).
    ner = WORK / "var" / "cache" / "ner"
    if not ner.exists() and TEST_NER_CACHE.is_dir():
        shutil.copytree(TEST_NER_CACHE, ner)
    env = {**os.environ, "SITEURL": base, "PYTHONPATH": str(ROOT / "plugins")}
    cmd = [sys.executable, "-m", "pelican", str(content), "-s", str(ROOT / "publishconf.py"),
           "-o", str(WORK / "output"), "--fatal", "errors",
           "-e", f"NEWS_ARCHIVE_WORK_DIR={json.dumps(str(WORK / 'var'))}", "NEWS_ARCHIVE_PROGRESS=false",
           "NEWS_ARCHIVE_NER_PROCESSES=2"]
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    print(f"publish build: {time.monotonic() - started:.0f} s", file=sys.stderr)
    (WORK / "base.txt").write_text(base, encoding="utf-8")
    return WORK / "output"


def wait_up(proc: subprocess.Popen, port: int) -> subprocess.Popen:
    wait_until_up(f"http://127.0.0.1:{port}", proc)
    return proc


def serve_static(port: int, base: str) -> subprocess.Popen:
    """The output served as a plain static host serves it: files only, no search service
    (so ``/search/`` is the static search page), with the site's own static-file app."""
    code = ("import sys\nfrom waitress import serve\nfrom news_archive.static import StaticFiles\n"
            "serve(StaticFiles(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(WORK / "output"), str(port)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return wait_up(proc, port)


def serve(port: int, base: str) -> subprocess.Popen:
    conf = WORK / "siteconf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom publishconf import *  # noqa\n"
        f"PATH = {str(WORK / 'content')!r}\nOUTPUT_PATH = {str(WORK / 'output')!r}\n"
        f"NEWS_ARCHIVE_WORK_DIR = {str(WORK / 'var')!r}\nTHEME = {str(ROOT / 'theme')!r}\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "news_archive", "serve", "--settings", str(conf),
                             "--output", str(WORK / "output"), "--port", str(port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SITEURL": base},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return wait_up(proc, port)


def biggest(output: Path, folder: str) -> str:
    pages = sorted(output.joinpath(folder).glob("*/index.html"), key=lambda p: p.stat().st_size)
    return "/" + pages[-1].parent.relative_to(output).as_posix() + "/"


def pages(output: Path) -> dict[str, str]:
    """The pages scored: the most-mentioned person, the most-used tag, a full story."""
    def most_pages(folder: Path) -> str:
        pages = sorted(folder.glob("*/index.html"), key=lambda p: len(list(p.parent.glob("page/*"))))
        return "/" + pages[-1].parent.relative_to(output).as_posix() + "/"

    story = "news/blair-rejects-iraq-advice-calls"
    return {
        "home": "/",
        "article": f"/{story}/" if (output / story).is_dir() else biggest(output, "news"),
        "entity": most_pages(output / "entity" / "person"),
        "tag": most_pages(output / "tag"),
        "section": "/section/business/",
        "search (service)": "/search?q=blair",
    }


STATIC_PAGES = {"search (static)": "/search/?q=blair"}


def lighthouse(url: str, name: str, desktop: bool) -> dict[str, int]:
    out = WORK / "reports" / f"{name}-{'desktop' if desktop else 'mobile'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
           f"--only-categories={','.join(CATEGORIES)}",
           "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"]
    if desktop:
        cmd.append("--preset=desktop")
    subprocess.run(cmd, env={**os.environ, "CHROME_PATH": CHROMIUM}, check=True, capture_output=True, timeout=300)
    report = json.loads(out.read_text(encoding="utf-8"))
    return {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}


def machine() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"commit {commit.strip()}{' (dirty)' if dirty else ''}, {platform.node()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, Lighthouse {version}, {chromium}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="score the last build again (same port)")
    parser.add_argument("--mobile-only", action="store_true")
    parser.add_argument("--only", default="", help="score only the pages whose name contains this (e.g. search)")
    args = parser.parse_args()
    if not BBC.is_dir():
        print(f"skipped: {BBC} not found", file=sys.stderr)
        return 0
    if not LIGHTHOUSE.exists():
        print("lighthouse not installed: (cd tests/browser && npm ci)", file=sys.stderr)
        return 1
    WORK.mkdir(parents=True, exist_ok=True)
    base_file = WORK / "base.txt"
    if args.reuse and base_file.exists() and (WORK / "output").is_dir():
        base = base_file.read_text(encoding="utf-8").strip()
        port = int(base.rsplit(":", 1)[1])
    else:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        build(base)
    rows = []
    for start, scored in ((serve, pages(WORK / "output")), (serve_static, STATIC_PAGES)):
        server = start(port, base)
        try:
            for name, path in scored.items():
                if args.only and args.only not in name:
                    continue
                for desktop in ([False] if args.mobile_only else [False, True]):
                    scores = lighthouse(base + path, name.replace(" (", "-").rstrip(")"), desktop)
                    rows.append((name, "desktop" if desktop else "mobile", path, scores))
                    print(name, "desktop" if desktop else "mobile", scores, file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=10)
    lines = [f"Lighthouse on the publish build of sample + 2,095 BBC stories ({machine()})", "",
             "| page | form factor | path | " + " | ".join(CATEGORIES) + " |",
             "|---|---|---|" + "---|" * len(CATEGORIES)]
    for name, factor, path, scores in rows:
        lines.append(f"| {name} | {factor} | `{path}` | " + " | ".join(str(scores[c]) for c in CATEGORIES) + " |")
    below = [(n, f, c, s[c]) for n, f, _, s in rows for c in CATEGORIES if s[c] < TARGET]
    lines += ["", f"below {TARGET}: " + (", ".join(f"{n}/{f} {c} {v}" for n, f, c, v in below) or "none")]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"lighthouse-{datetime.now(tz=UTC):%Y%m%d-%H%M}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
