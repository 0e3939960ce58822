"""What the model reads of a wire story: its all-caps lines in ordinary case, nothing else changed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from news_archive.enrich.truecase import model_text


def test_caps_lines_take_the_case_the_story_gives_their_words():
    text = ("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\nAL-AIN 1996-12-06\n"
            "Japan began the defence of their Asian Cup title with a lucky win over Syria , while China "
            "suffered a surprise defeat .")
    head, dateline, body = model_text(text).split("\n")
    assert head == "Soccer - Japan get lucky win , China in surprise defeat ."
    assert dateline == "Al-Ain 1996-12-06"
    assert body == text.split("\n")[2]


def test_ordinary_text_is_left_alone():
    text = "The UN and NATO met in New York.\n\nIt was the WHO's turn."
    assert model_text(text) is text


@given(st.text(alphabet=st.sampled_from("ABCßİﬁ ÉÑ-'.\n0123abcσΣ"), max_size=200))
def test_every_offset_is_kept(text):
    out = model_text(text)
    assert len(out) == len(text)
    assert all(a.casefold() == b.casefold() or a == b for a, b in zip(out, text, strict=True))
