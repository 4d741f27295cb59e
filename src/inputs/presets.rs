//! Source presets: the reading rules of a public dataset's export, set on an input with
//! `preset = "..."` (docs/sources.md has the upstream columns, what maps where and what is
//! left out, per preset).
//!
//! A preset fills in what its input does not say itself: format, encoding, a stray trailing
//! character, column names, row filters. Every key written in the config wins over the
//! preset's. The citation the publisher asks for is carried into the figure captions and the
//! report of every run that reads such an input.
//!
//! Presets are declared here over the reading rules only ([`Preset::defaults`]);
//! [`super::InputSpec::apply_preset`] fills an input in from them.

use serde::{Deserialize, Serialize};

use crate::inputs::rules::{
    FilterRange, FilterValue, Format, LINE_ID, RowFilter, TextEncoding, Trailing,
};
use crate::schema::TableKind;

/// A source preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// SIPRI Arms Transfers Database, trade-register export (one row per deal): read as
    /// transfers (supplier, recipient, order and delivery years, numbers with their `?`
    /// marks, TIV), or as route reports (supplier -> recipient).
    SipriRegister,
    /// SIPRI Arms Transfers Database, newer transfers export (one row per deal and delivery
    /// year, `... is estimate` columns): read as transfers, or as route reports.
    SipriTransfers,
    /// ACLED events: every event, read as conflict events; or the looting ones
    /// (`sub_event_type` "Looting/property destruction"), read as looting incidents.
    Acled,
    /// UCDP Georeferenced Event Dataset (GeoJSON or CSV), read as conflict events.
    UcdpGed,
    /// UNODC Illicit Arms Flows Questionnaire data workbook: the "Arms seized" `Total` and
    /// "by type" rows as national aggregates per country and year, reconciled so that a
    /// country-year counts its total once (broken down by type where the breakdown allows;
    /// `crate::ingest::aggregates`).
    UnodcIafq,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Preset; 5] = [
        Preset::SipriRegister,
        Preset::SipriTransfers,
        Preset::Acled,
        Preset::UcdpGed,
        Preset::UnodcIafq,
    ];

    /// The name written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            Preset::SipriRegister => "sipri-register",
            Preset::SipriTransfers => "sipri-transfers",
            Preset::Acled => "acled",
            Preset::UcdpGed => "ucdp-ged",
            Preset::UnodcIafq => "unodc-iafq",
        }
    }

    /// The record kinds its rows can be read as, the usual one first.
    pub fn tables(self) -> &'static [TableKind] {
        match self {
            Preset::SipriRegister | Preset::SipriTransfers => {
                &[TableKind::Transfers, TableKind::Routes]
            }
            Preset::Acled => &[TableKind::Events, TableKind::Looting],
            Preset::UcdpGed => &[TableKind::Events],
            Preset::UnodcIafq => &[TableKind::Seizures],
        }
    }

    /// The citation the publisher asks for, shown in captions and the report.
    pub fn citation(self) -> &'static str {
        match self {
            Preset::SipriRegister | Preset::SipriTransfers => {
                "SIPRI Arms Transfers Database, Stockholm International Peace Research Institute"
            }
            Preset::Acled => "Armed Conflict Location & Event Data (ACLED), acleddata.com",
            Preset::UcdpGed => {
                "UCDP Georeferenced Event Dataset (GED), Uppsala Conflict Data Program; Sundberg and Melander (2013)"
            }
            Preset::UnodcIafq => "UNODC, Illicit Arms Flows Questionnaire (IAFQ)",
        }
    }

    /// Schema column -> the source's column, for rows read as `kind` (`#N` is the N-th
    /// column, for the unnamed ones).
    pub fn columns(self, kind: TableKind) -> &'static [(&'static str, &'static str)] {
        match (self, kind) {
            (Preset::SipriRegister, TableKind::Routes) => &[
                ("id", LINE_ID),
                ("from", "Supplier"),
                ("to", "Recipient"),
                ("first_reported", "Year of order"),
            ],
            // The three unnamed columns hold the `?` marks of the column before them.
            (Preset::SipriRegister, _) => &[
                ("id", LINE_ID),
                ("supplier", "Supplier"),
                ("recipient", "Recipient"),
                ("order_date", "Year of order"),
                ("order_date_estimate", "#4"),
                ("ordered", "Number ordered"),
                ("ordered_estimate", "#6"),
                ("designation", "Weapon designation"),
                ("description", "Weapon description"),
                ("delivered", "Number delivered"),
                ("delivered_estimate", "#10"),
                ("delivery_years", "Year(s) of delivery"),
                ("status", "status"),
                ("comments", "Comments"),
                ("tiv", "SIPRI TIV of delivered weapons"),
            ],
            // One row per deal and delivery year: the deal id repeats, so rows are numbered
            // by line and the deal id kept as the row's source.
            (Preset::SipriTransfers, TableKind::Routes) => &[
                ("id", LINE_ID),
                ("source", "SIPRI AT Database ID"),
                ("from", "Supplier"),
                ("to", "Recipient"),
                ("first_reported", "Order date"),
                ("last_reported", "Delivery year"),
            ],
            (Preset::SipriTransfers, _) => &[
                ("id", LINE_ID),
                ("source", "SIPRI AT Database ID"),
                ("supplier", "Supplier"),
                ("recipient", "Recipient"),
                ("designation", "Designation"),
                ("description", "Description"),
                ("armament_category", "Armament category"),
                ("order_date", "Order date"),
                ("order_date_estimate", "Order date is estimate"),
                ("delivered", "Numbers delivered"),
                ("delivered_estimate", "Numbers delivered is estimate"),
                ("delivery_years", "Delivery year"),
                ("delivery_years_estimate", "Delivery year is estimate"),
                ("status", "Status"),
                ("tiv", "TIV delivery values"),
            ],
            (Preset::Acled, TableKind::Looting) => &[
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
            (Preset::Acled, _) => &[
                ("id", "event_id_cnty"),
                ("date", "event_date"),
                ("country", "country"),
                ("admin1", "admin1"),
                ("place", "location"),
                ("lat", "latitude"),
                ("lon", "longitude"),
                ("location_precision", "geo_precision"),
                ("date_precision", "time_precision"),
                ("type", "sub_event_type"),
                ("side_a", "actor1"),
                ("side_b", "actor2"),
                ("fatalities", "fatalities"),
                ("source", "source"),
            ],
            (Preset::UcdpGed, _) => &[
                ("id", "id"),
                ("date", "date_start"),
                ("country", "country"),
                ("place", "where_coordinates"),
                ("location_precision", "where_prec"),
                ("date_precision", "date_prec"),
                ("type", "type_of_violence"),
                ("side_a", "side_a"),
                ("side_b", "side_b"),
                ("fatalities", "best"),
                ("fatalities_low", "low"),
                ("fatalities_high", "high"),
                ("date_end", "date_end"),
                ("admin1", "adm_1"),
                ("source", "source_article"),
            ],
            (Preset::UnodcIafq, _) => &[
                ("id", LINE_ID),
                ("date", "Year"),
                ("country", "Iso3_code"),
                ("quantity", "VALUE"),
                ("category", "Category"),
                // `Total` marks the country-year's total, a weapon type one part of it.
                ("aggregate", "Category"),
                ("source", "Source"),
            ],
        }
    }

    /// The weapon types of the IAFQ, as schema categories (the workbook's own spelling,
    /// typo included, and the corrected one); the `Total` of every type is `unspecified`,
    /// and so is a type the country did not know.
    const IAFQ_TYPES: &'static [(&'static str, &'static str)] = &[
        ("pistol", "pistol"),
        ("revolver", "revolver"),
        ("rifle (Inlcuding Carbine)", "rifle"),
        ("rifle (Including Carbine)", "rifle"),
        ("shotgun (Including Short Carbine)", "shotgun"),
        ("submachine gun", "submachine_gun"),
        ("machine gun", "machine_gun"),
        ("other weapons", "other"),
        ("Unknown status on type", "unspecified"),
        ("Total", "unspecified"),
    ];

    /// The IAFQ's categories as parts of a national aggregate: `Total` is the country-year's
    /// total, every weapon type one part of it.
    const IAFQ_ROLES: &'static [(&'static str, &'static str)] = &[
        ("pistol", "part"),
        ("revolver", "part"),
        ("rifle (Inlcuding Carbine)", "part"),
        ("rifle (Including Carbine)", "part"),
        ("shotgun (Including Short Carbine)", "part"),
        ("submachine gun", "part"),
        ("machine gun", "part"),
        ("other weapons", "part"),
        ("Unknown status on type", "part"),
        ("Total", "total"),
    ];

    /// What the preset sets on an input of `kind` read as `format` (given, or guessed from
    /// the path): each setting applies only where the input does not set it.
    pub fn defaults(self, kind: TableKind, format: Option<Format>) -> PresetDefaults {
        let mut d = PresetDefaults { columns: self.columns(kind).to_vec(), ..Default::default() };
        match self {
            Preset::SipriRegister | Preset::SipriTransfers => {
                d.encoding = Some(TextEncoding::Auto);
                if self == Preset::SipriTransfers {
                    d.trailing = Some(Trailing::SEMICOLON);
                }
            }
            Preset::Acled => {
                if kind == TableKind::Looting {
                    d.filters.push((
                        "sub_event_type",
                        RowFilter::Values(vec![FilterValue::Text(
                            "Looting/property destruction".into(),
                        )]),
                    ));
                } else {
                    // ACLED's time_precision: 1, the day; 2, within a week; 3, a month.
                    d.values
                        .push(("date_precision", &[("1", "day"), ("2", "week"), ("3", "month")]));
                }
                // ACLED's geo_precision: 1, the town's coordinates; 2, near a town, the
                // nearest town's; 3, only the province known, its capital's.
                d.values.push((
                    "location_precision",
                    &[("1", "place"), ("2", "place"), ("3", "admin1")],
                ));
            }
            Preset::UcdpGed => {
                // The CSV export has the coordinates as columns; in GeoJSON they are the
                // features' points.
                if format != Some(Format::Geojson) {
                    d.columns.push(("lat", "latitude"));
                    d.columns.push(("lon", "longitude"));
                }
                // where_prec: 1 exact; 2 within 25 km of a known point; 3 a second-order
                // administrative division; 4 a first-order one; 5 a part of a country
                // larger than that; 6 the country; 7 international waters or airspace.
                d.values.push((
                    "location_precision",
                    &[
                        ("1", "exact"),
                        ("2", "place"),
                        ("3", "admin1"),
                        ("4", "admin1"),
                        ("5", "country"),
                        ("6", "country"),
                        ("7", "country"),
                    ],
                ));
                // date_prec: 1 the day; 2 a 2-6 day span; 3 a week; 4 a month (8-30 days);
                // 5 more than a month, within the year.
                d.values.push((
                    "date_precision",
                    &[("1", "day"), ("2", "week"), ("3", "week"), ("4", "month"), ("5", "year")],
                ));
                d.values.push((
                    "type",
                    &[("1", "state-based"), ("2", "non-state"), ("3", "one-sided")],
                ));
            }
            Preset::UnodcIafq => {
                let text = |v: &[&str]| {
                    RowFilter::Values(v.iter().map(|v| FilterValue::Text((*v).into())).collect())
                };
                d.filters.push(("Indicator", text(&["Arms seized"])));
                // The country-year's total and its breakdown by type; the other breakdowns
                // (by location, marking, condition) describe the same weapons.
                d.filters.push(("Dimension", text(&["Total", "by type"])));
                // A country-year reporting none of a type is no seizure.
                d.filters
                    .push(("VALUE", RowFilter::Range(FilterRange { min: Some(1.0), max: None })));
                d.values.push(("category", Self::IAFQ_TYPES));
                d.values.push(("aggregate", Self::IAFQ_ROLES));
            }
        }
        d
    }
}

/// What a preset sets on an input of one kind ([`Preset::defaults`]); each setting fills in
/// only what the input does not set itself (`crate::inputs::InputSpec::apply_preset`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PresetDefaults {
    /// Schema column -> the source's column.
    pub columns: Vec<(&'static str, &'static str)>,
    /// The text encoding.
    pub encoding: Option<TextEncoding>,
    /// The stray character ending every line.
    pub trailing: Option<Trailing>,
    /// Row filters, by file column.
    pub filters: Vec<(&'static str, RowFilter)>,
    /// Value maps: schema column -> (source value, schema value) pairs.
    pub values: Vec<(&'static str, &'static [(&'static str, &'static str)])>,
}
