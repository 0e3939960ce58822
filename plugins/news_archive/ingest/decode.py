"""Bytes → text: BOMs, UTF-16, cp1252/latin-1, CRLF, NFC and unambiguous mojibake; and the
HTML character references a text dump kept (``decode_char_refs``)."""

from __future__ import annotations

import codecs
import html
import html.entities
import re
import unicodedata

from .errors import Rejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


# Signatures of common binary formats that end up in dump folders by mistake.
_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"BZh", b"\xfd7zXZ")


def _utf16_without_bom(sample: bytes) -> bool:
    """Mostly-ASCII UTF-16: NULs fill one byte of each pair and almost none of the other."""
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return False
    e, o = even.count(0) / len(even), odd.count(0) / len(odd)
    return (e > 0.4 and o < 0.05) or (o > 0.4 and e < 0.05)


def looks_binary(data: bytes) -> bool:
    """A known binary signature, NUL bytes outside UTF-16/32 text, or many control bytes."""
    sample = data[:4096]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if sample.startswith(_MAGIC):
        return True
    if b"\x00" in sample:
        return not _utf16_without_bom(sample)
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode(data: bytes) -> str:
    """Decode dump bytes to normalised text, or raise Rejected('undecodable …')."""
    if looks_binary(data):
        raise Rejected("binary file, not text")
    text = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc, errors="strict")
            except UnicodeDecodeError as exc:
                raise Rejected(f"undecodable: starts with a {enc.upper()} byte-order mark but {exc.reason}") from exc
            break
    if text is None and _utf16_without_bom(data[:4096]):
        even_nuls = data[0:4096:2].count(0)
        enc = "utf-16-be" if even_nuls > data[1:4096:2].count(0) else "utf-16-le"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise Rejected(f"undecodable: looks like UTF-16 but {exc.reason}") from exc
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _fix_mojibake(text)
    return unicodedata.normalize("NFC", text)


def _decode_legacy(data: bytes) -> str:
    """Non-UTF-8 bytes: Windows-1252 (a superset of latin-1's printable range) when it fits.

    charset-normalizer alone guesses cp1250 for an English ``£`` (giving ``Ł``), so
    cp1252 comes first; its guess wins only when cp1252 cannot decode the bytes or
    when the cp1252 reading is mostly accented letters (Cyrillic or Greek bytes read
    as Western, ``Ïðèâåò``), which no Western-language text is.
    """
    from charset_normalizer import from_bytes

    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None:
        letters = sum(1 for ch in western if ch.isalpha())
        accented = sum(1 for ch in western if "\u00c0" <= ch <= "\u00ff")
        if not letters or accented / letters < 0.3:
            return western
    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    if western is not None:
        return western
    raise Rejected("undecodable: not UTF-8, UTF-16 or a recognisable single-byte encoding")


def _fix_mojibake(text: str) -> str:
    """Repair UTF-8-read-as-cp1252 (``â€™`` → ``’``) only where ftfy is sure."""
    if not any(marker in text for marker in ("Ã", "â€", "Â")):
        return text
    import ftfy

    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_line_breaks=False)


_CHAR_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode_char_refs(text: str) -> str:
    """HTML character references left in a text dump (``&#163;1.8m``, ``&eacute;``) as the
    characters they stand for; only complete references (with their ``;``), and never one
    that would give a control character.  Everything else stays exactly as written (the
    text is escaped wherever it is shown)."""
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        ref = m.group()
        if ref[1] != "#" and ref[1:] not in html.entities.html5:  # "&notaref;" is no reference
            return ref
        char = html.unescape(ref)
        if char == ref or any(unicodedata.category(c) in ("Cc", "Cs") or c == "\ufffd" for c in char):
            return ref
        return char

    return _CHAR_REF.sub(one, text)
