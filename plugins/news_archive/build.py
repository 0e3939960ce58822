"""One build's state, in one object that travels with Pelican's settings.

A Pelican run hands its receivers different things (the Pelican instance, a generator,
a writer, a written page's context), but every one of them sees the run's settings
dict, or a copy of it.  So the plugin's per-build state lives in one :class:`Build`,
created at ``initialized`` and stored in the settings under :data:`BUILD_KEY`; nothing
of one build is left in a module global for the next (``pelican --autoreload`` and the
test suite build many sites in one process).

It holds what one step of the build hands to a later one:

* the Story records of this build, by content hash (the converter's, for the pages
  that read typed fields instead of parsing Markdown metadata back);
* the per-article entity details the taxonomy step reads (``enrich.read_details``),
  handed over in memory instead of being parsed back from ``<work>/entities.json``;
* the ledger of files written (for the sitemap and the stale-page pruning) and the
  timing log (``ledger.Timings``);
* the render memo of the skipping writer and the feed memo;
* the watch session (``watch.WatchSession``) when the build is one cycle of
  ``news-archive watch``: what lives from one cycle to the next.  The watcher hands it
  over in the settings under :data:`WATCH_KEY`, and :meth:`Build.start` moves it into
  the build, out of the settings, so no page digest, template context or pickled cache
  sees it; every cycle still gets a fresh ``Build``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import settings as S
from .ledger import Timings

if TYPE_CHECKING:
    from .feeds import FeedMemo
    from .skipping_writer import RenderMemo
    from .story import Story
    from .watch import WatchSession

# The settings key the build is kept under.  Upper case, so templates' context priming
# skips it like any setting; the page and feed digests leave it out (fingerprints).
BUILD_KEY = "_NEWS_ARCHIVE_BUILD"
# The settings key a watcher hands its session over in, until ``Build.start`` takes it.
WATCH_KEY = "_NEWS_ARCHIVE_WATCH"


class Build:
    """Everything one Pelican run of this plugin keeps between its receivers."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.work_dir = S.work_dir(settings)
        self.cache_dir = os.path.join(self.work_dir, "cache")
        self.stories: dict[str, Story] = {}  # content hash → the story its page was rendered from
        self.details: dict[str, Any] | None = None  # entities.json as written, until read once
        self.written: set[str] = set()  # absolute paths of the files this build wrote
        self.timings = Timings()
        self.render_memo: RenderMemo | None = None
        self.feed_memo: FeedMemo | None = None
        # id of a story list -> (the list, a copy of it (a slice), what templates ask of it: site._list_facts)
        self.list_facts: dict[int, tuple[Any, Any, tuple[frozenset[bool], int]]] = {}
        self.session: WatchSession | None = settings.pop(WATCH_KEY, None)  # None: a one-shot build
        self.gc_thresholds: tuple[int, ...] | None = None  # the collector's, before this build raised them
        # (ArticlesGenerator, writer) once its pages are written: the search pages and the static
        # index are finished at finalized (search.static_pages.hold), so no list waits for Pagefind.
        self.static_search: tuple[Any, Any] | None = None
        # (index root, the article pages not written yet) the pending search generation waits
        # for: it goes live on the last one's content_written (search.indexer.page_written).
        self.search_waiting: tuple[Any, set[str]] | None = None
        # The articles whose pages show something new this build, by id (the article kept beside
        # it), from the search index (search.indexer.update_index): ``changed_articles`` new or
        # changed stories, ``relisted_articles`` unchanged ones whose related list changed.  Their
        # pages, and the entity pages naming a changed story, are written before the unchanged ones.
        self.changed_articles: dict[int, Any] = {}
        self.relisted_articles: dict[int, Any] = {}
        # id of an article -> (the article, where its page is written): Pelican formats save_as
        # anew from the settings on every access (search.indexer._page_path)
        self.page_paths: dict[int, tuple[Any, str | None]] = {}
        self._kept: dict[str, dict[Any, Any]] = {}  # Build.kept's memos when there is no session

    @classmethod
    def start(cls, settings: dict[str, Any]) -> Build:
        """A new build for these settings (replacing any earlier one kept in them)."""
        build = settings[BUILD_KEY] = cls(settings)
        return build

    @staticmethod
    def of(settings: dict[str, Any] | None) -> Build | None:
        """The build these settings (or a context copied from them) belong to; None outside
        a Pelican run of the plugin (the converter or the indexer called by themselves)."""
        build = (settings or {}).get(BUILD_KEY)
        return build if isinstance(build, Build) else None

    def story_of(self, content_hash: str) -> Story | None:
        return self.stories.get(content_hash)

    def kept(self, name: str) -> dict[Any, Any]:
        """A memo named ``name`` that outlives this build when it is a watch cycle.

        In ``news-archive watch`` the dict is the session's, so the next cycle finds what
        this one put there; in a one-shot build it is a fresh dict of this build.  Only
        for values that are pure functions of their keys (a digest of every input they
        were made from, the code's version among them): a cycle that finds a key gets what
        a build from scratch would have made, so a cycle's output stays a one-shot build's.
        """
        memos = self.session.kept if self.session is not None else self._kept
        return memos.setdefault(name, {})

    def __repr__(self) -> str:  # settings are logged and printed: never all the stories
        return f"<news_archive build: {len(self.stories)} stories, {len(self.written)} files written>"

    def __reduce__(self) -> Any:
        """Never pickled with what holds it (Pelican's generator-level content cache pickles
        articles with their settings): an unpickled build is an empty, finished one."""
        return (_empty_build, ())


def _empty_build() -> None:
    return None
