"""Byline and date lines of text dumps → authors, source agency and published date.

The lines between a headline and its first paragraph carry who wrote the story and
when: ``Chris Davies - Nov 19, 2019, 8:15 pm CST``, ``By Eric Song, IGN Staff`` /
``Posted: 18 Nov 2019 8:11 pm``, ``Steve Peoples, AP National Political Writer``.
The rules lean towards saying nothing: a photo credit is not an author, a
publication ("Staff", "Business Insider") is a source, not a person, an "Updated"
time is not the publication date, and a date that reads two ways is no date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from .fields import DATE_PROBES, agency_of, parse_byline, zone_of
from .names import clean_authors
from .words import norm

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4}\b)?)?"
# A time written before the date: '6:45 PM, Feb 16, 2018', '5:45 AM PST 11/19/2019'.
_LEAD_TIME = r"(?:\b\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?,?\s+(?:[A-Za-z]{3},?\s+)?)?"
_DATE_RES = (
    re.compile(rf"{_LEAD_TIME}\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}{_TIME}", re.I),
    re.compile(rf"{_LEAD_TIME}\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}{_TIME}", re.I),
    re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"),
    re.compile(r"(?:\b\d{1,2}:\d{2}\s+)?\b\d{1,2}\.\d{1,2}\.\d{4}\b"),
)
_DATE_WORDS_RE = re.compile(
    r"^(published|posted|updated|last updated|first published|date|on)\b:?\s*", re.I
)


_US_DATE_RE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b(?:\s+(\d{1,2}:\d{2})(?:\s*([AaPp])\.?[Mm]\.?)?)?")


_ZONE_AFTER_RE = re.compile(r"^\s*\(?([A-Z]{2,4})\b")


def _known(moment: datetime, time_given: bool, zone_name: str) -> datetime | date:
    """A time read from a page with its zone when the zone is known, else the day only."""
    zone = zone_of(zone_name, moment.date()) if zone_name and time_given else None
    return moment.replace(tzinfo=zone) if zone else moment.date()


def find_date(line: str) -> datetime | date | None:
    """A publication date written in a short byline/date line, or None.

    Month names (English), ISO dates and day.month.year are read as written; a
    slashed date only when it cannot be misread (``11/19/19`` is November 19, while
    ``05/06/19`` could be May or June and is left alone: no date beats a wrong one).
    A time is kept only with its zone ('8:15 pm EST' → -05:00); a time without one, or
    with an ambiguous one ('CST'), leaves the day only (see ``fields.as_known``).
    """
    from dateutil import parser as dateparser

    text = _DATE_WORDS_RE.sub("", line)
    for pattern in _DATE_RES:
        m = pattern.search(text)
        if not m:
            continue
        raw = m.group(0)
        zone_name = ""
        if pattern is not _DATE_RES[3]:
            raw = re.sub(r"\b(\d{1,2})\.(\d{2})\b", r"\1:\2", raw)  # 18.54 GMT is a time
            # A time zone after the time ('8:15 pm CST', '10:43 AM EST'): read apart from the time.
            zone = re.search(r"(\d(?:\s*[AaPp]\.?[Mm]\.?)?)\s+(?!AM\b|PM\b)([A-Z]{2,4})\b", raw)
            if zone:
                zone_name = zone.group(2)
                raw = raw[: zone.start(2)] + raw[zone.end(2):]
        try:
            if pattern is _DATE_RES[3]:
                raw = raw.replace(".", "/")
                first, second = (dateparser.parse(raw, dayfirst=True, default=p) for p in DATE_PROBES)
            else:
                first, second = (dateparser.parse(raw, fuzzy=False, default=p) for p in DATE_PROBES)
        except (ValueError, OverflowError):
            continue
        if first.date() != second.date():
            continue
        if not zone_name:
            after = _ZONE_AFTER_RE.match(text[m.end():])
            zone_name = after.group(1) if after else ""
        return _known(first, (first.hour, first.minute) == (second.hour, second.minute), zone_name)
    m = _US_DATE_RE.search(text)
    lead = re.search(r"\b(\d{1,2}:\d{2})\s*([AaPp])\.?[Mm]\.?(?:\s+([A-Z]{2,4})\b)?", text[: m.start()]) if m else None
    if m:
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
        if first > 12 >= second:
            day, month = first, second
        elif second > 12 >= first:
            day, month = second, first
        else:
            return None
        hour, minute = 0, 0
        clock, half = (m.group(4), m.group(5)) if m.group(4) else (lead.group(1), lead.group(2)) if lead else ("", "")
        zone_name = ""
        if m.group(4):
            after = _ZONE_AFTER_RE.match(text[m.end():])
            zone_name = after.group(1) if after else ""
        elif lead:
            zone_name = lead.group(3) or ""
        if clock:
            hour, minute = map(int, clock.split(":"))
            if half and half.lower() == "p" and hour < 12:
                hour += 12
            elif half and half.lower() == "a" and hour == 12:
                hour = 0
        try:
            return _known(datetime(year, month, day, hour, minute), bool(clock), zone_name)
        except ValueError:
            return None
    return None


# A byline part that names a publication or a job, not a person.
_ORG_WORDS = {
    "staff", "agency", "news", "newsroom", "desk", "wire", "wires", "press", "media", "editors", "editorial",
    "team", "service", "services", "insider", "post", "times", "journal", "reporters", "bureau", "online",
    "magazine", "daily", "herald", "tribune", "network", "group", "foundation", "institute", "university",
    "reports", "report", "contributors", "writers",
}
# 'FOXBusiness', 'CNBCTech': a publication name glued to the end of a byline.
_GLUED_BRAND_RE = re.compile(r"\s+[A-Z]{2,}[a-z]\w*$")
# Credits for pictures are not bylines ('Photo illustration by Slate. Photo by Jane Doe').
_CREDIT_WORDS_RE = re.compile(r"\b(photo|photograph|illustration|image|picture|video|graphic|credit|map|chart|"
                              r"tested|reviewed|produced|designed|edited)\w*\b", re.I)
_JOB_RE = re.compile(r"\b(writer|correspondent|reporter|editor|contributor|columnist|producer|analyst)s?\b", re.I)
_GENERIC_AUTHORS = {"admin", "administrator", "editor", "staff", "redaksi", "redaktion", "guest", "anonymous"}


def _people_and_source(names: list[str], site: str) -> tuple[list[str], str]:
    """Split byline names into people and a publication ('IGN Staff', 'Business Insider')."""
    people: list[str] = []
    source = ""
    site_words = set(site.split())
    for name in names:
        name = name.strip(" .")
        if name.isupper():
            name = name.title()  # 'DANICA KIRKA' → 'Danica Kirka'
        glued = _GLUED_BRAND_RE.search(name)
        if glued and len(name.split()) >= 3:
            source = source or glued.group(0).strip()
            name = name[: glued.start()]
        words = norm(name).split()
        if not words:
            continue
        if _JOB_RE.search(name) and agency_of(name.split()[0]):  # 'AP National Political Writer'
            source = source or agency_of(name.split()[0])
            continue
        if _JOB_RE.search(name) or name.casefold() in _GENERIC_AUTHORS:
            continue
        if _ORG_WORDS & set(words) or (site_words and set(words) <= site_words) or len(words) < 2:
            source = source or (agency_of(name) or (name if len(words) >= 2 else ""))
            continue
        people.append(name)
    kept, agency = clean_authors(people, site.replace(" ", ""))
    return kept, source or agency


_SEGMENT_RE = re.compile(r"\s+[-–—|•·/]\s+|\s*[|;•]\s*|\s{2,}")
_TRAILING_BY_RE = re.compile(r"\bby\s+([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s*$")
# 'Steve Peoples, AP National Political Writer': the wire services' byline style.
_WIRE_BYLINE_RE = re.compile(r"^([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3}),\s+(\w+)\s+.*\b(writer|correspondent|"
                             r"reporter|editor)s?$", re.I)
_UPDATED_RE = re.compile(r"^(updated|last (updated|modified)|modified|aktualisiert)\b", re.I)


def _name_part(text: str) -> list[str]:
    """Author names in a fragment such as 'Chris Davies' or 'By Jane Doe and John Roe'."""
    text = text.strip(" ,|-–—•")
    parsed = parse_byline(text if text.lower().startswith("by ") else "By " + text)
    if not parsed:
        return []
    authors, _ = parsed
    return [a for a in authors if 2 <= len(a.split()) <= 4 and not any(ch.isdigit() for ch in a)]


@dataclass
class Head:
    authors: list[str]
    source: str
    byline: str
    published: datetime | date | None


def parse_head(lines: list[str], site: str = "") -> Head:
    """Authors, agency and date from the byline/date lines between headline and body.

    Lines are cut into segments at separators ('Chris Davies - Nov 19, 2019',
    'Posted: Fri 6:45 PM, Feb 16, 2018 | Updated: …'); an "Updated" date is not the
    publication date.  A bare name counts as a byline only beside a date, on the
    same line or directly above it right under the headline.
    """
    head = Head([], "", "", None)
    for i, ln in enumerate(lines):
        if len(ln.split()) > 20:
            continue
        clean = re.sub(r"\s@\w+", " ", ln)  # '@handle' beside a name
        segments = [seg.strip() for seg in _SEGMENT_RE.split(clean) if seg.strip()]
        dates = [None if _UPDATED_RE.match(seg) else find_date(seg) for seg in segments]
        if head.published is None:
            head.published = next((d for d in dates if d), None)
        if head.authors:
            continue
        names: list[str] = []
        for seg in segments:
            if _CREDIT_WORDS_RE.search(seg):
                continue
            parsed = parse_byline(seg)
            # '11/19/2019 by Lars Brandle': a name after "by" only beside a date ("carried out
            # by U.S. Forces" in a dek is not a byline).
            trailing = _TRAILING_BY_RE.search(seg) if not parsed and find_date(seg) else None
            wire = _WIRE_BYLINE_RE.match(seg) if not parsed and not trailing else None
            if parsed:
                names, head.source = parsed[0], parsed[1] or head.source
            elif trailing:
                names = [trailing.group(1)]
            elif wire and agency_of(wire.group(2)):
                names, head.source = [wire.group(1)], head.source or agency_of(wire.group(2))
            if names or parsed:
                head.byline = seg
                break
        if not names and any(dates):
            # 'Chris Davies - Nov 19, 2019, 8:15 pm CST': a name beside the date.
            for seg, date in zip(segments, dates, strict=True):
                if not date and not find_date(seg) and (names := _name_part(seg)):
                    head.byline = seg
                    break
            if not names and i in (1, 2) and len(lines[i - 1].split()) <= 4:
                names = _name_part(lines[i - 1])  # 'Debbie White' above '18 Nov 2019, 19:09'
                if names:
                    head.byline = lines[i - 1]
        if names:
            head.authors, source = _people_and_source(names, site)
            head.source = head.source or source
    return head
