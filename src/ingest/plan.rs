//! The reading plan of an input: the files its path or glob names (and their bytes), the
//! options each file is read by, and how a file's columns become the fields the checks
//! receive: schema columns found by name (or mapped, or `#N`), ids made from line numbers
//! (`@line`), source values replaced by schema values (`values`), and the columns of the
//! row filters (`where`).

use std::path::{Path, PathBuf};

use super::error::IngestError;
use super::rows::ReadOptions;
use crate::inputs::file::{FileError, check_regular_file, read_regular_file};
use crate::inputs::rules::{Delimiter, HeaderRow, LINE_ID, ListSeparator, RowFilter};
use crate::inputs::{InputSpec, clean_path};
use crate::schema::{Presence, TableKind};

/// How an input file is named in the outputs (tables, manifest, report): relative to the
/// config's folder `base`, as the config names it, so that outputs do not depend on how
/// the config's own path was spelled; a path outside `base` as it is.
pub(crate) fn shown(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}

/// The files an input names: its path, or the files its glob matches (directories passed
/// over), sorted; each checked to be a readable regular file.
pub(super) fn expand(
    table: TableKind,
    spec: &InputSpec,
    base: &Path,
) -> Result<Vec<PathBuf>, IngestError> {
    let full = if Path::new(&spec.path).is_absolute() {
        PathBuf::from(&spec.path)
    } else {
        clean_path(&base.join(&spec.path))
    };
    let pattern = full.to_string_lossy().to_string();
    let unusable = |path: PathBuf, source| match source {
        FileError::NotFound => IngestError::NoFiles { table, pattern: pattern.clone() },
        source => IngestError::Io { table, path, source },
    };
    if !spec.path.contains(['*', '?', '[']) {
        // A path that is there but is no readable file is said to be so, not "no such file".
        return match check_regular_file(&full) {
            Ok(()) => Ok(vec![full]),
            Err(e) => Err(unusable(full, e)),
        };
    }
    let paths = glob::glob(&pattern).map_err(|e| IngestError::BadPattern {
        table,
        pattern: pattern.clone(),
        problem: e.to_string(),
    })?;
    let mut out = Vec::new();
    for entry in paths {
        // A directory the search cannot read stops the run rather than hide its files.
        let path = entry.map_err(|e| {
            let path = e.path().to_path_buf();
            IngestError::Io { table, path, source: FileError::from_io(e.into()) }
        })?;
        // Directories that a pattern matches are passed over; any other match must be a
        // readable regular file.
        if !path.is_dir() {
            check_regular_file(&path).map_err(|e| unusable(path.clone(), e))?;
            out.push(path);
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(IngestError::NoFiles { table, pattern });
    }
    Ok(out)
}

/// The position of a column in a header: the exact name, else the name in any case.
pub(super) fn find_column(header: &[String], name: &str) -> Option<usize> {
    header
        .iter()
        .position(|h| h == name)
        .or_else(|| header.iter().position(|h| h.eq_ignore_ascii_case(name)))
}

/// The schema-column -> file-column mapping of one file, and the file columns left unused.
fn map_columns(
    path: &Path,
    table: TableKind,
    header: &[String],
    spec: &InputSpec,
    delimiter: u8,
) -> Result<(Vec<Option<usize>>, Vec<String>), IngestError> {
    let mut seen = std::collections::HashSet::new();
    for h in header {
        if !h.is_empty() && !seen.insert(h.to_ascii_lowercase()) {
            return Err(IngestError::DuplicateColumn {
                path: path.into(),
                column: crate::text::clip(h).into_owned(),
            });
        }
    }
    let find = |name: &str| find_column(header, name);
    let cols = table.columns();
    let mut map = Vec::with_capacity(cols.len());
    let mut missing = Vec::new();
    for c in cols {
        let source = spec.columns.get(c.name).map(String::as_str);
        if source == Some(LINE_ID) {
            map.push(None); // made from the line number (see `Rewrite`)
            continue;
        }
        // A name, else `#N`: the N-th column (1 = the first), for unnamed columns such as
        // the `?` marks of SIPRI's trade register.
        let idx = find(source.unwrap_or(c.name)).or_else(|| {
            let n: usize = source?.strip_prefix('#')?.parse().ok()?;
            (1..=header.len()).contains(&n).then(|| n - 1)
        });
        if idx.is_none() && (c.presence == Presence::Required || source.is_some()) {
            missing.push(match source {
                Some(s) => format!("{:?} (mapped from {:?})", c.name, s),
                None => format!("{:?}", c.name),
            });
        }
        map.push(idx);
    }
    let has = |n: &str| table.column_index(n).and_then(|i| map[i]).is_some();
    let location_cols = cols.iter().any(|c| c.presence == Presence::LocationGroup);
    if location_cols && !(has("country") || has("place") || (has("lat") && has("lon"))) {
        missing.push("a location (\"country\", \"place\" or \"lat\"+\"lon\")".into());
    }
    if !missing.is_empty() {
        let found = super::rows::quote_names(header);
        let mut hint = String::new();
        if header.len() == 1 {
            for (d, name) in [(b';', "';'"), (b'\t', "tab"), (b'|', "'|'"), (b',', "','")] {
                if d != delimiter && header[0].contains(d as char) {
                    hint = format!(
                        " (the header looks {name}-separated: set delimiter in the config)"
                    );
                    break;
                }
            }
        }
        if hint.is_empty() {
            hint = " (map your column names onto the schema with [inputs.<table>.columns] in the config; see docs/schema.md)".into();
        }
        return Err(IngestError::MissingColumns {
            path: path.into(),
            table,
            missing: missing.join(", "),
            found,
            hint,
        });
    }
    let used: std::collections::HashSet<usize> = map.iter().flatten().copied().collect();
    let ignored = header
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, h)| h.clone())
        .collect();
    Ok((map, ignored))
}

/// Reads an input file whole; a file gone since its glob matched is "no such file".
pub(super) fn read_input(table: TableKind, path: &Path) -> Result<Vec<u8>, IngestError> {
    read_regular_file(path).map_err(|source| match source {
        FileError::NotFound => {
            IngestError::NoFiles { table, pattern: path.to_string_lossy().into() }
        }
        source => IngestError::Io { table, path: path.to_path_buf(), source },
    })
}

/// The column names a header of `table` is expected to carry: every schema column under
/// its mapped name (or its own), and the columns the row filters name; lower case.
pub(crate) fn expected_names(spec: &InputSpec, table: TableKind) -> Vec<String> {
    table
        .columns()
        .iter()
        .map(|c| spec.columns.get(c.name).map_or(c.name, String::as_str))
        .chain(spec.filters.keys().map(String::as_str))
        .map(|n| n.trim().to_lowercase())
        .collect()
}

/// The options the files of `spec` are read by; `wanted` are its [`expected_names`].
pub(crate) fn read_options<'a>(spec: &'a InputSpec, wanted: &'a [String]) -> ReadOptions<'a> {
    ReadOptions {
        delimiter: spec.delimiter.unwrap_or(Delimiter::COMMA).byte(),
        list_separator: spec.list_separator.unwrap_or(ListSeparator::SEMICOLON).as_char(),
        encoding: spec.encoding,
        trailing: spec.trailing.map(|t| t.byte()),
        header_row: spec.header_row.unwrap_or(HeaderRow::Auto),
        sheet: spec.sheet.as_deref(),
        wanted,
    }
}

/// How the columns of one file become the fields handed to the checks: the schema's
/// columns in order, then the columns of the row filters. A file column may fill several
/// fields (mapped and filtered, or mapped onto two schema columns): each gets the raw
/// value, so a filter reads the file's own value and [`Rewrite`] changes only the schema
/// fields' copies.
pub(super) struct FilePlan<'a> {
    /// For each field, the file column that holds it (`None`: absent, or made from the
    /// line number).
    pub(super) map: Vec<Option<usize>>,
    /// File columns neither the schema nor a filter reads.
    pub(super) ignored: Vec<String>,
    /// The row filters, in the order of their fields.
    pub(super) filters: Filters<'a>,
    /// What is rewritten in a row before it is checked.
    pub(super) rewrite: Option<Rewrite<'a>>,
}

impl<'a> FilePlan<'a> {
    /// The plan of `path`, an input of `table` read by `spec`, whose header is `header`.
    pub(super) fn new(
        path: &Path,
        table: TableKind,
        header: &[String],
        spec: &'a InputSpec,
        delimiter: u8,
    ) -> Result<FilePlan<'a>, IngestError> {
        let (mut map, mut ignored) = map_columns(path, table, header, spec, delimiter)?;
        let filters = Filters(spec.filters.values().collect());
        let rewrite = Rewrite::of(spec, path, table);
        for column in spec.filters.keys() {
            let i = find_column(header, column).ok_or_else(|| IngestError::MissingColumns {
                path: path.to_path_buf(),
                table,
                missing: format!("{column:?} (named by a row filter, `where`)"),
                found: super::rows::quote_names(header),
                hint: " (a row filter names a column of the file as it is spelled there)".into(),
            })?;
            ignored.retain(|c| c != &header[i]);
            map.push(Some(i));
        }
        Ok(FilePlan { map, ignored, filters, rewrite })
    }
}

/// What is rewritten in a row before it is checked: ids made from line numbers (the file
/// name, and the position of `id` among the schema columns) and source values replaced by
/// schema values (`values`, per schema column).
pub(super) struct Rewrite<'a> {
    line_ids: Option<(String, usize)>,
    values: Vec<(usize, &'a std::collections::BTreeMap<String, String>)>,
}

impl<'a> Rewrite<'a> {
    /// What is rewritten in the rows of `path`, an input of `table`; `None` when nothing is.
    fn of(spec: &'a InputSpec, path: &Path, table: TableKind) -> Option<Rewrite<'a>> {
        let line_ids = (spec.columns.get("id").map(String::as_str) == Some(LINE_ID)).then(|| {
            (
                path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                table.column_index("id").unwrap_or(0),
            )
        });
        let values: Vec<_> = spec
            .values
            .iter()
            .filter_map(|(col, map)| Some((table.column_index(col)?, map)))
            .collect();
        (line_ids.is_some() || !values.is_empty()).then_some(Rewrite { line_ids, values })
    }

    /// Calls `f` with the fields, rewritten.
    pub(super) fn with<T>(
        rw: Option<&Rewrite<'_>>,
        fields: &[Option<&str>],
        line: u64,
        f: impl FnOnce(&[Option<&str>]) -> T,
    ) -> T {
        let Some(rw) = rw else { return f(fields) };
        let id = rw.line_ids.as_ref().map(|(file, _)| format!("{file}:{line}"));
        let mut v = fields.to_vec();
        if let (Some((_, column)), Some(id)) = (&rw.line_ids, &id)
            && let Some(slot) = v.get_mut(*column)
        {
            *slot = Some(id);
        }
        for (column, map) in &rw.values {
            if let Some(slot) = v.get_mut(*column)
                && let Some(to) = slot.and_then(|x| map.get(x.trim()))
            {
                *slot = Some(to);
            }
        }
        f(&v)
    }
}

/// The row filters of an input, by the position of their column among the fields handed to
/// the checks (after the schema's columns).
pub(super) struct Filters<'a>(pub(super) Vec<&'a RowFilter>);

impl Filters<'_> {
    /// Whether a row whose filter columns hold `values` is kept.
    pub(super) fn keep(&self, values: &[Option<&str>]) -> bool {
        self.0.iter().zip(values).all(|(f, v)| f.keeps(*v))
    }
}
