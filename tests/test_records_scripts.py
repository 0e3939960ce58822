"""The text extractor reads news in every language and script fundus covers.

Each of fundus_multilingual's 174 articles (24 languages; Japanese, Korean, Chinese,
Russian, Arabic and Hindi among them) is given as the barest text dump — headline,
blank line, paragraphs — and must come back with its headline and most of its text
(credits and "more articles" lines at the end may go).  (Skipped without ../shared/data.)
"""

from __future__ import annotations

import json

from conftest import shared_data
from news_archive.ingest.errors import Rejected
from news_archive.ingest.text import read_text


def _norm(text: str) -> str:
    return " ".join(text.replace("\u200b", "").split())


# Known short of the mark: an earthquake report that is mostly a table of towns (one a
# line, after "各地の震度は次のとおり。"): list lines of CJK text without sentence ends.
SHORT_OF_TEXT = {("jp", "AsahiShimbun.json")}


def test_every_fundus_article_as_a_bare_text_dump_keeps_its_headline_and_body():
    folder = shared_data("fundus_multilingual")
    failed = []
    total = 0
    for path in sorted(folder.glob("*/*.json")):
        for version, rec in json.loads(path.read_text(encoding="utf-8")).items():
            total += 1
            paras = [p for s in rec["body"]["sections"] for p in s["paragraphs"]]
            text = rec["title"] + "\n\n" + "\n\n".join(paras)
            try:
                story = read_text(text, f"{path.name}#{version}")
            except Rejected as exc:
                failed.append((path.parent.name, path.name, exc.reason))
                continue
            kept = len(_norm(" ".join(story.body))) / len(_norm(" ".join(paras)))
            if _norm(story.headline) != _norm(rec["title"]) or (
                    kept < 0.8 and (path.parent.name, path.name) not in SHORT_OF_TEXT):
                failed.append((path.parent.name, path.name, story.headline[:40], round(kept, 2)))
    assert total == 174
    assert failed == []
