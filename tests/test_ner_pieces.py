"""NER reads a text of any length: in pieces cut at paragraph breaks, its spans placed right.

spaCy refuses a text over 1,000,000 characters (E088) and needs about a gigabyte per
100,000 characters it holds at once, so a long text is cut into pieces of at most
``NEWS_ARCHIVE_NER_PIECE_CHARS``; past ``NEWS_ARCHIVE_NER_MAX_CHARS`` the rest of a
story gets no entities and its report entry says so.  The real model reads the pieces.
"""

from __future__ import annotations

import json
from pathlib import Path

from news_archive import settings as S
from news_archive.convert import convert_all
from news_archive.enrich.ner import load_model, pieces, spans_in_pieces

MODEL = S.DEFAULTS["NEWS_ARCHIVE_SPACY_MODEL"]
PARAGRAPHS = [
    "Angela Merkel met Emmanuel Macron in Paris on Monday.",
    "The European Commission in Brussels welcomed the talks, and Ursula von der Leyen said so.",
    "Later, Joe Biden phoned Olaf Scholz from Washington about the same plan.",
    "In Tokyo, the Bank of Japan kept its rates unchanged, as Toyota had expected.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def test_pieces_cover_the_text_and_are_cut_at_paragraph_breaks():
    cut = pieces(TEXT, 100)
    assert "".join(p for _, p in cut) == TEXT
    for offset, piece in cut:
        assert len(piece) <= 100 and TEXT[offset:offset + len(piece)] == piece
    assert [TEXT[o:o + 2] for o, _ in cut[1:]] == ["\n\n"] * (len(cut) - 1)  # every cut at a paragraph
    assert pieces(TEXT, len(TEXT)) == [(0, TEXT)]


def test_a_paragraph_longer_than_a_piece_is_cut_at_a_sentence_or_a_space():
    text = "One sentence here. " * 20 + "x" * 500
    cut = pieces(text, 100)
    assert "".join(p for _, p in cut) == text and all(len(p) <= 100 for _, p in cut)
    assert cut[0][1].endswith("here.")  # at the end of a sentence


def test_spans_read_in_pieces_are_placed_where_they_are_in_the_whole_text():
    nlp = load_model(MODEL)
    [whole] = spans_in_pieces(nlp, [TEXT], size=len(TEXT))
    [cut] = spans_in_pieces(nlp, [TEXT], size=100)
    assert len(pieces(TEXT, 100)) > 2
    names = {TEXT[s:e] for s, e, _ in cut["ents"]}
    assert {"Angela Merkel", "Paris", "Joe Biden", "Tokyo"} <= names
    assert {(TEXT[s:e], label) for s, e, label in cut["ents"]} == {(TEXT[s:e], label) for s, e, label in whole["ents"]}
    starts = {TEXT.index(p) for p in PARAGRAPHS}
    assert starts <= {s + (2 if TEXT[s:s + 2] == "\n\n" else 0) for s in cut["sents"]}


def test_a_story_past_the_ner_bound_converts_with_a_warning(tmp_path: Path):
    dumps = tmp_path / "content" / "dumps"
    dumps.mkdir(parents=True)
    (dumps / "long.json").write_text(json.dumps({"title": "Summit in Paris", "maintext": "\n".join(PARAGRAPHS * 3)}))
    settings = {"PATH": str(tmp_path / "content"), "NEWS_ARCHIVE_WORK_DIR": str(tmp_path / "var"),
                "NEWS_ARCHIVE_PROGRESS": False, "NEWS_ARCHIVE_NER_MAX_CHARS": 200}
    [entry] = convert_all(settings).to_json()["dumps"]
    assert entry["status"] == "converted"
    assert entry["warnings"] == ["entities found in the first 161 of 912 characters only "
                                 "(NEWS_ARCHIVE_NER_MAX_CHARS is 200)"]
    page = (tmp_path / "content" / "generated" / f"{entry['slug']}.md").read_text(encoding="utf-8")
    assert "Angela Merkel" in page and "Joe Biden" not in page.split("\n\n", 1)[0]  # past the bound: none
