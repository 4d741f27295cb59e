//! Every party right: SIPRI's historical parties resolve and stay their own actors and
//! network nodes, UCDP's sides get their kinds and countries, an alias file makes one
//! actor of two names, and the actors table reads back with one type per column.
//!
//! The expected numbers were counted by hand from the raw files in `tests/data/sources/`
//! (Python's `csv` over the Windows-1252 text, `json` over the GeoJSON), never from
//! divnet's output.

use std::collections::BTreeMap;
use std::path::Path;

use divnet::actors::ActorKind;
use divnet::config::Config;
use divnet::ingest::Ingested;

use crate::common::{data, gaz};

/// A config reading the SIPRI register's case excerpt and sample (and `extra` TOML).
fn sipri_config(dir: &Path, extra: &str) -> Config {
    let cfg = dir.join("divnet.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[inputs.transfers]]\npath = {:?}\npreset = \"sipri-register\"\n\n\
             [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-register\"\n\n\
             [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-transfers\"\n\n\
             [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-transfers\"\n\n\
             [figures]\nenabled = false\n{extra}",
            data("sources/sipri_trade_register_cases.csv").display().to_string(),
            data("sources/sipri_trade_register_sample.csv").display().to_string(),
            data("sources/sipri_transfers_cases.csv").display().to_string(),
            data("sources/sipri_transfers_sample.csv").display().to_string(),
        ),
    )
    .unwrap();
    Config::from_file(&cfg).unwrap()
}

/// The actors table of some ingest results as column -> value maps, by actor name.
fn actor_rows(c: &Config, kinds: &[&Ingested]) -> BTreeMap<String, BTreeMap<String, String>> {
    let t = divnet::tables::actors_with(gaz(), &c.actors(), kinds).unwrap();
    let csv = t.csv_bytes().unwrap();
    let mut out = BTreeMap::new();
    for r in csv::Reader::from_reader(csv.as_slice()).deserialize() {
        let r: BTreeMap<String, String> = r.unwrap();
        assert!(out.insert(r["actor"].clone(), r.clone()).is_none(), "two rows for {r:?}");
    }
    out
}

fn num(r: &BTreeMap<String, String>, col: &str) -> f64 {
    r[col].parse().unwrap_or_else(|_| panic!("{col}: {r:?}"))
}

#[test]
fn every_party_of_the_sipri_excerpts_resolves_and_historical_states_stay_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let c = sipri_config(dir.path(), "");
    let ing = divnet::pipeline::validate(&c, gaz()).unwrap();
    // No party is refused (the one rejected deal of the cases is a comment broken over two
    // lines, not a party).
    let unknown: Vec<_> =
        ing.rejections.iter().filter(|r| r.problem.reason.as_str() == "unknown_actor").collect();
    assert!(unknown.is_empty(), "{unknown:?}");
    // Each historical party is its own actor, under one name for each of its spellings.
    let t = &ing.transfers;
    let named = |n: &str| {
        t.iter().filter(|x| x.recipient.name == n || x.supplier.name == n).collect::<Vec<_>>()
    };
    for (name, iso3, deals) in [
        ("South Vietnam", "VNM", 3),
        ("North Yemen", "YEM", 5),
        ("South Yemen", "YEM", 2),
        ("Biafra", "NGA", 2),
        ("Katanga", "COD", 2),
        ("Soviet Union", "RUS", 13),
        ("East Germany (GDR)", "DEU", 1),
    ] {
        let of = named(name);
        assert_eq!(of.len(), deals, "{name}");
        for x in of {
            let p = if x.recipient.name == name { &x.recipient } else { &x.supplier };
            assert_eq!(p.kind, ActorKind::HistoricalState, "{name}");
            assert_eq!(gaz().country(p.country.unwrap()).iso3, iso3, "{name}");
        }
    }
    // Saint Vincent is the state.
    let vct = t.iter().find(|x| x.recipient.name == "Saint Vincent and the Grenadines").unwrap();
    assert_eq!(vct.recipient.kind, ActorKind::State);
    // `Libya HoR*` (register) and `HoR (Libya)*` (newer export) are one actor.
    // Seven rows name it, four in the register and three in the newer export; two of the
    // newer rows are deliveries of a register deal and are counted once (duplicates).
    let hor: Vec<_> = t.iter().filter(|x| x.recipient.name == "HoR").collect();
    assert_eq!(hor.len(), 4 + 3 - 2);
    assert!(hor.iter().all(|x| x.recipient.kind == ActorKind::ArmedGroup));
    // The actors table: Soviet Union and Russia two rows, each with its own TIV.
    let rows = actor_rows(&c, &[&ing]);
    let su = &rows["Soviet Union"];
    assert_eq!((su["kind"].as_str(), su["country"].as_str()), ("historical_state", "RUS"));
    assert_eq!(su["transfers_supplied"], "13");
    assert!((num(su, "tiv_supplied") - (94.88 + 594.46)).abs() < 1e-9, "{su:?}");
    let ny = &rows["North Yemen"];
    assert_eq!((ny["transfers_received"].as_str(), ny["transfers_supplied"].as_str()), ("4", "1"));
    assert!((num(ny, "tiv_received") - 33.68).abs() < 1e-9);
    assert!((num(&rows["South Yemen"], "tiv_received") - 75.0).abs() < 1e-9);
    assert_eq!(rows["Russia"]["kind"], "state");
    assert!(!rows.contains_key("Yemen Arab Republic (North Yemen)"));
    assert!(!rows.contains_key("Libya HoR"));
    assert_eq!(rows["HoR"]["country"], "LBY");
    // South Vietnam's first deal was ordered in 1955, its last delivery in 1970: years.
    let sv = &rows["South Vietnam"];
    assert_eq!(
        (sv["first_seen"].as_str(), sv["first_seen_precision"].as_str()),
        ("1955-01-01", "year")
    );
    assert_eq!(sv["last_seen"], "1970-12-31");

    // In the network, historical states are their own nodes at their successor's place.
    let a = divnet::stages::analyse(&c, gaz(), &ing).unwrap();
    let net = &a.paths.network;
    let node = |id: &str| net.graph.node_weights().find(|n| n.id == id);
    let su_node = node("SUN").expect("the Soviet Union's node");
    assert_eq!((su_node.name.as_str(), su_node.iso3.as_str()), ("Soviet Union", "RUS"));
    assert_eq!(su_node.point, node("RUS").expect("Russia's node").point);
    for id in ["XSV", "XNY", "YMD", "XBI", "XKA", "DDR"] {
        assert!(node(id).is_some(), "{id}");
    }
    let edge = |a: &str, b: &str| {
        let (i, j) = (
            net.graph.node_indices().find(|&i| net.graph[i].id == a)?,
            net.graph.node_indices().find(|&i| net.graph[i].id == b)?,
        );
        net.graph.find_edge(i, j).map(|e| net.graph[e].transfers)
    };
    assert_eq!(edge("SUN", "XNY"), Some(3));
    assert_eq!(edge("SUN", "YMD"), Some(2));
    assert_eq!(edge("USA", "XSV"), Some(2));
    assert_eq!(edge("XSV", "USA"), Some(1));
    assert_eq!(edge("RUS", "XNY"), None);
    // ... and their own recipients, by code and name.
    let years = &a.recipients.years;
    let sv: Vec<_> = years.iter().filter(|y| y.iso3 == "XSV").collect();
    assert_eq!(sv.len(), 2);
    assert_eq!((sv[0].name.as_str(), sv[0].year), ("South Vietnam", 1956));
    assert!((sv[0].tiv_delivered - 0.38).abs() < 1e-9);
    assert_eq!(sv[1].year, 1960);
    assert!((sv[1].tiv_delivered - 23.0).abs() < 1e-9);
    // Items counted within one armament category only.
    let items = |year: i32| -> u64 {
        let cats = a.recipients.categories.iter();
        cats.filter(|c| c.iso3 == "XSV" && c.year == year).map(|c| c.items).sum()
    };
    assert_eq!((items(1956), items(1960)), (4, 25));
    assert!(!years.iter().any(|y| y.iso3 == "VNM"));

    // Merged on request: no historical node, their deliveries counted for the successor.
    let merged = sipri_config(dir.path(), "[network]\nmerge_historical = true\n");
    let m = divnet::stages::analyse(&merged, gaz(), &ing).unwrap();
    let mnet = &m.paths.network;
    assert!(!mnet.graph.node_weights().any(|n| n.id == "SUN" || n.id == "XSV"));
    let vnm: Vec<_> = m.recipients.years.iter().filter(|y| y.iso3 == "VNM").collect();
    assert_eq!(vnm.iter().map(|y| y.year).collect::<Vec<_>>(), [1956, 1960]);
    let viet_nam = gaz().resolve_country("VNM").unwrap();
    assert_eq!(vnm[0].name, gaz().country(viet_nam).name);
}

#[test]
fn ucdp_sides_have_their_kinds_and_countries() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("divnet.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[inputs.events]]\npath = {:?}\npreset = \"ucdp-ged\"\n\n\
             [[inputs.transfers]]\npath = {:?}\npreset = \"sipri-transfers\"\n",
            data("sources/ucdp_ged_sample.geojson").display().to_string(),
            data("sources/sipri_transfers_sample.csv").display().to_string(),
        ),
    )
    .unwrap();
    let c = Config::from_file(&cfg).unwrap();
    let ing = divnet::pipeline::validate(&c, gaz()).unwrap();
    assert_eq!(ing.events.len(), 72);
    let rows = actor_rows(&c, &[&ing]);
    // (kind, country, events, fatalities), counted from the GeoJSON: every event is in the
    // Central African Republic.
    for (name, kind, country, events, fatalities) in [
        ("Central African Republic", "state", "CAF", 19, 77),
        ("Uganda", "state", "UGA", 5, 10),
        ("Chad", "state", "TCD", 1, 4),
        ("Christians", "armed_group", "CAF", 4, 111),
        ("Muslims", "armed_group", "CAF", 4, 111),
        ("anti-Balaka", "armed_group", "CAF", 17, 170),
        ("MLCJ, RPRC", "armed_group", "CAF", 1, 40),
        ("Civilians", "civilians", "CAF", 47, 340),
        // SIPRI's `LRA (Uganda)*` and UCDP's `LRA` are one actor, in Uganda.
        ("LRA", "armed_group", "UGA", 13, 50),
    ] {
        let r = rows.get(name).unwrap_or_else(|| panic!("{name}: {rows:?}"));
        assert_eq!((r["kind"].as_str(), r["country"].as_str()), (kind, country), "{name}");
        assert_eq!(
            (r["conflict_events"].as_str(), r["fatalities"].as_str()),
            (events.to_string().as_str(), fatalities.to_string().as_str()),
            "{name}"
        );
    }
    let lra = &rows["LRA"];
    assert_eq!(lra["transfers_received"], "1");
    assert!((num(lra, "tiv_received") - 0.2).abs() < 1e-9);
    assert!(!rows.contains_key("Government of Uganda"));
    assert!(!rows.values().any(|r| r["kind"] == "unclassified"), "{rows:?}");
}

#[test]
fn an_alias_file_makes_one_actor_of_two_names_and_reruns_what_reads_parties() {
    let dir = tempfile::tempdir().unwrap();
    let transfers = dir.path().join("transfers.csv");
    std::fs::write(
        &transfers,
        "id,supplier,recipient,delivery_years,tiv\n\
         t1,Russia,Wagner Group (Libya)*,2020,2\n\
         t2,Russia,Africa Corps (Libya)*,2024,3\n",
    )
    .unwrap();
    let aliases = dir.path().join("aliases.csv");
    let write_config = |extra: &str| {
        let cfg = dir.path().join("divnet.toml");
        std::fs::write(&cfg, format!("[[inputs.transfers]]\npath = \"transfers.csv\"\n{extra}"))
            .unwrap();
        Config::from_file(&cfg)
    };
    // Without the alias file: two actors.
    let plain = write_config("").unwrap();
    let ing = divnet::pipeline::validate(&plain, gaz()).unwrap();
    let rows = actor_rows(&plain, &[&ing]);
    assert!(rows.contains_key("Wagner Group") && rows.contains_key("Africa Corps"));
    // With it: one, under the canonical name, both transfers and their TIV summed.
    std::fs::write(
        &aliases,
        "name,canonical,kind,country\nAfrica Corps,Wagner Group,armed_group,LBY\n",
    )
    .unwrap();
    let c = write_config("[actors]\naliases = \"aliases.csv\"\n").unwrap();
    let ing = divnet::pipeline::validate(&c, gaz()).unwrap();
    assert!(ing.transfers.iter().all(|t| t.recipient.name == "Wagner Group"));
    let rows = actor_rows(&c, &[&ing]);
    assert!(!rows.contains_key("Africa Corps"));
    let w = &rows["Wagner Group"];
    assert_eq!(
        (w["kind"].as_str(), w["country"].as_str(), w["transfers_received"].as_str()),
        ("armed_group", "LBY", "2")
    );
    assert!((num(w, "tiv_received") - 5.0).abs() < 1e-9);
    // The alias file is part of the salt of the steps that read parties: editing it
    // changes their keys, and only theirs among the table steps.
    let salts = |c: &Config| -> BTreeMap<String, Vec<u8>> {
        let inputs = divnet::stages::decl::StepInputs {
            ingest: divnet::ingest::IngestOptions::default(),
            source_date: None,
            fingerprints: Default::default(),
        };
        divnet::stages::decl::steps(c, &inputs).into_iter().map(|s| (s.name, s.salt)).collect()
    };
    let before = salts(&c);
    std::fs::write(
        &aliases,
        "name,canonical,kind,country\nAfrica Corps,Wagner Group,armed_group,RUS\n",
    )
    .unwrap();
    let after = salts(&write_config("[actors]\naliases = \"aliases.csv\"\n").unwrap());
    let changed: Vec<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
    for step in ["ingest:transfers", "ingest:events", "tables:actors", "tables:seizures"] {
        assert!(changed.iter().any(|c| c.as_str() == step), "{step} not in {changed:?}");
    }
    assert!(!changed.iter().any(|c| c.as_str() == "tables:rejected" || c.as_str() == "hubs"));
    // A bad alias file is refused when the config is read, naming the key and the line.
    std::fs::write(&aliases, "name,canonical,kind\nAfrica Corps,Wagner Group,militia\n").unwrap();
    let e = write_config("[actors]\naliases = \"aliases.csv\"\n").unwrap_err().to_string();
    assert!(e.contains("actors.aliases") && e.contains("line 2") && e.contains("militia"), "{e}");
}

#[test]
fn the_actors_table_reads_back_with_one_type_per_column() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let mut c = sipri_config(dir.path(), "");
    // Beside SIPRI's years: day-precise events and month-precise seizures.
    let held = dir.path().join("held.csv");
    std::fs::write(
        &held,
        "id,date,country,quantity,possessor\ns1,2023-04,MEX,12,Los Zetas\ns2,2023-06-05,MEX,3,Los Zetas\n",
    )
    .unwrap();
    c.inputs.seizures.push(divnet::inputs::InputSpec::for_path(held.display().to_string()));
    c.inputs.events.push({
        let mut s = divnet::inputs::InputSpec::for_path(
            data("sources/ucdp_ged_sample.geojson").display().to_string(),
        );
        s.apply_preset(divnet::inputs::presets::Preset::UcdpGed, divnet::schema::TableKind::Events);
        s
    });
    let ing = divnet::pipeline::validate(&c, gaz()).unwrap();
    let t = divnet::tables::actors_with(gaz(), &c.actors(), &[&ing]).unwrap();
    // Read as polars reads a CSV (schema inferred from every row, dates parsed): every
    // column has one type, the dates are dates.
    let csv = t.csv_bytes().unwrap();
    let df = CsvReadOptions::default()
        .with_infer_schema_length(None)
        .with_parse_options(CsvParseOptions::default().with_try_parse_dates(true))
        .into_reader_with_file_handle(std::io::Cursor::new(csv.clone()))
        .finish()
        .expect("the actors CSV reads back");
    for col in ["first_seen", "last_seen"] {
        assert_eq!(df.column(col).unwrap().dtype(), &DataType::Date, "{col}");
    }
    for col in ["tiv_supplied", "tiv_received"] {
        assert_eq!(df.column(col).unwrap().dtype(), &DataType::Float64, "{col}");
    }
    assert_eq!(df.column("transfers_supplied").unwrap().dtype(), &DataType::Int64);
    assert_eq!(df.column("first_seen_precision").unwrap().dtype(), &DataType::String);
    // Python's csv module sees the same: each date cell is an ISO date.
    for r in csv::Reader::from_reader(csv.as_slice()).deserialize::<BTreeMap<String, String>>() {
        let r = r.unwrap();
        for col in ["first_seen", "last_seen"] {
            assert!(chrono::NaiveDate::parse_from_str(&r[col], "%Y-%m-%d").is_ok(), "{col}: {r:?}");
        }
        let p = r["first_seen_precision"].as_str();
        assert!(["year", "month", "day"].contains(&p), "{r:?}");
    }
    // Parquet keeps the types too.
    let pq = t.parquet_bytes().unwrap();
    let df = ParquetReader::new(std::io::Cursor::new(pq)).finish().unwrap();
    assert_eq!(df.column("first_seen").unwrap().dtype(), &DataType::Date);
    // Los Zetas: first seen in April 2023 (month), last on 5 June 2023 (day).
    let rows = actor_rows(&c, &[&ing]);
    let z = &rows["Los Zetas"];
    assert_eq!(
        (z["first_seen"].as_str(), z["first_seen_precision"].as_str()),
        ("2023-04-01", "month")
    );
    assert_eq!((z["last_seen"].as_str(), z["last_seen_precision"].as_str()), ("2023-06-05", "day"));
}
