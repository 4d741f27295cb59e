//! Record linkage of untraced seizures to looting incidents.
//!
//! Fellegi and Sunter (1969): each comparison of a seizure with an incident contributes
//! a log2 likelihood ratio `log2(m / u)`, where `m` is the probability of the observed
//! agreement if the seizure came from the incident and `u` the probability if it did not.
//! The weights (docs/model.md gives the m and u behind each):
//!
//! | evidence | weight |
//! |---|---|
//! | serial inside a looted range of the same model | +13.0 |
//! | serial inside a looted range, model not reported on one side | +10.0 |
//! | serial inside a looted range of another model | +4.0 |
//! | lot among the incident's looted lots | +8.0 |
//! | model among the incident's looted models (no serial evidence) | +2.5 |
//! | category among the incident's looted categories | +1.0 |
//! | seized after the looting | +0.5 |
//! | seized before the looting | -20.0 |
//! | network: `log2` of the most probable path's probability, floored at -10 | <= 0 |
//!
//! Candidates come from blocking on serial prefixes and lots (evidence below the serial
//! and lot tiers cannot reach the default threshold alone). Candidates scoring at least
//! the threshold are kept, at most `max_candidates`, and the seizure is shared among them
//! in proportion to their posterior odds `2^score`.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::records::{LootingIncident, Seizure, Text, split_serial};

/// Strongest kind of evidence behind a link.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Tier {
    /// Serial number inside a looted range.
    Serial,
    /// Matching ammunition lot.
    Lot,
    /// Matching make/model/calibre only.
    Model,
}

impl Tier {
    /// Lower-case name for tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Serial => "serial",
            Tier::Lot => "lot",
            Tier::Model => "model",
        }
    }
}

/// Linkage parameters.
#[derive(Debug, Clone, Copy)]
pub struct LinkageParams {
    /// Minimum score (log2 likelihood ratio) of a kept link.
    pub threshold: f64,
    /// Most incidents one seizure is shared among.
    pub max_candidates: usize,
}

/// One kept link.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// Index into the seizures slice.
    pub seizure: usize,
    /// Index into the incidents slice.
    pub incident: usize,
    /// Total log2 likelihood ratio.
    pub score: f64,
    /// Strongest evidence.
    pub tier: Tier,
    /// The evidence, as `name(+weight)` items separated by `;`.
    pub evidence: String,
    /// Share of the seizure attributed to this incident (shares of a seizure sum to 1).
    pub share: f64,
}

fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(|c| c.to_lowercase()).collect()
}

/// Scores one seizure against one incident. `path_p` is the probability of the most
/// probable network path from the incident to the seizure (1 for the same node, `None`
/// when unreachable). Returns the score, the tier and the evidence text.
pub fn score_pair(
    s: &Seizure,
    i: &LootingIncident,
    path_p: Option<f64>,
) -> (f64, Option<Tier>, String) {
    let mut score = 0.0;
    let mut tier = None;
    let mut ev: Vec<String> = Vec::new();
    let mut add = |name: &str, w: f64, score: &mut f64| {
        *score += w;
        ev.push(format!("{name}({w:+.1})"));
    };
    let model = s.model.as_deref().map(norm).filter(|m| !m.is_empty());
    let mut serial_hit = false;
    if let Some(serial) = s.serial.as_deref() {
        let mut best: Option<f64> = None;
        for r in &i.serial_ranges {
            if r.contains(serial) {
                let rm = norm(&r.model);
                let w = match &model {
                    Some(m) if !rm.is_empty() && *m == rm => 13.0,
                    Some(_) if !rm.is_empty() => 4.0,
                    _ => 10.0,
                };
                best = Some(best.map_or(w, |b: f64| b.max(w)));
            }
        }
        if let Some(w) = best {
            serial_hit = true;
            tier = Some(Tier::Serial);
            let name = if w == 13.0 {
                "serial_in_range_same_model"
            } else if w == 10.0 {
                "serial_in_range"
            } else {
                "serial_in_range_other_model"
            };
            add(name, w, &mut score);
        }
    }
    if let Some(lot) = s.lot.as_deref().map(norm).filter(|l| !l.is_empty())
        && i.lots.iter().any(|l| norm(l) == lot)
    {
        tier = tier.or(Some(Tier::Lot));
        add("lot", 8.0, &mut score);
    }
    if !serial_hit
        && let Some(m) = &model
        && i.serial_ranges.iter().any(|r| norm(&r.model) == *m)
    {
        tier = tier.or(Some(Tier::Model));
        add("model", 2.5, &mut score);
    }
    if let Some(c) = s.category
        && i.categories.contains(&c)
    {
        add("category", 1.0, &mut score);
    }
    if s.date.last_day() < i.date.first_day() {
        add("seized_before_looting", -20.0, &mut score);
    } else {
        add("seized_after_looting", 0.5, &mut score);
    }
    let w = match path_p {
        Some(p) if p > 0.0 => p.log2().max(-10.0),
        _ => -10.0,
    };
    if w != 0.0 {
        add("network", (w * 10.0).round() / 10.0, &mut score);
    }
    (score, tier, ev.join(";"))
}

/// Links every seizure without a usable trace to candidate incidents.
///
/// `skip[s]` marks seizures already attributed by a trace. `path_p(incident, seizure)`
/// gives the network path probability (see [`score_pair`]). Output order: by seizure,
/// then by score (descending), then incident index; identical for any thread count.
pub fn link<F>(
    seizures: &[Seizure],
    incidents: &[LootingIncident],
    skip: &[bool],
    params: LinkageParams,
    path_p: F,
) -> Vec<Link>
where
    F: Fn(usize, usize) -> Option<f64> + Sync,
{
    let mut by_prefix: HashMap<Text, Vec<usize>> = HashMap::new();
    let mut by_lot: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, inc) in incidents.iter().enumerate() {
        for r in &inc.serial_ranges {
            let v = by_prefix.entry(r.prefix.to_ascii_uppercase()).or_default();
            if v.last() != Some(&k) {
                v.push(k);
            }
        }
        for l in &inc.lots {
            let v = by_lot.entry(norm(l)).or_default();
            if v.last() != Some(&k) {
                v.push(k);
            }
        }
    }
    let per_seizure: Vec<Vec<Link>> = seizures
        .par_iter()
        .enumerate()
        .map(|(si, s)| {
            if skip.get(si).copied().unwrap_or(false) {
                return Vec::new();
            }
            let mut cands: Vec<usize> = Vec::new();
            if let Some((prefix, _)) = s.serial.as_deref().and_then(split_serial) {
                cands.extend(
                    by_prefix.get(prefix.to_ascii_uppercase().as_str()).into_iter().flatten(),
                );
            }
            if let Some(l) = s.lot.as_deref() {
                cands.extend(by_lot.get(&norm(l)).into_iter().flatten());
            }
            cands.sort_unstable();
            cands.dedup();
            let mut kept: Vec<Link> = cands
                .into_iter()
                .filter_map(|ii| {
                    let (score, tier, evidence) = score_pair(s, &incidents[ii], path_p(ii, si));
                    let tier = tier?;
                    (score >= params.threshold).then_some(Link {
                        seizure: si,
                        incident: ii,
                        score,
                        tier,
                        evidence,
                        share: 0.0,
                    })
                })
                .collect();
            kept.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.incident.cmp(&b.incident)));
            kept.truncate(params.max_candidates);
            if let Some(top) = kept.first().map(|l| l.score) {
                let total: f64 = kept.iter().map(|l| (l.score - top).exp2()).sum();
                for l in &mut kept {
                    l.share = (l.score - top).exp2() / total;
                }
            }
            kept
        })
        .collect();
    per_seizure.into_iter().flatten().collect()
}
