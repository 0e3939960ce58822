"""The plugin's pipeline is one table (``news_archive.pipeline``), and its docstring is true.

The package docstring is the pipeline at a glance: it must name exactly the signals the
table connects, in the table's order, and the receivers must be connected in that order
(a signal calls its receivers in the order they were connected).
"""

from __future__ import annotations

import re
import sys
import weakref

import news_archive
from pelican import signals


def _docstring_signals() -> list[str]:
    names = []
    for line in (news_archive.__doc__ or "").splitlines():
        for word in re.findall(r"^ {4}([a-z_]+(?: / [a-z_]+)*)", line):
            names += [w for w in word.split(" / ") if isinstance(getattr(signals, w, None), signals.Signal)]
    return names


def test_the_docstring_names_the_connected_signals_in_order() -> None:
    table = list(dict.fromkeys(name for name, _ in news_archive.pipeline()))
    assert _docstring_signals() == table
    assert "report" not in " ".join(
        line for line in (news_archive.__doc__ or "").splitlines() if line.startswith("    finalized"))


def test_every_receiver_is_a_module_level_function() -> None:
    """Pelican's signals hold weak references: a closure or a lambda would be collected."""
    for name, receiver in news_archive.pipeline():
        module = sys.modules[receiver.__module__]
        assert getattr(module, receiver.__name__, None) is receiver, (name, receiver)


def test_register_connects_the_table_in_its_order() -> None:
    news_archive.register()
    for name in dict.fromkeys(n for n, _ in news_archive.pipeline()):
        ours = [r for n, r in news_archive.pipeline() if n == name]
        refs = getattr(signals, name).receivers.values()
        connected = [ref() if isinstance(ref, weakref.ref) else ref for ref in refs]
        assert [r for r in connected if r in ours] == list(dict.fromkeys(ours)), name
