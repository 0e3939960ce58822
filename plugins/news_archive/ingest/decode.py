"""Bytes → text: BOMs, UTF-16, cp1252/latin-1, CRLF, NFC and unambiguous mojibake."""

from __future__ import annotations

import codecs
import unicodedata

from .errors import Rejected

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def looks_binary(data: bytes) -> bool:
    """NUL bytes outside UTF-16/32 text, or many control bytes, mean a binary file."""
    sample = data[:4096]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    if b"\x00" in sample:
        # BOM-less UTF-16: every other byte NUL in mostly-ASCII text.
        even, odd = sample[0::2], sample[1::2]
        if even.count(0) > len(even) * 0.4 or odd.count(0) > len(odd) * 0.4:
            return False
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode(data: bytes) -> str:
    """Decode dump bytes to normalised text, or raise Rejected('undecodable …')."""
    if looks_binary(data):
        raise Rejected("binary file, not text")
    text = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            text = data.decode(enc, errors="strict")
            break
    if text is None and b"\x00" in data[:4096]:
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
    """Non-UTF-8 bytes: cp1252 (a superset of latin-1 for printable text) if it fits."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    candidates = ["cp1252"]
    if best is not None and best.encoding not in candidates:
        candidates.insert(0, best.encoding)
    for enc in candidates:
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise Rejected("undecodable: not UTF-8, UTF-16 or a single-byte Western encoding")


def _fix_mojibake(text: str) -> str:
    """Repair UTF-8-read-as-cp1252 (``â€™`` → ``’``) only where ftfy is sure."""
    if not any(marker in text for marker in ("Ã", "â€", "Â")):
        return text
    import ftfy

    return ftfy.fix_text(text, normalization="NFC", uncurl_quotes=False, fix_line_breaks=False)
