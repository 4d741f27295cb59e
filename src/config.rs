//! The run configuration (`divnet.toml`), parsed and validated once into typed values.
//!
//! Relative paths in a config file resolve against the directory of that file. The
//! built-in default is `datasets/demo/divnet.toml`, read as if it sat in
//! `./datasets/demo/` of the working directory. docs/config.md documents every key.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::actors::{ActorAliases, Actors, ActorsConfig};
use crate::date::TimeStep;
use crate::inputs::rules::{DuplicatePolicy, LINE_ID, NOT_ONE_CHARACTER};
use crate::inputs::{Inputs, clean_path};
use crate::network::{NetworkConfig, PathModel};
pub use crate::records::ConflictWeight;
use crate::schema::TableKind;

/// The built-in default configuration text (the demo run).
pub const DEFAULT_CONFIG: &str = include_str!("../datasets/demo/divnet.toml");

/// Where the built-in default configuration is taken to live.
pub const DEFAULT_CONFIG_DIR: &str = "datasets/demo";

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read (missing, not a regular file, not readable, or an error of
    /// the operating system: the source says which, once).
    #[error("cannot read config {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: crate::inputs::file::FileError,
    },
    /// The TOML is malformed or has unknown keys or wrong types.
    #[error("config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (it names the line and the key).
        message: String,
    },
    /// A value is out of its allowed range.
    #[error("config {path}: {key} = {value}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The dotted key.
        key: String,
        /// The value as given.
        value: String,
        /// What is allowed.
        reason: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Run-wide settings.
    #[serde(default)]
    pub run: RunConfig,
    /// Input files per table kind.
    #[serde(default)]
    pub inputs: Inputs,
    /// The diversion network.
    #[serde(default)]
    pub network: NetworkConfig,
    /// How parties are read: the user's alias file.
    #[serde(default)]
    pub actors: ActorsConfig,
    /// Record linkage of seizures to looting incidents.
    #[serde(default)]
    pub linkage: LinkageConfig,
    /// Diversion paths.
    #[serde(default)]
    pub paths: PathsConfig,
    /// Transit hubs.
    #[serde(default)]
    pub hubs: HubsConfig,
    /// Re-transfer chains: which earlier imports are the same weapon, which onward
    /// deliveries are looked at.
    #[serde(default)]
    pub retransfers: crate::retransfers::RetransferOptions,
    /// Hotspots.
    #[serde(default)]
    pub hotspots: HotspotsConfig,
    /// Figures and the report.
    #[serde(default)]
    pub figures: FiguresConfig,
    /// What the tables are written as.
    #[serde(default)]
    pub output: OutputConfig,
    /// `[risk]`: the diversion-risk screen.
    #[serde(default)]
    pub risk: crate::risk::RiskConfig,
    /// The artifact cache. It decides where results are kept between runs, never what
    /// they are, so it is left out of the applied config in the manifest.
    #[serde(default, skip_serializing)]
    pub cache: CacheConfig,
    /// Directory the relative paths resolve against (not a key of the file).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file this came from, for messages (not a key of the file).
    #[serde(skip)]
    pub source: PathBuf,
}

/// `[run]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RunConfig {
    /// Output directory.
    pub out: PathBuf,
    /// Fail the run on any rejected row.
    pub strict: bool,
    /// Title used in figure captions and the report.
    pub title: String,
    /// Keep the last `keep` runs as `<out>/runs/<started>-<inputs hash>/`, with
    /// `<out>/latest` pointing at the newest; unset: `<out>` holds the one latest run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keep: Option<u32>,
    /// Records that describe the same thing in two inputs of a kind: `drop` (counted
    /// once) or `keep` (both counted); listed in the `duplicates` table either way.
    pub duplicates: DuplicatePolicy,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            out: PathBuf::from("notebooks-output/default"),
            strict: false,
            title: "divnet run".into(),
            keep: None,
            duplicates: DuplicatePolicy::Drop,
        }
    }
}

/// `[cache]`: where step artifacts are kept between runs (see `docs/cache.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Use the cache (`--no-cache` turns it off for one run).
    pub enabled: bool,
    /// Its directory (relative to the config file); unset: `$DIVNET_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/divnet/artifacts`, else `~/.cache/divnet/artifacts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    /// Size bound in MiB: after a run, the least recently used entries beyond it are
    /// removed.
    pub max_size_mb: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { enabled: true, dir: None, max_size_mb: 4096 }
    }
}

impl CacheConfig {
    /// The cache directory: `dir` (resolved against `base`), `$DIVNET_CACHE_DIR`,
    /// `$XDG_CACHE_HOME/divnet/artifacts` (an absolute one only, as the XDG base directory
    /// spec says), `$HOME/.cache/divnet/artifacts`; `None` when none of them is set.
    pub fn resolve_dir(&self, base: &Path) -> Option<PathBuf> {
        self.resolve_dir_in(base, |k| std::env::var_os(k))
    }

    /// [`CacheConfig::resolve_dir`] with the environment read through `env`.
    ///
    /// ```
    /// use std::path::Path;
    /// let c = divnet::config::CacheConfig::default();
    /// let env = |k: &str| match k {
    ///     "XDG_CACHE_HOME" => Some("relative/cache".into()),
    ///     "HOME" => Some("/home/u".into()),
    ///     _ => None,
    /// };
    /// let dir = c.resolve_dir_in(Path::new("/data"), env);
    /// assert_eq!(dir.as_deref(), Some(Path::new("/home/u/.cache/divnet/artifacts")));
    /// ```
    pub fn resolve_dir_in(
        &self,
        base: &Path,
        env: impl Fn(&str) -> Option<std::ffi::OsString>,
    ) -> Option<PathBuf> {
        let env = |k: &str| env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        if let Some(d) = &self.dir {
            return Some(clean_path(&base.join(d)));
        }
        env("DIVNET_CACHE_DIR")
            .or_else(|| {
                env("XDG_CACHE_HOME")
                    .filter(|x| x.is_absolute())
                    .map(|x| x.join("divnet/artifacts"))
            })
            .or_else(|| env("HOME").map(|h| h.join(".cache/divnet/artifacts")))
    }
}

/// `[linkage]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LinkageConfig {
    /// Minimum total log2 likelihood ratio for a candidate link to be kept.
    pub threshold: f64,
    /// Largest number of incidents one seizure is shared among.
    pub max_candidates: usize,
}

impl Default for LinkageConfig {
    fn default() -> Self {
        LinkageConfig { threshold: 6.0, max_candidates: 3 }
    }
}

/// `[paths]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PathsConfig {
    /// Paths per case.
    pub k: usize,
    /// How a path's probability is made from its edges (docs/model.md).
    pub model: PathModel,
}

impl Default for PathsConfig {
    fn default() -> Self {
        PathsConfig { k: 5, model: PathModel::Transition }
    }
}

/// `[hubs]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HubsConfig {
    /// Node count above which betweenness is estimated by sampling.
    pub exact_max_nodes: usize,
    /// Sampling error bound.
    pub epsilon: f64,
    /// Sampling failure probability.
    pub delta: f64,
    /// Seed of the sampler.
    pub seed: u64,
    /// Groups for brokerage roles.
    pub brokerage_groups: BrokerageGroups,
}

impl Default for HubsConfig {
    fn default() -> Self {
        HubsConfig {
            exact_max_nodes: 20_000,
            epsilon: 0.01,
            delta: 0.1,
            seed: 42,
            brokerage_groups: BrokerageGroups::Subregion,
        }
    }
}

/// Groups of the Gould-Fernandez brokerage roles (`hubs.brokerage_groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrokerageGroups {
    /// A node's group is its country's region (Africa, Europe...).
    Region,
    /// A node's group is its country's subregion (Western Africa...).
    Subregion,
}

/// Study area of the hotspot statistics (`hotspots.domain`, `divnet hotspots --domain`);
/// docs/hotspots.md describes each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum StudyArea {
    /// The occupied cells and their k-rings.
    Ring,
    /// Every cell in a bounding box (`hotspots.bbox`).
    Bbox,
    /// The occupied cells only.
    Occupied,
}

/// What one hotspot event weighs (`hotspots.weight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventWeight {
    /// Every event weighs 1.
    Count,
    /// Items seized or weapons looted (1 when not reported).
    Quantity,
    /// Rounds of ammunition (0 when not reported).
    Rounds,
}

/// `[hotspots]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HotspotsConfig {
    /// H3 resolution 0..=15.
    pub resolution: u8,
    /// k-ring radius of the neighbourhood.
    pub k: u32,
    /// Study area.
    pub domain: StudyArea,
    /// West, south, east, north for the bbox domain.
    pub bbox: Option<[f64; 4]>,
    /// What a seizure or looting incident weighs.
    pub weight: EventWeight,
    /// What a conflict event weighs (the conflict-event layer).
    pub event_weight: ConflictWeight,
    /// Time step of the space-time cube.
    pub time_step: TimeStep,
    /// Time step of the regional series and their Mann-Kendall trends.
    pub trend_step: TimeStep,
    /// Conditional permutations for pseudo p-values (0 = none).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Temporal neighbourhood (steps) of the emerging-hotspot cube.
    pub time_neighbours: usize,
}

impl Default for HotspotsConfig {
    fn default() -> Self {
        HotspotsConfig {
            resolution: 5,
            k: 1,
            domain: StudyArea::Ring,
            bbox: None,
            weight: EventWeight::Quantity,
            event_weight: ConflictWeight::Count,
            time_step: TimeStep::Year,
            trend_step: TimeStep::Month,
            permutations: 0,
            seed: 7,
            time_neighbours: 0,
        }
    }
}

/// `[output]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// The formats every table is written in (`["parquet", "csv"]` by default; large runs
    /// may keep Parquet only). `divnet diff` reads the Parquet tables.
    pub formats: Vec<TableFormat>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig { formats: vec![TableFormat::Parquet, TableFormat::Csv] }
    }
}

/// A table file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// Apache Parquet (typed columns; what notebooks and `divnet diff` read).
    Parquet,
    /// CSV (formula-safe cells).
    Csv,
}

/// `[figures]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FiguresConfig {
    /// Render figures and the report.
    pub enabled: bool,
    /// Hubs and paths shown.
    pub top_n: usize,
    /// Map extent (west, south, east, north); default: fit the data.
    pub extent: Option<[f64; 4]>,
}

impl Default for FiguresConfig {
    fn default() -> Self {
        FiguresConfig { enabled: true, top_n: 15, extent: None }
    }
}

/// A TOML error as a [`ConfigError`]: a bad value (an unknown choice, a wrong type, a
/// malformed date) names its dotted key, the value as written and the parser's reason (for a
/// choice, the accepted values); anything else (syntax, unknown keys) keeps the parser's
/// message, which quotes the line.
fn parse_error(e: &toml::de::Error, text: &str, source: &Path) -> ConfigError {
    if e.message().trim() == NOT_ONE_CHARACTER
        && let Some((key, value)) = bad_character_setting(text)
    {
        return ConfigError::Invalid {
            path: source.into(),
            key,
            value,
            reason: NOT_ONE_CHARACTER.into(),
        };
    }
    let located = e.span().and_then(|span| Some((key_at(text, span.start)?, text.get(span)?)));
    match located {
        Some((key, value)) => ConfigError::Invalid {
            path: source.into(),
            key,
            value: value.trim().to_string(),
            reason: e.message().trim().to_string(),
        },
        None => {
            ConfigError::Parse { path: source.into(), message: e.to_string().trim().to_string() }
        }
    }
}

/// The first single-character setting of an input (`delimiter`, `list_separator`,
/// `trailing`, by kind in table order) that is not one character
/// ([`crate::inputs::rules::Delimiter`]), as its dotted key (`inputs.seizures.delimiter`)
/// and its value as text, whatever the TOML layout of the inputs.
fn bad_character_setting(text: &str) -> Option<(String, String)> {
    use crate::inputs::rules::Delimiter;
    let doc: toml::Table = toml::from_str(text).ok()?;
    let inputs = doc.get("inputs")?.as_table()?;
    for kind in TableKind::ALL {
        let Some(specs) = inputs.get(kind.as_str()).and_then(toml::Value::as_array) else {
            continue;
        };
        for spec in specs {
            for key in ["delimiter", "list_separator", "trailing"] {
                if let Some(v) = spec.get(key).and_then(toml::Value::as_str)
                    && Delimiter::new(v).is_err()
                {
                    return Some((format!("inputs.{}.{key}", kind.as_str()), v.to_string()));
                }
            }
        }
    }
    None
}

/// The dotted key whose value starts at byte `at` of a TOML text (`hotspots.domain` for
/// `domain = "x"` under `[hotspots]`), or `None` when `at` is not right after `key =`.
/// Only the shapes divnet's config uses are read: `[table]` and `[[array]]` headers and
/// bare `key = value` lines.
fn key_at(text: &str, at: usize) -> Option<String> {
    let before = text.get(..at)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let key = before[line_start..].trim_end().strip_suffix('=')?.trim();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let table = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .and_then(|l| l.trim_start_matches('[').split(']').next())
        .map(str::trim);
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

impl Config {
    /// Reads and validates a config file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let bytes = crate::inputs::file::read_regular_file(path)
            .map_err(|source| ConfigError::Io { path: path.into(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: format!(
                "not UTF-8 text (invalid byte at offset {}): save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        })?;
        // The folder relative paths resolve against, made absolute and canonical, so that a
        // config named `/abs/c.toml` or `c.toml` from its folder gives the same run.
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let base = std::fs::canonicalize(&base).unwrap_or(base);
        Config::from_toml(&text, path, &base)
    }

    /// The built-in demo configuration, relative to `./datasets/demo`.
    pub fn builtin_default() -> Result<Config, ConfigError> {
        Config::from_toml(
            DEFAULT_CONFIG,
            Path::new("<built-in default config>"),
            Path::new(DEFAULT_CONFIG_DIR),
        )
    }

    /// An empty configuration (no inputs) whose relative paths resolve against `base`.
    pub fn empty(base: &Path) -> Config {
        let mut c = Config::from_toml("", Path::new("<command line>"), base)
            .unwrap_or_else(|_| unreachable!());
        c.run.out = PathBuf::from("divnet-output");
        c
    }

    /// Parses and validates config text.
    pub fn from_toml(text: &str, source: &Path, base: &Path) -> Result<Config, ConfigError> {
        let mut c: Config = toml::from_str(text).map_err(|e| parse_error(&e, text, source))?;
        c.base_dir = base.to_path_buf();
        c.source = source.to_path_buf();
        c.apply_presets()?;
        c.validate()?;
        c.load_aliases()?;
        Ok(c)
    }

    /// Reads the user's alias file (`[actors] aliases`), if any, into `actors.table`: an
    /// unreadable or bad file is an error naming the key, the file and its line.
    fn load_aliases(&mut self) -> Result<(), ConfigError> {
        let Some(rel) = self.actors.aliases.clone() else { return Ok(()) };
        let path = self.resolve(&rel);
        let fail = |reason: String| self.invalid("actors.aliases", rel.display(), &reason);
        let bytes = crate::inputs::file::read_regular_file(&path)
            .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| fail(format!("{} is not UTF-8 text", path.display())))?;
        let g = crate::geo::Gazetteer::embedded()
            .map_err(|e| fail(format!("the gazetteer does not load: {e}")))?;
        self.actors.table = ActorAliases::parse(text.trim_start_matches('\u{feff}'), g)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        Ok(())
    }

    /// How the run reads parties: the user's aliases over the built-in crosswalks.
    pub fn actors(&self) -> Actors {
        Actors::with_aliases(self.actors.table.clone())
    }

    /// Resolves a config-relative path.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { clean_path(&self.base_dir.join(p)) }
    }

    fn invalid(&self, key: &str, value: impl ToString, reason: &str) -> ConfigError {
        ConfigError::Invalid {
            path: self.source.clone(),
            key: key.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// Fills every input's unset keys from its preset; a preset on the wrong kind of input
    /// is an error naming both.
    fn apply_presets(&mut self) -> Result<(), ConfigError> {
        self.inputs.apply_presets().map_err(|e| {
            self.invalid(
                &format!("inputs.{}.preset", e.kind.as_str()),
                e.preset.as_str(),
                &e.to_string(),
            )
        })
    }

    /// The citations of the presets of every input, sorted, once each.
    pub fn citations(&self) -> Vec<&'static str> {
        let mut c: Vec<&'static str> =
            self.inputs.all().filter_map(|(_, s)| s.preset.map(|p| p.citation())).collect();
        c.sort_unstable();
        c.dedup();
        c
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let f = &self.output.formats;
        if f.is_empty() || (1..f.len()).any(|i| f[..i].contains(&f[i])) {
            return Err(self.invalid(
                "output.formats",
                format!("{f:?}"),
                "list \"parquet\", \"csv\" or both, each once",
            ));
        }
        if self.run.keep == Some(0) {
            return Err(self.invalid("run.keep", 0, "must be at least 1 (or left out)"));
        }
        let n = &self.network;
        if !(n.half_life_years > 0.0 && n.half_life_years.is_finite()) {
            return Err(self.invalid(
                "network.half_life_years",
                n.half_life_years,
                "must be a positive number",
            ));
        }
        for (key, v) in [
            ("network.border_prior_p", n.border_prior_p),
            ("network.default_confidence", n.default_confidence),
            ("network.transfer_weight", n.transfer_weight),
        ] {
            if !(0.0..1.0).contains(&v) {
                return Err(self.invalid(key, v, "must lie in [0, 1)"));
            }
        }
        if !(n.seizure_leg_weight >= 0.0 && n.seizure_leg_weight.is_finite()) {
            return Err(self.invalid(
                "network.seizure_leg_weight",
                n.seizure_leg_weight,
                "must be >= 0",
            ));
        }
        if self.paths.k == 0 || self.paths.k > 100 {
            return Err(self.invalid("paths.k", self.paths.k, "must lie in 1..=100"));
        }
        if !self.linkage.threshold.is_finite() || self.linkage.max_candidates == 0 {
            return Err(self.invalid(
                "linkage",
                self.linkage.threshold,
                "threshold must be finite and max_candidates >= 1",
            ));
        }
        let h = &self.hubs;
        if !(h.epsilon > 0.0 && h.epsilon < 1.0 && h.delta > 0.0 && h.delta < 1.0) {
            return Err(self.invalid(
                "hubs.epsilon/delta",
                format!("{}/{}", h.epsilon, h.delta),
                "must lie in (0, 1)",
            ));
        }
        let s = &self.hotspots;
        if s.resolution > 15 {
            return Err(self.invalid("hotspots.resolution", s.resolution, "must lie in 0..=15"));
        }
        if s.k == 0 || s.k > 10 {
            return Err(self.invalid("hotspots.k", s.k, "must lie in 1..=10"));
        }
        if s.domain == StudyArea::Bbox && s.bbox.is_none() {
            return Err(self.invalid(
                "hotspots.bbox",
                "(absent)",
                "domain = \"bbox\" needs bbox = [west, south, east, north]",
            ));
        }
        if let Err(e) = self.risk.check() {
            return Err(self.invalid(&e.key, e.value, &e.reason));
        }
        for k in TableKind::ALL {
            let kind = k.as_str();
            for spec in self.inputs.of(k) {
                for (key, v) in &spec.columns {
                    if v == LINE_ID && key != "id" {
                        return Err(self.invalid(
                            &format!("inputs.{kind}.columns.{key}"),
                            v,
                            "\"@line\" makes ids from line numbers: it maps only the id column",
                        ));
                    }
                }
                let named = spec.columns.keys().map(|c| ("columns", c));
                for (section, key) in named.chain(spec.values.keys().map(|c| ("values", c))) {
                    if k.column_index(key).is_none() {
                        return Err(self.invalid(
                            &format!("inputs.{kind}.{section}.{key}"),
                            key,
                            "not a column of the schema (see docs/schema.md)",
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::rules::{FilterRange, FilterValue, HeaderRow, RowFilter, TextEncoding};

    #[test]
    fn builtin_default_parses() {
        let c = Config::builtin_default().unwrap();
        assert!(!c.inputs.seizures.is_empty());
        assert_eq!(c.paths.k, 5);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = Config::from_toml("[paths]\nkk = 3\n", Path::new("x.toml"), Path::new("."))
            .unwrap_err();
        assert!(e.to_string().contains("x.toml") && e.to_string().contains("kk"), "{e}");
        let e =
            Config::from_toml("[hotspots]\nresolution = 16\n", Path::new("x.toml"), Path::new("."))
                .unwrap_err();
        assert!(e.to_string().contains("hotspots.resolution"), "{e}");
        let e = Config::from_toml(
            "[[inputs.seizures]]\npath = \"a.csv\"\ncolumns = { idd = \"X\" }\n",
            Path::new("x.toml"),
            Path::new("."),
        )
        .unwrap_err();
        assert!(e.to_string().contains("idd"), "{e}");
        for bad in ["\"\\\"\"", "\";;\"", "\"\\n\"", "\"§\""] {
            let text = format!("[[inputs.seizures]]\npath = \"a.csv\"\ndelimiter = {bad}\n");
            let e = Config::from_toml(&text, Path::new("x.toml"), Path::new(".")).unwrap_err();
            assert!(e.to_string().contains("inputs.seizures.delimiter"), "{bad}: {e}");
        }
        let tab = "[[inputs.seizures]]\npath = \"a.csv\"\ndelimiter = \"\\t\"\n";
        assert!(Config::from_toml(tab, Path::new("x.toml"), Path::new(".")).is_ok());
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml(text, Path::new("x.toml"), Path::new("."))
    }

    #[test]
    fn a_bad_one_character_setting_names_its_key_and_value_in_any_layout() {
        let reason = "must be one ASCII character other than a quote or a line break";
        for (text, key, value) in [
            (
                "[[inputs.seizures]]\npath = \"a.csv\"\ndelimiter = \";;\"\n",
                "seizures.delimiter",
                ";;",
            ),
            ("[[inputs.routes]]\npath = \"r.csv\"\ntrailing = \"\\n\"\n", "routes.trailing", "\n"),
            (
                "[inputs]\nevents = [{ path = \"e.csv\", list_separator = \"\\\"\" }]\n",
                "events.list_separator",
                "\"",
            ),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.to_string(), format!("config x.toml: inputs.{key} = {value}: {reason}"));
        }
    }

    #[test]
    fn a_bad_choice_names_the_file_key_value_and_accepted_values() {
        let cases: [(&str, &str, &[&str]); 8] = [
            ("[hotspots]", "domain", &["ring", "bbox", "occupied"]),
            ("[hotspots]", "weight", &["count", "quantity", "rounds"]),
            (
                "[hotspots]",
                "event_weight",
                &["count", "fatalities", "fatalities_low", "fatalities_high"],
            ),
            ("[hotspots]", "time_step", &["month", "quarter", "year"]),
            ("[hotspots]", "trend_step", &["month", "quarter", "year"]),
            ("[hubs]", "brokerage_groups", &["region", "subregion"]),
            ("[network]", "resolution", &["country", "place"]),
            ("[[inputs.seizures]]\npath = \"a.csv\"", "format", &["csv", "parquet", "ndjson"]),
        ];
        for (table, key, accepted) in cases {
            let e = parse(&format!("{table}\n{key} = \"Nope\"  # a comment\n")).unwrap_err();
            let dotted = format!(
                "{}.{key}",
                table.lines().next().unwrap_or_default().trim_matches(['[', ']'])
            );
            match &e {
                ConfigError::Invalid { path, key, value, reason } => {
                    assert_eq!(
                        (path.as_path(), key.as_str(), value.as_str()),
                        (Path::new("x.toml"), dotted.as_str(), "\"Nope\"")
                    );
                    for a in accepted {
                        assert!(reason.contains(&format!("`{a}`")), "{a} in {reason}");
                    }
                }
                other => panic!("{dotted}: {other:?}"),
            }
            let text = e.to_string();
            assert!(text.contains("x.toml") && text.contains(&dotted), "{text}");
        }
    }

    #[test]
    fn every_accepted_spelling_parses() {
        for (v, want) in [
            ("ring", StudyArea::Ring),
            ("occupied", StudyArea::Occupied),
            ("bbox", StudyArea::Bbox),
        ] {
            let c = parse(&format!("[hotspots]\ndomain = \"{v}\"\nbbox = [0, 0, 1, 1]\n")).unwrap();
            assert_eq!(c.hotspots.domain, want);
        }
        for (v, want) in [
            ("count", EventWeight::Count),
            ("quantity", EventWeight::Quantity),
            ("rounds", EventWeight::Rounds),
        ] {
            assert_eq!(
                parse(&format!("[hotspots]\nweight = \"{v}\"\n")).unwrap().hotspots.weight,
                want
            );
        }
        for (v, want) in [
            ("count", ConflictWeight::Count),
            ("fatalities", ConflictWeight::Fatalities),
            ("fatalities_low", ConflictWeight::FatalitiesLow),
            ("fatalities_high", ConflictWeight::FatalitiesHigh),
        ] {
            let c = parse(&format!("[hotspots]\nevent_weight = \"{v}\"\n")).unwrap();
            assert_eq!(c.hotspots.event_weight, want);
            assert_eq!(want.as_str(), v);
            assert_eq!(serde_json::to_value(c.hotspots.event_weight).unwrap(), v);
        }
        // The seizure weights are not conflict weights, nor the other way round.
        assert!(parse("[hotspots]\nevent_weight = \"quantity\"\n").is_err());
        assert!(parse("[hotspots]\nweight = \"fatalities\"\n").is_err());
        for (v, want) in
            [("month", TimeStep::Month), ("quarter", TimeStep::Quarter), ("year", TimeStep::Year)]
        {
            let c =
                parse(&format!("[hotspots]\ntime_step = \"{v}\"\ntrend_step = \"{v}\"\n")).unwrap();
            assert_eq!((c.hotspots.time_step, c.hotspots.trend_step), (want, want));
            assert_eq!(want.as_str(), v);
        }
        for (v, want) in
            [("region", BrokerageGroups::Region), ("subregion", BrokerageGroups::Subregion)]
        {
            let c = parse(&format!("[hubs]\nbrokerage_groups = \"{v}\"\n")).unwrap();
            assert_eq!(c.hubs.brokerage_groups, want);
        }
        let c = parse("[network]\nreference_date = \"2023-05\"\n").unwrap();
        assert_eq!(c.network.reference_date, Some("2023-05".parse().unwrap()));
        // The applied config is written back with the same spellings.
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["hotspots"]["trend_step"], "month");
        assert_eq!(json["hotspots"]["domain"], "ring");
        assert_eq!(json["network"]["reference_date"], "2023-05");
    }

    #[test]
    fn reader_keys_parse_and_bad_values_are_refused() {
        let c = parse(
            "[[inputs.routes]]\npath = \"r.csv\"\nheader_row = \"auto\"\nencoding = \"latin1\"\ntrailing = \";\"\nwhere = { kind = [\"a\", 2], year = { min = 2015 } }\ncolumns = { id = \"@line\" }\n",
        )
        .unwrap();
        let r = &c.inputs.routes[0];
        assert_eq!(r.header_row, Some(HeaderRow::Auto));
        // "latin1" is, as in browsers, Windows-1252.
        assert_eq!(r.encoding, Some(TextEncoding::Named(encoding_rs::WINDOWS_1252)));
        assert_eq!(r.trailing.map(|t| t.byte()), Some(b';'));
        assert_eq!(
            r.filters["kind"],
            RowFilter::Values(vec![FilterValue::Text("a".into()), FilterValue::Number(2.0)])
        );
        assert_eq!(
            r.filters["year"],
            RowFilter::Range(FilterRange { min: Some(2015.0), max: None })
        );
        let c = parse("[[inputs.routes]]\npath = \"r.csv\"\nheader_row = 12\n").unwrap();
        assert_eq!(c.inputs.routes[0].header_row, Some(HeaderRow::Line(12)));
        for bad in [
            "header_row = 0",
            "header_row = \"first\"",
            "encoding = \"klingon\"",
            "encoding = \"utf-16\"",
            "trailing = \";;\"",
            "where = { year = { least = 2015 } }",
            "columns = { date = \"@line\" }",
            "values = { nope = { a = \"b\" } }",
            "preset = \"acled\"",
        ] {
            let e = parse(&format!("[[inputs.routes]]\npath = \"r.csv\"\n{bad}\n"));
            assert!(e.is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_bad_reference_date_or_missing_bbox_is_named() {
        let e = parse("[network]\nreference_date = \"2023-02-30\"\n").unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { key, value, reason, .. }
                if key == "network.reference_date" && value == "\"2023-02-30\""
                    && reason.contains("no such calendar date")),
            "{e:?}"
        );
        let e = parse("[hotspots]\ndomain = \"bbox\"\n").unwrap_err();
        assert!(e.to_string().contains("hotspots.bbox"), "{e}");
        // A syntax error keeps the parser's message, which quotes the line.
        let e = parse("[hotspots\nk = 1\n").unwrap_err();
        assert!(matches!(e, ConfigError::Parse { .. }), "{e:?}");
    }

    #[test]
    fn retransfers_keys_are_read_and_unknown_ones_refused() {
        let c = parse("").unwrap();
        assert!(c.retransfers.family && !c.retransfers.third_parties);
        let c = parse(
            "[retransfers]
family = false
third_parties = true
",
        )
        .unwrap();
        assert!(!c.retransfers.family && c.retransfers.third_parties);
        let e = parse(
            "[retransfers]
families = true
",
        )
        .unwrap_err();
        assert!(e.to_string().contains("families"), "{e}");
    }
}
