//! Record assembly: the fields of one row, parsed by [`super::fields`], into a typed
//! record of its kind (seizure, looting incident, route report, transfer, conflict event)
//! with its notes, or every problem of the row.

use super::fields::*;
use super::{Checker, Fields, Problem, Reason, ResolveCache, RowNotes};
use crate::records::{
    ConflictEvent, LootingIncident, RouteReport, RowRef, Seizure, SerialRange, Text, Transfer,
};
use crate::schema::{
    Category, EventDatePrecision, NationalAggregate, TransferStatus, TransportMode,
};

impl<'g> Checker<'g> {
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
        // The one vocabulary column without a reason of its own: a value that is neither
        // total nor part is a flag holding something else.
        let aggregate = a.vocab(
            S_AGGREGATE,
            NationalAggregate::parse,
            NationalAggregate::spellings(),
            Reason::InvalidFlag,
        );
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
                    aggregate,
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
                        format!("category {:?} is not in the vocabulary{s}", crate::text::clip(c)),
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
        let (mut second_hand, mut modernised) = (false, false);
        for item in self.list(&a, T_STATUS) {
            if item.eq_ignore_ascii_case("aid") {
                aid = true;
            } else if let Some(s) = TransferStatus::parse(item) {
                // "Second hand but modernized" is both.
                second_hand |= matches!(s, TransferStatus::SecondHand | TransferStatus::Modernised);
                modernised |= s == TransferStatus::Modernised;
                status = Some(s);
            } else {
                let s = closest(item, TransferStatus::spellings())
                    .map(|s| format!("; did you mean {s:?}?"))
                    .unwrap_or_default();
                a.push(
                    "status",
                    item,
                    Reason::UnknownStatus,
                    format!(
                        "status {:?} is not new, second_hand, modernised or aid{s}",
                        crate::text::clip(item)
                    ),
                );
            }
        }
        let comments = a.text(T_COMMENTS);
        let mention = comments.as_deref().map(super::aid_in_comments).unwrap_or_default();
        aid |= mention.stated;
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
                    second_hand,
                    modernised,
                    aid,
                    aid_uncertain: mention.uncertain && !aid,
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
        let (low, high) = (a.count(E_FATALITIES_LOW), a.count(E_FATALITIES_HIGH));
        // Kept as published, not checked against each other: UCDP GED 23.1 has events
        // whose high estimate is below the best (id 30272: 8, 8, 4) or whose low is above it.
        let date_end = a.date(E_DATE_END, self.today);
        if let (Some(start), Some(end)) = (date, date_end)
            && start.first_day() > end.last_day()
        {
            a.push(
                "date_end",
                a.get(E_DATE_END).unwrap_or(""),
                Reason::DateOrder,
                format!("date_end {end} is before date {start}"),
            );
        }
        match (id, date, location) {
            (Some(id), Some(date), Some((location, downgraded))) if a.problems.is_empty() => {
                use crate::date::DatePrecision as P;
                let date_precision = precision.unwrap_or(match date.precision() {
                    P::Day => EventDatePrecision::Day,
                    P::Month => EventDatePrecision::Month,
                    P::Year => EventDatePrecision::Year,
                });
                // Without an end date, a month- or year-precise event keeps only its month
                // or year; with one, the interval date..date_end says where it lies, and
                // the start is kept as given.
                let date = match date_end {
                    Some(_) => date,
                    None => date.truncate(match date_precision {
                        EventDatePrecision::Day | EventDatePrecision::Week => P::Day,
                        EventDatePrecision::Month => P::Month,
                        EventDatePrecision::Year => P::Year,
                    }),
                };
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
                        date_end,
                        fatalities_low: low,
                        fatalities_high: high,
                        admin1: a.text(E_ADMIN1),
                        row,
                    },
                    RowNotes { precision_downgraded: downgraded },
                ))
            }
            _ => Err(a.problems),
        }
    }
}
