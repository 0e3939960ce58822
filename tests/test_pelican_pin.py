"""The Pelican code this plugin replaces or copies is pinned to one Pelican release.

``pelican_overrides`` replaces Pelican's taxonomy and period-archive methods and copies
its writer's ``_open_w`` bookkeeping; those copies are right only for the Pelican they
were read from.  A different Pelican, or the same version number with other code,
fails here: read Pelican's new functions, port the changes, then move the pin.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect

import pelican
import pytest
from news_archive import pelican_overrides


def _source_digest(dotted: str) -> str:
    module, cls, func = dotted.rsplit(".", 2)
    obj = getattr(getattr(importlib.import_module(module), cls), func)
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def test_the_installed_pelican_is_the_pinned_one() -> None:
    assert pelican.__version__ == pelican_overrides.PINNED_PELICAN, (
        f"Pelican {pelican.__version__} is installed; news_archive.pelican_overrides copies "
        f"Pelican {pelican_overrides.PINNED_PELICAN}'s code: re-read it before moving the pin")


@pytest.mark.parametrize("dotted", sorted(pelican_overrides.OVERRIDDEN))
def test_each_overridden_pelican_function_is_the_code_that_was_copied(dotted: str) -> None:
    assert _source_digest(dotted) == pelican_overrides.OVERRIDDEN[dotted], (
        f"{dotted} is not the code news_archive.pelican_overrides replaces or copies")


def test_a_changed_source_is_noticed() -> None:
    """The check itself can fail: the digest of another function is not the pinned one."""
    pinned = pelican_overrides.OVERRIDDEN["pelican.writers.Writer._open_w"]
    assert _source_digest("pelican.writers.Writer.write_file") != pinned
