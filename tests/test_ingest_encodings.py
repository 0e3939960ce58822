"""Whatever encoding a dump arrives in, the story reads as the text it was.

Each case writes the same scrape in a different encoding and checks what `extract`
(the build's reader) gives back: UTF-8 with and without BOM, UTF-16 (BOM and not),
Windows-1252 and latin-1 (``£``, curly quotes), CRLF, NFC, mojibake repair, and the
undecodable and binary files that must be rejected with a reason.
"""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252", as broken software writes it)
import pytest
from test_ingest_formats import extract

HEADLINE = "Café owners count the cost of £5 “coffee tax”"
PARAGRAPH = ("Owners of small cafés say the new levy will cost them about £5,000 a year, "
             "and that customers have already noticed the “coffee tax” on their bills.")
SCRAPE = f"Home News {HEADLINE}\n\n{HEADLINE}\n\nby AFP\n\n{PARAGRAPH}\n\nRelated Articles\n"


# What a tool that read UTF-8 as Windows-1252 and saved the result writes: "CafÃ©", "Â£", "â€œ".
MOJIBAKE = SCRAPE.encode("utf-8").decode("sloppy-windows-1252").encode("utf-8")


def one(tmp_path: Path, data: bytes, name: str = "dump.txt") -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    [rec] = extract(path)
    return rec


@pytest.mark.parametrize(
    "label, data",
    [
        ("utf-8", SCRAPE.encode("utf-8")),
        ("utf-8 with BOM", codecs.BOM_UTF8 + SCRAPE.encode("utf-8")),
        ("utf-16 with BOM", SCRAPE.encode("utf-16")),
        ("utf-16-be with BOM", codecs.BOM_UTF16_BE + SCRAPE.encode("utf-16-be")),
        ("utf-16-le without BOM", SCRAPE.encode("utf-16-le")),
        ("cp1252", SCRAPE.encode("cp1252")),
        ("CRLF line ends", SCRAPE.replace("\n", "\r\n").encode("utf-8")),
        ("decomposed accents (NFD)", unicodedata.normalize("NFD", SCRAPE).encode("utf-8")),
        ("mojibake: UTF-8 read as cp1252 and saved again", MOJIBAKE),
    ],
)
def test_every_encoding_reads_as_the_same_text(tmp_path: Path, label: str, data: bytes):
    rec = one(tmp_path, data)
    assert rec["status"] == "converted", label
    assert rec["headline"] == HEADLINE, label
    assert rec["body"] == PARAGRAPH, label
    assert rec["source"] == "AFP"
    assert unicodedata.is_normalized("NFC", rec["body"])
    assert "\r" not in rec["body"]


def test_latin1_german_text(tmp_path: Path):
    text = ("Home Welt Bär läuft über die Straße\n\nBär läuft über die Straße\n\n"
            "Ein junger Bär ist am Montag über die Hauptstraße gelaufen, und die Polizei "
            "hat die Straße für eine Stunde gesperrt, bis er wieder im Wald war.\n")
    rec = one(tmp_path, text.encode("latin-1"))
    assert rec["headline"] == "Bär läuft über die Straße"
    assert "Hauptstraße" in rec["body"]


def test_cyrillic_single_byte_is_not_misread_as_western(tmp_path: Path):
    text = ("Главная Новости Мост открыт после ремонта\n\nМост открыт после ремонта\n\n"
            "Городской мост снова открыт для движения после трёх месяцев ремонта, и водители "
            "говорят, что дорога на работу стала намного короче.\n")
    rec = one(tmp_path, text.encode("cp1251"))
    assert rec["headline"] == "Мост открыт после ремонта"


def test_undecodable_bytes_are_rejected_with_a_reason(tmp_path: Path):
    rec = one(tmp_path, bytes(range(0x80, 0x100)) * 40)
    assert rec["status"] == "rejected" and rec["reason"].startswith("undecodable")


def test_truncated_utf16_is_rejected_not_guessed(tmp_path: Path):
    rec = one(tmp_path, SCRAPE.encode("utf-16") + b"\x00\xd8")
    assert rec["status"] == "rejected" and rec["reason"].startswith("undecodable")


def test_binary_and_empty_files_are_rejected_with_a_reason(tmp_path: Path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    assert one(tmp_path, png, "image.txt")["reason"] == "binary file, not text"
    assert one(tmp_path, b"", "empty.txt")["reason"] == "empty file"
    assert one(tmp_path, b"  \n\r\n\t", "blank.txt")["reason"] == "empty file"
