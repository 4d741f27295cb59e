//! The reading rules of an input: its format, header row, text encoding, single-character
//! settings (delimiter, list separator, stray trailing character) and row filters; and
//! what becomes of records found in two inputs of a kind ([`DuplicatePolicy`]). Each is
//! parsed once, when the config is read, into a value that cannot be wrong; the config
//! (`[[inputs.<kind>]]`), the source presets and ingestion share them.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The `columns.id` value that makes each row's id from its file name and line number,
/// for sources without ids (SIPRI's trade register): `seizures_2024.csv:57`.
pub const LINE_ID: &str = "@line";

/// What becomes of a record that describes the same thing as a record of another input of
/// its kind (`run.duplicates`; docs/sources.md, "Records in two inputs"): each such pair is
/// listed in the `duplicates` table either way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DuplicatePolicy {
    /// Counted once: the later record is dropped (for a SIPRI deal in both exports, the
    /// newer export's rows).
    #[default]
    Drop,
    /// Both kept, as read (`kept_both` in the table).
    Keep,
}

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma- (or `delimiter`-) separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Newline-delimited JSON objects.
    Ndjson,
    /// A GeoJSON FeatureCollection of points.
    Geojson,
    /// A spreadsheet workbook: XLSX, XLSM, XLSB, XLS or ODS (one sheet, `sheet`; formulas
    /// read as their saved values, never evaluated).
    Spreadsheet,
}

impl Format {
    /// Guesses the format from a file name's extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            "parquet" | "pq" => Some(Format::Parquet),
            "ndjson" | "jsonl" | "json" => Some(Format::Ndjson),
            "geojson" => Some(Format::Geojson),
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => Some(Format::Spreadsheet),
            _ => None,
        }
    }

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Ndjson => "ndjson",
            Format::Geojson => "geojson",
            Format::Spreadsheet => "spreadsheet",
        }
    }
}

/// What a row filter keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RowFilter {
    /// The value (trimmed) is one of these: texts compared exactly, numbers as numbers.
    Values(Vec<FilterValue>),
    /// The value is a number within these bounds (inclusive); a value that is not a number
    /// fails.
    Range(FilterRange),
}

/// One accepted value of a row filter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    /// A number: matches a value that parses to it (`2015` matches `2015` and `2015.0`).
    Number(f64),
    /// A text: matches the same text.
    Text(String),
}

/// The bounds of a range filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilterRange {
    /// Smallest value kept.
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest value kept.
    #[serde(default)]
    pub max: Option<f64>,
}

impl RowFilter {
    /// Whether a row whose filtered column holds `value` (trimmed; `None` when empty or
    /// absent) is kept.
    ///
    /// ```
    /// use divnet::inputs::rules::{FilterRange, FilterValue, RowFilter};
    /// let types = RowFilter::Values(vec![FilterValue::Text("Looting/property destruction".into())]);
    /// assert!(types.keeps(Some("Looting/property destruction")));
    /// assert!(!types.keeps(Some("Armed clash")) && !types.keeps(None));
    /// let years = RowFilter::Range(FilterRange { min: Some(2015.0), max: None });
    /// assert!(years.keeps(Some("2015")) && !years.keeps(Some("2014")) && !years.keeps(Some("n/a")));
    /// assert!(RowFilter::Values(vec![FilterValue::Number(7.0)]).keeps(Some("7.0")));
    /// ```
    pub fn keeps(&self, value: Option<&str>) -> bool {
        let Some(v) = value.map(str::trim) else { return false };
        let number = || v.parse::<f64>().ok().filter(|x| x.is_finite());
        match self {
            RowFilter::Values(vals) => vals.iter().any(|f| match f {
                FilterValue::Text(t) => t == v,
                FilterValue::Number(n) => number() == Some(*n),
            }),
            RowFilter::Range(r) => number()
                .is_some_and(|x| r.min.is_none_or(|m| x >= m) && r.max.is_none_or(|m| x <= m)),
        }
    }
}

/// Which line of a CSV file holds the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRow {
    /// Found among the first 50 lines from the expected column names.
    Auto,
    /// This line (1-based).
    Line(u64),
}

impl Serialize for HeaderRow {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            HeaderRow::Auto => s.serialize_str("auto"),
            HeaderRow::Line(n) => s.serialize_u64(*n),
        }
    }
}

impl<'de> Deserialize<'de> for HeaderRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = HeaderRow;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a line number (1 = the first line) or \"auto\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<HeaderRow, E> {
                match v {
                    "auto" => Ok(HeaderRow::Auto),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<HeaderRow, E> {
                match u64::try_from(v) {
                    Ok(n) if n >= 1 => Ok(HeaderRow::Line(n)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<HeaderRow, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(-1))
            }
        }
        d.deserialize_any(V)
    }
}

/// The text encoding of a CSV file: `auto` or an encoding known by its WHATWG label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8, else Windows-1252 (see [`crate::inputs::InputSpec::encoding`]).
    Auto,
    /// This encoding.
    Named(&'static encoding_rs::Encoding),
}

impl Serialize for TextEncoding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TextEncoding::Auto => s.serialize_str("auto"),
            TextEncoding::Named(e) => s.serialize_str(&e.name().to_ascii_lowercase()),
        }
    }
}

impl<'de> Deserialize<'de> for TextEncoding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let label = String::deserialize(d)?;
        if label.eq_ignore_ascii_case("auto") {
            return Ok(TextEncoding::Auto);
        }
        match encoding_rs::Encoding::for_label(label.trim().as_bytes()) {
            // UTF-16 files are refused as binary by the CSV reader; say so now.
            Some(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                Err(serde::de::Error::custom(format!(
                    "encoding {label:?}: UTF-16 files are not read; save the file as UTF-8"
                )))
            }
            Some(e) => Ok(TextEncoding::Named(e)),
            None => Err(serde::de::Error::custom(format!(
                "unknown encoding {label:?}: use \"auto\", \"utf-8\", \"windows-1252\" or another WHATWG label"
            ))),
        }
    }
}

/// Why a text is not a single-character setting (`delimiter`, `list_separator`,
/// `trailing`): the config names the key and the value with this reason.
pub const NOT_ONE_CHARACTER: &str =
    "must be one ASCII character other than a quote or a line break";

/// A text that is not one ASCII character other than a quote or a line break.
///
/// ```
/// use divnet::inputs::rules::{Delimiter, ListSeparator, Trailing};
/// assert_eq!(Delimiter::new("\t").unwrap().byte(), b'\t');
/// assert_eq!(ListSeparator::new("|").unwrap().as_char(), '|');
/// for bad in ["", ";;", "\"", "\n", "\r", "§"] {
///     assert!(Trailing::new(bad).is_err(), "{bad:?}");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", NOT_ONE_CHARACTER)]
pub struct NotOneCharacter {
    /// The text as given.
    pub value: String,
}

/// The byte of a single-character setting: one ASCII character other than a quote or a
/// line break.
fn one_character(text: &str) -> Result<u8, NotOneCharacter> {
    match text.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(NotOneCharacter { value: text.to_string() }),
    }
}

/// A single-character setting: a validated ASCII byte (not a quote or a line break),
/// written in the config as a one-character string and parsed once, when the config is
/// read.
macro_rules! one_character_setting {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(u8);

        impl $name {
            /// Parses a setting: one ASCII character other than a quote or a line break.
            pub fn new(text: &str) -> Result<Self, NotOneCharacter> {
                one_character(text).map($name)
            }

            /// The byte.
            pub fn byte(self) -> u8 {
                self.0
            }

            /// The character.
            pub fn as_char(self) -> char {
                char::from(self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = NotOneCharacter;
            fn from_str(text: &str) -> Result<Self, NotOneCharacter> {
                $name::new(text)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_char().encode_utf8(&mut [0; 4]))
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::new(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

one_character_setting!(
    /// CSV field delimiter (`delimiter`; `,` by default, `"\t"` for TSV).
    Delimiter
);

one_character_setting!(
    /// Separator of list-valued fields (`list_separator`; `;` by default): origin,
    /// transit, categories, lots.
    ListSeparator
);

one_character_setting!(
    /// A character that ends every line of a CSV file as a stray extra (`trailing`;
    /// SIPRI's newer exports end each line with `;`).
    Trailing
);

impl Delimiter {
    /// The default, `,`.
    pub const COMMA: Delimiter = Delimiter(b',');
}

impl ListSeparator {
    /// The default, `;`.
    pub const SEMICOLON: ListSeparator = ListSeparator(b';');
}

impl Trailing {
    /// `;`, as SIPRI's newer exports end their lines.
    pub const SEMICOLON: Trailing = Trailing(b';');
}
