//! Source presets: the reading rules of a public dataset's export, set on an input with
//! `preset = "..."` (docs/sources.md has the upstream columns, what maps where and what is
//! left out, per preset).
//!
//! A preset fills in what its input does not say itself: format, encoding, a stray trailing
//! character, column names, row filters. Every key written in the config wins over the
//! preset's. The citation the publisher asks for is carried into the figure captions and the
//! report of every run that reads such an input.

use serde::{Deserialize, Serialize};

use crate::config::{FilterValue, InputSpec, RowFilter, TextEncoding};
use crate::schema::TableKind;

/// A source preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// SIPRI Arms Transfers Database, trade-register export, read as route reports
    /// (supplier -> recipient).
    SipriRegister,
    /// SIPRI Arms Transfers Database, newer transfers export (one row per delivery year),
    /// read as route reports.
    SipriTransfers,
    /// ACLED events, the looting ones (`sub_event_type` "Looting/property destruction"),
    /// read as looting incidents.
    Acled,
    /// UNODC Illicit Arms Flows Questionnaire data workbook: "Arms seized, by type" rows as
    /// aggregate seizures per country, year and weapon type (never the `Total` rows, so
    /// nothing is counted twice).
    UnodcIafq,
}

impl Preset {
    /// The name written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::SipriRegister => "sipri-register",
            Preset::SipriTransfers => "sipri-transfers",
            Preset::Acled => "acled",
            Preset::UnodcIafq => "unodc-iafq",
        }
    }

    /// The record kind its rows are read as.
    pub fn table(self) -> TableKind {
        match self {
            Preset::SipriRegister | Preset::SipriTransfers => TableKind::Routes,
            Preset::Acled => TableKind::Looting,
            Preset::UnodcIafq => TableKind::Seizures,
        }
    }

    /// The citation the publisher asks for, shown in captions and the report.
    pub fn citation(self) -> &'static str {
        match self {
            Preset::SipriRegister | Preset::SipriTransfers => {
                "SIPRI Arms Transfers Database, Stockholm International Peace Research Institute"
            }
            Preset::Acled => "Armed Conflict Location & Event Data (ACLED), acleddata.com",
            Preset::UnodcIafq => "UNODC, Illicit Arms Flows Questionnaire (IAFQ)",
        }
    }

    /// Schema column -> the source's column.
    fn columns(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Preset::SipriRegister => &[
                ("id", crate::ingest::LINE_ID),
                ("from", "Supplier"),
                ("to", "Recipient"),
                ("first_reported", "Year of order"),
            ],
            // One row per deal and delivery year: the deal id repeats, so rows are numbered
            // by line and the deal id kept as the row's source.
            Preset::SipriTransfers => &[
                ("id", crate::ingest::LINE_ID),
                ("source", "SIPRI AT Database ID"),
                ("from", "Supplier"),
                ("to", "Recipient"),
                ("first_reported", "Order date"),
                ("last_reported", "Delivery year"),
            ],
            Preset::Acled => &[
                ("id", "event_id_cnty"),
                ("date", "event_date"),
                ("country", "country"),
                ("place", "location"),
                ("lat", "latitude"),
                ("lon", "longitude"),
                ("location_precision", "geo_precision"),
                ("perpetrator", "actor1"),
                ("source", "source"),
            ],
            Preset::UnodcIafq => &[
                ("id", crate::ingest::LINE_ID),
                ("date", "Year"),
                ("country", "Iso3_code"),
                ("quantity", "VALUE"),
                ("category", "Category"),
                ("source", "Source"),
            ],
        }
    }

    /// The weapon types of the IAFQ, as schema categories (the workbook's own spelling,
    /// typo included, and the corrected one).
    const IAFQ_TYPES: &'static [(&'static str, &'static str)] = &[
        ("pistol", "pistol"),
        ("revolver", "revolver"),
        ("rifle (Inlcuding Carbine)", "rifle"),
        ("rifle (Including Carbine)", "rifle"),
        ("shotgun (Including Short Carbine)", "shotgun"),
        ("submachine gun", "submachine_gun"),
        ("machine gun", "machine_gun"),
        ("other weapons", "other"),
        ("Unknown status on type", "other"),
    ];

    /// Fills in what `spec` does not set itself.
    pub fn apply(self, spec: &mut InputSpec) {
        for (schema, source) in self.columns() {
            spec.columns.entry((*schema).to_string()).or_insert_with(|| (*source).to_string());
        }
        match self {
            Preset::SipriRegister => {
                spec.encoding.get_or_insert(TextEncoding::Auto);
            }
            Preset::SipriTransfers => {
                spec.encoding.get_or_insert(TextEncoding::Auto);
                spec.trailing.get_or_insert_with(|| ";".into());
            }
            Preset::Acled => {
                spec.filters.entry("sub_event_type".into()).or_insert_with(|| {
                    RowFilter::Values(vec![FilterValue::Text(
                        "Looting/property destruction".into(),
                    )])
                });
                // ACLED's geo_precision: 1, the town's coordinates; 2, near a town, the
                // nearest town's; 3, only the province known, its capital's.
                let precision = spec.values.entry("location_precision".into()).or_default();
                for (code, p) in [("1", "place"), ("2", "place"), ("3", "admin1")] {
                    precision.entry(code.into()).or_insert_with(|| p.into());
                }
            }
            Preset::UnodcIafq => {
                let text = |v: &str| RowFilter::Values(vec![FilterValue::Text(v.into())]);
                spec.filters.entry("Indicator".into()).or_insert_with(|| text("Arms seized"));
                spec.filters.entry("Dimension".into()).or_insert_with(|| text("by type"));
                // A country-year reporting none of a type is no seizure.
                spec.filters.entry("VALUE".into()).or_insert(RowFilter::Range(
                    crate::config::FilterRange { min: Some(1.0), max: None },
                ));
                let types = spec.values.entry("category".into()).or_default();
                for (from, to) in Self::IAFQ_TYPES {
                    types.entry((*from).into()).or_insert_with(|| (*to).into());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_keys_win_over_the_preset() {
        let mut s = InputSpec::file("x.csv");
        s.columns.insert("first_reported".into(), "Year(s) of delivery".into());
        s.trailing = Some("|".into());
        Preset::SipriTransfers.apply(&mut s);
        assert_eq!(s.columns["first_reported"], "Year(s) of delivery");
        assert_eq!(s.columns["from"], "Supplier");
        assert_eq!(s.trailing.as_deref(), Some("|"));
        assert_eq!(s.encoding, Some(TextEncoding::Auto));
        for p in [Preset::SipriRegister, Preset::SipriTransfers, Preset::Acled, Preset::UnodcIafq] {
            // Every mapped schema column exists in the preset's kind.
            for (c, _) in p.columns() {
                assert!(p.table().column_index(c).is_some(), "{} {c}", p.as_str());
            }
        }
    }
}
