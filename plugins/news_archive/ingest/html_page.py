"""HTML pages → Story with trafilatura (body, title, author, date, site name, URL)."""

from __future__ import annotations

from ..story import Story
from .errors import Rejected
from .fields import clean_line, parse_byline, parse_date, safe_url, strip_site_suffix, take_dateline
from .furniture import not_article, strip_furniture
from .names import clean_authors, site_key

# Dates only from the page's markup (meta tags, <time>, structured data), with the time
# of day.  htmldate's default "extensive search" guesses from any year in the text
# ("the 2005 target" → 2005-01-01): an invented date, which the archive never shows.
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def read_html(html: str, origin: str) -> Story:
    """Body and metadata of a saved HTML page; its own <h1>/byline are not body text."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if doc is None:
        raise Rejected("no article found in the HTML page")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    body = [clean_line(p) for p in text.split("\n") if clean_line(p)]
    headline = strip_site_suffix(clean_line(data.get("title") or ""), data.get("sitename") or "",
                                 data.get("hostname") or "", data.get("url") or "")
    # trafilatura keeps the <h1> and a byline paragraph at the top of the text: they
    # are the headline and byline, not the body.
    while body and (body[0].casefold() == headline.casefold() or parse_byline(body[0])):
        body.pop(0)
    if not body:
        raise Rejected("no article found in the HTML page (no body text)")
    if not headline:
        raise Rejected("no article found in the HTML page (no headline)")
    sitename = clean_line(data.get("sitename") or "")
    if sitename.casefold() == headline.casefold():
        sitename = ""  # a page whose site name is its own title names no site
    kept = strip_furniture(body, headline)
    reason = not_article(headline, body, kept)
    if reason:
        raise Rejected(reason)
    body = kept
    authors = [clean_line(a) for a in (data.get("author") or "").split(";") if clean_line(a)]
    kept, source = clean_authors(authors, site_key(data.get("hostname") or data.get("url") or ""))
    published = parse_date(data.get("date"))
    dateline, agency = take_dateline(body)
    source = source or agency
    return Story(
        headline=headline,
        body=body,
        dek=clean_line(data.get("description") or ""),
        authors=kept,
        source=source or sitename,
        dateline=dateline,
        published=published,
        date_source="dump" if published else "",
        url=safe_url(data.get("url")),
        language=data.get("language") or "",
        origin=origin,
        format="html",
    )
