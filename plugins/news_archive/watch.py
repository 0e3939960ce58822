"""``news-archive watch``: build once, then rebuild in the same process on every change.

A one-shot incremental build of a 2,000-story archive spends seconds before it reads a
single dump: the interpreter and its imports, the spaCy model loaded for the one new
story, the gazetteer and the other pure tables of the installed code.  The watcher pays
for those once.  Each change under ``content/`` (or to the theme or the settings file)
then runs one *cycle*: a complete, ordinary Pelican build, in this process.

What a cycle gets fresh, and what is kept:

* **fresh**: the settings (read again from the settings file, so an edit to it takes
  effect), the ``Pelican`` object (so ``initialized`` is sent and every receiver of the
  plugin runs as in a one-shot build), and its ``build.Build``.  Every file a cycle
  writes is therefore written by the same code from the same inputs as a one-shot
  build of the same dumps would write it: the output is the same (tests/test_watch.py
  compares every file).
* **kept**: the process and what it memoises as pure functions of the installed code
  (the loaded spaCy model, the gazetteer and name tables, the per-dump conversion and
  NER caches on disk), and this :class:`WatchSession`, handed to each cycle's build
  through the settings (``build.WATCH_KEY``; ``Build.start`` moves it into the build,
  so no page digest and no pickled cache ever sees it).  Nothing of a cycle is kept in
  a module global.

Each cycle holds the build lock (``buildlock``) from ``initialized`` to ``finalized``, like
any build: a one-shot ``make html`` started meanwhile refuses, and a cycle that finds a
one-shot build running says so and is tried again at the next change (or, with nothing
changing, after ``RETRY_SECONDS``).  A dump that breaks is a report entry, as in any
build; a cycle that fails as a whole (a bad template, a bad settings file) is logged
with its error and the watcher waits for the next change.

After each cycle the watcher writes ``<work>/watch.json`` (cycle number, the changes it
saw, when it started and finished, whether it succeeded, the report's counts): how a
script or a test knows a cycle is done without reading the log.
"""

from __future__ import annotations

import fnmatch
import gc
import json
import logging
import os
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any

from . import settings as S
from .build import WATCH_KEY
from .pelican_overrides import forget_memoized_content
from .speedups import BUILD_GC_THRESHOLD

log = logging.getLogger(__name__)

STATUS_FILE = "watch.json"
RETRY_SECONDS = 2.0  # a cycle refused by another build's lock is tried again this soon
# A cycle runs with the collector's threshold of a one-shot build (speedups.BUILD_GC_THRESHOLD),
# raised before the cycle reads its settings and put back even when the cycle fails.
CYCLE_GC_THRESHOLD = BUILD_GC_THRESHOLD


@dataclass
class Cycle:
    """One rebuild: what set it off and how it went (``<work>/watch.json``)."""

    number: int
    changes: list[str]
    started: float = 0.0  # time.time() at the start and the end of the cycle
    finished: float = 0.0
    ok: bool = False
    error: str = ""  # why the cycle failed as a whole ("" when it did not)
    locked: bool = False  # refused: another build held the work folder's lock
    counts: dict[str, int] = field(default_factory=dict)  # the build report's

    @property
    def seconds(self) -> float:
        return self.finished - self.started


class WatchSession:
    """A long-running build: one settings file (plus overrides), rebuilt on each change.

    The session is what lives from one cycle to the next; each cycle's own state lives
    in that cycle's ``build.Build``, as in a one-shot build.
    """

    def __init__(self, settings_file: str, overrides: dict[str, Any] | None = None,
                 debounce_ms: int = 200) -> None:
        self.settings_file = os.path.abspath(settings_file)
        self.overrides = dict(overrides or {})
        self.debounce_ms = debounce_ms  # quiet time that ends a burst of file events
        self.cycles: list[Cycle] = []
        self.summary = ""  # the last cycle's report summary, as ``make html`` prints it
        self.warmed = False
        # Build.kept's memos: name -> {digest of the inputs -> what they make}
        self.kept: dict[str, dict[Any, Any]] = {}

    def __repr__(self) -> str:  # settings are logged and printed
        return f"<news_archive watch session: {self.settings_file}, {len(self.cycles)} cycles>"

    def __reduce__(self) -> Any:
        """Never pickled with the settings that carry it (see ``Build.__reduce__``)."""
        return (_no_session, ())

    # --- one cycle ---------------------------------------------------------------

    def read_settings(self) -> dict[str, Any]:
        """This cycle's settings: the file read again, the overrides, and the session."""
        from pelican.settings import read_settings

        settings = read_settings(self.settings_file, override=self.overrides)
        # Pelican's command line puts DEBUG in every build's settings (pelican.get_config).
        # Without it a cycle's settings were not `make html`'s, so neither was the render
        # memo's global digest: the first cycle after a one-shot build (and the first one-shot
        # build after a session) rendered every page and rebuilt every feed again (at 2,000
        # stories all 15,000 pages, ~70 s on this machine's 2 busy cores).
        settings.setdefault("DEBUG", logging.getLogger().getEffectiveLevel() == logging.DEBUG)
        settings[WATCH_KEY] = self
        return settings

    def build(self, changes: list[str] | None = None) -> Cycle:
        """One complete Pelican build in this process; never raises for a failed build."""
        from pelican import Pelican

        from . import buildlock

        cycle = Cycle(number=len(self.cycles) + 1, changes=sorted(changes or []), started=time.time())
        work = None
        self.summary = ""
        thresholds = gc.get_threshold()
        gc.set_threshold(CYCLE_GC_THRESHOLD, *thresholds[1:])
        try:
            settings = self.read_settings()
            work = S.work_dir(settings)
            Pelican(settings).run()
            cycle.ok = True
        except buildlock.BuildLocked as exc:
            cycle.locked, cycle.error = True, str(exc)
        except Exception as exc:  # noqa: BLE001 - the watcher outlives a failed build
            cycle.error = f"{type(exc).__name__}: {exc}"
            log.error("news_archive watch: cycle %d failed: %s\n%s", cycle.number, cycle.error,
                      traceback.format_exc())
        finally:
            gc.set_threshold(*thresholds)
            if work is not None:  # a build that died before finalized must not keep the lock
                buildlock.release(work)
        cycle.finished = time.time()
        if work is not None:  # one parse for the counts and the summary: 20,000 entries take seconds
            report = _read_report(S.report_path({"NEWS_ARCHIVE_WORK_DIR": work}))
            cycle.counts = dict(report.get("counts", {}))
            self.summary = _report_summary(report)
        self.cycles.append(cycle)
        if work is not None:
            self.write_status(work, cycle)
        if cycle.ok and not self.warmed:
            self.warm_up(settings)
        # Nothing of this cycle outlives it: Pelican's memoized content caches held every
        # earlier cycle's articles, and through them its settings and build; the settings
        # (which hold the build) are let go before the collection.
        settings = None
        forget_memoized_content()
        collect_and_freeze()
        return cycle

    def warm_up(self, settings: dict[str, Any]) -> None:
        """Load now what the first new story would otherwise wait for: the spaCy model
        (loaded by a build only when a text is not in the NER cache; ~5 s)."""
        self.warmed = True
        if not S.get(settings, "NEWS_ARCHIVE_NER"):
            return
        try:
            from .enrich.ner import load_model

            load_model(str(S.get(settings, "NEWS_ARCHIVE_SPACY_MODEL")))
        except Exception as exc:  # noqa: BLE001 - a build loads it again and reports what fails
            log.warning("news_archive watch: the spaCy model did not load ahead of time: %s", exc)

    @staticmethod
    def write_status(work: str, cycle: Cycle) -> None:
        from .fileio import write_atomic

        os.makedirs(work, exist_ok=True)
        data = {**asdict(cycle), "seconds": round(cycle.seconds, 3), "pid": os.getpid()}
        write_atomic(os.path.join(work, STATUS_FILE), json.dumps(data, indent=1))

    # --- watching ----------------------------------------------------------------

    def watched(self, settings: dict[str, Any]) -> tuple[list[str], WatchFilter]:
        """The paths to watch and the filter that drops the build's own writes."""
        content = os.path.abspath(settings["PATH"])
        paths = [content, self.settings_file]
        theme = settings.get("THEME")
        if theme and os.path.isdir(theme):
            paths.append(os.path.abspath(theme))
        ignored = [S.content_subdir(settings, "NEWS_ARCHIVE_GENERATED_DIR"), S.work_dir(settings),
                   os.path.abspath(settings.get("OUTPUT_PATH", "output"))]
        patterns = list(settings.get("IGNORE_FILES") or [])
        return paths, WatchFilter(ignored, patterns)

    def run(self, stop: threading.Event | None = None) -> None:
        """Build once, then once per burst of changes, until ``stop`` is set (or Ctrl-C).

        The watch starts before the first build, so a dump dropped while that build runs
        sets off the next cycle instead of going unseen (watchfiles' own ``watch()`` only
        starts watching once it is first iterated).  Events that come during a cycle are
        kept by the notifier and start the next one.
        """
        from watchfiles import Change
        from watchfiles._rust_notify import RustNotify

        settings = self.read_settings()
        settings.pop(WATCH_KEY)
        paths, keep = self.watched(settings)
        polling = bool(os.environ.get("WATCHFILES_FORCE_POLLING"))
        with RustNotify(paths, False, polling, 300, True, False) as notify:
            print(f"news_archive watch: watching {', '.join(paths)} (Ctrl-C to stop)", flush=True)
            cycle = self.build()
            _log_cycle(cycle, self.summary)
            pending: set[str] = set()
            while True:
                raw = notify.watch(60_000, self.debounce_ms, int(RETRY_SECONDS * 1000), stop)
                if raw in ("signal", "stop"):  # Ctrl-C, or told to stop
                    return
                if raw != "timeout":
                    pending |= {path for change, path in raw if keep(Change(change), path)}
                if not pending and not self.cycles[-1].locked:
                    continue
                cycle = self.build(sorted(pending))
                _log_cycle(cycle, self.summary)
                if not cycle.locked:
                    pending.clear()


class WatchFilter:
    """Which file events start a cycle: not the build's own writes (generated pages, the
    work folder, the output), not Pelican's IGNORE_FILES, not temporary files of atomic
    writes, and not Python's bytecode or editors' swap files (watchfiles' defaults)."""

    def __init__(self, ignored: list[str], patterns: list[str]) -> None:
        import watchfiles

        self.ignored = [os.path.abspath(p) for p in ignored]
        self.patterns = [*patterns, "*.tmp", ".*.tmp*"]
        self.default = watchfiles.DefaultFilter()

    def __call__(self, change: Any, path: str) -> bool:
        if not self.default(change, path):
            return False
        path = os.path.abspath(path)
        if any(path == d or path.startswith(d + os.sep) for d in self.ignored):
            return False
        name = os.path.basename(path)
        return not any(fnmatch.fnmatch(name, p) for p in self.patterns)


def collect_and_freeze() -> None:
    """Collect the cycle's garbage, then move what survives into the collector's permanent
    generation (``gc.freeze``), so the next cycle's collections skip it.

    What outlives a cycle is the process's: modules, the spaCy model, the archive pass's
    lru caches, the session's memos (``Build.kept``): millions of objects at 20,000 stories,
    none of them garbage, that every full collection of every later cycle walked again
    (the objects a cycle makes trigger many).  Unfreezing first lets this collection look
    at everything once more, so cyclic garbage among the frozen objects (a memo entry
    replaced) is still freed, one cycle late; reference counting frees the rest at once.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _read_report(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _log_cycle(cycle: Cycle, summary: str) -> None:
    """The cycle's outcome and, after a build, its report's summary (as ``make html`` prints it)."""
    if cycle.ok:
        print(f"news_archive watch: cycle {cycle.number} done in {cycle.seconds:.1f} s "
              f"({len(cycle.changes)} changed paths)", flush=True)
    elif cycle.locked:
        print(f"news_archive watch: cycle {cycle.number} not run: {cycle.error}; trying again", flush=True)
    else:
        print(f"news_archive watch: cycle {cycle.number} failed in {cycle.seconds:.1f} s: {cycle.error}; "
              "waiting for the next change", flush=True)
    if not cycle.locked:
        if summary:
            print(summary, flush=True)


def _report_summary(data: dict[str, Any]) -> str:
    from .report import summary

    try:
        return summary(data)
    except (KeyError, TypeError, AttributeError):
        return ""


def _no_session() -> None:
    return None
