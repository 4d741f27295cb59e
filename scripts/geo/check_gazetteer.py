#!/usr/bin/env python3
"""Sanity checks on datasets/geo/ (run by build_gazetteer.py; exits non-zero on failure).

Usage: python scripts/geo/check_gazetteer.py [datasets/geo]   (needs shapely, see requirements.txt)

Checks: files are UTF-8 without BOM with "\\n" line endings and the expected headers; iso2 /
iso3 / numeric codes are unique; every country has a polygon or is in POLYGON_LESS; every
polygon belongs to a country and is
valid with closed rings; representative points lie inside their polygons; aliases map to
exactly one known iso3 (case-insensitively) with a known kind; borders are known, ordered,
unique pairs; cities and admin1 rows reference known countries, have coordinates in range and
unique keys; a few admin1 units analysts look up by name exist.
"""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from pathlib import Path

from shapely.geometry import Point, shape

# Countries and territories in world-countries with no separate Natural Earth 1:50m polygon
# (they are part of another country's polygon at that scale, or too small for it).
POLYGON_LESS = {"BES", "BVT", "GIB", "GLP", "GUF", "MTQ", "MYT", "REU", "SJM", "TKL", "TUV",
                "UMI"}
HEADERS = {
    "countries.csv": "iso2,iso3,numeric,name,official_name,region,subregion,lat,lon",
    "aliases.csv": "alias,iso3,kind",
    "borders.csv": "iso3_a,iso3_b",
    "cities.csv": "geonameid,name,asciiname,iso2,admin1_code,admin1_name,lat,lon,population",
    "admin1.csv": "iso2,admin1_code,name,asciiname,lat,lon",
}
MUST_HAVE_ADMIN1 = [("IN", "Manipur"), ("IN", "Mizoram"), ("MX", "Chihuahua"), ("MX", "Sonora"),
                    ("MX", "Tamaulipas")]
KINDS = {"code", "common", "official", "native", "variant", "historical"}

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)


def read(d: Path, name: str) -> list[dict]:
    raw = (d / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        fail(f"{name}: BOM")
    if b"\r" in raw:
        fail(f"{name}: CR line ending")
    text = raw.decode("utf-8")
    if name in HEADERS and text.split("\n", 1)[0] != HEADERS[name]:
        fail(f"{name}: header {text.split(chr(10), 1)[0]!r}")
    return list(csv.DictReader(text.splitlines()))


def unique(rows, key, what) -> None:
    seen = set()
    for r in rows:
        k = key(r)
        if k in seen:
            fail(f"{what}: duplicate {k}")
        seen.add(k)


def coord_ok(r) -> bool:
    try:
        return -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180
    except ValueError:
        return False


def main() -> int:
    d = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / \
        "datasets" / "geo"
    countries = read(d, "countries.csv")
    unique(countries, lambda r: r["iso2"], "countries iso2")
    unique(countries, lambda r: r["iso3"], "countries iso3")
    unique([r for r in countries if r["numeric"]], lambda r: r["numeric"], "countries numeric")
    iso3 = {r["iso3"] for r in countries}
    iso2 = {r["iso2"] for r in countries}
    for r in countries:
        if not coord_ok(r):
            fail(f"countries: bad point {r}")
        if r["numeric"] and not (len(r["numeric"]) == 3 and r["numeric"].isdigit()):
            fail(f"countries: bad numeric {r['numeric']}")
    for need in ("XKX", "PSE", "TWN", "ESH"):
        if need not in iso3:
            fail(f"countries: {need} missing")

    gj = json.loads((d / "countries_50m.geojson").read_text("utf-8"))
    geoms = {}
    for f in gj["features"]:
        k = f["properties"]["iso3"]
        if k in geoms:
            fail(f"geojson: duplicate feature {k}")
        if k not in iso3:
            fail(f"geojson: feature {k} is not in countries.csv")
        g = shape(f["geometry"])
        if not g.is_valid:
            fail(f"geojson: {k} geometry is not valid")
        polys = f["geometry"]["coordinates"]
        polys = [polys] if f["geometry"]["type"] == "Polygon" else polys
        for p in polys:
            for ring in p:
                if ring[0] != ring[-1] or len(ring) < 4:
                    fail(f"geojson: {k} has an unclosed or short ring")
        geoms[k] = g
    keys = [f["properties"]["iso3"] for f in gj["features"]]
    if keys != sorted(keys):
        fail("geojson: features not sorted by iso3")
    for r in countries:
        k = r["iso3"]
        if k not in geoms and k not in POLYGON_LESS:
            fail(f"geojson: {k} has no polygon and is not listed as polygon-less")
        if k in geoms and k in POLYGON_LESS:
            fail(f"geojson: {k} is listed as polygon-less but has a polygon")
        if k in geoms and not geoms[k].covers(Point(float(r["lon"]), float(r["lat"]))):
            fail(f"countries: representative point of {k} is outside its polygon")

    aliases = read(d, "aliases.csv")
    seen: dict[str, str] = {}
    for r in aliases:
        key = " ".join(unicodedata.normalize("NFC", r["alias"]).casefold().split())
        if key in seen:
            fail(f"aliases: {r['alias']!r} appears twice ({seen[key]}, {r['iso3']})")
        seen[key] = r["iso3"]
        if r["iso3"] not in iso3:
            fail(f"aliases: {r['alias']!r} -> unknown {r['iso3']}")
        if r["kind"] not in KINDS:
            fail(f"aliases: {r['alias']!r} has kind {r['kind']!r}")
    for c in countries:
        for a in (c["iso2"], c["iso3"], c["name"]):
            if seen.get(" ".join(a.casefold().split())) != c["iso3"]:
                fail(f"aliases: {a!r} does not resolve to {c['iso3']}")

    borders = read(d, "borders.csv")
    unique(borders, lambda r: (r["iso3_a"], r["iso3_b"]), "borders")
    for r in borders:
        if not (r["iso3_a"] < r["iso3_b"]) or {r["iso3_a"], r["iso3_b"]} - iso3:
            fail(f"borders: bad pair {r}")

    cities = read(d, "cities.csv")
    unique(cities, lambda r: r["geonameid"], "cities geonameid")
    for r in cities:
        if r["iso2"] not in iso2 or not coord_ok(r) or int(r["population"]) < 15000:
            fail(f"cities: bad row {r}")
        if not r["asciiname"].isascii():
            fail(f"cities: non-ASCII asciiname {r['asciiname']!r}")

    admin1 = read(d, "admin1.csv")
    unique(admin1, lambda r: (r["iso2"], r["admin1_code"]), "admin1")
    for r in admin1:
        if r["iso2"] not in iso2 or not coord_ok(r) or not r["asciiname"].isascii():
            fail(f"admin1: bad row {r}")
    names = {(r["iso2"], r["name"]) for r in admin1}
    for need in MUST_HAVE_ADMIN1:
        if need not in names:
            fail(f"admin1: {need} missing")

    for e in errors[:50]:
        print(f"check_gazetteer: {e}", file=sys.stderr)
    if errors:
        print(f"check_gazetteer: {len(errors)} problem(s)", file=sys.stderr)
        return 1
    print("check_gazetteer: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
