//! The normalised tables a run writes: seizures, looting, routes, transfers, events, the
//! actors they name, and rejected rows.

use crate::date::PartialDate;
use crate::geo::{Gazetteer, Resolved};
use crate::ingest::{FileReport, Ingested};
use crate::output::{OutputError, Table, TableBuilder};
use crate::records::{Location, RowRef};

/// Text name of a resolved location: ISO3 for a country, `place, ISO3` otherwise.
pub fn resolved_label(g: &Gazetteer, r: Resolved) -> String {
    match r {
        Resolved::Country(c) => g.country(c).iso3.clone(),
        Resolved::Admin1(a) => {
            let a = &g.admin1s()[a.0 as usize];
            format!("{}, {}", a.name, g.country(a.country).iso3)
        }
        Resolved::City(c) => {
            let c = &g.cities()[c.0 as usize];
            format!("{}, {}", c.name, g.country(c.country).iso3)
        }
    }
}

fn file_name(files: &[FileReport], row: RowRef) -> String {
    files.get(row.file as usize).map(|f| f.path.display().to_string()).unwrap_or_default()
}

/// One located, dated record: id, date, location, the precision of its date and its last
/// day (days since 1970-01-01: the date's own, or a conflict event's end).
type Dated<'a> = (&'a str, PartialDate, &'a Location, &'static str, i32);

/// Adds the id, date and location columns shared by seizures, looting incidents and
/// conflict events.
fn event_columns(
    t: TableBuilder,
    g: &Gazetteer,
    ev: &[Dated<'_>],
) -> Result<TableBuilder, OutputError> {
    let t = t
        .text("id", ev.iter().map(|e| Some(e.0)))
        .text("date", ev.iter().map(|e| Some(e.1.to_string())))
        .text("date_precision", ev.iter().map(|e| Some(e.3)))
        .date("date_start", ev.iter().map(|e| Some(e.1.first_day_epoch())))?
        .date("date_end", ev.iter().map(|e| Some(e.4)))?;
    let locs: Vec<&Location> = ev.iter().map(|e| e.2).collect();
    Ok(t.text("country", locs.iter().map(|l| Some(g.country(l.country).iso3.as_str())))
        .text("country_name", locs.iter().map(|l| Some(g.country(l.country).name.as_str())))
        .text("region", locs.iter().map(|l| Some(g.country(l.country).region.as_str())))
        .text("subregion", locs.iter().map(|l| Some(g.country(l.country).subregion.as_str())))
        .text(
            "admin1",
            locs.iter().map(|l| l.admin1.map(|a| g.admin1s()[a.0 as usize].name.as_str())),
        )
        .text("place", locs.iter().map(|l| l.place.as_deref()))
        .float("lat", locs.iter().map(|l| Some(l.point.lat())))
        .float("lon", locs.iter().map(|l| Some(l.point.lon())))
        .text("location_precision", locs.iter().map(|l| Some(l.precision.as_str()))))
}

fn join_iso3(g: &Gazetteer, ids: &[crate::geo::CountryId]) -> Option<String> {
    (!ids.is_empty())
        .then(|| ids.iter().map(|c| g.country(*c).iso3.as_str()).collect::<Vec<_>>().join(";"))
}

/// The normalised seizures table (possessors read with the built-in crosswalks).
pub fn seizures(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    seizures_with(g, &crate::actors::Actors::builtin(), ing)
}

/// The normalised seizures table, possessors read with `actors`.
pub fn seizures_with(
    g: &Gazetteer,
    actors: &crate::actors::Actors,
    ing: &Ingested,
) -> Result<Table, OutputError> {
    let s = &ing.seizures;
    let events: Vec<Dated<'_>> = s
        .iter()
        .map(|r| {
            let p = r.date.precision().as_str();
            (r.id.as_str(), r.date, &r.location, p, r.date.last_day_epoch())
        })
        .collect();
    event_columns(TableBuilder::new("seizures"), g, &events)?
        .text("category", s.iter().map(|r| r.category.map(|c| c.as_str())))
        .uint("quantity", s.iter().map(|r| r.quantity))
        .uint("rounds", s.iter().map(|r| r.rounds))
        .text("make", s.iter().map(|r| r.make.as_deref()))
        .text("model", s.iter().map(|r| r.model.as_deref()))
        .text("calibre", s.iter().map(|r| r.calibre.as_deref()))
        .text("serial", s.iter().map(|r| r.serial.as_deref()))
        .text("lot", s.iter().map(|r| r.lot.as_deref()))
        .text(
            "country_of_manufacture",
            s.iter().map(|r| r.country_of_manufacture.map(|c| g.country(c).iso3.as_str())),
        )
        .text(
            "last_legal_import",
            s.iter().map(|r| r.last_legal_import.map(|c| g.country(c).iso3.as_str())),
        )
        .text("origin", s.iter().map(|r| join_iso3(g, &r.origin)))
        .text(
            "transit",
            s.iter().map(|r| {
                (!r.transit.is_empty()).then(|| {
                    r.transit.iter().map(|t| resolved_label(g, *t)).collect::<Vec<_>>().join(";")
                })
            }),
        )
        .text("destination", s.iter().map(|r| r.destination.map(|d| resolved_label(g, d))))
        .text("traced_incident_id", s.iter().map(|r| r.traced_incident_id.as_deref()))
        .text("transport_mode", s.iter().map(|r| r.transport_mode.map(|m| m.as_str())))
        .text("source", s.iter().map(|r| r.source.as_deref()))
        .float("confidence", s.iter().map(|r| r.confidence))
        .text("possessor", s.iter().map(|r| r.possessor.as_deref()))
        .text("possessor_kind", {
            let mut kinds = PartyKinds::with(g, actors.clone());
            s.iter().map(move |r| r.possessor.as_deref().map(|p| kinds.kind(p))).collect::<Vec<_>>()
        })
        .text("aggregate", s.iter().map(|r| r.aggregate.map(|a| a.as_str())))
        .text("source_file", s.iter().map(|r| Some(file_name(&ing.files, r.row))))
        .uint("source_line", s.iter().map(|r| Some(r.row.line)))
        .build()
}

/// The kind of a party named in free text (a possessor, a perpetrator): its kind as
/// [`crate::actors::Actors::parse`] reads it, or `unclassified`; each distinct name parsed
/// once.
pub(crate) struct PartyKinds<'g> {
    g: &'g Gazetteer,
    actors: crate::actors::Actors,
    seen: std::collections::HashMap<String, Option<crate::actors::Actor>>,
}

impl<'g> PartyKinds<'g> {
    /// With the built-in crosswalks.
    pub(crate) fn new(g: &'g Gazetteer) -> Self {
        Self::with(g, crate::actors::Actors::builtin())
    }

    /// With `actors` (the user's aliases over the built-in crosswalks).
    pub(crate) fn with(g: &'g Gazetteer, actors: crate::actors::Actors) -> Self {
        PartyKinds { g, actors, seen: Default::default() }
    }

    /// The actor a name reads as, if any.
    fn actor(&mut self, text: &str) -> Option<crate::actors::Actor> {
        let (g, actors) = (self.g, &self.actors);
        self.seen.entry(text.to_string()).or_insert_with(|| actors.parse(text, g).ok()).clone()
    }

    /// (kind, name without marks, country) of a party.
    fn party(&mut self, text: &str) -> (&'static str, String, Option<crate::geo::CountryId>) {
        match self.actor(text) {
            Some(a) => (a.kind.as_str(), a.name, a.country),
            None => ("unclassified", text.trim().to_string(), None),
        }
    }

    pub(crate) fn kind(&mut self, text: &str) -> &'static str {
        self.party(text).0
    }
}

/// The normalised looting-incidents table.
pub fn looting(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    let s = &ing.looting;
    let events: Vec<Dated<'_>> = s
        .iter()
        .map(|r| {
            let p = r.date.precision().as_str();
            (r.id.as_str(), r.date, &r.location, p, r.date.last_day_epoch())
        })
        .collect();
    event_columns(TableBuilder::new("looting"), g, &events)?
        .text("facility", s.iter().map(|r| r.facility.as_deref()))
        .text("facility_type", s.iter().map(|r| r.facility_type.as_deref()))
        .text("perpetrator", s.iter().map(|r| r.perpetrator.as_deref()))
        .uint("weapons_looted", s.iter().map(|r| r.weapons_looted))
        .uint("rounds_looted", s.iter().map(|r| r.rounds_looted))
        .text(
            "categories",
            s.iter().map(|r| {
                (!r.categories.is_empty())
                    .then(|| r.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(";"))
            }),
        )
        .text(
            "serial_ranges",
            s.iter().map(|r| {
                (!r.serial_ranges.is_empty()).then(|| {
                    r.serial_ranges
                        .iter()
                        .map(|x| {
                            format!("{}:{}{}-{}{}", x.model, x.prefix, x.first, x.prefix, x.last)
                        })
                        .collect::<Vec<_>>()
                        .join(";")
                })
            }),
        )
        .text("lots", s.iter().map(|r| (!r.lots.is_empty()).then(|| r.lots.join(";"))))
        .uint("recovered", s.iter().map(|r| r.recovered))
        .text("source", s.iter().map(|r| r.source.as_deref()))
        .float("confidence", s.iter().map(|r| r.confidence))
        .text("source_file", s.iter().map(|r| Some(file_name(&ing.files, r.row))))
        .uint("source_line", s.iter().map(|r| Some(r.row.line)))
        .build()
}

/// The normalised routes table.
pub fn routes(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    let s = &ing.routes;
    TableBuilder::new("routes")
        .text("id", s.iter().map(|r| Some(&r.id)))
        .text("from", s.iter().map(|r| Some(resolved_label(g, r.from))))
        .text("to", s.iter().map(|r| Some(resolved_label(g, r.to))))
        .text("from_country", s.iter().map(|r| Some(g.country(g.country_of(r.from)).iso3.as_str())))
        .text("to_country", s.iter().map(|r| Some(g.country(g.country_of(r.to)).iso3.as_str())))
        .text("mode", s.iter().map(|r| r.mode.map(|m| m.as_str())))
        .text("first_reported", s.iter().map(|r| r.first_reported.map(|d| d.to_string())))
        .text("last_reported", s.iter().map(|r| r.last_reported.map(|d| d.to_string())))
        .uint("reports", s.iter().map(|r| Some(u64::from(r.reports))))
        .float("volume", s.iter().map(|r| r.volume))
        .float("confidence", s.iter().map(|r| r.confidence))
        .text("source", s.iter().map(|r| r.source.as_deref()))
        .text("from_actor", s.iter().map(|r| r.from_actor.as_ref().map(|a| a.name.as_str())))
        .text("from_actor_kind", s.iter().map(|r| r.from_actor.as_ref().map(|a| a.kind.as_str())))
        .text("to_actor", s.iter().map(|r| r.to_actor.as_ref().map(|a| a.name.as_str())))
        .text("to_actor_kind", s.iter().map(|r| r.to_actor.as_ref().map(|a| a.kind.as_str())))
        .text("source_file", s.iter().map(|r| Some(file_name(&ing.files, r.row))))
        .uint("source_line", s.iter().map(|r| Some(r.row.line)))
        .build()
}

fn party_iso3<'g>(g: &'g Gazetteer, p: &crate::records::Party) -> Option<&'g str> {
    p.country.map(|c| g.country(c).iso3.as_str())
}

/// The normalised transfers table: one row per transfer record, the parties with their
/// kind and country, the delivery years as written back (`2019;2020:12`), the estimate
/// flags as booleans.
pub fn transfers(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    let s = &ing.transfers;
    let years = |r: &crate::records::Transfer| {
        (!r.deliveries.is_empty()).then(|| {
            r.deliveries
                .iter()
                .map(|d| match d.items {
                    Some(n) => format!("{}:{n}", d.year),
                    None => d.year.to_string(),
                })
                .collect::<Vec<_>>()
                .join(";")
        })
    };
    TableBuilder::new("transfers")
        .text("id", s.iter().map(|r| Some(&r.id)))
        .text("supplier", s.iter().map(|r| Some(&r.supplier.name)))
        .text("supplier_kind", s.iter().map(|r| Some(r.supplier.kind.as_str())))
        .text("supplier_country", s.iter().map(|r| party_iso3(g, &r.supplier)))
        .text("recipient", s.iter().map(|r| Some(&r.recipient.name)))
        .text("recipient_kind", s.iter().map(|r| Some(r.recipient.kind.as_str())))
        .text("recipient_country", s.iter().map(|r| party_iso3(g, &r.recipient)))
        .text("order_date", s.iter().map(|r| r.order_date.map(|d| d.to_string())))
        .boolean("order_date_estimate", s.iter().map(|r| Some(r.order_date_estimate)))
        .text("delivery_years", s.iter().map(years))
        .boolean("delivery_years_estimate", s.iter().map(|r| Some(r.delivery_years_estimate)))
        .int("first_delivery", s.iter().map(|r| r.deliveries.first().map(|d| i64::from(d.year))))
        .int("last_delivery", s.iter().map(|r| r.deliveries.last().map(|d| i64::from(d.year))))
        .text("designation", s.iter().map(|r| r.designation.as_deref()))
        .text("description", s.iter().map(|r| r.description.as_deref()))
        .text("armament_category", s.iter().map(|r| r.armament_category.as_deref()))
        .uint("ordered", s.iter().map(|r| r.ordered))
        .boolean("ordered_estimate", s.iter().map(|r| Some(r.ordered_estimate)))
        .uint("delivered", s.iter().map(|r| r.delivered))
        .boolean("delivered_estimate", s.iter().map(|r| Some(r.delivered_estimate)))
        .float("tiv", s.iter().map(|r| r.tiv))
        .text("status", s.iter().map(|r| r.status.map(|x| x.as_str())))
        .boolean("second_hand", s.iter().map(|r| Some(r.second_hand)))
        .boolean("modernised", s.iter().map(|r| Some(r.modernised)))
        .boolean("aid", s.iter().map(|r| Some(r.aid)))
        .boolean("aid_uncertain", s.iter().map(|r| Some(r.aid_uncertain)))
        .text("via", s.iter().map(|r| r.via.as_ref().map(|p| p.name.as_str())))
        .text("financed_by", s.iter().map(|r| r.financed_by.as_ref().map(|p| p.name.as_str())))
        .text("comments", s.iter().map(|r| r.comments.as_deref()))
        .text("source", s.iter().map(|r| r.source.as_deref()))
        .text("source_file", s.iter().map(|r| Some(file_name(&ing.files, r.row))))
        .uint("source_line", s.iter().map(|r| Some(r.row.line)))
        .build()
}

/// The normalised conflict-events table (`date_precision` here is the source's: day,
/// week, month or year; `date_start`..`date_end` the whole event, `days` its length).
pub fn events(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    let s = &ing.events;
    let evs: Vec<Dated<'_>> = s
        .iter()
        .map(|r| {
            (r.id.as_str(), r.date, &r.location, r.date_precision.as_str(), r.last_day_epoch())
        })
        .collect();
    event_columns(TableBuilder::new("events"), g, &evs)?
        .uint("days", s.iter().map(|r| Some(u64::from(r.days()))))
        .text("admin1_reported", s.iter().map(|r| r.admin1.as_deref()))
        .text("type", s.iter().map(|r| r.event_type.as_deref()))
        .text("side_a", s.iter().map(|r| r.side_a.as_deref()))
        .text("side_b", s.iter().map(|r| r.side_b.as_deref()))
        .uint("fatalities", s.iter().map(|r| r.fatalities))
        .uint("fatalities_low", s.iter().map(|r| r.fatalities_low))
        .uint("fatalities_high", s.iter().map(|r| r.fatalities_high))
        .text("source", s.iter().map(|r| r.source.as_deref()))
        .text("source_file", s.iter().map(|r| Some(file_name(&ing.files, r.row))))
        .uint("source_line", s.iter().map(|r| Some(r.row.line)))
        .build()
}

/// The `aggregate_checks` table: how the national aggregates among the seizures were
/// reconciled, one row per file, country and date (`crate::ingest::aggregates`): the
/// total, the sum of its breakdown, their difference (breakdown minus total), the outcome
/// and the weapons counted.
pub fn aggregate_checks(g: &Gazetteer, ing: &Ingested) -> Result<Table, OutputError> {
    let c = &ing.aggregate_checks;
    let file = |f: u32| ing.files.get(f as usize).map(|f| f.path.display().to_string());
    TableBuilder::new("aggregate_checks")
        .text("country", c.iter().map(|x| Some(g.country(x.country).iso3.as_str())))
        .text("date", c.iter().map(|x| Some(x.date.to_string())))
        .uint("total", c.iter().map(|x| x.total))
        .uint("breakdown", c.iter().map(|x| x.breakdown))
        .int("difference", c.iter().map(|x| x.difference()))
        .uint("totals", c.iter().map(|x| Some(u64::from(x.totals))))
        .uint("parts", c.iter().map(|x| Some(u64::from(x.parts))))
        .text("outcome", c.iter().map(|x| Some(x.outcome.as_str())))
        .uint("counted", c.iter().map(|x| Some(x.counted)))
        .text("source_file", c.iter().map(|x| file(x.file)))
        .uint("source_line", c.iter().map(|x| x.line))
        .build()
}

/// The rejected-rows table: one line per problem.
pub fn rejected(ing: &Ingested) -> Result<Table, OutputError> {
    let r = &ing.rejections;
    TableBuilder::new("rejected")
        .text("table", r.iter().map(|x| Some(x.table.as_str())))
        .text("file", r.iter().map(|x| Some(file_name(&ing.files, x.row))))
        .uint("line", r.iter().map(|x| Some(x.row.line)))
        .text("column", r.iter().map(|x| Some(&x.problem.column)))
        .text("value", r.iter().map(|x| Some(&x.problem.value)))
        .text("reason", r.iter().map(|x| Some(x.problem.reason.as_str())))
        .text("detail", r.iter().map(|x| Some(&x.problem.detail)))
        .build()
}

/// The records found in two inputs of a kind (`duplicates.csv`): one row per pair, the
/// record kept and its duplicate (file, line, id), why (`same_deal`, `same_id`,
/// `same_content`), what became of the duplicate (`dropped`, or `kept_both` with
/// `run.duplicates = "keep"`) and what agrees or differs.
pub fn duplicates(ing: &Ingested) -> Result<Table, OutputError> {
    let d = &ing.duplicates;
    TableBuilder::new("duplicates")
        .text("table", d.iter().map(|x| Some(x.table.as_str())))
        .text("kept_file", d.iter().map(|x| Some(file_name(&ing.files, x.kept))))
        .uint("kept_line", d.iter().map(|x| Some(x.kept.line)))
        .text("kept_id", d.iter().map(|x| Some(&x.kept_id)))
        .text("duplicate_file", d.iter().map(|x| Some(file_name(&ing.files, x.duplicate))))
        .uint("duplicate_line", d.iter().map(|x| Some(x.duplicate.line)))
        .text("duplicate_id", d.iter().map(|x| Some(&x.duplicate_id)))
        .text("reason", d.iter().map(|x| Some(x.reason.as_str())))
        .text("action", d.iter().map(|x| Some(if x.kept_both { "kept_both" } else { "dropped" })))
        .text("detail", d.iter().map(|x| Some(&x.detail)))
        .build()
}

/// One party as the actors table sums it up.
#[derive(Debug, Default)]
struct ActorRow {
    kind: &'static str,
    country: Option<String>,
    /// The record date whose interval starts first, and the one whose interval ends last.
    first_seen: Option<PartialDate>,
    last_seen: Option<PartialDate>,
    routes_from: u64,
    routes_to: u64,
    seizures: u64,
    items_seized: u64,
    looting_incidents: u64,
    weapons_looted: u64,
    transfers_supplied: u64,
    tiv_supplied: f64,
    transfers_received: u64,
    tiv_received: f64,
    conflict_events: u64,
    fatalities: u64,
}

impl ActorRow {
    fn seen(&mut self, d: Option<PartialDate>) {
        if let Some(d) = d {
            if self.first_seen.is_none_or(|x| d.first_day() < x.first_day()) {
                self.first_seen = Some(d);
            }
            if self.last_seen.is_none_or(|x| d.last_day() > x.last_day()) {
                self.last_seen = Some(d);
            }
        }
    }
}

/// The actors table with the built-in crosswalks ([`actors_with`]).
pub fn actors(g: &Gazetteer, kinds: &[&Ingested]) -> Result<Table, OutputError> {
    actors_with(g, &crate::actors::Actors::builtin(), kinds)
}

/// The actors table: every party the records name, one row per actor (kind and name: every
/// spelling of one actor is one row, see [`crate::actors`]). Route endpoints that are
/// parties (armed groups, historical states) count as `routes_from`/`routes_to` with the
/// legs' reported dates; every supplier and recipient of a transfer (states included) as
/// `transfers_supplied`/`tiv_supplied` and `transfers_received`/`tiv_received` (transfer
/// records and their delivered TIV), seen at its order and delivery years; seizure
/// possessors as `seizures` and `items_seized`, looting perpetrators as
/// `looting_incidents` and `weapons_looted`; each side of a conflict event as
/// `conflict_events` and `fatalities` ([`crate::actors::Actors::event_side`]). A possessor
/// or perpetrator that reads as no actor is the party of that name among the routes',
/// transfers' and events' parties, else `unclassified`. A party without a country of its own is placed in the country of most
/// of its records (the first in ISO3 order on a tie). `first_seen` is the first day of the
/// record date that starts first, `last_seen` the last day of the one that ends last, each
/// with that date's precision (`year`, `month`, `day`). Sorted by kind, then name. `kinds`
/// are the ingest results (any order).
pub fn actors_with(
    g: &Gazetteer,
    book: &crate::actors::Actors,
    kinds: &[&Ingested],
) -> Result<Table, OutputError> {
    use std::collections::BTreeMap;
    let mut rows: BTreeMap<(&'static str, String), ActorRow> = BTreeMap::new();
    let mut parties = PartyKinds::with(g, book.clone());
    let iso3 = |c: crate::geo::CountryId| g.country(c).iso3.clone();
    for r in kinds.iter().flat_map(|k| &k.routes) {
        for (party, at, from) in [(&r.from_actor, r.from, true), (&r.to_actor, r.to, false)] {
            let Some(a) = party else { continue };
            let row = rows.entry((a.kind.as_str(), a.name.to_string())).or_default();
            row.kind = a.kind.as_str();
            row.country.get_or_insert_with(|| iso3(g.country_of(at)));
            row.seen(r.first_reported);
            row.seen(r.last_reported);
            if from {
                row.routes_from += 1;
            } else {
                row.routes_to += 1;
            }
        }
    }
    for t in kinds.iter().flat_map(|k| &k.transfers) {
        let tiv = t.tiv.unwrap_or(0.0);
        for (party, supplied) in [(&t.supplier, true), (&t.recipient, false)] {
            let row = rows.entry((party.kind.as_str(), party.name.to_string())).or_default();
            row.kind = party.kind.as_str();
            if row.country.is_none() {
                row.country = party.country.map(iso3);
            }
            row.seen(t.order_date);
            for d in &t.deliveries {
                row.seen(PartialDate::year(d.year).ok());
            }
            if supplied {
                row.transfers_supplied += 1;
                row.tiv_supplied += tiv;
            } else {
                row.transfers_received += 1;
                row.tiv_received += tiv;
            }
        }
    }
    // Names met so far, with their kind: a free-text name that reads as no actor is that
    // actor (a possessor `Hezbollah` is SIPRI's `Hezbollah (Lebanon)*`).
    let mut known: BTreeMap<String, &'static str> = BTreeMap::new();
    for (kind, name) in rows.keys() {
        known.entry(name.clone()).or_insert(kind);
    }
    let mut countries: BTreeMap<(&'static str, String), BTreeMap<String, u64>> = BTreeMap::new();
    // A party, its own country (set on the row) or else the record's (counted).
    let mut place = |rows: &mut BTreeMap<(&'static str, String), ActorRow>,
                     key: (&'static str, String),
                     own: Option<crate::geo::CountryId>,
                     at: crate::geo::CountryId| {
        let row = rows.entry(key.clone()).or_default();
        row.kind = key.0;
        match own {
            Some(c) => {
                row.country.get_or_insert_with(|| iso3(c));
            }
            None => *countries.entry(key).or_default().entry(iso3(at)).or_default() += 1,
        }
    };
    for e in kinds.iter().flat_map(|k| &k.events) {
        for side in [e.side_a.as_deref(), e.side_b.as_deref()] {
            let Some(text) = side.map(str::trim).filter(|p| !p.is_empty()) else { continue };
            let at = e.location.country;
            let (key, own) = match parties.actor(text) {
                Some(a) => ((a.kind.as_str(), a.name), a.country),
                None => match book.event_side(text, at, g) {
                    // No convention reads it: the actor of that name met above, else an
                    // armed group of the event's country.
                    Some(a) => match known.get(&a.name) {
                        Some(k) => ((*k, a.name), None),
                        None => ((a.kind.as_str(), a.name), None),
                    },
                    None => (("unclassified", text.to_string()), None),
                },
            };
            place(&mut rows, key.clone(), own, at);
            let row = rows.entry(key).or_default();
            row.seen(Some(e.date));
            row.conflict_events += 1;
            row.fatalities += e.fatalities.unwrap_or(0);
        }
    }
    // Sides met in events are known too (a perpetrator `JNIM` is the event side `JNIM`).
    for (kind, name) in rows.keys() {
        known.entry(name.clone()).or_insert(kind);
    }
    let named = |parties: &mut PartyKinds<'_>, text: Option<&str>| {
        let p = text.map(str::trim).filter(|p| !p.is_empty())?;
        let (kind, name, country) = parties.party(p);
        let kind = match (kind, known.get(&name)) {
            ("unclassified", Some(k)) => *k,
            _ => kind,
        };
        Some(((kind, name), country))
    };
    for z in kinds.iter().flat_map(|k| &k.seizures) {
        let Some((key, own)) = named(&mut parties, z.possessor.as_deref()) else { continue };
        place(&mut rows, key.clone(), own, z.location.country);
        let row = rows.entry(key).or_default();
        row.seen(Some(z.date));
        row.seizures += 1;
        row.items_seized += z.quantity.unwrap_or(1);
    }
    for l in kinds.iter().flat_map(|k| &k.looting) {
        let Some((key, own)) = named(&mut parties, l.perpetrator.as_deref()) else { continue };
        place(&mut rows, key.clone(), own, l.location.country);
        let row = rows.entry(key).or_default();
        row.seen(Some(l.date));
        row.looting_incidents += 1;
        row.weapons_looted += l.weapons_looted.unwrap_or(0);
    }
    for (key, by_country) in countries {
        let row = rows.entry(key).or_default();
        if row.country.is_none() {
            let best = by_country.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
            row.country = best.map(|(c, _)| c.clone());
        }
    }
    let rows: Vec<(&(&str, String), &ActorRow)> = rows.iter().collect();
    let first = |r: &ActorRow| r.first_seen;
    let last = |r: &ActorRow| r.last_seen;
    TableBuilder::new("actors")
        .text("actor", rows.iter().map(|(k, _)| Some(k.1.as_str())))
        .text("kind", rows.iter().map(|(_, r)| Some(r.kind)))
        .text("country", rows.iter().map(|(_, r)| r.country.as_deref()))
        .date("first_seen", rows.iter().map(|(_, r)| first(r).map(|d| d.first_day_epoch())))?
        .text(
            "first_seen_precision",
            rows.iter().map(|(_, r)| first(r).map(|d| d.precision().as_str())),
        )
        .date("last_seen", rows.iter().map(|(_, r)| last(r).map(|d| d.last_day_epoch())))?
        .text(
            "last_seen_precision",
            rows.iter().map(|(_, r)| last(r).map(|d| d.precision().as_str())),
        )
        .uint("routes_from", rows.iter().map(|(_, r)| Some(r.routes_from)))
        .uint("routes_to", rows.iter().map(|(_, r)| Some(r.routes_to)))
        .uint("seizures", rows.iter().map(|(_, r)| Some(r.seizures)))
        .uint("items_seized", rows.iter().map(|(_, r)| Some(r.items_seized)))
        .uint("looting_incidents", rows.iter().map(|(_, r)| Some(r.looting_incidents)))
        .uint("weapons_looted", rows.iter().map(|(_, r)| Some(r.weapons_looted)))
        .uint("transfers_supplied", rows.iter().map(|(_, r)| Some(r.transfers_supplied)))
        .float("tiv_supplied", rows.iter().map(|(_, r)| Some(r.tiv_supplied)))
        .uint("transfers_received", rows.iter().map(|(_, r)| Some(r.transfers_received)))
        .float("tiv_received", rows.iter().map(|(_, r)| Some(r.tiv_received)))
        .uint("conflict_events", rows.iter().map(|(_, r)| Some(r.conflict_events)))
        .uint("fatalities", rows.iter().map(|(_, r)| Some(r.fatalities)))
        .build()
}
