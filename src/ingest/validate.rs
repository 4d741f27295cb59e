//! Row validation: raw text fields in, typed records or a list of problems out.
//!
//! Every check names the schema column, the value and a [`Reason`]; a row with any problem
//! is rejected whole, with all its problems reported (one `rejected.csv` line each).

use chrono::NaiveDate;

use crate::date::PartialDate;
use crate::geo::gazetteer::{FastMap, Unresolved};
use crate::geo::{Admin1Id, CountryId, Gazetteer, LatLon, Resolved};
use crate::records::{
    ConflictEvent, Delivery, Location, LootingIncident, Party, RouteReport, RowRef, Seizure,
    SerialRange, Text, Transfer,
};
use crate::schema::{
    Category, EventDatePrecision, LocationPrecision, TransferStatus, TransportMode,
};

/// Why a row (or one of its fields) cannot be used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A required value is empty.
    Missing,
    /// Not a number.
    NotANumber,
    /// NaN or infinite.
    NotFinite,
    /// A number outside its allowed range.
    OutOfRange,
    /// A count that is not a whole number.
    NotAnInteger,
    /// Not a date of the accepted forms, or no such calendar date.
    InvalidDate,
    /// A date after today.
    FutureDate,
    /// `first_reported` after `last_reported`.
    DateOrder,
    /// Category outside the vocabulary.
    UnknownCategory,
    /// location_precision outside the vocabulary.
    UnknownPrecision,
    /// transport_mode / mode outside the vocabulary.
    UnknownTransportMode,
    /// A country name, code or alias the gazetteer does not know.
    UnknownCountry,
    /// A place the gazetteer does not know.
    UnknownPlace,
    /// A place name found in several countries, with no country given.
    AmbiguousPlace,
    /// No country, place or coordinates.
    NoLocation,
    /// Coordinates far from the given country, or in no country at all.
    CoordinatesMismatch,
    /// An id already used by an earlier row of the same table.
    DuplicateId,
    /// A serial range not of the form `model:first-last`.
    InvalidSerialRange,
    /// A CSV row with the wrong number of fields.
    FieldCount,
    /// A CSV row opening a quoted field that is never closed (it runs to the end of the
    /// file, swallowing the lines after it).
    UnterminatedQuote,
    /// A row that is not valid UTF-8.
    InvalidUtf8,
    /// A row holding a NUL byte (a value with a NUL character, in NDJSON or Parquet).
    NulByte,
    /// An NDJSON line that is not a JSON object of scalar values.
    InvalidJson,
    /// A party name that is no state, historical state or party in SIPRI's conventions.
    UnknownActor,
    /// A yes/no column holding something else.
    InvalidFlag,
    /// A transfer status outside the vocabulary.
    UnknownStatus,
}

impl Reason {
    /// Every reason, for summaries and docs.
    pub const ALL: [Reason; 26] = [
        Reason::Missing,
        Reason::NotANumber,
        Reason::NotFinite,
        Reason::OutOfRange,
        Reason::NotAnInteger,
        Reason::InvalidDate,
        Reason::FutureDate,
        Reason::DateOrder,
        Reason::UnknownCategory,
        Reason::UnknownPrecision,
        Reason::UnknownTransportMode,
        Reason::UnknownCountry,
        Reason::UnknownPlace,
        Reason::AmbiguousPlace,
        Reason::NoLocation,
        Reason::CoordinatesMismatch,
        Reason::DuplicateId,
        Reason::InvalidSerialRange,
        Reason::FieldCount,
        Reason::UnterminatedQuote,
        Reason::InvalidUtf8,
        Reason::NulByte,
        Reason::InvalidJson,
        Reason::UnknownActor,
        Reason::InvalidFlag,
        Reason::UnknownStatus,
    ];

    /// The snake_case name written to `rejected.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::NotANumber => "not_a_number",
            Reason::NotFinite => "not_finite",
            Reason::OutOfRange => "out_of_range",
            Reason::NotAnInteger => "not_an_integer",
            Reason::InvalidDate => "invalid_date",
            Reason::FutureDate => "future_date",
            Reason::DateOrder => "date_order",
            Reason::UnknownCategory => "unknown_category",
            Reason::UnknownPrecision => "unknown_precision",
            Reason::UnknownTransportMode => "unknown_transport_mode",
            Reason::UnknownCountry => "unknown_country",
            Reason::UnknownPlace => "unknown_place",
            Reason::AmbiguousPlace => "ambiguous_place",
            Reason::NoLocation => "no_location",
            Reason::CoordinatesMismatch => "coordinates_mismatch",
            Reason::DuplicateId => "duplicate_id",
            Reason::InvalidSerialRange => "invalid_serial_range",
            Reason::FieldCount => "field_count",
            Reason::UnterminatedQuote => "unterminated_quote",
            Reason::InvalidUtf8 => "invalid_utf8",
            Reason::NulByte => "nul_byte",
            Reason::InvalidJson => "invalid_json",
            Reason::UnknownActor => "unknown_actor",
            Reason::InvalidFlag => "invalid_flag",
            Reason::UnknownStatus => "unknown_status",
        }
    }
}

/// One problem with one field of one row.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    /// Schema column (or `"(row)"` for whole-row problems).
    pub column: String,
    /// The offending value, cut to 200 characters.
    pub value: String,
    /// Why.
    pub reason: Reason,
    /// A sentence for people.
    pub detail: String,
}

impl Problem {
    /// A problem, with the value shortened for the table.
    pub fn new(column: &str, value: &str, reason: Reason, detail: impl Into<String>) -> Problem {
        let value = if value.chars().count() > 200 {
            let cut: String = value.chars().take(200).collect();
            format!("{cut}…")
        } else {
            value.to_string()
        };
        Problem { column: column.to_string(), value, reason, detail: detail.into() }
    }
}

/// Notes about an accepted row that the run summary counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowNotes {
    /// The stated location_precision was finer than what the row supports.
    pub precision_downgraded: bool,
}

/// Settings shared by the validation of every row of a file.
#[derive(Debug, Clone, Copy)]
pub struct Checker<'g> {
    /// The gazetteer.
    pub gazetteer: &'g Gazetteer,
    /// Dates after this day are rejected.
    pub today: NaiveDate,
    /// Separator of list fields.
    pub list_separator: char,
    /// Margin, in degrees, around a country's bounding box within which reported
    /// coordinates are accepted for that country.
    pub country_margin_deg: f64,
}

/// The fields of one row, indexed by schema column: trimmed texts, `None` where the column
/// is absent or the text is empty.
pub type Fields<'a> = [Option<&'a str>];

/// A schema column: its name and its position in the table's column list.
#[derive(Debug, Clone, Copy)]
struct Col {
    index: usize,
    name: &'static str,
}

const fn col(columns: &[crate::schema::ColumnSpec], name: &'static str) -> Col {
    Col { index: crate::schema::column_position(columns, name), name }
}

const LOC_COUNTRY: Col = col(crate::schema::SEIZURE_COLUMNS, "country");
const LOC_LAT: Col = col(crate::schema::SEIZURE_COLUMNS, "lat");
const LOC_LOCATION_PRECISION: Col = col(crate::schema::SEIZURE_COLUMNS, "location_precision");
const LOC_LON: Col = col(crate::schema::SEIZURE_COLUMNS, "lon");
const LOC_PLACE: Col = col(crate::schema::SEIZURE_COLUMNS, "place");

const S_CALIBRE: Col = col(crate::schema::SEIZURE_COLUMNS, "calibre");
const S_CATEGORY: Col = col(crate::schema::SEIZURE_COLUMNS, "category");
const S_CONFIDENCE: Col = col(crate::schema::SEIZURE_COLUMNS, "confidence");
const S_COUNTRY_OF_MANUFACTURE: Col = col(crate::schema::SEIZURE_COLUMNS, "country_of_manufacture");
const S_DATE: Col = col(crate::schema::SEIZURE_COLUMNS, "date");
const S_DESTINATION: Col = col(crate::schema::SEIZURE_COLUMNS, "destination");
const S_ID: Col = col(crate::schema::SEIZURE_COLUMNS, "id");
const S_LAST_LEGAL_IMPORT: Col = col(crate::schema::SEIZURE_COLUMNS, "last_legal_import");
const S_LOT: Col = col(crate::schema::SEIZURE_COLUMNS, "lot");
const S_MAKE: Col = col(crate::schema::SEIZURE_COLUMNS, "make");
const S_MODEL: Col = col(crate::schema::SEIZURE_COLUMNS, "model");
const S_ORIGIN: Col = col(crate::schema::SEIZURE_COLUMNS, "origin");
const S_QUANTITY: Col = col(crate::schema::SEIZURE_COLUMNS, "quantity");
const S_ROUNDS: Col = col(crate::schema::SEIZURE_COLUMNS, "rounds");
const S_SERIAL: Col = col(crate::schema::SEIZURE_COLUMNS, "serial");
const S_SOURCE: Col = col(crate::schema::SEIZURE_COLUMNS, "source");
const S_POSSESSOR: Col = col(crate::schema::SEIZURE_COLUMNS, "possessor");
const S_TRACED_INCIDENT_ID: Col = col(crate::schema::SEIZURE_COLUMNS, "traced_incident_id");
const S_TRANSIT: Col = col(crate::schema::SEIZURE_COLUMNS, "transit");
const S_TRANSPORT_MODE: Col = col(crate::schema::SEIZURE_COLUMNS, "transport_mode");

const L_CATEGORIES: Col = col(crate::schema::LOOTING_COLUMNS, "categories");
const L_CONFIDENCE: Col = col(crate::schema::LOOTING_COLUMNS, "confidence");
const L_DATE: Col = col(crate::schema::LOOTING_COLUMNS, "date");
const L_FACILITY: Col = col(crate::schema::LOOTING_COLUMNS, "facility");
const L_FACILITY_TYPE: Col = col(crate::schema::LOOTING_COLUMNS, "facility_type");
const L_ID: Col = col(crate::schema::LOOTING_COLUMNS, "id");
const L_LOTS: Col = col(crate::schema::LOOTING_COLUMNS, "lots");
const L_PERPETRATOR: Col = col(crate::schema::LOOTING_COLUMNS, "perpetrator");
const L_RECOVERED: Col = col(crate::schema::LOOTING_COLUMNS, "recovered");
const L_ROUNDS_LOOTED: Col = col(crate::schema::LOOTING_COLUMNS, "rounds_looted");
const L_SERIAL_RANGES: Col = col(crate::schema::LOOTING_COLUMNS, "serial_ranges");
const L_SOURCE: Col = col(crate::schema::LOOTING_COLUMNS, "source");
const L_WEAPONS_LOOTED: Col = col(crate::schema::LOOTING_COLUMNS, "weapons_looted");

const R_CONFIDENCE: Col = col(crate::schema::ROUTE_COLUMNS, "confidence");
const R_FIRST_REPORTED: Col = col(crate::schema::ROUTE_COLUMNS, "first_reported");
const R_FROM: Col = col(crate::schema::ROUTE_COLUMNS, "from");
const R_ID: Col = col(crate::schema::ROUTE_COLUMNS, "id");
const R_LAST_REPORTED: Col = col(crate::schema::ROUTE_COLUMNS, "last_reported");
const R_MODE: Col = col(crate::schema::ROUTE_COLUMNS, "mode");
const R_REPORTS: Col = col(crate::schema::ROUTE_COLUMNS, "reports");
const R_SOURCE: Col = col(crate::schema::ROUTE_COLUMNS, "source");
const R_TO: Col = col(crate::schema::ROUTE_COLUMNS, "to");
const R_VOLUME: Col = col(crate::schema::ROUTE_COLUMNS, "volume");

const T_ARMAMENT_CATEGORY: Col = col(crate::schema::TRANSFER_COLUMNS, "armament_category");
const T_COMMENTS: Col = col(crate::schema::TRANSFER_COLUMNS, "comments");
const T_DELIVERED: Col = col(crate::schema::TRANSFER_COLUMNS, "delivered");
const T_DELIVERED_ESTIMATE: Col = col(crate::schema::TRANSFER_COLUMNS, "delivered_estimate");
const T_DELIVERY_YEARS: Col = col(crate::schema::TRANSFER_COLUMNS, "delivery_years");
const T_DELIVERY_YEARS_ESTIMATE: Col =
    col(crate::schema::TRANSFER_COLUMNS, "delivery_years_estimate");
const T_DESCRIPTION: Col = col(crate::schema::TRANSFER_COLUMNS, "description");
const T_DESIGNATION: Col = col(crate::schema::TRANSFER_COLUMNS, "designation");
const T_FINANCED_BY: Col = col(crate::schema::TRANSFER_COLUMNS, "financed_by");
const T_ID: Col = col(crate::schema::TRANSFER_COLUMNS, "id");
const T_ORDER_DATE: Col = col(crate::schema::TRANSFER_COLUMNS, "order_date");
const T_ORDER_DATE_ESTIMATE: Col = col(crate::schema::TRANSFER_COLUMNS, "order_date_estimate");
const T_ORDERED: Col = col(crate::schema::TRANSFER_COLUMNS, "ordered");
const T_ORDERED_ESTIMATE: Col = col(crate::schema::TRANSFER_COLUMNS, "ordered_estimate");
const T_RECIPIENT: Col = col(crate::schema::TRANSFER_COLUMNS, "recipient");
const T_SOURCE: Col = col(crate::schema::TRANSFER_COLUMNS, "source");
const T_STATUS: Col = col(crate::schema::TRANSFER_COLUMNS, "status");
const T_SUPPLIER: Col = col(crate::schema::TRANSFER_COLUMNS, "supplier");
const T_TIV: Col = col(crate::schema::TRANSFER_COLUMNS, "tiv");
const T_VIA: Col = col(crate::schema::TRANSFER_COLUMNS, "via");

const E_DATE: Col = col(crate::schema::EVENT_COLUMNS, "date");
const E_DATE_PRECISION: Col = col(crate::schema::EVENT_COLUMNS, "date_precision");
const E_FATALITIES: Col = col(crate::schema::EVENT_COLUMNS, "fatalities");
const E_ID: Col = col(crate::schema::EVENT_COLUMNS, "id");
const E_SIDE_A: Col = col(crate::schema::EVENT_COLUMNS, "side_a");
const E_SIDE_B: Col = col(crate::schema::EVENT_COLUMNS, "side_b");
const E_SOURCE: Col = col(crate::schema::EVENT_COLUMNS, "source");
const E_TYPE: Col = col(crate::schema::EVENT_COLUMNS, "type");

// The location columns have the same positions in the seizure, looting and event tables,
// so `Checker::location` serves all three.
const _: () = {
    use crate::schema::{EVENT_COLUMNS as E, LOOTING_COLUMNS as L, column_position as at};
    let mut i = 0;
    while i < 2 {
        let t = if i == 0 { L } else { E };
        assert!(at(t, "country") == LOC_COUNTRY.index);
        assert!(at(t, "place") == LOC_PLACE.index);
        assert!(at(t, "lat") == LOC_LAT.index);
        assert!(at(t, "lon") == LOC_LON.index);
        assert!(at(t, "location_precision") == LOC_LOCATION_PRECISION.index);
        i += 1;
    }
};

/// Answers for one kind of question, by the text asked about. Short keys live inline and
/// failures are boxed, so that buckets are small and a hit reads no memory outside them.
type Answers<T> = FastMap<Text, Result<T, Box<Unresolved>>>;

/// Gazetteer answers already given, for one gazetteer: most files name the same countries
/// and places again and again. Ingestion keeps one per worker thread while it validates a
/// file. A pure memo (answers never depend on it), bounded: it starts afresh after
/// [`ResolveCache::MAX_ENTRIES`] answers.
#[derive(Debug, Default)]
pub struct ResolveCache {
    countries: Answers<CountryId>,
    refs: Answers<Resolved>,
    /// Indexed by the country (0 for none, else its index + 1) and whether admin1 is
    /// preferred, then keyed by the place text; grown on demand.
    places: Vec<[Answers<Place>; 2]>,
    /// Parties in SIPRI's conventions (see [`crate::actors`]), by text.
    actors: std::collections::HashMap<String, Option<crate::actors::Actor>>,
    entries: usize,
}

impl ResolveCache {
    /// Answers kept before the cache is emptied.
    pub const MAX_ENTRIES: usize = 1 << 16;

    /// The remembered answer about `text`, or `resolve`'s, remembered.
    fn answer<T: Clone>(
        answers: &mut Answers<T>,
        entries: &mut usize,
        text: &str,
        resolve: impl FnOnce() -> Result<T, Unresolved>,
    ) -> Result<T, Unresolved> {
        if let Some(r) = answers.get(text) {
            return r.clone().map_err(|e| *e);
        }
        let r = resolve();
        *entries += 1;
        answers.insert(text.into(), r.clone().map_err(Box::new));
        r
    }

    /// Empties the cache once it holds [`Self::MAX_ENTRIES`] answers.
    fn bound(&mut self) -> &mut Self {
        if self.entries >= Self::MAX_ENTRIES {
            *self = ResolveCache::default();
        }
        self
    }

    fn country(&mut self, g: &Gazetteer, text: &str) -> Result<CountryId, Unresolved> {
        let c = self.bound();
        Self::answer(&mut c.countries, &mut c.entries, text, || g.resolve_country(text))
    }

    /// The party a text names, if it follows one of [`crate::actors`]' conventions.
    fn actor(&mut self, g: &Gazetteer, text: &str) -> Option<crate::actors::Actor> {
        let c = self.bound();
        if let Some(a) = c.actors.get(text) {
            return a.clone();
        }
        let a = crate::actors::parse_actor(text, g).ok();
        c.entries += 1;
        c.actors.insert(text.to_string(), a.clone());
        a
    }

    fn reference(&mut self, g: &Gazetteer, text: &str) -> Result<Resolved, Unresolved> {
        let c = self.bound();
        Self::answer(&mut c.refs, &mut c.entries, text, || g.resolve_ref(text))
    }

    fn place(
        &mut self,
        g: &Gazetteer,
        text: &str,
        country: Option<CountryId>,
        prefer_admin1: bool,
    ) -> Result<Place, Unresolved> {
        let c = self.bound();
        let slot = country.map_or(0, |k| usize::from(k.0) + 1);
        if c.places.len() <= slot {
            c.places.resize_with(slot + 1, Default::default);
        }
        let answers = &mut c.places[slot][usize::from(prefer_admin1)];
        Self::answer(answers, &mut c.entries, text, || {
            g.resolve_place(text, country, prefer_admin1).map(|r| Place::new(g, r))
        })
    }
}

/// A resolved place with what a record takes from its gazetteer entry, so that a cached
/// answer needs no further read of the (large) city table.
#[derive(Debug, Clone, Copy)]
struct Place {
    resolved: Resolved,
    country: CountryId,
    admin1: Option<Admin1Id>,
    point: LatLon,
}

impl Place {
    fn new(g: &Gazetteer, resolved: Resolved) -> Place {
        let admin1 = match resolved {
            Resolved::City(c) => g.cities()[c.0 as usize].admin1,
            Resolved::Admin1(a) => Some(a),
            Resolved::Country(_) => None,
        };
        Place { resolved, country: g.country_of(resolved), admin1, point: g.point_of(resolved) }
    }
}

/// The largest count accepted (2^53: every whole number up to it is exact as a double).
pub const MAX_COUNT: u64 = 1 << 53;

/// Parses a number as `str::parse::<f64>` does (the same accepted forms and the same
/// correctly rounded value), with the faster parser polars' CSV reader uses.
pub(crate) fn parse_f64(text: &str) -> Result<f64, fast_float2::Error> {
    fast_float2::parse(text)
}

struct Acc<'a, 'c> {
    fields: &'a Fields<'a>,
    problems: Vec<Problem>,
    cache: &'c mut ResolveCache,
}

impl<'a> Acc<'a, '_> {
    fn get(&self, c: Col) -> Option<&'a str> {
        self.fields.get(c.index).copied().flatten()
    }

    fn push(&mut self, column: &str, value: &str, reason: Reason, detail: impl Into<String>) {
        self.problems.push(Problem::new(column, value, reason, detail));
    }

    fn text(&self, c: Col) -> Option<Text> {
        self.get(c).map(Text::from)
    }

    fn required(&mut self, c: Col) -> Option<&'a str> {
        let v = self.get(c);
        if v.is_none() {
            let name = c.name;
            self.push(name, "", Reason::Missing, format!("{name} is required"));
        }
        v
    }

    fn number(&mut self, c: Col) -> Option<f64> {
        let (name, v) = (c.name, self.get(c)?);
        match parse_f64(v) {
            Ok(x) if x.is_finite() => Some(x),
            // A number written out in digits (`1e400`, 400 nines) that no double holds.
            Ok(_) if v.bytes().any(|b| b.is_ascii_digit()) => {
                self.push(
                    name,
                    v,
                    Reason::OutOfRange,
                    format!("{name} is too large (beyond +-1.8e308)"),
                );
                None
            }
            Ok(_) => {
                self.push(name, v, Reason::NotFinite, format!("{name} must be a finite number"));
                None
            }
            Err(_) => {
                self.push(name, v, Reason::NotANumber, format!("{name} is not a number"));
                None
            }
        }
    }

    fn count(&mut self, c: Col) -> Option<u64> {
        let (name, raw) = (c.name, self.get(c)?);
        let too_large = |a: &mut Self| {
            a.push(
                name,
                raw,
                Reason::OutOfRange,
                format!("{name} must be at most {MAX_COUNT} (2^53)"),
            );
            None
        };
        // Plain digits (the usual case) need no float parse.
        if raw.bytes().all(|b| b.is_ascii_digit()) {
            return match raw.parse::<u64>() {
                Ok(n) if n <= MAX_COUNT => Some(n),
                // Whole, but more than a count can be (or than 64 bits hold).
                _ => too_large(self),
            };
        }
        let x = self.number(c)?;
        if x < 0.0 {
            self.push(name, raw, Reason::OutOfRange, format!("{name} must be >= 0"));
            None
        } else if x.fract() != 0.0 {
            self.push(name, raw, Reason::NotAnInteger, format!("{name} must be a whole number"));
            None
        } else if x > MAX_COUNT as f64 {
            too_large(self)
        } else {
            Some(x as u64)
        }
    }

    fn unit(&mut self, c: Col) -> Option<f64> {
        let (name, raw) = (c.name, self.get(c)?);
        let x = self.number(c)?;
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.push(name, raw, Reason::OutOfRange, format!("{name} must lie in [0, 1]"));
            None
        }
    }

    fn date(&mut self, c: Col, today: NaiveDate) -> Option<PartialDate> {
        let (name, raw) = (c.name, self.get(c)?);
        match raw.parse::<PartialDate>() {
            Ok(d) if d.starts_after(today) => {
                self.push(
                    name,
                    raw,
                    Reason::FutureDate,
                    format!("{name} {raw} is after the day of the run"),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                let reason = match e {
                    crate::date::DateError::YearRange => Reason::OutOfRange,
                    _ => Reason::InvalidDate,
                };
                self.push(name, raw, reason, format!("{name}: {e}"));
                None
            }
        }
    }

    /// A yes/no column: `yes`, `y`, `true`, `1` and SIPRI's uncertainty mark `?` are yes;
    /// `no`, `n`, `false`, `0` and an empty cell are no.
    fn flag(&mut self, c: Col) -> bool {
        let Some(raw) = self.get(c) else { return false };
        match raw.to_ascii_lowercase().as_str() {
            "?" | "yes" | "y" | "true" | "1" => true,
            "no" | "n" | "false" | "0" => false,
            _ => {
                let name = c.name;
                self.push(
                    name,
                    raw,
                    Reason::InvalidFlag,
                    format!("{name} must be yes or no (or '?' for an estimate), not {raw:?}"),
                );
                false
            }
        }
    }

    fn vocab<T>(
        &mut self,
        c: Col,
        parse: fn(&str) -> Option<T>,
        spellings: &[&str],
        reason: Reason,
    ) -> Option<T> {
        let (name, raw) = (c.name, self.get(c)?);
        let v = parse(raw);
        if v.is_none() {
            let suggestion = closest(raw, spellings)
                .map(|s| format!("; did you mean {s:?}?"))
                .unwrap_or_default();
            self.push(
                name,
                raw,
                reason,
                format!("{name} {raw:?} is not in the vocabulary{suggestion}"),
            );
        }
        v
    }
}

fn closest<'s>(text: &str, options: &[&'s str]) -> Option<&'s str> {
    let key = crate::schema::vocab_key(text);
    options
        .iter()
        .map(|o| (strsim::jaro_winkler(&key, &crate::schema::vocab_key(o)), *o))
        .filter(|(s, _)| *s >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

impl<'g> Checker<'g> {
    fn country(&self, acc: &mut Acc<'_, '_>, c: Col) -> Option<crate::geo::CountryId> {
        let (name, raw) = (c.name, acc.get(c)?);
        match acc.cache.country(self.gazetteer, raw) {
            Ok(c) => Some(c),
            Err(e) => {
                acc.push(name, raw, Reason::UnknownCountry, e.to_string());
                None
            }
        }
    }

    /// A route endpoint: a place or country, or else a party in the conventions of
    /// [`crate::actors`] that has a country (an armed group operating there, a historical
    /// state's successor): its country, with the party kept. A party without a country (an
    /// organisation, an unknown party) cannot be a leg's end and is rejected as
    /// `no_location`, saying so.
    fn endpoint(
        &self,
        acc: &mut Acc<'_, '_>,
        name: &str,
        raw: &str,
    ) -> Option<(Resolved, Option<crate::actors::ActorRef>)> {
        use crate::actors::{ActorKind, ActorRef};
        match acc.cache.reference(self.gazetteer, raw) {
            Ok(r) => return Some((r, None)),
            Err(crate::geo::gazetteer::Unresolved::Country { .. }) => {}
            Err(_) => return self.reference(acc, name, raw).map(|r| (r, None)),
        }
        match acc.cache.actor(self.gazetteer, raw) {
            Some(actor) => match actor.country {
                Some(c) => {
                    let party = (actor.kind != ActorKind::State).then(|| ActorRef {
                        name: Text::from(actor.name.as_str()),
                        kind: actor.kind,
                    });
                    Some((Resolved::Country(c), party))
                }
                None => {
                    acc.push(
                        name,
                        raw,
                        Reason::NoLocation,
                        format!(
                            "{:?} is {} with no country: a route leg needs a place at each end",
                            actor.name,
                            match actor.kind {
                                ActorKind::Organisation => "an organisation",
                                ActorKind::Unknown => "an unknown party",
                                _ => "an armed group whose name gives no country",
                            }
                        ),
                    );
                    None
                }
            },
            None => self.reference(acc, name, raw).map(|r| (r, None)),
        }
    }

    /// A party of a transfer: a state, a historical state, or a party in SIPRI's
    /// conventions; anything else is `unknown_actor`, with the closest country as a
    /// suggestion.
    fn party(&self, acc: &mut Acc<'_, '_>, c: Col) -> Option<Party> {
        let raw = acc.get(c)?;
        match acc.cache.actor(self.gazetteer, raw) {
            Some(a) => {
                Some(Party { name: Text::from(a.name.as_str()), kind: a.kind, country: a.country })
            }
            None => {
                let detail = match crate::actors::parse_actor(raw, self.gazetteer) {
                    Err(e) => e.to_string(),
                    Ok(_) => format!("{raw:?} is not a party"),
                };
                acc.push(c.name, raw, Reason::UnknownActor, detail);
                None
            }
        }
    }

    /// Delivery years: `2019; 2020`, each optionally with its number (`2020:12`,
    /// `2020 (12)`), in increasing order, a year given twice summed.
    fn deliveries(&self, acc: &mut Acc<'_, '_>) -> Vec<Delivery> {
        let mut out: Vec<Delivery> = Vec::new();
        let this_year = chrono::Datelike::year(&self.today);
        for item in self.list(acc, T_DELIVERY_YEARS) {
            let (year, items) = match item.split_once([':', '(']) {
                Some((y, n)) => (y.trim(), Some(n.trim().trim_end_matches(')').trim())),
                None => (item, None),
            };
            let year = match year.parse::<i32>() {
                Ok(y) if (1800..=this_year).contains(&y) => y,
                Ok(y) if y > this_year => {
                    acc.push(
                        "delivery_years",
                        item,
                        Reason::FutureDate,
                        format!("delivery year {y} is after the day of the run"),
                    );
                    continue;
                }
                _ => {
                    acc.push(
                        "delivery_years",
                        item,
                        Reason::InvalidDate,
                        "a delivery year is a year (1800 or later), optionally with its number: 2020:12",
                    );
                    continue;
                }
            };
            let items = match items.map(str::parse::<u64>) {
                None => None,
                Some(Ok(n)) => Some(n),
                Some(Err(_)) => {
                    acc.push(
                        "delivery_years",
                        item,
                        Reason::NotAnInteger,
                        "the number after a delivery year must be a whole number >= 0",
                    );
                    continue;
                }
            };
            match out.iter_mut().find(|d| d.year == year) {
                Some(d) => {
                    d.items = match (d.items, items) {
                        (Some(a), Some(b)) => Some(a + b),
                        (a, b) => a.or(b),
                    }
                }
                None => out.push(Delivery { year, items }),
            }
        }
        out.sort_by_key(|d| d.year);
        out
    }

    fn reference(&self, acc: &mut Acc<'_, '_>, name: &str, raw: &str) -> Option<Resolved> {
        match acc.cache.reference(self.gazetteer, raw) {
            Ok(r) => Some(r),
            Err(e) => {
                let reason = match e {
                    crate::geo::gazetteer::Unresolved::Country { .. } => Reason::UnknownCountry,
                    crate::geo::gazetteer::Unresolved::Place { .. } => Reason::UnknownPlace,
                    crate::geo::gazetteer::Unresolved::Ambiguous { .. } => Reason::AmbiguousPlace,
                };
                acc.push(name, raw, reason, e.to_string());
                None
            }
        }
    }

    fn list<'a>(&self, acc: &Acc<'a, '_>, c: Col) -> Vec<&'a str> {
        acc.get(c)
            .map(|v| {
                v.split(self.list_separator).map(str::trim).filter(|s| !s.is_empty()).collect()
            })
            .unwrap_or_default()
    }

    fn location(&self, acc: &mut Acc<'_, '_>) -> Option<(Location, bool)> {
        let before = acc.problems.len();
        let country = self.country(acc, LOC_COUNTRY);
        let stated = acc.vocab(
            LOC_LOCATION_PRECISION,
            LocationPrecision::parse,
            LocationPrecision::spellings(),
            Reason::UnknownPrecision,
        );
        let (lat_raw, lon_raw) = (acc.get(LOC_LAT), acc.get(LOC_LON));
        let mut point = None;
        match (lat_raw, lon_raw) {
            (None, None) => {}
            (Some(_), None) => acc.push("lon", "", Reason::Missing, "lat is given but lon is not"),
            (None, Some(_)) => acc.push("lat", "", Reason::Missing, "lon is given but lat is not"),
            (Some(la), Some(lo)) => {
                let (lat, lon) = (acc.number(LOC_LAT), acc.number(LOC_LON));
                if let (Some(lat), Some(lon)) = (lat, lon) {
                    match LatLon::new(lat, lon) {
                        Ok(p) => point = Some(p),
                        Err(e) => {
                            let (col, raw) = if matches!(e, crate::geo::CoordError::Longitude(_)) {
                                ("lon", lo)
                            } else {
                                ("lat", la)
                            };
                            acc.push(col, raw, Reason::OutOfRange, e.to_string());
                        }
                    }
                }
            }
        }
        if acc.problems.len() > before {
            return None;
        }
        let g = self.gazetteer;
        let mut resolved_place = None;
        let place = acc.text(LOC_PLACE);
        if let Some(p) = &place {
            match acc.cache.place(g, p, country, stated == Some(LocationPrecision::Admin1)) {
                Ok(r) => resolved_place = Some(r),
                // With coordinates the place name is only a label; without, it must resolve.
                Err(_) if point.is_some() => {}
                Err(e) => {
                    let reason = if matches!(e, crate::geo::gazetteer::Unresolved::Ambiguous { .. })
                    {
                        Reason::AmbiguousPlace
                    } else {
                        Reason::UnknownPlace
                    };
                    acc.push("place", p, reason, e.to_string());
                    return None;
                }
            }
        }
        let country = match (country, resolved_place, point) {
            (Some(c), _, _) => c,
            (None, Some(r), _) => r.country,
            (None, None, Some(p)) => match g.country_at(p) {
                Some(c) => c,
                None => {
                    acc.push(
                        "lat",
                        &format!("{}, {}", p.lat(), p.lon()),
                        Reason::CoordinatesMismatch,
                        "coordinates lie in no country: give the country",
                    );
                    return None;
                }
            },
            (None, None, None) => {
                acc.push("country", "", Reason::NoLocation, "no country, place or coordinates");
                return None;
            }
        };
        if let Some(p) = point {
            // Far from the stated country's extent: wrong if the point lies in another
            // country, or far out at sea (sea interdictions are often reported under the
            // flag or destination country, so moderately distant sea points pass).
            let far = !g.near_country(country, p, self.country_margin_deg)
                && (g.country_at(p).is_some_and(|c| c != country)
                    || !g.near_country(country, p, 4.0 * self.country_margin_deg));
            if far {
                acc.push(
                    "lat",
                    &format!("{}, {}", p.lat(), p.lon()),
                    Reason::CoordinatesMismatch,
                    format!(
                        "coordinates lie far outside {} (more than {} degrees from its extent)",
                        g.country(country).iso3,
                        self.country_margin_deg
                    ),
                );
                return None;
            }
        }
        let (city, admin1) = match resolved_place {
            Some(Place { resolved: Resolved::City(c), admin1, .. }) => (Some(c), admin1),
            Some(Place { resolved: Resolved::Admin1(a), .. }) => (None, Some(a)),
            _ => (None, None),
        };
        let supported = if point.is_some() {
            LocationPrecision::Exact
        } else if city.is_some() {
            LocationPrecision::Place
        } else if admin1.is_some() {
            LocationPrecision::Admin1
        } else {
            LocationPrecision::Country
        };
        let (precision, downgraded) = match stated {
            Some(s) if s.rank() <= supported.rank() => (s, false),
            Some(_) => (supported, true),
            None => (supported, false),
        };
        let point = match (point, resolved_place) {
            (Some(p), _) => p,
            (None, Some(r)) if city.is_some() || admin1.is_some() => r.point,
            _ => g.country(country).point,
        };
        Some((Location { country, admin1, city, place, point, precision }, downgraded))
    }

    /// Validates one seizure row; `cache` must have been used with this checker's
    /// gazetteer only.
    pub fn seizure(
        &self,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(Seizure, RowNotes), Vec<Problem>> {
        let mut a = Acc { fields, problems: Vec::new(), cache };
        let id = a.required(S_ID).map(Text::from);
        let date = if a.required(S_DATE).is_some() { a.date(S_DATE, self.today) } else { None };
        let location = self.location(&mut a);
        let category =
            a.vocab(S_CATEGORY, Category::parse, Category::spellings(), Reason::UnknownCategory);
        let quantity = a.count(S_QUANTITY);
        let rounds = a.count(S_ROUNDS);
        let com = self.country(&mut a, S_COUNTRY_OF_MANUFACTURE);
        let lli = self.country(&mut a, S_LAST_LEGAL_IMPORT);
        let mut origin = Vec::new();
        for o in self.list(&a, S_ORIGIN) {
            if let Some(r) = self.reference(&mut a, "origin", o) {
                let c = self.gazetteer.country_of(r);
                if !origin.contains(&c) {
                    origin.push(c);
                }
            }
        }
        let mut transit = Vec::new();
        for t in self.list(&a, S_TRANSIT) {
            if let Some(r) = self.reference(&mut a, "transit", t) {
                transit.push(r);
            }
        }
        let destination =
            a.get(S_DESTINATION).and_then(|d| self.reference(&mut a, "destination", d));
        let mode = a.vocab(
            S_TRANSPORT_MODE,
            TransportMode::parse,
            TransportMode::spellings(),
            Reason::UnknownTransportMode,
        );
        let confidence = a.unit(S_CONFIDENCE);
        match (id, date, location) {
            (Some(id), Some(date), Some((location, downgraded))) if a.problems.is_empty() => Ok((
                Seizure {
                    id,
                    date,
                    location,
                    category,
                    quantity,
                    rounds,
                    make: a.text(S_MAKE),
                    model: a.text(S_MODEL),
                    calibre: a.text(S_CALIBRE),
                    serial: a.text(S_SERIAL),
                    lot: a.text(S_LOT),
                    country_of_manufacture: com,
                    last_legal_import: lli,
                    origin,
                    transit,
                    destination,
                    traced_incident_id: a.text(S_TRACED_INCIDENT_ID),
                    transport_mode: mode,
                    source: a.text(S_SOURCE),
                    possessor: a.text(S_POSSESSOR),
                    confidence,
                    row,
                },
                RowNotes { precision_downgraded: downgraded },
            )),
            _ => Err(a.problems),
        }
    }

    /// Validates one looting-incident row; `cache` must have been used with this checker's
    /// gazetteer only.
    pub fn looting(
        &self,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(LootingIncident, RowNotes), Vec<Problem>> {
        let mut a = Acc { fields, problems: Vec::new(), cache };
        let id = a.required(L_ID).map(Text::from);
        let date = if a.required(L_DATE).is_some() { a.date(L_DATE, self.today) } else { None };
        let location = self.location(&mut a);
        let weapons_looted = a.count(L_WEAPONS_LOOTED);
        let rounds_looted = a.count(L_ROUNDS_LOOTED);
        let recovered = a.count(L_RECOVERED);
        let mut categories = Vec::new();
        for c in self.list(&a, L_CATEGORIES) {
            match Category::parse(c) {
                Some(c) if !categories.contains(&c) => categories.push(c),
                Some(_) => {}
                None => {
                    let s = closest(c, Category::spellings())
                        .map(|s| format!("; did you mean {s:?}?"))
                        .unwrap_or_default();
                    a.push(
                        "categories",
                        c,
                        Reason::UnknownCategory,
                        format!("category {c:?} is not in the vocabulary{s}"),
                    );
                }
            }
        }
        let mut serial_ranges = Vec::new();
        for r in self.list(&a, L_SERIAL_RANGES) {
            match SerialRange::parse(r) {
                Some(r) => serial_ranges.push(r),
                // A serial number of more digits than 64 bits hold is a number out of range.
                None if r.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() > 18) => a.push(
                    "serial_ranges",
                    r,
                    Reason::OutOfRange,
                    "serial numbers in a range must have at most 18 digits",
                ),
                None => a.push(
                    "serial_ranges",
                    r,
                    Reason::InvalidSerialRange,
                    "expected model:first-last with a common prefix and first <= last",
                ),
            }
        }
        let lots = self.list(&a, L_LOTS).into_iter().map(Text::from).collect();
        let confidence = a.unit(L_CONFIDENCE);
        match (id, date, location) {
            (Some(id), Some(date), Some((location, downgraded))) if a.problems.is_empty() => Ok((
                LootingIncident {
                    id,
                    date,
                    location,
                    facility: a.text(L_FACILITY),
                    facility_type: a.text(L_FACILITY_TYPE),
                    perpetrator: a.text(L_PERPETRATOR),
                    weapons_looted,
                    rounds_looted,
                    categories,
                    serial_ranges,
                    lots,
                    recovered,
                    source: a.text(L_SOURCE),
                    confidence,
                    row,
                },
                RowNotes { precision_downgraded: downgraded },
            )),
            _ => Err(a.problems),
        }
    }

    /// Validates one route-report row; `cache` must have been used with this checker's
    /// gazetteer only.
    pub fn route(
        &self,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(RouteReport, RowNotes), Vec<Problem>> {
        let mut a = Acc { fields, problems: Vec::new(), cache };
        let id = a.required(R_ID).map(Text::from);
        let from = a.required(R_FROM).and_then(|v| self.endpoint(&mut a, "from", v));
        let to = a.required(R_TO).and_then(|v| self.endpoint(&mut a, "to", v));
        let (from, from_actor) = from.map_or((None, None), |(r, a)| (Some(r), a));
        let (to, to_actor) = to.map_or((None, None), |(r, a)| (Some(r), a));
        let mode = a.vocab(
            R_MODE,
            TransportMode::parse,
            TransportMode::spellings(),
            Reason::UnknownTransportMode,
        );
        let first = a.date(R_FIRST_REPORTED, self.today);
        let last = a.date(R_LAST_REPORTED, self.today);
        if let (Some(f), Some(l)) = (first, last)
            && f.first_day() > l.last_day()
        {
            a.push(
                "first_reported",
                &f.to_string(),
                Reason::DateOrder,
                format!("first_reported {f} is after last_reported {l}"),
            );
        }
        let reports_raw = a.get(R_REPORTS);
        let reports = a.count(R_REPORTS);
        if reports == Some(0) {
            a.push(
                "reports",
                reports_raw.unwrap_or(""),
                Reason::OutOfRange,
                "reports must be at least 1",
            );
        } else if reports.is_some_and(|r| r > u64::from(u32::MAX)) {
            a.push(
                "reports",
                reports_raw.unwrap_or(""),
                Reason::OutOfRange,
                format!("reports must be at most {}", u32::MAX),
            );
        }
        let volume_raw = a.get(R_VOLUME);
        let volume = a.number(R_VOLUME);
        if volume.is_some_and(|v| v < 0.0) {
            a.push("volume", volume_raw.unwrap_or(""), Reason::OutOfRange, "volume must be >= 0");
        }
        let confidence = a.unit(R_CONFIDENCE);
        if let (Some(f), Some(t)) = (from, to)
            && f == t
        {
            a.push(
                "to",
                a.get(R_TO).unwrap_or(""),
                Reason::OutOfRange,
                "a route leg must join two different places",
            );
        }
        match (id, from, to) {
            (Some(id), Some(from), Some(to)) if a.problems.is_empty() => Ok((
                RouteReport {
                    id,
                    from,
                    to,
                    mode,
                    first_reported: first,
                    last_reported: last,
                    reports: reports.unwrap_or(1) as u32,
                    volume,
                    confidence,
                    source: a.text(R_SOURCE),
                    from_actor,
                    to_actor,
                    row,
                },
                RowNotes::default(),
            )),
            _ => Err(a.problems),
        }
    }
}

impl<'g> Checker<'g> {
    /// Validates one transfer row; `cache` must have been used with this checker's
    /// gazetteer only.
    pub fn transfer(
        &self,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(Transfer, RowNotes), Vec<Problem>> {
        let mut a = Acc { fields, problems: Vec::new(), cache };
        let id = a.required(T_ID).map(Text::from);
        let supplier = a.required(T_SUPPLIER).and_then(|_| self.party(&mut a, T_SUPPLIER));
        let recipient = a.required(T_RECIPIENT).and_then(|_| self.party(&mut a, T_RECIPIENT));
        let via = self.party(&mut a, T_VIA);
        let financed_by = self.party(&mut a, T_FINANCED_BY);
        let order_date = a.date(T_ORDER_DATE, self.today);
        let deliveries = self.deliveries(&mut a);
        let ordered = a.count(T_ORDERED);
        let delivered = a.count(T_DELIVERED);
        let tiv_raw = a.get(T_TIV);
        let tiv = a.number(T_TIV);
        if tiv.is_some_and(|v| v < 0.0) {
            a.push("tiv", tiv_raw.unwrap_or(""), Reason::OutOfRange, "tiv must be >= 0");
        }
        let flags = [
            a.flag(T_ORDER_DATE_ESTIMATE),
            a.flag(T_DELIVERY_YEARS_ESTIMATE),
            a.flag(T_ORDERED_ESTIMATE),
            a.flag(T_DELIVERED_ESTIMATE),
        ];
        let (mut status, mut aid) = (None, false);
        for item in self.list(&a, T_STATUS) {
            if item.eq_ignore_ascii_case("aid") {
                aid = true;
            } else if let Some(s) = TransferStatus::parse(item) {
                status = Some(s);
            } else {
                let s = closest(item, TransferStatus::spellings())
                    .map(|s| format!("; did you mean {s:?}?"))
                    .unwrap_or_default();
                a.push(
                    "status",
                    item,
                    Reason::UnknownStatus,
                    format!("status {item:?} is not new, second_hand, modernised or aid{s}"),
                );
            }
        }
        let comments = a.text(T_COMMENTS);
        if let Some(c) = &comments {
            aid |= c.split(';').any(|i| i.trim().eq_ignore_ascii_case("aid"));
        }
        match (id, supplier, recipient) {
            (Some(id), Some(supplier), Some(recipient)) if a.problems.is_empty() => Ok((
                Transfer {
                    id,
                    supplier,
                    recipient,
                    order_date,
                    order_date_estimate: flags[0],
                    deliveries,
                    delivery_years_estimate: flags[1],
                    designation: a.text(T_DESIGNATION),
                    description: a.text(T_DESCRIPTION),
                    armament_category: a.text(T_ARMAMENT_CATEGORY),
                    ordered,
                    ordered_estimate: flags[2],
                    delivered,
                    delivered_estimate: flags[3],
                    tiv,
                    status,
                    aid,
                    via,
                    financed_by,
                    comments,
                    source: a.text(T_SOURCE),
                    row,
                },
                RowNotes::default(),
            )),
            _ => Err(a.problems),
        }
    }

    /// Validates one conflict-event row; `cache` must have been used with this checker's
    /// gazetteer only.
    pub fn event(
        &self,
        fields: &Fields<'_>,
        row: RowRef,
        cache: &mut ResolveCache,
    ) -> Result<(ConflictEvent, RowNotes), Vec<Problem>> {
        let mut a = Acc { fields, problems: Vec::new(), cache };
        let id = a.required(E_ID).map(Text::from);
        let date = if a.required(E_DATE).is_some() { a.date(E_DATE, self.today) } else { None };
        let location = self.location(&mut a);
        let precision = a.vocab(
            E_DATE_PRECISION,
            EventDatePrecision::parse,
            EventDatePrecision::spellings(),
            Reason::UnknownPrecision,
        );
        let fatalities = a.count(E_FATALITIES);
        match (id, date, location) {
            (Some(id), Some(date), Some((location, downgraded))) if a.problems.is_empty() => {
                use crate::date::DatePrecision as P;
                let date_precision = precision.unwrap_or(match date.precision() {
                    P::Day => EventDatePrecision::Day,
                    P::Month => EventDatePrecision::Month,
                    P::Year => EventDatePrecision::Year,
                });
                let date = date.truncate(match date_precision {
                    EventDatePrecision::Day | EventDatePrecision::Week => P::Day,
                    EventDatePrecision::Month => P::Month,
                    EventDatePrecision::Year => P::Year,
                });
                Ok((
                    ConflictEvent {
                        id,
                        date,
                        date_precision,
                        location,
                        event_type: a.text(E_TYPE),
                        side_a: a.text(E_SIDE_A),
                        side_b: a.text(E_SIDE_B),
                        fatalities,
                        source: a.text(E_SOURCE),
                        row,
                    },
                    RowNotes { precision_downgraded: downgraded },
                ))
            }
            _ => Err(a.problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;
    use proptest::prelude::*;

    /// The same answer as the standard library, bit for bit (NaN as NaN).
    fn same_as_std(text: &str) -> Result<(), String> {
        let (ours, std) = (parse_f64(text).ok(), text.parse::<f64>().ok());
        let same = match (ours, std) {
            (Some(a), Some(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (a, b) => a.is_none() && b.is_none(),
        };
        if same { Ok(()) } else { Err(format!("{text:?}: {ours:?} vs {std:?}")) }
    }

    #[test]
    fn numbers_parse_as_the_standard_library_does() {
        // Separated by `|`; the first case is the empty text.
        let cases = concat!(
            "|+|-|.|e5|1.|.5|-.5|+1|1e|1e+|1e5|1E-5|1.5e308|1e309|-1e309|4.9e-324|",
            "2e-324|inf|-inf|+Infinity|INF|infinity|nan|NaN|-nan|0x10|1_000|1,5| 1|",
            "1 |--1|1.2.3|١|0|-0|00012.50|29.5531|106.2348|0.61|9007199254740993|",
            "123456789012345678901234567890|0.000000000000000000000000000001",
        );
        for text in cases.split('|') {
            same_as_std(text).unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(5000) })]
        #[test]
        fn any_numeric_text_parses_as_the_standard_library_does(
            text in "[-+]?[0-9]{0,22}(\\.[0-9]{0,22})?([eE][-+]?[0-9]{0,4})?|[-+. 0-9eEinfatyINFATY_,x]{0,12}"
        ) {
            prop_assert!(same_as_std(&text).is_ok(), "{}", same_as_std(&text).unwrap_err());
        }

        #[test]
        fn any_float_written_out_reads_back_the_same(x in any::<f64>()) {
            for text in [x.to_string(), format!("{x:e}"), format!("{x:.3}")] {
                prop_assert!(same_as_std(&text).is_ok(), "{}", same_as_std(&text).unwrap_err());
            }
        }
    }
}
