//! Validated records: what ingestion produces and every analysis consumes.

use crate::date::PartialDate;
use crate::geo::{Admin1Id, CityId, CountryId, LatLon, Resolved};
use crate::schema::{Category, LocationPrecision, TransportMode};
pub use crate::text::Text;

/// Where a record came from: the input file (index into the run's file list) and the line
/// (CSV, NDJSON) or row (Parquet) number, 1-based, header included for CSV.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RowRef {
    /// Index of the input file.
    pub file: u32,
    /// Line or row number.
    pub line: u64,
}

/// A resolved event location.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    /// The country (always known).
    pub country: CountryId,
    /// The admin1 division, when known.
    pub admin1: Option<Admin1Id>,
    /// The gazetteer place, when the place name resolved to one.
    pub city: Option<CityId>,
    /// The place text as reported.
    pub place: Option<Text>,
    /// Coordinates: reported, or the representative point of the finest resolved unit.
    pub point: LatLon,
    /// How precise `point` is.
    pub precision: LocationPrecision,
}

/// A looted serial-number range: `model:first-last`, e.g. `AK-47:MA104000-MA105999`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SerialRange {
    /// Model as reported.
    pub model: Text,
    /// Non-numeric prefix shared by both ends (`MA`).
    pub prefix: Text,
    /// First number.
    pub first: u64,
    /// Last number (inclusive).
    pub last: u64,
}

impl SerialRange {
    /// Parses `model:first-last`.
    ///
    /// ```
    /// use divnet::records::SerialRange;
    /// let r = SerialRange::parse("AK-47:MA104000-MA105999").unwrap();
    /// assert_eq!((r.model.as_str(), r.prefix.as_str(), r.first, r.last), ("AK-47", "MA", 104000, 105999));
    /// assert!(r.contains("ma104523"));
    /// assert!(SerialRange::parse("AK-47:MA9-MA1").is_none());
    /// ```
    pub fn parse(text: &str) -> Option<SerialRange> {
        let (model, range) = text.split_once(':')?;
        let model = model.trim();
        let range = range.trim();
        for (i, _) in range.match_indices('-') {
            let (Some(a), Some(b)) = (split_serial(&range[..i]), split_serial(&range[i + 1..]))
            else {
                continue;
            };
            if a.0.eq_ignore_ascii_case(&b.0) && a.1 <= b.1 {
                return Some(SerialRange {
                    model: model.into(),
                    prefix: a.0.to_ascii_uppercase().into(),
                    first: a.1,
                    last: b.1,
                });
            }
        }
        None
    }

    /// Whether a serial number lies in the range (prefix compared without case).
    pub fn contains(&self, serial: &str) -> bool {
        split_serial(serial.trim()).is_some_and(|(p, n)| {
            p.eq_ignore_ascii_case(&self.prefix) && (self.first..=self.last).contains(&n)
        })
    }
}

/// Splits a serial into its non-numeric prefix and its trailing number.
pub fn split_serial(s: &str) -> Option<(String, u64)> {
    let s = s.trim();
    let digits_start = s.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
    let digits = &s[digits_start..];
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    Some((s[..digits_start].to_string(), digits.parse().ok()?))
}

/// A seizure report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Seizure {
    /// Record id.
    pub id: Text,
    /// Date of the seizure.
    pub date: PartialDate,
    /// Where.
    pub location: Location,
    /// Weapon category.
    pub category: Option<Category>,
    /// Items seized.
    pub quantity: Option<u64>,
    /// Rounds seized.
    pub rounds: Option<u64>,
    /// Manufacturer.
    pub make: Option<Text>,
    /// Model.
    pub model: Option<Text>,
    /// Calibre.
    pub calibre: Option<Text>,
    /// Serial number.
    pub serial: Option<Text>,
    /// Lot.
    pub lot: Option<Text>,
    /// Country of manufacture.
    pub country_of_manufacture: Option<CountryId>,
    /// Country of the last legal import.
    pub last_legal_import: Option<CountryId>,
    /// Reported origin countries.
    pub origin: Vec<CountryId>,
    /// Ordered transit locations.
    pub transit: Vec<Resolved>,
    /// Intended destination.
    pub destination: Option<Resolved>,
    /// Looting incident named by a trace.
    pub traced_incident_id: Option<Text>,
    /// Transport mode.
    pub transport_mode: Option<TransportMode>,
    /// Source label.
    pub source: Option<Text>,
    /// Confidence in [0, 1].
    pub confidence: Option<f64>,
    /// Who held the weapons when they were seized (`Hezbollah (Lebanon)*`, `Los Zetas`).
    pub possessor: Option<Text>,
    /// A national aggregate (a country's total for the date, or a part of it, such as the
    /// UNODC IAFQ's rows) rather than one seizure; `None` for a seizure.
    pub aggregate: Option<crate::schema::NationalAggregate>,
    /// Provenance.
    pub row: RowRef,
}

impl Seizure {
    /// Items seized, counting a record without a quantity as one item.
    pub fn items(&self) -> u64 {
        self.quantity.unwrap_or(1)
    }

    /// Whether the record is a national aggregate rather than one seizure.
    pub fn is_aggregate(&self) -> bool {
        self.aggregate.is_some()
    }
}

/// A stockpile looting incident.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LootingIncident {
    /// Record id.
    pub id: Text,
    /// Date of the looting.
    pub date: PartialDate,
    /// Where.
    pub location: Location,
    /// Facility name.
    pub facility: Option<Text>,
    /// Facility type.
    pub facility_type: Option<Text>,
    /// Perpetrator.
    pub perpetrator: Option<Text>,
    /// Weapons taken.
    pub weapons_looted: Option<u64>,
    /// Rounds taken.
    pub rounds_looted: Option<u64>,
    /// Categories taken.
    pub categories: Vec<Category>,
    /// Serial ranges of the weapons taken.
    pub serial_ranges: Vec<SerialRange>,
    /// Ammunition lots taken.
    pub lots: Vec<Text>,
    /// Weapons since recovered.
    pub recovered: Option<u64>,
    /// Source label.
    pub source: Option<Text>,
    /// Confidence in [0, 1].
    pub confidence: Option<f64>,
    /// Provenance.
    pub row: RowRef,
}

/// A reported trafficking route leg.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RouteReport {
    /// Record id.
    pub id: Text,
    /// Leg start.
    pub from: Resolved,
    /// Leg end.
    pub to: Resolved,
    /// Transport mode.
    pub mode: Option<TransportMode>,
    /// First reported.
    pub first_reported: Option<PartialDate>,
    /// Last reported.
    pub last_reported: Option<PartialDate>,
    /// Independent reports (at least 1).
    pub reports: u32,
    /// Estimated weapons per year.
    pub volume: Option<f64>,
    /// Confidence in [0, 1].
    pub confidence: Option<f64>,
    /// Source label.
    pub source: Option<Text>,
    /// The party the leg starts from when it is not simply a state (an armed group, a
    /// historical state): `from` is then the country it resolved to.
    pub from_actor: Option<crate::actors::ActorRef>,
    /// The party the leg ends at, likewise.
    pub to_actor: Option<crate::actors::ActorRef>,
    /// Provenance.
    pub row: RowRef,
}

/// A party of a transfer or an event, as read: its name as written (without the source's
/// marks), its kind and, when it has one, its country (a state itself, a historical
/// state's successor, an armed group's country of operation).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Party {
    /// The name (`Hezbollah`, `Soviet Union`, `NATO`).
    pub name: Text,
    /// The kind.
    pub kind: crate::actors::ActorKind,
    /// Its country, when it has one.
    pub country: Option<CountryId>,
}

/// One year of deliveries of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Delivery {
    /// The year.
    pub year: i32,
    /// Items delivered that year, when the source says.
    pub items: Option<u64>,
}

/// A legal, state-authorised arms transfer: a deal, or one delivery year of a deal.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Transfer {
    /// Record id.
    pub id: Text,
    /// The supplier.
    pub supplier: Party,
    /// The recipient.
    pub recipient: Party,
    /// When it was ordered.
    pub order_date: Option<PartialDate>,
    /// The order date is an estimate.
    pub order_date_estimate: bool,
    /// Delivery years, in increasing order, with their numbers when known.
    pub deliveries: Vec<Delivery>,
    /// The delivery years are estimates.
    pub delivery_years_estimate: bool,
    /// Weapon designation.
    pub designation: Option<Text>,
    /// Weapon description.
    pub description: Option<Text>,
    /// Armament category, as the source writes it.
    pub armament_category: Option<Text>,
    /// Number ordered.
    pub ordered: Option<u64>,
    /// The number ordered is an estimate.
    pub ordered_estimate: bool,
    /// Number delivered.
    pub delivered: Option<u64>,
    /// The number delivered is an estimate.
    pub delivered_estimate: bool,
    /// Trend-indicator value of the delivered weapons (millions).
    pub tiv: Option<f64>,
    /// New, second-hand or modernised.
    pub status: Option<crate::schema::TransferStatus>,
    /// From the supplier's holdings: status second hand, or second hand but modernised.
    pub second_hand: bool,
    /// Modernised before delivery (SIPRI's "Second hand but modernized").
    pub modernised: bool,
    /// Given as aid: the status or the comments say so (`aid`, `'MDAP' aid`, `Aid after
    /// ...`; see [`crate::ingest::validate::aid_in_comments`]).
    pub aid: bool,
    /// The comments say it was probably or possibly aid (`probably aid`), and nothing says
    /// it was: not counted in `aid`.
    pub aid_uncertain: bool,
    /// A party it passed through.
    pub via: Option<Party>,
    /// The party that paid for it.
    pub financed_by: Option<Party>,
    /// Comments.
    pub comments: Option<Text>,
    /// Source label.
    pub source: Option<Text>,
    /// Provenance.
    pub row: RowRef,
}

impl Transfer {
    /// Items delivered in each delivery year: the year's own number where the source gives
    /// one, else the number delivered shared evenly over the years without a number (the
    /// remainder to the earliest), so the years sum to `delivered`. Years get 0 when nothing
    /// is known.
    pub fn items_by_year(&self) -> Vec<(i32, u64)> {
        let known: u64 = self.deliveries.iter().filter_map(|d| d.items).sum();
        let open = self.deliveries.iter().filter(|d| d.items.is_none()).count() as u64;
        let rest = self.delivered.map_or(0, |d| d.saturating_sub(known));
        let (each, mut extra) = rest.checked_div(open).map_or((0, 0), |e| (e, rest % open));
        self.deliveries
            .iter()
            .map(|d| {
                let n = d.items.unwrap_or_else(|| {
                    let bonus = u64::from(extra > 0);
                    extra = extra.saturating_sub(1);
                    each + bonus
                });
                (d.year, n)
            })
            .collect()
    }

    /// The year of the last delivery, else of the order.
    pub fn last_year(&self) -> Option<i32> {
        self.deliveries.last().map(|d| d.year).or(self.order_date.map(|d| d.year_value()))
    }
}

#[cfg(test)]
impl Transfer {
    /// A transfer for tests: from `supplier` to `recipient`, nothing else known.
    pub(crate) fn between(supplier: Party, recipient: Party) -> Transfer {
        Transfer {
            id: "x".into(),
            supplier,
            recipient,
            order_date: None,
            order_date_estimate: false,
            deliveries: Vec::new(),
            delivery_years_estimate: false,
            designation: None,
            description: None,
            armament_category: None,
            ordered: None,
            ordered_estimate: false,
            delivered: None,
            delivered_estimate: false,
            tiv: None,
            status: None,
            second_hand: false,
            modernised: false,
            aid: false,
            aid_uncertain: false,
            via: None,
            financed_by: None,
            comments: None,
            source: None,
            row: RowRef { file: 0, line: 0 },
        }
    }
}

/// What one conflict event weighs in the conflict-event layer (`hotspots.event_weight`):
/// its Gi* cells, its space-time cube and its regional trends. Distinct from
/// `config::EventWeight`, which weighs seizures and looting incidents.
///
/// UCDP GED publishes three estimates of deaths (`best`, `low`, `high`); ACLED publishes
/// one (`fatalities`), which stands for all three: an event without a low or high
/// estimate weighs its best one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictWeight {
    /// Every event weighs 1.
    #[default]
    Count,
    /// The best estimate of deaths (UCDP `best`, ACLED `fatalities`; 0 when not reported).
    Fatalities,
    /// The low estimate (UCDP `low`; else the best estimate; 0 when neither is reported).
    FatalitiesLow,
    /// The high estimate (UCDP `high`, kept as published even below the best; else the
    /// best estimate; 0 when neither is reported).
    FatalitiesHigh,
}

impl ConflictWeight {
    /// The weight of an event with these estimates of deaths.
    ///
    /// ```
    /// use divnet::records::ConflictWeight;
    /// let (best, low, high) = (Some(8), Some(5), Some(12));
    /// assert_eq!(ConflictWeight::Count.weigh(best, low, high), 1.0);
    /// assert_eq!(ConflictWeight::FatalitiesLow.weigh(best, low, high), 5.0);
    /// // ACLED: one estimate stands for all three.
    /// assert_eq!(ConflictWeight::FatalitiesHigh.weigh(Some(7), None, None), 7.0);
    /// assert_eq!(ConflictWeight::Fatalities.weigh(None, None, None), 0.0);
    /// ```
    pub fn weigh(self, best: Option<u64>, low: Option<u64>, high: Option<u64>) -> f64 {
        let deaths = match self {
            ConflictWeight::Count => return 1.0,
            ConflictWeight::Fatalities => best,
            ConflictWeight::FatalitiesLow => low.or(best),
            ConflictWeight::FatalitiesHigh => high.or(best),
        };
        deaths.unwrap_or(0) as f64
    }

    /// The weight of `e`.
    pub fn of(self, e: &ConflictEvent) -> f64 {
        self.weigh(e.fatalities, e.fatalities_low, e.fatalities_high)
    }

    /// The key's spelling (`fatalities_low`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictWeight::Count => "count",
            ConflictWeight::Fatalities => "fatalities",
            ConflictWeight::FatalitiesLow => "fatalities_low",
            ConflictWeight::FatalitiesHigh => "fatalities_high",
        }
    }
}

/// A conflict event (UCDP GED, ACLED).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConflictEvent {
    /// Record id.
    pub id: Text,
    /// When it began, at the precision of `date_precision` (a month-precise event keeps
    /// only its month).
    pub date: PartialDate,
    /// How precisely the date is known.
    pub date_precision: crate::schema::EventDatePrecision,
    /// Where.
    pub location: Location,
    /// Event type, as the source writes it.
    pub event_type: Option<Text>,
    /// First actor.
    pub side_a: Option<Text>,
    /// Second actor.
    pub side_b: Option<Text>,
    /// Best estimate of deaths.
    pub fatalities: Option<u64>,
    /// Source label.
    pub source: Option<Text>,
    /// The last day of an event that spans several days (UCDP's `date_end`), as given;
    /// not before `date`.
    pub date_end: Option<PartialDate>,
    /// Low estimate of deaths, as published.
    pub fatalities_low: Option<u64>,
    /// High estimate of deaths, as published (UCDP's are not always at least the best).
    pub fatalities_high: Option<u64>,
    /// The first-order administrative division, as the source names it.
    pub admin1: Option<Text>,
    /// Provenance.
    pub row: RowRef,
}

impl ConflictEvent {
    /// The first day of the event (of its date, at its precision), days since 1970-01-01.
    pub fn first_day_epoch(&self) -> i32 {
        self.date.first_day_epoch()
    }

    /// The last day of the event: of `date_end` when given, else of its date at its
    /// precision; days since 1970-01-01.
    pub fn last_day_epoch(&self) -> i32 {
        let own = self.date.last_day_epoch();
        self.date_end.map_or(own, |e| own.max(e.last_day_epoch()))
    }

    /// The days the event spans, its first and last included (1 for a one-day event).
    pub fn days(&self) -> u32 {
        (self.last_day_epoch() - self.first_day_epoch() + 1).max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::ConflictWeight as W;

    #[test]
    fn each_conflict_weight_reads_its_estimate() {
        // UCDP: best, low, high as published (event 30272 of the sample: 8, 8, 4).
        let ucdp = (Some(8), Some(8), Some(4));
        let weights: Vec<f64> = [W::Count, W::Fatalities, W::FatalitiesLow, W::FatalitiesHigh]
            .iter()
            .map(|w| w.weigh(ucdp.0, ucdp.1, ucdp.2))
            .collect();
        assert_eq!(weights, [1.0, 8.0, 8.0, 4.0]);
        assert_eq!(W::FatalitiesLow.weigh(Some(10), Some(3), Some(20)), 3.0);
        assert_eq!(W::FatalitiesHigh.weigh(Some(10), Some(3), Some(20)), 20.0);
        // ACLED: one estimate stands for low and high.
        for w in [W::Fatalities, W::FatalitiesLow, W::FatalitiesHigh] {
            assert_eq!(w.weigh(Some(7), None, None), 7.0, "{w:?}");
            // No estimate at all weighs nothing, but still counts as an event.
            assert_eq!(w.weigh(None, None, None), 0.0, "{w:?}");
        }
        assert_eq!(W::Count.weigh(None, None, None), 1.0);
        // A low estimate without a best one is read as given.
        assert_eq!(W::FatalitiesLow.weigh(None, Some(2), None), 2.0);
        assert_eq!(W::Fatalities.weigh(None, Some(2), Some(5)), 0.0);
        assert_eq!(W::default(), W::Count);
    }
}
