//! Row validation: raw text fields in, typed records or a list of problems out.
//!
//! Every check names the schema column, the value and a [`Reason`]; a row with any problem
//! is rejected whole, with all its problems reported (one `rejected.csv` line each).
//!
//! Here: the problems, the [`Checker`] and its gazetteer memo ([`ResolveCache`]);
//! `fields`: one column's text into a typed value; `records`: a row's fields into a record
//! ([`Checker::seizure`], [`Checker::looting`], [`Checker::route`], [`Checker::transfer`],
//! [`Checker::event`]); `aid`: what a transfer's comments say about aid
//! ([`aid_in_comments`]).

mod aid;
mod fields;
mod records;

pub use aid::{AidMention, aid_in_comments};

use chrono::NaiveDate;

use crate::geo::gazetteer::{FastMap, Unresolved};
use crate::geo::{Admin1Id, CountryId, Gazetteer, LatLon, Resolved};
use crate::records::Text;

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
    /// A CSV or NDJSON row longer than divnet reads in one line, or with a field longer
    /// than it reads in one field (`ingest::rows::MAX_LINE_BYTES`, `MAX_FIELD_BYTES`).
    TooLong,
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
    pub const ALL: [Reason; 27] = [
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
        Reason::TooLong,
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
            Reason::TooLong => "too_long",
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
    /// The offending value, cut to 200 bytes ([`crate::text::clip`]).
    pub value: String,
    /// Why.
    pub reason: Reason,
    /// A sentence for people.
    pub detail: String,
}

impl Problem {
    /// A problem, with the value shortened for the table.
    pub fn new(column: &str, value: &str, reason: Reason, detail: impl Into<String>) -> Problem {
        let value = crate::text::clip(value).into_owned();
        // A sentence may quote the value (or a part of it): bounded here, for all of them.
        let detail: String = detail.into();
        let detail = crate::text::clip_to(&detail, 4 * crate::text::QUOTE_BYTES).into_owned();
        Problem { column: column.to_string(), value, reason, detail }
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
    /// How parties are read (the user's aliases over the built-in crosswalks).
    pub actors: &'g crate::actors::Actors,
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
    fn actor(
        &mut self,
        actors: &crate::actors::Actors,
        g: &Gazetteer,
        text: &str,
    ) -> Option<crate::actors::Actor> {
        let c = self.bound();
        if let Some(a) = c.actors.get(text) {
            return a.clone();
        }
        let a = actors.parse(text, g).ok();
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

#[cfg(test)]
mod tests {
    use super::parse_f64;

    #[test]
    fn a_problem_quotes_a_few_hundred_bytes_of_a_huge_value_at_most() {
        let huge = "é".repeat(5 << 20); // 10 MiB
        let p = super::Problem::new(
            "category",
            &huge,
            super::Reason::UnknownCategory,
            format!("category {huge:?} is not in the vocabulary"),
        );
        assert!(p.value.len() < 230 && p.value.ends_with("…(10485760 bytes)"), "{}", p.value);
        assert!(p.detail.len() < 830 && p.detail.starts_with("category \"éé"), "{}", p.detail);
        let short = super::Problem::new("c", "x", super::Reason::Missing, "c is required");
        assert_eq!((short.value.as_str(), short.detail.as_str()), ("x", "c is required"));
    }
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
