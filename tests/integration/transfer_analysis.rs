//! The transfer analysis on SIPRI's own exports: the `dyads` table gives each supplier and
//! recipient pair's delivered TIV as the raw file does, counting each deal once in either
//! layout; `retransfers` finds the register's legal-then-onward chains (UAE <- Russia
//! Pantsyr-S1 and 57-E6 then UAE -> Libya's HoR; Iran <- United States TOW then Iran ->
//! Hezbollah; Turkiye <- United States V-150 then Turkiye -> Syrian rebels), across the two
//! layouts by the family rule; a run writes the tables, the chains as `paths` rows, the
//! figures and the report sections.
//!
//! Every expected number was computed from the raw files in `tests/data/sources/` with a few
//! lines of Python (the register's "SIPRI TIV of delivered weapons" summed per supplier and
//! recipient; the newer export's "TIV delivery values" likewise, deals by distinct
//! "SIPRI AT Database ID"), never copied from divnet's output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use divnet::deals::Deals;
use divnet::ingest::{Ingested, InputSet};
use divnet::inputs::presets::Preset;
use divnet::retransfers::{RetransferOptions, WeaponKey, find};
use divnet::schema::TableKind;
use divnet::stages::dyads::dyads;

use crate::common::{csv_rows, data, gaz, run_fixed_clock as run};

const REGISTER: &str = "sources/sipri_trade_register_cases.csv";
const NEWER: &str = "sources/sipri_transfers_cases.csv";

fn read(files: &[(&str, Preset)]) -> Ingested {
    let mut inputs = InputSet::default();
    for (rel, preset) in files {
        inputs.transfers.push(crate::common::preset_spec(rel, TableKind::Transfers, *preset));
    }
    crate::common::ingest_in_small_pieces(&inputs)
}

/// Per (supplier, recipient): deals and TIV over every year.
fn pairs(ing: &Ingested) -> BTreeMap<(String, String), (u64, f64)> {
    let mut out: BTreeMap<(String, String), (u64, f64)> = BTreeMap::new();
    for d in dyads(gaz(), &ing.transfers).years.iter() {
        let e = out.entry((d.supplier.clone(), d.recipient.clone())).or_default();
        e.0 += d.deals;
        e.1 += d.tiv_delivered;
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn dyads_give_each_pair_the_delivered_tiv_of_the_register() {
    let ing = read(&[(REGISTER, Preset::SipriRegister)]);
    let p = pairs(&ing);
    // (supplier, recipient, delivered deals, TIV of delivered weapons), from the raw file.
    // Myanmar: China's KS-1A 329, K-8 94.5, JF-17 105, SH-1 6.6, Y-12 10; Russia's two
    // Yak-130 deals 84 + 63 (its 57-E6 deal of 2021 has nothing delivered: no year).
    for (s, r, deals, tiv) in [
        ("China", "Myanmar", 5, 545.1),
        ("Russia", "Myanmar", 2, 147.0),
        ("Russia", "United Arab Emirates", 2, 850.0),
        ("United States", "Iran", 2, 1360.6),
        ("United States", "Türkiye", 1, 24.8),
        ("Iran", "Hezbollah", 1, 0.1),
        ("United Arab Emirates", "HoR", 2, 21.3),
        ("Türkiye", "Syria rebels", 2, 1.56),
    ] {
        let got = p.get(&(s.into(), r.into())).unwrap_or_else(|| panic!("{s} -> {r}: {p:?}"));
        assert_eq!(got.0, deals, "{s} -> {r}: deals");
        assert!(close(got.1, tiv), "{s} -> {r}: TIV {} against {tiv}", got.1);
    }
    // Every pair's TIV sums to the file's 3319.79.
    let total: f64 = p.values().map(|x| x.1).sum();
    assert!((total - 3319.79).abs() < 1e-6, "{total}");

    let d = dyads(gaz(), &ing.transfers);
    let row = |s: &str, r: &str, y: i32| {
        d.years.iter().find(|x| x.supplier == s && x.recipient == r && x.year == y).unwrap()
    };
    // The JF-17 deal (6 delivered in 2018 and 2019, 105 TIV) is one deal, in 2018; its TIV
    // and items are shared over both years.
    let jf17 = row("China", "Myanmar", 2018);
    assert_eq!((jf17.deals, jf17.items), (1, 3));
    assert!(close(jf17.tiv_delivered, 52.5));
    assert_eq!(row("China", "Myanmar", 2019).deals, 0);
    // The parties keep their kind and country: Hezbollah is an armed group in Lebanon.
    let hez = row("Iran", "Hezbollah", 1999);
    assert_eq!(hez.recipient_kind.as_str(), "armed_group");
    assert_eq!(hez.recipient_country.as_deref(), Some("LBN"));
    assert_eq!(hez.supplier_country.as_deref(), Some("IRN"));
    // The register has no armament category: the description names it.
    let cat = |c: &str| {
        d.categories
            .iter()
            .filter(|x| x.supplier == "China" && x.recipient == "Myanmar" && x.category == c)
            .map(|x| x.items)
            .sum::<u64>()
    };
    // K-8 (27 delivered), JF-17 (6), Y-12 (4); the KS-1A SAM system (7).
    assert_eq!(cat("Aircraft"), 37);
    assert_eq!(cat("Air-defence systems"), 7);
    // Profiles: China's leading recipient is Myanmar; Turkiye delivered 1.56 of its 1.56 to
    // armed groups.
    let suppliers = d.profiles(true);
    let china = suppliers.iter().find(|x| x.name == "China").unwrap();
    assert_eq!(china.partners[0].0, "Myanmar");
    let tur = suppliers.iter().find(|x| x.name == "Türkiye").unwrap();
    assert!(close(tur.tiv_armed_groups, 1.56) && close(tur.tiv, 1.56));
}

#[test]
fn dyads_count_a_deal_of_the_newer_export_once() {
    let ing = read(&[(NEWER, Preset::SipriTransfers)]);
    let p = pairs(&ing);
    // 15 rows to Myanmar: China's 10 rows are 5 deals (68113, 28189, 58749, 58552, 52027)
    // worth 259; Russia's 5 rows are 3 deals (65151, 60206, 64228) worth 210. The UAE's
    // Pantsyr: 5 rows, 1 deal, 550. Syrian rebels: 3 deals, 1.78.
    for (s, r, deals, tiv) in [
        ("China", "Myanmar", 5, 259.0),
        ("Russia", "Myanmar", 3, 210.0),
        ("Russia", "United Arab Emirates", 1, 550.0),
        ("Türkiye", "Syria rebels", 3, 1.78),
    ] {
        let got = p[&(s.to_string(), r.to_string())];
        assert_eq!(got.0, deals, "{s} -> {r}");
        assert!(close(got.1, tiv), "{s} -> {r}: {}", got.1);
    }
}

#[test]
fn the_register_chains_are_found_with_both_deals() {
    let ing = read(&[(REGISTER, Preset::SipriRegister)]);
    let r = find(&ing.transfers, &Deals::new(&ing.transfers), RetransferOptions::default());
    // Onward deals from a state to an armed group: Iran -> Hezbollah, UAE -> HoR (2),
    // Jordan -> HoR, Turkiye -> Syria rebels (2), Russia -> Ukraine Rebels.
    assert_eq!(r.onward_deals, 7);
    assert_eq!(r.onward_with_chain, 4);
    let got: Vec<(&str, &str, &str, &str, &str)> = r
        .chains
        .iter()
        .map(|c| {
            (
                c.origin.name.as_str(),
                c.intermediary.name.as_str(),
                c.recipient.name.as_str(),
                c.import.id.as_str(),
                c.onward.id.as_str(),
            )
        })
        .collect();
    let f = "sipri_trade_register_cases.csv";
    let id = |line: u32| format!("{f}:{line}");
    let want = [
        ("United States", "Iran", "Hezbollah", id(23), id(22)),
        ("United States", "Türkiye", "Syria rebels", id(49), id(47)),
        ("Russia", "United Arab Emirates", "HoR", id(51), id(29)),
        ("Russia", "United Arab Emirates", "HoR", id(50), id(30)),
    ];
    let want: Vec<(&str, &str, &str, &str, &str)> =
        want.iter().map(|w| (w.0, w.1, w.2, w.3.as_str(), w.4.as_str())).collect();
    assert_eq!(got, want);
    let tow = &r.chains[0];
    assert_eq!((tow.import.first_year, tow.import.last_year), (1973, 1976));
    assert_eq!((tow.onward.first_year, tow.import.delivered), (1999, Some(4760)));
    assert!(close(tow.import.tiv, 47.6) && close(tow.onward.tiv, 0.1));
    assert!(r.chains.iter().all(|c| c.matched == WeaponKey::Designation));
    // The Pantsyr-S1 passed on was delivered second-hand; the import was new.
    let pantsyr = &r.chains[3];
    assert!(pantsyr.onward.second_hand && !pantsyr.import.second_hand);
    assert!(close(pantsyr.import.tiv, 550.0) && close(pantsyr.onward.tiv, 8.8));
    // Onward to any third party: no state here passes on what it imported to another state.
    let all = RetransferOptions { third_parties: true, ..RetransferOptions::default() };
    let r3 = find(&ing.transfers, &Deals::new(&ing.transfers), all);
    assert_eq!(r3.chains.len(), 4);
    assert!(r3.onward_deals > r.onward_deals);
}

/// A config of the given inputs (file, preset, extra TOML lines of the input), extra
/// sections, figures on.
fn config(dir: &Path, inputs: &[(&str, &str, &str)], extra: &str) -> PathBuf {
    let mut text = String::new();
    for (rel, preset, more) in inputs {
        text.push_str(&format!(
            "[[inputs.transfers]]\npath = {:?}\npreset = \"{preset}\"\n{more}\n\n",
            data(rel).display().to_string()
        ));
    }
    text.push_str(extra);
    let path = dir.join("t.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_register_run_writes_dyads_chains_paths_figures_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&config(tmp.path(), &[(REGISTER, "sipri-register", "")], ""), &out);
    let dy = csv_rows(&out.join("dyads.csv"));
    let mmr: f64 = dy
        .iter()
        .filter(|r| r["recipient"] == "Myanmar")
        .map(|r| r["tiv_delivered"].parse::<f64>().unwrap())
        .sum();
    assert!(close(mmr, 692.1), "{mmr}");
    assert!(
        dy.iter().any(|r| r["recipient"] == "Hezbollah" && r["recipient_kind"] == "armed_group")
    );
    let ch = csv_rows(&out.join("retransfers.csv"));
    assert_eq!(ch.len(), 4);
    let hez = ch.iter().find(|r| r["recipient"] == "Hezbollah").unwrap();
    assert_eq!(
        (hez["origin_country"].as_str(), hez["intermediary_country"].as_str()),
        ("USA", "IRN")
    );
    assert_eq!(
        (hez["import_first_year"].as_str(), hez["onward_first_year"].as_str()),
        ("1973", "1999")
    );
    assert_eq!(hez["weapon_match"], "designation");
    // The chains are paths on the legal layer, diverted at the intermediary.
    let paths = csv_rows(&out.join("paths.csv"));
    let chains: Vec<_> = paths.iter().filter(|r| r["kind"] == "retransfer").collect();
    assert_eq!(chains.len(), 4);
    let p = chains.iter().find(|r| r["nodes"] == "USA;IRN;LBN").unwrap();
    assert_eq!((p["diversion_point"].as_str(), p["legal_legs"].as_str()), ("IRN", "1"));
    assert!(close(p["quantity"].parse::<f64>().unwrap(), 10.0));
    assert!(paths.iter().all(|r| r["kind"] == "retransfer" || r["kind"] == "case"));
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["notes"]["retransfer_chains"], 4);
    assert_eq!(m["notes"]["retransfer_onward_deals"], 7);
    assert_eq!(m["notes"]["retransfer_onward_with_chain"], 4);
    // The figures and the report.
    let svg = std::fs::read_to_string(out.join("figures/retransfers.svg")).unwrap();
    assert!(svg.contains("Intermediary") && svg.contains("Hezbollah*") && svg.contains("IRN"));
    assert!(!svg.contains("No data"));
    let svg = std::fs::read_to_string(out.join("figures/dyads.svg")).unwrap();
    assert!(svg.contains("Supplier") && svg.contains("MMR"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Re-transfer chains (legal import, then onward delivery)"));
    assert!(md.contains("United States → Iran → Hezbollah"));
    assert!(md.contains("4 of 7 onward deals"));
    assert!(md.contains("Suppliers: legal deliveries by supplier"));
    assert!(md.contains("Myanmar (545.1; 5 deals)"));
}

#[test]
fn the_family_rule_joins_the_two_layouts_and_can_be_switched_off() {
    // The UAE's Pantsyr import only from the newer export ("Pantsyr", deal 27414), its
    // onward deliveries only from the register ("96K9 Pantsyr-S1", "57-E6").
    let inputs = [
        (NEWER, "sipri-transfers", ""),
        (REGISTER, "sipri-register", "where = { Supplier = [\"UAE\"] }"),
    ];
    for (family, want) in [(true, 1), (false, 0)] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let extra = format!("[retransfers]\nfamily = {family}\n\n[figures]\nenabled = false\n");
        run(&config(tmp.path(), &inputs, &extra), &out);
        let ch = csv_rows(&out.join("retransfers.csv"));
        assert_eq!(ch.len(), want, "family = {family}: {ch:?}");
        if let Some(c) = ch.first() {
            assert_eq!(c["import_designation"], "Pantsyr");
            assert_eq!(c["onward_designation"], "96K9 Pantsyr-S1");
            assert_eq!(c["weapon_match"], "family");
            assert_eq!(c["import_source"], "27414");
            assert_eq!(
                (c["import_first_year"].as_str(), c["import_last_year"].as_str()),
                ("2009", "2013")
            );
            assert!(close(c["import_tiv"].parse::<f64>().unwrap(), 550.0));
        }
    }
}

#[test]
fn the_demo_has_one_chain_and_rejects_a_later_import_and_a_maker_s_name() {
    // datasets/demo/transfers.csv: the UAE's MRAPs (TR-0028, from the United States,
    // 2017-2018) passed on to the Giants Brigades (TR-0040, 2019). Saudi Arabia's M4A1 to a
    // rebel group (TR-0031, 2017) was imported later (TR-0029, 2018-2019); the UAE's
    // Zastava M70 and M05 (TR-0030, TR-0034) share only the maker with its Zastava M84 (a machine gun).
    let r = &crate::common::demo_results().retransfers;
    let got: Vec<(&str, &str, &str)> = r
        .chains
        .iter()
        .map(|c| (c.import.id.as_str(), c.onward.id.as_str(), c.recipient.name.as_str()))
        .collect();
    assert_eq!(got, [("TR-0028", "TR-0040", "Giants Brigades")]);
    assert_eq!((r.onward_deals, r.onward_with_chain), (6, 1));
}
