"""Field parsers shared by every reader: bylines, agencies, datelines, dates, URLs."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path

from .vocabulary import WORDS

# Agencies and wire services recognised in bylines and datelines.
AGENCIES = {
    "AFP": "AFP",
    "AGENCE FRANCE-PRESSE": "AFP",
    "AP": "AP",
    "ASSOCIATED PRESS": "AP",
    "THE ASSOCIATED PRESS": "AP",
    "REUTERS": "Reuters",
    "BLOOMBERG": "Bloomberg",
    "DPA": "dpa",
    "EFE": "EFE",
    "ANSA": "ANSA",
    "XINHUA": "Xinhua",
    "TASS": "TASS",
    "UPI": "UPI",
    "PTI": "PTI",
    "IANS": "IANS",
    "KYODO": "Kyodo",
    "YONHAP": "Yonhap",
    "ANADOLU": "Anadolu",
    "BBC": "BBC",
    "CNN": "CNN",
    "PA": "PA",
    "PRESS ASSOCIATION": "PA",
    "PA MEDIA": "PA",
    "DEUTSCHE PRESSE-AGENTUR": "dpa",
    "SDA": "SDA",
    "KEYSTONE-SDA": "SDA",
    "APA": "APA",
    "ANP": "ANP",
    "BELGA": "Belga",
    "EUROPA PRESS": "Europa Press",
    "AAP": "AAP",
    "THE CANADIAN PRESS": "The Canadian Press",
    "INTERFAX": "Interfax",
    "RIA NOVOSTI": "RIA Novosti",
    "ANI": "ANI",
    "NTB": "NTB",
    "RITZAU": "Ritzau",
    "PAP": "PAP",
    "CTK": "ČTK",
    "ČTK": "ČTK",
    "KYODO NEWS": "Kyodo",
    "AGENCIA EFE": "EFE",
    "ANADOLU AJANSI": "Anadolu",
    "SID": "SID",
}

# "By", and its equivalents in the languages the archive sees most (von, por, par, oleh, di, door).
_BYLINE_RE = re.compile(
    r"^\s*(?:written\s+)?(?:by|von|por|par|oleh|door|av|af)[:\s]+(?P<who>.{2,120}?)\s*$", re.I
)
# 'MOSCOW (AP) —', 'SEOUL/WASHINGTON (Reuters) -', 'ERIMO, Japan, Oct 19 (Reuters) -'.
_DATELINE_RE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'/\-]{1,40}(?:,\s*[A-Z][A-Za-z .]{1,30})?)"
    r"(?:,\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2})?\s*"
    r"(?:\((?P<agency>[A-Za-z .\-]{2,30})\))?\s*[—–-]{1,2}\s"
)


def agency_of(name: str) -> str:
    """Canonical agency for a name such as 'Agence France-Presse', or ''."""
    return AGENCIES.get(re.sub(r"\s+", " ", name.strip().strip(".")).upper(), "")


def parse_byline(line: str) -> tuple[list[str], str] | None:
    """'By John Smith and Jane Doe, Reuters' → (['John Smith', 'Jane Doe'], 'Reuters').

    Returns None when the line is not a byline.  A byline that names only an agency
    ('by AFP') gives no authors: an agency is not a person.
    """
    m = _BYLINE_RE.match(line)
    if not m:
        return None
    who = m.group("who").strip()
    if len(who.split()) > 12 or who.endswith((".", "?", "!")) and not agency_of(who):
        return None
    parts = re.split(r"\s*(?:,|;|\b(?:and|und|y|et|e|dan|en|og|och)\b|&|\|)\s*", who)
    authors: list[str] = []
    source = ""
    for part in parts:
        part = part.strip(" .")
        if not part:
            continue
        agency = agency_of(part)
        if agency:
            source = source or agency
        elif _looks_like_name(part):
            authors.append(part)
        else:
            return None
    if not authors and not source:
        return None
    return authors, source


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[:1].isupper() or w.lower() in WORDS.particles for w in words)



# Capitals before a dash that are labels, not places ('FILE - In this 2016 photo …').
_NOT_PLACES = {"FILE", "FILE PHOTO", "PHOTO", "UPDATE", "UPDATED", "WATCH", "VIDEO", "BREAKING", "BREAKING NEWS",
               "EXCLUSIVE", "OPINION", "ANALYSIS", "EDITORIAL", "LIVE", "CORRECTION", "NOTE", "EDITOR'S NOTE"}


def parse_dateline(paragraph: str) -> tuple[str, str, str]:
    """'MOSCOW (AP) — Text…' → ('Moscow', 'AP', 'Text…'); no dateline → ('', '', paragraph)."""
    m = _DATELINE_RE.match(paragraph)
    if not m:
        return "", "", paragraph
    place = m.group("place").strip().rstrip(" -")  # 'CAIRO -- An Egyptian court …'
    if not place.split(",")[0].isupper() or place.split(",")[0].strip(" .").upper() in _NOT_PLACES:
        return "", "", paragraph
    agency = agency_of(m.group("agency") or "")
    rest = paragraph[m.end():].lstrip()
    return place.title(), agency, rest


def split_agencies(names: list[str]) -> tuple[list[str], str]:
    """Credited names → (people, first agency): 'AFP' in an author list is a source, not a person."""
    people: list[str] = []
    source = ""
    for name in names:
        agency = agency_of(name)
        if agency:
            source = source or agency
        else:
            people.append(name)
    return people, source


def take_dateline(body: list[str]) -> tuple[str, str]:
    """Strip a 'MOSCOW (AP) —' dateline off the first paragraph, in place; → (place, agency)."""
    if not body:
        return "", ""
    dateline, agency, first = parse_dateline(body[0])
    if dateline:
        body[0] = first
    return dateline, agency


DATE_PROBES = (datetime(2001, 1, 1, 0, 0, 0), datetime(2002, 2, 2, 1, 1, 1))
_ZONE_RE = re.compile(r"(?<![\w.])([A-Z]{1,5})\.?(?![\w])")


@lru_cache(maxsize=1)
def _zones() -> tuple[dict[str, int], dict[str, str]]:
    data = tomllib.loads((Path(__file__).parent / "data" / "timezones.toml").read_text(encoding="utf-8"))
    return dict(data["offsets"]), dict(data["regions"])


def zone_of(abbreviation: str, day: date | None = None) -> tzinfo | None:
    """The zone an abbreviation names ('EST' → -05:00, 'ET' on a February day → -05:00), or
    None when it is unknown or ambiguous (CST, IST): a zone is never guessed."""
    offsets, regions = _zones()
    name = abbreviation.upper().strip(".")
    if name in offsets:
        return timezone(timedelta(minutes=offsets[name])) if offsets[name] else UTC
    if name in regions and day is not None:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(regions[name])
        moment = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
        return timezone(moment.utcoffset() or timedelta(0))
    return None


def as_known(value: datetime, time_given: bool = True) -> datetime | date:
    """Keep what is known of a moment: a time with its zone, else only the day.

    A time without a zone (news-please's ``2017-11-15T16:29:00``) or a stand-in midnight
    (``T00:00:00``, which crawlers write when the page gave only a day) says no more
    than the day; showing it as a time would print a zone (the site's) it never had.
    """
    if value.tzinfo is None or value.utcoffset() is None or not time_given:
        return value.date()
    return value


def _parse_text(text: str) -> datetime | date | None:
    """A date written in words ('Nov 15, 2017 4:29 AM EST'); only the parts the text gives."""
    import warnings

    from dateutil import parser as dateparser

    zone = None
    found = None
    for m in _ZONE_RE.finditer(text):
        if m.group(1) in ("AM", "PM", "A", "P", "M"):
            continue
        found = m
    bare = text
    if found:
        bare = (text[: found.start()] + " " + text[found.end():]).strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            first, second = (dateparser.parse(bare, default=probe, fuzzy=False) for probe in DATE_PROBES)
    except (ValueError, OverflowError, TypeError):
        return None
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # the text gives no whole day ('2017', 'November 2017'): no date is invented
    time_given = (first.hour, first.minute) == (second.hour, second.minute)
    if first.tzinfo is None and found:
        zone = zone_of(found.group(1), first.date())
        if zone is None:
            return first.date()  # an unknown or ambiguous zone: the day only
        first = first.replace(tzinfo=zone)
    return as_known(first, time_given)


def parse_date(value: object) -> datetime | date | None:
    """Dates as they appear in records: ISO strings, epoch seconds/ms, {'$date': …}, words.

    What is known is kept and nothing more: an aware datetime when a time and its zone
    are given, a date when only the day is (see ``as_known``), None when not even that.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        for key in ("$date", "date", "$numberLong"):
            if key in value:
                return parse_date(value[key])
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)  # an instant: its zone is UTC by definition
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{10,13}", text):
            return parse_date(int(text))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                return None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return _parse_text(text)
        return as_known(parsed)
    return None


def safe_url(value: object) -> str:
    """Keep a URL only if it is absolute http(s); anything else (javascript:, data:) is dropped."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    if re.match(r"^https?://[^\s<>\"']+$", url, re.I):
        return url
    return ""


def clean_line(text: str) -> str:
    """Collapse whitespace, drop control characters.

    The controls that separate (vertical tab, form feed, the file/group/record/unit
    separators \\x1c-\\x1f) become a space: dropped, they glued the words on either side
    into one that the text never had ("À\\x1f㐀" read as the name "À㐀")."""
    text = re.sub(r"[\x00-\x08\x0e-\x1b\x7f\u200b\ufeff]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def site_key(domain: str) -> str:
    """'www.dailymail.co.uk' → 'dailymail', 'edition.cnn.com' → 'cnn': a site's own name."""
    host = re.sub(r"^https?://", "", (domain or "").strip().casefold()).split("/")[0]
    labels = [x for x in host.split(".") if x and x not in ("www", "edition", "m", "amp", "news", "mobile")]
    while len(labels) > 1 and (len(labels[-1]) <= 3 or labels[-1] in ("info", "news", "online")):
        labels.pop()  # the TLD and 'co.uk'-style second levels
    return _letters(labels[0]) if labels else ""


# A CJK headline's site suffix: a separator, then a short name ending like a publication's.
_CJK_SUFFIX_RE = re.compile(r"\s*[-_|｜：:－—]\s*[\w\u3000-\u30ff\u4e00-\u9fff]{1,10}"
                            r"(网|網|新聞|新闻|日报|日報|电视台|通信|電子版|新聞社|デジタル|オンライン|신문|뉴스|일보)"
                            r"(\s*電子版)?$")
_HEADLINE_SEP_RE = re.compile(r"\s+(?:[-|–—•·»]|::|--|:)\s+")


def _names_site(segment: str, keys: list[str]) -> bool:
    """Whether a headline segment is the site's name ('IndieWire', 'RT International')."""
    words = segment.split()
    if not 1 <= len(words) <= 6:
        return False
    own = _letters(segment)
    first = _letters(words[0])
    initials = "".join(_letters(w)[:1] for w in words)
    for key in keys:
        if not key:
            continue
        if own == key or initials == key and len(words) > 1 or first == key:
            return True
        if len(key) >= 4 and len(own) >= 4 and (key in own or (own in key and len(own) >= 0.6 * len(key))):
            return True
    return False


def strip_site_suffix(headline: str, *sites: str) -> str:
    """'Headline - IndieWire' → 'Headline' when the suffix is the site's own name.

    ``sites``: the site's domain or names as the record gives them (source domain, URL,
    publisher).  Only a trailing segment that names the site goes (with what follows
    it: 'Passengers … - Hawaii News Now - KGMB and KHNL'), and breadcrumb sections
    before a site name joined by '»' ('… » Local » Noticias » Ultima Hora'); a colon or
    dash that is part of the headline ('Mattis: …', '… - here's what it does') stays.
    """
    cjk = _CJK_SUFFIX_RE.search(headline)
    if cjk and len(headline) - len(cjk.group(0)) >= 8:
        return headline[: cjk.start()].rstrip()  # '…需求-新华网', '…の成否 ：日本経済新聞'
    keys = sorted({k for s in sites if s for k in (site_key(s), _letters(s)) if k})
    if not keys:
        return headline
    parts = _HEADLINE_SEP_RE.split(headline)
    seps = _HEADLINE_SEP_RE.findall(headline)
    if len(parts) < 2:
        return headline
    for i in range(len(parts) - 1, 0, -1):
        if len(parts) - i > 3:
            break
        if _names_site(parts[i], keys):
            while i > 1 and seps[i - 1].strip() == "»" and len(parts[i - 1].split()) <= 2:
                i -= 1  # breadcrumb sections before the site name
            kept = "".join(p + (seps[k] if k < i - 1 else "") for k, p in enumerate(parts[:i])).strip()
            return kept if len(kept.split()) >= 2 or len(kept) >= 8 else headline
    return headline


def shared_suffix(headlines: list[str], least: int = 3) -> str:
    """A trailing segment (' | Example Times') that most headlines of one site share, or ''.

    Evidence from the site's own records: a suffix on at least ``least`` headlines and
    on half of them is the site's name, whatever its domain is called.
    """
    tails: dict[str, int] = {}
    for h in headlines:
        parts = _HEADLINE_SEP_RE.split(h)
        if len(parts) > 1 and 1 <= len(parts[-1].split()) <= 6:
            tails[parts[-1]] = tails.get(parts[-1], 0) + 1
    best = max(tails, key=lambda t: tails[t], default="")
    return best if best and tails[best] >= max(least, len(headlines) / 2) else ""


def strip_shared_suffix(headline: str, suffix: str) -> str:
    """The headline without a ``shared_suffix`` of its site (and its separator)."""
    parts = _HEADLINE_SEP_RE.split(headline)
    if suffix and len(parts) > 1 and parts[-1] == suffix:
        m = list(_HEADLINE_SEP_RE.finditer(headline))[-1]
        kept = headline[: m.start()].rstrip()
        return kept if len(kept.split()) >= 2 else headline
    return headline
