"""Page furniture: the lines of a news page that are not the story.

Every format meets the same furniture — a crawler's JSON ``text`` field keeps
"Advertisement Continue reading the main story", "Read more:" teasers, picture
credits, share prompts and copyright notices just as a text scrape does — so the
patterns live here, once, and ``strip_furniture`` is the one clean-up every reader
applies to its body (the text extractor also scores its lines with them).
``not_article`` says, with a reason a maintainer can act on, when what is left is no
article at all (a maintenance page, a copyright notice, a headline and nothing else).
"""

from __future__ import annotations

import re

from .byline import find_date
from .fields import agency_of, parse_byline, parse_dateline
from .words import WORD_RE, norm, word_total

__all__ = [
    "BOILERPLATE_RE", "COMMENTS_RE", "CREDIT_RE", "FOOTER_RE", "NOTICE_RE",
    "is_furniture", "not_article", "strip_furniture",
]

# Headings after which only comments follow: they end an article.
COMMENTS_RE = re.compile(
    r"^(leave a (comment|reply)|comments?( \(\d+\))?|\d+ comments?|join the (discussion|conversation)|"
    r"post a comment|add (a|your) comment|\d+ (responses|replies|comments|thoughts) (to|on) .*|"
    r"show comments|view comments|discussion|"
    # … and in the archive's other languages: Spanish/Portuguese, German, French, Italian,
    # Dutch, Scandinavian, Polish, Turkish, Russian, Arabic, Japanese, Chinese, Korean.
    r"comentar(ios)?|comentários|kommentar(e|er)?|commentaires?|commenter|commenti|commenta|"
    r"reacties|komentarze|yorum(lar)?|комментарии|تعليقات|コメント|评论|評論|댓글)\W*$",
    re.I,
)
# Headings of related-story boxes and footers; such a box can also sit inside an article.
FOOTER_RE = re.compile(
    r"^(related (articles?|stories|posts|content|news|coverage|links|topics|reading)( (from|on|in) .{1,60})?|"
    r"more (stories|news|articles)( from .*)?|more( from)? [\w.&' -]{1,40}|"
    r"share this( article| story)?:?|you (may|might) (also )?like|"
    r"recommended( for you| stories)?|read (more|next)|"
    r"(most )?(popular|read|viewed)( stories| articles| now)?|trending( now)?|filed under:?|tags?:?|"
    r"about the author|what others are reading|"
    r"sponsored (content|stories|links)|around the web|from around the web|also (on|in) .{1,40}|"
    r"latest (news|stories|articles)|top stories|editor'?s picks?|more from .{1,40}|newsletter)\W*$",
    re.I,
)
# Lines that are furniture wherever they appear.
BOILERPLATE_RE = re.compile(
    r"^(file photo|photos?:?|images?:?|videos?:?|gallery|advertisement|advertising|ad|share|tweet|e-?mail|print|"
    r"click to (share|print|email).*|skip to (main )?content|jump to .*|menu|search|home|close|"
    r"log ?in|sign ?in|sign up|register|subscribe|follow us|share on .*|comment|next|previous|"
    r"continue reading|scroll to .*|view (comments|gallery)|play video|watch:?|listen|loading.*)\W*$",
    re.I,
)
# Sentences that are site notices (cookies, consent, subscriptions), not journalism.
NOTICE_RE = re.compile(
    r"(\b(uses?|using|accept|about|our|enable|allow) (of )?cookies|\bcookie (policy|settings|preferences)|"
    r"\bprivacy (policy|notice|settings)|\bterms (of (use|service)|and conditions)|all rights reserved|©|"
    r"\bcopyright \d{4}|\b(sign up|subscribe|register) (for|to) (our|the|a) (free )?(daily |weekly )?"
    r"(newsletter|email|updates)|\benable javascript|\bad ?blocker|\bby continuing to (use|browse)|"
    r"\bget short url|\bcontact us\b|\bcustomer service|\bopens? in a new (window|tab)|\bexternal links?\b|"
    r"\bfollow [\w .@]{1,40} on (twitter|facebook|instagram)|\bclick (here )?to (read|see|view|watch|subscribe))",
    re.I,
)
CREDIT_RE = re.compile(
    r"(\b(photo|illustration|image|picture)s?( illustration)? by\b|"
    r"\((ap|afp|reuters|getty|epa|ap photo|photo)\b[^)]*\)\s*$|\b(getty images|shutterstock|ap photo|"
    r"photo credit|image credit|photograph:|pictured:)|^(photo|image|picture|video|credit)s?\s*:)",
    re.I,
)
# Furniture a crawler keeps inside an article's text (news-please, CMS exports): teasers
# for other stories, prompts, embeds' captions and disclaimers.  Whole paragraphs only.
_INLINE_RE = re.compile(
    r"^(advertisement\W*continue reading the main story|story continues? below( advertisement)?|"
    r"story continued below|continue reading (the|this) (main )?(story|article)|"
    r"scroll (down )?for (the )?video|(save){2,}|more-in|slideshow \(\d+ (images|photos)\)|"
    r"(read more|read also|see also|related|more|also read|watch|listen|now playing|recommended)\s*:\s*.{0,160}|"
    r"read or share this story:.*|authors?:.{0,80}|the views expressed (here|in this|are|by).*|"
    r"(share|tweet|email|pin) (this|on|via|with) .{0,80}|sign up for .{0,60}(newsletter|e-?mails?|alerts).*|"
    r"keep up with this story and more.*|chat with us in facebook messenger.*|"
    r"media playback is unsupported on your device.*|(image copyright .{0,80} )?image caption .{0,200}|"
    r"(first published|published|updated|posted|last updated)[,:]? (at |on )?.{0,40}"
    r"\d{1,2}(:\d{2})? ?[ap]\.?m\.?.{0,30}|"
    r"for more .{0,40} coverage:.*|online:|information from:.*|[_*=~\-]{3,}|\.{3}|…|"
    r"\(?(this|the) (version of the )?(article|story) (was|has been) (published|updated|corrected|refiled) "
    r".{0,120})\W*$",
    re.I,
)
# A picture's caption ('FILE - In this Dec. 31, 2016 file photo, visitors stand …',
# 'This photo released by the ministry shows …'): it describes a picture, not the news.
_CAPTION_RE = re.compile(
    r"^photos?: |"  # a gallery's caption ('Photos: Mass shooting at … Police arrive at the scene')
    r"^(file( photo)?\s*[-–—:]\s*)?(in this|this) [\w.,' ]{0,60}\b(photo|image|picture|photograph|video grab|"
    r"handout)s?\b(,| (made available|released|provided|taken|posted|distributed|obtained|shows))|"
    r"^(file( photo)?\s*[-–—:]\s*)?in this [\w.,' ]{0,40}\b\d{4},? (file )?(photo|image|picture|photograph)\b",
    re.I,
)
# A picture's caption with its credit after a bar or dash ('… on Monday. | Photo Credit: AP').
_CREDIT_TAIL_RE = re.compile(
    r"(\||[-–—])\s*(photo|image|picture|video)s?\s*(credit|courtesy)s?\s*:\s*[\w .,&'’/-]{1,50}$", re.I)
# The sentences of a sign-up or consent form a crawler kept as text ('Please verify you're not
# a robot by clicking the box. Invalid email address. Please re-enter. …'), and the widget
# labels glued between them.  A sentence counts only when it starts so: a quoted prompt
# ('"Please try again later," the message said') is journalism.
_FORM_LABEL_RE = re.compile(
    r"\b(newsletter sign ?up|continue reading the main story|sign ?up( now| here)?|subscribe( now)?)\b", re.I)
_PROMPT_RE = re.compile(
    r"^(please (verify|confirm) (that )?you('re| are) (not a robot|a human|human)|"
    r"(invalid|please (enter|provide) a valid) (e-?mail|address|e-?mail address)|please re-?enter|"
    r"you must (select|choose|enter) (a|an|your)|(you agree|by (signing up|subscribing|registering),? you agree) to|"
    r"thank you for (subscribing|signing up|registering|your interest)|"
    r"(an error has occurred|something went wrong|oops)|please try again( later)?|"
    r"view all .{0,40}newsletters|(enter|type) your e-?mail( address)?|"
    r"(get|receive) (our|the) .{0,40}(newsletter|e-?mails?|alerts)|we('ll| will) never share your e-?mail)",
    re.I,
)
# A sentence about the newsletter itself ('… delivered to your inbox every day'): part of the
# form once its prompts are there, never enough on its own.
_PROMO_RE = re.compile(r"\b(newsletters?|(to|in) your inbox|stay on top of|keep you (updated|informed))\b", re.I)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+")


def _form_text(paragraph: str, words: int) -> bool:
    """A paragraph that is mostly a form: at least two prompts, and with the widget's labels and
    the lines about its newsletter, 60 % of its words."""
    prompts = covered = 0
    for label in _FORM_LABEL_RE.finditer(paragraph):
        covered += word_total(label.group(0))
    for sentence in _SENTENCE_SPLIT_RE.split(_FORM_LABEL_RE.sub(" ", paragraph)):
        sentence = sentence.strip()
        n = word_total(sentence)
        if sentence and n <= 25 and _PROMPT_RE.match(sentence):
            prompts += 1
            covered += n
        elif sentence and n <= 30 and _PROMO_RE.search(sentence):
            covered += n
    return prompts >= 2 and covered >= 0.6 * words


# A heading under which the author's biography follows: the story has ended.
_AUTHOR_BOX_RE = re.compile(r"^(about the author|about the writer|author bio(graphy)?)\W*$", re.I)
# Furniture in other languages and scripts: share, log-in and members-only prompts
# ('このニュースをシェア', '＞ ログイン', '有料会員限定'), a correction button ('【纠错】').
_WORLD_RE = re.compile(
    r"(シェア|ログイン|会員登録|会員限定|有料会員|記事保存|分享|登录|注册|纠错|责任编辑|공유|로그인|구독|"
    r"teilen|compartir|partager|condividi|поделиться|подписаться|مشاركة|اشترك|teilen sie|jetzt abonnieren)",
    re.I,
)
_BRACKETED_RE = re.compile(r"^[【\[［(（][^】\]］)）]{0,20}[】\]］)）]?$")
_URL_OR_HANDLE_RE = re.compile(r"https?://|www\.|@\w{2,}")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CJK_SENTENCE_END = ("。", "！", "？", "」", "』", "）", ")", "…")
# Labels a crawler glued to the start of a paragraph ('Story highlights One family…').
_LABEL_RE = re.compile(r"^(story highlights|updated \||update:|highlights:?)\s+", re.I)
# 'Vjeran Pavic/The Verge', '(Lucy Pasha Robinson / The Independent)': a picture credit.
_SLASH_CREDIT_RE = re.compile(r"^\(?[\w.'’ -]{3,40} ?/ ?[\w.'’ -]{2,40}(?: ?/ ?[\w.'’ -]{2,40})*\)?$")
# A page that is a notice of the site, not a story (checked on short pages only).
_SITE_NOTICE_RE = re.compile(
    r"\b(down for maintenance|under maintenance|scheduled maintenance|page (was )?not found|404 error|"
    r"error 404|access denied|temporarily unavailable|service unavailable|not in our deliverable area|"
    r"(enable|turn on) (javascript|cookies)|are you a robot|complete the captcha|"
    r"(subscribe|log in|sign in) to (continue|read)( this)?|this (content|page) is (no longer )?available)\b",
    re.I,
)


def repeats(paragraph: str, headline: str) -> bool:
    """True when a paragraph is the headline again (after any 'LAKE FOREST, Ill. —' dateline)."""
    head = norm(headline)
    return bool(head) and head in (norm(paragraph), norm(parse_dateline(paragraph)[2]))


def is_furniture(paragraph: str) -> bool:
    """True for a paragraph that is page furniture wherever it stands in a body."""
    p = paragraph.strip()
    if not p or not WORD_RE.search(p):
        return True  # empty, or punctuation only ('】', '* * *')
    words = word_total(p)
    if BOILERPLATE_RE.match(p) or FOOTER_RE.match(p) or _INLINE_RE.match(p):
        return True
    if words <= 3 and agency_of(p):
        return True  # a lone 'Reuters' under a picture
    if words < 40 and NOTICE_RE.search(p):
        return True
    if words < 16 and CREDIT_RE.search(p):
        return True
    if words < 80 and _CAPTION_RE.match(p):
        return True
    if words < 60 and _CREDIT_TAIL_RE.search(p):
        return True  # a caption: the picture's credit closes it
    if words < 150 and _form_text(p, words):
        return True
    if _BRACKETED_RE.match(p):
        return True  # '【纠错】', '[Advertisement]'
    short = words <= 8 or (_CJK_RE.search(p) and len(p) <= 40)
    if short and _WORLD_RE.search(p):
        return True
    if short and _URL_OR_HANDLE_RE.search(p) and not p.endswith((".", "!", "?", "。")):
        return True  # 'Twitter https://twitter.com/site', 'LINE ID = @site': the site's own links
    return words <= 10 and not p.endswith((".", "!", "?", "\u201d", '"')) and bool(_SLASH_CREDIT_RE.match(p))


def _cjk_menu_item(paragraph: str) -> bool:
    """A short CJK line that is no sentence ('電子版トップ', 'アカウント一覧'): a menu item."""
    return bool(_CJK_RE.search(paragraph)) and len(paragraph) <= 14 and not paragraph.endswith(_CJK_SENTENCE_END)


def _is_timestamp(paragraph: str) -> bool:
    """'Published 4:29 AM EST Nov 15, 2017', 'Xinhua | Updated: 2017-09-15 17:52': a date line."""
    if word_total(paragraph) > 16 or not find_date(paragraph):
        return False
    rest = re.sub(r"\b(published|posted|updated|last updated|first published|on|at|by|am|pm|a\.m\.|p\.m\.|"
                  r"jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|"
                  r"mon\w*|tue\w*|wed\w*|thu\w*|fri\w*|sat\w*|sun\w*|[a-z]{2,4}t)\b|\d+", " ", paragraph, flags=re.I)
    return word_total(rest) <= 3


def _names_line(paragraph: str, names: tuple[str, ...]) -> bool:
    """'Daksha Rangan, CTVNews.ca': a short line that opens with a credited author's name."""
    return word_total(paragraph) <= 10 and any(n and paragraph.casefold().startswith(n.casefold()) for n in names)


def strip_furniture(paragraphs: list[str], headline: str = "", names: tuple[str, ...] = ()) -> list[str]:
    """The paragraphs of a body without page furniture.

    Removed anywhere: furniture lines (see ``is_furniture``).  Removed at the start:
    a repeat of the headline, a byline (also one that is only a credited author's
    name, ``names``, with the publication), a timestamp.  A comments heading ends the
    body.  Labels glued to a paragraph ('Story highlights …') are cut off it.
    """
    out: list[str] = []
    for p in paragraphs:
        p = _LABEL_RE.sub("", p.strip())
        if COMMENTS_RE.match(p) and out or _AUTHOR_BOX_RE.match(p):
            break  # comments, or the author's biography, follow
        if not is_furniture(p):
            out.append(p)
    while out and (repeats(out[0], headline) or parse_byline(out[0]) or _is_timestamp(out[0])
                   or _cjk_menu_item(out[0]) or _names_line(out[0], names)):
        out.pop(0)
    while out and (_is_timestamp(out[-1]) or _cjk_menu_item(out[-1])):
        out.pop()
    return out


def not_article(headline: str, paragraphs: list[str], kept: list[str]) -> str:
    """Why a page is not an article ('' when it is one): what a maintainer reads in the report.

    ``paragraphs`` is the body as the dump gave it and ``kept`` what ``strip_furniture`` left.
    """
    shown = (paragraphs[0] if paragraphs else headline)[:80]
    words = sum(word_total(p) for p in kept)
    if words < 80:
        for text in [headline, *kept[:3]]:
            m = _SITE_NOTICE_RE.search(text)
            if m:
                return f"not an article: a site notice ({m.group(0)!r} in {text[:80]!r})"
    if paragraphs and not kept:
        if any(repeats(p, headline) for p in paragraphs):
            return "not an article: the text only repeats the headline (and page furniture)"
        return ("not an article: the text is only page furniture (copyright, prompts, credits, captions), "
                f"e.g. {shown!r}")
    return ""
