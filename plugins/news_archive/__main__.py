"""Command line: ``news-archive <command>`` (the same as ``python -m news_archive <command>``).

Commands (their JSON output is a contract: fields are only ever added):

``extract PATH…``   one JSON object per dump (per record for JSONL) per line
``entities``        JSON lines ``{"id", "text"}`` on stdin → ``{"id", "entities": [...]}``
``report``          the last build's report summary (``--strict``: exit 1 on rejections)
``review``          the entities most likely wrong, each with its fix for content/entities.toml
``serve``           the built site plus the search service (waitress)
``reindex``         rebuild the search index from scratch (used by ``make reindex``)
``watch``           build, then rebuild in the same process on every change (``make watch``)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXTRACT_FIELDS = (
    "path", "status", "reason", "headline", "dek", "authors", "source", "dateline",
    "published", "date_source", "url", "language", "body",
)


def _extract_record(path: str, story: Any = None, status: str = "converted", reason: str = "") -> dict[str, Any]:
    rec: dict[str, Any] = dict.fromkeys(EXTRACT_FIELDS)
    rec.update(path=path, status=status, reason=reason or None, authors=[])
    if story is not None:
        rec.update(
            headline=story.headline, dek=story.dek or None, authors=story.authors,
            source=story.source or None, dateline=story.dateline or None,
            published=story.published_iso or None,
            date_source=story.date_source or None, url=story.url or None,
            language=story.language or None, body=story.text,
            byline=story.byline or None, format=story.format,
        )
    return rec


def _extract_inputs(paths: list[str]) -> tuple[list[tuple[Path, Path]], list[dict[str, Any]]]:
    """(dumps to read with the folder each is read from, records of refused entries).

    A folder is read as the build reads a dumps folder: no link out of it followed.
    """
    from .ingest import is_dump
    from .ingest.inputs import shown, walk

    files: list[tuple[Path, Path]] = []
    records: list[dict[str, Any]] = []
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for entry in walk(p):
                if entry.refused:
                    where = (p / shown(entry.path, p)).as_posix()
                    records.append(_extract_record(where, status="rejected", reason=entry.refused))
                elif is_dump(entry.path):
                    files.append((entry.path, p))
        else:
            files.append((p, p.parent))
    return files, records


def _site_furniture_of(files: list[tuple[Path, Path]]) -> dict[Path, frozenset[int]]:
    """Each dump's site furniture, from every text dump given (as the build computes it)."""
    from .ingest import Rejected, site_furniture, text_page_lines
    from .ingest.inputs import read_capped
    from .ingest.sniff import DEFAULT_LIMIT

    def lines_of(f: Path, root: Path) -> tuple[str, list[int]] | None:
        try:
            return text_page_lines(read_capped(f, root, DEFAULT_LIMIT), f.name)
        except (OSError, Rejected):
            return None

    return site_furniture((f, lines_of(f, root)) for f, root in files)


def _extract_one(f: Path, root: Path, furniture: frozenset[int], records: list[dict[str, Any]]) -> list[Any]:
    """One dump's stories; a record for each story and for each rejection is appended to ``records``."""
    from .ingest import Rejected, RejectedRecord, read_dump

    shown = f.as_posix()
    stories = []
    try:
        for item in read_dump(f, root, furniture=furniture):
            origin = shown + item.origin[len(f.relative_to(root).as_posix()):]
            if isinstance(item, RejectedRecord):
                records.append(_extract_record(origin, status="rejected", reason=item.reason))
                continue
            item.origin = origin
            stories.append(item)
            records.append(_extract_record(origin, item))
    except Rejected as exc:
        records.append(_extract_record(shown, status="rejected", reason=exc.reason))
    except OSError as exc:
        records.append(_extract_record(shown, status="rejected", reason=f"unreadable: {exc.strerror}"))
    except Exception as exc:  # one bad dump never stops the others
        records.append(_extract_record(shown, status="rejected", reason=f"internal error: {exc}"))
    return stories


def cmd_extract(args: argparse.Namespace) -> int:
    """Print what each dump (each record of a multi-record dump) yields, as JSON lines.

    The same reading and duplicate detection as the build; text dumps given together
    also share the cross-dump evidence of site furniture (lines repeated by a site).
    """
    from .dedupe import Deduplicator

    files, records = _extract_inputs(args.paths)
    furniture_of = _site_furniture_of(files)
    stories = [story for f, root in files for story in _extract_one(f, root, furniture_of[f], records)]
    _, dups = Deduplicator().run(stories)
    dup_of = {d.origin: o.origin for d, o in dups}
    for rec in records:
        if rec["path"] in dup_of:
            original = dup_of[rec["path"]]
            rec.update(status="duplicate", reason=f"duplicate of {original}", duplicate_of=original)
        sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0


def cmd_entities(args: argparse.Namespace) -> int:
    """JSON lines ``{"id", "text"}`` on stdin → ``{"id", "entities": [{start, end, type, name}]}``.

    The build's code path (NER, clean-up, alias table, merging); the lines read together
    are resolved together, like one small archive.  Lines that are not such objects are
    reported on stderr and skipped.
    """
    from .enrich.entities import entities_for_texts

    items = []
    for n, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            items.append((item.get("id"), str(item.get("text") or "")))
        except (ValueError, AttributeError):
            sys.stderr.write(f"line {n}: not a JSON object with id and text; skipped\n")
    results = entities_for_texts([t for _, t in items], args.model, args.entity_file)
    for (ident, _), ents in zip(items, results, strict=True):
        sys.stdout.write(json.dumps({"id": ident, "entities": ents}, ensure_ascii=False) + "\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .report import summary

    path = Path(args.work) / "report.json"
    if not path.exists():
        sys.stderr.write(f"no build report at {path}: run `make html` first\n")
        return 2
    data = json.loads(path.read_text(encoding="utf-8"))
    print(summary(data))
    from .enrich.review import WAITING, waiting

    n = waiting(args.work)
    if n:
        print(f"  {n} entities waiting for review (uncertainty ≥ {WAITING}, in 2 stories or more): "
              "`python -m news_archive review`")
    if args.strict and data["counts"]["rejected"]:
        print(f"STRICT: {data['counts']['rejected']} dump(s) rejected; failing the build", file=sys.stderr)
        return 1
    return 0


def serve_options(settings: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """waitress options: the NEWS_ARCHIVE_SERVE_* settings, each overridden by its flag.

    ``asyncore_use_poll``: ``select()`` cannot watch more than 1,024 sockets, fewer than
    the connection limit allows.
    """
    from . import settings as S

    options: dict[str, Any] = {"asyncore_use_poll": True, "ident": "news-archive"}
    for name, option in S.SERVE_OPTIONS.items():
        flag = getattr(args, option, None)
        options[option] = int(flag if flag is not None else S.get(settings, name))
    return options
def cmd_review(args: argparse.Namespace) -> int:
    """The review queue of the last build, as text lines or (``--json``) one JSON array."""
    from .enrich.review import load, queue

    evidence = load(args.work)
    if not evidence:
        sys.stderr.write(f"no entity evidence under {args.work}: run `make html` first\n")
        return 2
    rows = queue(evidence, args.limit)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"{len(rows)} entities to review, most stories x uncertainty first; paste the fix into "
          "content/entities.toml, in the section named in brackets, and rebuild")
    for r in rows:
        print(f"{r['score']:7.1f}  {r['name']} ({r['type']}, {r['stories']} stories, uncertainty {r['uncertainty']}): "
              f"{'; '.join(r['reasons'])}\n         fix: {r['fix']}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import settings as S
    from .search.service import create_app, site_context
    from .serving import serve, worker_count

    app = create_app(args.settings, args.output)
    settings = site_context(args.settings)
    options = serve_options(settings, args)
    setting = args.workers if args.workers is not None else int(S.get(settings, "NEWS_ARCHIVE_SERVE_WORKERS"))
    workers = worker_count(setting)
    print(f"Serving the archive on http://{args.host}:{args.port}/ (search at /search): "
          f"{workers} worker{'s' if workers > 1 else ''} of {options['threads']} threads, "
          f"connection limit {options['connection_limit']}, "
          f"idle timeout {options['channel_timeout']} s", flush=True)
    serve(app, args.host, args.port, workers, options)
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(args.settings, override={"NEWS_ARCHIVE_FULL_REINDEX": True})
    Pelican(settings).run()
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from pelican.log import init as init_logging

    from .watch import WatchSession

    init_logging(level=args.log_level)
    overrides: dict[str, Any] = {name: json.loads(value) for name, value in (s.split("=", 1) for s in args.setting)}
    if args.output:
        overrides["OUTPUT_PATH"] = args.output
    try:
        WatchSession(args.settings, overrides, debounce_ms=args.debounce_ms).run()
    except KeyboardInterrupt:  # Ctrl-C during a cycle: its lock went with its build (watch.py)
        print("news_archive watch: stopped", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="news_archive", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("extract", help="print what each dump yields, as JSON lines")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_extract)
    p = sub.add_parser("entities", help="named entities of JSON-lines texts on stdin")
    p.add_argument("--model", default=None, help="spaCy model (default: NEWS_ARCHIVE_SPACY_MODEL)")
    p.add_argument("--entity-file", default=None, help="maintainer entity file (e.g. content/entities.toml)")
    p.set_defaults(func=cmd_entities)
    p = sub.add_parser("report", help="summarise the last build report")
    p.add_argument("--work", default="var")
    p.add_argument("--strict", action="store_true")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("review", help="the entities most likely wrong, with the fix for each")
    p.add_argument("--work", default="var")
    p.add_argument("--limit", type=int, default=40)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_review)
    p = sub.add_parser("serve", help="serve the site and the search service")
    p.add_argument("--settings", default="pelicanconf.py")
    p.add_argument("--output", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes; 0: one per CPU core (NEWS_ARCHIVE_SERVE_WORKERS)")
    limits = {
        "threads": "threads answering requests (NEWS_ARCHIVE_SERVE_THREADS)",
        "connection_limit": "open connections at most (NEWS_ARCHIVE_SERVE_CONNECTION_LIMIT)",
        "channel_timeout": "seconds before an idle connection is closed (NEWS_ARCHIVE_SERVE_CHANNEL_TIMEOUT)",
        "cleanup_interval": "seconds between idle-connection sweeps (NEWS_ARCHIVE_SERVE_CLEANUP_INTERVAL)",
        "max_request_body_size": "largest request body in bytes (NEWS_ARCHIVE_SERVE_MAX_REQUEST_BODY_SIZE)",
        "max_request_header_size": "largest request headers in bytes (NEWS_ARCHIVE_SERVE_MAX_REQUEST_HEADER_SIZE)",
    }
    for option, text in limits.items():
        p.add_argument("--" + option.replace("_", "-"), dest=option, type=int, default=None, help=text)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("reindex", help="rebuild the site with a full search re-index")
    p.add_argument("--settings", default="pelicanconf.py")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("watch", help="build, then rebuild in this process on every change under content/")
    p.add_argument("--settings", default="pelicanconf.py")
    p.add_argument("--output", default=None, help="output folder (default: the settings' OUTPUT_PATH)")
    p.add_argument("-e", "--setting", action="append", default=[], metavar="NAME=JSON",
                   help="override a setting, as pelican -e does (repeatable)")
    p.add_argument("--debounce-ms", type=int, default=200,
                   help="quiet milliseconds that end a burst of file events (default 200)")
    p.add_argument("--log-level", type=int, default=30, help="Pelican's log level (default 30, warnings)")
    p.set_defaults(func=cmd_watch)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
