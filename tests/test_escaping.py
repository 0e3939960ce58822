"""Every character from a dump renders as the literal text it was: never as markup.

Two levels: the escaping rule itself (Markdown source rendered by Python-Markdown,
with and without the common extensions, gives back exactly the original text), and
a real build of a hostile dump whose pages, feeds and structured data are read back.
"""

from __future__ import annotations

import html
import json
import random
import re
from pathlib import Path

import markdown
import pytest
from conftest import Site, build_site
from news_archive.escape import markdown_text, metadata_value

HOSTILE_LINES = [
    "<script>alert('body')</script> opens the story.",
    "An image <img src=x onerror=alert('img')> sits here.",
    "A link [click me](javascript:alert('link')) and <a href=\"javascript:alert('a')\">anchor</a>.",
    "# Not a heading",
    "* not a bullet",
    "1. not a numbered list",
    "> not a quote",
    "Underscores _not emphasis_ and *stars* and `code` and a trailing backslash \\",
    "An autolink <https://evil.example/> and entities &amp; &lt;b&gt; stay literal.",
    "![pixel](https://tracker.example/p.png) is not an image.",
    "| a | table | row |",
    ": not a definition",
    "--- not a rule",
    "+ not a list either",
]


@pytest.mark.parametrize("extensions", [[], ["extra"], ["tables", "def_list", "abbr", "attr_list", "smarty"]])
@pytest.mark.parametrize("line", HOSTILE_LINES)
def test_escaped_markdown_renders_the_literal_text(line: str, extensions: list[str]):
    rendered = markdown.markdown(markdown_text(line), extensions=extensions)
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    inner = rendered[3:-4]
    assert "<" not in inner  # no element of any kind
    text = html.unescape(inner)
    if "smarty" in extensions:  # smarty may curl quotes and dashes, never add markup
        return
    assert text == line


# Markdown's special characters and the fragments it acts on, for seeded random strings.
FUZZ_ALPHABET = list("\\`*_{}[]()#+-.!<>&|:~=\"' ^%@$") + [
    "1", "2", "a", " ", "    ", "\t", "1.", "---", "***", "http://x.y/", "javascript:", "&amp;", "&#60;", "<script>",
]
EXTENSION_SETS = [[], ["extra"], ["tables", "def_list", "abbr", "attr_list", "footnotes", "md_in_html",
                                  "fenced_code", "admonition", "sane_lists", "wikilinks", "toc"]]


def test_random_strings_of_special_characters_render_literally():
    rng = random.Random(20191119)
    for _ in range(600):
        line = "".join(rng.choice(FUZZ_ALPHABET) for _ in range(rng.randint(1, 14)))
        expected = " ".join(line.split())
        if not expected:
            continue
        source = markdown_text(line)
        for extensions in EXTENSION_SETS:
            rendered = markdown.markdown(source, extensions=extensions)
            assert rendered.startswith("<p>") and rendered.endswith("</p>"), (line, extensions, rendered)
            assert "<" not in rendered[3:-4], (line, extensions, rendered)
            assert html.unescape(rendered[3:-4]) == expected, (line, extensions, rendered)


def _markdown_text_by_expressions(text: str) -> str:
    """The escaping as first written, one regular expression per rule: the definition the
    one-table version (``markdown_text``) must keep, character for character."""
    text = re.sub(r"\s+", " ", text).strip()
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*_{}\[\]])", r"\\\1", text)
    text = re.sub(r"^(\d+)\.(?=\s|$)|^([#+\-])", lambda m: f"{m.group(1)}\\." if m.group(1) else f"\\{m.group(2)}",
                  text)
    return re.sub(r"[|~]|^:", lambda m: {"|": "&#124;", ":": "&#58;", "~": "&#126;"}[m.group(0)], text)


def test_escaping_is_the_rules_one_expression_each():
    """Every whitespace character Python knows, the special characters, digits of other
    scripts and a few letters, in seeded random lines: the same text as the rules applied
    one regular expression at a time, and metadata values collapse as ``\\s+`` does."""
    spaces = [chr(c) for c in range(0x3000 + 1) if chr(c).isspace()]
    assert spaces == [chr(c) for c in range(0x3000 + 1) if re.fullmatch(r"\s", chr(c))]
    alphabet = list("\\`*_{}[]|~:#+-.1234567890<>&;()!ab") + spaces + ["²", "٣", "１", "é"]
    rng = random.Random(20261203)
    for _ in range(20_000):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        if rng.random() < 0.3:
            line = rng.choice(["1.", "12. ", ":", "#", "- ", "+", " :", "٣. ", "1:"]) + line
        assert markdown_text(line) == _markdown_text_by_expressions(line), line
        assert metadata_value(line) == re.sub(r"\s+", " ", line).strip().replace(";", ","), line


def test_ordinary_news_text_needs_no_escapes():
    text = "U.S. forces (AFP) said 3.5% of 1,200 troops left - not all! The end."
    assert markdown_text(text) == text
    assert markdown_text("1. not a list") == "1\\. not a list"
    assert markdown_text("# not a heading") == "\\# not a heading"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("hostile")
    dumps = root / "content" / "dumps"
    dumps.mkdir(parents=True)
    record = {
        "title": "Hostile <script>alert('t')</script> headline & co",
        "maintext": "\n".join(HOSTILE_LINES),
        "description": "Dek with <b>bold</b> markup",
        "authors": ["Eve <i>Hacker</i>"],
        "url": "javascript:alert('url')",
    }
    (dumps / "hostile.json").write_text(json.dumps(record), encoding="utf-8")
    scrape = ("Home News <img src=x onerror=alert(2)> Scraped headline\n\n"
              "<img src=x onerror=alert(2)> Scraped headline\n\n"
              "# A scraped paragraph that starts like a heading and goes on for a while.\n\n"
              "> A scraped paragraph that starts like a quote and has <b>tags</b> in it too.\n")
    (dumps / "scrape.txt").write_text(scrape, encoding="utf-8")
    return build_site(root, extra={"NEWS_ARCHIVE_NER": False, "NEWS_ARCHIVE_SEARCH_INDEX": False})


def _all_output(site: Site) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in site.output.rglob("*")
            if p.is_file() and p.suffix in (".html", ".xml", ".json")}


def test_no_markup_from_the_dumps_reaches_any_output_file(hostile_site: Site):
    files = _all_output(hostile_site)
    assert files
    for path, text in files.items():
        assert "<script>alert" not in text, path
        assert not re.search(r"<img[^>]*onerror", text), path
        assert not re.search(r"""<[a-z]+[^<>]*(href|src)=["']?javascript:""", text, re.I), path
        assert "<b>bold</b>" not in text and "<i>Hacker</i>" not in text, path
        assert "tracker.example/p.png\"" not in text, path


def test_article_body_shows_each_hostile_line_literally(hostile_site: Site):
    entry = next(e for e in hostile_site.report["dumps"] if e["path"] == "hostile.json")
    page = hostile_site.page(entry["url"])
    first, last = html.escape(HOSTILE_LINES[0], quote=False), html.escape(HOSTILE_LINES[-1], quote=False)
    body = page[page.index(first) - 3 : page.index(last) + len(last) + 4]
    paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", body, re.S)]
    assert paragraphs == HOSTILE_LINES  # one paragraph each, in order, literally
    for tag in ("<h", "<blockquote", "<ol", "<ul", "<em>", "<strong>", "<code>", "<hr", "<table", "<dl", "<a ",
                "<img", "<script"):
        assert tag not in body, tag
    head = html.unescape(page[: page.index("<h1")])
    assert "Hostile <script>alert('t')</script> headline & co" in head  # shown as text in <title>


def test_scrape_text_is_escaped_too(hostile_site: Site):
    entry = next(e for e in hostile_site.report["dumps"] if e["path"] == "scrape.txt")
    assert entry["status"] == "converted"
    page = hostile_site.page(entry["url"])
    assert "&lt;img src=x onerror=alert(2)&gt; Scraped headline" in page
    assert "# A scraped paragraph that starts like a heading" in page
    assert "&gt; A scraped paragraph that starts like a quote and has &lt;b&gt;tags&lt;/b&gt;" in page


def test_non_http_urls_from_dumps_are_dropped(hostile_site: Site):
    md = next((hostile_site.content / "generated").glob("hostile-*.md")).read_text(encoding="utf-8")
    assert "Source_url" not in md
    assert "javascript" not in md.split("\n\n", 1)[0].lower()
