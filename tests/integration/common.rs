//! Helpers shared by the integration tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use divnet::clock::Dated;
use divnet::config::Config;
use divnet::geo::Gazetteer;
use divnet::ingest::{IngestError, IngestOptions, Ingested, InputSet, ingest};
use divnet::inputs::InputSpec;
use divnet::stages::figures::{FigureContext, Results, run_caption};
use divnet::stages::hotspots::HotspotsResult;
use divnet::stages::hubs::HubsResult;
use divnet::stages::paths::PathsResult;

/// Path of a test data file.
pub fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(rel)
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of the demo dataset in `<dir>/data` (its five inputs and the malformed seizures
/// file) whose config is the demo's followed by `tail`; returns the config's path.
pub fn demo_copy_with(dir: &Path, tail: &str) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(data.join("malformed")).unwrap();
    for f in [
        "seizures.csv",
        "looting.csv",
        "routes.csv",
        "transfers.csv",
        "events.csv",
        "malformed/seizures_bad_rows.csv",
    ] {
        std::fs::copy(root().join("datasets/demo").join(f), data.join(f)).unwrap();
    }
    let demo = std::fs::read_to_string(root().join("datasets/demo/divnet.toml")).unwrap();
    std::fs::write(data.join("divnet.toml"), format!("{demo}\n{tail}")).unwrap();
    data.join("divnet.toml")
}

/// The embedded gazetteer.
pub fn gaz() -> &'static Gazetteer {
    Gazetteer::embedded().expect("embedded gazetteer loads")
}

/// Ingests the given specs per table kind.
pub fn ingest_specs(
    seizures: Vec<InputSpec>,
    looting: Vec<InputSpec>,
    routes: Vec<InputSpec>,
) -> Result<Ingested, IngestError> {
    let inputs = InputSet { seizures, looting, routes, ..InputSet::default() };
    let opts = IngestOptions {
        csv_piece_bytes: 4,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ..IngestOptions::default()
    };
    ingest(&inputs, Path::new("/"), gaz(), opts)
}

/// A spec for one test data file.
pub fn spec(rel: &str) -> InputSpec {
    InputSpec::for_path(data(rel).display().to_string())
}

/// The rows of a CSV file as column -> value maps.
pub fn csv_rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    rdr.records()
        .map(|r| header.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

/// A config's records and the results of every analysis stage on them, computed in process.
pub struct StageResults {
    /// The config.
    pub config: Config,
    /// Its ingested records.
    pub ing: Ingested,
    /// The paths stage.
    pub paths: PathsResult,
    /// The hubs stage.
    pub hubs: HubsResult,
    /// The hotspots stage.
    pub hotspots: HotspotsResult,
    /// The recipients stage.
    pub recipients: divnet::stages::recipients::Recipients,
    /// The risk stage.
    pub risk: divnet::risk::RiskResult,
    /// The dyads stage.
    pub dyads: divnet::stages::dyads::Dyads,
    /// The re-transfer chains.
    pub retransfers: divnet::retransfers::Retransfers,
}

impl StageResults {
    /// Runs ingestion and the paths, hubs and hotspots stages for `config`.
    pub fn compute(config: Config) -> StageResults {
        let ing = divnet::pipeline::validate(&config, gaz()).expect("inputs ingest");
        let a = divnet::stages::analyse(&config, gaz(), &ing).expect("analysis");
        StageResults {
            config,
            ing,
            paths: a.paths,
            hubs: a.hubs,
            hotspots: a.hotspots,
            recipients: a.recipients,
            risk: a.risk,
            dyads: a.dyads,
            retransfers: a.retransfers,
        }
    }

    /// The results as the figures stage sees them.
    pub fn results(&self) -> Results<'_> {
        Results::all(&self.paths, &self.hubs, &self.hotspots, &self.recipients)
            .with_transfers(&self.dyads, &self.retransfers)
            .with_risk(&self.risk)
    }

    /// The context of the registered figures, dated by the reference date (each figure adds
    /// the period of its data, `render_figures`).
    pub fn context(&self) -> FigureContext<'_> {
        let caption = run_caption(
            &self.config.run.title,
            self.ing.files.len(),
            &Dated::new(self.paths.reference_date, None),
        );
        FigureContext::new(&self.config.figures, gaz(), self.results(), caption)
    }
}

/// The spec of `rel` (under tests/data) read as `kind` with `preset`.
pub fn preset_spec(
    rel: &str,
    kind: divnet::schema::TableKind,
    preset: divnet::inputs::presets::Preset,
) -> InputSpec {
    let mut spec = InputSpec::for_path(data(rel).display().to_string());
    spec.preset = Some(preset);
    spec.apply_preset(preset, kind);
    spec
}

/// Ingests `inputs` in 64-byte CSV pieces (so that rows are split across many of them), as
/// on 2026-06-01.
pub fn ingest_in_small_pieces(inputs: &InputSet) -> Ingested {
    let opts = IngestOptions {
        csv_piece_bytes: 64,
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..IngestOptions::default()
    };
    ingest(inputs, Path::new("/"), gaz(), opts).unwrap()
}

/// The stage results of the shipped demo dataset (computed once per test binary).
pub fn demo_results() -> &'static StageResults {
    static DEMO: OnceLock<StageResults> = OnceLock::new();
    DEMO.get_or_init(|| {
        let config = Config::from_file(&root().join("datasets/demo/divnet.toml"))
            .expect("demo config parses");
        StageResults::compute(config)
    })
}

/// The registered figures the demo leaves out for want of data: its conflict events form no
/// emerging pattern (every cell of their space-time cube is "No Pattern Detected"), so the
/// two emerging conflict-event figures have nothing to show. `demo_figures_left_out`
/// checks this list against the figures themselves.
pub const DEMO_ABSENT_FIGURES: [&str; 2] = ["event_emerging_map", "event_emerging_closeups"];

/// The registered figures the demo draws, in registry order.
pub fn demo_figure_names() -> Vec<&'static str> {
    divnet::stages::figures::FIGURES
        .iter()
        .map(|f| f.name)
        .filter(|n| !DEMO_ABSENT_FIGURES.contains(n))
        .collect()
}

/// The stage results of a config without inputs.
pub fn empty_results() -> StageResults {
    StageResults::compute(Config::empty(&root()))
}

/// Every file under `dir`, by path relative to it (`/`-separated).
pub fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Runs `config` into `out` without the cache, on a fixed clock (`DIVNET_NOW`) and without
/// `SOURCE_DATE_EPOCH`, and asserts it succeeds.
pub fn run_fixed_clock(config: &Path, out: &Path) {
    assert_cmd::Command::cargo_bin("divnet")
        .unwrap()
        .env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["run", "--no-cache", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// Runs `divnet run --no-cache` on a config (at a fixed clock) and asserts that it succeeds.
pub fn run_config(config: &Path) {
    assert_cmd::Command::cargo_bin("divnet")
        .unwrap()
        .env("DIVNET_NOW", "2026-06-01T12:00:00Z")
        .args(["run", "--no-cache", "--config"])
        .arg(config)
        .assert()
        .success();
}

/// The case paths of the `paths` table of a run directory (re-transfer chains left out)
/// with the columns of its pair's path (`nodes`,
/// `hops`, `cost`, `probability`) joined from `pair_paths` on (`pair`, `rank`).
pub fn joined_paths(out: &Path) -> Vec<BTreeMap<String, String>> {
    let pairs: BTreeMap<(String, String), BTreeMap<String, String>> =
        csv_rows(&out.join("pair_paths.csv"))
            .into_iter()
            .map(|r| ((r["pair"].clone(), r["rank"].clone()), r))
            .collect();
    csv_rows(&out.join("paths.csv"))
        .into_iter()
        .filter(|r| r["kind"] == "case")
        .map(|mut r| {
            let p = &pairs[&(r["pair"].clone(), r["rank"].clone())];
            for c in ["nodes", "hops", "cost", "probability"] {
                r.insert(c.to_string(), p[c].clone());
            }
            r
        })
        .collect()
}
