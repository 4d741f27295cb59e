//! The legal-transfer layer and conflict events: SIPRI's exports read as transfers (every
//! party resolved, the estimate marks as published), UCDP GED and ACLED read as events,
//! edges and path legs told legal or illicit, diversion points, the recipients table, and
//! the conflict-event hotspot layer.

use std::collections::BTreeMap;
use std::path::Path;

use divnet::actors::ActorKind;
use divnet::config::Config;
use divnet::ingest::{IngestOptions, Ingested, InputSet, ingest};
use divnet::inputs::InputSpec;
use divnet::inputs::presets::Preset;
use divnet::schema::TableKind;

use crate::common::{data, gaz};

/// Reads `rel` (under tests/data) as `kind` with `preset`.
fn read(rel: &str, kind: TableKind, preset: Preset) -> Ingested {
    let mut inputs = InputSet::default();
    inputs.of_mut(kind).push(crate::common::preset_spec(rel, kind, preset));
    crate::common::ingest_in_small_pieces(&inputs)
}

/// The data rows of a SIPRI CSV export (Windows-1252 or UTF-8, 11 preamble lines, an
/// optional trailing `;`), as text fields.
fn sipri_rows(rel: &str) -> Vec<Vec<String>> {
    let bytes = std::fs::read(data(rel)).unwrap();
    let text: String = match std::str::from_utf8(&bytes) {
        Ok(t) => t.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let body: Vec<&str> = text.lines().skip(12).map(|l| l.strip_suffix(';').unwrap_or(l)).collect();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body.join("\n").as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_sipri_register_reads_as_transfers_with_every_party_and_mark() {
    let rel = "sources/sipri_trade_register_sample.csv";
    let ing = read(rel, TableKind::Transfers, Preset::SipriRegister);
    let raw = sipri_rows(rel);
    assert_eq!(raw.len(), 60);
    // Every deal is accepted: every party is a state, a historical state or a party in
    // SIPRI's conventions, organisations and unknown suppliers included.
    assert_eq!((ing.transfers.len(), ing.rejected_rows()), (60, 0), "{:?}", ing.rejections);
    for (t, r) in ing.transfers.iter().zip(&raw) {
        // The `?` marks of the three unnamed columns, as published.
        assert_eq!(t.order_date_estimate, r[3] == "?", "{}", t.id);
        assert_eq!(t.ordered_estimate, r[5] == "?", "{}", t.id);
        assert_eq!(t.delivered_estimate, r[9] == "?", "{}", t.id);
        assert_eq!(t.ordered.map(|n| n.to_string()).unwrap_or_default(), r[4]);
        assert_eq!(t.delivered.map(|n| n.to_string()).unwrap_or_default(), r[8]);
        let years: Vec<String> = t.deliveries.iter().map(|d| d.year.to_string()).collect();
        assert_eq!(years.join("; "), r[10], "{}", t.id);
        assert_eq!(t.order_date.map(|d| d.to_string()).unwrap_or_default(), r[2]);
        // A note naming aid, as `aid` or within a note ("part of US Fiscal Year 1987 $100 m
        // aid for Contras"); the sample has no hedged or MAP/MDAP form.
        let aid = r[12].split(';').any(|c| {
            c.split(|ch: char| !ch.is_alphanumeric()).any(|w| w.eq_ignore_ascii_case("aid"))
        });
        assert_eq!(t.aid, aid, "{}", t.id);
    }
    let flags =
        |f: fn(&divnet::records::Transfer) -> bool| ing.transfers.iter().filter(|t| f(t)).count();
    assert_eq!(flags(|t| t.order_date_estimate), 32);
    assert_eq!(flags(|t| t.delivered_estimate), 2);
    // The parties of the first deals, as listed.
    let first = &ing.transfers[0];
    assert_eq!(first.recipient.name.as_str(), "Amal");
    assert_eq!(first.recipient.kind, ActorKind::ArmedGroup);
    assert_eq!(gaz().country(first.recipient.country.unwrap()).iso3, "LBN");
    assert_eq!(first.supplier.kind, ActorKind::State);
    assert_eq!(first.status.map(|s| s.as_str()), Some("second_hand"));
    assert!(first.aid);
    let unknown = &ing.transfers[1];
    assert_eq!((unknown.supplier.kind, unknown.supplier.country), (ActorKind::Unknown, None));
    let kinds: std::collections::BTreeSet<ActorKind> =
        ing.transfers.iter().flat_map(|t| [t.supplier.kind, t.recipient.kind]).collect();
    for k in [ActorKind::State, ActorKind::HistoricalState, ActorKind::ArmedGroup] {
        assert!(kinds.contains(&k), "{k:?} among {kinds:?}");
    }
    // TIV of the delivered weapons, with the Windows-1252 text intact.
    assert_eq!(first.tiv, Some(2.52));
    assert!(
        ing.transfers.iter().any(|t| t.comments.as_deref().is_some_and(|c| c.contains("Wärtsilä")))
    );
}

#[test]
fn the_sipri_transfers_export_reads_its_estimate_columns() {
    let rel = "sources/sipri_transfers_sample.csv";
    let ing = read(rel, TableKind::Transfers, Preset::SipriTransfers);
    let raw = sipri_rows(rel);
    assert_eq!((ing.transfers.len(), ing.rejected_rows()), (49, 0), "{:?}", ing.rejections);
    for (t, r) in ing.transfers.iter().zip(&raw) {
        assert_eq!(t.source.as_deref(), Some(r[0].as_str()));
        assert_eq!(t.armament_category.as_deref(), Some(r[5].as_str()));
        assert_eq!(t.order_date_estimate, r[7] == "Yes");
        assert_eq!(t.delivered.map(|n| n.to_string()), Some(r[8].clone()));
        assert_eq!(t.delivered_estimate, r[9] == "Yes");
        assert_eq!(t.deliveries.len(), 1);
        assert_eq!(t.deliveries[0].year.to_string(), r[10]);
        assert_eq!(t.delivery_years_estimate, r[11] == "Yes");
        assert_eq!(t.tiv.map(|v| v.to_string()), Some(r[15].clone()));
    }
    // One delivery year each: its items are the row's number delivered.
    let t = &ing.transfers[0];
    assert_eq!(t.items_by_year(), [(2001, 1)]);
}

#[test]
fn ucdp_ged_and_acled_read_as_conflict_events() {
    let rel = "sources/ucdp_ged_sample.geojson";
    let ing = read(rel, TableKind::Events, Preset::UcdpGed);
    assert_eq!((ing.events.len(), ing.rejected_rows()), (72, 0), "{:?}", ing.rejections);
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data(rel)).unwrap()).unwrap();
    let features = doc["features"].as_array().unwrap();
    for (e, f) in ing.events.iter().zip(features) {
        let p = &f["properties"];
        assert_eq!(e.id.as_str(), p["id"].to_string());
        assert_eq!(e.fatalities, p["best"].as_u64());
        let precision = match p["where_prec"].as_u64().unwrap() {
            1 => "exact",
            2 => "place",
            3 | 4 => "admin1",
            _ => "country",
        };
        assert_eq!(e.location.precision.as_str(), precision, "{}", e.id);
        let date_precision = match p["date_prec"].as_u64().unwrap() {
            1 => "day",
            2 | 3 => "week",
            4 => "month",
            _ => "year",
        };
        assert_eq!(e.date_precision.as_str(), date_precision, "{}", e.id);
        // UCDP gives every event its end date: the start is kept as given (a month- or
        // year-precise event no longer shrinks to its month or year) and the end beside it.
        let start = &p["date_start"].as_str().unwrap()[..10];
        assert_eq!(e.date.to_string(), start);
        let end = e.date_end.map(|d| d.to_string());
        assert_eq!(end.as_deref(), Some(&p["date_end"].as_str().unwrap()[..10]));
        let kind = ["state-based", "non-state", "one-sided"]
            [p["type_of_violence"].as_u64().unwrap() as usize - 1];
        assert_eq!(e.event_type.as_deref(), Some(kind));
        assert_eq!(e.side_a.as_deref(), p["side_a"].as_str());
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        assert_eq!(e.location.point.lon(), c[0].as_f64().unwrap());
        assert_eq!(gaz().country(e.location.country).iso3, "CAF");
    }
    // The same events as UCDP's CSV export (coordinates as `latitude`, `longitude`
    // columns) read the same.
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("ged.csv");
    let names: Vec<String> = features[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .chain(["latitude".to_string(), "longitude".to_string()])
        .collect();
    let mut w = csv::Writer::from_path(&csv_path).unwrap();
    w.write_record(&names).unwrap();
    for f in features {
        let p = f["properties"].as_object().unwrap();
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let mut row: Vec<String> = p
            .values()
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            .collect();
        row.push(c[1].to_string());
        row.push(c[0].to_string());
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let mut spec = InputSpec::for_path(csv_path.display().to_string());
    spec.apply_preset(Preset::UcdpGed, TableKind::Events);
    let mut inputs = InputSet::default();
    inputs.events.push(spec);
    let opts = IngestOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..IngestOptions::default()
    };
    let from_csv = ingest(&inputs, Path::new("/"), gaz(), opts).unwrap();
    assert_eq!(from_csv.rejected_rows(), 0, "{:?}", from_csv.rejections);
    let strip = |e: &divnet::records::ConflictEvent| {
        let mut e = e.clone();
        e.row = divnet::records::RowRef { file: 0, line: 0 };
        e
    };
    let a: Vec<_> = ing.events.iter().map(strip).collect();
    let b: Vec<_> = from_csv.events.iter().map(strip).collect();
    assert_eq!(a, b);

    // ACLED: every event (not only the looting ones), the one placed nowhere rejected.
    let ing = read("sources/acled_fixture.csv", TableKind::Events, Preset::Acled);
    let f = &ing.files[0];
    assert_eq!((f.rows_read, f.filtered, f.accepted, f.rejected), (6, 0, 5, 1));
    // "Nowhere, Atlantis Province" has no coordinates and names no place that exists.
    let r = &ing.rejections[0];
    assert_eq!((r.row.line, r.problem.reason.as_str()), (7, "unknown_place"));
    let first = &ing.events[0];
    assert_eq!(first.side_a.as_deref(), Some("Unidentified Armed Group (Nigeria)"));
    assert_eq!((first.fatalities, first.event_type.as_deref()), (Some(4), Some("Attack")));
}

#[test]
fn bad_transfer_rows_are_rejected_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.csv");
    std::fs::write(
        &f,
        "id,supplier,recipient,delivered,delivered_estimate,status,delivery_years\n\
         t1,Frnace,Mali,10,,New,2020\n\
         t2,France,Mali,10,maybe,New,2020\n\
         t3,France,Mali,10,,leased,2020\n\
         t4,France,Mali,10,,New,2020:4;twenty\n\
         t5,France,Hezbollah (Lebanon)*,10,?,second hand; aid,2019;2020:4\n",
    )
    .unwrap();
    let mut inputs = InputSet::default();
    inputs.transfers.push(InputSpec::for_path(f.display().to_string()));
    let opts = IngestOptions {
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..IngestOptions::default()
    };
    let ing = ingest(&inputs, Path::new("/"), gaz(), opts).unwrap();
    let reasons: Vec<(u64, &str, &str)> = ing
        .rejections
        .iter()
        .map(|r| (r.row.line, r.problem.column.as_str(), r.problem.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (2, "supplier", "unknown_actor"),
            (3, "delivered_estimate", "invalid_flag"),
            (4, "status", "unknown_status"),
            (5, "delivery_years", "invalid_date"),
        ]
    );
    assert!(ing.rejections[0].problem.detail.contains("France"), "{:?}", ing.rejections[0]);
    let t = &ing.transfers[0];
    assert!(t.aid && t.delivered_estimate);
    // 10 delivered over 2019 (no number) and 2020 (4): 6 in 2019.
    assert_eq!(t.items_by_year(), [(2019, 6), (2020, 4)]);
}

/// A small run: legal transfers A -> B, illicit evidence B -> C, seizures in C.
fn legal_run(dir: &Path) -> std::path::PathBuf {
    std::fs::write(
        dir.join("transfers.csv"),
        "id,supplier,recipient,delivery_years,delivered,armament_category,tiv\n\
         t1,Belgium,Libya,2009,300,Small arms,\n\
         t2,Russia,Libya,2009;2010:100,400,Small arms,12\n\
         t3,Libya,Houthi rebels (Yemen)*,2012,50,Small arms,\n\
         t4,NATO**,Mali,2014,5,Ammunition,\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("seizures.csv"),
        "id,date,country,quantity,origin,last_legal_import\n\
         s1,2015-03,NER,10,BEL,LBY\n\
         s2,2016-05,NER,4,LBY,\n\
         s3,2016-07,NER,6,,LBY\n",
    )
    .unwrap();
    std::fs::write(dir.join("routes.csv"), "id,from,to,reports\nr1,LBY,NER,3\n").unwrap();
    std::fs::write(
        dir.join("events.csv"),
        "id,date,country,lat,lon,fatalities,date_precision\n\
         e1,2016-05-02,NER,13.51,2.11,3,day\n\
         e2,2016-05-09,NER,13.52,2.12,0,week\n\
         e3,2016-06-15,NER,13.50,2.10,1,month\n",
    )
    .unwrap();
    let cfg = dir.join("divnet.toml");
    std::fs::write(
        &cfg,
        "[run]\nout = \"out\"\n\
         [[inputs.seizures]]\npath = \"seizures.csv\"\n\
         [[inputs.routes]]\npath = \"routes.csv\"\n\
         [[inputs.transfers]]\npath = \"transfers.csv\"\n\
         [[inputs.events]]\npath = \"events.csv\"\n\
         [network]\nborder_prior_p = 0.0\n[paths]\nk = 1\n[figures]\nenabled = false\n",
    )
    .unwrap();
    cfg
}

fn table(path: &Path) -> Vec<BTreeMap<String, String>> {
    crate::common::csv_rows(path)
}

#[test]
fn paths_name_their_diversion_point_and_the_recipients_table_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = legal_run(dir.path());
    let out = dir.path().join("out");
    crate::common::run_config(&cfg);
    // Edges: legal (transfers only), illicit (a route; the transfer to a non-state group).
    let edges = table(&out.join("network_edges.csv"));
    let layer = |a: &str, b: &str| {
        edges.iter().find(|e| e["source"] == a && e["target"] == b).map(|e| e["layer"].clone())
    };
    assert_eq!(layer("BEL", "LBY").as_deref(), Some("legal"));
    assert_eq!(layer("RUS", "LBY").as_deref(), Some("legal"));
    assert_eq!(layer("LBY", "NER").as_deref(), Some("illicit"));
    assert_eq!(layer("LBY", "YEM").as_deref(), Some("illicit"));
    assert_eq!(layer("MLI", "NER"), None, "an organisation has no leg");
    // s1 came from Belgium, legally imported into Libya, diverted there.
    let paths = crate::common::joined_paths(&out);
    let p1 = paths.iter().find(|p| p["case"] == "s1#1").unwrap();
    // The first leg legal, the second illicit.
    assert_eq!((p1["nodes"].as_str(), p1["legal_legs"].as_str()), ("BEL;LBY;NER", "1"));
    assert_eq!(p1["diversion_point"], "LBY");
    // s2 starts in Libya: diverted at its origin, no legal leg.
    let p2 = paths.iter().find(|p| p["case"] == "s2#1").unwrap();
    assert_eq!((p2["legal_legs"].as_str(), p2["diversion_point"].as_str()), ("0", "LBY"));
    // s2 and s3 share their pair, Libya -> Niger: its paths are written once.
    let p3 = paths.iter().find(|p| p["case"] == "s3#1").unwrap();
    assert_eq!(p2["pair"], p3["pair"]);
    let pair_paths = table(&out.join("pair_paths.csv"));
    assert_eq!(pair_paths.iter().filter(|r| r["pair"] == p2["pair"]).count(), 1);
    let points = table(&out.join("diversion_points.csv"));
    assert_eq!(points.len(), 1);
    assert_eq!(points[0]["node"], "LBY");
    // 10 + 4 + 6 weapons diverted at Libya; s1 and s3 name it their last legal import.
    assert_eq!(points[0]["expected_items"].parse::<f64>().unwrap(), 20.0);
    assert_eq!(points[0]["after_legal_transfer"].parse::<f64>().unwrap(), 16.0);
    // Recipients: Libya's deliveries per year beside the evidence pointing back to it.
    let rec = table(&out.join("recipients.csv"));
    let year = |y: &str| rec.iter().find(|r| r["recipient"] == "LBY" && r["year"] == y).unwrap();
    // Transfers are valued in TIV and counted in deals (t1 and t2 both began delivering in
    // 2009; t2's 2010 is no new deal); items only within one armament category: 300 (t1) +
    // 300 of t2's 400 small arms in 2009 (its 2010 has its own number, 100).
    assert_eq!(year("2009")["deals"], "2");
    assert_eq!(year("2010")["deals"], "0");
    assert_eq!(year("2009")["tiv_delivered"].parse::<f64>().unwrap(), 9.0);
    assert_eq!(year("2010")["tiv_delivered"].parse::<f64>().unwrap(), 3.0);
    assert!(!rec[0].contains_key("items_delivered"), "items of all categories are not summed");
    let cats = table(&out.join("recipient_categories.csv"));
    let cat = |y: &str| {
        cats.iter()
            .find(|r| r["recipient"] == "LBY" && r["year"] == y)
            .map(|r| (r["armament_category"].clone(), r["items"].clone(), r["deals"].clone()))
    };
    assert_eq!(cat("2009"), Some(("Small arms".into(), "600".into(), "2".into())));
    assert_eq!(cat("2010"), Some(("Small arms".into(), "100".into(), "0".into())));
    assert_eq!(year("2012")["transfers_to_non_state"], "1");
    assert_eq!(year("2015")["seized_last_legal"], "10");
    assert_eq!(year("2016")["seized_last_legal"], "6");
    assert_eq!(year("2016")["diverted_here"].parse::<f64>().unwrap(), 10.0);
    // Mali received from an organisation: a recipient too, with no leg in the network.
    let mali: Vec<_> = rec.iter().filter(|r| r["recipient"] == "MLI").collect();
    assert_eq!(mali.len(), 1);
    assert_eq!((mali[0]["year"].as_str(), mali[0]["deals"].as_str()), ("2014", "1"));
    // Conflict events: their own hotspot layer and their counts per country.
    let cells = table(&out.join("hotspot_cells.csv"));
    let events_layer: Vec<_> = cells.iter().filter(|c| c["layer"] == "events").collect();
    assert!(!events_layer.is_empty());
    let total: f64 = events_layer.iter().map(|c| c["value"].parse::<f64>().unwrap()).sum();
    assert_eq!(total, 3.0);
    let regional = table(&out.join("regional_hotspots.csv"));
    let ner = regional.iter().find(|r| r["level"] == "country" && r["name"] == "NER").unwrap();
    assert_eq!((ner["conflict_events"].as_str(), ner["fatalities"].as_str()), ("3", "4"));
    let events = table(&out.join("events.csv"));
    let precision: Vec<&str> = events.iter().map(|e| e["date_precision"].as_str()).collect();
    assert_eq!(precision, ["day", "week", "month"]);
    assert_eq!(events[2]["date"], "2016-06");
    // The actors table counts transfer parties.
    let actors = table(&out.join("actors.csv"));
    let houthi = actors.iter().find(|a| a["actor"] == "Houthi rebels").unwrap();
    assert_eq!(
        (houthi["kind"].as_str(), houthi["transfers_received"].as_str()),
        ("armed_group", "1")
    );
    // Items are never summed across armament categories here: the measure is SIPRI's TIV.
    assert!(!houthi.contains_key("items_received"));
    let russia = actors.iter().find(|a| a["actor"] == "Russia").unwrap();
    assert_eq!(russia["tiv_supplied"].parse::<f64>().unwrap(), 12.0);
    let nato = actors.iter().find(|a| a["actor"] == "NATO").unwrap();
    assert_eq!((nato["kind"].as_str(), nato["transfers_supplied"].as_str()), ("organisation", "1"));
    // Each input's period (the transfers' from their delivery years), and the run dated by
    // the latest date of any input: s3, July 2016.
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["tables"]["transfers"]["accepted"], 4);
    let input = |t: &str| m["inputs"].as_array().unwrap().iter().find(|f| f["table"] == t).unwrap();
    assert_eq!(input("transfers")["period"], serde_json::json!({"first": "2009", "last": "2014"}));
    assert_eq!(
        input("events")["period"],
        serde_json::json!({"first": "2016-05-02", "last": "2016-06"})
    );
    assert_eq!(m["notes"]["reference_date"], "2016-07-31");
    assert_eq!(m["notes"]["network_edges_by_layer"]["legal"], 2);
}

#[test]
fn three_lines_of_config_read_a_sipri_export_and_ucdp_ged() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("divnet.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[inputs.transfers]]\npath = {:?}\npreset = \"sipri-register\"\n\n\
             [[inputs.events]]\npath = {:?}\npreset = \"ucdp-ged\"\n",
            data("sources/sipri_trade_register_sample.csv").display().to_string(),
            data("sources/ucdp_ged_sample.geojson").display().to_string(),
        ),
    )
    .unwrap();
    let c = Config::from_file(&cfg).unwrap();
    let ing = divnet::pipeline::validate(&c, gaz()).unwrap();
    assert_eq!((ing.transfers.len(), ing.events.len(), ing.rejected_rows()), (60, 72, 0));
    assert_eq!(c.citations().len(), 2);
    // UCDP is for events only.
    std::fs::write(&cfg, "[[inputs.looting]]\npath = \"x.geojson\"\npreset = \"ucdp-ged\"\n")
        .unwrap();
    let e = Config::from_file(&cfg).unwrap_err().to_string();
    assert!(e.contains("inputs.looting.preset") && e.contains("events"), "{e}");
}
