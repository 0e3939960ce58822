"""Build-time benchmark: cold, warm and incremental builds of synthetic archives of N dumps.

For each N this script synthesises N scrape-text dumps from ../shared/data/bbc/
(bench/synth.py), then runs whole ``python -m pelican`` processes with this project's
pelicanconf.py and plugin, everything (content, output, caches, index) in a temporary
folder, never the working tree:

* **cold**: empty caches, empty output (what a fresh ``make html`` does);
* **warm**: the same again, nothing changed;
* **incremental**: one dump added, one changed, one removed;
* **bare**: the anchor, a plain Pelican build of the same stories as Markdown
  (title, date, body; Pelican's default theme; no plugin; feeds off as in our
  development settings), run twice (it has no cache, so the second run is its
  "warm" and the one quoted).

Each build is split into phases from ``<work>/build-timings.json`` (written by
``plugins/news_archive/speedups.py``), ``<work>/report.json`` (the converter's ingest,
NER and Markdown-writing seconds) and ``<work>/index-stats.json`` (search index).
Peak memory is the largest summed RSS of the build's process tree, sampled every
0.2 s (NER worker processes included).  After every build the output is checked:
pages written, output size, and broken internal links (must be 0).

    .venv/bin/python bench/build.py                 # N = 2,000 and 20,000
    .venv/bin/python bench/build.py --sizes 2000    # chosen sizes
    .venv/bin/python bench/build.py --huge          # adds N = 100,000
    .venv/bin/python bench/build.py --quick         # N = 50: proves the harness in seconds

The table is printed and written to bench/results/build-<sizes>-<date>.md with the
machine description (nproc, memory, CPU, Python) and the git commit measured.
Skips with a message when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
# Links the static site may point at that the search service answers, not files.
DYNAMIC_PATHS = ("/search", "/search.json", "/search/help")


# --- measuring one process -------------------------------------------------------------


def _tree_memory(pid: int) -> tuple[int, int]:
    """Resident memory (bytes) of a process and all its descendants: (RSS summed, PSS summed).

    RSS counts a page shared by several processes once per process, so the NER worker
    processes (forked, sharing the parent's pages copy-on-write) would be counted two and
    three times over; PSS divides each shared page between the processes that share it,
    so the PSS sum is what the whole tree really holds.  Both are reported."""
    rss = pss = 0
    todo, page = [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                own_rss = int(fh.read().split()[1]) * page
            rss += own_rss
            pss += _pss(p, own_rss)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return rss, pss


def _pss(pid: int, fallback: int) -> int:
    """Proportional set size from /proc/PID/smaps_rollup (its RSS where the kernel lacks it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return fallback


class PeakMemory:
    """Largest RSS and PSS sums of a process tree, sampled in a thread while in use.

    Reading ``smaps_rollup`` makes the kernel walk every page table of the process: at
    5 GiB it costs tens of milliseconds, and sampling every 0.2 s regardless took about
    18 % of one core during a 20,000-story cold build, on a 2-core machine, slowing what it
    measures.  So the pause after each sample is at least ``COST_FACTOR`` times what the
    sample took (the sampler uses at most ~1/COST_FACTOR of a core), and never under
    ``PAUSE`` seconds.
    """

    PAUSE = 0.2
    COST_FACTOR = 40

    def __init__(self, pid: int) -> None:
        self.pid, self.rss, self.pss = pid, 0, 0
        self.cpu_seconds = 0.0  # what sampling cost, in this thread
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            started = time.thread_time()
            rss, pss = _tree_memory(self.pid)
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            cost = time.thread_time() - started
            self.cpu_seconds += cost
            self._stop.wait(max(self.PAUSE, self.COST_FACTOR * cost))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """One measured process."""

    seconds: float
    cpu_seconds: float  # user + system of the build and its children: less noisy than wall time
    peak_rss: int  # summed over the process tree (shared pages counted once per process)
    returncode: int
    log: str
    peak_pss: int = 0  # summed proportional set size: shared pages counted once in all


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    """Run a command to completion; wall time and peak process-tree RSS."""
    log_path = cwd / f".log-{time.time_ns()}"
    with open(log_path, "w+", encoding="utf-8", errors="replace") as log:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        with PeakMemory(proc.pid) as peak:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        log.seek(0)
        text = log.read()
    log_path.unlink()
    return Run(seconds, cpu, peak.rss, proc.returncode, text, peak.pss)


# --- checking one output folder --------------------------------------------------------

_LINK_RE = re.compile(r"""(?:href|src)\s*=\s*["']([^"']*)["']""", re.I)


@dataclass
class OutputCheck:
    pages: int
    files: int
    bytes: int
    broken: list[tuple[str, str]] = field(default_factory=list)


def check_output(output: Path, siteurl: str = "") -> OutputCheck:
    """Count pages and bytes; every internal href/src must name a file in the output."""
    pages = files = size = 0
    broken: list[tuple[str, str]] = []
    exists: dict[str, bool] = {}
    for dirpath, _dirs, names in os.walk(output):
        for name in names:
            path = Path(dirpath) / name
            files += 1
            size += path.stat().st_size
            if not name.endswith(".html"):
                continue
            pages += 1
            page_url = "/" + path.relative_to(output).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            for raw in set(_LINK_RE.findall(text)):
                target = _internal_target(raw.replace("&amp;", "&"), page_url, siteurl)
                if target is None:
                    continue
                if target not in exists:
                    exists[target] = _resolves(output, target)
                if not exists[target]:
                    broken.append((page_url, raw))
    return OutputCheck(pages, files, size, broken)


def _internal_target(link: str, page_url: str, siteurl: str) -> str | None:
    """The site path a link points at, or None for external, fragment-only and dynamic links."""
    if siteurl and link.startswith(siteurl):
        link = link[len(siteurl):] or "/"
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "data:", "javascript:")):
        return None
    if not parts.path:
        return None
    path = parts.path if parts.path.startswith("/") else _join(page_url, parts.path)
    path = unquote(path)
    if path.rstrip("/") in DYNAMIC_PATHS:
        return None
    return path


def _join(page_url: str, rel: str) -> str:
    base = page_url.rsplit("/", 1)[0].split("/")
    for part in rel.split("/"):
        if part == "..":
            if len(base) > 1:
                base.pop()
        elif part not in (".", ""):
            base.append(part)
    return "/".join(base) + ("/" if rel.endswith("/") else "")


def _resolves(output: Path, path: str) -> bool:
    target = output / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        return (target / "index.html").is_file()
    return target.is_file()


# --- the builds ------------------------------------------------------------------------


@dataclass
class Build:
    """One measured build: wall time, phases, memory, what it produced."""

    label: str
    n: int
    run: Run
    check: OutputCheck
    phases: dict[str, float]
    extra: dict[str, Any]
    urls: dict[str, str] = field(default_factory=dict)  # dump → article URL (converted dumps)

    def row(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "n": self.n,
            "seconds": round(self.run.seconds, 2),
            "cpu_seconds": round(self.run.cpu_seconds, 2),
            "peak_rss_mib": round(self.run.peak_rss / 2**20),
            "peak_pss_mib": round(self.run.peak_pss / 2**20),
            "pages": self.check.pages,
            "output_mib": round(self.check.bytes / 2**20, 1),
            "broken_links": len(self.check.broken),
            "phases": self.phases,
            **self.extra,
        }


class Archive:
    """A synthetic archive in a temporary folder, and the builds run on it."""

    def __init__(self, n: int, root: Path, timeout: float, ner_processes: int,
                 profile: Path | None = None, settings: dict[str, Any] | None = None) -> None:
        self.n = n
        self.settings = settings or {}  # --setting: given to every plugin build of this archive
        self.profile = profile  # a folder: each build runs under cProfile, its stats saved there
        self.root = root
        self.timeout = timeout
        self.ner_processes = ner_processes
        self.site = root / "site"
        self.content = self.site / "content"
        self.dumps = self.content / "dumps"
        self.output = self.site / "output"
        self.work = self.site / "var"
        self.bare = root / "bare"
        self.corpus = synth.load_corpus()

    def synthesise(self) -> float:
        started = time.perf_counter()
        synth.write_dumps(self.n, self.dumps, self.corpus)
        synth.write_plain(self.n, self.bare / "content", self.corpus)
        (self.bare / "bareconf.py").write_text(
            "SITENAME = 'Bare Pelican'\nSITEURL = ''\nTIMEZONE = 'UTC'\nDEFAULT_LANG = 'en'\n"
            "PATH = 'content'\nFEED_ALL_ATOM = None\nCATEGORY_FEED_ATOM = None\n"
            "TRANSLATION_FEED_ATOM = None\nAUTHOR_FEED_ATOM = None\nAUTHOR_FEED_RSS = None\n",
            encoding="utf-8",
        )
        return time.perf_counter() - started

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT / "plugins"), "SOURCE_DATE_EPOCH": "1764000000",
                "CI": "1"}

    def pelican(self, label: str, extra: dict[str, Any] | None = None) -> Build:
        settings = {
            "PATH": str(self.content),
            "NEWS_ARCHIVE_WORK_DIR": str(self.work),
            "THEME": str(ROOT / "theme"),
            "NEWS_ARCHIVE_PROGRESS": False,
            "NEWS_ARCHIVE_NER_PROCESSES": self.ner_processes,
            **self.settings,
            **(extra or {}),
        }
        cmd = [PYTHON, "-m", "pelican", str(self.content), "-s", str(ROOT / "pelicanconf.py"),
               "-o", str(self.output), "--fatal", "errors"]
        stats_file = None
        if self.profile:
            self.profile.mkdir(parents=True, exist_ok=True)
            stats_file = self.profile / f"{self.n}-{label.replace(' ', '-')}-{time.time_ns()}.prof"
            cmd[1:1] = ["-m", "cProfile", "-o", str(stats_file)]
        # One -e with every pair: Pelican keeps only the last -e it is given.
        cmd += ["-e", *(f"{key}={json.dumps(value)}" for key, value in settings.items())]
        for stale in ("build-timings.json", "index-stats.json"):
            (self.work / stale).unlink(missing_ok=True)
        run = run_measured(cmd, self.site, self.env(), self.timeout)
        if run.returncode != 0:
            raise RuntimeError(f"{label} build (N={self.n}) failed ({run.returncode}):\n{run.log[-4000:]}")
        phases, extra = self._phases(run)
        urls = {e["path"]: e["url"] for e in _load(self.work / "report.json").get("dumps", [])
                if e.get("status") == "converted"}
        if stats_file:
            extra["profile"] = str(stats_file)
        return Build(label, self.n, run, check_output(self.output), phases, extra, urls)

    def _phases(self, run: Run) -> tuple[dict[str, float], dict[str, Any]]:
        """Phases of the last build from the files the plugin writes into the work folder."""
        timings = _load(self.work / "build-timings.json")
        report = _load(self.work / "report.json")
        index = _load(self.work / "index-stats.json")
        stats = report.get("stats", {})
        p = timings.get("phases", {})
        phases: dict[str, float] = {}
        for key in ("ingest_seconds", "ner_seconds", "render_seconds"):
            if isinstance(stats.get(key), (int, float)):
                phases[{"render_seconds": "markdown"}.get(key, key.removesuffix("_seconds"))] = stats[key]
        if "convert" in p:
            phases["convert_other"] = round(p["convert"] - sum(phases.values()), 2)
        for key in ("pelican_read", "other_contexts", "search_index", "render_write"):
            if key in p:
                phases[key] = p[key]
        if timings.get("page_digest_seconds"):
            phases["render_write:page_digests"] = timings["page_digest_seconds"]
        for key, value in sorted(index.items()):
            if key.endswith("seconds") and key != "seconds" and isinstance(value, (int, float)):
                phases[f"index:{key.removesuffix('_seconds')}"] = value
        if "plugin_total" in p:
            phases["startup_exit"] = round(run.seconds - p["plugin_total"], 2)
        extra = {
            "counts": report.get("counts", {}),
            "ner_words_per_second": stats.get("ner_words_per_second"),
            "index": {k: v for k, v in index.items() if not str(k).endswith("seconds")},
            "render_write_by_template": timings.get("render_write_by_template", {}),
            "pages_by_template": timings.get("pages_by_template", {}),
            "pages_not_rerendered": timings.get("pages_not_rerendered", 0),
        }
        return phases, extra

    def bare_build(self) -> Build:
        out = self.bare / "output"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [PYTHON, "-m", "pelican", str(self.bare / "content"), "-s", str(self.bare / "bareconf.py"),
               "-o", str(out)]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        run = run_measured(cmd, self.bare, env, self.timeout)
        if run.returncode != 0:
            raise RuntimeError(f"bare build (N={self.n}) failed:\n{run.log[-4000:]}")
        return Build("bare", self.n, run, check_output(out), {}, {})

    def change_three(self) -> None:
        """One dump added (a story no build has seen), one changed, one removed.

        Repeatable on a kept archive (``--resume``): the added dump is the next number
        not written yet, the removed one the first still there after dump 0."""
        added = self.n
        while (self.dumps / synth.dump_name(added)).exists():
            added += 1
        synth.write_dumps(added + 1, self.dumps, self.corpus, start=added)
        changed = self.dumps / synth.dump_name(0)
        text = changed.read_text(encoding="utf-8")
        marker = "Related Articles"
        changed.write_text(
            text.replace(marker, f"This paragraph was added by correction number {added} to the story after "
                                 "it was first published, as corrections are.\n\n" + marker),
            encoding="utf-8",
        )
        gone = next(self.dumps / synth.dump_name(i) for i in range(1, added)
                    if (self.dumps / synth.dump_name(i)).exists())
        gone.unlink()
        gone.with_name(gone.name + ".meta.json").unlink(missing_ok=True)


_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def _comparable(rel: Path, data: bytes) -> bytes:
    """A file's bytes as the comparison sees them: a sitemap without its ``<lastmod>`` dates,
    which are the pages' file times (sitemap.lastmod), so a page written again on another
    day, by the check itself or by a build from scratch, has another date and the same page."""
    return _LASTMOD.sub(b"", data) if rel.name.startswith("sitemap") and rel.suffix == ".xml" else data


def compare_with_full_render(archive: Archive) -> list[str]:
    """Render every page again (NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES off) over the same state
    and list the output files that change: a page the incremental build skipped although
    its inputs had changed shows up here."""
    def files() -> dict[Path, bytes]:
        return {(rel := p.relative_to(archive.output)): _comparable(rel, p.read_bytes())
                for p in archive.output.rglob("*") if p.is_file()}

    before = files()
    archive.pelican("full render", {"NEWS_ARCHIVE_SKIP_UNCHANGED_PAGES": False})
    after = files()
    differ = [f"only before: {p}" for p in sorted(before.keys() - after.keys())]
    differ += [f"only after: {p}" for p in sorted(after.keys() - before.keys())]
    differ += [f"differs: {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return differ


def compare_with_scratch(archive: Archive) -> list[str]:
    """Build the archive's current dumps again from nothing, in a folder of its own, and list
    the output files that differ from what the incremental build left: any state an
    incremental build carries wrongly (index, lists, feeds, caches) shows up here.

    Only the NER span cache is copied over (spaCy's spans of a text, keyed by the text's
    hash: running the model again would give the same spans, and takes minutes).
    """
    scratch = Archive(archive.n, archive.root / "scratch", archive.timeout, archive.ner_processes,
                      settings=archive.settings)
    shutil.rmtree(scratch.root, ignore_errors=True)
    shutil.copytree(archive.content, scratch.content, ignore=shutil.ignore_patterns("generated"))
    ner = archive.work / "cache" / "ner"
    if ner.is_dir():
        shutil.copytree(ner, scratch.work / "cache" / "ner", ignore=shutil.ignore_patterns("archive.json",
                                                                                        "evidence.json"))
    scratch.pelican("from scratch")
    before = {p.relative_to(archive.output): p for p in archive.output.rglob("*") if p.is_file()}
    after = {p.relative_to(scratch.output): p for p in scratch.output.rglob("*") if p.is_file()}
    differ = [f"only incremental: {p}" for p in sorted(before.keys() - after.keys())]
    differ += [f"only from scratch: {p}" for p in sorted(after.keys() - before.keys())]
    differ += [f"differs: {p}" for p in sorted(before.keys() & after.keys())
               if _comparable(p, before[p].read_bytes()) != _comparable(p, after[p].read_bytes())]
    shutil.rmtree(scratch.root, ignore_errors=True)
    return differ


def _by_folder(differ: list[str]) -> str:
    """``differs: tag/x/index.html`` … counted by kind and first folder: where the differences are."""
    from collections import Counter

    counts = Counter(f"{d.split(': ', 1)[0]} {d.split(': ', 1)[1].split('/', 1)[0]}" for d in differ)
    return ", ".join(f"{k} {v}" for k, v in counts.most_common())


def _load(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def progress_line(n: int, label: str, build: Build) -> str:
    """One line per finished build, printed as the run goes."""
    return (f"N={n}: {label:<11} {build.run.seconds:8.1f} s  {build.check.pages} pages "
            f"({build.extra.get('pages_not_rerendered', 0)} not re-rendered)  "
            f"{len(build.check.broken)} broken links  peak {build.run.peak_pss / 2**20:.0f} MiB PSS "
            f"({build.run.peak_rss / 2**20:.0f} MiB RSS summed)")


def incremental(archive: Archive, n: int, verify: bool, log: Any) -> Build:
    """One dump added, one changed, one removed, then a build; with ``verify``, every page
    rendered again and compared file by file with what the incremental build left."""
    archive.change_three()
    build = archive.pelican("incremental")
    log(progress_line(n, "incremental", build))
    if verify:
        differ = compare_with_scratch(archive)
        build.extra["differs_from_scratch"] = differ
        log(f"N={n}: incremental output vs a build from scratch of the same dumps: {len(differ)} files differ"
            + (f" (by kind and folder: {_by_folder(differ)})" if differ else "")
            + "".join(f"\n    {d}" for d in differ[:20]))
        differ = compare_with_full_render(archive)
        build.extra["differs_from_full_render"] = differ
        log(f"N={n}: incremental output vs every page rendered again: {len(differ)} files differ"
            + "".join(f"\n    {d}" for d in differ[:20]))
    return build


def resume(n: int, root: Path, timeout: float, ner_processes: int, log: Any = print,
           verify: bool = False, profile: Path | None = None,
           settings: dict[str, Any] | None = None) -> list[Build]:
    """Warm and incremental builds of an archive an earlier ``--keep`` run left in ``root``
    (its cold build done, perhaps with other code): bare Pelican twice on its plain
    Markdown (so the ratios compare builds of this run), one build to settle the caches
    under the current code ("settle"), then warm, incremental and, with ``verify``, the check."""
    archive = Archive(n, root, timeout, ner_processes, profile, settings)
    builds = []
    for label, step in (("bare", archive.bare_build), ("bare (2nd)", archive.bare_build),
                        ("settle", lambda: archive.pelican("settle")), ("warm", lambda: archive.pelican("warm"))):
        build = step()
        build.label = label
        builds.append(build)
        log(progress_line(n, label, build))
    builds.append(incremental(archive, n, verify, log))
    return builds


def measure(n: int, root: Path, timeout: float, ner_processes: int, log: Any = print,
            verify: bool = False, profile: Path | None = None,
            settings: dict[str, Any] | None = None) -> list[Build]:
    """All builds for one N, in order: bare, cold, warm, incremental (and, with
    ``verify``, every page rendered again and compared file by file with the incremental build)."""
    archive = Archive(n, root, timeout, ner_processes, profile, settings)
    log(f"N={n}: synthesising dumps and plain Markdown …")
    log(f"N={n}: synthesised in {archive.synthesise():.1f} s")
    builds = []
    for label, step in (("bare", archive.bare_build), ("bare (2nd)", archive.bare_build),
                        ("cold", lambda: archive.pelican("cold")), ("warm", lambda: archive.pelican("warm"))):
        build = step()
        build.label = label
        builds.append(build)
        log(progress_line(n, label, build))
    builds.append(incremental(archive, n, verify, log))
    return builds


# --- watch mode: one new story, until it is visible -------------------------------------


def _newest_cycle(work: Path) -> dict[str, Any]:
    return _load(work / "watch.json")


def _wait_cycle(work: Path, number: int, proc: subprocess.Popen, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the watcher exited ({proc.returncode})")
        status = _newest_cycle(work)
        if status.get("number", 0) >= number:
            return status
        time.sleep(0.05)
    raise RuntimeError(f"no watch cycle {number} within {timeout:.0f} s")


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process and its waited-for children (/proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _listing(output: Path, url: str) -> dict[str, float]:
    """Every HTML file that links to ``url``, with its modification time."""
    href = re.compile(r"""href\s*=\s*["'](?:\.\./)*/?""" + re.escape(url.strip("/")) + r"""/?["']""")
    found = {}
    for path in output.rglob("*.html"):
        rel = path.relative_to(output).as_posix()
        if rel == url.strip("/") + "/index.html":
            continue
        if href.search(path.read_text(encoding="utf-8", errors="replace")):
            found[rel] = path.stat().st_mtime
    return found


def watch_visibility(archive: Archive, log: Any = print) -> Build:
    """``news-archive watch`` on a built archive (the first cycle settles it), the search
    service beside it, then one new dump dropped in: seconds from the dump's write until its
    page is written, until the home page, its section front and its tag pages list it
    (each file's mtime: writes are atomic renames), until the running service's Whoosh index
    finds it (polled every 50 ms), and, separately, until the static (Pagefind) index is
    rewritten and until the cycle ends."""
    import urllib.parse
    import urllib.request

    sys.path.insert(0, str(ROOT / "tests"))
    from support import start_service, stop, write_settings_file

    settings = {"PATH": str(archive.content), "NEWS_ARCHIVE_WORK_DIR": str(archive.work),
                "THEME": str(ROOT / "theme"), "NEWS_ARCHIVE_PROGRESS": False,
                "NEWS_ARCHIVE_NER_PROCESSES": archive.ner_processes, **archive.settings}
    cmd = [PYTHON, "-m", "news_archive", "watch", "--settings", str(ROOT / "pelicanconf.py"),
           "--output", str(archive.output), "--debounce-ms", "100"]
    for key, value in settings.items():
        cmd += ["-e", f"{key}={json.dumps(value)}"]
    (archive.work / "watch.json").unlink(missing_ok=True)
    log_path = archive.site / f".watch-log-{time.time_ns()}"
    with open(log_path, "w", encoding="utf-8") as out:
        watcher = subprocess.Popen(cmd, cwd=archive.site, env=archive.env(), stdout=out, stderr=subprocess.STDOUT)
        service = None
        try:
            first = _wait_cycle(archive.work, 1, watcher, archive.timeout)
            log(f"N={archive.n}: watch: first cycle (settling) {first.get('seconds', 0):.1f} s")
            service = start_service(write_settings_file(archive.site / "watchconf.py", archive.content,
                                                        archive.output, archive.work),
                                    archive.output, archive.site, quiet=True)
            added = archive.n
            while (archive.dumps / synth.dump_name(added)).exists():
                added += 1
            rec = synth.record(added, archive.corpus)
            words = [w for w in re.findall(r"[A-Za-z]{4,}", rec.headline)][:6]
            query = "/search.json?" + urllib.parse.urlencode({"q": " ".join(words)})
            with PeakMemory(watcher.pid) as peak:
                cpu_before = _process_cpu_seconds(watcher.pid)
                dropped = time.time()
                synth.write_dumps(added + 1, archive.dumps, archive.corpus, start=added)
                url, found, ended = "", 0.0, 0.0
                while not found and not (ended and time.time() > ended + 30):  # 30 s after the cycle: not found
                    if watcher.poll() is not None:
                        raise RuntimeError(f"the watcher exited ({watcher.returncode})")
                    if not ended and _newest_cycle(archive.work).get("number", 0) >= 2:
                        ended = time.time()
                    if not url:  # the report is written at the start of the cycle, with the new URL
                        url = next((e.get("url", "") for e in _load(archive.work / "report.json").get("dumps", [])
                                    if e.get("path") == synth.dump_name(added) and e.get("status") == "converted"), "")
                    if url:
                        try:
                            with urllib.request.urlopen(service.url + query, timeout=5) as resp:
                                results = json.loads(resp.read()).get("results", [])
                            if any(r.get("url", "").rstrip("/").endswith(url.strip("/")) for r in results):
                                found = time.time()
                        except OSError:
                            pass
                    if not found:
                        time.sleep(0.05)
                cycle = _wait_cycle(archive.work, 2, watcher, archive.timeout)
                cycle_cpu = _process_cpu_seconds(watcher.pid) - cpu_before
        finally:
            if service is not None:
                stop(service.proc)
            stop(watcher)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    log_path.unlink()
    if not url:
        raise RuntimeError(f"the new dump {synth.dump_name(added)} was not converted:\n{text[-4000:]}")
    page = archive.output / url.strip("/") / "index.html"
    lists = _listing(archive.output, url)
    bundle = [p.stat().st_mtime for p in (archive.output / "pagefind").rglob("*") if p.is_file()]
    since = {
        "page": page.stat().st_mtime - dropped,
        "home": lists["index.html"] - dropped if "index.html" in lists else float("nan"),
        "section_front": max((t for p, t in lists.items() if p.startswith("section/")), default=float("nan")) - dropped,
        "tag_pages": max((t for p, t in lists.items() if p.startswith("tag/")), default=float("nan")) - dropped,
        "every_list": max(lists.values(), default=float("nan")) - dropped,
        "whoosh_found": found - dropped if found else float("nan"),
        "static_index": max(bundle, default=float("nan")) - dropped,
        "cycle_end": cycle.get("finished", float("nan")) - dropped,
    }
    visible = max(since["page"], since["every_list"], since["whoosh_found"])
    phases = {k: round(v, 2) for k, v in since.items()}
    log(f"N={archive.n}: watch: one new dump visible (page, {len(lists)} lists, Whoosh) in {visible:.1f} s; "
        + ", ".join(f"{k} {v:.1f} s" if v == v else f"{k}: does not list it" for k, v in since.items()))
    log(f"N={archive.n}: watch: the cycle took {cycle_cpu:.1f} CPU-s in the watcher (NER workers included), "
        f"load {_loadavg()}")
    # Where the cycle's seconds went, by the build's own marks (no profiler's overhead).
    timings = _load(archive.work / "build-timings.json")
    cycle_phases = timings.get("phases", {})
    by_template = {k: v for k, v in sorted(timings.get("render_write_by_template", {}).items(),
                                           key=lambda kv: -kv[1]) if v >= 0.1}
    log(f"N={archive.n}: watch: the cycle's phases (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in cycle_phases.items())
        + "; render_write by template: " + ", ".join(f"{k} {v:.2f}" for k, v in by_template.items()))
    run = Run(visible, cycle_cpu, peak.rss, 0 if cycle.get("ok") else 1, text, peak.pss)
    extra = {"lists": sorted(lists), "cycle": cycle, "watch_first_cycle_seconds": first.get("seconds"),
             "cycle_phases": cycle_phases, "cycle_render_write_by_template": by_template}
    return Build("watch: new story visible", archive.n, run, check_output(archive.output), phases, extra)


# --- NER throughput ------------------------------------------------------------------


@dataclass
class NerRun:
    """spaCy NER over the same texts in ``processes`` processes (spans_in_pieces, as the build runs it)."""

    processes: int
    words: int
    seconds: float
    cpu_seconds: float  # this process and its (waited-for) workers
    peak_rss: int
    peak_pss: int
    load: str  # /proc/loadavg before → after: other work on the machine skews the wall time

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds

    @property
    def words_per_cpu_second(self) -> float:
        return self.words / self.cpu_seconds


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def ner_throughput(stories: int, process_counts: tuple[int, ...] = (1, 2),
                   log: Any = print) -> tuple[list[NerRun], bool]:
    """Words/s of NER on the first ``stories`` BBC stories at each process count; whether the
    spans found were identical at every count.

    CPU seconds are measured too: under load from other work the wall-time ratio
    understates what the second core gives, and words per CPU second shows whether the
    workers waste any (on an idle machine the speed-up is about processes × that ratio).
    """
    sys.path.insert(0, str(ROOT / "plugins"))
    from news_archive.enrich import ner as entities
    from news_archive.settings import DEFAULTS

    texts = ["\n\n".join([s.headline, *s.paragraphs]) for s in synth.load_corpus()[:stories]]
    words = sum(len(t.split()) for t in texts)
    nlp = entities.load_model(DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"])
    list(entities.raw_spans(nlp, texts[:10]))  # warm the model up outside the measurement
    runs: list[NerRun] = []
    found: list[list[Any]] = []
    for procs in process_counts:
        load = _loadavg()
        cpu0 = _cpu_seconds()
        started = time.perf_counter()
        with PeakMemory(os.getpid()) as peak:
            found.append(entities.spans_in_pieces(nlp, texts, procs))
        seconds = time.perf_counter() - started
        run = NerRun(procs, words, seconds, _cpu_seconds() - cpu0, peak.rss, peak.pss, f"{load} → {_loadavg()}")
        runs.append(run)
        log(f"NER, {stories} BBC stories ({words:,} words), {procs} process(es): {seconds:.1f} s, "
            f"{run.words_per_second:,.0f} words/s, {run.words_per_cpu_second:,.0f} words/CPU-s, "
            f"peak {run.peak_pss / 2**20:.0f} MiB PSS ({run.peak_rss / 2**20:.0f} MiB RSS summed), "
            f"load {run.load}")
    return runs, all(f == found[0] for f in found)


def _cpu_seconds() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def ner_summary(runs: list[NerRun], identical: bool) -> list[str]:
    """Speed-up of each process count over one process, against the issue's ≥ 1.7× at 2."""
    one = next((r for r in runs if r.processes == 1), None)
    out = []
    for r in runs:
        if one is None or r is one:
            continue
        wall = r.words_per_second / one.words_per_second
        cpu = r.words_per_cpu_second / one.words_per_cpu_second
        out.append(f"NER {r.processes} processes vs 1: {wall:.2f}× words/s (target ≥ 1.7× at 2: "
                   f"{'met' if wall >= 1.7 else 'NOT met'}); words per CPU second {cpu:.2f}× "
                   f"(idle-machine estimate {r.processes * cpu:.2f}×); spans identical: {identical}")
    return out


# --- reporting -------------------------------------------------------------------------


def profile_summary(path: Path, top: int = 25) -> str:
    """The functions a profiled build spent most time in: by time including callees, and by own time."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(path), stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return "\n".join(line for line in out.getvalue().splitlines() if line.strip())


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    # BENCH_COMMIT names the code measured when it is an exported snapshot, not a checkout.
    commit = os.environ.get("BENCH_COMMIT") or subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = "" if os.environ.get("BENCH_COMMIT") else subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit + (" (+ uncommitted changes)" if dirty else ""),
        "date": datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(builds: list[Build]) -> str:
    """The result table: one row per build, times also as ratios to bare Pelican."""
    lines = [
        "| N | build | seconds | × bare | CPU s | ms/article | peak PSS MiB | peak RSS MiB | pages | output MiB "
        "| broken links | phases (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    bare: dict[int, float] = {}
    for b in builds:
        if b.label.startswith("bare"):
            bare[b.n] = b.run.seconds  # the second run is the one quoted
    for b in builds:
        ratio = f"{b.run.seconds / bare[b.n]:.2f}" if b.n in bare else ""
        phases = ", ".join(f"{k} {v:g}" for k, v in b.phases.items())
        lines.append(
            f"| {b.n:,} | {b.label} | {b.run.seconds:.1f} | {ratio} | {b.run.cpu_seconds:.1f} "
            f"| {1000 * b.run.seconds / b.n:.1f} "
            f"| {b.run.peak_pss / 2**20:.0f} | {b.run.peak_rss / 2**20:.0f} | {b.check.pages:,} "
            f"| {b.check.bytes / 2**20:.1f} | {len(b.check.broken)} | {phases} |"
        )
    return "\n".join(lines)


def targets(builds: list[Build]) -> list[str]:
    """The issue's targets, each with its figure and whether it is met."""
    by = {(b.n, b.label): b for b in builds}
    out = []
    sizes = sorted({b.n for b in builds})
    for n in sizes:
        bare, cold, warm, inc = (by.get((n, k)) for k in ("bare (2nd)", "cold", "warm", "incremental"))
        if bare and warm:
            r = warm.run.seconds / bare.run.seconds
            out.append(f"N={n:,}: warm {r:.2f}× bare (target ≤ 1.5×): {'met' if r <= 1.5 else 'NOT met'}")
        if warm and inc:
            r = inc.run.seconds / warm.run.seconds
            out.append(f"N={n:,}: incremental {r:.2f}× warm (target ≤ 1.2×): {'met' if r <= 1.2 else 'NOT met'}")
        if cold:
            out.append(f"N={n:,}: cold {1000 * cold.run.seconds / n:.1f} ms per story "
                       f"({1000 * cold.run.cpu_seconds / n:.1f} CPU-ms)")
        if cold and n >= 20000:
            ok = cold.run.seconds <= 720 and cold.run.peak_pss <= 2.5 * 2**30
            out.append(f"N={n:,}: cold {cold.run.seconds / 60:.1f} min, peak {cold.run.peak_pss / 2**30:.2f} GiB PSS "
                       f"({cold.run.peak_rss / 2**30:.2f} GiB RSS summed over processes) "
                       f"(target ≤ 12 min, ≤ 2.5 GiB PSS): {'met' if ok else 'NOT met'}")
        if inc:
            for key in ("differs_from_scratch", "differs_from_full_render"):
                if key in inc.extra:
                    out.append(f"N={n:,}: --verify, incremental {key.replace('_', ' ')}: "
                               f"{len(inc.extra[key])} files (target 0)")
        seen = by.get((n, "watch: new story visible"))
        if seen:
            bound = 5 if n <= 2000 else 15
            out.append(f"N={n:,}: watch, one new story visible (page, lists, Whoosh) in {seen.run.seconds:.1f} s "
                       f"(target ≤ {bound} s): {'met' if seen.run.seconds <= bound else 'NOT met'}; "
                       f"static index rewritten after {seen.phases.get('static_index', float('nan')):.1f} s")
        broken = sum(len(b.check.broken) for b in builds if b.n == n)
        out.append(f"N={n:,}: broken internal links in all builds: {broken} (target 0)")
    small = [n for n in sizes if (n, "cold") in by]
    for a, b in zip(small, small[1:], strict=False):
        ta = by[(a, "cold")].run.seconds / a
        tb = by[(b, "cold")].run.seconds / b
        out.append(f"cold time/article N={b:,} vs N={a:,}: {tb / ta:.2f}× (target ≤ 1.3×): "
                   f"{'met' if tb / ta <= 1.3 else 'NOT met'}")
        out += superlinear(by[(a, "cold")], by[(b, "cold")])
    return out


def superlinear(small: Build, big: Build, bound: float = 1.3) -> list[str]:
    """Phases whose seconds per story grow by more than ``bound`` from the smaller archive to the
    bigger one: what grows faster than linearly."""
    out = []
    for key, value in big.phases.items():
        before = small.phases.get(key)
        if not before or before < 0.5 or value <= 0:
            continue
        ratio = (value / big.n) / (before / small.n)
        if ratio > bound:
            out.append(f"grows faster than linearly, N={small.n:,} → {big.n:,}: {key} "
                       f"{1000 * before / small.n:.2f} → {1000 * value / big.n:.2f} ms per story ({ratio:.2f}×)")
    return out


def write_results(builds: list[Build], info: dict[str, str], command: str, ner: list[str] | None = None) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = "-".join(str(n) for n in sorted({b.n for b in builds}))
    stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M")
    path = RESULTS / f"build-{sizes}-{stamp}.md"
    lines = [
        f"# bench/build.py, N = {sizes.replace('-', ', ')}",
        "",
        f"Command: `{command}`",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        "",
        table(builds),
        "",
        *[f"- {t}" for t in targets(builds)],
        "",
        *(["NER words/s (raw_spans on the first BBC stories, before the builds):", "", *[f"- {t}" for t in ner], ""]
          if ner else []),
        "Render+write seconds by first folder of the page (warm build):",
        "",
    ]
    for b in builds:
        if b.label == "warm":
            lines.append(f"- N={b.n:,}: " + ", ".join(
                f"{k} {v:g} s / {b.extra['pages_by_template'].get(k, 0)} pages"
                for k, v in b.extra.get("render_write_by_template", {}).items()))
    lines += ["", "```json", json.dumps([b.row() for b in builds], indent=1), "```", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cold/warm/incremental build times against bare Pelican.")
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated N (default 2000,20000)")
    parser.add_argument("--huge", action="store_true", help="add N = 100,000")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=JSON",
                        help="a plugin setting for every build, e.g. NEWS_ARCHIVE_NER=false (repeatable; "
                             "the results file's command line records it)")
    parser.add_argument("--quick", action="store_true", help="N = 50 only: proves the harness in seconds")
    parser.add_argument("--timeout", type=float, default=3 * 3600, help="seconds allowed per build")
    parser.add_argument("--ner-processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--ner-stories", type=int, default=1000,
                        help="first measure NER words/s at 1 and --ner-processes processes on this many "
                             "BBC stories (0: skip; default 1,000)")
    parser.add_argument("--ner-only", action="store_true", help="only the NER words/s measurement")
    parser.add_argument("--profile", type=Path,
                        help="run every build under cProfile, its stats in this folder (times then "
                             "include cProfile's overhead: for where the time goes, not for figures); "
                             "the functions that take most are printed")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temp folder)")
    parser.add_argument("--no-save", action="store_true", help="print only; do not write bench/results/")
    parser.add_argument("--resume", action="store_true",
                        help="with --keep: warm and incremental builds of the archives a previous --keep "
                             "run left there (no synthesis, no cold build)")
    parser.add_argument("--verify", action="store_true",
                        help="after the incremental build, render every page again and compare every "
                             "output file (on with --quick)")
    parser.add_argument("--watch", action="store_true",
                        help="then run `news-archive watch` on the archive, drop one new dump and time until "
                             "its page, its lists and the search service show it (with --keep --resume: only "
                             "this, on the kept archive)")
    args = parser.parse_args(argv)
    settings = {name: json.loads(value) for name, value in (s.split("=", 1) for s in args.setting)}
    if not synth.available():
        print(f"bench/build.py: skipped, {synth.BBC} is not available")
        return 0
    sizes = [50] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.huge:
        sizes.append(100_000)
    info = machine()
    print("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()), flush=True)
    ner: list[str] = []
    stories = 0 if args.quick else args.ner_stories
    if stories or args.ner_only:
        counts = tuple(sorted({1, max(2, args.ner_processes)}))
        runs, identical = ner_throughput(stories or 1000, counts, log=lambda s: print(s, flush=True))
        ner = [f"{r.processes} process(es): {r.words_per_second:,.0f} words/s in {r.seconds:.1f} s, "
               f"{r.words_per_cpu_second:,.0f} words/CPU-s, peak {r.peak_pss / 2**20:.0f} MiB PSS "
               f"({r.peak_rss / 2**20:.0f} MiB RSS summed), load {r.load}" for r in runs]
        ner += ner_summary(runs, identical)
        for line in ner_summary(runs, identical):
            print(line, flush=True)
    if args.ner_only:
        return 0
    builds: list[Build] = []
    for n in sizes:
        def watched(root: Path, n: int = n) -> list[Build]:
            if not args.watch:
                return []
            archive = Archive(n, root, args.timeout, args.ner_processes, settings=settings)
            return [watch_visibility(archive, log=lambda s: print(s, flush=True))]

        if args.keep and args.resume and args.watch:
            builds += watched(args.keep / f"n{n}")
        elif args.keep and args.resume:
            builds += resume(n, args.keep / f"n{n}", args.timeout, args.ner_processes,
                             log=lambda s: print(s, flush=True), verify=args.verify, profile=args.profile,
                             settings=settings)
        elif args.keep:
            root = args.keep / f"n{n}"
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            builds += measure(n, root, args.timeout, args.ner_processes, log=lambda s: print(s, flush=True),
                              verify=args.verify or args.quick, profile=args.profile, settings=settings)
            builds += watched(root)
        else:
            with tempfile.TemporaryDirectory(prefix=f"bench-build-{n}-") as tmp:
                builds += measure(n, Path(tmp), args.timeout, args.ner_processes,
                                  log=lambda s: print(s, flush=True), verify=args.verify or args.quick,
                                  profile=args.profile, settings=settings)
                builds += watched(Path(tmp))
    print()
    print(table(builds))
    print()
    for line in targets(builds):
        print(line)
    for b in builds:
        if b.extra.get("profile"):
            print(f"\n{b.label}, N={b.n}, under cProfile ({b.run.seconds:.1f} s): {b.extra['profile']}")
            print(profile_summary(Path(b.extra["profile"])))
    for b in builds:
        for page, link in b.check.broken[:5]:
            print(f"broken link ({b.label}, N={b.n}): {page} → {link}")
    if not args.no_save and not args.quick:
        path = write_results(builds, info, "python bench/build.py " + " ".join(argv or sys.argv[1:]), ner)
        print(f"\nwritten to {path.relative_to(ROOT)}")
    return 1 if any(b.check.broken for b in builds) else 0


if __name__ == "__main__":
    sys.exit(main())
