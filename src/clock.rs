//! The clock of a run and the dates its outputs show: the only place divnet reads the time.
//!
//! Outputs never depend on the day a run happens. Figures and the report are dated by the
//! reference date derived from the inputs ([`Dated::Reference`]), or, when the
//! `SOURCE_DATE_EPOCH` environment variable is set (the reproducible-builds convention), by
//! that date ([`Dated::Generated`]). The wall clock is read only for `run.json`
//! ([`RunRecord`]), which is not one of the hashed outputs; `DIVNET_NOW` (RFC 3339) sets that
//! clock's start, so tests can run on any day they like.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::ConfigError;

/// Environment variable setting the start of a run's wall clock (RFC 3339).
pub const NOW_VAR: &str = "DIVNET_NOW";

/// Environment variable setting the date figures and the report show (seconds since
/// 1970-01-01 UTC, <https://reproducible-builds.org/specs/source-date-epoch/>).
pub const SOURCE_DATE_EPOCH_VAR: &str = "SOURCE_DATE_EPOCH";

fn env_error(var: &str, value: &str, reason: impl ToString) -> ConfigError {
    ConfigError::Invalid {
        path: PathBuf::from("<environment>"),
        key: var.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn env_var(var: &str) -> Result<Option<String>, ConfigError> {
    match std::env::var(var) {
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(v)) => {
            Err(env_error(var, &v.to_string_lossy(), "not valid UTF-8"))
        }
    }
}

/// The wall clock of one run: where it started, and the time elapsed since.
#[derive(Debug, Clone, Copy)]
pub struct RunClock {
    start_utc: DateTime<Utc>,
    start: Instant,
}

impl RunClock {
    /// A clock that starts at `start_utc` now and runs at the pace of the system's
    /// monotonic clock.
    pub fn starting_at(start_utc: DateTime<Utc>) -> Self {
        RunClock { start_utc, start: Instant::now() }
    }

    /// The system clock, or, when `DIVNET_NOW` is set, a clock starting at that time.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] naming `DIVNET_NOW` when it is not an RFC 3339 time.
    pub fn from_env() -> Result<Self, ConfigError> {
        match env_var(NOW_VAR)? {
            None => Ok(RunClock::starting_at(Utc::now())),
            Some(v) => {
                let t = DateTime::parse_from_rfc3339(v.trim())
                    .map_err(|e| env_error(NOW_VAR, &v, format!("not an RFC 3339 time: {e}")))?;
                Ok(RunClock::starting_at(t.with_timezone(&Utc)))
            }
        }
    }

    /// When the run started, RFC 3339 in UTC to the second.
    ///
    /// ```
    /// use divnet::clock::RunClock;
    /// let t = chrono::DateTime::parse_from_rfc3339("2027-03-01T08:00:00+01:00").unwrap();
    /// let c = RunClock::starting_at(t.to_utc());
    /// assert_eq!(c.started_utc(), "2027-03-01T07:00:00Z");
    /// ```
    pub fn started_utc(&self) -> String {
        self.start_utc.to_rfc3339_opts(SecondsFormat::Secs, true)
    }

    /// The day the run started (UTC): rows dated after it are refused as future dates.
    pub fn today(&self) -> NaiveDate {
        self.start_utc.date_naive()
    }

    /// The time now on this clock, RFC 3339 in UTC to the second.
    pub fn now_utc(&self) -> String {
        let elapsed = chrono::TimeDelta::from_std(self.start.elapsed()).unwrap_or_default();
        (self.start_utc + elapsed).to_rfc3339_opts(SecondsFormat::Secs, true)
    }
}

/// Reads a `SOURCE_DATE_EPOCH` value: whole seconds since 1970-01-01 UTC.
///
/// ```
/// use divnet::clock::parse_source_date_epoch;
/// assert_eq!(parse_source_date_epoch("1700000000").unwrap().to_string(), "2023-11-14");
/// assert!(parse_source_date_epoch("yesterday").is_err());
/// ```
///
/// # Errors
/// A reason when the text is not an integer or names no representable date.
pub fn parse_source_date_epoch(text: &str) -> Result<NaiveDate, String> {
    let secs: i64 =
        text.trim().parse().map_err(|_| "not a whole number of seconds since 1970".to_string())?;
    DateTime::from_timestamp(secs, 0)
        .map(|t| t.date_naive())
        .ok_or_else(|| "outside the representable dates".to_string())
}

/// The date of `SOURCE_DATE_EPOCH`, when set.
///
/// # Errors
/// [`ConfigError::Invalid`] naming `SOURCE_DATE_EPOCH` when it is set but not a number of
/// seconds.
pub fn source_date_from_env() -> Result<Option<NaiveDate>, ConfigError> {
    env_var(SOURCE_DATE_EPOCH_VAR)?
        .map(|v| parse_source_date_epoch(&v).map_err(|r| env_error(SOURCE_DATE_EPOCH_VAR, &v, r)))
        .transpose()
}

/// The date figures and the report are dated by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Dated {
    /// The reference date of the inputs (`network.reference_date`, else the last day of the
    /// latest date of any input): what the data describe, identical on every day the run is
    /// repeated.
    Reference(#[serde(with = "crate::run::codec::naive_date")] NaiveDate),
    /// The date set by `SOURCE_DATE_EPOCH`.
    Generated(#[serde(with = "crate::run::codec::naive_date")] NaiveDate),
    /// No input is dated and no date was set.
    Undated,
}

impl Dated {
    /// `SOURCE_DATE_EPOCH`'s date when given, else the reference date, if any.
    pub fn new(reference: Option<NaiveDate>, source_date: Option<NaiveDate>) -> Self {
        match (source_date, reference) {
            (Some(d), _) => Dated::Generated(d),
            (None, Some(d)) => Dated::Reference(d),
            (None, None) => Dated::Undated,
        }
    }

    /// The text shown in figure captions and the report.
    ///
    /// ```
    /// use divnet::clock::Dated;
    /// let d = chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    /// assert_eq!(Dated::new(Some(d), None).label(), "Reference date: 2024-12-31");
    /// assert_eq!(Dated::new(Some(d), Some(d)).label(), "Generated: 2024-12-31");
    /// assert_eq!(Dated::new(None, None).label(), "Reference date: none (no dated records)");
    /// ```
    pub fn label(&self) -> String {
        match self {
            Dated::Reference(d) => format!("Reference date: {d}"),
            Dated::Generated(d) => format!("Generated: {d}"),
            Dated::Undated => "Reference date: none (no dated records)".to_string(),
        }
    }
}

/// `run.json`: the facts of one execution that do not determine any output (when it ran,
/// how long each stage took, on how many threads). It is written beside `manifest.json`
/// and is not listed among the hashed outputs.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// divnet version.
    pub divnet_version: &'static str,
    /// When the run started (UTC, RFC 3339).
    pub started_utc: String,
    /// When the outputs were complete (UTC, RFC 3339).
    pub finished_utc: String,
    /// Worker threads used.
    pub threads: usize,
    /// Wall time per stage, milliseconds.
    pub timings_ms: BTreeMap<String, u64>,
    /// The artifact cache used (absent with `--no-cache` or `cache.enabled = false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<String>,
    /// What each step of the run graph did, in the order the steps ran: its input hash
    /// (key), the hash of its artifact, whether the artifact came from the cache, and its
    /// wall time.
    pub steps: Vec<crate::run::graph::StepReport>,
}
