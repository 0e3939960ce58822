"""``/search.json`` as a golden file: the contract's exact bytes on the sample archive.

Each request of ``tests/data/search_golden/requests.txt`` is answered by the real WSGI app
over the sample archive's real index, and its body must equal, byte for byte, the one
recorded in ``expected.jsonl`` (only ``took_ms``, a measurement, is masked).  The requests
cover relevance and date sorts, pagination past the end, facet and year filters, filters
without words, corrections, fuzzy and wildcard terms, dates, operators, hostile and empty
input.  A new case is a new line in ``requests.txt``; ``NEWS_ARCHIVE_WRITE_GOLDEN=1``
rewrites the expectations (review their diff: it is the contract's diff).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import ROOT, Site
from test_search_service import app_for, call

CASES = ROOT / "tests" / "data" / "search_golden"
REQUESTS = [line.strip() for line in (CASES / "requests.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
EXPECTED = CASES / "expected.jsonl"
_TOOK = re.compile(rb'"took_ms": [0-9.]+')


def answer(app, query: str) -> str:
    status, headers, body = call(app, "/search.json", query)
    assert status == "200 OK" and headers["Content-Type"] == "application/json; charset=utf-8"
    return _TOOK.sub(b'"took_ms": 0', body).decode("utf-8")


@pytest.fixture(scope="module")
def app(sample_site: Site):
    return app_for(sample_site)


@pytest.fixture(scope="module")
def golden(app) -> dict[str, str]:
    if os.environ.get("NEWS_ARCHIVE_WRITE_GOLDEN"):
        with EXPECTED.open("w", encoding="utf-8") as out:
            for query in REQUESTS:
                out.write(json.dumps({"request": query, "body": answer(app, query)}, ensure_ascii=False) + "\n")
    lines = EXPECTED.read_text(encoding="utf-8").splitlines()
    return {case["request"]: case["body"] for case in map(json.loads, lines)}


def test_every_request_has_its_recorded_answer(golden: dict[str, str]):
    assert len(REQUESTS) == len(set(REQUESTS)) and set(golden) == set(REQUESTS)


@pytest.mark.parametrize("query", REQUESTS)
def test_search_json_is_byte_identical_to_its_golden_answer(app, golden: dict[str, str], query: str):
    assert answer(app, query) == golden[query]
