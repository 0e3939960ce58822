"""Every plugin setting is documented in the README, with its default (datasette's rule)."""

from __future__ import annotations

from conftest import ROOT
from news_archive.settings import DEFAULTS


def test_every_setting_is_documented_with_its_default():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, default in DEFAULTS.items():
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        assert f"| `{name}` | `{shown}` |" in readme, f"{name} (default {shown}) is not documented"
