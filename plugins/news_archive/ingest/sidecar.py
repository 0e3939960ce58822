"""Sidecar metadata: ``<dump>.meta.json`` beside a dump, or a folder manifest."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ..story import Story
from .fields import clean_line, parse_date, safe_url
from .inputs import inside

FIELDS = ("url", "published", "source", "section")


def find_sidecar(path: Path, root: Path) -> dict[str, Any]:
    """Sidecar fields for a dump: its own .meta.json wins over a folder manifest.

    A sidecar that is a link resolving outside the dumps folder is never read (the
    build report lists it as refused).
    """
    meta: dict[str, Any] = {}
    folder = path.parent
    rel = path.relative_to(folder).as_posix()
    manifest_csv = folder / "manifest.csv"
    if manifest_csv.exists() and inside(manifest_csv, root):
        with manifest_csv.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                if (row.get("file") or row.get("path") or "").strip() == rel:
                    meta.update({k: v for k, v in row.items() if k in FIELDS and v})
    manifest_jsonl = folder / "manifest.jsonl"
    if manifest_jsonl.exists() and inside(manifest_jsonl, root):
        for line in manifest_jsonl.read_text(encoding="utf-8-sig").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and str(row.get("file") or row.get("path") or "") == rel:
                meta.update({k: v for k, v in row.items() if k in FIELDS and v})
    own = path.with_name(path.name + ".meta.json")
    if own.exists() and inside(own, root):
        try:
            data = json.loads(own.read_text(encoding="utf-8-sig"))
        except ValueError:
            data = {}
        if isinstance(data, dict):
            meta.update({k: v for k, v in data.items() if k in FIELDS and v})
    return meta


def apply_sidecar(story: Story, meta: dict[str, Any]) -> None:
    """Fill fields the dump lacks; never overwrite what the dump itself says."""
    if not meta:
        return
    if not story.url:
        story.url = safe_url(meta.get("url"))
    if story.published is None and meta.get("published"):
        published = parse_date(meta["published"])
        if published:
            story.published = published
            story.date_source = "sidecar"
    if not story.source and meta.get("source"):
        story.source = clean_line(str(meta["source"]))
    if not story.section and meta.get("section"):
        story.section = clean_line(str(meta["section"]))


def sidecar_files(path: Path, root: Path | None = None) -> list[Path]:
    """Files whose change should trigger re-conversion of this dump (inside ``root`` when given)."""
    folder = path.parent
    return [p for p in (path.with_name(path.name + ".meta.json"), folder / "manifest.csv",
                        folder / "manifest.jsonl") if p.exists() and (root is None or inside(p, root))]
