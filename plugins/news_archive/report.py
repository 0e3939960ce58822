"""The build report: every dump accounted for (converted, duplicate, rejected).

Written as JSON to ``<work dir>/report.json`` for tools, and summarised in a few
lines for the maintainer at the end of ``make html``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .fileio import read_json, write_atomic

STATUSES = ("converted", "duplicate", "rejected")


@dataclass
class Entry:
    """What happened to one dump (or one record of a multi-record dump)."""

    path: str
    status: str  # one of STATUSES
    reason: str = ""
    headline: str = ""
    slug: str = ""
    url: str = ""  # site URL of the article page (converted) or of the kept article
    duplicate_of: str = ""  # dump path of the story this one duplicates
    warnings: list[str] = field(default_factory=list)


@dataclass
class Report:
    entries: list[Entry] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    # Files in the dumps folder that are not dumps: {"path", "role"} with role one of
    # "sidecar", "manifest", "note" (licences, read-mes) or "hidden".
    other_files: list[dict[str, str]] = field(default_factory=list)
    # What went wrong with the build's own machinery rather than with one dump (a worker
    # process that died, its dumps converted again): one sentence each, for the maintainer.
    notes: list[str] = field(default_factory=list)

    def add(self, entry: Entry) -> Entry:
        self.entries.append(entry)
        return entry

    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        for e in self.entries:
            counts[e.status] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "stats": self.stats,
            "dumps": [asdict(e) for e in sorted(self.entries, key=lambda e: e.path)],
            "other_files": sorted(self.other_files, key=lambda f: f["path"]),
            # Only when there are any: a healthy build's report keeps its bytes.
            **({"notes": list(self.notes)} if self.notes else {}),
        }

    def write(self, path: str) -> None:
        _write_json(path, self.to_json())


def _write_json(path: str, data: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def set_section(path: str, key: str, value: Any) -> None:
    """A later stage's entry (``key``) in the report the converter wrote; None removes it.
    An unchanged entry leaves the file as it is, so a healthy build's report keeps its bytes."""
    data = read_json(Path(path))
    if not isinstance(data, dict) or data.get(key) == value:
        return
    if value is None:
        data.pop(key)
    else:
        data[key] = value
    _write_json(path, data)


def summary(data: dict[str, Any], limit: int = 20) -> str:
    """A short human summary of a report's JSON."""
    c = data["counts"]
    total = sum(c.values())
    lines = [
        f"news_archive: {total} dumps: {c['converted']} converted, "
        f"{c['duplicate']} duplicates, {c['rejected']} rejected"
    ]
    others = data.get("other_files", [])
    if others:
        lines[0] += f" (and {len(others)} sidecar, manifest or note files)"
    stats = data.get("stats", {})
    if stats:
        parts = [f"{k.replace('_', ' ')} {v}" for k, v in stats.items()]
        lines.append("  " + "; ".join(parts))
    lines += [f"  {note}" for note in data.get("notes", [])]
    static = data.get("static_search") or {}
    if static.get("status") in ("stale", "unavailable"):
        kept = ("the site keeps the previous build's static index" if static["status"] == "stale"
                else "the site has no static search")
        lines.append(f"  static search {static['status']}: {static.get('reason', '')}; {kept}; "
                     "the next build tries again")
    shown = 0
    for e in data["dumps"]:
        if e["status"] == "converted" and not e.get("warnings"):
            continue
        if shown >= limit:
            lines.append("  … (see the JSON report for the rest)")
            break
        if e["status"] == "rejected":
            lines.append(f"  rejected  {e['path']}: {e['reason']}")
        elif e["status"] == "duplicate":
            where = f" ({e['url']})" if e.get("url") else ""
            lines.append(f"  duplicate {e['path']} of {e['duplicate_of']}{where}")
        for w in e.get("warnings", []):
            lines.append(f"  warning   {e['path']}: {w}")
        shown += 1
    return "\n".join(lines)
