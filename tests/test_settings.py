"""Every plugin setting is a record with a default and help, and docs/settings.md is
generated from those records (datasette's rule: the reference cannot drift from the code)."""

from __future__ import annotations

import re

from news_archive import settings as S
from support import ROOT

DOC = ROOT / "docs" / "settings.md"


def test_docs_settings_md_is_what_settings_py_generates():
    assert DOC.read_text(encoding="utf-8") == S.markdown(), (
        "docs/settings.md is out of date with plugins/news_archive/settings.py: run `make docs`")


def test_every_setting_is_named_upper_case_once_with_help():
    names = [s.name for s in S.SETTINGS]
    assert len(names) == len(set(names)), "a setting is defined twice"
    for s in S.SETTINGS:
        assert re.fullmatch(r"NEWS_ARCHIVE_[A-Z0-9_]+", s.name), s.name
        assert len(s.help.split()) >= 3, f"{s.name} has no real help text"


def test_defaults_are_derived_from_the_records():
    assert S.DEFAULTS == {s.name: s.default for s in S.SETTINGS}
    assert S.get({}, "NEWS_ARCHIVE_MAX_SLUG_LENGTH") == 80
    assert S.get({"NEWS_ARCHIVE_MAX_SLUG_LENGTH": 40}, "NEWS_ARCHIVE_MAX_SLUG_LENGTH") == 40


def test_the_reference_shows_each_default_as_python_writes_it():
    doc = DOC.read_text(encoding="utf-8")
    for name, default in S.DEFAULTS.items():
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        assert f"| `{name}` | `{shown}` |" in doc, f"{name} (default {shown}) is not documented"
