"""The long lists a reader browses: section fronts, the archives, the tags index and
the A–Z of people, organisations and places, each split and paginated.

At archive scale one page per list is unusable (on 2,095 BBC stories the A–Z was
133,000 px tall, the tags index 71,000, the undated archive 175,000), so:

* **the home page** (``index.html``, ``page/N/``), unless Pelican's ``DIRECT_TEMPLATES``
  has ``"index"``;
* **section fronts** (``SECTION_URL``): one per section a story names (from its dump,
  sidecar or manifest, or its folder through ``NEWS_ARCHIVE_SECTION_FOLDERS``; never
  invented), paginated like the home page;
* **archives**: the years and months of dated stories, then the undated ones in the
  order they were archived, paginated (``…/page/2/``);
* **tags** and **entities A–Z**: a page per initial letter (``tags/a/``,
  ``entities/a-z/a/``), each paginated, with jump links to every letter on every page.

Pelican's own writer and paginator do the paging (``PAGINATED_TEMPLATES`` gives each
template its page size), so every page goes through the same skip-unchanged writer,
sitemap and directory-style pagination as the rest of the site.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pelican.generators import Generator
from pelican.urlwrappers import URLWrapper

from .article_story import is_undated
from .ordering import date_flags, newest_first, order_label
from .paging import Link, list_pages, page_size, story_views

# Items per page of each list template (merged into PAGINATED_TEMPLATES unless set there).
PAGE_SIZES = {"archives": 50, "section": None, "tags_letter": 240, "entities_letter": 240, "period_archives": 50}
# Tags shown on the tags index page itself (the most used; every tag is on its letter's page).
TAGS_INDEX_TOP = 120
OTHER = "#"  # the heading of names that do not start with a letter
OTHER_SLUG = "0-9"


class Section(URLWrapper):
    """A section of the archive ("Business", "Sport") with its front at SECTION_URL."""

    def __init__(self, name: str, settings: dict[str, Any]) -> None:
        super().__init__(name, settings)
        self.articles: list[Any] = []

    @property
    def count(self) -> int:
        return len(self.articles)


def initial(name: str) -> str:
    """The A–Z heading a name is listed under ("#" for names not starting with a letter)."""
    from unidecode import unidecode

    first = unidecode(name.strip()[:1]).upper()[:1]
    return first if "A" <= first <= "Z" else OTHER


def letter_slug(letter: str) -> str:
    return OTHER_SLUG if letter == OTHER else letter.lower()


def by_letter(items: list[Any], name: Any) -> list[tuple[str, list[Any]]]:
    """``[(letter, items sorted by name)]`` in A–Z order, "#" last."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        groups[initial(name(item))].append(item)
    order = sorted(groups, key=lambda c: (c == OTHER, c))
    return [(c, sorted(groups[c], key=lambda i: name(i).casefold())) for c in order]


def collect_sections(articles: list[Any], settings: dict[str, Any]) -> tuple[list[Section], dict[str, Section]]:
    """Every section the stories name, with its stories newest first, and each spelling's section.

    Sections are one per *slug*: "World", "world" and "<b>World</b>" are one front (two
    fronts written to one file stopped the build).  The front is named by its most common
    spelling (ties: the first in sorted order); a name with no slug at all ("!!!") has no front.
    """
    by_slug: dict[str, Section] = {}
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    of_name: dict[str, Section] = {}
    for article in articles:
        name = str(article.metadata.get("section") or "").strip()
        if not name:
            continue
        section = of_name.get(name)
        if section is None:
            slug = Section(name, settings).slug
            if not slug:
                continue
            section = by_slug.get(slug)
            if section is None:
                section = by_slug[slug] = Section(name, settings)
            of_name[name] = section
        spellings[section.slug][name] += 1
        section.articles.append(article)
    for slug, section in by_slug.items():
        counts = spellings[slug]
        section.name = min(counts, key=lambda n: (-counts[n], n))
        section.articles.sort(key=newest_first)
    return sorted(by_slug.values(), key=lambda s: s.name.casefold()), of_name


def view_period_archives(context: dict[str, Any]) -> None:
    """Pelican's year and month archives list each story by what a list shows of it
    (``paging.StoryView``), as the home page and section fronts do, not by the story itself.

    Every page of a period reads the period's whole list (its count, its months), so with
    the stories a story re-tagged or re-annotated anywhere in a year (one story added
    re-tags and re-annotates others archive-wide) re-rendered every page of that year and
    of its month, none of which shows tags or names.  Needs each story's
    ``section_front``, so it runs once the sections are known."""
    for periods in (context.get("period_archives") or {}).values():
        for period in periods:
            for key in ("dates", "articles"):
                period[key] = story_views(context, period[key])


def _folder(url: str) -> str:
    """``tags/`` → ``tags``: the folder a listing's pages are written under."""
    return url.strip("/")


class ListsGenerator(Generator):
    """Writes the section fronts, the archives and the lettered indexes."""

    def generate_context(self) -> None:
        for name, size in PAGE_SIZES.items():
            self.settings["PAGINATED_TEMPLATES"].setdefault(name, size)
        articles = self.context.get("articles", [])
        self.sections, self.section_of = (collect_sections(articles, self.settings)
                                          if self.settings.get("SECTION_URL") else ([], {}))
        self.context["sections"] = self.sections
        # What the navigation of every page shows: names and links only, as plain strings, so
        # a story joining a section re-renders that front, not every page (see speedups).
        self.context["section_nav"] = [(s.name, s.url) for s in self.sections]
        for article in articles:
            article.section_front = self.section_of.get(str(article.metadata.get("section") or "").strip())
        view_period_archives(self.context)

    def _write(self, writer: Any, save_as: str, url: str, template: str, **kwargs: Any) -> None:
        kwargs.setdefault("page_name", _folder(url))
        writer.write_file(save_as, self.get_template(template), self.context, template_name=template,
                          url=url, relative_urls=self.settings["RELATIVE_URLS"], **kwargs)

    def generate_output(self, writer: Any) -> None:
        if "index" not in self.settings.get("DIRECT_TEMPLATES", ()):
            self.write_home(writer)
        self.write_sections(writer)
        self.write_archives(writer)
        self.write_tags(writer)
        self.write_entities_az(writer)

    def write_home(self, writer: Any) -> None:
        """The home page and its pages, numbered from the oldest story (``paging``), unless
        Pelican writes them (``"index"`` in ``DIRECT_TEMPLATES``).  A new story changes the
        front page only: the count, the "most covered" names and the tags are on it alone,
        and a later page is given none of them (as every variable a template reads, they
        would count among its inputs even where it does not show them)."""
        articles = self.context.get("articles", [])
        per_page = page_size(self.settings, "index")
        flags = date_flags(articles)
        dated = sum(1 for a in articles if not is_undated(a))
        for page in list_pages(story_views(self.context, articles), per_page, "", "index.html", self.settings):
            front = ({"story_total": len(articles), "dated_total": dated} if page.front
                     else {"entities_by_kind": [], "top_tags": []})
            self._write(writer, page.save_as, page.url, "index", pager=page, articles=page.object_list,
                        list_order=order_label(articles, page.object_list, flags), paginated={},
                        page_name="index", **front)

    def write_sections(self, writer: Any) -> None:
        """Each section front, its pages numbered from its oldest story (``paging``): a story
        added to a section changes its front page and the page the story is on.  Only the
        front page is given the section itself (its count); every page its name and link."""
        per_page = page_size(self.settings, "section")
        for section in self.sections:
            head = Link(section.name, section.url)  # on every page: the section carries its whole list
            flags = date_flags(section.articles)
            for page in list_pages(story_views(self.context, section.articles), per_page, section.url,
                                   section.save_as, self.settings):
                front = {"section": section} if page.front else {}
                self._write(writer, page.save_as, page.url, "section", section_head=head, pager=page,
                            articles=page.object_list, list_order=order_label(section.articles, page.object_list,
                                                                                flags),
                            paginated={}, page_name=_folder(section.url), **front)

    def write_archives(self, writer: Any) -> None:
        url = self.settings.get("ARCHIVES_URL", "archives/")
        save_as = self.settings.get("ARCHIVES_SAVE_AS", "archives/index.html")
        dates = [a for a in self.context.get("dates", []) if not is_undated(a)]
        undated = sorted((a for a in self.context.get("articles", []) if is_undated(a)), key=newest_first)
        per_page = page_size(self.settings, "archives")
        # The years and months (every dated story) are on the first page only, and the undated
        # stories' pages are numbered from the first archived (paging): a dated story changes
        # the first page, an undated one the first page and the one it is on.
        for page in list_pages(story_views(self.context, undated), per_page, url, save_as, self.settings):
            front = {"dates": dates, "undated_total": len(undated)} if page.front else {"dates": []}
            self._write(writer, page.save_as, page.url, "archives", pager=page, articles=page.object_list,
                        paginated={}, page_name=_folder(url), **front)

    def write_tags(self, writer: Any) -> None:
        tags = self.context.get("tags", {})
        items = list(tags.items()) if isinstance(tags, dict) else list(tags)
        letters = by_letter(items, lambda item: item[0].name)
        url = self.settings.get("TAGS_URL", "tags/")
        save_as = self.settings.get("TAGS_SAVE_AS", "tags/index.html")
        top = sorted(items, key=lambda item: (-len(item[1]), item[0].name.casefold()))[:TAGS_INDEX_TOP]
        nav = [(c, f"{_folder(url)}/{letter_slug(c)}/", len(group)) for c, group in letters]
        self._write(writer, save_as, url, "tags", tags=items, top_tags_index=top, letters=nav, letter="")
        self.write_letters(writer, "tags_letter", letters, nav)

    def write_letters(self, writer: Any, template: str, letters: list[tuple[str, list[Any]]],
                      nav: list[tuple[str, str, int]], **kwargs: Any) -> None:
        """A page per letter, paginated A–Z with pages of their own (``paging``).

        Their letter bar names no counts (the index page has them): a count printed on every
        page of every letter changed them all whenever a name was added anywhere.  Only a
        letter's first page says how many names it has."""
        per_page = page_size(self.settings, template)
        bar = [(c, letter_url, None) for c, letter_url, _ in nav]
        for (c, group), (_, letter_url, _) in zip(letters, nav, strict=True):
            for page in list_pages(group, per_page, letter_url, letter_url + "index.html", self.settings,
                                   number_from="front"):
                first = {"letter_total": len(group)} if page.front else {}
                self._write(writer, page.save_as, page.url, template, letters=bar, letter=c, pager=page,
                            paginated={}, page_name=_folder(letter_url), **first, **kwargs)

    def write_entities_az(self, writer: Any) -> None:
        by_kind = self.context.get("entities_by_kind") or []
        if not by_kind:
            return
        ents = [e for _, _, group in by_kind for e in group]
        letters = by_letter(ents, lambda e: e.name)
        url = self.context.get("ENTITIES_AZ_URL") or "entities/a-z/"
        nav = [(c, f"{_folder(url)}/{letter_slug(c)}/", len(group)) for c, group in letters]
        self._write(writer, _folder(url) + "/index.html", url, "entities", view="a-z", letters=nav, letter="")
        self.write_letters(writer, "entities_letter", letters, nav, view="a-z")
