//! `[risk]`: the assessment windows, the thresholds of the flags and the optional weights
//! of a single score.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::indicators::Indicator;

/// A flag's threshold as configured: a number (the flag is raised when the indicator's
/// value reaches it), or `"off"` (no flag).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    /// Raise the flag at this value or above (> 0).
    Value(f64),
    /// No flag for this indicator.
    Off(Off),
}

/// The word `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Off {
    /// No flag.
    Off,
}

/// `[risk]` of `divnet.toml`.
///
/// ```
/// use divnet::risk::{Indicator, RiskConfig};
/// let c = RiskConfig::default();
/// assert_eq!(c.window_years, 5);
/// assert_eq!(c.threshold(Indicator::NonStateDeals), Some(1.0));
/// assert_eq!(c.threshold(Indicator::ConflictEvents), None);
/// assert!(c.weights().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskConfig {
    /// Length of an assessment window in calendar years, ending with the year of the
    /// reference date (1..=100).
    pub window_years: u32,
    /// Every window, one ending in each year from the first year of the data to the
    /// reference year (a time series), instead of the last one only.
    pub series: bool,
    /// Thresholds by indicator name, over the defaults ([`Indicator::info`]).
    pub thresholds: BTreeMap<String, Threshold>,
    /// Weights by indicator name: when any is given, each row gets a `score`, the sum of
    /// the weights of its raised flags. Never by default.
    pub weights: BTreeMap<String, f64>,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig {
            window_years: 5,
            series: false,
            thresholds: BTreeMap::new(),
            weights: BTreeMap::new(),
        }
    }
}

/// A `[risk]` value that cannot be used: the dotted key, the value and the reason.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{key} = {value}: {reason}")]
pub struct RiskConfigError {
    /// The dotted key (`risk.thresholds.looted`).
    pub key: String,
    /// The value as given.
    pub value: String,
    /// What is allowed.
    pub reason: String,
}

impl RiskConfig {
    /// Checks the window length, that every threshold and weight names an indicator, and
    /// their values.
    pub fn check(&self) -> Result<(), RiskConfigError> {
        let err = |key: String, value: String, reason: &str| RiskConfigError {
            key,
            value,
            reason: reason.to_string(),
        };
        if !(1..=100).contains(&self.window_years) {
            return Err(err(
                "risk.window_years".into(),
                self.window_years.to_string(),
                "must lie in 1..=100",
            ));
        }
        let names = || Indicator::ALL.map(|i| i.name()).join(", ");
        for (name, t) in &self.thresholds {
            let key = format!("risk.thresholds.{name}");
            if Indicator::from_name(name).is_none() {
                return Err(err(
                    key,
                    name.clone(),
                    &format!("not an indicator (one of {})", names()),
                ));
            }
            if let Threshold::Value(v) = t
                && !(v.is_finite() && *v > 0.0)
            {
                return Err(err(key, v.to_string(), "must be a number > 0, or \"off\""));
            }
        }
        for (name, w) in &self.weights {
            let key = format!("risk.weights.{name}");
            if Indicator::from_name(name).is_none() {
                return Err(err(
                    key,
                    name.clone(),
                    &format!("not an indicator (one of {})", names()),
                ));
            }
            if !w.is_finite() {
                return Err(err(key, w.to_string(), "must be a finite number"));
            }
        }
        Ok(())
    }

    /// The threshold of `i`'s flag: configured, else its default; `None`: no flag.
    pub fn threshold(&self, i: Indicator) -> Option<f64> {
        match self.thresholds.get(i.name()) {
            Some(Threshold::Value(v)) => Some(*v),
            Some(Threshold::Off(_)) => None,
            None => i.info().default_threshold,
        }
    }

    /// The weight of each indicator (in [`Indicator::ALL`] order, 0 where none is given),
    /// or `None` when no weight is configured.
    pub fn weights(&self) -> Option<Vec<f64>> {
        if self.weights.is_empty() {
            return None;
        }
        Some(Indicator::ALL.map(|i| self.weights.get(i.name()).copied().unwrap_or(0.0)).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<RiskConfig, String> {
        let c: RiskConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        c.check().map_err(|e| e.to_string())?;
        Ok(c)
    }

    #[test]
    fn thresholds_override_defaults_and_off_disables() {
        let c = parse(
            "window_years = 3\nseries = true\nthresholds = { looted = 100, non_state_deals = \"off\", conflict_events = 10 }\n",
        )
        .unwrap();
        assert_eq!(c.window_years, 3);
        assert!(c.series);
        assert_eq!(c.threshold(Indicator::Looted), Some(100.0));
        assert_eq!(c.threshold(Indicator::NonStateDeals), None);
        assert_eq!(c.threshold(Indicator::ConflictEvents), Some(10.0));
        assert_eq!(c.threshold(Indicator::FatalitiesBest), Some(25.0));
    }

    #[test]
    fn bad_values_name_their_key() {
        let e = parse("window_years = 0\n").unwrap_err();
        assert!(e.contains("risk.window_years"), "{e}");
        let e = parse("thresholds = { lootedd = 1 }\n").unwrap_err();
        assert!(e.contains("risk.thresholds.lootedd") && e.contains("looted"), "{e}");
        let e = parse("thresholds = { looted = 0 }\n").unwrap_err();
        assert!(e.contains("risk.thresholds.looted"), "{e}");
        let e = parse("thresholds = { looted = \"of\" }\n").unwrap_err();
        assert!(e.contains("looted"), "{e}");
        let e = parse("weights = { x = 1 }\n").unwrap_err();
        assert!(e.contains("risk.weights.x"), "{e}");
        assert!(parse("windows = 1\n").is_err());
    }

    #[test]
    fn weights_are_indexed_by_indicator() {
        let c = parse("weights = { looted = 2.0, non_state_deals = 1.5 }\n").unwrap();
        let w = c.weights().unwrap();
        assert_eq!(w[Indicator::Looted.index()], 2.0);
        assert_eq!(w[Indicator::NonStateDeals.index()], 1.5);
        assert_eq!(w.iter().sum::<f64>(), 3.5);
    }
}
