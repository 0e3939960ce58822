"""Byline and date lines of full-page text dumps → authors, source and published date.

Never invent: a photo credit is not an author, "Staff" is not a person, an "Updated"
time is not the publication date, and a slashed date that could be read two ways is
no date at all.
"""

from __future__ import annotations

import pytest
from news_archive.ingest.byline import find_date
from news_archive.ingest.text import read_text

PARAGRAPHS = (
    "The city council approved the new budget on Tuesday after a debate that lasted late into the night, "
    "with most members saying the spending plan was the best they could agree on.\n\n"
    "The mayor said the vote showed that the council could still work together on the things that matter "
    "most to residents, and promised to publish the full figures next week.\n"
)


def page(*head_lines: str) -> str:
    head = "\n".join(head_lines)
    return (f"Council passes budget after long debate - Example Times\n\nNews\nSport\nOpinion\n\n"
            f"Council passes budget after long debate\n\n{head}\n\n{PARAGRAPHS}")


@pytest.mark.parametrize(
    "head, authors, source, published",
    [
        # CST is ambiguous (US Central, China): the day only
        (["Chris Davies - Nov 19, 2019, 8:15 pm CST"], ["Chris Davies"], "", "2019-11-19"),
        (["By Tess Bonn - 11/19/19 06:56 AM EST"], ["Tess Bonn"], "", "2019-11-19T06:56:00-05:00"),
        (["Debbie White", "", "18 Nov 2019, 19:09", "Updated: 18 Nov 2019, 19:11"], ["Debbie White"], "",
         "2019-11-18"),  # a time without its zone: the day only
        (["By Eric Song, IGN Staff", "Updated: 18 Nov 2019 9:38 pm", "Posted: 18 Nov 2019 8:11 pm"],
         ["Eric Song"], "IGN Staff", "2019-11-18"),
        (["Steve Peoples, AP National Political Writer"], ["Steve Peoples"], "AP", None),
        (["By DANICA KIRKA and JILL LAWLESS"], ["Danica Kirka", "Jill Lawless"], "", None),
        (["By JERUSALEM POST STAFF", "NOVEMBER 20, 2019 10:43"], [], "Jerusalem Post Staff", "2019-11-20"),
        (["5:45 AM PST 11/19/2019 by Patrick Shanley"], ["Patrick Shanley"], "", "2019-11-19T05:45:00-08:00"),
        (["Photo illustration by Slate. Photo by David Dyer-Bennet."], [], "", None),
        (["Posted on March 30, 2015 by Admin"], [], "", "2015-03-30"),
        (["Mon 18 Nov 2019 18.54 GMT"], [], "", "2019-11-18T18:54:00+00:00"),
        (["Von Anna Schmidt und Peter Wagner"], ["Anna Schmidt", "Peter Wagner"], "", None),
    ],
)
def test_byline_and_date_lines(head: list[str], authors: list[str], source: str, published: str | None):
    story = read_text(page(*head), "page.txt")
    assert story.headline == "Council passes budget after long debate"
    assert story.body[0].startswith("The city council approved")
    assert story.authors == authors
    assert story.source == source
    assert (story.published.isoformat() if story.published else None) == published
    assert story.date_source == ("text" if published else "")


def test_a_slashed_date_that_reads_two_ways_is_no_date():
    assert find_date("05/06/2019") is None
    assert find_date("11/19/2019").isoformat() == "2019-11-19"
    assert find_date("19/11/2019").isoformat() == "2019-11-19"
    assert find_date("21:17 18.11.2019").isoformat() == "2019-11-18"  # no zone: the day only


def test_a_bare_name_far_from_the_headline_is_not_a_byline():
    story = read_text(page("Results", "Miguel Bernal North Diving", "Ben Patton Trinity",
                           "Posted: Fri 6:45 PM, Feb 16, 2018"), "page.txt")
    assert story.authors == []
    assert story.published.isoformat() == "2018-02-16"


def test_full_page_dek_is_the_line_under_the_headline_not_a_caption():
    text = ("Council passes budget after long debate - Example Times\n\n" + "\n".join(
        ["News", "Sport", "Opinion", "Weather", "Business", "Culture", "Travel", "Science", "Health", "Video"]) +
        "\n\nCouncil passes budget after long debate\n\n"
        "Spending on roads and schools rises while the library service is cut back again\n\n"
        "By Jane Doe\n\nNovember 19, 2019\n\n"
        "Councillors leave the chamber after the vote on Tuesday night in the town hall\n\n" + PARAGRAPHS)
    story = read_text(text, "page.txt")
    assert story.dek == "Spending on roads and schools rises while the library service is cut back again"
    assert story.authors == ["Jane Doe"]
    assert story.published.isoformat() == "2019-11-19"


def test_dateline_gives_place_and_agency():
    text = ("Home World Talks resume in Moscow\n\nTalks resume in Moscow\n\n"
            "MOSCOW (AP) — Negotiators from both sides returned to the table on Monday after a week of "
            "silence, officials said, and a first agreement could follow within days.\n\n"
            "The talks are expected to last until the end of the month.\n")
    story = read_text(text, "wire.txt")
    assert story.dateline == "Moscow" and story.source == "AP"
    assert story.body[0].startswith("Negotiators from both sides")
    assert story.authors == []
