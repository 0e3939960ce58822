"""Site settings for the news archive (Pelican conventions: UPPER_CASE names).

The ``NEWS_ARCHIVE_*`` plugin settings and their defaults are documented in one place,
``plugins/news_archive/settings.py`` (reference: docs/settings.md); override them here.
The plugin is an installed package (``make`` installs it into .venv), found by name.
"""

from __future__ import annotations

from news_archive.ordering import newest_first

AUTHOR = "News Archive"
SITENAME = "The News Archive"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
# Pelican imports a plugin it finds in no PLUGIN_PATHS by its name, as the installed package.
PLUGINS = ["news_archive"]

# Only the converter's pages are articles; dumps are input, never read by Pelican.
ARTICLE_PATHS = ["generated"]
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
IGNORE_FILES = [".#*", "*.tmp"]
READERS = {"html": None, "htm": None, "rst": None}
DEFAULT_CATEGORY = "News"
USE_FOLDER_AS_CATEGORY = False
# Dated stories newest first, undated ones after them (never given a fake date).
ARTICLE_ORDER_BY = newest_first

# Dump text is untrusted: templates autoescape, and Markdown gets only what metadata needs.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
MARKDOWN = {
    "extension_configs": {"markdown.extensions.meta": {}},
    "output_format": "html5",
}

# Directory-style URLs everywhere.
ARTICLE_URL = "news/{slug}/"
ARTICLE_SAVE_AS = "news/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = "author/{slug}/index.html"
AUTHORS_URL = "authors/"
AUTHORS_SAVE_AS = "authors/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
ARCHIVES_URL = "archives/"
ARCHIVES_SAVE_AS = "archives/index.html"
YEAR_ARCHIVE_URL = "archives/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archives/{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "archives/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archives/{date:%Y}/{date:%m}/index.html"
ENTITY_URL = "entity/{kind}/{slug}/"
ENTITY_SAVE_AS = "entity/{kind}/{slug}/index.html"
ENTITIES_URL = "entities/"
ENTITIES_SAVE_AS = "entities/index.html"
SECTION_URL = "section/{slug}/"
SECTION_SAVE_AS = "section/{slug}/index.html"
# archives/ and tags/ are paginated lists written by the plugin (news_archive/lists.py).
# 404 → output/404.html.  No "index": the plugin writes the home page and its pages, numbered
# from the oldest story so that page N keeps its stories (plugins/news_archive/paging.py).
DIRECT_TEMPLATES = ["authors", "404"]

# Page 2 of tag `topic-25` must not collide with tag `topic-252`: pages go in folders.
DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "author": None, "category": None, "entity": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Pelican's own feeds would give undated stories a made-up <published>; the plugin writes
# the site and per-tag Atom feeds from dated stories instead (NEWS_ARCHIVE_*FEED_ATOM).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

RELATIVE_URLS = False
# Rebuilds re-read only changed Markdown: Pelican caches what its reader returns for
# each page (by modification time) in <work dir>/pelican-cache (see speedups.py).
# The "reader" layer keeps plugin work (entities, related articles) fresh each build.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
# Not gzipped: compressing the cache at level 9 cost a warm build of 2,000 stories ~0.6 s
# (to save ~5 MB of disk); loading it is faster too.
GZIP_CACHE = False

# Plugin settings (defaults and documentation: plugins/news_archive/settings.py).
NEWS_ARCHIVE_WORK_DIR = "var"
NEWS_ARCHIVE_SEARCH_URL = "/search"
NEWS_ARCHIVE_FEED_ATOM = "feeds/all.atom.xml"
NEWS_ARCHIVE_TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
# Folders of dumps that are sections (a story's own `section` from its dump, sidecar or
# manifest wins); a folder not named here gives no section.
NEWS_ARCHIVE_SECTION_FOLDERS = {
    "business": "Business", "entertainment": "Entertainment", "politics": "Politics",
    "sport": "Sport", "sports": "Sport", "tech": "Technology", "technology": "Technology",
    "science": "Science", "health": "Health", "world": "World", "opinion": "Opinion",
}
