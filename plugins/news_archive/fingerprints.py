"""Digests of what a template can see: the fingerprints the skipping writer compares.

See :class:`Fingerprints`; ``skipping_writer`` keeps one per build.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pelican.contents import Content
from pelican.urlwrappers import URLWrapper

from .article_story import ATTRIBUTE as STORY_ATTRIBUTE
from .build import BUILD_KEY

# What no list shows of a story it lists, only the story's own page: its body, its content
# hash, its structured data and its tags (and their metadata entries).  Left out of a story's
# ``summary``, so a story whose tags or text changed re-renders its own page and the lists
# whose membership changed, not every page of every year, tag and section it is listed on
# (an incremental build re-rendered ~100 such pages unchanged).  tests/test_fingerprints.py
# checks that no template but a story's own reads these names.
LIST_HIDDEN = frozenset({"_content", "content_hash", "json_ld", "tags"})


class Fingerprints:
    """Digests of what a template can see, computed once per object per build.

    A page's output is a function of its template (and the templates it includes), the
    settings, the plugin's code, and the context variables the template names.  Those
    variables hold articles, tags, entities and lists of them, which point at each other
    (an article at its entities, an entity at its articles), so a digest follows
    references one level: a page's subject counts by its own fields plus the own scalar
    fields (``face``) of every article, tag or entity it points at (its entities' names
    and links), and a list by each item's ``summary``, which is what pages show of them.
    Objects are memoised by identity, and kept alive by the memo so an id is never
    reused within a build: each article is digested once, not once per page it is on.
    """

    EXCLUDED = frozenset({"settings", "_context", "_Content__context", BUILD_KEY, STORY_ATTRIBUTE})

    def __init__(self) -> None:
        # id -> (node, shallow digest, neighbours, summary digest, face digest): see _own
        self._shallow: dict[int, tuple[Any, bytes, list[Any], bytes, bytes]] = {}
        self._deep: dict[int, tuple[Any, bytes]] = {}
        self._values: dict[int, tuple[Any, bytes]] = {}
        self._open: set[int] = set()
        self._node_kinds: set[type] = set()  # classes whose instances are nodes (Article, Tag, Entity…)
        self._plain_kinds: set[type] = set()
        # classes of plain objects (a list's story views, chips) that by_digest names by digest
        self._record_kinds: set[type] = set()
        self._summary_hexes: dict[int, str] = {}  # nodes are kept alive by _shallow
        self._face_hexes: dict[int, str] = {}  # nodes are kept alive by _shallow
        self._tokens: dict[int, tuple[Any, str]] = {}
        # nodes seen only as a neighbour so far: (node, its fields as first read, its face)
        self._faces: dict[int, tuple[Any, dict[str, Any], bytes]] = {}

    @classmethod
    def fields(cls, node: Any) -> dict[str, Any]:
        """A node's own attributes, less settings and context; a tag's or entity's slug by value
        (it is computed on first use: its value, not whether it was asked for yet)."""
        fields = {k: v for k, v in vars(node).items() if k not in cls.EXCLUDED and k != "_slug"}
        if "relative_source_path" in fields:  # where the source is inside the content folder,
            fields.pop("source_path", None)  # not where that folder is (a moved site)
        if isinstance(node, URLWrapper):
            fields["_slug"] = node.slug
        return fields

    def _is_node_kind(self, kind: type) -> bool:
        """Whether instances of a class are nodes (answered once per class)."""
        if kind in self._node_kinds:
            return True
        if kind in self._plain_kinds:
            return False
        node = issubclass(kind, (Content, URLWrapper))
        (self._node_kinds if node else self._plain_kinds).add(kind)
        return node

    @staticmethod
    def is_node(obj: Any) -> bool:
        return isinstance(obj, (Content, URLWrapper))

    @staticmethod
    def token(obj: Any) -> str:
        """Identity only (what it is, not what it says): the source file of a page (its path
        inside the content folder), the kind, name and slug of a tag, author or entity.  Never ``url``: Pelican computes
        it anew from the settings on every access, which would cost more than the page."""
        if isinstance(obj, Content):  # inside the content folder: a moved site's pages are the same pages
            relative = getattr(obj, "relative_source_path", None)
            return f"C:{relative if relative is not None else obj.source_path}"
        return f"W:{type(obj).__name__}:{obj._name}"

    def _encode(self, obj: Any, out: list[str], nodes: list[Any] | None, depth: int = 0,
                by_digest: bool = False) -> None:
        """Append a stable text form of ``obj``; other nodes become tokens (and are collected).

        With ``by_digest`` (template variables), a large container or plain object met
        inside another stands for its memoised digest: each page of a paginated list has
        its own ``articles_page`` pointing at the one paginator and its whole list, which
        must be digested once per list, not once per page (that is quadratic: 600 pages
        of the home page × 12,000 stories).
        """
        kind = type(obj)  # the common leaves first, by exact type: this runs millions of times
        if kind is str:
            out.append(f"s{len(obj)}:")
            out.append(obj)
            return
        if obj is None or kind is int or kind is bool or kind is float:
            out.append(repr(obj))
            return
        if kind in self._node_kinds or self._is_node_kind(kind):
            hit = self._tokens.get(id(obj))
            if hit is None:
                hit = self._tokens[id(obj)] = (obj, self.token(obj))
            out.append(hit[1])
            if nodes is not None:
                nodes.append(obj)
            return
        if by_digest and depth and (
            (isinstance(obj, (list, tuple, dict, set, frozenset)) and len(obj) > 16)
            or (hasattr(obj, "__dict__") and not callable(obj)  # nodes never get here: caught above
                and not isinstance(obj, type) and type(obj).__name__ != "module" and not hasattr(obj, "isoformat"))
        ):
            if id(obj) in self._open:  # a cycle through plain objects: name it, do not follow it
                out.append(type(obj).__name__)
            else:
                if not isinstance(obj, (list, tuple, dict, set, frozenset)):
                    self._record_kinds.add(kind)
                out.append(self.value(obj).hex())
            return
        if obj is None or isinstance(obj, (bool, int, float)):
            out.append(repr(obj))
        elif isinstance(obj, str):  # Markup too
            out.append(f"s{len(obj)}:")
            out.append(obj)
        elif isinstance(obj, dict):
            out.append("{")
            for key in self._keys(obj):
                if key in self.EXCLUDED:
                    continue
                out.append(repr(key))
                self._encode(obj[key], out, nodes, depth + 1, by_digest)
            out.append("}")
        elif isinstance(obj, (list, tuple)):
            out.append(f"[{len(obj)}")
            tokens, node_kinds, values = self._tokens, self._node_kinds, self._values
            records = self._record_kinds if by_digest else ()
            for item in obj:  # strings, nodes and digested records inline, as the top of this method does them
                k = type(item)
                if k is str:
                    out.append(f"s{len(item)}:")
                    out.append(item)
                elif k in node_kinds:
                    hit = tokens.get(id(item))
                    if hit is None:
                        hit = tokens[id(item)] = (item, self.token(item))
                    out.append(hit[1])
                    if nodes is not None:
                        nodes.append(item)
                elif k in records and (known := values.get(id(item))) is not None and known[0] is item:
                    out.append(known[1].hex())  # a story view on its 30th list: its digest, memoised
                else:
                    self._encode(item, out, nodes, depth + 1, by_digest)
            out.append("]")
        elif isinstance(obj, (set, frozenset)):
            parts = []
            for item in obj:
                sub: list[str] = []
                self._encode(item, sub, nodes, depth + 1, by_digest)
                parts.append("".join(sub))
            out.append("{" + "|".join(sorted(parts)) + "}")
        elif hasattr(obj, "isoformat"):
            out.append(obj.isoformat())
        elif callable(obj) or isinstance(obj, type) or type(obj).__name__ == "module":
            out.append(getattr(obj, "__qualname__", getattr(obj, "__name__", type(obj).__name__)))
        elif hasattr(obj, "__dict__") and depth < 8:
            out.append(type(obj).__name__)
            self._encode(vars(obj), out, nodes, depth + 1, by_digest)
        else:
            out.append(re.sub(r" at 0x[0-9a-f]+", "", repr(obj)))

    @staticmethod
    def _keys(obj: dict[Any, Any]) -> list[Any]:
        """A dictionary's keys in a stable order: string keys (nearly all of them) as they
        sort, any other by their ``repr`` (which a str key's order needs no call for: the
        digests of a warm build sorted some 37,000 dictionaries)."""
        if all(type(k) is str for k in obj):
            return sorted(obj)
        return sorted(obj, key=repr)

    @staticmethod
    def _digest(parts: list[str]) -> bytes:
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def shallow(self, node: Any) -> bytes:
        """A node's own fields; the nodes it points at only by identity."""
        return self._own(node)[1]

    def neighbours(self, node: Any) -> list[Any]:
        """The nodes a node's fields point at, as they were when it was first digested."""
        return self._own(node)[2]

    def summary(self, node: Any) -> bytes:
        """What a list shows of a node: its own scalar fields (title, dek, date, source, name),
        the identities of the nodes it points at directly (its tags, an entity's stories:
        names and counts), and only the length of anything nested deeper (its related
        stories, its entity groups).  So a story whose related list changed re-renders its
        own page, not every tag and entity page that lists it.  A story's ``LIST_HIDDEN``
        fields are left out: no list shows them."""
        return self._own(node)[3]

    def face(self, node: Any) -> bytes:
        """What a page shows of a node its subject points at: its own scalar fields (an
        entity chip's name, kind and link; a related entity's name), never the members of
        its lists.  So adding a story to "United States" re-renders the United States page
        and the pages that list that story, not every story page with a "United States"
        chip.  (Counts a page shows are its subject's own, or come from a list variable,
        which ``value`` digests item by item.)"""
        hit = self._shallow.get(id(node))
        if hit is not None:
            return hit[4]
        seen = self._faces.get(id(node))
        if seen is None:
            fields = self.fields(node)
            face = [self.token(node)]
            self._face_fields(fields, face)
            seen = self._faces[id(node)] = (node, fields, self._digest(face))
        return seen[2]

    def _face_fields(self, fields: dict[str, Any], face: list[str], key: str | None = None) -> None:
        """Append the face of ``fields`` (or of its one field ``key``)."""
        flat = (str, int, float, bool, type(None))
        for name in sorted(fields) if key is None else (key,):
            value = fields[name]
            if isinstance(value, flat) or hasattr(value, "isoformat") or self.is_node(value):
                face.append(name)
                self._encode(value, face, None)
            elif isinstance(value, dict):  # Pelican's metadata: its scalar entries
                for sub in self._keys(value):
                    item = value[sub]
                    if isinstance(item, flat) or hasattr(item, "isoformat"):
                        face.append(f"{name}.{sub}")
                        self._encode(item, face, None)

    def _sequence(self, obj: list[Any] | tuple[Any, ...], out: list[str], nodes: list[Any], depth: int) -> bool:
        """``_encode`` of a list or tuple (the same text), and whether every item is a scalar
        or a node (what a summary shows whole).  One walk for both: an entity's stories and
        its related entities' (entity, count) pairs are most of what the digests read."""
        out.append(f"[{len(obj)}")
        tokens, node_kinds = self._tokens, self._node_kinds
        whole = True
        for item in obj:
            k = type(item)
            if k is str:
                out.append(f"s{len(item)}:")
                out.append(item)
            elif k in node_kinds:
                hit = tokens.get(id(item))
                if hit is None:
                    hit = tokens[id(item)] = (item, self.token(item))
                out.append(hit[1])
                nodes.append(item)
            elif k is int or k is bool or k is float or item is None:
                out.append(repr(item))
            elif k is tuple or k is list:
                self._sequence(item, out, nodes, depth + 1)
                whole = False
            else:
                self._encode(item, out, nodes, depth + 1)
                whole = whole and (isinstance(item, (str, int, float, bool, type(None))) or self.is_node(item))
        out.append("]")
        return whole

    def _dict_field(self, key: str, value: dict[Any, Any], own: list[str], summary: list[str],
                    face: list[str], nodes: list[Any], hidden: frozenset[str] = frozenset()) -> None:
        """A dictionary field (an article's metadata, some 25 entries) into all three digests
        at once, each entry encoded once: the text ``_encode``, ``_summarise`` and
        ``_face_fields`` give it, which read it three times over."""
        flat = (str, int, float, bool, type(None))
        own.append("{")
        summary.append("{")
        for sub in self._keys(value):
            item = value[sub]
            piece: list[str] = []
            self._encode(item, piece, nodes, 2)
            scalar = isinstance(item, flat) or hasattr(item, "isoformat")
            if scalar:
                face.append(f"{key}.{sub}")
                face += piece
            if sub in self.EXCLUDED:
                continue
            own.append(repr(sub))
            own += piece
            if sub in hidden:
                continue
            summary.append(repr(sub))
            if scalar or self.is_node(item) or (
                    isinstance(item, (list, tuple, set, frozenset)) and all(
                        isinstance(x, flat) or self.is_node(x) for x in item)):
                summary += piece
            elif isinstance(item, (list, tuple, dict, set, frozenset)):
                summary.append(f"#{len(item)}")
            else:
                summary.append(type(item).__name__)
        own.append("}")
        summary.append("}")

    def _own(self, node: Any) -> tuple[Any, bytes, list[Any], bytes, bytes]:
        """A node's shallow digest, neighbours, summary and face, all taken in one pass over
        its fields, once per build, at first sight, and never again (see ``prime``).

        The three digests read the same fields, and a field the summary or face shows
        whole (a scalar, a list of scalars and nodes) is encoded exactly as the shallow
        digest encodes it, so each field is encoded once and its text shared: 10,000
        entities and 2,000 stories were read three times over, the most of a warm
        build's digests.  (Each digest is the one the three separate walks took.)
        """
        hit = self._shallow.get(id(node))
        if hit is not None:
            return hit
        seen = self._faces.pop(id(node), None)  # its face taken already: from the fields it read then
        token = self.token(node)
        own: list[str] = [token, "{"]
        summary: list[str] = [token]
        face: list[str] = [token]
        nodes: list[Any] = []
        fields = self.fields(node) if seen is None else seen[1]
        flat = (str, int, float, bool, type(None))
        encode = self._encode
        hidden = LIST_HIDDEN if isinstance(node, Content) else frozenset()
        for key in sorted(fields):  # vars() keys: all str, which _keys sorts the same way
            value = fields[key]
            own.append(repr(key))
            # A hidden field still counts in the shallow digest and the face: into a scratch
            # list for the summary, which is dropped.
            listed = summary if key not in hidden else []
            listed.append(key)
            kind = type(value)
            if kind is str:  # the commonest field, inline
                face.append(key)
                own.append(f"s{len(value)}:")
                own.append(value)
                listed += own[-2:]
                face += own[-2:]
                continue
            piece: list[str] = []
            if kind is dict:  # Pelican's metadata
                self._dict_field(key, value, own, listed, face, nodes, hidden)
                continue
            if kind is list or kind is tuple:
                if self._sequence(value, piece, nodes, 1):
                    listed += piece
                else:
                    listed.append(f"#{len(value)}")
                own += piece
                continue
            encode(value, piece, nodes, 1)
            own += piece
            if isinstance(value, flat) or hasattr(value, "isoformat") or self.is_node(value):
                listed += piece
                face.append(key)
                face += piece
            elif isinstance(value, (list, tuple, set, frozenset)):
                if all(isinstance(x, flat) or self.is_node(x) for x in value):
                    listed += piece
                else:
                    listed.append(f"#{len(value)}")
            elif isinstance(value, dict):
                self._summarise({k: v for k, v in value.items() if k not in hidden}, listed, 0)
                self._face_fields(fields, face, key)
            else:
                listed.append(type(value).__name__)
        own.append("}")
        entry = (node, self._digest(own), nodes, self._digest(summary),
                 self._digest(face) if seen is None else seen[2])
        self._shallow[id(node)] = entry
        return entry

    @staticmethod
    def _hex(cache: dict[int, str], digest: Any, node: Any) -> str:
        """``digest(node).hex()``, kept in ``cache`` by the node's identity: a story is on
        dozens of lists, an entity a neighbour of every story naming it.  (The node is kept
        alive by the memo ``digest`` fills, so its id is not reused within a build.)"""
        hit = cache.get(id(node))
        if hit is None:
            hit = cache[id(node)] = digest(node).hex()
        return hit

    def _summarise(self, obj: Any, out: list[str], level: int) -> None:
        flat = (str, int, float, bool, type(None))
        if isinstance(obj, flat) or hasattr(obj, "isoformat") or self.is_node(obj):
            self._encode(obj, out, None)
        elif isinstance(obj, (list, tuple, set, frozenset)) and all(
            isinstance(x, flat) or self.is_node(x) for x in obj
        ):
            self._encode(obj, out, None)
        elif isinstance(obj, dict) and level == 0:
            out.append("{")
            for key in self._keys(obj):
                if key not in self.EXCLUDED:
                    out.append(repr(key))
                    self._summarise(obj[key], out, level + 1)
            out.append("}")
        elif isinstance(obj, (list, tuple, dict, set, frozenset)):
            out.append(f"#{len(obj)}")
        else:
            out.append(type(obj).__name__)

    def deep(self, node: Any) -> bytes:
        """A node's own fields plus the face (own scalar fields) of every node it points at."""
        hit = self._deep.get(id(node))
        if hit is not None:
            return hit[1]
        parts = [self.shallow(node).hex()]
        parts += [self._hex(self._face_hexes, self.face, n) for n in self.neighbours(node)]
        digest = self._digest(parts)
        self._deep[id(node)] = (node, digest)
        return digest

    def value(self, obj: Any, depth: int = 0) -> bytes:
        """A template variable.  The page's own subject (``article``, ``tag``, ``entity``) goes
        deep: its fields and its neighbours' faces (an article page shows its entities'
        names and links).  Lists and plain objects (``articles``,
        ``articles_page``) are opened, and each node in them counts by its ``summary``:
        a list item shows its title, dek, date and source, and names of its tags, not
        the lists of its neighbours.  (So adding one story to "United States" does not
        re-render every page that lists any story mentioning the United States.)"""
        if isinstance(obj, str):  # most template variables are settings: no list, no recursion
            return hashlib.blake2b(obj.encode("utf-8", "surrogatepass"), digest_size=16, person=b"s").digest()
        if self.is_node(obj):
            return self.deep(obj)
        if isinstance(obj, (list, tuple, dict, set, frozenset)) or (
            hasattr(obj, "__dict__") and not callable(obj) and depth < 8
        ):
            hit = self._values.get(id(obj))
            if hit is not None:
                return hit[1]
            if type(obj) is list and obj and all(self._is_node_kind(type(x)) for x in obj):
                # A list of stories (or tags, entities): by far the commonest variable, and
                # each item's summary already names it, so no separate token per item.
                parts = [f"L{len(obj)}"] + [self._hex(self._summary_hexes, self.summary, n) for n in obj]
                digest = self._digest(parts)
                self._values[id(obj)] = (obj, digest)
                return digest
            out: list[str] = []
            nodes: list[Any] = []
            self._open.add(id(obj))
            try:
                self._encode(obj, out, nodes, 0, by_digest=True)
            finally:
                self._open.discard(id(obj))
            out += [self._hex(self._summary_hexes, self.summary, n) for n in nodes]
            digest = self._digest(out)
            self._values[id(obj)] = (obj, digest)
            return digest
        out = []
        self._encode(obj, out, None)
        return self._digest(out)


    def prime(self, context: dict[str, Any]) -> None:
        """Digest everything the shared context reaches, before the first page is rendered.

        Rendering changes objects as a side effect (properties that cache what they
        computed, plugins that annotate during writing), and a build that skips pages
        skips those changes too.  Digests taken before any rendering see the same state
        in every build, so an unchanged page gets the same digest whether or not the
        pages written before it were rendered.
        """
        for key, value in context.items():
            if not key.isupper():
                self.value(value)
        for entry in list(self._shallow.values()):  # every node the context reaches
            self.deep(entry[0])  # and everything one step from each of them (digested with it)

