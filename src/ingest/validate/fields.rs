//! Field parsers: one schema column's text into a typed value (a number, a count, a date,
//! a vocabulary term, a country, a place, a party, a location), or a [`Problem`] naming the
//! column, the value and the [`Reason`]. The schema columns are named once, as constants.

use crate::text::clip;
use chrono::NaiveDate;

use super::{Checker, Fields, MAX_COUNT, Place, Problem, Reason, ResolveCache, parse_f64};
use crate::date::PartialDate;
use crate::geo::{LatLon, Resolved};
use crate::records::{Delivery, Location, Party, Text};
use crate::schema::LocationPrecision;

/// A schema column: its name and its position in the table's column list.
#[derive(Debug, Clone, Copy)]
pub(super) struct Col {
    pub(super) index: usize,
    pub(super) name: &'static str,
}

pub(super) const fn col(columns: &[crate::schema::ColumnSpec], name: &'static str) -> Col {
    Col { index: crate::schema::column_position(columns, name), name }
}

pub(super) const LOC_COUNTRY: Col = col(crate::schema::SEIZURE_COLUMNS, "country");
pub(super) const LOC_LAT: Col = col(crate::schema::SEIZURE_COLUMNS, "lat");
pub(super) const LOC_LOCATION_PRECISION: Col =
    col(crate::schema::SEIZURE_COLUMNS, "location_precision");
pub(super) const LOC_LON: Col = col(crate::schema::SEIZURE_COLUMNS, "lon");
pub(super) const LOC_PLACE: Col = col(crate::schema::SEIZURE_COLUMNS, "place");

pub(super) const S_CALIBRE: Col = col(crate::schema::SEIZURE_COLUMNS, "calibre");
pub(super) const S_CATEGORY: Col = col(crate::schema::SEIZURE_COLUMNS, "category");
pub(super) const S_CONFIDENCE: Col = col(crate::schema::SEIZURE_COLUMNS, "confidence");
pub(super) const S_COUNTRY_OF_MANUFACTURE: Col =
    col(crate::schema::SEIZURE_COLUMNS, "country_of_manufacture");
pub(super) const S_DATE: Col = col(crate::schema::SEIZURE_COLUMNS, "date");
pub(super) const S_DESTINATION: Col = col(crate::schema::SEIZURE_COLUMNS, "destination");
pub(super) const S_ID: Col = col(crate::schema::SEIZURE_COLUMNS, "id");
pub(super) const S_LAST_LEGAL_IMPORT: Col =
    col(crate::schema::SEIZURE_COLUMNS, "last_legal_import");
pub(super) const S_LOT: Col = col(crate::schema::SEIZURE_COLUMNS, "lot");
pub(super) const S_MAKE: Col = col(crate::schema::SEIZURE_COLUMNS, "make");
pub(super) const S_MODEL: Col = col(crate::schema::SEIZURE_COLUMNS, "model");
pub(super) const S_ORIGIN: Col = col(crate::schema::SEIZURE_COLUMNS, "origin");
pub(super) const S_QUANTITY: Col = col(crate::schema::SEIZURE_COLUMNS, "quantity");
pub(super) const S_ROUNDS: Col = col(crate::schema::SEIZURE_COLUMNS, "rounds");
pub(super) const S_SERIAL: Col = col(crate::schema::SEIZURE_COLUMNS, "serial");
pub(super) const S_SOURCE: Col = col(crate::schema::SEIZURE_COLUMNS, "source");
pub(super) const S_POSSESSOR: Col = col(crate::schema::SEIZURE_COLUMNS, "possessor");
pub(super) const S_AGGREGATE: Col = col(crate::schema::SEIZURE_COLUMNS, "aggregate");
pub(super) const S_TRACED_INCIDENT_ID: Col =
    col(crate::schema::SEIZURE_COLUMNS, "traced_incident_id");
pub(super) const S_TRANSIT: Col = col(crate::schema::SEIZURE_COLUMNS, "transit");
pub(super) const S_TRANSPORT_MODE: Col = col(crate::schema::SEIZURE_COLUMNS, "transport_mode");

pub(super) const L_CATEGORIES: Col = col(crate::schema::LOOTING_COLUMNS, "categories");
pub(super) const L_CONFIDENCE: Col = col(crate::schema::LOOTING_COLUMNS, "confidence");
pub(super) const L_DATE: Col = col(crate::schema::LOOTING_COLUMNS, "date");
pub(super) const L_FACILITY: Col = col(crate::schema::LOOTING_COLUMNS, "facility");
pub(super) const L_FACILITY_TYPE: Col = col(crate::schema::LOOTING_COLUMNS, "facility_type");
pub(super) const L_ID: Col = col(crate::schema::LOOTING_COLUMNS, "id");
pub(super) const L_LOTS: Col = col(crate::schema::LOOTING_COLUMNS, "lots");
pub(super) const L_PERPETRATOR: Col = col(crate::schema::LOOTING_COLUMNS, "perpetrator");
pub(super) const L_RECOVERED: Col = col(crate::schema::LOOTING_COLUMNS, "recovered");
pub(super) const L_ROUNDS_LOOTED: Col = col(crate::schema::LOOTING_COLUMNS, "rounds_looted");
pub(super) const L_SERIAL_RANGES: Col = col(crate::schema::LOOTING_COLUMNS, "serial_ranges");
pub(super) const L_SOURCE: Col = col(crate::schema::LOOTING_COLUMNS, "source");
pub(super) const L_WEAPONS_LOOTED: Col = col(crate::schema::LOOTING_COLUMNS, "weapons_looted");

pub(super) const R_CONFIDENCE: Col = col(crate::schema::ROUTE_COLUMNS, "confidence");
pub(super) const R_FIRST_REPORTED: Col = col(crate::schema::ROUTE_COLUMNS, "first_reported");
pub(super) const R_FROM: Col = col(crate::schema::ROUTE_COLUMNS, "from");
pub(super) const R_ID: Col = col(crate::schema::ROUTE_COLUMNS, "id");
pub(super) const R_LAST_REPORTED: Col = col(crate::schema::ROUTE_COLUMNS, "last_reported");
pub(super) const R_MODE: Col = col(crate::schema::ROUTE_COLUMNS, "mode");
pub(super) const R_REPORTS: Col = col(crate::schema::ROUTE_COLUMNS, "reports");
pub(super) const R_SOURCE: Col = col(crate::schema::ROUTE_COLUMNS, "source");
pub(super) const R_TO: Col = col(crate::schema::ROUTE_COLUMNS, "to");
pub(super) const R_VOLUME: Col = col(crate::schema::ROUTE_COLUMNS, "volume");

pub(super) const T_ARMAMENT_CATEGORY: Col =
    col(crate::schema::TRANSFER_COLUMNS, "armament_category");
pub(super) const T_COMMENTS: Col = col(crate::schema::TRANSFER_COLUMNS, "comments");
pub(super) const T_DELIVERED: Col = col(crate::schema::TRANSFER_COLUMNS, "delivered");
pub(super) const T_DELIVERED_ESTIMATE: Col =
    col(crate::schema::TRANSFER_COLUMNS, "delivered_estimate");
pub(super) const T_DELIVERY_YEARS: Col = col(crate::schema::TRANSFER_COLUMNS, "delivery_years");
pub(super) const T_DELIVERY_YEARS_ESTIMATE: Col =
    col(crate::schema::TRANSFER_COLUMNS, "delivery_years_estimate");
pub(super) const T_DESCRIPTION: Col = col(crate::schema::TRANSFER_COLUMNS, "description");
pub(super) const T_DESIGNATION: Col = col(crate::schema::TRANSFER_COLUMNS, "designation");
pub(super) const T_FINANCED_BY: Col = col(crate::schema::TRANSFER_COLUMNS, "financed_by");
pub(super) const T_ID: Col = col(crate::schema::TRANSFER_COLUMNS, "id");
pub(super) const T_ORDER_DATE: Col = col(crate::schema::TRANSFER_COLUMNS, "order_date");
pub(super) const T_ORDER_DATE_ESTIMATE: Col =
    col(crate::schema::TRANSFER_COLUMNS, "order_date_estimate");
pub(super) const T_ORDERED: Col = col(crate::schema::TRANSFER_COLUMNS, "ordered");
pub(super) const T_ORDERED_ESTIMATE: Col = col(crate::schema::TRANSFER_COLUMNS, "ordered_estimate");
pub(super) const T_RECIPIENT: Col = col(crate::schema::TRANSFER_COLUMNS, "recipient");
pub(super) const T_SOURCE: Col = col(crate::schema::TRANSFER_COLUMNS, "source");
pub(super) const T_STATUS: Col = col(crate::schema::TRANSFER_COLUMNS, "status");
pub(super) const T_SUPPLIER: Col = col(crate::schema::TRANSFER_COLUMNS, "supplier");
pub(super) const T_TIV: Col = col(crate::schema::TRANSFER_COLUMNS, "tiv");
pub(super) const T_VIA: Col = col(crate::schema::TRANSFER_COLUMNS, "via");

pub(super) const E_DATE: Col = col(crate::schema::EVENT_COLUMNS, "date");
pub(super) const E_DATE_PRECISION: Col = col(crate::schema::EVENT_COLUMNS, "date_precision");
pub(super) const E_FATALITIES: Col = col(crate::schema::EVENT_COLUMNS, "fatalities");
pub(super) const E_ID: Col = col(crate::schema::EVENT_COLUMNS, "id");
pub(super) const E_SIDE_A: Col = col(crate::schema::EVENT_COLUMNS, "side_a");
pub(super) const E_SIDE_B: Col = col(crate::schema::EVENT_COLUMNS, "side_b");
pub(super) const E_SOURCE: Col = col(crate::schema::EVENT_COLUMNS, "source");
pub(super) const E_TYPE: Col = col(crate::schema::EVENT_COLUMNS, "type");
pub(super) const E_DATE_END: Col = col(crate::schema::EVENT_COLUMNS, "date_end");
pub(super) const E_FATALITIES_LOW: Col = col(crate::schema::EVENT_COLUMNS, "fatalities_low");
pub(super) const E_FATALITIES_HIGH: Col = col(crate::schema::EVENT_COLUMNS, "fatalities_high");
pub(super) const E_ADMIN1: Col = col(crate::schema::EVENT_COLUMNS, "admin1");

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

pub(super) struct Acc<'a, 'c> {
    pub(super) fields: &'a Fields<'a>,
    pub(super) problems: Vec<Problem>,
    pub(super) cache: &'c mut ResolveCache,
}

impl<'a> Acc<'a, '_> {
    pub(super) fn get(&self, c: Col) -> Option<&'a str> {
        self.fields.get(c.index).copied().flatten()
    }

    pub(super) fn push(
        &mut self,
        column: &str,
        value: &str,
        reason: Reason,
        detail: impl Into<String>,
    ) {
        self.problems.push(Problem::new(column, value, reason, detail));
    }

    pub(super) fn text(&self, c: Col) -> Option<Text> {
        self.get(c).map(Text::from)
    }

    pub(super) fn required(&mut self, c: Col) -> Option<&'a str> {
        let v = self.get(c);
        if v.is_none() {
            let name = c.name;
            self.push(name, "", Reason::Missing, format!("{name} is required"));
        }
        v
    }

    pub(super) fn number(&mut self, c: Col) -> Option<f64> {
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

    pub(super) fn count(&mut self, c: Col) -> Option<u64> {
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

    pub(super) fn unit(&mut self, c: Col) -> Option<f64> {
        let (name, raw) = (c.name, self.get(c)?);
        let x = self.number(c)?;
        if (0.0..=1.0).contains(&x) {
            Some(x)
        } else {
            self.push(name, raw, Reason::OutOfRange, format!("{name} must lie in [0, 1]"));
            None
        }
    }

    pub(super) fn date(&mut self, c: Col, today: NaiveDate) -> Option<PartialDate> {
        let (name, raw) = (c.name, self.get(c)?);
        match raw.parse::<PartialDate>() {
            Ok(d) if d.starts_after(today) => {
                self.push(
                    name,
                    raw,
                    Reason::FutureDate,
                    format!("{name} {} is after the day of the run", clip(raw)),
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
    pub(super) fn flag(&mut self, c: Col) -> bool {
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
                    format!(
                        "{name} must be yes or no (or '?' for an estimate), not {:?}",
                        clip(raw)
                    ),
                );
                false
            }
        }
    }

    pub(super) fn vocab<T>(
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
                format!("{name} {:?} is not in the vocabulary{suggestion}", clip(raw)),
            );
        }
        v
    }
}

pub(super) fn closest<'s>(text: &str, options: &[&'s str]) -> Option<&'s str> {
    let key = crate::schema::vocab_key(text);
    options
        .iter()
        .map(|o| (strsim::jaro_winkler(&key, &crate::schema::vocab_key(o)), *o))
        .filter(|(s, _)| *s >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, o)| o)
}

impl<'g> Checker<'g> {
    pub(super) fn country(&self, acc: &mut Acc<'_, '_>, c: Col) -> Option<crate::geo::CountryId> {
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
    pub(super) fn endpoint(
        &self,
        acc: &mut Acc<'_, '_>,
        name: &str,
        raw: &str,
    ) -> Option<(Resolved, Option<crate::actors::ActorRef>)> {
        use crate::actors::{ActorKind, ActorRef};
        // A historical state or an aliased party is a party even where the gazetteer
        // knows its name as a country's (`Soviet Union`, for locations: Russia).
        if !self.actors.is_listed(raw) {
            match acc.cache.reference(self.gazetteer, raw) {
                Ok(r) => return Some((r, None)),
                Err(crate::geo::gazetteer::Unresolved::Country { .. }) => {}
                Err(_) => return self.reference(acc, name, raw).map(|r| (r, None)),
            }
        }
        match acc.cache.actor(self.actors, self.gazetteer, raw) {
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
    pub(super) fn party(&self, acc: &mut Acc<'_, '_>, c: Col) -> Option<Party> {
        let raw = acc.get(c)?;
        match acc.cache.actor(self.actors, self.gazetteer, raw) {
            Some(a) => {
                Some(Party { name: Text::from(a.name.as_str()), kind: a.kind, country: a.country })
            }
            None => {
                let detail = match self.actors.parse(raw, self.gazetteer) {
                    Err(e) => e.to_string(),
                    Ok(_) => format!("{:?} is not a party", clip(raw)),
                };
                acc.push(c.name, raw, Reason::UnknownActor, detail);
                None
            }
        }
    }

    /// Delivery years: `2019; 2020`, each optionally with its number (`2020:12`,
    /// `2020 (12)`), in increasing order, a year given twice summed.
    pub(super) fn deliveries(&self, acc: &mut Acc<'_, '_>) -> Vec<Delivery> {
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

    pub(super) fn reference(
        &self,
        acc: &mut Acc<'_, '_>,
        name: &str,
        raw: &str,
    ) -> Option<Resolved> {
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

    pub(super) fn list<'a>(&self, acc: &Acc<'a, '_>, c: Col) -> Vec<&'a str> {
        acc.get(c)
            .map(|v| {
                v.split(self.list_separator).map(str::trim).filter(|s| !s.is_empty()).collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn location(&self, acc: &mut Acc<'_, '_>) -> Option<(Location, bool)> {
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
}
