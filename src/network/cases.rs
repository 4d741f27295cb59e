//! Diversion cases: (origin, destination, quantity) triples with their evidence.
//!
//! Each seizure yields cases of exactly one kind, by precedence:
//! 1. `trace`: its `traced_incident_id` names a known looting incident;
//! 2. `linkage`: record linkage ([`crate::linkage`]) found incidents above threshold; the
//!    seizure is shared among them by score;
//! 3. `declared`: it has `origin` (split equally among several), else
//!    `last_legal_import`, else `country_of_manufacture`: from that country.
//!
//! The destination is the seizure's location at the network's resolution.

use crate::geo::Gazetteer;
use crate::linkage::Link;
use crate::network::{DiversionNetwork, NodeKey, Resolution};
use crate::records::{LootingIncident, Seizure};

/// How a case was found.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum CaseKind {
    /// A recorded trace to a looting incident.
    Trace,
    /// Record linkage to a looting incident.
    Linkage,
    /// A declared origin, last legal import or country of manufacture.
    Declared,
}

impl CaseKind {
    /// Lower-case name for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::Trace => "trace",
            CaseKind::Linkage => "linkage",
            CaseKind::Declared => "declared",
        }
    }
}

/// One diversion case.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Case {
    /// Case id: `<seizure id>#<n>`.
    pub id: String,
    /// Index of the seizure.
    pub seizure: usize,
    /// Index of the looting incident, for trace and linkage cases.
    pub incident: Option<usize>,
    /// How it was found.
    pub kind: CaseKind,
    /// Where the weapons were diverted from.
    pub origin: NodeKey,
    /// Where they turned up.
    pub destination: NodeKey,
    /// Items attributed to this case (the seizure's items times its share).
    pub quantity: f64,
    /// Share of the seizure attributed to this case.
    pub share: f64,
    /// Evidence text.
    pub evidence: String,
}

/// Counts the manifest reports about case building.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaseStats {
    /// Seizures whose trace names no known incident (they fall through to the next rule).
    pub unmatched_traces: u64,
    /// Seizures with no case at all.
    pub without_case: u64,
}

/// Builds the cases. `links` come from [`crate::linkage::link`] and are sorted by seizure.
pub fn build_cases(
    resolution: Resolution,
    g: &Gazetteer,
    seizures: &[Seizure],
    incidents: &[LootingIncident],
    links: &[Link],
) -> (Vec<Case>, CaseStats) {
    let by_id: std::collections::HashMap<&str, usize> =
        incidents.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    let mut stats = CaseStats::default();
    let mut cases = Vec::new();
    let mut li = 0;
    for (si, s) in seizures.iter().enumerate() {
        let dest = DiversionNetwork::key_of_location(resolution, &s.location);
        let items = s.items() as f64;
        let mut n = 0;
        let mut push = |incident: Option<usize>,
                        kind,
                        origin,
                        share: f64,
                        evidence: String,
                        cases: &mut Vec<Case>| {
            n += 1;
            cases.push(Case {
                id: format!("{}#{n}", s.id),
                seizure: si,
                incident,
                kind,
                origin,
                destination: dest,
                quantity: items * share,
                share,
                evidence,
            });
        };
        while li < links.len() && links[li].seizure < si {
            li += 1;
        }
        let traced = s.traced_incident_id.as_deref().map(|t| (t, by_id.get(t).copied()));
        if let Some((_, Some(ii))) = traced {
            let origin = DiversionNetwork::key_of_location(resolution, &incidents[ii].location);
            push(
                Some(ii),
                CaseKind::Trace,
                origin,
                1.0,
                format!("traced_incident_id={}", incidents[ii].id),
                &mut cases,
            );
            continue;
        }
        if matches!(traced, Some((_, None))) {
            stats.unmatched_traces += 1;
        }
        let mut linked = false;
        while li < links.len() && links[li].seizure == si {
            let l = &links[li];
            let origin =
                DiversionNetwork::key_of_location(resolution, &incidents[l.incident].location);
            push(
                Some(l.incident),
                CaseKind::Linkage,
                origin,
                l.share,
                format!("{}: score {:.1}: {}", l.tier.as_str(), l.score, l.evidence),
                &mut cases,
            );
            linked = true;
            li += 1;
        }
        if linked {
            continue;
        }
        let (origins, what) = if !s.origin.is_empty() {
            (s.origin.clone(), "origin")
        } else if let Some(c) = s.last_legal_import {
            (vec![c], "last_legal_import")
        } else if let Some(c) = s.country_of_manufacture {
            (vec![c], "country_of_manufacture")
        } else {
            stats.without_case += 1;
            continue;
        };
        let share = 1.0 / origins.len() as f64;
        for o in origins {
            push(
                None,
                CaseKind::Declared,
                NodeKey::Country(o),
                share,
                format!("{what}={}", g.country(o).iso3),
                &mut cases,
            );
        }
    }
    (cases, stats)
}
