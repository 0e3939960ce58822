"""What a name is when it is none of our types: an award, an event, a work, a product.

spaCy confuses these with people, organisations and places ("Oscar" a person, "Xbox"
an organisation, "Grand Slam" a place), and an index of such mistakes is one an editor
would not publish.  Three kinds of evidence, all of it per mention, all of it voted
with the model's labels across the archive (:func:`.archive_pass.resolve_archive`):

* the model's own ``EVENT`` / ``WORK_OF_ART`` / ``PRODUCT`` / ``LAW`` labels;
* context cues in the sentence (:func:`cue`): "Oscar-winning", "the Bafta award",
  "the film Vera Drake", "Xbox console", "the Champions League final" — and, for teams
  named after their city, "beat Glasgow 23-10", "Everton manager";
* a shipped table of common names (``data/kinds.toml``), which the maintainer's own
  ``[types]`` override.

A name whose evidence says it is one of these kinds gets no entity page.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import lru_cache
from pathlib import Path

from . import gazetteer
from .names import CLUB_PREFIX, TITLE_WORDS, key

TABLE = Path(__file__).with_name("data") / "kinds.toml"
DEMONYMS = Path(__file__).with_name("data") / "demonyms.toml"
KINDS = ("award", "event", "work", "product", "genre", "index", "animal", "credit", "programme")
# spaCy labels for things that are not our types, and the kind each says.
MODEL_KINDS = {"EVENT": "event", "WORK_OF_ART": "work", "PRODUCT": "product", "LAW": "work"}
CUE_WEIGHT = 2.0  # a cue in the text says more than the model's label of the same mention

_AWARD_AFTER = re.compile(
    r"-(?:winning|winner|winners|nominated|nominee|nominees|nomination|nominations)\b"
    r"|\s+(?:awards?|nominations?|nominees?|ceremony|ceremonies|statuettes?|winners?|gongs?)\b"
)
_WORK_BEFORE = re.compile(
    r"\b(?:film|films|movie|biopic|album|single|song|book|novel|play|musical|sitcom|drama|comedy|documentary|"
    r"thriller|opera|ballet|soap|series|show|programme|blockbuster|hit|epic|sequel|memoir|video game|game)\s+"
    r"(?:(?:the|The|a|an|An)\s+)?(?:[A-Z][\w'\u2019-]*\s+)?$",  # "the movie The Aviator": the title's own
)  # article; "the programme Go Digital": the model's span without the title's first word
_WORK_AFTER = re.compile(
    r"(?:'s|\u2019s)?\s+(?:director|sequel|soundtrack|box office|premiere|co-star|screenplay|cast|trailer)\b"
    r"|,?\s+(?:starring|co-starring|directed by)\b"  # "The Aviator, starring Leonardo DiCaprio"
    r"|\s+(?:star|stars)\s+[A-Z][\w'\u2019-]+\s+[A-Z]"  # "Vera Drake star Imelda Staunton"
)
_PRODUCT_WORDS = (r"consoles?|handsets?|phones?|smartphones?|software|browser|operating system|player|players|"
                  r"devices?|chips?|processors?|co-processors?|laptops?|tablets?|app|apps|update|drug|pills?")
_PRODUCT_AFTER = re.compile(rf"\s+(?:{_PRODUCT_WORDS})\b")
# A vehicle or a craft named by its model: "the Falcon Heavy rocket", "the Space Launch System
# rocket", "the Tesla Roadster sports car".  A one-word name before the same words ("SpaceX
# rockets", "Boeing 787 jets", "Airbus airliners") is mostly the maker: it gets no such cue.
_CRAFT_WORDS = (r"rockets?|spacecraft|space capsule|capsule|boosters?|launcher|lander|rover|space probe|megarocket|"
                r"airliners?|warplanes?|fighter jets?|helicopters?|drones?|sedan|hatchback|SUV|supercar|sports car")
_CRAFT_AFTER = re.compile(rf"\s+(?:{_CRAFT_WORDS})\b")
# The story says what the thing is, by name or in apposition: "a new rocket called the Space
# Launch System", "a co-processor called Pixel Visual Core", "the Space Launch System, a gigantic
# rocket" (not "SpaceX, a rocket company": a word for a body after the thing's word).
_CALLED = r"\s+(?:called|named|dubbed|codenamed|known as)\s+(?:the\s+|The\s+)?$"
_CRAFT_CALLED = re.compile(rf"\b(?:{_CRAFT_WORDS}){_CALLED}")
_PRODUCT_CALLED = re.compile(rf"\b(?:{_PRODUCT_WORDS}){_CALLED}")
_NOT_A_BODY = r"(?!\s*(?:company|companies|firm|firms|giant|maker|makers|manufacturer|developer|start-?up|business|" \
              r"group|operator|provider|builder|industry|programme|program)\b)"
_CRAFT_APPOSED = re.compile(rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:{_CRAFT_WORDS})\b{_NOT_A_BODY}")
_PRODUCT_APPOSED = re.compile(rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:{_PRODUCT_WORDS})\b{_NOT_A_BODY}")
# An actor's part in it: "her role in Vera Drake", "his performance as Howard Hughes in The Aviator".
_WORK_ROLE_BEFORE = re.compile(
    r"\b(?:role|roles|performance|performances|portrayal|cameo|starring|starred|stars|co-stars)"
    r"(?:\s+as(?:\s+[\w'\u2019.-]+){1,3}?)?\s+in\s+(?:(?:the|The)\s+)?$"
)
_WORKS = (r"film|movie|biopic|album|single|song|book|novel|play|musical|sitcom|drama|comedy|documentary|"
          r"thriller|opera|ballet|soap opera|series|show|programme|sequel|memoir|video game|biography")
_WORK_APPOSED = re.compile(rf",\s+(?:a|an|the)\s+(?:[\w-]+\s+){{0,3}}?(?:{_WORKS})\b{_NOT_A_BODY}")
# What a space programme's name is followed by ("the Apollo program", "Apollo missions",
# "Apollo moon landings", "Apollo-era", "Apollo 11 astronauts"): evidence only — "NASA mission"
# is written too — that :func:`.makers.model_types` reads for a name that has numbered designations.
_MISSION_AFTER = re.compile(
    r"-era\b|\s+(?:programs?|programmes?|missions?|astronauts?|moon|lunar|moonshots?|spacecraft|landings?|"
    r"launch ?pad|pad)\b"
)
# A public scheme named by what it pays or numbers: "Social Security numbers", "the Social Security
# trust fund", "Medicare recipients", "Social Security, the pensions programme" (the model's ORG:
# the administration that runs it is another name, "Social Security Administration").  Not
# "payments" or "cards": "Visa payments", "Visa cards" name the firm.
_SCHEME_AFTER = re.compile(
    r"\s+(?:numbers?|benefits?|trust funds?|recipients|beneficiaries|claimants|checks|cheques|entitlements?)\b"
)
_SCHEME_APPOSED = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w'\u2019-]+\s+){0,3}?(?:pensions?|benefits?|welfare|retirement|health|insurance|"
    r"entitlement|social|savings|subsidy|food stamps?)\s+(?:programmes?|programs?|schemes?|systems?|plans?)\b"
)
# A town named for the people of it: "the Chibok schoolgirls", "Chibok residents", "Sunan villagers"
# (the model reads an unknown town before a noun for people as an organisation).
_RESIDENTS_AFTER = re.compile(
    r"\s+(?:school ?girls|school ?boys|schoolchildren|girls|boys|residents|villagers|townspeople|townsfolk|"
    r"locals|natives|elders|abductees)\b"
)
# A news outlet quoted as a source: "Bloomberg reported", "told Bloomberg", "according to Yonhap",
# "contacted by the Sun" — evidence that a one-word name no story gives a full name for is a body
# (see :func:`.story_cues.kind_types`), never a vote by itself: "according to Smith" is a person.
_SOURCE_BEFORE = re.compile(
    r"\b(?:told|according to|reported by|contacted by|quoted by|speaking to|interview with|interviewed by|"
    r"confirmed to|cited by|a report (?:by|from|in)|a statement to)\s+(?:the\s+)?$"
)
# Not "the Gershon report", "the Butler report": an inquiry's report is named after its chair, a person.
_SOURCE_AFTER = re.compile(
    r"\s+(?:(?:first |also |had |has |later |previously )?(?:reported|reports)\b|News\b|Businessweek\b|"
    r"(?:was|were) first to report\b)"
)
# An outlet's piece, counted as one of many: "disputes a Bloomberg report", "a Reuters analysis", "a
# Bloomberg News investigation" — the indefinite article is what an inquiry's report, named after
# its chair, never takes ("the Gershon report").
_SOURCE_PIECE_BEFORE = re.compile(r"(?:^|[^\w'\u2019-])(?:a|an|A|An)\s+$")
_SOURCE_PIECE_AFTER = re.compile(
    r"(?:\s+News)?\s+(?:report|investigation|analysis|interview|article|survey|poll|exclusive)\b"
)
_EVENT_AFTER = re.compile(
    r"\s+(?:finals?|semi-finals?|quarter-finals?|tournament|trophy|table|decider|standings|qualifiers?|"
    r"clash|fixtures?|campaign|title race)\b"
)
_ORG_BEFORE = re.compile(
    r"\b(?:band|group|quartet|trio|duo|outfit|firm|company|club|side|team|label|retailer|airline|carrier|bank|"
    r"broadcaster|network|newspaper|magazine|website|charity|insurer|giant|maker|manufacturer|conglomerate|"
    r"supermarket|chain|operator|regulator|watchdog|startup|start-up|provider|utility|supplier|publisher|"
    r"distributor|lender|consultancy|carmaker|automaker|chipmaker|drugmaker|miner)\s+(?:(?:the|The)\s+)?$"
)
# Someone's post at a body: "an analyst with Purvin and Gertz", "head of tax services at Friedman
# LLP", "an economist at Barclays" (a person is no one's employer; a known place keeps its type).
_ROLE_AT_BEFORE = re.compile(
    r"\b(?:analysts?|economists?|strategists?|researchers?|consultants?|traders?|brokers?|bankers?|engineers?|"
    r"executives?|professors?|lecturers?|directors?|head of(?: [\w&'-]+){1,4}?)\s+(?:at|with)\s+"
    r"(?:the\s+)?$"
)
# A firm's stock ticker after its name: "IBM ( <IBM.N> )", "Apple (NASDAQ: AAPL)".
_TICKER_AFTER = re.compile(r"\s*\(\s*(?:<[A-Z0-9.]{1,10}>|(?:NYSE|NASDAQ|Nasdaq|LSE|TSX|AMEX|ASX):\s*[A-Z.]{1,6})\s*\)")
# "London-based Barclays", "the Chicago-based firm": a firm's seat before its name.
_BASED_BEFORE = re.compile(r"\b[A-Z][\w.'-]*-based\s+(?:(?:the|The)\s+)?$")
# "shares in Barclays", "chief executive of Yukos" (not "a stake in South Africa's bank").
_ORG_OF_BEFORE = re.compile(
    r"\b(?:(?:shares|stake|stakes)\s+in|(?:chief executive|boss|takeover|subsidiary)\s+of|merger\s+with)\s+$"
)
# Firms and public bodies named as such: "Yukos Ltd", "Home Office", "Kent County Council".
ORG_NAME = re.compile(
    r"^(?:[A-Z][\w&'.-]* )+(?:Ltd|Limited|Inc|Incorporated|plc|PLC|Corp|Corporation|LLP|LLC|GmbH|AG|NV|SA|"
    r"Holdings|Agency|Ministry|Council|Commission|Authority|Institute|Association|Foundation|Trust|"
    r"Airlines|Airways|Motors|Industries|Group|Co|Company|Bureau|Administration|Department|Exchange|"
    r"Organisation|Organization|Federation|Committee|Party|Partners|Securities|Insurance|Petroleum|"
    r"Telecom|Communications|Systems|Technologies|Pharmaceuticals|Resources)\.?$"
)
# A street, a square, a promenade or a ground ("Promenade des Anglais", "Downing Street", "Turf
# Moor"): a place, though the model often takes it for an organisation.
STREET_NAME = re.compile(
    r"^(?:(?:[A-Z][\w'.-]* )+(?:Street|Avenue|Road|Boulevard|Square|Lane|Promenade|Plaza|Bridge|Station|Airport|"
    r"Stadium|Arena|Moor|Cottage)|"  # a ground: "Turf Moor", "Craven Cottage", "Millennium Stadium"
    r"(?:Promenade|Rue|Avenue|Boulevard|Piazza|Plaza|Place) (?:(?:de|des|du|de la|del|della|of|the) )?"
    r"[A-Z][\w'-]*(?: [A-Z][\w'-]*)*)$"
)
# A natural feature named as such ("Sambisa Forest", "Korean Peninsula", "Cape Erimo", "Lake
# Victoria", "Gulf of Aden"): a place, though the model takes some for organisations or people.
# Only words that are no common surname (not "Lake", "Hill", "Bay", "Heath", "Ocean" at the end:
# Ricki Lake, Damon Hill, Michael Bay, Edward Heath, Billy Ocean).
_FEATURE_NAME = re.compile(
    r"(?!.* (?:Hospital|College|School|University|Hotel|Club|Academy|Church|Centre|Center|Resort|Group|Partners)$)"
    r"(?:^(?:[A-Z][\w'.-]* ){1,3}(?:Forest|River|Mountains|Valley|Desert|Peninsula|Islands|Isles|Sea|Gulf|Strait|"
    r"Straits|Canyon|Falls|Coast|Delta|Basin|Plateau|Glacier|Reef|Gorge|Wetlands)$"
    r"|^(?:Cape|Lake|Mount|Mt\.?) [A-Z][\w'-]+(?: [A-Z][\w'-]+)?$"
    r"|^(?:Isle|Gulf|Bay|Sea|Strait|Straits|Cape) of (?:the )?[A-Z][\w'-]+(?: [A-Z][\w'-]+)?$)"
)


def is_feature(name: str) -> bool:
    """A natural feature's name (:data:`_FEATURE_NAME`) — but not a club named after its town and
    a feature word ("Nottingham Forest": the town is a gazetteer place)."""
    if not _FEATURE_NAME.match(name):
        return False
    head = name.rsplit(" ", 1)[0]
    return not (TEAM_NAME.match(name) and gazetteer.place_weight(key(head)))


# A firm's or a product's name with a capital inside a word ("SpaceX", "YouTube", "PayPal",
# "iPhone"): no person's name is written so, but for the prefixes of family names
# ("McCain", "MacArthur", "DeGrasse", "DiCaprio", "LeBron", "O'Neill", "VanDyke").
BRAND_SHAPE = re.compile(r"^(?!(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|Fitz|St|O')[A-Z])[A-Za-z]*[a-z][A-Z][\w]*$")
# A website named by its address: "Breitbart.com", "Change.org" (the model takes some for people).
WEBSITE_NAME = re.compile(r"^[A-Z][\w-]*\.(?:com|org|net|co\.uk|io|gov|news|tv)$", re.I)
# A legal form after a firm's name ("Boeing Co.", "Yukos Ltd") names the same firm, never a
# second body (unlike "Barclays Capital" or "HSBC Holdings", which are parts of a group).
LEGAL_FORMS = frozenset({
    "co", "company", "inc", "incorporated", "ltd", "limited", "plc", "corp", "corporation", "llc", "llp",
    "gmbh", "ag", "nv", "sa", "spa", "bv", "oy", "ab", "kk",
})


def legal_form_of(short: str, full: str) -> bool:
    """True when the key ``full`` is the key ``short`` followed by legal forms only."""
    a, b = short.split(), full.split()
    return len(b) > len(a) and b[: len(a)] == a and all(t.rstrip(".") in LEGAL_FORMS for t in b[len(a):])


_ORG_AFTER = re.compile(
    r"(?:'s|\u2019s)?\s+(?:shares|shareholders|share price|subsidiary|takeover|chief executive|board|profits?|"
    r"revenues?|sales|staff|employees|workers|bosses|executives|news agency|agency|newspaper|broadcaster|"
    r"parent company)\b"
)
# Clubs named after their town: "Manchester United", "Leicester Tigers", "Glasgow Warriors".
TEAM_NAME = re.compile(
    r"^(?:[A-Z][\w'-]+ )+(?:United|City|Rovers|Athletic|Wanderers|Albion|County|Town|FC|AFC|Rangers|Hotspur|"
    r"Villa|Forest|Wednesday|Argyle|Orient|Academicals|Thistle|Harlequins|Saracens|Tigers|Sharks|Warriors|"
    r"Bulls|Rhinos|Lions|Falcons|Dragons|Scarlets|Ospreys|Blues|Reds|Hornets|Magpies|Saints)$"
    rf"|^{CLUB_PREFIX} [A-Z][\w'-]+(?: [A-Z][\w'-]+)?$"  # "Real Madrid", "Bayern Munich", "Inter Milan"
)
# A full name, then "of" and this name: "Felipe Nasr of Sauber", "Jane Doe of Leeds" — the
# person's team, firm or town (not "Prime Minister of Japan": a title, no name, before "of").
_AFFILIATION_BEFORE = re.compile(r"\b([A-Z][\w'\u2019-]+) ([A-Z][\w'\u2019-]+) of (?:the )?$")
# A possessive determiner right before a name: no one writes "his John Smith".
_POSSESSOR_BEFORE = re.compile(r"(?:^|[^\w'])(?:his|her|their|its|our|my|your)\s+$")
_REGION_AFTER = re.compile(r",\s+([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)")
# An animal the story names: "the gorilla Harambe", "a gorilla named Harambe", "the horse,
# Frankel," — the model's PERSON on a zoo's or a stable's name.
_ANIMAL = (r"gorillas?|chimps?|chimpanzees?|orangutans?|monkeys?|apes?|pandas?|elephants?|lions?|lioness|tigers?|"
           r"tigress|bears?|polar bear|whales?|orcas?|dolphins?|sharks?|giraffes?|rhinos?|hippos?|leopards?|"
           r"cheetahs?|wolf|wolves|horses?|racehorses?|colts?|fill(?:y|ies)|mares?|stallions?|geldings?|ponies|pony|"
           r"dogs?|puppy|puppies|pups?|cats?|kittens?|parrots?|penguins?|koalas?|kangaroos?|crocodiles?|alligators?")
_ANIMAL_BEFORE = re.compile(rf"\b(?:{_ANIMAL})(?:,|\s+(?:named|called|dubbed|known as))?\s+\(?$")
_PERSON_AFTER = re.compile(r",\s+\d{1,3}\s*,|\s+\(\d{1,3}\)")  # "Ahed Tamimi, 16, ...": an age
# A courtesy title news style gives a person at every later mention ("Mr Ebbers", "Ms Cooper"): a
# firm, a club or a place never takes one.  As a cue it is the story's say, once per story, at
# the cue weight, so the archive-wide vote cannot outvote it with the model's ORG on the full name
# (Bernie Ebbers, Keanu Reeves in BBC).  "Miss" is left out: "Miss World", "Miss Saigon".
_COURTESY_BEFORE = re.compile(r"(?:^|[^\w'\u2019-])(?:Mr|Mrs|Ms|Mx)\.?\s+$")
# A row of a results table: the name starts the line and numbers fill the rest of it ("NEW YORK
# 74 55 .574 -", "Leicestershire 12 6 2 4 0 183"): in wire copy that is a club's standing.
_NUMBER_CELL = r"\s+(?:\d{1,3}|\d*\.\d+|\d+/\d+|-)"
_TABLE_ROW_AFTER = re.compile(rf"(?:{_NUMBER_CELL})*?(?:\s+\d{{1,3}}\b)(?:{_NUMBER_CELL})+\s*$")
# A results line: "Leeds 2 Arsenal 1", "Arsenal 1 , Chelsea 0": a name between a score and the next.
_RESULT_AFTER = re.compile(r"\s+\d{1,2}\s*(?:$|[,;(]|\s+[A-Z])")
_RESULT_BEFORE = re.compile(r"(?:^|\b\d{1,2}\s+|[,;]\s+)$")
# A fixtures line: "CLEVELAND AT DETROIT", "Leeds v Arsenal": the first name is the visiting club.
_FIXTURE_AFTER = re.compile(r"\s+(?:at|AT|At|v|vs|V)\.?\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2}\s*$")
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|outside|inside)\s+$")
# A score after a name: a club's ("Leeds 2-1", "Bath 17-16"), but not a player's sets ("Schuettler 6-3
# 6-2", "Williams 1-6,4-6", "Raymond 7-5": a tennis set is won 6-x or 7-x).
_SCORE_AFTER = re.compile(r"\s+(?![67]-[0-7]\b|[0-7]-[67]\b)\d{1,3}-\d{1,3}\b(?![\s,]+\d{1,2}-\d{1,2}\b)")
_VENUE_BEFORE = re.compile(r"\b(?:at|to|in)\s+$")  # a score after "at <a ground>" is the match's there
_TEAM_BEFORE = re.compile(r"\b(?:beat|beating|beaten by|against|v|vs|defeat|defeated|draw with|drew with|"
                          r"lost to|losing to|at home to|away to|thrashed|edged|overcame)\.?\s+$")
_TEAM_AFTER = re.compile(
    r"\s+(?:beat|drew with|drew|lost to|lost|thrashed|edged|overcame|held|defeated|trounced)\s+"
    r"(?:[A-Z][\w'-]*\s+){1,3}\d{1,3}-\d{1,3}\b"
    r"|(?:'s|\u2019s)?\s+(?:manager|boss|coach|driver|drivers|team-mate|teammate|striker|midfielder|defender|"
    r"goalkeeper|keeper|winger|full-back|centre-back|playmaker|fly-half|scrum-half|lock|prop|hooker|flanker|fans|supporters|squad|chairman)\b"
)


# "X, the UK's third-biggest bank," / "X, the oil services firm, has": a name in apposition with a
# word for a body, that word ending the apposition ("Smith, a bank manager" and "Smith, the
# club's striker" say nothing).
_BODY_WORDS = (r"bank|banks|firm|company|group|retailer|airline|carrier|broadcaster|insurer|conglomerate|"
               r"supermarket|chain|operator|regulator|watchdog|start-?up|manufacturer|maker|giant|charity|"
               r"newspaper|magazine|website|agency|consultancy|law firm|lender|miner|producer|supplier")
_BODY_APPOSED = re.compile(
    rf",\s+(?:the|a|an)\s+(?:[\w'\u2019&.-]+\s+){{0,4}}?(?:{_BODY_WORDS})"
    r"(?=\s*(?:[,.;:)]|$|\s+(?:which|that|has|had|is|was|said|says|and|in|with|for|to|on|since)\b))"
)
# A photo credit: "(Photo: Gregg DeGuire, WireImage)", "toggle caption Toru Yamanaka /AFP/Getty
# Images", "Toru Yamanaka/AFP": the photographer is no one a reader looks for (the agency is a
# credit too when it is only a picture library: the ``credit`` table).
_CREDIT_BEFORE = re.compile(r"(?:\b(?:[Pp]hoto(?:graph)?|[Pp]icture|[Ii]mage|[Cc]redit)s?(?:\s+by)?\s*:\s*"
                            r"|\b(?:toggle |)caption\s+)$")


@lru_cache(maxsize=1)
def _credit_after() -> re.Pattern[str]:
    """A name then "/" and a photo source of the shipped table ("/AFP", "/Getty Images")."""
    sources = tomllib.loads(TABLE.read_text(encoding="utf-8")).get("photo_sources", {}).get("names", [])
    return re.compile(r"\s*/\s*(?:" + "|".join(re.escape(n) for n in sorted(sources, key=len, reverse=True))
                      + r")\b")


def cue(text: str, start: int, end: int) -> str:
    """What the words around one mention say it is ('' when they say nothing).

    ``team`` (an organisation named like a place), ``org`` ("rock band Franz
    Ferdinand", "Yukos shares"), ``affiliation`` (after a full name and "of": "Felipe Nasr
    of Sauber", the person's team, firm or town) or ``town`` (the same, before ", Florida"),
    ``possessed`` (after "his", "her", "their": no person), ``mission`` ("the Apollo program":
    evidence only, see :func:`.makers.model_types`), or one of :data:`KINDS`.  Cues are
    read in the mention's own sentence, a few words either side.
    """
    after = text[end:end + 40].split("\n", 1)[0]  # the mention's own paragraph only (a headline's
    before = text[max(0, start - 40):start].rsplit("\n", 1)[-1]  # "…film" says nothing of the next line)
    if _CREDIT_BEFORE.search(before) or (_credit_after().match(after) and not _credit_after().match(
            "/" + text[start:end])):  # "AFP/Getty Images": the agency itself is decided by its own votes
        return "credit"
    if _PERSON_AFTER.match(after) or _COURTESY_BEFORE.search(before):
        return "person"
    if _ANIMAL_BEFORE.search(before):
        return "animal"
    if not before.strip() and (_TABLE_ROW_AFTER.match(after) or _FIXTURE_AFTER.match(after)):
        return "team"  # a line of a table or of fixtures
    if _RESULT_AFTER.match(after) and _RESULT_BEFORE.search(before) and re.search(r"\d", text[start - 4:end + 4]):
        return "team"
    if _AWARD_AFTER.match(after):
        return "award" if not _TEAM_AFTER.match(after) else ""
    venue = _VENUE_BEFORE.search(before) and not _TEAM_BEFORE.search(before) and STREET_NAME.match(text[start:end])
    if (_SCORE_AFTER.match(after) and not venue) or _TEAM_AFTER.match(after):
        return "team"  # but "the first leg at Stamford Bridge 3-1", "a trip to Turf Moor 0-2": a ground's
        # name ("crushed at Carolina 49-15" is the club, at its home)
    if _TEAM_BEFORE.search(before) and not _EVENT_AFTER.match(after):
        return "team"
    if _POSSESSOR_BEFORE.search(before):  # "his Sauber", "her Ferrari": a car, a team, an account; never a
        return _thing(text[start:end], before, after) or "possessed"  # person ("its Blue Moon lander": a craft)
    if (aff := _AFFILIATION_BEFORE.search(before)) and not any(w.casefold() in TITLE_WORDS for w in aff.groups()):
        region = _REGION_AFTER.match(after)  # "the Weiss family of Belleair, Florida": a town
        return "town" if region and gazetteer.place_weight(key(region.group(1))) else "affiliation"
    if _SCHEME_AFTER.match(after) or _SCHEME_APPOSED.match(after):
        return "programme"
    if _RESIDENTS_AFTER.match(after) and not re.match(r"['\u2019]s\b", after):
        return "town"
    if _WORK_BEFORE.search(before) or _WORK_AFTER.match(after) or _WORK_APPOSED.match(after) \
            or (_WORK_ROLE_BEFORE.search(before) and not re.match(r"['\u2019]s\b", after)):
        return "work"
    if _ORG_BEFORE.search(before) or _ORG_AFTER.match(after) or _TICKER_AFTER.match(after) \
            or _BASED_BEFORE.search(before):
        return "org"
    if (_BODY_APPOSED.match(after) or _ROLE_AT_BEFORE.search(before)) and not gazetteer.place_weight(
            key(text[start:end])):
        return "org"  # "Canada, a key gold producer," / "California, the company is…": still the place
    if _ORG_OF_BEFORE.search(before) and not re.match(r"['\u2019]s\b", after):
        return "org"
    if thing := _thing(text[start:end], before, after):
        return thing
    if _EVENT_AFTER.match(after):
        return "event"
    if _PLACE_BEFORE.search(before) and not re.match(r"['\u2019]s\b", after) \
            and not _firm_shaped(text[start:end]):  # "at Friedman LLP"
        return "place"  # "at Anfield", "in Glasgow": not a person ("in Blair's speech" aside)
    if _MISSION_AFTER.match(after):
        return "mission"
    if _SOURCE_BEFORE.search(before) or _SOURCE_AFTER.match(after) \
            or (_SOURCE_PIECE_BEFORE.search(before) and _SOURCE_PIECE_AFTER.match(after)):
        return "source"
    return ""


def _firm_shaped(name: str) -> bool:
    """A firm's or a website's name by its shape ("Friedman LLP", "Change.org"): "at X" then says
    where someone works, not that X is a place (a club's shape is not enough: "in Washington
    County", "in Forest City" are places)."""
    return bool(ORG_NAME.match(name) or WEBSITE_NAME.match(name))


def _thing(name: str, before: str, after: str) -> str:
    """``product`` or ``craft`` when the words around a name say it is a made thing ("Xbox
    console", "the Falcon Heavy rocket", "a rocket called X", "X, a gigantic rocket"); a
    craft's name is of two words or more ("SpaceX rockets": the maker)."""
    if _PRODUCT_AFTER.match(after) or _PRODUCT_CALLED.search(before) or _PRODUCT_APPOSED.match(after):
        return "product"
    if " " in name.strip() and (_CRAFT_AFTER.match(after) or _CRAFT_CALLED.search(before)
                                or _CRAFT_APPOSED.match(after)):
        return "craft"
    return ""


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[dict[str, str], str]:
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    table = {key(name): kind for kind in KINDS for name in data.get(kind, {}).get("names", [])}
    return table, hashlib.sha256(raw).hexdigest()


def cue_type(cue: str) -> str:
    """The type a cue votes for: ``team`` and ``org`` are organisations (``source``, "told
    Bloomberg", says so too, though it casts no archive vote: see :mod:`.story_cues`), ``place``
    and ``street`` places, ``person`` a person (an age after the name), the rest kinds."""
    return "organisation" if cue in ("team", "org", "source") else "place" if cue in ("street", "town") \
        else "product" if cue in ("craft", "model", "possessed", "mission") else cue


def cue_weight(cue: str) -> float:
    """A cue for a club, a firm, a street, a person or an animal is worth two stories' model labels; "in
    X", or a cue that the name is no entity ("the film X"), one: one such phrase must not take
    a person's page away (the model's labels and other stories still decide)."""
    return CUE_WEIGHT if cue in ("team", "org", "person", "street", "town", "craft", "model", "animal", "credit") \
        else CUE_WEIGHT / 2


# A day of the calendar: "Bastille Day", "Boxing Day", "New Year's Day" (but "Green Day", a band,
# and "Doris Day" end so too: see :func:`day_event`).
_DAY_NAME = re.compile(r"^(?:[A-Z][\w'\u2019.-]* )+Day$")


def day_event(name: str, archive_type: str, event_votes: float) -> bool:
    """Is a name that ends in "Day" a day of the calendar rather than the place or body it was
    voted?  When the model also called it an event somewhere: its GPE on "Bastille Day" (24
    times beside 11 EVENT in one archive) is its systematic error.  A person ("Doris Day") is
    never retyped, nor a name the model never read as an event ("Green Day")."""
    return archive_type in ("place", "organisation") and event_votes > 0 and bool(_DAY_NAME.match(name))


_INDEX_NAME = re.compile(r"\b(?:Index|Composite|Average|Industrial Average)$|^(?:FTSE|Dow|Nasdaq|Nikkei|S&P)\b")
_EVENT_NAME = re.compile(r"\b(?:Show|Expo|Fair|Marathon|Grand Prix|Rally|Parade|Tournament|Summit|Week)$")
# A set of leaked or published documents, or a book of them: "Panama Papers", "Lux Leaks", "Pentagon
# Papers", "The X-Files", "Nixon Tapes", "The Motorcycle Diaries" (the model reads the first word
# as a place, a firm or a given name).  Of two words or more: "WikiLeaks" is the organisation.
_WORK_NAME = re.compile(r"^['\u2018\u201c\"]?(?:[A-Z][\w'.&-]* )+(?:Leaks|Papers|Files|Cables|Tapes|Diaries)$")


def kind_of(name: str) -> str:
    """The kind of a name by the shipped table (by key) or its shape ("Hang Seng Index": a
    stock index); '' when neither says."""
    if _INDEX_NAME.search(name):
        return _load(TABLE)[0].get(key(name), "") or "index"
    table = _load(TABLE)[0]
    version = re.sub(r"\s+(?:\d+|[IVX]+|Pro|Mini|Plus|Lite|One|X)$", "", name)  # "Xbox 2", "iPod Mini"
    return table.get(key(name), "") or (table.get(key(version), "") if version != name else "") \
        or ("event" if _EVENT_NAME.search(name) else "work" if _WORK_NAME.match(name) else "")


def known(name: str) -> bool:
    """Is the name itself in the shipped table (not only shaped like one of its kinds)?"""
    return key(name) in _load(TABLE)[0]


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    return frozenset(key(w) for w in tomllib.loads(DEMONYMS.read_text(encoding="utf-8")).get("names", []))


def is_demonym(name_key: str) -> bool:
    """A nationality or people ("palestinian", "dutch", "kurds"): never a person, an
    organisation or a place, whatever the model says ("Palestinian interests")."""
    words = _demonyms()
    return name_key in words or (name_key.endswith("s") and name_key[:-1] in words)


def fingerprint() -> str:
    """Hash of the shipped tables and of this module (its cues): cached per-story results
    depend on them."""
    return hashlib.sha256((_load(TABLE)[1] + DEMONYMS.read_text(encoding="utf-8")
                           + Path(__file__).read_text(encoding="utf-8")).encode()).hexdigest()
