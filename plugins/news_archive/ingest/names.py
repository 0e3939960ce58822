"""Author credits → people's names, or nothing: never a job title, a menu item or a headline.

Scrapers fill author fields with whatever sat near the byline: "View All Posts",
"Please Enter Your Name Here", "More Veronica" (a "More by …" link), job titles
("CNN National Politics Reporter"), "Min Read", "Published P.M. Et Feb.", a sidebar
headline, a 560-character biography.  A credit becomes an author only when it reads
as a person's name: a few words (or, in scripts written without spaces, a few
characters), letters only, no function words, no furniture or job vocabulary
(``data/names.toml``, through ``vocabulary.py``).  What can be saved honestly is saved — "Mark Prigg For
Dailymail.Com" is Mark Prigg, "Alex Horton Is A General Assignment Reporter" is Alex
Horton, "Reuters Editorial" is the agency Reuters (a source, not a person) — and
everything else is dropped: an unknown author stays unknown.
"""

from __future__ import annotations

import re
import unicodedata

from .fields import agency_of, clean_line, site_key
from .vocabulary import WORDS

__all__ = ["MAX_NAME_CHARS", "clean_authors", "person_name", "site_key"]

# The longest name kept (longer credits are biographies or sentences); the same bound
# keeps author page slugs and file names short.
MAX_NAME_CHARS = 60
_MAX_WORDS = 5
_URL_RE = re.compile(r"https?:|www\.|\w\.(com|org|net|co|uk|de|fr|es|it|in|au|ca|io|info|news|tv)\b|@", re.I)
_BY_RE = re.compile(r"^(?:written\s+|posted\s+|reported\s+)?(?:by|von|por|par|door|av|af)\b[:\s]+", re.I)
# 'More Stories Ian King', 'View All Posts By Jane Doe', 'Email Ketan', 'Contact Jane Doe'.
_UI_PREFIX_RE = re.compile(
    r"^(?:more\s+(?:stories|articles|posts|news)?\s*(?:by|from)?|view\s+(?:all\s+)?(?:posts|articles|stories)?"
    r"\s*(?:by)?|(?:all\s+)?(?:posts|articles|stories)\s+by|e-?mail|contact|follow|about)\s+", re.I)
# 'Mark Prigg For Dailymail.Com', 'Andy Warren for MailOnline': the name, writing for a site.
_FOR_RE = re.compile(r"\s+(?:for|für|pour|para|per)\s+\S.*$", re.I)
# 'Alex Horton Is A General Assignment Reporter', 'Dell Cameron Is A Staff Reporter At Gizmodo.'
_BIO_RE = re.compile(r"^(.+?)\s+(?:is|was|has|writes|covers|joined|reports|lives)\b", re.I)
_IN_PLACE_RE = re.compile(r"^(?:in|at|from)\s+\w[\w .'-]*$", re.I)
# Scripts written without spaces between words: a name is a few characters.
# (Korean puts spaces between words, but a name is one word of two to four syllables.)
_UNSPACED_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f"
                          r"\u1780-\u17ff\uac00-\ud7af]")
_LATIN_RE = re.compile(r"[A-Za-z]")
# 'Jane Doe and John Roe' in one credit: two people, when each side is a name.
_JOINED_RE = re.compile(r"\s+(?:and|&|und|et|y|e|og|och|en)\s+", re.I)
_ALLOWED_PUNCT = set(".'’-‐‑ ·・")


def _key(word: str) -> str:
    return word.casefold().strip(",;:")


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _agency_credit(words: list[str]) -> str:
    """'Reuters Editorial', 'Press Association Sport Correspondent', 'Reuters In Berlin' → the agency."""
    for k in (3, 2, 1):
        if len(words) < k:
            continue
        agency = agency_of(" ".join(words[:k]))
        rest = words[k:]
        if agency and (not rest or all(_key(w) in WORDS.job_words | WORDS.org_words | WORDS.ui_words for w in rest)
                       or _IN_PLACE_RE.match(" ".join(rest))):
            return agency
    return ""


def _strip_job_title(words: list[str]) -> list[str]:
    """'Alex Raskin Sports News Editor' → 'Alex Raskin', '박준석 기자 외 1명' → '박준석': a job
    title and what follows it go, the name before it stays."""
    head = next((i for i, w in enumerate(words) if _key(w) in WORDS.job_heads), -1)
    if head < 0:
        return words
    end = head
    while end and _key(words[end - 1]) in WORDS.job_words:
        end -= 1
    return words[:end]


def _is_name(name: str, site: str) -> bool:
    """Whether a cleaned credit reads as one person's name."""
    if not name or len(name) > MAX_NAME_CHARS:
        return False
    if any(not (ch.isalpha() or ch in _ALLOWED_PUNCT or unicodedata.category(ch).startswith("M")) for ch in name):
        return False  # digits, symbols, brackets, '?' or '!'
    words = name.split()
    if _UNSPACED_RE.search(name):
        if _LATIN_RE.search(name) or any(part in name for part in WORDS.org_parts):
            return False  # '中日新聞Web', '読売新聞オンライン': a publication
        return 1 <= len(words) <= 3 and 2 <= len(name.replace(" ", "")) <= 12
    if not 2 <= len(words) <= _MAX_WORDS:
        return False
    if re.search(r"\w{3,}\.(\s|$)", name) and not all(
            _key(w) in WORDS.suffixes for w in words if re.fullmatch(r"\w{3,}\.", w)):
        return False  # a sentence ('Million. This', 'Former Army Infantryman.')
    keys = [_key(w) for w in words]
    initial = [0 < i < len(words) - 1 and bool(re.fullmatch(r"[A-Z]\.?", w)) for i, w in enumerate(words)]
    if any(k in WORDS.function_words and k not in WORDS.particles and not ini
           for k, ini in zip(keys, initial, strict=True)):
        return False
    if any(k in WORDS.org_words or k in WORDS.job_heads for k in keys):
        return False
    ui = sum(k in WORDS.ui_words for k in keys)
    if ui >= 2 or keys[0] in WORDS.ui_words or keys[-1] in WORDS.ui_words and ui:
        return False
    if all(k.strip(".") in WORDS.months or k in WORDS.months for k in keys) or keys[0] in WORDS.place_starts:
        return False
    if keys[0] in WORDS.articles or keys[0].startswith("l'"):
        return False
    cased = [w for w in words if w[:1].isalpha() and w[:1].lower() != w[:1].upper()]
    if cased and any(w[:1].islower() and _key(w) not in WORDS.particles for w in cased):
        return False  # 'please enter your name here'
    own = _letters(name)
    initials = "".join(w[0] for w in words).casefold()
    if site and len(site) >= 2 and (own == site or initials == site or (len(site) >= 4 and site in own)):
        return False  # the site's own name ('Deutsche Welle' on dw.com)
    return True


def person_name(credit: str, site: str = "") -> tuple[str, str]:
    """One author credit → (person's name or '', agency or '').

    ``site``: the publication's own name (``site_key`` of its domain), which is never
    an author.  Only what the credit says is kept; nothing is guessed.
    """
    text = clean_line(unicodedata.normalize("NFC", credit or "")).strip(" ,;:|-–—•·\"'")
    if not text or len(text) > 2 * MAX_NAME_CHARS:
        return "", ""  # a biography or a paragraph, not a credit: nothing in it is taken
    text = _BY_RE.sub("", text)
    text = _UI_PREFIX_RE.sub("", text).strip()
    bio = _BIO_RE.match(text)
    if bio:
        text = bio.group(1)
    if _FOR_RE.search(text) and _FOR_RE.sub("", text).strip():
        text = _FOR_RE.sub("", text).strip()
    if _URL_RE.search(text):
        return "", ""  # an e-mail address or a web address
    text = text.strip(" ,;:|-–—")
    if text.islower() and " " in text and not _UNSPACED_RE.search(text):
        text = text.title()  # 'viktor hedlund'; lower-case furniture still fails on its words
    agency = agency_of(text) or _agency_credit(text.split())
    if agency:
        return "", agency
    if text.split() and agency_of(text.split()[0]):
        return "", agency_of(text.split()[0])  # 'AFP Deutschland': the agency's desk, not a person
    words = _strip_job_title(text.split())
    name = " ".join(words)
    if name.isupper() and len(name) > 3:
        name = name.title()  # 'DANICA KIRKA' → 'Danica Kirka'
    return (name if _is_name(name, site) else ""), ""


def clean_authors(credits: list[str], site: str = "") -> tuple[list[str], str]:
    """Credits → (people, first agency credited): junk dropped, repeats and glued copies removed.

    A credit that is two credited names run together ('Neil Callanan Michael J Moore'
    beside 'Neil Callanan') is dropped; the names stand on their own.
    """
    people: list[str] = []
    source = ""
    split: list[str] = []
    for credit in credits:
        parts = _JOINED_RE.split(credit or "") if len(credit or "") <= 2 * MAX_NAME_CHARS else [credit]
        split += parts if len(parts) > 1 and any(any(person_name(p, site)) for p in parts) else [credit]
    for credit in split:
        name, agency = person_name(credit, site)
        source = source or agency
        if name and name.casefold() not in {p.casefold() for p in people}:
            people.append(name)
    folded = [p.casefold() for p in people]
    return [p for p, f in zip(people, folded, strict=True)
            if not any(o != f and (f.startswith(o + " ") or f.endswith(" " + o)) for o in folded)], source
