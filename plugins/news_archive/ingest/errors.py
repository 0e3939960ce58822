"""How ingest says no: for a whole dump, or for one record of a multi-record dump."""

from __future__ import annotations

from dataclasses import dataclass


class Rejected(Exception):
    """A dump that yields no article; the message is the reason shown in the report."""

    @property
    def reason(self) -> str:
        return str(self)


@dataclass
class RejectedRecord:
    """One record of a JSON array or JSONL dump that yields no article.

    The other records of the same file still convert: each record is accounted for
    on its own in the report, as ``file#N``.
    """

    origin: str  # "dump.jsonl#3"
    reason: str
