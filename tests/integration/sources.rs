//! The field's public exports, read as published: SIPRI's trade register (a preamble,
//! Windows-1252, no ids) and transfers export (a preamble, a stray `;` ending every line),
//! with exact line numbers; row filters on any input.

use std::collections::BTreeMap;

use divnet::ingest::Ingested;
use divnet::inputs::InputSpec;
use divnet::inputs::rules::{
    FilterRange, FilterValue, HeaderRow, RowFilter, TextEncoding, Trailing,
};
use divnet::schema::TableKind;

use crate::common::{data, ingest_specs};

fn spec(rel: &str, columns: &[(&str, &str)]) -> InputSpec {
    let mut s = InputSpec::for_path(data(rel).display().to_string());
    s.columns = columns.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    s
}

fn reasons(ing: &Ingested) -> BTreeMap<&'static str, usize> {
    ing.rejections_by_reason().into_iter().map(|(r, n)| (r.as_str(), n)).collect()
}

/// The lines of a file (1-based) that hold data rows: after the header, not blank.
fn data_lines(rel: &str, header: usize) -> Vec<u64> {
    let bytes = std::fs::read(data(rel)).unwrap();
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .skip(header)
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

#[test]
fn the_sipri_trade_register_reads_below_its_preamble_in_windows_1252() {
    let rel = "sources/sipri_trade_register_sample.csv";
    let mut s = spec(
        rel,
        &[
            ("id", "@line"),
            ("from", "Supplier"),
            ("to", "Recipient"),
            ("first_reported", "Year of order"),
        ],
    );
    s.encoding = Some(TextEncoding::Auto);
    let ing = ingest_specs(vec![], vec![], vec![s.clone()]).unwrap();
    let f = &ing.files[0];
    // The header is found on line 12 from the mapped names; 11 preamble lines skipped.
    assert_eq!(f.header_line, 12);
    assert_eq!(f.encoding, "windows-1252 (auto)");
    assert_eq!(f.rows_read, 60);
    assert_eq!(f.accepted + f.rejected, 60);
    // Every row has its own line, as in the file.
    let mut lines: Vec<u64> = ing.routes.iter().map(|r| r.row.line).collect();
    lines.extend(ing.rejections.iter().map(|r| r.row.line));
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines, data_lines(rel, 12));
    // Ids come from the line numbers.
    let first = ing.routes.iter().find(|r| r.row.line == 15).expect("line 15, Belarus to Angola");
    assert_eq!(first.id.as_str(), "sipri_trade_register_sample.csv:15");
    let unknown = ing.rejections.iter().find(|r| r.row.line == 14).expect("line 14");
    assert_eq!(unknown.problem.value, "unknown supplier(s)");
    assert_eq!(unknown.problem.reason.as_str(), "no_location");
    // Armed groups and historical states resolve to their country, the party kept; only
    // parties without a country (organisations, unknown parties) cannot end a route leg
    // and are rejected, one by one, saying so.
    let by = reasons(&ing);
    assert_eq!(by, BTreeMap::from([("no_location", 11)]), "{by:?}");
    let g = crate::common::gaz();
    let party = |line: u64| {
        let r = ing.routes.iter().find(|r| r.row.line == line).expect("accepted");
        let a = r.to_actor.as_ref().or(r.from_actor.as_ref()).expect("a party");
        let iso = |x| g.country(g.country_of(x)).iso3.clone();
        (a.name.to_string(), a.kind.as_str(), iso(r.from), iso(r.to))
    };
    assert_eq!(party(13), ("Amal".into(), "armed_group", "SYR".into(), "LBN".into()));
    let rejected_values: std::collections::BTreeSet<&str> =
        ing.rejections.iter().map(|r| r.problem.value.as_str()).collect();
    assert_eq!(
        rejected_values.into_iter().collect::<Vec<_>>(),
        ["NATO**", "United Nations**", "unknown recipient(s)", "unknown supplier(s)"]
    );
    let gdr = ing.routes.iter().find(|r| {
        r.to_actor
            .as_ref()
            .or(r.from_actor.as_ref())
            .is_some_and(|a| a.name == "East Germany (GDR)")
    });
    let gdr = gdr.expect("the GDR is a historical state");
    assert_eq!(
        gdr.to_actor.as_ref().or(gdr.from_actor.as_ref()).unwrap().kind.as_str(),
        "historical_state"
    );
    // The accented designations decode (the Chile row of line 21 is accepted).
    assert!(ing.routes.iter().any(|r| r.row.line == 21));

    // Read as UTF-8 (the default), the lines with Windows-1252 bytes are rejected as such,
    // and the same header is found.
    s.encoding = None;
    let utf8 = ingest_specs(vec![], vec![], vec![s.clone()]).unwrap();
    assert_eq!(utf8.files[0].header_line, 12);
    let bad: Vec<u64> = utf8
        .rejections
        .iter()
        .filter(|r| r.problem.reason.as_str() == "invalid_utf8")
        .map(|r| r.row.line)
        .collect();
    assert_eq!(bad, [16, 21, 29, 60]);
    // An explicit header line gives the same result as the detected one.
    s.encoding = Some(TextEncoding::Named(encoding_rs::WINDOWS_1252));
    s.header_row = Some(HeaderRow::Line(12));
    let explicit = ingest_specs(vec![], vec![], vec![s]).unwrap();
    assert_eq!(explicit.files[0].encoding, "windows-1252");
    assert_eq!(explicit.routes.len(), ing.routes.len());
    assert_eq!(explicit.rejections, ing.rejections);
}

#[test]
fn the_sipri_transfers_export_loses_its_stray_semicolons() {
    let rel = "sources/sipri_transfers_sample.csv";
    let cols = [
        ("id", "SIPRI AT Database ID"),
        ("from", "Supplier"),
        ("to", "Recipient"),
        ("first_reported", "Order date"),
        ("last_reported", "Delivery year"),
    ];
    let mut s = spec(rel, &cols);
    s.trailing = Some(Trailing::new(";").unwrap());
    let ing = ingest_specs(vec![], vec![], vec![s.clone()]).unwrap();
    let f = &ing.files[0];
    assert_eq!(f.header_line, 12);
    assert_eq!(f.rows_read, 49);
    // "Local production;" is read as "Local production": the last column is a column.
    assert!(f.ignored_columns.iter().any(|c| c == "Local production"), "{:?}", f.ignored_columns);
    assert!(!f.ignored_columns.iter().any(|c| c.ends_with(';')));
    let first = ing.routes.iter().find(|r| r.id.as_str() == "31208").expect("deal 31208");
    assert_eq!(first.row.line, 13);
    assert_eq!(first.first_reported.map(|d| d.to_string()).as_deref(), Some("2000"));
    assert_eq!(first.last_reported.map(|d| d.to_string()).as_deref(), Some("2001"));
    // Without `trailing`, the last column keeps its ';' and the header is still found.
    s.trailing = None;
    let raw = ingest_specs(vec![], vec![], vec![s]).unwrap();
    assert!(raw.files[0].ignored_columns.iter().any(|c| c == "Local production;"));
}

#[test]
fn row_filters_keep_matching_rows_and_count_the_rest() {
    let rel = "sources/sipri_transfers_sample.csv";
    let cols = [("id", "SIPRI AT Database ID"), ("from", "Supplier"), ("to", "Recipient")];
    let mut s = spec(rel, &cols);
    s.trailing = Some(Trailing::new(";").unwrap());
    let all = ingest_specs(vec![], vec![], vec![s.clone()]).unwrap();
    s.filters.insert(
        "Armament category".into(),
        RowFilter::Values(vec![FilterValue::Text("Aircraft".into())]),
    );
    s.filters.insert(
        "Order date".into(),
        RowFilter::Range(FilterRange { min: Some(2000.0), max: None }),
    );
    let some = ingest_specs(vec![], vec![], vec![s.clone()]).unwrap();
    let f = &some.files[0];
    // The expected count, from the file itself.
    let text = std::fs::read_to_string(data(rel)).unwrap();
    let mut rdr = csv::ReaderBuilder::new().from_reader(
        text.split_once("Data generated").unwrap().1.split_once('\n').unwrap().1.as_bytes(),
    );
    let header = rdr.headers().unwrap().clone();
    let (cat, year) = (
        header.iter().position(|h| h == "Armament category").unwrap(),
        header.iter().position(|h| h == "Order date").unwrap(),
    );
    let want = rdr
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[cat] == "Aircraft" && r[year].parse::<f64>().is_ok_and(|y| y >= 2000.0))
        .count() as u64;
    assert!(want > 0 && want < 49, "{want}");
    assert_eq!(f.rows_read, 49);
    assert_eq!(f.filtered, 49 - want);
    assert_eq!(f.accepted + f.rejected, want);
    // Kept rows are the same records as without the filter.
    for r in &some.routes {
        assert!(all.routes.iter().any(|a| a == r));
    }
    // A filter on a column the file lacks stops the run naming it.
    s.filters.insert("no such column".into(), RowFilter::Values(vec![]));
    let e = ingest_specs(vec![], vec![], vec![s]).unwrap_err().to_string();
    assert!(e.contains("no such column") && e.contains("where"), "{e}");
}

#[test]
fn presets_read_the_sources_as_published() {
    use divnet::inputs::presets::Preset;
    // SIPRI: the preset alone reads both exports as the hand-written specs above do.
    let mut reg =
        InputSpec::for_path(data("sources/sipri_trade_register_sample.csv").display().to_string());
    reg.preset = Some(Preset::SipriRegister);
    reg.apply_preset(Preset::SipriRegister, TableKind::Routes);
    let ing = ingest_specs(vec![], vec![], vec![reg]).unwrap();
    assert_eq!(
        (ing.files[0].header_line, ing.files[0].encoding.as_str()),
        (12, "windows-1252 (auto)")
    );
    assert_eq!((ing.routes.len(), ing.rejected_rows()), (49, 11));
    let mut tr =
        InputSpec::for_path(data("sources/sipri_transfers_sample.csv").display().to_string());
    tr.apply_preset(Preset::SipriTransfers, TableKind::Routes);
    let ing = ingest_specs(vec![], vec![], vec![tr]).unwrap();
    assert_eq!(ing.files[0].rows_read, 49);
    assert_eq!(ing.routes.len() + ing.rejected_rows(), 49);
    let deal = ing.routes.iter().find(|r| r.source.as_deref() == Some("31208")).unwrap();
    assert_eq!(deal.id.as_str(), "sipri_transfers_sample.csv:13");

    // ACLED: only the looting events are read; the one placed nowhere is rejected.
    let mut acled = InputSpec::for_path(data("sources/acled_fixture.csv").display().to_string());
    acled.apply_preset(Preset::Acled, TableKind::Looting);
    let ing = ingest_specs(vec![], vec![acled], vec![]).unwrap();
    let f = &ing.files[0];
    assert_eq!((f.rows_read, f.filtered, f.accepted, f.rejected), (6, 2, 3, 1));
    let ids: Vec<&str> = ing.looting.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["NGA0002", "MLI0003", "SDN0005"]);
    let rsf = &ing.looting[2];
    assert_eq!(rsf.perpetrator.as_deref(), Some("RSF: Rapid Support Forces"));
    // geo_precision 1 is a town's coordinates, 3 a provincial capital's.
    let precision: Vec<&str> = ing.looting.iter().map(|l| l.location.precision.as_str()).collect();
    assert_eq!(precision, ["place", "place", "admin1"]);
    assert_eq!(rsf.date.to_string(), "2024-01-09");
    assert_eq!(ing.rejections[0].row.line, 7);

    // A preset on the wrong kind of input is refused, naming it.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("divnet.toml");
    std::fs::write(&cfg, "[[inputs.seizures]]\npath = \"x.csv\"\npreset = \"acled\"\n").unwrap();
    let e = divnet::config::Config::from_file(&cfg).unwrap_err().to_string();
    assert!(e.contains("inputs.seizures.preset") && e.contains("looting"), "{e}");
    // And its citation reaches the captions of a run that uses it.
    std::fs::write(
        &cfg,
        format!(
            "[[inputs.routes]]\npath = {:?}\npreset = \"sipri-transfers\"\n",
            data("sources/sipri_transfers_sample.csv").display().to_string()
        ),
    )
    .unwrap();
    let c = divnet::config::Config::from_file(&cfg).unwrap();
    assert_eq!(c.citations(), [Preset::SipriTransfers.citation()]);
    assert_eq!(c.inputs.routes[0].columns["from"], "Supplier");
}

#[test]
fn the_unodc_iafq_workbook_counts_each_country_year_total_once() {
    use divnet::inputs::presets::Preset;
    let rel = "sources/unodc_iafq_sample.xlsx";
    let mut spec = InputSpec::for_path(data(rel).display().to_string());
    spec.apply_preset(Preset::UnodcIafq, TableKind::Seizures);
    let ing = ingest_specs(vec![spec], vec![], vec![]).unwrap();
    let f = &ing.files[0];
    assert_eq!(f.header_line, 3, "two rows above the header");
    assert_eq!(f.rows_read, 264);
    assert_eq!(f.rejected, 0, "{:?}", ing.rejections);
    assert_eq!(f.accepted + f.filtered + f.superseded, 264);
    // Every record is a country-level national aggregate of one year: a weapon type, or a
    // total (`unspecified`).
    for s in &ing.seizures {
        assert_eq!(s.location.precision.as_str(), "country");
        assert!(s.category.is_some() && s.quantity.unwrap_or(0) >= 1, "{s:?}");
        assert_eq!(s.date.precision().as_str(), "year");
    }
    // The workbook itself, read raw: by-type and Total rows of "Arms seized".
    let bytes = std::fs::read(data(rel)).unwrap();
    let sheet = divnet::ingest::sheet::open_sheet(&data(rel), &bytes, None, Some(3), &[]).unwrap();
    let col = |n: &str| sheet.header.iter().position(|h| h == n).unwrap();
    let (iso, year, ind, dim, cat, val) = (
        col("Iso3_code"),
        col("Year"),
        col("Indicator"),
        col("Dimension"),
        col("Category"),
        col("VALUE"),
    );
    let mut by_type: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut totals: BTreeMap<(String, String), f64> = BTreeMap::new();
    let divnet::ingest::rows::RowSource::Ready(rows) = &sheet.rows else { panic!() };
    for r in rows {
        let divnet::ingest::rows::RawRow::Record { record, .. } = r else { continue };
        if &record[ind] != "Arms seized" {
            continue;
        }
        let k = (record[iso].to_string(), record[year].to_string());
        let v: f64 = record[val].parse().unwrap();
        match (&record[dim], &record[cat]) {
            ("by type", _) => *by_type.entry(k).or_default() += v,
            ("Total", "Total") => {
                totals.insert(k, v);
            }
            _ => {}
        }
    }
    // divnet's records add up to the workbook's Total rows, country-year by country-year,
    // never to a Total and its breakdown both.
    let g = crate::common::gaz();
    let mut got: BTreeMap<(String, String), f64> = BTreeMap::new();
    for s in &ing.seizures {
        assert!(s.is_aggregate(), "{s:?}");
        let k = (g.country(s.location.country).iso3.clone(), s.date.to_string());
        *got.entry(k).or_default() += s.quantity.unwrap() as f64;
    }
    assert_eq!(got, totals);
    // The by-type rows equal the Total rows but for Colombia 2018, where the publisher's
    // own breakdown (22,717) exceeds its total (22,314): divnet counts the total there and
    // says so (aggregate_checks).
    let differ: Vec<_> = totals.iter().filter(|(k, v)| by_type.get(*k) != Some(*v)).collect();
    assert_eq!(differ, [(&("COL".to_string(), "2018".to_string()), &22314.0)]);
    assert_eq!(by_type[&("COL".to_string(), "2018".to_string())], 22717.0);
    let disagree: Vec<_> =
        ing.aggregate_checks.iter().filter(|c| c.outcome.disagrees()).map(|c| c.line).collect();
    assert_eq!(disagree, [Some(16)]);
}

#[test]
fn the_actors_table_sums_up_every_named_party() {
    use divnet::inputs::presets::Preset;
    let mut reg =
        InputSpec::for_path(data("sources/sipri_trade_register_sample.csv").display().to_string());
    reg.apply_preset(Preset::SipriRegister, TableKind::Routes);
    let routes = ingest_specs(vec![], vec![], vec![reg]).unwrap();
    let mut acled = InputSpec::for_path(data("sources/acled_fixture.csv").display().to_string());
    acled.apply_preset(Preset::Acled, TableKind::Looting);
    let looting = ingest_specs(vec![], vec![acled], vec![]).unwrap();
    // Seizures naming who held the weapons.
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held.csv");
    std::fs::write(
        &held,
        "id,date,country,quantity,possessor\n\
         s1,2023-04,MEX,12,Los Zetas\n\
         s2,2023-06,MEX,3,Los Zetas\n\
         s3,2024-01,LBN,40,Hezbollah (Lebanon)*\n\
         s4,2024-02,USA,1,\n",
    )
    .unwrap();
    let seizures =
        ingest_specs(vec![InputSpec::for_path(held.display().to_string())], vec![], vec![])
            .unwrap();
    assert_eq!(seizures.seizures.len(), 4, "{:?}", seizures.rejections);
    let t = divnet::tables::actors(crate::common::gaz(), &[&seizures, &looting, &routes]).unwrap();
    let csv = String::from_utf8(t.csv_bytes().unwrap()).unwrap();
    let rows: Vec<BTreeMap<String, String>> =
        csv::Reader::from_reader(csv.as_bytes()).deserialize().map(|r| r.unwrap()).collect();
    let find = |name: &str| {
        rows.iter().find(|r| r["actor"] == name).unwrap_or_else(|| panic!("{name}: {rows:?}"))
    };
    // Parties of the routes, with their kind and country, counted per direction.
    let amal = find("Amal");
    assert_eq!((amal["kind"].as_str(), amal["country"].as_str()), ("armed_group", "LBN"));
    let amal_routes = routes
        .routes
        .iter()
        .filter(|r| r.to_actor.as_ref().is_some_and(|a| a.name == "Amal"))
        .count();
    assert_eq!(amal["routes_to"], amal_routes.to_string());
    assert_eq!(find("East Germany (GDR)")["kind"], "historical_state");
    // Looting perpetrators: outside SIPRI's conventions they are unclassified, in the
    // country of their incidents.
    let rsf = find("RSF: Rapid Support Forces");
    assert_eq!((rsf["kind"].as_str(), rsf["country"].as_str()), ("unclassified", "SDN"));
    assert_eq!(rsf["looting_incidents"], "1");
    assert_eq!(rsf["first_seen"], "2024-01-09");
    // Seizure possessors: counted with their items, dated by their seizures; Hezbollah
    // also receives routes, so its row sums both.
    let zetas = find("Los Zetas");
    assert_eq!(
        (zetas["kind"].as_str(), zetas["country"].as_str(), zetas["seizures"].as_str()),
        ("unclassified", "MEX", "2")
    );
    // Dates are dates: a month-precise first record starts on its first day, the
    // precision beside it.
    assert_eq!(
        (zetas["items_seized"].as_str(), zetas["first_seen"].as_str()),
        ("15", "2023-04-01")
    );
    assert_eq!(
        (zetas["first_seen_precision"].as_str(), zetas["last_seen"].as_str()),
        ("month", "2023-06-30")
    );
    let hez = find("Hezbollah");
    assert_eq!((hez["kind"].as_str(), hez["seizures"].as_str()), ("armed_group", "1"));
    assert!(hez["routes_to"].parse::<u64>().unwrap() >= 1);
    // Every party of an accepted route is in the table once.
    let mut names: Vec<&str> = routes
        .routes
        .iter()
        .flat_map(|r| [&r.from_actor, &r.to_actor])
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        assert_eq!(rows.iter().filter(|r| r["actor"] == n).count(), 1, "{n}");
    }
}

#[test]
fn flows_reaching_each_receiving_actor_are_summed_by_path() {
    let config =
        divnet::config::Config::from_file(&crate::common::root().join("datasets/demo/divnet.toml"))
            .unwrap();
    let mut ing = divnet::pipeline::validate(&config, crate::common::gaz()).unwrap();
    // Name a possessor on every third seizure: two parties, one in SIPRI's conventions.
    for (i, s) in ing.seizures.iter_mut().enumerate() {
        s.possessor = match i % 3 {
            0 => Some("Hezbollah (Lebanon)*".into()),
            1 => Some("Los Zetas".into()),
            _ => None,
        };
    }
    let g = crate::common::gaz();
    let p = divnet::stages::paths::paths(
        &config,
        g,
        None,
        &ing.seizures,
        &ing.looting,
        &ing.routes,
        &ing.transfers,
    )
    .unwrap();
    let t = divnet::stages::paths::actor_flows_table(&p, g, &ing.seizures).unwrap();
    let csv = String::from_utf8(t.csv_bytes().unwrap()).unwrap();
    let rows: Vec<BTreeMap<String, String>> =
        csv::Reader::from_reader(csv.as_bytes()).deserialize().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    // Per actor, the expected quantities add up to the quantity of its reachable cases
    // (each case's paths share 1 between them).
    for (actor, kind) in [("Hezbollah (Lebanon)*", "armed_group"), ("Los Zetas", "unclassified")] {
        let got: f64 = rows
            .iter()
            .filter(|r| r["actor"] == actor)
            .inspect(|r| assert_eq!(r["actor_kind"], kind))
            .map(|r| r["expected_quantity"].parse::<f64>().unwrap())
            .sum();
        let want: f64 = p
            .case_paths()
            .filter(|(c, ps)| {
                !ps.is_empty() && ing.seizures[c.seizure].possessor.as_deref() == Some(actor)
            })
            .map(|(c, _)| c.quantity)
            .sum();
        assert!(want > 0.0, "{actor} has flows");
        assert!((got - want).abs() <= 1e-6 * want, "{actor}: {got} vs {want}");
    }
    // Rows are one per actor and path, largest first within an actor.
    let mut seen = std::collections::BTreeSet::new();
    for w in rows.windows(2) {
        if w[0]["actor"] == w[1]["actor"] {
            let (a, b): (f64, f64) = (
                w[0]["expected_quantity"].parse().unwrap(),
                w[1]["expected_quantity"].parse().unwrap(),
            );
            assert!(a >= b);
        }
    }
    for r in &rows {
        assert!(
            seen.insert((r["actor"].clone(), r["nodes"].clone())),
            "one row per actor and path"
        );
    }
}
