"""JSON and JSONL records (news-please schema and common variants) → Stories."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..story import Story
from .errors import Rejected, RejectedRecord
from .fields import (
    clean_line,
    parse_byline,
    parse_date,
    safe_url,
    shared_suffix,
    strip_shared_suffix,
    strip_site_suffix,
    take_dateline,
)
from .furniture import not_article, strip_furniture
from .names import clean_authors, site_key

_HEADLINE_KEYS = ("title", "headline", "name")
_BODY_KEYS = ("maintext", "text", "body", "content", "articleBody", "article")
_DATE_KEYS = ("date_publish", "publishing_date", "published", "publish_date", "date_published", "datePublished",
              "date", "pubDate")
_URL_KEYS = ("url", "link", "canonical_url", "source_url", "permalink")
_DEK_KEYS = ("description", "dek", "summary", "standfirst", "subtitle")


def _first(rec: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if rec.get(key) not in (None, "", []):
            return rec[key]
    return None


_BLOCK_END_RE = re.compile(r"<br\s*/?>|</(p|div|h[1-6]|li|blockquote|section|article|tr)\s*>", re.I)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]{0,1000}>")
# A CMS body is paragraphs of markup; a plain-text body that merely mentions a tag
# ("<script>" in a story about web security) stays text.
_LOOKS_HTML_RE = re.compile(r"</p\s*>|<(p|br|div)(\s[^>]*)?/?>", re.I)


def _paragraphs(value: Any) -> list[str]:
    """Body text as paragraphs: a string (one paragraph a line), a list of strings, or
    HTML from a CMS export (``<p>…</p>``), whose markup is dropped, never rendered."""
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value if v)
    if not isinstance(value, str):
        return []
    if _LOOKS_HTML_RE.search(value):
        value = _SCRIPT_RE.sub("", value)
        value = html.unescape(_TAG_RE.sub("", _BLOCK_END_RE.sub("\n", value)))
    return [clean_line(p) for p in value.split("\n") if clean_line(p)]


def _structured(value: Any) -> tuple[str, list[str]] | None:
    """fundus's structured body ``{summary: [..], sections: [{headline: [..], paragraphs: [..]}]}``
    → (dek, paragraphs); a section's headline stays, as its own short paragraph, above
    the section it heads.  None when the value has another shape."""
    if not isinstance(value, dict) or not isinstance(value.get("sections"), list):
        return None
    summary = value.get("summary") or []
    dek = " ".join(clean_line(str(s)) for s in (summary if isinstance(summary, list) else [summary]) if s)
    paragraphs: list[str] = []
    for section in value["sections"]:
        if not isinstance(section, dict):
            continue
        for key in ("headline", "paragraphs"):
            items = section.get(key) or []
            paragraphs += _paragraphs(items if isinstance(items, list) else [items])
    return clean_line(dek), paragraphs


def _is_versioned(data: Any) -> bool:
    """A fundus file: one object keyed by parser version ("V1", "V1_1"), each value an article."""
    return (isinstance(data, dict) and bool(data) and all(
        isinstance(k, str) and re.fullmatch(r"V\d+(_\d+)*", k) and isinstance(v, dict) and "title" in v
        for k, v in data.items()))


def _text(value: Any) -> str:
    """A scalar field that some exports nest: {"name": "Reuters"} or ["Reuters"]."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title") or value.get("value") or ""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    return clean_line(str(value)) if value not in (None, "") else ""


def _authors(value: Any) -> list[str]:
    if isinstance(value, dict):
        value = [value]
    if isinstance(value, str):
        value = [a for a in value.replace(" and ", ",").replace(";", ",").split(",")]
    if not isinstance(value, list):
        return []
    names = []
    for a in value:
        if isinstance(a, dict):
            a = a.get("name", "")
        if isinstance(a, str) and clean_line(a):
            names.append(clean_line(a))
    return names


def record_to_story(rec: Any, origin: str) -> Story:
    if not isinstance(rec, dict):
        raise Rejected("JSON record is not an object")
    url = safe_url(_first(rec, _URL_KEYS))
    publisher = _text(rec.get("source") or rec.get("publisher"))
    headline = strip_site_suffix(_text(_first(rec, _HEADLINE_KEYS)), _text(rec.get("source_domain")), url, publisher)
    raw_body = _first(rec, _BODY_KEYS)
    structured = _structured(raw_body)
    dek, given = structured if structured else (_text(_first(rec, _DEK_KEYS)), _paragraphs(raw_body))
    if not headline:
        if not any(k in rec for k in (*_HEADLINE_KEYS, *_BODY_KEYS)):
            keys = ", ".join(sorted(map(str, rec))[:6])
            raise Rejected(f"not a news record: a JSON object without title or text fields (keys: {keys})")
        raise Rejected("no headline and no article text in the JSON record" if not given
                       else "no headline in the JSON record")
    if not given:
        raise Rejected("no article text in the JSON record")
    site = site_key(_text(rec.get("source_domain")) or url)
    authors, source = clean_authors(_authors(rec.get("authors") or rec.get("author") or rec.get("byline")), site)
    lead = parse_byline(given[0]) if not authors else None
    if lead:  # 'By Jane Doe' as the body's first line (strip_furniture takes it out of the body)
        authors, agency = clean_authors(lead[0], site)
        source = source or lead[1] or agency
    body = strip_furniture(given, headline, tuple(authors))
    reason = not_article(headline, given, body)
    if reason:
        raise Rejected(reason)
    published = parse_date(_first(rec, _DATE_KEYS))
    dateline, agency = take_dateline(body)
    source = source or agency
    return Story(
        headline=headline,
        body=body,
        dek=dek,
        authors=authors,
        source=source or publisher or _text(rec.get("source_domain")),
        dateline=dateline,
        published=published,
        date_source="dump" if published else "",
        url=url,
        language=_text(rec.get("language")),
        section=_text(rec.get("section")),
        origin=origin,
        format="json",
    )


_ID_KEYS = ("id", "_id", "guid", "uuid", "article_id", "doc_id")


def record_id(rec: dict[str, Any]) -> str:
    """A record's own id in its export, if it has one (part of a story's identity: see
    ``convert.story_keys``); a string or an integer, nothing else."""
    for key in _ID_KEYS:
        value = rec.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()[:200]
    return ""


def _record(rec: Any, origin: str, fmt: str) -> Story | RejectedRecord:
    try:
        story = record_to_story(rec, origin)
    except Rejected as exc:
        return RejectedRecord(origin, exc.reason)
    story.format = fmt
    story.source_id = record_id(rec)
    return story


def _site_suffixes(results: list[Story | RejectedRecord]) -> list[Story | RejectedRecord]:
    """Headlines of one dump's records without the suffix their site repeats on them all."""
    by_site: dict[str, list[Story]] = {}
    for story in results:
        if isinstance(story, Story):
            by_site.setdefault(story.source, []).append(story)
    for stories in by_site.values():
        suffix = shared_suffix([s.headline for s in stories])
        for story in stories:
            story.headline = strip_shared_suffix(story.headline, suffix)
    return results


def _parse(text: str) -> Any:
    """``json.loads``, with a record nested too deeply to parse said as such (a ValueError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def _why(exc: ValueError) -> str:
    return getattr(exc, "msg", None) or str(exc)


def read_json(text: str, origin: str) -> list[Story | RejectedRecord]:
    """One JSON record, or a JSON array of records (each accounted for as ``file#N``).

    An array is read element by element (see :func:`array_elements`), so one element
    that cannot be parsed (nested 100,000 deep, a broken string) costs only itself.
    """
    if text.lstrip().startswith("["):
        results: list[Story | RejectedRecord] = []
        for i, (element, error) in enumerate(array_elements(text), start=1):
            where = f"{origin}#{i}"
            if error:
                results.append(RejectedRecord(where, f"invalid JSON in record {i} ({error})"))
                continue
            try:
                rec = _parse(element)
            except ValueError as exc:
                results.append(RejectedRecord(where, f"invalid JSON in record {i} ({_why(exc)})"))
                continue
            results.append(_record(rec, where, "json"))
        return _site_suffixes(results)
    try:
        data = _parse(text)
    except ValueError as exc:
        raise Rejected(f"invalid JSON ({_why(exc)})") from None
    if _is_versioned(data):
        return [_record(rec, f"{origin}#{key}", "json") for key, rec in data.items()]
    return [record_to_story(data, origin)]


# What the array scan stops at: a whole string (skipped as one token), a bracket or a
# comma, or a quote that opens a string never closed.
_TOKEN_RE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{},]|"', re.S)


def array_elements(text: str) -> list[tuple[str, str]]:
    """The top-level elements of a JSON array as ``(their text, "")``, or ``("", why not)``.

    A scan of brackets and strings with a depth counter, never a recursive parse, so
    any depth costs one linear pass.  An element that is unbalanced or never ends is
    reported with the reason, and so is whatever follows the array's last element.
    """
    out: list[tuple[str, str]] = []
    first = text.index("[")
    start = first + 1
    depth = 0
    for token in _TOKEN_RE.finditer(text, start):
        ch = token.group()
        if len(ch) > 1:  # a string
            continue
        if ch == '"':
            out.append(("", "a string never ends"))
            return out
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            if depth:
                depth -= 1
                continue
            if ch == "}":
                out.append(("", "unbalanced brackets"))
                return out
            piece = text[start:token.start()].strip()
            if piece or out:
                out.append((piece, "" if piece else "empty element"))
            if text[token.end():].strip():
                out.append(("", "text after the end of the array"))
            return out
        elif depth == 0:  # a comma between elements
            piece = text[start:token.start()].strip()
            out.append((piece, "" if piece else "empty element"))
            start = token.end()
    out.append(("", "the array never ends"))
    return out


def read_jsonl(text: str, origin: str) -> list[Story | RejectedRecord]:
    """One record per line; a bad line is rejected on its own and the good lines still convert."""
    results: list[Story | RejectedRecord] = []
    # Split on newlines only: str.splitlines() also splits at U+2028 and U+0085, which
    # JSON allows unescaped inside a string (and news text has them).
    for i, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = _parse(line)
        except ValueError as exc:
            results.append(RejectedRecord(f"{origin}#{i}", f"invalid JSON on line {i} ({_why(exc)})"))
            continue
        results.append(_record(rec, f"{origin}#{i}", "jsonl"))
    return _site_suffixes(results)
