//! Formula-safe CSV cells.
//!
//! Analysts open divnet's CSV tables in spreadsheets, and a spreadsheet evaluates a cell
//! that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(...)`, `@SUM(...)`,
//! DDE payloads). Input text reaches the outputs (ids, place names, the rejected values of
//! `rejected.csv`), so every text cell that a spreadsheet could evaluate is written with a
//! leading `'`, the rule of OWASP's "CSV Injection" guidance. The rule, in full:
//!
//! - a cell is neutralised when its first character is a tab, carriage return or line
//!   feed, or when its first character after any leading white space is `=`, `+`, `-`,
//!   `@` or one of their full-width forms (`＝`, `＋`, `－`, `＠`);
//! - except a cell that is entirely a plain decimal number (`-12.5`, `+3`, `-1e-3`),
//!   which a spreadsheet reads as that number and never as a formula, so negative
//!   coordinates and signed values keep their exact text;
//! - numeric, boolean and date columns are never changed; Parquet outputs keep the exact
//!   values.

use std::borrow::Cow;

use polars::prelude::*;

/// Whether a spreadsheet could evaluate `cell` as a formula.
///
/// ```
/// use divnet::output::csv_safe::is_formula_like;
/// assert!(is_formula_like("=HYPERLINK(\"http://x\",\"y\")"));
/// assert!(is_formula_like("\t=cmd"));
/// assert!(is_formula_like("  @SUM(A1)"));
/// assert!(is_formula_like("-1+2"));
/// assert!(!is_formula_like("-12.5"));
/// assert!(!is_formula_like("Ciudad Juárez"));
/// ```
pub fn is_formula_like(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else { return false };
    if matches!(first, '\t' | '\r' | '\n') {
        return true;
    }
    let Some(lead) = cell.trim_start().chars().next() else { return false };
    matches!(lead, '=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}')
        && !is_plain_number(cell)
}

/// `[+-]digits[.digits][e[+-]digits]`, nothing else (no spaces).
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The cell as written to CSV: with a leading `'` when [`is_formula_like`].
///
/// ```
/// use divnet::output::csv_safe::neutralise_cell;
/// assert_eq!(neutralise_cell("=1+1"), "'=1+1");
/// assert_eq!(neutralise_cell("Tripoli"), "Tripoli");
/// ```
pub fn neutralise_cell(cell: &str) -> Cow<'_, str> {
    if is_formula_like(cell) { Cow::Owned(format!("'{cell}")) } else { Cow::Borrowed(cell) }
}

/// The frame with every formula-like text cell neutralised. Columns without such a cell
/// are shared, not copied.
pub fn neutralise(df: &DataFrame) -> PolarsResult<DataFrame> {
    let mut out = df.clone();
    for (idx, col) in df.columns().iter().enumerate() {
        if col.dtype() != &DataType::String {
            continue;
        }
        let ca = col.str()?;
        if !ca.iter().flatten().any(is_formula_like) {
            continue;
        }
        let safe: StringChunked = ca
            .iter()
            .map(|v| v.map(|c| neutralise_cell(c).into_owned()))
            .collect::<StringChunked>()
            .with_name(col.name().clone());
        out.replace_column(idx, safe.into_column())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_trigger_character_is_caught() {
        for cell in [
            "=1+1",
            "+1+1",
            "-1+1",
            "@SUM(A1:A2)",
            "\t=cmd",
            "\r=cmd",
            "\n=cmd",
            " =1",
            "\u{3000}=1",
            "＝1+1",
            "-",
            "+",
            "-cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://x\",\"y\")",
        ] {
            assert!(is_formula_like(cell), "{cell:?}");
            assert_eq!(neutralise_cell(cell), format!("'{cell}"));
        }
    }

    #[test]
    fn numbers_and_plain_text_are_kept_exactly() {
        for cell in ["", "-12.5", "+3", "-1e-3", "1e5", "-0", ".5", "Tripoli", "a=b", "x-y", "'=1"]
        {
            assert!(!is_formula_like(cell), "{cell:?}");
        }
        for cell in ["-1e", "-.", "-1.2.3", "- 1", "-1 "] {
            assert!(is_formula_like(cell), "{cell:?}");
        }
    }

    #[test]
    fn only_text_columns_with_a_formula_change() {
        let df = df!(
            "id" => ["a", "=b", "c"],
            "name" => ["x", "y", "z"],
            "lon" => [-1.0, 2.0, -3.0],
        )
        .unwrap();
        let out = neutralise(&df).unwrap();
        let ids: Vec<_> = out.column("id").unwrap().str().unwrap().iter().collect();
        assert_eq!(ids, [Some("a"), Some("'=b"), Some("c")]);
        assert!(out.column("name").unwrap().equals(df.column("name").unwrap()));
        assert!(out.column("lon").unwrap().equals(df.column("lon").unwrap()));
    }
}
