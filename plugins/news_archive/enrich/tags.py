"""Tags: a story's topical keyphrases, normalised across the archive.

A tag is only useful if it groups stories, so keyphrases are scored across the
archive (TF-IDF over lower-case phrases of one or two content words, shared phrases
preferred) rather than per story: per-story extractors (YAKE costs ~40 ms a story)
give every story its own unique phrases, and tag pages of one story each.  Capitalised
words are left to NER, which knows which of them are names, and names are never tags:
an entity has its own page, and a tag page listing the same stories under the same
name would be a second index of it ("Tony Blair" was both, with 73 and 155 stories).

A tag exists to gather stories, so: two-word phrases are preferred to single words, a
single word must be central to its story (said three times, the headline counting
double) and recur in the archive, and a tag that ends up on one story only is traded,
in a second pass, for one that other stories share (see :func:`assign_all`).

Normalisation: case (keyphrases lower-case, entity tags as their canonical name),
plurals (``airstrikes`` = ``airstrike``: the commoner spelling in the archive wins),
stop phrases, and the maintainer vocabulary (``content/tags.toml``: ``[map]`` one tag to
another, ``[forbid]`` tags never to use).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..fileio import read_json, write_atomic
from ..story import Story
from .memo import code_digest, digest, package_version

# Bump when what phrases() finds changes (any edit to this file invalidates the cache too).
PHRASES_VERSION = "3"  # 2: hyphenated words keyed as one word; 3: per-story word contexts
PHRASE_CACHE = "phrases.json"

# Words that carry no topic in news copy, on top of spaCy's English stop words.
NEWS_STOP = {
    "said", "says", "say", "told", "tell", "added", "according", "year", "years", "month", "months",
    "week", "weeks", "day", "days", "time", "times", "people", "would", "could", "also", "last",
    "first", "new", "news", "including", "many", "much", "like", "made", "make", "makes", "going",
    "just", "still", "want", "wants", "need", "needs", "think", "expected", "believe",
    "statement", "recent", "previously", "number", "part", "percent", "cent", "way", "thing", "things",
    "lot", "set", "sets", "come", "came", "comes", "take", "took", "taken", "asked", "called",
    "know", "known", "saying", "reported", "report", "reports", "earlier", "later",
    "early", "late", "big", "high", "low", "long", "good", "well", "major", "key", "following",
    "able", "given", "used", "use", "left", "right", "seen", "great", "second",
    "third", "end", "since", "despite", "among", "whether", "however", "although", "another",
    "spokesman", "spokeswoman", "official", "officials", "chief", "head", "comment", "comments",
    "million", "billion", "bn", "story", "stories", "mr", "mrs", "ms", "dr",
}
# Adjectives common in news copy that say nothing on their own as a tag.
NOT_TOPICS = {"best", "global", "unified", "former", "general", "public", "national", "political", "likely",
              "several", "whole", "current", "possible", "important", "three", "four", "five", "minute",
              # roles and containers: true of almost every story, a topic of none
              "president", "minister", "secretary", "leader", "member", "members", "nation", "nations",
              "country", "countries", "district", "province", "call", "calls", "cost", "costs", "figure",
              "figures", "group", "groups", "campaigner", "business", "issue", "issues",
              # nouns of every kind of story: they gather stories that have nothing else in common
              "firm", "firms", "company", "companies", "plans", "plan", "claims", "claim", "deal", "deals",
              "work", "offer", "case", "record", "return", "share", "shares", "service", "services", "title",
              "users", "play", "players", "team", "side", "season", "race", "final", "move", "change", "changes",
              "decision", "step", "level", "levels", "rise", "fall", "news", "reason", "view", "idea",
              "stance", "fighters", "accept", "felt", "future", "period", "points", "point", "result", "results",
              "chance", "problem", "problems", "support", "action", "role", "place", "area", "areas", "system",
              "world", "life", "money", "price", "prices", "rate", "rates", "number", "numbers",
              "talks", "report", "review", "order", "orders", "bid", "bids", "customers",
              # when and where anything happens, and verbs that read like nouns ("appears", "fell"):
              # a tag of these gathers every kind of story
              "hours", "hour", "minutes", "night", "nights", "morning", "evening", "afternoon", "weekend",
              "today", "yesterday", "tonight", "moment", "appears", "appear", "fell", "rose", "began", "went",
              "goes", "gets", "seems", "became", "shows", "images", "image", "photos", "photo", "pictures",
              "scene", "board", "dead", "city", "town", "home", "house", "family", "families", "friends", "top",
              "line", "front", "inside", "outside", "close", "open", "week", "half", "little"}
# The word before a single word says whether the archive uses it as a verb or as a noun:
# "he felt", "it appears", "will accept", "to return" against "the launch", "a release".
# A word used after these at least as often as after a determiner is verb-like (see
# :func:`verb_like`): a tag of it gathers stories that have nothing in common ("accept").
VERBAL_BEFORE = frozenset({
    "i", "you", "he", "she", "it", "we", "they", "who",
    "will", "would", "can", "could", "may", "might", "must", "shall", "should", "to",
})
NOMINAL_BEFORE = frozenset({
    "the", "a", "an", "this", "these", "those", "his", "its", "their", "our", "my", "your",
    "some", "any", "no", "every", "each",
})
_BEFORE = VERBAL_BEFORE | NOMINAL_BEFORE
_QUOTES = ",.;:!?\"'()[]\u201c\u201d\u2018\u2019"  # stripped from the pair's words ("He felt", "the launch.")
VERB_LIKE_MIN = 3  # verbal uses in the archive before a word can be judged verb-like
VERB_LIKE_RATIO = 2  # …and as many times its uses after a determiner: "launch" (54 / 45) stays a topic


def _verbal_after(before: str, word: str) -> bool:
    """Is ``word`` after ``before`` used as a verb?  After "to", not a plural ("to investors",
    "to profits": a verb after "to" has its bare form; "to discuss", "to focus" keep theirs)."""
    if before != "to":
        return before in VERBAL_BEFORE
    return not (word.endswith("s") and not word.endswith(("ss", "us", "is")))
# Words are runs of letters in any script ("Zürich" is one word, not "Z" + "rich").
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-])*[^\W\d_]|[^\W\d_]|\S")


def _stopwords() -> set[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return set(STOP_WORDS) | NEWS_STOP


@lru_cache(maxsize=1 << 17)
def singular(word: str) -> str:
    """A cheap English singular for tag keys: airstrikes → airstrike, policies → policy."""
    if len(word) <= 3 or word.endswith(("ss", "us", "is", "ics")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 18)  # phrases repeat across an archive
def tag_key(tag: str) -> str:
    """Tags that differ only in case, spacing, hyphens or plural are one tag ("pay-off" = "payoff")."""
    return " ".join(singular(w) for w in re.findall(r"[^\W_]+", _HYPHEN_RE.sub("", tag.casefold())))


_HYPHEN_RE = re.compile(r"(?<=[^\W\d_])[-\u2010\u2011](?=[^\W\d_])")


@dataclass
class Vocabulary:
    """The maintainer's tag file: ``[map]`` tag → tag, ``[forbid] tags = […]``."""

    mapping: dict[str, str] = field(default_factory=dict)
    forbidden: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None) -> Vocabulary:
        vocab = cls()
        if not path or not Path(path).is_file():
            return vocab
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        vocab.mapping = {tag_key(k): str(v) for k, v in data.get("map", {}).items()}
        forbid = data.get("forbid", {})
        vocab.forbidden = {tag_key(t) for t in (forbid.get("tags", []) if isinstance(forbid, dict) else forbid)}
        return vocab

    def apply(self, tag: str) -> str:
        """The tag to use instead ('' when forbidden)."""
        tag = self.mapping.get(tag_key(tag), tag)
        return "" if tag_key(tag) in self.forbidden else tag


def phrases(story: Story, stop: set[str], surfaces: dict[str, Counter[str]]) -> Counter[str]:
    """Lower-case phrases of one or two content words, by tag key (headline and dek count
    double); ``surfaces`` collects how each key is spelled, so tags read as written."""
    counts: Counter[str] = Counter()
    for weight, text in ((2, story.headline), (2, story.dek), *((1, p) for p in story.body)):
        run: list[str] = []
        for tok in [*_WORD_RE.findall(text or ""), "."]:
            word = tok.replace("\u2019", "'")
            if word.islower() and word not in stop and len(word) >= 4 and "'" not in word:
                run.append(word)
                grams = [word] + ([f"{run[-2]} {word}"] if len(run) >= 2 else [])
                for gram in grams:
                    k = tag_key(gram)
                    counts[k] += weight
                    surfaces[k][gram] += 1
            else:
                run = []
    return counts


def contexts(story: Story, keys: Mapping[str, int]) -> dict[str, list[int]]:
    """For each single word of ``keys`` (a story's :func:`phrases`), its uses in the story
    [after a pronoun, a modal or "to"; after a determiner] (:data:`VERBAL_BEFORE`,
    :data:`NOMINAL_BEFORE`), unweighted; words used after neither are left out."""
    out: dict[str, list[int]] = {}
    for text in (story.headline, story.dek, *story.body):
        toks = (text or "").split()
        # the pairs asked about, by whitespace and one comprehension: tokenising the story again
        # as phrases() does, and a loop over every token, made the tags of a new story 45 % dearer
        pairs = [(before, b.strip(_QUOTES)) for a, b in zip(toks, toks[1:], strict=False)
                 if b[:1].islower() and (before := a.lower().lstrip(_QUOTES)) in _BEFORE]
        for before, word in pairs:
            word = word.replace("\u2019", "'")
            if len(word) >= 4 and word.islower() and (before in NOMINAL_BEFORE or _verbal_after(before, word)):
                k = tag_key(word)
                if k in keys:
                    pair = out.setdefault(k, [0, 0])
                    pair[0 if before not in NOMINAL_BEFORE else 1] += 1
    return out


def _topical(phrase: str, count: int, verbal: frozenset[str] = frozenset()) -> bool:
    """Bigrams must recur; single words must be central to the story (three weighted uses:
    "accept" or "felt" said once tags nothing) and not look like verbs or adverbs."""
    if " " in phrase:
        return count >= 2
    return count >= SINGLE_MIN_COUNT and _plain_word(phrase, verbal)


def _plain_word(phrase: str, verbal: frozenset[str] = frozenset()) -> bool:
    """A single word that may be a topic at all: no verb or adverb look (its ending, or its
    uses in the archive: ``verbal``, :func:`verb_like`), no word of every story."""
    return not phrase.endswith(("ed", "ly")) and phrase not in NOT_TOPICS and phrase not in _not_topic_keys() \
        and phrase not in verbal


def verb_like(found: list[StoryPhrases]) -> frozenset[str]:
    """Single words the archive uses as verbs: after a pronoun, a modal or "to" at least twice
    as often as after a determiner (:data:`VERB_LIKE_RATIO`), and at least :data:`VERB_LIKE_MIN` times ("remains",
    "insists", "hopes", "warns").  A hand list of such words (:data:`NOT_TOPICS`) never
    ends: news copy has hundreds, and which ones an archive uses is the archive's; while a
    topical noun that is also a verb ("launch", "release", "strike") is used after a
    determiner far more often than after "it" or "to"."""
    verbal: Counter[str] = Counter()
    nominal: Counter[str] = Counter()
    for f in found:
        for k, (v, d) in f.contexts.items():
            verbal[k] += v
            nominal[k] += d
    return frozenset(k for k, v in verbal.items() if v >= VERB_LIKE_MIN and v >= VERB_LIKE_RATIO * nominal[k])


MODIFIER_MIN = 10  # weighted uses in the archive before a word can be judged a modifier
MODIFIER_SHARE = 0.7  # of them right before another content word: "economic" (0.96), "legal" (0.88)


def modifier_like(found: list[StoryPhrases]) -> frozenset[str]:
    """Single words the archive writes before another content word in :data:`MODIFIER_SHARE`
    of their uses (and :data:`MODIFIER_MIN` uses at least): adjectives that say what kind of
    thing a story is about, never the thing ("economic growth", "economic data", "economic
    reform"; "legal action", "legal fees").  As a tag on their own they gathered stories that
    share only a word: "economic" tagged 22 BBC stories about growth, debt, the G7 and oil.
    The two-word phrases they start stay tags.  The archive's own counts decide, not a word
    list: on the BBC archive "economic", "financial", "legal", "local" and "international"
    qualify, while nouns that often modify another ("music" 0.47, "computer" 0.48, "video"
    0.65: "video games") and the words a verb may follow ("online" 0.54) stay topics."""
    alone: Counter[str] = Counter()
    before: Counter[str] = Counter()
    for f in found:
        for k, c in f.counts.items():
            first, space, _ = k.partition(" ")
            if space:
                before[first] += c
            else:
                alone[k] += c
    return frozenset(k for k, n in alone.items() if n >= MODIFIER_MIN and before[k] >= MODIFIER_SHARE * n)


@lru_cache(maxsize=1)
def _not_topic_keys() -> frozenset[str]:
    return frozenset(tag_key(w) for w in NOT_TOPICS)


SINGLE_MIN_COUNT = 3  # weighted uses in a story before a single word can tag it
SHARE_ROUNDS = 3  # passes that trade a tag of one story for a shared one
# Below this many stories, phrases are not required to recur and no tag is traded: sharing
# means little in a handful of stories, and there one new story would retag the others.
SHARE_MIN_STORIES = 50


@dataclass
class StoryPhrases:
    """What :func:`phrases` found in one story, in a form that can be cached and merged.

    ``counts`` is its result; the spellings it collected are split in two because
    almost every key is only ever written as itself: ``plain`` says how often such a
    key occurred, ``spellings`` holds the others (``airstrike`` ← ``airstrikes``) with
    their counts, in the order first seen (a tie between spellings goes to the first).
    ``contexts`` holds the story's verbal and nominal uses of single words (:func:`phrases`),
    which the archive adds up (:func:`verb_like`).
    """

    counts: dict[str, int]
    spellings: dict[str, dict[str, int]]
    plain: dict[str, int]
    contexts: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, story: Story, stop: set[str]) -> StoryPhrases:
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        counts = phrases(story, stop, surfaces)
        spellings: dict[str, dict[str, int]] = {}
        plain: dict[str, int] = {}
        for k, grams in surfaces.items():
            if len(grams) == 1 and k in grams:
                plain[k] = grams[k]
            else:
                spellings[k] = dict(grams)
        return cls(dict(counts), spellings, plain, contexts(story, counts))

    def to_json(self) -> list[dict[str, Any]]:
        return [self.counts, self.spellings, self.plain, self.contexts]

    @classmethod
    def from_json(cls, data: Any) -> StoryPhrases | None:
        """None for anything but what :meth:`to_json` wrote (a damaged cache entry)."""
        if not isinstance(data, list) or len(data) != 4 or not all(isinstance(d, dict) for d in data):
            return None
        counts, spellings, plain, contexts = data
        if counts.keys() != spellings.keys() | plain.keys() or not all(
                isinstance(c, list) and len(c) == 2 and all(isinstance(n, int) for n in c) for c in contexts.values()):
            return None
        return cls(counts, spellings, plain, contexts)


def spellings_of(found: list[StoryPhrases]) -> dict[str, str]:
    """Tag key → its commonest spelling in the archive, first seen winning a tie.

    Gives the same answer as adding up every story's spellings in one Counter per key, but
    only for keys written otherwise than themselves somewhere (any other key is spelled as
    itself), which skips most of the work.
    """
    mixed: set[str] = set().union(*(f.spellings for f in found))
    totals: dict[str, dict[str, int]] = {}
    for f in found:
        for k in f.counts.keys() & mixed:  # the order of keys is free; that of spellings is kept
            acc = totals.setdefault(k, {})
            for gram, n in (f.spellings.get(k) or {k: f.plain[k]}).items():
                acc[gram] = acc.get(gram, 0) + n
    return {k: max(acc.items(), key=itemgetter(1))[0] for k, acc in totals.items()}


def _phrases_fingerprint() -> str:
    """What every cached :class:`StoryPhrases` depends on besides its story: this code and
    spaCy's stop words (which change only with spaCy's version; importing spaCy to hash
    them would cost half a second a build)."""
    return digest(PHRASES_VERSION, code_digest(__file__), package_version("spacy"))


def _story_key(story: Story) -> str:
    """Hash of exactly what :func:`phrases` reads."""
    text = json.dumps([story.headline, story.dek, story.body], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PhraseCache:
    """Each story's :class:`StoryPhrases` in ``<cache>/phrases.json``, by :func:`_story_key`.

    Tokenising every story (and importing spaCy for its stop words) was most of the tag
    step of a build; now only new and changed stories are tokenised.  The archive-wide
    part (document frequencies, spellings, picking) still runs every build: it is cheap,
    and it is what changes when any story does.

    The file is one JSON object with one story's entry per line (:func:`_phrase_lines`), so
    each entry is kept as the text it was read as, and a build that tokenises one story
    writes the file again by joining the other 1,999 entries' lines, not by encoding them
    all again (re-encoding the whole ~8 MB was ~0.45 CPU-s of every incremental build and
    watch cycle at 2,000 stories).  A file in any other layout is read as plain JSON.
    """

    def __init__(self, cache_dir: str | Path | None, kept: dict[str, Any] | None = None) -> None:
        self.path = Path(cache_dir) / PHRASE_CACHE if cache_dir else None
        # In a watch session (``Build.kept``): the last cycle's phrases, decoded, by story key,
        # under "version"/"stories", and each one's line of the file under "encoded"; its next
        # cycle neither reads nor parses the file again.
        self.kept = kept

    def _load(self, version: str) -> dict[str, str]:
        """Each stored story's entry as JSON text, by story key ({} for another version)."""
        if not self.path:
            return {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return {}
        lines = _phrase_lines(text, version)
        if lines is not None:
            return lines
        data = read_json(self.path)  # another layout (an older build's, or written by hand)
        if not isinstance(data, dict) or data.get("version") != version or not isinstance(data.get("stories"), dict):
            return {}
        return {str(k): _dumps(v) for k, v in data["stories"].items()}

    def phrases_of(self, stories: list[Story]) -> list[StoryPhrases]:
        """:class:`StoryPhrases` per story, from the cache where possible; updates the cache
        (and the session's memo: only this build's stories)."""
        version = _phrases_fingerprint()
        kept = self.kept
        fresh = kept is not None and kept.get("version") == version and isinstance(kept.get("encoded"), dict)
        decoded: dict[str, StoryPhrases] = kept["stories"] if fresh and kept is not None else {}
        encoded: dict[str, str] = kept["encoded"] if fresh and kept is not None else self._load(version)
        keys = [_story_key(s) for s in stories]
        stop: set[str] | None = None
        found: list[StoryPhrases] = []
        lines: dict[str, str] = {}  # this build's entries, in archive order, once per key
        missed = False
        for story, k in zip(stories, keys, strict=True):
            hit = decoded.get(k)
            if hit is None and k in encoded:
                hit = _decode(encoded[k])
            if hit is None:
                stop = stop if stop is not None else _stopwords()  # spaCy is imported only now
                hit = StoryPhrases.of(story, stop)
                lines[k] = _dumps(hit.to_json())
                missed = True
            elif k not in lines:
                lines[k] = encoded[k] if k in encoded else _dumps(hit.to_json())
            found.append(hit)
        if self.path and (missed or encoded.keys() != lines.keys()):
            write_atomic(self.path, _phrase_file(version, lines))
        if kept is not None:
            kept.clear()
            kept.update(version=version, stories=dict(zip(keys, found, strict=True)), encoded=lines)
        return found


_PHRASES_END = "}}"


def _phrase_header(version: str) -> str:
    return '{"version":' + json.dumps(version) + ',"stories":{'


def _phrase_file(version: str, lines: dict[str, str]) -> str:
    """The cache file: a JSON object, a header line, one ``"key":entry`` line per story, a last line."""
    body = ",\n".join(f'"{k}":{text}' for k, text in lines.items())
    return "\n".join([_phrase_header(version), *([body] if body else []), _PHRASES_END]) + "\n"


def _phrase_lines(text: str, version: str) -> dict[str, str] | None:
    """Each entry's JSON text by story key, from a file :func:`_phrase_file` wrote (None: not
    that layout; {}: another version).  An entry is decoded only when its story is asked for."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 2 or lines[-1] != _PHRASES_END or not lines[0].startswith('{"version":'):
        return None
    if lines[0] != _phrase_header(version):
        return {} if lines[0].endswith(',"stories":{') else None
    out: dict[str, str] = {}
    last = len(lines) - 2
    for i, line in enumerate(lines[1:-1], 1):
        cut = line.find('":')
        entry = line[cut + 2:] if i == last else line[cut + 2:-1]
        key = line[1:cut]
        if cut < 2 or line[0] != '"' or '"' in key or "\\" in key or (i != last and not line.endswith(",")):
            return None
        out[key] = entry
    return out


def _decode(text: str) -> StoryPhrases | None:
    """One stored entry, or None when it is damaged (the story is tokenised again)."""
    try:
        return StoryPhrases.from_json(json.loads(text))
    except ValueError:
        return None


def _dumps(data: Any) -> str:
    """One entry as the cache file holds it: one line (JSON escapes every newline in a string)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def assign_all(
    stories: list[Story], min_tags: int = 3, max_tags: int = 8, vocabulary: Vocabulary | None = None,
    cache_dir: str | Path | None = None, kept: dict[str, Any] | None = None,
) -> None:
    """Give every story up to ``max_tags`` tags (``min_tags`` where it has the phrases),
    scoring keyphrases against the whole archive (linear).

    Two passes: the first picks each story's best phrases; the second replaces, in the
    stories that got one, every tag that no other story got by the best phrase that
    other stories do share, so that tags group stories; a tag still of one story is then
    dropped where the story has a shared one (:func:`_drop_lone`).  No tag is an entity's name.
    With ``cache_dir``, each story's phrases come from :class:`PhraseCache` when its text
    is unchanged (``kept``: a watch session's memo of them); the tags are the same either way.
    """
    vocab = vocabulary or Vocabulary()
    found = PhraseCache(cache_dir, kept).phrases_of(stories)
    spelled = spellings_of(found)
    # words that are no topic on their own in this archive: its verbs and its modifiers
    verbal = verb_like(found) | modifier_like(found)
    df: Counter[str] = Counter()
    for f in found:
        df.update(f.counts.keys())
    names = {tag_key(e.name) for s in stories for e in s.entities}
    names |= {tag_key(a) for s in stories for e in s.entities for a in e.aliases}
    n = len(stories)
    ranks = [_ranked(f.counts, df, n, verbal) for f in found]
    picked = [_pick(f.counts, df, n, min_tags, max_tags, vocab, spelled, names, verbal=verbal, order=r)
              for f, r in zip(found, ranks, strict=True)]
    uses = Counter(tag_key(t) for tags in picked for t in tags)
    rounds = SHARE_ROUNDS if n >= SHARE_MIN_STORIES else 0
    # The tags of two stories or more, kept up to date as ``uses`` changes: building the set
    # afresh for every story that has a lone tag made the rounds quadratic in the archive.
    shared = {k for k, c in uses.items() if c >= 2}

    def use(k: str, by: int) -> None:
        uses[k] += by
        if uses[k] >= 2:
            shared.add(k)
        else:
            shared.discard(k)

    for i, f in [(i, f) for _ in range(rounds) for i, f in enumerate(found)]:
        if any(uses[tag_key(t)] == 1 for t in picked[i]):
            again = _pick(f.counts, df, n, min_tags, max_tags, vocab, spelled, names, shared, verbal, ranks[i])
            if len(again) >= min(min_tags, len(picked[i])):
                for t in picked[i]:
                    use(tag_key(t), -1)
                for t in again:
                    use(tag_key(t), +1)
                picked[i] = again
    if rounds:
        picked = [_drop_lone(tags, uses) for tags in picked]
    for story, tags in zip(stories, picked, strict=True):
        story.tags = tags


def _drop_lone(tags: list[str], uses: Counter[str]) -> list[str]:
    """Without the tags no other story got, when the story keeps one that others share: in an
    archive large enough for sharing (SHARE_MIN_STORIES), a tag page of one story gathers
    nothing, and the sharing rounds found no shared phrase to put in its place.  A story
    that shares no tag keeps its best one (it stays findable by topic)."""
    kept = [t for t in tags if uses[tag_key(t)] >= 2]
    return kept if kept else tags[:1]


def _scorer(counts: Mapping[str, int], df: Counter[str], n: int) -> Any:
    """A phrase's score in a story: its weighted count, by its rarity in the archive."""
    small = n < SHARE_MIN_STORIES

    def score(phrase: str) -> float:
        # Below SHARE_MIN_STORIES document frequencies are noise: a story's own counts decide,
        # and a story added or removed retags no other.  Rounded, so that one story more or
        # less in a large archive (n) reorders no near-tie.
        idf = 1.0 if small else round(math.log((n + 1) / (df[phrase] + 1)) + 1, 1)
        recurs = 1.5 if df[phrase] >= 2 and not small else 1.0
        bigram = 2.0 if " " in phrase else 1.0
        return counts[phrase] * idf * recurs * bigram

    return score


def _ranked(counts: Mapping[str, int], df: Counter[str], n: int, verbal: frozenset[str]) -> list[str]:
    """A story's topical phrases, best first (ties by the phrase): what :func:`_pick` goes
    through.  The same in every round of :func:`assign_all` (the counts, document
    frequencies and verb-like words do not change between them), so it is ranked once."""
    small = n < SHARE_MIN_STORIES
    score = _scorer(counts, df, n)
    return sorted((p for p, c in counts.items() if _topical(p, c, verbal) and (df[p] >= 2 or small)),
                  key=lambda p: (-score(p), p))


def _pick(
    counts: Mapping[str, int], df: Counter[str], n: int, min_tags: int, max_tags: int,
    vocab: Vocabulary, spelled: dict[str, str], names: set[str], shared: set[str] | None = None,
    verbal: frozenset[str] = frozenset(), order: list[str] | None = None,
) -> list[str]:
    """A story's tags: its best-scoring topical phrases that are no entity's name; with
    ``shared``, phrases in it first (then others, only to reach ``min_tags``).  ``order``:
    the story's :func:`_ranked` phrases, when the caller has them already."""
    tags: list[str] = []
    keys: dict[str, str] = {}  # tag key → tag

    def add(tag: str) -> None:
        tag = vocab.apply(tag.replace(";", ",").replace(",", " ").strip())
        k = tag_key(tag)
        if not tag or not k or k in keys or k in names:
            return
        words = set(k.split())
        for other in [o for o in keys if set(o.split()) < words]:  # "orders" → "control orders"
            tags.remove(keys.pop(other))
        if len(tags) < max_tags:
            tags.append(tag)
            keys[k] = tag

    small = n < SHARE_MIN_STORIES
    score = _scorer(counts, df, n)
    ranked = _ranked(counts, df, n, verbal) if order is None else order
    if shared is not None:
        ranked = [p for p in ranked if tag_key(vocab.apply(spelled.get(p, p))) in shared] + \
                 [p for p in ranked if tag_key(vocab.apply(spelled.get(p, p))) not in shared]
    want = max(min_tags, min(max_tags, 5))
    for phrase in ranked:
        if len(tags) >= want or (shared is not None and len(tags) >= min_tags
                                 and tag_key(vocab.apply(spelled.get(phrase, phrase))) not in shared):
            break
        words_in_tags = {w for k in keys for w in k.split()}
        if set(phrase.split()) <= words_in_tags:
            continue  # "budget" when "budget deficit" is already a tag
        add(spelled.get(phrase, phrase))
    if len(tags) < min_tags:  # a short story: any phrase of it that could be a topic and that other
        rest = sorted((p for p in counts if p not in ranked and (" " in p or _plain_word(p, verbal))  # stories have
                       and (df[p] >= 2 or small or not tags)),
                      key=lambda p: (shared is not None and tag_key(vocab.apply(spelled.get(p, p))) not in shared,
                                     df[p] < 2 and not small, -score(p), p))
        for phrase in rest:
            if len(tags) >= min_tags:
                break
            if not set(phrase.split()) <= {w for k in keys for w in k.split()}:
                add(spelled.get(phrase, phrase))
    return tags
