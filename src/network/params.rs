//! The network's parameters: node resolution, evidence weights and age decay (the
//! `[network]` section of the config), and the path model (`paths.model`).

use serde::{Deserialize, Serialize};

use crate::date::PartialDate;

/// Node resolution of the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Resolution {
    /// One node per country.
    Country,
    /// One node per resolved place (falling back to the country).
    Place,
}

/// `[network]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// Node resolution.
    pub resolution: Resolution,
    /// Half-life of evidence age, in years.
    pub half_life_years: f64,
    /// Reference date for evidence age (YYYY, YYYY-MM or YYYY-MM-DD; its last day); default:
    /// the latest date of any input, so results do not drift with the calendar.
    pub reference_date: Option<PartialDate>,
    /// Probability given to a land border with no other evidence; 0 disables border edges.
    pub border_prior_p: f64,
    /// Confidence assumed for a record without one.
    pub default_confidence: f64,
    /// Weight of one seizure chain leg relative to one route report.
    pub seizure_leg_weight: f64,
    /// Strength of one legal transfer as evidence that weapons move along its leg (before
    /// age decay), in [0, 1).
    pub transfer_weight: f64,
    /// Merge each historical state (`Soviet Union`) into its successor's node (Russia) in
    /// the network and the recipients tables; by default each is its own node and
    /// recipient.
    pub merge_historical: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            resolution: Resolution::Country,
            half_life_years: 3.0,
            reference_date: None,
            border_prior_p: 0.05,
            default_confidence: 0.5,
            seizure_leg_weight: 0.5,
            transfer_weight: 0.3,
            merge_historical: false,
        }
    }
}

/// How a path's probability is made from its edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PathModel {
    /// Each edge's evidence probability times its transition share (the share of its
    /// source's evidence volume that it carries): the chance that flow follows the path.
    /// Every hop costs, so long chains of well-evidenced edges do not tie with the direct
    /// route when evidence is dense.
    Transition,
    /// Each edge's evidence probability alone (noisy-OR of its evidence).
    Evidence,
}
