"""Production settings: `make publish` (absolute URLs, feeds)."""

from __future__ import annotations

import os
import sys

# pelicanconf.py lies beside this file; `news-archive serve --settings publishconf.py` runs
# from .venv/bin, so the current directory is not on the path by itself.
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://news-archive.example.org")
RELATIVE_URLS = False
# Feeds: written by the plugin (NEWS_ARCHIVE_FEED_ATOM, _TAG_FEED_ATOM), dated stories only.
DELETE_OUTPUT_DIRECTORY = True
