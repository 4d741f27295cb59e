//! The inputs of a run (`[inputs]`): per record kind, the sources to read and how to read
//! them. Below both the config, which parses them, and ingestion, which reads by them.
//!
//! - [`rules`]: the reading vocabulary (format, header row, encoding, single-character
//!   settings, row filters), each parsed once;
//! - [`presets`]: the reading rules of public datasets' exports;
//! - [`file`]: reading a file whole, with a precise reason when it cannot be;
//! - here: [`InputSpec`] (one source), [`Inputs`] (all of them), how a preset fills in an
//!   input, and lexical path cleaning.

pub mod file;
pub mod presets;
pub mod rules;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::schema::TableKind;
use presets::Preset;
use rules::{Delimiter, Format, HeaderRow, ListSeparator, RowFilter, TextEncoding, Trailing};

/// `[inputs]`: one or more sources per table kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Inputs {
    /// Seizure sources.
    pub seizures: Vec<InputSpec>,
    /// Looting-incident sources.
    pub looting: Vec<InputSpec>,
    /// Route-report sources.
    pub routes: Vec<InputSpec>,
    /// Legal-transfer sources.
    pub transfers: Vec<InputSpec>,
    /// Conflict-event sources.
    pub events: Vec<InputSpec>,
}

impl Inputs {
    /// The sources of one table kind.
    pub fn of(&self, kind: TableKind) -> &Vec<InputSpec> {
        match kind {
            TableKind::Seizures => &self.seizures,
            TableKind::Looting => &self.looting,
            TableKind::Routes => &self.routes,
            TableKind::Transfers => &self.transfers,
            TableKind::Events => &self.events,
        }
    }

    /// The sources of one table kind, to change.
    pub fn of_mut(&mut self, kind: TableKind) -> &mut Vec<InputSpec> {
        match kind {
            TableKind::Seizures => &mut self.seizures,
            TableKind::Looting => &mut self.looting,
            TableKind::Routes => &mut self.routes,
            TableKind::Transfers => &mut self.transfers,
            TableKind::Events => &mut self.events,
        }
    }

    /// Every source with its kind, in table order.
    pub fn all(&self) -> impl Iterator<Item = (TableKind, &InputSpec)> {
        TableKind::ALL.into_iter().flat_map(move |k| self.of(k).iter().map(move |s| (k, s)))
    }

    /// Fills every input's unset keys from its preset, in table order.
    ///
    /// # Errors
    ///
    /// The first input whose preset does not read its kind.
    pub fn apply_presets(&mut self) -> Result<(), PresetKindError> {
        for kind in TableKind::ALL {
            for spec in self.of_mut(kind) {
                let Some(preset) = spec.preset else { continue };
                if !preset.tables().contains(&kind) {
                    return Err(PresetKindError { kind, preset });
                }
                spec.apply_preset(preset, kind);
            }
        }
        Ok(())
    }
}

/// A preset set on an input of a kind it does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this preset reads {} inputs", reads(.preset))]
pub struct PresetKindError {
    /// The input's kind.
    pub kind: TableKind,
    /// The preset.
    pub preset: Preset,
}

/// The kinds a preset reads, as `transfers or routes`.
fn reads(preset: &Preset) -> String {
    preset.tables().iter().map(|k| k.as_str()).collect::<Vec<&str>>().join(" or ")
}

/// One input source: a path or glob, its format and how its columns map onto the schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// File path or glob pattern (`data/seizures_*.csv`).
    pub path: String,
    /// Format; guessed from the extension when absent.
    #[serde(default)]
    pub format: Option<Format>,
    /// CSV field delimiter (one ASCII character, not a quote or line break; `"\t"` for
    /// TSV). Default `,`.
    #[serde(default)]
    pub delimiter: Option<Delimiter>,
    /// Separator of list-valued fields (origin, transit, categories, lots). Default `;`.
    #[serde(default)]
    pub list_separator: Option<ListSeparator>,
    /// Schema column name -> column name in the file.
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, String>,
    /// CSV and spreadsheets: the line (row) that holds the header (1 = the first), or
    /// `"auto"` (the default): the line among the first 50 that names the most expected
    /// columns, the first on a tie. Lines above it (a preamble, as in SIPRI exports and
    /// UNODC workbooks) are skipped.
    #[serde(default)]
    pub header_row: Option<HeaderRow>,
    /// Spreadsheets: the sheet to read (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
    /// CSV: the text encoding, a WHATWG label (`"utf-8"`, the default; `"windows-1252"`,
    /// `"iso-8859-1"`, ...) or `"auto"`: UTF-8, or Windows-1252 for a file that is not
    /// UTF-8 and holds no UTF-8 multi-byte character at all (the manifest says which).
    #[serde(default)]
    pub encoding: Option<TextEncoding>,
    /// CSV: one character that ends every line as a stray extra (SIPRI's newer exports end
    /// each line with `;`): removed from the end of each line before parsing.
    #[serde(default)]
    pub trailing: Option<Trailing>,
    /// Row filters: file column -> the values or the range a row must have to be read
    /// (`where = { sub_event_type = ["Looting/property destruction"], year = { min = 2015 } }`).
    /// A row that fails any is left out, neither accepted nor rejected, and counted in the
    /// manifest (`filtered` of its file).
    #[serde(default, rename = "where")]
    pub filters: std::collections::BTreeMap<String, RowFilter>,
    /// Source values replaced by schema values before a row is read, per schema column
    /// (`values = { category = { "rifle (Including Carbine)" = "rifle" } }`); values not
    /// listed are read as they are.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// A public dataset's reading rules (`sipri-register`, `sipri-transfers`, `acled`;
    /// docs/sources.md): fills in what the keys above do not set.
    #[serde(default)]
    pub preset: Option<Preset>,
}

impl InputSpec {
    /// A spec for the file (or glob) at `path`, read with the schema's own column names.
    pub fn for_path(path: impl Into<String>) -> Self {
        InputSpec {
            path: path.into(),
            format: None,
            delimiter: None,
            list_separator: None,
            columns: Default::default(),
            header_row: None,
            sheet: None,
            encoding: None,
            trailing: None,
            filters: Default::default(),
            values: Default::default(),
            preset: None,
        }
    }

    /// Fills in what this input of `kind` does not set itself from `preset`'s reading rules
    /// ([`Preset::defaults`]): every key the config writes wins over the preset's.
    pub fn apply_preset(&mut self, preset: Preset, kind: TableKind) {
        let format = self.format.or_else(|| Format::from_path(Path::new(&self.path)));
        let d = preset.defaults(kind, format);
        for (schema, source) in d.columns {
            self.columns.entry(schema.to_string()).or_insert_with(|| source.to_string());
        }
        if let Some(e) = d.encoding {
            self.encoding.get_or_insert(e);
        }
        if let Some(t) = d.trailing {
            self.trailing.get_or_insert(t);
        }
        for (column, filter) in d.filters {
            self.filters.entry(column.into()).or_insert(filter);
        }
        for (column, pairs) in d.values {
            let map = self.values.entry(column.into()).or_default();
            for (from, to) in pairs {
                map.entry((*from).into()).or_insert_with(|| (*to).into());
            }
        }
    }
}

/// Removes `.` and `name/..` components lexically (no file system access), so that
/// `datasets/demo/../../out` is reported as `out`.
pub fn clean_path(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_keys_win_over_the_preset() {
        let mut s = InputSpec::for_path("x.csv");
        s.columns.insert("first_reported".into(), "Year(s) of delivery".into());
        s.trailing = Some(Trailing::new("|").unwrap());
        s.apply_preset(Preset::SipriTransfers, TableKind::Routes);
        assert_eq!(s.columns["first_reported"], "Year(s) of delivery");
        assert_eq!(s.columns["from"], "Supplier");
        assert_eq!(s.trailing.map(Trailing::byte), Some(b'|'));
        assert_eq!(s.encoding, Some(TextEncoding::Auto));
        for p in Preset::ALL {
            // Every mapped schema column exists in each of the preset's kinds.
            for &kind in p.tables() {
                for (c, _) in p.columns(kind) {
                    assert!(kind.column_index(c).is_some(), "{} {kind} {c}", p.as_str());
                }
                let mut spec = InputSpec::for_path("x.csv");
                spec.apply_preset(p, kind);
                for c in spec.values.keys() {
                    assert!(kind.column_index(c).is_some(), "{} {kind} values.{c}", p.as_str());
                }
            }
        }
    }
}
