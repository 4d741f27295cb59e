//! The gazetteer: countries with codes, aliases, regions, representative points and land
//! borders; first-level divisions (admin1); GeoNames places of 15,000+ people; and the
//! Natural Earth 1:50m country shapes.
//!
//! The shipped gazetteer (`datasets/geo/`, rebuilt by `scripts/geo/build_gazetteer.py`) is
//! compiled into the binary, so divnet resolves locations from any working directory;
//! [`Gazetteer::from_dir`] reads another copy with the same file layout.

use std::collections::HashMap;

/// Hash map with a fast, fixed (deterministic) hasher for lookup tables.
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;

use super::shapes::{CountryShape, read_geojson};
use super::{LatLon, name_key};

/// Index of a country in [`Gazetteer::countries`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct CountryId(pub u16);

/// Index of an admin1 division in [`Gazetteer::admin1s`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Admin1Id(pub u32);

/// Index of a place in [`Gazetteer::cities`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct CityId(pub u32);

/// A country or territory.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 alpha-2.
    pub iso2: String,
    /// ISO 3166-1 alpha-3.
    pub iso3: String,
    /// ISO 3166-1 numeric, as text (keeps leading zeros).
    pub numeric: String,
    /// Common English name.
    pub name: String,
    /// UN M49-style region (e.g. "Africa").
    pub region: String,
    /// UN M49-style subregion (e.g. "Western Africa").
    pub subregion: String,
    /// A representative point inside the country.
    pub point: LatLon,
}

/// A first-level administrative division.
#[derive(Debug, Clone, PartialEq)]
pub struct Admin1 {
    /// Its country.
    pub country: CountryId,
    /// GeoNames admin1 code within the country.
    pub code: String,
    /// Name.
    pub name: String,
    /// A representative point.
    pub point: LatLon,
}

/// A populated place.
#[derive(Debug, Clone, PartialEq)]
pub struct City {
    /// GeoNames id.
    pub geonameid: u32,
    /// Name.
    pub name: String,
    /// Its country.
    pub country: CountryId,
    /// Its admin1 division, when known.
    pub admin1: Option<Admin1Id>,
    /// Coordinates.
    pub point: LatLon,
    /// Population.
    pub population: u64,
}

/// What a location text resolved to.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Resolved {
    /// A country only.
    Country(CountryId),
    /// An admin1 division.
    Admin1(Admin1Id),
    /// A place.
    City(CityId),
}

/// Why a location text could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unresolved {
    /// No country has this name, code or alias.
    #[error("unknown country {text:?}{}", hint(suggestion))]
    Country {
        /// The text as given.
        text: String,
        /// The closest known name, if close enough.
        suggestion: Option<String>,
    },
    /// No place or admin1 division of that name (in that country).
    #[error("unknown place {text:?}{}{}", in_country(country), hint(suggestion))]
    Place {
        /// The text as given.
        text: String,
        /// The country searched, if one was given.
        country: Option<String>,
        /// The closest known name, if close enough.
        suggestion: Option<String>,
    },
    /// The place name exists in several countries and none was given.
    #[error("place {text:?} is ambiguous (found in {}): give its country", countries.join(", "))]
    Ambiguous {
        /// The text as given.
        text: String,
        /// ISO3 codes of the candidate countries.
        countries: Vec<String>,
    },
}

fn hint(s: &Option<String>) -> String {
    s.as_ref().map(|s| format!("; did you mean {s:?}?")).unwrap_or_default()
}

fn in_country(c: &Option<String>) -> String {
    c.as_ref().map(|c| format!(" in {c}")).unwrap_or_default()
}

/// Why the gazetteer itself could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    /// A file could not be read.
    #[error("cannot read gazetteer file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A CSV file is malformed.
    #[error("gazetteer file {file}: {source}")]
    Csv {
        /// The file name.
        file: String,
        /// The cause.
        source: csv::Error,
    },
    /// The shapes file is malformed.
    #[error("gazetteer file countries_50m.geojson: {0}")]
    Shapes(#[from] super::shapes::ShapeError),
    /// A row refers to an unknown country code.
    #[error("gazetteer file {file}: unknown country code {code:?}")]
    UnknownCode {
        /// The file name.
        file: String,
        /// The code.
        code: String,
    },
}

/// The raw bytes of the six gazetteer files.
#[derive(Debug, Clone, Copy)]
pub struct GazetteerFiles<'a> {
    /// countries.csv
    pub countries: &'a [u8],
    /// aliases.csv
    pub aliases: &'a [u8],
    /// borders.csv
    pub borders: &'a [u8],
    /// admin1.csv
    pub admin1: &'a [u8],
    /// cities.csv
    pub cities: &'a [u8],
    /// countries_50m.geojson
    pub shapes: &'a [u8],
}

/// File names of the gazetteer, relative to its directory.
pub const FILE_NAMES: [&str; 6] = [
    "countries.csv",
    "aliases.csv",
    "borders.csv",
    "admin1.csv",
    "cities.csv",
    "countries_50m.geojson",
];

const EMBEDDED: GazetteerFiles<'static> = GazetteerFiles {
    countries: include_bytes!("../../datasets/geo/countries.csv"),
    aliases: include_bytes!("../../datasets/geo/aliases.csv"),
    borders: include_bytes!("../../datasets/geo/borders.csv"),
    admin1: include_bytes!("../../datasets/geo/admin1.csv"),
    cities: include_bytes!("../../datasets/geo/cities.csv"),
    shapes: include_bytes!("../../datasets/geo/countries_50m.geojson"),
};

#[derive(Deserialize)]
struct CountryRow {
    iso2: String,
    iso3: String,
    numeric: String,
    name: String,
    #[allow(dead_code)]
    official_name: String,
    region: String,
    subregion: String,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct AliasRow {
    alias: String,
    iso3: String,
    kind: String,
}

#[derive(Deserialize)]
struct BorderRow {
    iso3_a: String,
    iso3_b: String,
}

#[derive(Deserialize)]
struct Admin1Row {
    iso2: String,
    admin1_code: String,
    name: String,
    asciiname: String,
    lat: f64,
    lon: f64,
}

#[derive(Deserialize)]
struct CityRow {
    geonameid: u32,
    name: String,
    asciiname: String,
    iso2: String,
    admin1_code: String,
    #[allow(dead_code)]
    admin1_name: String,
    lat: f64,
    lon: f64,
    population: u64,
}

fn rows<T: for<'de> Deserialize<'de>>(file: &str, bytes: &[u8]) -> Result<Vec<T>, GazetteerError> {
    csv::Reader::from_reader(bytes)
        .into_deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|source| GazetteerError::Csv { file: file.to_string(), source })
}

/// The gazetteer: see the module documentation.
#[derive(Debug)]
pub struct Gazetteer {
    countries: Vec<Country>,
    country_keys: FastMap<String, CountryId>,
    historical_keys: FastMap<String, CountryId>,
    exact_codes: FastMap<String, CountryId>,
    borders: Vec<(CountryId, CountryId)>,
    admin1s: Vec<Admin1>,
    cities: Vec<City>,
    places_in_country: FastMap<(CountryId, String), Resolved>,
    admin1_in_country: FastMap<(CountryId, String), Admin1Id>,
    places_anywhere: FastMap<String, Vec<Resolved>>,
    shapes: Vec<Option<CountryShape>>,
}

impl Gazetteer {
    /// The gazetteer compiled into the binary (parsed once, then shared).
    pub fn embedded() -> Result<&'static Gazetteer, &'static GazetteerError> {
        static G: OnceLock<Result<Gazetteer, GazetteerError>> = OnceLock::new();
        G.get_or_init(|| Gazetteer::from_files(EMBEDDED)).as_ref()
    }

    /// Reads a gazetteer directory with the layout of `datasets/geo/`.
    pub fn from_dir(dir: &Path) -> Result<Gazetteer, GazetteerError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| GazetteerError::Io { path, source })
        };
        let b: Vec<Vec<u8>> = FILE_NAMES.iter().map(|n| read(n)).collect::<Result<_, _>>()?;
        Gazetteer::from_files(GazetteerFiles {
            countries: &b[0],
            aliases: &b[1],
            borders: &b[2],
            admin1: &b[3],
            cities: &b[4],
            shapes: &b[5],
        })
    }

    /// Builds the gazetteer from the bytes of its six files.
    pub fn from_files(files: GazetteerFiles<'_>) -> Result<Gazetteer, GazetteerError> {
        let crows: Vec<CountryRow> = rows("countries.csv", files.countries)?;
        let mut countries = Vec::with_capacity(crows.len());
        let mut by_iso3 = HashMap::new();
        let mut by_iso2 = HashMap::new();
        let mut country_keys: FastMap<String, CountryId> = FastMap::default();
        let mut historical_keys: FastMap<String, CountryId> = FastMap::default();
        let mut exact_codes = FastMap::default();
        for (i, r) in crows.into_iter().enumerate() {
            let id = CountryId(i as u16);
            by_iso3.insert(r.iso3.clone(), id);
            by_iso2.insert(r.iso2.clone(), id);
            for code in [&r.iso3, &r.iso2, &r.numeric] {
                if !code.is_empty() {
                    exact_codes.insert(code.clone(), id);
                    exact_codes.insert(code.to_ascii_lowercase(), id);
                }
            }
            for text in [&r.name, &r.official_name, &r.iso3, &r.iso2] {
                country_keys.entry(name_key(text)).or_insert(id);
            }
            countries.push(Country {
                iso2: r.iso2,
                iso3: r.iso3,
                numeric: r.numeric,
                name: r.name,
                region: r.region,
                subregion: r.subregion,
                point: LatLon::new_unchecked(r.lat, r.lon),
            });
        }
        let code = |file: &str, c: &str| {
            by_iso3
                .get(c)
                .copied()
                .ok_or_else(|| GazetteerError::UnknownCode { file: file.into(), code: c.into() })
        };
        for a in rows::<AliasRow>("aliases.csv", files.aliases)? {
            let id = code("aliases.csv", &a.iso3)?;
            let key = name_key(&a.alias);
            if key.is_empty() {
                continue;
            }
            // Two spellings may fold to one key ("MN" and a transliterated native name);
            // the first claim wins: codes and names, then aliases in file order. Hand-made
            // aliases (kind "historical"/"variant") must not lose: the build script checks.
            if a.kind == "historical" {
                historical_keys.insert(key.clone(), id);
            }
            country_keys.entry(key).or_insert(id);
        }
        let mut borders = Vec::new();
        for b in rows::<BorderRow>("borders.csv", files.borders)? {
            let (x, y) = (code("borders.csv", &b.iso3_a)?, code("borders.csv", &b.iso3_b)?);
            borders.push((x.min(y), x.max(y)));
        }
        borders.sort_unstable();
        borders.dedup();

        let iso2 = |file: &str, c: &str| {
            by_iso2
                .get(c)
                .copied()
                .ok_or_else(|| GazetteerError::UnknownCode { file: file.into(), code: c.into() })
        };
        let mut admin1s = Vec::new();
        let mut admin1_by_code = HashMap::new();
        let mut admin1_in_country = FastMap::default();
        let mut places_in_country: FastMap<(CountryId, String), Resolved> = FastMap::default();
        let mut places_anywhere: FastMap<String, Vec<Resolved>> = FastMap::default();
        for r in rows::<Admin1Row>("admin1.csv", files.admin1)? {
            let Ok(country) = iso2("admin1.csv", &r.iso2) else { continue };
            let id = Admin1Id(admin1s.len() as u32);
            admin1_by_code.insert((country, r.admin1_code.clone()), id);
            for n in [&r.name, &r.asciiname] {
                admin1_in_country.entry((country, name_key(n))).or_insert(id);
            }
            admin1s.push(Admin1 {
                country,
                code: r.admin1_code,
                name: r.name,
                point: LatLon::new_unchecked(r.lat, r.lon),
            });
        }
        let mut cities = Vec::new();
        let mut crows: Vec<CityRow> = rows("cities.csv", files.cities)?;
        // Larger places first, so that a name shared within a country resolves to the largest.
        crows.sort_by(|a, b| b.population.cmp(&a.population).then(a.geonameid.cmp(&b.geonameid)));
        for r in crows {
            let Ok(country) = iso2("cities.csv", &r.iso2) else { continue };
            let id = CityId(cities.len() as u32);
            let admin1 = admin1_by_code.get(&(country, r.admin1_code.clone())).copied();
            for n in [&r.name, &r.asciiname] {
                let key = name_key(n);
                places_in_country.entry((country, key.clone())).or_insert(Resolved::City(id));
                let list = places_anywhere.entry(key).or_default();
                if !list.contains(&Resolved::City(id)) {
                    list.push(Resolved::City(id));
                }
            }
            cities.push(City {
                geonameid: r.geonameid,
                name: r.name,
                country,
                admin1,
                point: LatLon::new_unchecked(r.lat, r.lon),
                population: r.population,
            });
        }
        for (i, a) in admin1s.iter().enumerate() {
            let key = name_key(&a.name);
            places_anywhere.entry(key).or_default().push(Resolved::Admin1(Admin1Id(i as u32)));
        }
        let mut shapes: Vec<Option<CountryShape>> = vec![None; countries.len()];
        for s in read_geojson(files.shapes)? {
            if let Some(&id) = by_iso3.get(&s.iso3) {
                shapes[id.0 as usize] = Some(s);
            }
        }
        Ok(Gazetteer {
            countries,
            country_keys,
            historical_keys,
            exact_codes,
            borders,
            admin1s,
            cities,
            places_in_country,
            admin1_in_country,
            places_anywhere,
            shapes,
        })
    }

    /// Every country, indexed by [`CountryId`].
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// One country.
    pub fn country(&self, id: CountryId) -> &Country {
        &self.countries[id.0 as usize]
    }

    /// Every admin1 division, indexed by [`Admin1Id`].
    pub fn admin1s(&self) -> &[Admin1] {
        &self.admin1s
    }

    /// Every place, indexed by [`CityId`] (largest first).
    pub fn cities(&self) -> &[City] {
        &self.cities
    }

    /// Land borders as `(a, b)` pairs with `a < b`, sorted.
    pub fn borders(&self) -> &[(CountryId, CountryId)] {
        &self.borders
    }

    /// The shape of a country, if Natural Earth has one.
    pub fn shape(&self, id: CountryId) -> Option<&CountryShape> {
        self.shapes[id.0 as usize].as_ref()
    }

    /// Finds a country by ISO code (alpha-2, alpha-3, numeric), name or alias.
    ///
    /// ```
    /// let g = divnet::geo::Gazetteer::embedded().unwrap();
    /// let civ = g.resolve_country("Ivory Coast").unwrap();
    /// assert_eq!(g.country(civ).iso3, "CIV");
    /// assert_eq!(g.resolve_country("Côte d'Ivoire"), Ok(civ));
    /// assert!(g.resolve_country("Mexcio").unwrap_err().to_string().contains("Mexico"));
    /// ```
    pub fn resolve_country(&self, text: &str) -> Result<CountryId, Unresolved> {
        let t = text.trim();
        if let Some(&id) = self.exact_codes.get(t) {
            return Ok(id);
        }
        let key = name_key(t);
        if let Some(&id) = self.country_keys.get(&key) {
            return Ok(id);
        }
        Err(Unresolved::Country { text: t.to_string(), suggestion: self.suggest_country(&key) })
    }

    /// The successor state of a historical state's name (an alias of kind `historical` in
    /// `datasets/geo/aliases.csv`: "Soviet Union", "GDR", "Czechoslovakia", "Burma").
    ///
    /// ```
    /// let g = divnet::geo::Gazetteer::embedded().unwrap();
    /// let su = g.historical_country("Soviet Union").unwrap();
    /// assert_eq!(g.country(su).iso3, "RUS");
    /// assert_eq!(g.historical_country("Russia"), None);
    /// ```
    pub fn historical_country(&self, text: &str) -> Option<CountryId> {
        self.historical_keys.get(&name_key(text.trim())).copied()
    }

    fn suggest_country(&self, key: &str) -> Option<String> {
        if key.len() < 3 {
            return None;
        }
        let mut best: Option<(f64, CountryId)> = None;
        for (k, &id) in &self.country_keys {
            let s = strsim::jaro_winkler(key, k);
            if s >= 0.88 && best.is_none_or(|(b, bid)| s > b || (s == b && id < bid)) {
                best = Some((s, id));
            }
        }
        best.map(|(_, id)| self.country(id).name.clone())
    }

    /// Finds a place (town or admin1 division) by name, within `country` when given.
    ///
    /// Within a country a town wins over an admin1 division of the same name unless
    /// `prefer_admin1` is set; of several towns of one name the most populous wins.
    /// Without a country, a name found in several countries is ambiguous unless its most
    /// populous holder is at least five times larger than any other.
    pub fn resolve_place(
        &self,
        text: &str,
        country: Option<CountryId>,
        prefer_admin1: bool,
    ) -> Result<Resolved, Unresolved> {
        let key = name_key(text);
        if let Some(c) = country {
            let probe = (c, key);
            let admin = self.admin1_in_country.get(&probe).map(|&a| Resolved::Admin1(a));
            let city = self.places_in_country.get(&probe).copied();
            let key = probe.1;
            let found = if prefer_admin1 { admin.or(city) } else { city.or(admin) };
            return found.ok_or_else(|| Unresolved::Place {
                text: text.trim().to_string(),
                country: Some(self.country(c).iso3.clone()),
                suggestion: self.suggest_place(&key, Some(c)),
            });
        }
        let Some(list) = self.places_anywhere.get(&key) else {
            return Err(Unresolved::Place {
                text: text.trim().to_string(),
                country: None,
                suggestion: self.suggest_place(&key, None),
            });
        };
        let size = |r: &Resolved| match r {
            Resolved::City(c) => self.cities[c.0 as usize].population,
            _ => u64::MAX / 4,
        };
        let mut ranked: Vec<(u64, Resolved, CountryId)> =
            list.iter().map(|r| (size(r), *r, self.country_of(*r))).collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        let top = ranked[0];
        let rival = ranked.iter().find(|r| r.2 != top.2);
        match rival {
            Some(r) if r.0.saturating_mul(5) > top.0 => {
                let mut countries: Vec<String> =
                    ranked.iter().map(|r| self.country(r.2).iso3.clone()).collect();
                countries.sort();
                countries.dedup();
                Err(Unresolved::Ambiguous { text: text.trim().to_string(), countries })
            }
            _ => Ok(top.1),
        }
    }

    fn suggest_place(&self, key: &str, country: Option<CountryId>) -> Option<String> {
        if key.len() < 3 {
            return None;
        }
        let mut best: Option<(f64, String)> = None;
        let mut consider = |name: &str| {
            let s = strsim::jaro_winkler(key, &name_key(name));
            if s >= 0.9
                && best.as_ref().is_none_or(|(b, n)| s > *b || (s == *b && name < n.as_str()))
            {
                best = Some((s, name.to_string()));
            }
        };
        for c in self.cities.iter().filter(|c| country.is_none_or(|k| c.country == k)) {
            consider(&c.name);
        }
        for a in self.admin1s.iter().filter(|a| country.is_none_or(|k| a.country == k)) {
            consider(&a.name);
        }
        best.map(|(_, n)| n)
    }

    /// Resolves a location reference as used by route legs and country lists: a country
    /// (code, name or alias) or `"place, country"`.
    ///
    /// ```
    /// use divnet::geo::{Gazetteer, Resolved};
    /// let g = Gazetteer::embedded().unwrap();
    /// let Resolved::City(c) = g.resolve_ref("Tijuana, MEX").unwrap() else { panic!() };
    /// assert_eq!(g.cities()[c.0 as usize].name, "Tijuana");
    /// ```
    pub fn resolve_ref(&self, text: &str) -> Result<Resolved, Unresolved> {
        if let Some((place, country)) = text.rsplit_once(',')
            && let Ok(c) = self.resolve_country(country)
        {
            return self.resolve_place(place, Some(c), false);
        }
        self.resolve_country(text).map(Resolved::Country)
    }

    /// The country of a resolved location.
    pub fn country_of(&self, r: Resolved) -> CountryId {
        match r {
            Resolved::Country(c) => c,
            Resolved::Admin1(a) => self.admin1s[a.0 as usize].country,
            Resolved::City(c) => self.cities[c.0 as usize].country,
        }
    }

    /// A representative point of a resolved location.
    pub fn point_of(&self, r: Resolved) -> LatLon {
        match r {
            Resolved::Country(c) => self.country(c).point,
            Resolved::Admin1(a) => self.admin1s[a.0 as usize].point,
            Resolved::City(c) => self.cities[c.0 as usize].point,
        }
    }

    /// The country whose Natural Earth 1:50m shape contains the point, if any.
    pub fn country_at(&self, p: LatLon) -> Option<CountryId> {
        self.shapes
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.contains(p.lon(), p.lat())))
            .map(|i| CountryId(i as u16))
    }

    /// Whether the point lies within `margin_deg` of the country's bounding box. Countries
    /// without a shape accept every point.
    pub fn near_country(&self, id: CountryId, p: LatLon, margin_deg: f64) -> bool {
        match self.shape(id) {
            Some(s) => {
                s.bbox.contains(p.lon(), p.lat(), margin_deg)
                    // Shapes that cross the antimeridian (Russia, Fiji...) span the globe.
                    || s.bbox.east - s.bbox.west > 180.0
            }
            None => true,
        }
    }
}
