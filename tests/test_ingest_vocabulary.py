"""The name vocabulary has one home: ``ingest/data/names.toml``, read once by ``ingest/vocabulary.py``.

Particles ("van", "bin", "dos"), titles ("Lord", "Baroness", "Lt. Gen.") and the other
word lists were copied into several modules, and the copies drifted: a byline "By Juan
del Castillo" was no byline because one copy lacked "del".  Every reader of names now
takes them from the one file, and a copy that appears again fails here.
"""

from __future__ import annotations

import re

from conftest import ROOT
from news_archive.enrich.names import _HONORIFIC_RE, PARTICLE_KEYS, split_honorific, trim_span
from news_archive.ingest.fields import parse_byline
from news_archive.ingest.vocabulary import WORDS

PLUGIN = ROOT / "plugins" / "news_archive"
# Words only a list of name vocabulary holds together.
MARKERS = [('"van"', '"bin"'), ('"baroness"', '"viscount"'), ('"mullah"', '"ayatollah"'), ('"reporter"', '"columnist"')]


def test_no_module_holds_a_copy_of_the_name_vocabulary():
    for path in sorted(PLUGIN.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for words in MARKERS:
            assert not all(w in source for w in words), f"{path.relative_to(ROOT)} holds a copy of {words}"


def test_every_particle_is_a_particle_of_bylines_and_author_credits():
    for particle in ("del", "dos", "ibn", "ter", "des"):
        assert particle in WORDS.particles
    assert parse_byline("By Juan del Castillo and Maria dos Santos") == (["Juan del Castillo", "Maria dos Santos"], "")


def test_entity_names_take_only_the_particles_that_are_no_everyday_words():
    """'das', 'zu', 'do' are particles in a credit ('Ana das Neves'), everyday words in running text."""
    assert WORDS.running_text_particles <= WORDS.particles
    assert WORDS.given_name_particles <= WORDS.particles
    assert not {"das", "zu", "do", "e"} & WORDS.running_text_particles
    assert trim_span("Apps zu installieren", 0, 20) == (0, 4)
    assert PARTICLE_KEYS.isdisjoint({"ben", "abu", "des", "della"})  # "Des Browne" is a given name


def test_titles_come_with_or_without_their_full_stops():
    for name, title in [("Lt. Gen. Mark Milley", "Lt. Gen."), ("Lt Gen Mark Milley", "Lt Gen"),
                        ("Baroness Scotland", "Baroness"), ("Dr. Chad", "Dr."), ("Qari Hekmat", "Qari")]:
        assert split_honorific(name)[0] == title, name
    assert WORDS.peerage <= WORDS.courtesy
    assert all(re.fullmatch(r"[a-z ]+", t) for t in WORDS.display_honorifics | WORDS.offices | WORDS.courtesy)
    assert _HONORIFIC_RE.match("Prime Minister Theresa May")
