//! Partial dates: `2023`, `2023-05` or `2023-05-28`, with their precision kept.
//!
//! Reports often give only a year or a month. A [`PartialDate`] keeps what was said and
//! exposes the interval it covers ([`PartialDate::first_day`], [`PartialDate::last_day`]),
//! so later stages can bin by month or year without inventing precision. A [`TimeStep`]
//! (month, quarter, year) numbers and labels those bins.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// How much of a date was reported.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum DatePrecision {
    /// Only the year, e.g. `2023`.
    Year,
    /// Year and month, e.g. `2023-05`.
    Month,
    /// A full calendar date, e.g. `2023-05-28`.
    Day,
}

impl DatePrecision {
    /// The lower-case name written to output tables.
    pub fn as_str(self) -> &'static str {
        match self {
            DatePrecision::Year => "year",
            DatePrecision::Month => "month",
            DatePrecision::Day => "day",
        }
    }
}

/// A calendar date known to year, month or day precision.
///
/// Ordering compares the first day of the covered interval, then the precision.
///
/// ```
/// use divnet::date::{DatePrecision, PartialDate};
/// let d: PartialDate = "2024-02".parse().unwrap();
/// assert_eq!(d.precision(), DatePrecision::Month);
/// assert_eq!(d.first_day().to_string(), "2024-02-01");
/// assert_eq!(d.last_day().to_string(), "2024-02-29");
/// assert!("2023-02-30".parse::<PartialDate>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    year: i32,
    month: Option<u8>,
    day: Option<u8>,
}

/// Why a text could not be read as a [`PartialDate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error("not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Format,
    /// The parts are numbers but name no calendar day (month 13, 30 February...).
    #[error("no such calendar date")]
    NoSuchDate,
    /// The year lies outside 1800..=9999 (year 0, 1700, a year of five or more digits).
    #[error("year outside 1800..=9999")]
    YearRange,
}

impl PartialDate {
    /// A date known to the year.
    pub fn year(year: i32) -> Result<Self, DateError> {
        Self::new(year, None, None)
    }

    /// Builds a partial date, checking that it names a real calendar interval.
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Result<Self, DateError> {
        if !(1800..=9999).contains(&year) {
            return Err(DateError::YearRange);
        }
        if day.is_some() && month.is_none() {
            return Err(DateError::Format);
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(DateError::NoSuchDate);
            }
            if day.is_some_and(|d| !(1..=days_in_month(year, m)).contains(&d)) {
                return Err(DateError::NoSuchDate);
            }
        }
        Ok(PartialDate { year, month, day })
    }

    /// The calendar year.
    pub fn year_value(&self) -> i32 {
        self.year
    }

    /// The month (1-12), if reported.
    pub fn month(&self) -> Option<u8> {
        self.month
    }

    /// How much of the date was reported.
    pub fn precision(&self) -> DatePrecision {
        match (self.month, self.day) {
            (None, _) => DatePrecision::Year,
            (Some(_), None) => DatePrecision::Month,
            (Some(_), Some(_)) => DatePrecision::Day,
        }
    }

    /// The date cut to at most `precision` (`2023-05-28` to the month is `2023-05`).
    ///
    /// ```
    /// use divnet::date::{DatePrecision, PartialDate};
    /// let d: PartialDate = "2023-05-28".parse().unwrap();
    /// assert_eq!(d.truncate(DatePrecision::Month).to_string(), "2023-05");
    /// assert_eq!(d.truncate(DatePrecision::Day), d);
    /// ```
    pub fn truncate(&self, precision: DatePrecision) -> PartialDate {
        match precision {
            DatePrecision::Year => PartialDate { year: self.year, month: None, day: None },
            DatePrecision::Month => PartialDate { day: None, ..*self },
            DatePrecision::Day => *self,
        }
    }

    /// The first day of the covered interval.
    pub fn first_day(&self) -> NaiveDate {
        let m = self.month.unwrap_or(1);
        let d = self.day.unwrap_or(1);
        // Checked in `new`: the date exists.
        NaiveDate::from_ymd_opt(self.year, m.into(), d.into()).unwrap_or(NaiveDate::MIN)
    }

    /// Whether the covered interval starts after `day` (a date "in the future" of `day`).
    ///
    /// ```
    /// use divnet::date::PartialDate;
    /// let today = chrono::NaiveDate::from_ymd_opt(2024, 5, 28).unwrap();
    /// assert!(!"2024-05".parse::<PartialDate>().unwrap().starts_after(today));
    /// assert!("2024-05-29".parse::<PartialDate>().unwrap().starts_after(today));
    /// assert!("2025".parse::<PartialDate>().unwrap().starts_after(today));
    /// ```
    pub fn starts_after(&self, day: NaiveDate) -> bool {
        use chrono::Datelike;
        let first = (self.year, self.month.unwrap_or(1), self.day.unwrap_or(1));
        first > (day.year(), day.month() as u8, day.day() as u8)
    }

    /// The last day of the covered interval.
    pub fn last_day(&self) -> NaiveDate {
        match (self.month, self.day) {
            (Some(_), Some(_)) => self.first_day(),
            (Some(m), None) => {
                let (y, nm) = if m == 12 { (self.year + 1, 1) } else { (self.year, m + 1) };
                NaiveDate::from_ymd_opt(y, nm.into(), 1)
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(NaiveDate::MAX)
            }
            (None, _) => NaiveDate::from_ymd_opt(self.year, 12, 31).unwrap_or(NaiveDate::MAX),
        }
    }

    /// Months since year 0 of the first covered month (`year * 12 + month - 1`); a
    /// year-only date maps to its January.
    pub fn month_index(&self) -> i32 {
        self.year * 12 + i32::from(self.month.unwrap_or(1)) - 1
    }

    /// Days since 1970-01-01 of the first covered day (the Parquet/Arrow `Date` value).
    pub fn first_day_epoch(&self) -> i32 {
        days_since_epoch(self.first_day())
    }

    /// Days since 1970-01-01 of the last covered day.
    pub fn last_day_epoch(&self) -> i32 {
        days_since_epoch(self.last_day())
    }
}

/// Days from 1970-01-01 to `d` (negative before).
pub fn days_since_epoch(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.first_day().cmp(&other.first_day()).then(self.precision().cmp(&other.precision()))
    }
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        // The usual full form, YYYY-MM-DD, without a general parse.
        if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *s.as_bytes()
            && [y0, y1, y2, y3, m0, m1, d0, d1].iter().all(u8::is_ascii_digit)
        {
            let n = |a: u8, b: u8| (a - b'0') * 10 + (b - b'0');
            let year = i32::from(n(y0, y1)) * 100 + i32::from(n(y2, y3));
            return PartialDate::new(year, Some(n(m0, m1)), Some(n(d0, d1)));
        }
        // Accept a trailing time part as written by spreadsheets ("2023-05-28T00:00:00",
        // "2023-05-28 00:00:00"): the date part is what counts.
        let s = match s.find(['T', ' ']) {
            Some(10) => &s[..10],
            _ => s,
        };
        let mut parts = s.split('-');
        let year = parts.next();
        // A year of more than four digits before a month is a number, just not a year we
        // accept (`20230528` alone is a date in another format).
        let long_year = |y: &str| y.len() > 4 && y.bytes().all(|b| b.is_ascii_digit());
        if s.contains('-') && year.is_some_and(long_year) {
            return Err(DateError::YearRange);
        }
        let year = parse_part(year, 4)?;
        let month = parts.next().map(|p| parse_part(Some(p), 2)).transpose()?;
        let day = parts.next().map(|p| parse_part(Some(p), 2)).transpose()?;
        if parts.next().is_some() {
            return Err(DateError::Format);
        }
        let narrow = |v: i32| u8::try_from(v).map_err(|_| DateError::NoSuchDate);
        PartialDate::new(year, month.map(narrow).transpose()?, day.map(narrow).transpose()?)
    }
}

/// Days in a month of the proleptic Gregorian calendar.
fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

fn parse_part(p: Option<&str>, width: usize) -> Result<i32, DateError> {
    let p = p.ok_or(DateError::Format)?;
    if p.len() != width || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    p.parse().map_err(|_| DateError::Format)
}

/// Written as its text (`2023`, `2023-05`, `2023-05-28`).
impl serde::Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Read from its text; a malformed date is an error naming the reason.
impl<'de> serde::Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(|e: DateError| serde::de::Error::custom(e))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// A calendar time step (`hotspots.time_step`, `hotspots.trend_step`).
///
/// ```
/// use divnet::date::{PartialDate, TimeStep};
/// let d: PartialDate = "2023-05-28".parse().unwrap();
/// let q = TimeStep::Quarter.index(d).unwrap();
/// assert_eq!(TimeStep::Quarter.label(q), "2023-Q2");
/// assert_eq!(TimeStep::Month.label(TimeStep::Month.index(d).unwrap()), "2023-05");
/// // A year-only date has no month or quarter.
/// assert_eq!(TimeStep::Month.index("2023".parse().unwrap()), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeStep {
    /// Calendar months.
    Month,
    /// Calendar quarters.
    Quarter,
    /// Calendar years.
    Year,
}

impl TimeStep {
    /// The lower-case name, as written in the config.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeStep::Month => "month",
            TimeStep::Quarter => "quarter",
            TimeStep::Year => "year",
        }
    }

    /// The index of the step holding `d` (consecutive steps have consecutive indices), or
    /// `None` when the date is coarser than the step (a year-only date in a monthly series).
    pub fn index(self, d: PartialDate) -> Option<i64> {
        let y = i64::from(d.year_value());
        // A year-only date has no month.
        let month = || d.month().map(|m| i64::from(m) - 1);
        match self {
            TimeStep::Year => Some(y),
            TimeStep::Quarter => Some(y * 4 + month()? / 3),
            TimeStep::Month => Some(y * 12 + month()?),
        }
    }

    /// The label of the step with index `i`: `2023`, `2023-Q2` or `2023-05`.
    pub fn label(self, i: i64) -> String {
        match self {
            TimeStep::Year => format!("{i}"),
            TimeStep::Quarter => format!("{}-Q{}", i.div_euclid(4), i.rem_euclid(4) + 1),
            TimeStep::Month => format!("{}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1),
        }
    }
}

impl std::fmt::Display for TimeStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dates_are_checked_against_the_calendar() {
        // Every day of these years, and impossible ones: accepted exactly when chrono knows
        // the date and the year is in range, and read back unchanged.
        for y in [1799, 1800, 1899, 1900, 2000, 2023, 2024, 2100, 9999] {
            for m in 0..=13u8 {
                for d in 0..=32u8 {
                    let text = format!("{y:04}-{m:02}-{d:02}");
                    let parsed = text.parse::<PartialDate>();
                    let exists = chrono::NaiveDate::from_ymd_opt(y, m.into(), d.into()).is_some();
                    assert_eq!(parsed.is_ok(), exists && y >= 1800, "{text}");
                    if let Ok(p) = parsed {
                        assert_eq!(p.to_string(), text);
                    }
                }
            }
        }
    }

    #[test]
    fn parses_every_precision_and_round_trips() {
        for s in ["2023", "2023-05", "2023-05-28", "2024-02-29"] {
            let d: PartialDate = s.parse().unwrap();
            assert_eq!(d.to_string(), s);
        }
        let d: PartialDate = "2023-05-28T00:00:00".parse().unwrap();
        assert_eq!(d.precision(), DatePrecision::Day);
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "",
            "23",
            "2023-5",
            "2023-13",
            "2023-02-29",
            "2023/05/01",
            "2023-05-01-01",
            "abcd",
            "1700",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s}");
        }
    }

    #[test]
    fn intervals() {
        let y: PartialDate = "2023".parse().unwrap();
        assert_eq!(y.first_day().to_string(), "2023-01-01");
        assert_eq!(y.last_day().to_string(), "2023-12-31");
        let m: PartialDate = "2023-12".parse().unwrap();
        assert_eq!(m.last_day().to_string(), "2023-12-31");
        assert_eq!(PartialDate::new(1970, Some(1), Some(2)).unwrap().first_day_epoch(), 1);
        assert!(y < m);
    }
}
