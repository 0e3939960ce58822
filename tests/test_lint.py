"""The code base stays ruff-clean: `make test` fails on a lint error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    targets = [p for p in ("plugins", "tests", "bench", "pelicanconf.py", "publishconf.py") if (ROOT / p).exists()]
    proc = subprocess.run([str(ruff), "check", *targets], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
