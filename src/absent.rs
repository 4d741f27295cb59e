//! A part of a run's output with nothing to show: a figure, a report table or a report
//! section that is left out rather than drawn empty, and the one line that says so and
//! which input would fill it.
//!
//! Every figure and report table goes through [`Absent`] when it has nothing to show, so
//! the wording is the same everywhere: `No <what>: needs <needs>.` The `NEEDS_*` constants
//! name the common inputs with their config keys.
//!
//! ```
//! use divnet::absent::{Absent, NEEDS_CASES};
//! let a = Absent::new("diversion paths", NEEDS_CASES);
//! assert!(a.line().starts_with("No diversion paths: needs seizure or looting cases"));
//! assert!(a.line().ends_with('.'));
//! ```

/// Seizure or looting cases: what diversion paths, flows and transit hubs are made of.
pub const NEEDS_CASES: &str = "seizure or looting cases ([[inputs.seizures]] with a traced incident, an origin, a last legal import or a country of manufacture, or serials and lots linking them to [[inputs.looting]])";

/// Seizures or looting incidents located more finely than their country.
pub const NEEDS_LOCATED_INCIDENTS: &str = "seizures or looting incidents located below country level ([[inputs.seizures]], [[inputs.looting]])";

/// Dated seizures or looting incidents (the regional series).
pub const NEEDS_DATED_INCIDENTS: &str =
    "dated seizures or looting incidents ([[inputs.seizures]], [[inputs.looting]])";

/// Conflict events located more finely than their country.
pub const NEEDS_EVENTS: &str = "conflict events located below country level ([[inputs.events]], e.g. preset \"ucdp-ged\" or \"acled\")";

/// Transfers between parties (SIPRI).
pub const NEEDS_TRANSFERS: &str =
    "transfers ([[inputs.transfers]], e.g. preset \"sipri-register\" or \"sipri-transfers\")";

/// Anything that makes a network edge: cases, route reports or transfers.
pub const NEEDS_NETWORK: &str = "seizure or looting cases, route reports ([[inputs.routes]]) or transfers ([[inputs.transfers]])";

/// A part of the output left out for want of data, and the input that would fill it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Absent {
    /// What is missing, plural and lower case ("diversion paths").
    pub what: String,
    /// Which input would fill it, with its config key (a `NEEDS_*` constant, or a reason
    /// when the input is there but yields nothing).
    pub needs: String,
}

impl Absent {
    /// The absent `what`, filled by `needs`.
    pub fn new(what: impl Into<String>, needs: impl Into<String>) -> Absent {
        Absent { what: what.into(), needs: needs.into() }
    }

    /// The one line the report shows: `No <what>: needs <needs>.`
    pub fn line(&self) -> String {
        let needs = self.needs.trim_end_matches('.');
        format!("No {}: needs {needs}.", self.what)
    }
}

impl std::fmt::Display for Absent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_what_and_the_input() {
        let a = Absent::new("conflict-event hot spots", NEEDS_EVENTS);
        assert_eq!(
            a.line(),
            "No conflict-event hot spots: needs conflict events located below country level \
             ([[inputs.events]], e.g. preset \"ucdp-ged\" or \"acled\")."
        );
        assert_eq!(Absent::new("x", "y.").line(), "No x: needs y.");
        assert_eq!(a.to_string(), a.line());
    }
}
