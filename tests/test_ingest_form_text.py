"""A crawler keeps a page's sign-up form and picture captions as text; neither is the story.

* A paragraph made of a form's prompts ('Please verify you're not a robot by clicking the
  box. Invalid email address. Please re-enter. …'), with the widget's labels and a line
  about the newsletter, is furniture wherever it stands in a body, whatever the prompts
  and their order; every paragraph of the story around it is kept, unchanged.
* A prompt quoted by the story ('"Please try again later," the message said') is
  journalism, and so is a paragraph with one prompt among sentences of news.
* A caption closed by its picture credit ('… on Monday. | Photo Credit: AP') is furniture.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from news_archive.ingest.furniture import is_furniture, strip_furniture

STORY = [
    "The city's water board voted on Tuesday to raise rates for the first time in six years, citing the "
    "cost of replacing pipes laid more than a century ago.",
    "Board members said the increase, about four dollars a month for a typical household, would pay for "
    "a ten-year programme of repairs across the older neighbourhoods.",
    "Residents who spoke at the meeting were divided, with several asking the board to phase the rise in.",
]
PROMPTS = [
    "Please verify you're not a robot by clicking the box.", "Invalid email address.", "Please re-enter.",
    "You must select a newsletter to subscribe to.", "Thank you for subscribing.", "An error has occurred.",
    "Please try again later.", "View all Daily Courier newsletters.", "Enter your email address.",
    "You agree to receive occasional updates and special offers for The Daily Courier's products.",
    "Thank you for signing up.", "Please enter a valid email address.",
]
LABELS = ["", "Newsletter Sign Up ", "Newsletter Sign Up Continue reading the main story ", "Sign Up "]
BLURBS = ["", "Get the Morning Briefing by Email What you need to know to start your day. ",
          "The Bits newsletter will keep you updated on the latest from the technology industry. "]

form = st.tuples(st.sampled_from(LABELS), st.sampled_from(BLURBS),
                 st.lists(st.sampled_from(PROMPTS), min_size=3, max_size=9, unique=True)).map(
    lambda t: (t[0] + t[1] + " ".join(t[2])).strip())


@settings(max_examples=200, deadline=None)
@given(form, st.integers(min_value=0, max_value=len(STORY)))
def test_a_form_paragraph_goes_and_the_story_stays(paragraph, at):
    body = STORY[:at] + [paragraph] + STORY[at:]
    assert strip_furniture(body, "Water board approves first rate rise in six years") == STORY


def test_a_quoted_prompt_and_a_prompt_among_news_are_the_story():
    for p in ['"Please try again later," the automated message said, hours after the outage began.',
              "Thousands saw the message. Please try again later, it said, as the site failed under the load "
              "of voters looking up their polling stations on the morning of the election.",
              "An error has occurred in the count, the electoral commission said, and a recount of the "
              "ballots in three districts will begin on Monday."]:
        assert not is_furniture(p), p


def test_a_caption_closed_by_its_credit_is_furniture():
    assert is_furniture("A police officer stands beside a road closed near the airport on Monday. | Photo Credit: AP")
    assert is_furniture("Smoke rises from the site, in this picture taken from social media. - Image credit: Reuters")
    assert not is_furniture("Officials said all ten people on board had died, among them two families on holiday.")
