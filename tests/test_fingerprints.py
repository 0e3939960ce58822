"""Fingerprints take a node's shallow digest, summary and face in one pass over its fields;
each must be exactly the digest its plain definition (one walk per digest, below) gives,
whichever of them is asked for first, and each must change when what it shows changes."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import Markup
from news_archive.fingerprints import Fingerprints
from news_archive.taxonomy import Entity
from pelican.settings import DEFAULT_CONFIG

FLAT = (str, int, float, bool, type(None))


def plain_shallow(fp: Fingerprints, node: Any) -> tuple[bytes, list[Any]]:
    out, nodes = [fp.token(node)], []
    fp._encode(fp.fields(node), out, nodes)
    return fp._digest(out), nodes


def plain_summary(fp: Fingerprints, node: Any) -> bytes:
    out, fields = [fp.token(node)], fp.fields(node)
    for key in sorted(fields):
        out.append(key)
        fp._summarise(fields[key], out, 0)
    return fp._digest(out)


def plain_face(fp: Fingerprints, node: Any) -> bytes:
    out, fields = [fp.token(node)], fp.fields(node)
    for key in sorted(fields):
        value = fields[key]
        if isinstance(value, FLAT) or hasattr(value, "isoformat") or fp.is_node(value):
            out.append(key)
            fp._encode(value, out, None)
        elif isinstance(value, dict):
            for sub in fp._keys(value):
                item = value[sub]
                if isinstance(item, FLAT) or hasattr(item, "isoformat"):
                    out.append(f"{key}.{sub}")
                    fp._encode(item, out, None)
    return fp._digest(out)


def _graph() -> list[Entity]:
    """Entities with every kind of field a page subject carries: scalars, Markup, dates, a
    time zone, lists of nodes, (node, count) pairs, sets, and a metadata dictionary with
    scalars, nodes, lists, a nested dictionary and an excluded key."""
    settings = copy.deepcopy(DEFAULT_CONFIG)
    a, b, c = (Entity(name, "person", settings) for name in ("Ann Lee", "Bo Chan", "Cy Diaz"))
    a.aliases = ["A. Lee", "Lee"]
    a.related = [(b, 3), (c, 1)]
    a.articles = [b, c]
    a.doubt = 0.25
    a.feed_url = "feeds/ann-lee.atom.xml"
    a.when = dt.datetime(2004, 1, 1, 6, 0, tzinfo=ZoneInfo("UTC"))
    a.timezone = ZoneInfo("UTC")
    a.json_ld = Markup('{"@type": "Person"}')
    a.groups = [("person", "People", [b, c])]
    a.marks = {"x", "y"}
    a.metadata = {"title": "Ann", "date": a.when, "count": 2, "author": b, "tags": [b, c],
                  "pairs": [(b, 1)], "nested": {"k": "v"}, "settings": "excluded from two of three",
                  "flag": None}
    b.related = [(a, 3)]
    return [a, b, c]


@pytest.mark.parametrize("first", ["summary", "face", "shallow"])
def test_one_pass_digests_are_the_plain_walks(first: str):
    nodes = _graph()
    plain = Fingerprints()
    expected = {id(n): (plain_shallow(plain, n), plain_summary(plain, n), plain_face(plain, n)) for n in nodes}
    fp = Fingerprints()
    for node in nodes:  # a node first met as a neighbour has its face taken alone, then the rest
        getattr(fp, first)(node)
    for node in nodes:
        (shallow, neighbours), summary, face = expected[id(node)]
        assert fp.shallow(node) == shallow
        assert fp.neighbours(node) == neighbours
        assert fp.summary(node) == summary
        assert fp.face(node) == face


@pytest.mark.parametrize(("change", "shows"), [
    (lambda a: setattr(a, "doubt", 0.5), {"shallow", "summary", "face"}),
    (lambda a: a.metadata.update(title="Anne"), {"shallow", "summary", "face"}),
    (lambda a: a.metadata.update(nested={"k": "w"}), {"shallow"}),
    (lambda a: a.metadata.update(settings="other"), {"face"}),
    (lambda a: a.related.append((a, 9)), {"shallow", "summary"}),
    (lambda a: a.aliases.append("Annie"), {"shallow", "summary"}),
    (lambda a: a.groups[0][2].pop(), {"shallow"}),
])
def test_each_digest_changes_with_what_it_shows(change: Any, shows: set[str]):
    before = Fingerprints()
    a = _graph()[0]
    old = {k: getattr(before, k)(a) for k in ("shallow", "summary", "face")}
    change(a)
    after = Fingerprints()
    new = {k: getattr(after, k)(a) for k in ("shallow", "summary", "face")}
    assert {k for k in old if old[k] != new[k]} == shows
