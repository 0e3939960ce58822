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


def _story(**fields: Any) -> Any:
    from pelican.contents import Article
    from pelican.urlwrappers import Tag

    settings = copy.deepcopy(DEFAULT_CONFIG)
    when = dt.datetime(2004, 1, 1, 6, 0, tzinfo=ZoneInfo("UTC"))
    story = Article("<p>Body.</p>", metadata={"title": "Rates rise", "date": when, "content_hash": "ab12",
                                               "tags": [Tag("economy", settings)]},
                    settings=settings, source_path="/content/rates.md")
    story.json_ld = Markup('{"@type": "NewsArticle"}')
    story.content_hash = "ab12"
    for name, value in fields.items():
        setattr(story, name, value)
    return story


@pytest.mark.parametrize(("change", "shows"), [
    (lambda s: setattr(s, "_content", "<p>Corrected body.</p>"), {"shallow", "face"}),
    (lambda s: (setattr(s, "content_hash", "cd34"), s.metadata.update(content_hash="cd34")), {"shallow", "face"}),
    (lambda s: setattr(s, "json_ld", Markup("{}")), {"shallow", "face"}),
    (lambda s: (setattr(s, "tags", []), s.metadata.update(tags=[])), {"shallow"}),
    (lambda s: setattr(s, "title", "Rates rise again"), {"shallow", "summary", "face"}),
])
def test_a_story_summary_leaves_out_what_no_list_shows(change: Any, shows: set[str]):
    """A list page counts a story it lists by its summary: its body, hash, structured data and
    tags are shown on its own page only, so changing them re-renders no list."""
    story = _story()
    old = {k: getattr(Fingerprints(), k)(story) for k in ("shallow", "summary", "face")}
    change(story)
    new = {k: getattr(Fingerprints(), k)(story) for k in ("shallow", "summary", "face")}
    assert {k for k in old if old[k] != new[k]} == shows


def test_no_list_template_reads_what_a_story_summary_leaves_out():
    """``LIST_HIDDEN`` holds only because no template but a story's (or page's) own reads
    those fields of what it lists: any other template that reads one (as an attribute, an
    item or a filter's attribute name) would show a stale value."""
    import os

    from jinja2 import Environment, FileSystemLoader, nodes
    from news_archive.fingerprints import LIST_HIDDEN

    root = os.path.join(os.path.dirname(__file__), "..", "theme", "templates")
    env = Environment(loader=FileSystemLoader(root), extensions=["jinja2.ext.do"])
    # The body is read through Pelican's ``content`` and ``summary`` properties too.
    names = {n.lstrip("_") for n in LIST_HIDDEN} | set(LIST_HIDDEN) | {"summary", "get_content", "get_summary"}
    readers = {}
    for name in sorted(os.listdir(root)):
        if name in ("article.html", "page.html") or not name.endswith(".html"):
            continue
        ast = env.parse(open(os.path.join(root, name), encoding="utf-8").read())
        read = {n.attr for n in ast.find_all(nodes.Getattr)}
        read |= {n.arg.value for n in ast.find_all(nodes.Getitem) if isinstance(n.arg, nodes.Const)}
        for call in (*ast.find_all(nodes.Filter), *ast.find_all(nodes.Test)):
            read |= {str(a.value) for a in [*call.args, *(k.value for k in call.kwargs)]
                     if isinstance(a, nodes.Const) and isinstance(a.value, str)}
        read = {part for value in read for part in str(value).split(".")}
        if read & names:
            readers[name] = sorted(read & names)
    assert readers == {}
