//! The input schema: the five record kinds, their columns and their vocabularies.
//!
//! docs/schema.md is the user-facing description of the same facts; the tests keep the
//! two in step (`schema_doc_lists_every_column`).

use std::fmt;

/// The five kinds of input table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// Seizure reports.
    Seizures,
    /// Stockpile looting incidents.
    Looting,
    /// Reported trafficking route legs.
    Routes,
    /// Legal, state-authorised arms transfers (SIPRI's register, export licences).
    Transfers,
    /// Conflict events (UCDP GED, ACLED).
    Events,
}

impl TableKind {
    /// Every kind, in pipeline order.
    pub const ALL: [TableKind; 5] = [
        TableKind::Seizures,
        TableKind::Looting,
        TableKind::Routes,
        TableKind::Transfers,
        TableKind::Events,
    ];

    /// The name used in configs, messages and `rejected.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Seizures => "seizures",
            TableKind::Looting => "looting",
            TableKind::Routes => "routes",
            TableKind::Transfers => "transfers",
            TableKind::Events => "events",
        }
    }

    /// The columns of this kind, in schema order.
    pub fn columns(self) -> &'static [ColumnSpec] {
        match self {
            TableKind::Seizures => SEIZURE_COLUMNS,
            TableKind::Looting => LOOTING_COLUMNS,
            TableKind::Routes => ROUTE_COLUMNS,
            TableKind::Transfers => TRANSFER_COLUMNS,
            TableKind::Events => EVENT_COLUMNS,
        }
    }

    /// Position of a schema column by name, for column mapping and config checks
    /// (validation uses positions found at compile time: [`column_position`]).
    pub fn column_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

impl fmt::Display for TableKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a column must be present in every file of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The file is refused without this column.
    Required,
    /// At least one column of the location group must be present (country, place, lat+lon).
    LocationGroup,
    /// May be absent.
    Optional,
}

/// One schema column: its name, whether it is required, and a one-line description.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The schema name (what the config maps source columns onto).
    pub name: &'static str,
    /// Whether it must be present.
    pub presence: Presence,
    /// What it holds, for docs and messages.
    pub describe: &'static str,
}

const fn col(name: &'static str, presence: Presence, describe: &'static str) -> ColumnSpec {
    ColumnSpec { name, presence, describe }
}

/// Position of the column `name` in `columns`, found at compile time when used in a
/// constant (an unknown name then fails the build).
///
/// ```
/// use divnet::schema::{SEIZURE_COLUMNS, column_position};
/// const LAT: usize = column_position(SEIZURE_COLUMNS, "lat");
/// assert_eq!(SEIZURE_COLUMNS[LAT].name, "lat");
/// ```
pub const fn column_position(columns: &[ColumnSpec], name: &str) -> usize {
    let mut i = 0;
    while i < columns.len() {
        let (a, b) = (columns[i].name.as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    panic!("no such schema column")
}

use Presence::{LocationGroup as Loc, Optional as Opt, Required as Req};

/// Columns of the seizures table.
pub const SEIZURE_COLUMNS: &[ColumnSpec] = &[
    col("id", Req, "unique record id"),
    col("date", Req, "partial ISO date: YYYY, YYYY-MM or YYYY-MM-DD"),
    col("country", Loc, "country of the seizure: ISO code, name or alias"),
    col("place", Loc, "town or admin1 name (with country to disambiguate)"),
    col("lat", Loc, "latitude, decimal degrees"),
    col("lon", Loc, "longitude, decimal degrees"),
    col("location_precision", Opt, "exact | place | admin1 | country"),
    col("category", Opt, "weapon category (see the vocabulary)"),
    col("quantity", Opt, "number of items seized, integer >= 0"),
    col("rounds", Opt, "rounds of ammunition, integer >= 0"),
    col("make", Opt, "manufacturer"),
    col("model", Opt, "model"),
    col("calibre", Opt, "calibre"),
    col("serial", Opt, "serial number"),
    col("lot", Opt, "ammunition lot or headstamp lot"),
    col("country_of_manufacture", Opt, "country"),
    col("last_legal_import", Opt, "country of the last legal import"),
    col("origin", Opt, "origin countries, ';'-separated"),
    col("transit", Opt, "ordered transit countries, ';'-separated"),
    col("destination", Opt, "intended destination country"),
    col("traced_incident_id", Opt, "id of the looting incident a trace points to"),
    col("transport_mode", Opt, "land | sea | air | postal | unknown"),
    col("source", Opt, "where the record comes from"),
    col("confidence", Opt, "confidence in the record, 0..1"),
    col(
        "possessor",
        Opt,
        "who held the weapons when seized: a name, or a party in SIPRI's conventions",
    ),
    col(
        "aggregate",
        Opt,
        "a national aggregate, not one seizure: total (a country's total for the date) | part (one part of it)",
    ),
];

/// Columns of the looting-incidents table.
pub const LOOTING_COLUMNS: &[ColumnSpec] = &[
    col("id", Req, "unique record id"),
    col("date", Req, "partial ISO date"),
    col("country", Loc, "country of the facility"),
    col("place", Loc, "town or admin1 name"),
    col("lat", Loc, "latitude"),
    col("lon", Loc, "longitude"),
    col("location_precision", Opt, "exact | place | admin1 | country"),
    col("facility", Opt, "facility name"),
    col("facility_type", Opt, "e.g. police_armoury, military_depot"),
    col("perpetrator", Opt, "who looted"),
    col("weapons_looted", Opt, "weapons taken, integer >= 0"),
    col("rounds_looted", Opt, "rounds taken, integer >= 0"),
    col("categories", Opt, "weapon categories, ';'-separated"),
    col("serial_ranges", Opt, "model:first-last; ... serial ranges of looted weapons"),
    col("lots", Opt, "ammunition lots, ';'-separated"),
    col("recovered", Opt, "weapons since recovered, integer >= 0"),
    col("source", Opt, "where the record comes from"),
    col("confidence", Opt, "0..1"),
];

/// Columns of the routes table.
pub const ROUTE_COLUMNS: &[ColumnSpec] = &[
    col("id", Req, "unique record id"),
    col("from", Req, "leg start: country, or 'place, country'"),
    col("to", Req, "leg end: country, or 'place, country'"),
    col("mode", Opt, "land | sea | air | postal | unknown"),
    col("first_reported", Opt, "partial ISO date"),
    col("last_reported", Opt, "partial ISO date"),
    col("reports", Opt, "independent reports, integer >= 1"),
    col("volume", Opt, "estimated weapons per year, >= 0"),
    col("confidence", Opt, "0..1"),
    col("source", Opt, "where the record comes from"),
];

/// Columns of the transfers table: one legal transfer (a deal, or one delivery year of a
/// deal) from a supplier to a recipient.
pub const TRANSFER_COLUMNS: &[ColumnSpec] = &[
    col("id", Req, "unique record id"),
    col("supplier", Req, "supplying party: a state, or a party in SIPRI's conventions"),
    col("recipient", Req, "receiving party, likewise"),
    col("order_date", Opt, "partial ISO date of the order (a year, in SIPRI's exports)"),
    col("order_date_estimate", Opt, "flag: the order date is an estimate"),
    col(
        "delivery_years",
        Opt,
        "years of delivery, ';'-separated, each optionally with its number: 2019; 2020:12",
    ),
    col("delivery_years_estimate", Opt, "flag: the delivery years are estimates"),
    col("designation", Opt, "weapon designation (BTR-70, Super Etendard)"),
    col("description", Opt, "weapon description (APC, FGA aircraft)"),
    col("armament_category", Opt, "armament category (Aircraft, Armoured vehicles, ...)"),
    col("ordered", Opt, "number ordered, integer >= 0"),
    col("ordered_estimate", Opt, "flag: the number ordered is an estimate"),
    col("delivered", Opt, "number delivered, integer >= 0"),
    col("delivered_estimate", Opt, "flag: the number delivered is an estimate"),
    col("tiv", Opt, "SIPRI trend-indicator value of the delivered weapons, millions, >= 0"),
    col("status", Opt, "new | second_hand | modernised, and aid: ';'-separated (second hand; aid)"),
    col("via", Opt, "party the transfer passed through"),
    col("financed_by", Opt, "party that paid for it"),
    col("comments", Opt, "free text; an item reading 'aid' marks aid"),
    col("source", Opt, "where the record comes from"),
];

/// Columns of the conflict-events table. The location columns sit where they sit in the
/// seizures and looting tables.
pub const EVENT_COLUMNS: &[ColumnSpec] = &[
    col("id", Req, "unique record id"),
    col("date", Req, "partial ISO date (the start of the event)"),
    col("country", Loc, "country of the event"),
    col("place", Loc, "town or admin1 name"),
    col("lat", Loc, "latitude"),
    col("lon", Loc, "longitude"),
    col("location_precision", Opt, "exact | place | admin1 | country"),
    col("date_precision", Opt, "day | week | month | year: how precisely the date is known"),
    col("type", Opt, "event type (state-based, battle, looting, ...)"),
    col("side_a", Opt, "first actor: a name, or a party in SIPRI's conventions"),
    col("side_b", Opt, "second actor"),
    col("fatalities", Opt, "best estimate of deaths, integer >= 0"),
    col("source", Opt, "where the record comes from"),
    col("date_end", Opt, "partial ISO date: the last day of an event spanning several days"),
    col("fatalities_low", Opt, "low estimate of deaths, integer >= 0"),
    col("fatalities_high", Opt, "high estimate of deaths, integer >= 0"),
    col("admin1", Opt, "first-order administrative division, as the source names it"),
];

/// Declares a closed vocabulary enum with its canonical names and accepted synonyms.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $canon:literal $(| $syn:literal)*),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical lower-case name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $canon),+ }
            }

            /// Reads a value, ignoring case, spaces, hyphens and underscores, and accepting
            /// common synonyms.
            pub fn parse(text: &str) -> Option<Self> {
                // Fast path: the canonical spelling, as most rows have it.
                match text {
                    $($canon => return Some($name::$variant),)+
                    _ => {}
                }
                static KEYS: std::sync::OnceLock<std::collections::HashMap<String, $name>> =
                    std::sync::OnceLock::new();
                let keys = KEYS.get_or_init(|| {
                    let mut m = std::collections::HashMap::new();
                    $(
                        m.insert(vocab_key($canon), $name::$variant);
                        $(m.insert(vocab_key($syn), $name::$variant);)*
                    )+
                    m
                });
                keys.get(&vocab_key(text)).copied()
            }

            /// Every accepted spelling (canonical names first), for suggestions.
            pub fn spellings() -> &'static [&'static str] {
                &[$($canon),+ $($(, $syn)*)+]
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Lower-cases and drops spaces, hyphens, underscores and dots: "Assault-Rifle" -> "assaultrifle".
pub fn vocab_key(text: &str) -> String {
    let t = text.trim();
    if t.is_ascii() {
        return t
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'-' | b'_' | b'.'))
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    t.chars().filter(|c| !matches!(c, ' ' | '-' | '_' | '.')).flat_map(char::to_lowercase).collect()
}

vocabulary! {
    /// Weapon and materiel categories.
    Category {
        /// Pistols and other self-loading handguns.
        Pistol = "pistol" | "handgun" | "hand gun",
        /// Revolvers.
        Revolver = "revolver",
        /// Bolt, lever and semi-automatic rifles; carbines.
        Rifle = "rifle" | "carbine" | "hunting rifle" | "sniper rifle",
        /// Assault rifles (AK, M16 patterns).
        AssaultRifle = "assault_rifle" | "assault weapon" | "ar",
        /// Shotguns.
        Shotgun = "shotgun",
        /// Submachine guns.
        SubmachineGun = "submachine_gun" | "smg",
        /// Light, general-purpose and heavy machine guns.
        MachineGun = "machine_gun" | "lmg" | "gpmg" | "hmg",
        /// Hand grenades.
        Grenade = "grenade" | "hand grenade",
        /// Grenade launchers.
        GrenadeLauncher = "grenade_launcher" | "ugl",
        /// Mortars.
        Mortar = "mortar",
        /// Rocket launchers (RPG-7 pattern and similar).
        RocketLauncher = "rocket_launcher" | "rpg",
        /// Man-portable air-defence systems.
        Manpads = "manpads",
        /// Improvised or craft-produced weapons and devices.
        Improvised = "improvised" | "craft" | "ied" | "homemade",
        /// Ammunition.
        Ammunition = "ammunition" | "ammo" | "rounds",
        /// Explosives.
        Explosives = "explosives" | "explosive",
        /// Parts and components.
        Parts = "parts" | "components" | "part",
        /// Anything else.
        Other = "other",
        /// Not broken down by type: a total over every type (a national aggregate kept
        /// whole, or the part of a total its breakdown does not cover).
        Unspecified = "unspecified" | "not specified" | "unknown type",
    }
}

vocabulary! {
    /// How precisely a record's location is known.
    LocationPrecision {
        /// Coordinates of the event itself.
        Exact = "exact" | "point",
        /// A town or village.
        Place = "place" | "city" | "town",
        /// A first-level administrative division (state, province).
        Admin1 = "admin1" | "state" | "province" | "region",
        /// Only the country.
        Country = "country" | "national",
    }
}

vocabulary! {
    /// How weapons moved on a leg.
    TransportMode {
        /// Road, rail, on foot.
        Land = "land" | "road" | "rail",
        /// Maritime.
        Sea = "sea" | "maritime" | "boat" | "ship",
        /// Air cargo or passenger.
        Air = "air",
        /// Post and express courier.
        Postal = "postal" | "post" | "courier" | "mail",
        /// Not reported.
        Unknown = "unknown" | "unk",
    }
}

vocabulary! {
    /// What kind of transfer a delivery was.
    TransferStatus {
        /// Newly produced.
        New = "new",
        /// From the supplier's own holdings.
        SecondHand = "second_hand" | "second hand" | "secondhand" | "used",
        /// Second-hand and modernised before delivery.
        Modernised = "modernised" | "second hand but modernized" | "second hand but modernised" | "modernized",
    }
}

vocabulary! {
    /// What a national-aggregate seizure row is (the `aggregate` column): a country's total
    /// for a date, or one part of it (one weapon type). Rows of one file, country and date
    /// are reconciled after reading (docs/schema.md, "National aggregates").
    NationalAggregate {
        /// The country's total for the date.
        Total = "total",
        /// One part of the total (one weapon type).
        Part = "part" | "breakdown",
        /// The part of a total that its breakdown does not cover (written by divnet; read
        /// as a part).
        Remainder = "remainder",
    }
}

vocabulary! {
    /// How precisely an event's date is known (UCDP's `date_prec`: 1 day, 2-3 week, 4 month,
    /// 5 year).
    EventDatePrecision {
        /// The day.
        Day = "day" | "exact" | "date",
        /// Within a week.
        Week = "week" | "days",
        /// Within a month.
        Month = "month",
        /// Within a year.
        Year = "year",
    }
}

impl LocationPrecision {
    /// Rank from coarse (country = 0) to fine (exact = 3).
    pub fn rank(self) -> u8 {
        match self {
            LocationPrecision::Country => 0,
            LocationPrecision::Admin1 => 1,
            LocationPrecision::Place => 2,
            LocationPrecision::Exact => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabularies_accept_synonyms_and_case() {
        assert_eq!(Category::parse("Assault-Rifle"), Some(Category::AssaultRifle));
        assert_eq!(Category::parse("SMG"), Some(Category::SubmachineGun));
        assert_eq!(Category::parse("bazooka"), None);
        assert_eq!(TransportMode::parse(" Sea "), Some(TransportMode::Sea));
        assert_eq!(LocationPrecision::parse("ADMIN1"), Some(LocationPrecision::Admin1));
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
        }
    }

    #[test]
    fn schema_doc_lists_every_column() {
        let doc = include_str!("../docs/schema.md");
        for kind in TableKind::ALL {
            for c in kind.columns() {
                assert!(doc.contains(&format!("`{}`", c.name)), "{kind}.{} missing", c.name);
            }
        }
        for c in Category::ALL {
            assert!(doc.contains(c.as_str()), "category {c} missing from docs/schema.md");
        }
    }
}
