//! Run report: one self-contained `index.html` and a `report.md` built from a [`ReportInput`].
//!
//! The HTML page has inline CSS, inline SVG figures (or base64 PNG `data:` URIs), one small
//! inline script of its own ([`SCRIPT`]) and no network references, so it can be mailed or
//! archived as a single file; its content security policy forbids every request. The
//! script makes the page explorable: maps pan (drag) and zoom (wheel, double-click to
//! reset), the marks a figure records ([`crate::chart::Mark`]) show their numbers on hover,
//! tables sort (click a heading) and filter (type in the box above), and the event map's
//! points are filtered by date. Without the script the page reads as before. Every user-supplied
//! string is HTML-escaped ([`html_escape`]); in Markdown, table cells are escaped with
//! [`md_escape_cell`] (pipes, line breaks) and running text with [`md_escape_text`]. The
//! functions return bytes; writing them is the caller's job.

use std::fmt::Write as _;

use crate::absent::Absent;
use crate::chart::Figure;

/// Errors raised while assembling a report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    /// A table row has a different number of cells than the header.
    #[error("table {table:?} row {row} has {found} cells, header has {expected}")]
    RaggedTable {
        /// Table title.
        table: String,
        /// Row index.
        row: usize,
        /// Header length.
        expected: usize,
        /// Row length.
        found: usize,
    },
    /// A figure name is not usable as an HTML id and file stem.
    #[error("figure name {name:?} must be non-empty [a-z0-9_-]")]
    BadFigureName {
        /// The offending name.
        name: String,
    },
    /// Two figures share a name.
    #[error("duplicate figure name {name:?}")]
    DuplicateFigure {
        /// The duplicated name.
        name: String,
    },
    /// A figure's SVG carries active content and cannot be inlined.
    #[error("figure {name:?} SVG contains {what}")]
    UnsafeSvg {
        /// Figure name.
        name: String,
        /// What was found.
        what: &'static str,
    },
}

/// How figures are embedded in the HTML page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum FigureEmbed {
    /// Inline `<svg>` (smallest page for charts, text stays selectable).
    #[default]
    Svg,
    /// `<img src="data:image/png;base64,...">` (exact raster, larger page).
    Png,
}

/// A key table: title, header and rows of preformatted strings.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Table {
    /// Table title.
    pub title: String,
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each with `header.len()` cells.
    pub rows: Vec<Vec<String>>,
}

/// Everything the run report shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportInput {
    /// Run title (page title and top heading).
    pub title: String,
    /// Figures in display order (names must be unique `[a-z0-9_-]+`).
    pub figures: Vec<Figure>,
    /// Figure embedding in the HTML page.
    pub embed: FigureEmbed,
    /// Directory, relative to `report.md`, where the caller writes `<name>.png` for each figure
    /// (e.g. `"figures"`); empty means next to the report.
    pub figure_dir: String,
    /// Key tables.
    pub tables: Vec<Table>,
    /// Rejected input rows by reason: `(reason, count)`.
    pub rejected: Vec<(String, u64)>,
    /// Coverage caveats, one sentence each.
    pub caveats: Vec<String>,
    /// Provenance key/value pairs (versions, input hashes, seeds, config).
    pub provenance: Vec<(String, String)>,
    /// A map of dated points for the "Explore" section, filtered by a date range (not a
    /// figure of the run: it exists only in the HTML page).
    pub event_map: Option<Figure>,
    /// The figures, tables and sections left out for want of data, each shown as one line
    /// ("Not in this run"). A table with no rows is never drawn: it is listed here too.
    pub absent: Vec<Absent>,
}

impl ReportInput {
    /// Adds `table` when it has rows, else `absent`: the one way a report table with
    /// nothing to show is left out and named.
    pub fn table_or_absent(&mut self, table: Table, absent: Absent) {
        if table.rows.is_empty() {
            self.absent.push(absent);
        } else {
            self.tables.push(table);
        }
    }

    /// The tables with rows, and every absent part: the listed ones, then a line for each
    /// table given without rows.
    fn shown(&self) -> (Vec<&Table>, Vec<Absent>) {
        let (tables, empty): (Vec<&Table>, Vec<&Table>) =
            self.tables.iter().partition(|t| !t.rows.is_empty());
        let mut absent = self.absent.clone();
        absent.extend(
            empty.iter().map(|t| Absent::new(t.title.to_lowercase(), "input rows that fill it")),
        );
        // A figure and a table left out for the same reason say it once.
        let mut seen = std::collections::BTreeSet::new();
        absent.retain(|a| seen.insert(a.line()));
        (tables, absent)
    }
}

/// The two report files as bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// UTF-8 `index.html`.
    pub html: Vec<u8>,
    /// UTF-8 `report.md`.
    pub markdown: Vec<u8>,
}

/// Escapes `& < > " '` for use in HTML text and double- or single-quoted attributes. O(len).
///
/// ```
/// use divnet::report::html_escape;
/// assert_eq!(html_escape(r#"<script>alert("x") & 'y'</script>"#),
///     "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;");
/// ```
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes running Markdown text: backslash-escapes CommonMark punctuation that could start
/// markup (`\ ` * _ [ ] < > # | !`) and folds line breaks into spaces. O(len).
///
/// ```
/// use divnet::report::md_escape_text;
/// assert_eq!(md_escape_text("*a* <b>\n#c"), r"\*a\* \<b\> \#c");
/// ```
pub fn md_escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a Markdown table cell: like [`md_escape_text`] (so `|` cannot split the cell and
/// line breaks cannot end the row). O(len).
///
/// ```
/// use divnet::report::md_escape_cell;
/// assert_eq!(md_escape_cell("a|b\nc"), r"a\|b c");
/// ```
pub fn md_escape_cell(s: &str) -> String {
    md_escape_text(s)
}

/// Standard base64 (RFC 4648 section 4, with padding). O(len).
///
/// ```
/// use divnet::report::base64_encode;
/// assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
/// assert_eq!(base64_encode(b"fo"), "Zm8=");
/// ```
pub fn base64_encode(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if chunk.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

fn validate(input: &ReportInput) -> Result<(), ReportError> {
    let mut seen = std::collections::BTreeSet::new();
    for f in &input.figures {
        let ok = !f.name.is_empty()
            && f.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            return Err(ReportError::BadFigureName { name: f.name.clone() });
        }
        if !seen.insert(f.name.as_str()) {
            return Err(ReportError::DuplicateFigure { name: f.name.clone() });
        }
        if input.embed == FigureEmbed::Svg {
            let lower = f.svg.to_ascii_lowercase();
            if !lower.trim_start().starts_with("<svg") {
                return Err(ReportError::UnsafeSvg {
                    name: f.name.clone(),
                    what: "no leading <svg> element",
                });
            }
            for (pat, what) in [
                ("<script", "a <script> element"),
                ("<foreignobject", "a <foreignObject> element"),
                ("javascript:", "a javascript: URL"),
                (" on", "an event-handler attribute"),
            ] {
                // Tag interiors only (text between tags is escaped data, not markup).
                let tags = lower.split('<').skip(1).map(|seg| seg.split('>').next().unwrap_or(""));
                let hit = match pat {
                    // Attribute names like onload= / onclick=.
                    " on" => tags.into_iter().any(|tag| {
                        tag.match_indices(char::is_whitespace).any(|(i, _)| {
                            let rest = &tag[i + 1..];
                            let Some(rest) = rest.strip_prefix("on") else { return false };
                            let n = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                            n > 0 && rest[n..].trim_start().starts_with('=')
                        })
                    }),
                    "javascript:" => tags.into_iter().any(|tag| tag.contains(pat)),
                    _ => lower.contains(pat),
                };
                if hit {
                    return Err(ReportError::UnsafeSvg { name: f.name.clone(), what });
                }
            }
        }
    }
    for t in &input.tables {
        for (i, r) in t.rows.iter().enumerate() {
            if r.len() != t.header.len() {
                return Err(ReportError::RaggedTable {
                    table: t.title.clone(),
                    row: i,
                    expected: t.header.len(),
                    found: r.len(),
                });
            }
        }
    }
    Ok(())
}

/// The page's script: pan and zoom of maps, hover text of marks, sortable and filterable
/// tables, the date filter of the event map. Plain DOM code, no library.
pub const SCRIPT: &str = include_str!("report.js");

const CSS: &str = "\
body{font-family:'DejaVu Sans',system-ui,sans-serif;color:#212121;margin:0;background:#fafafa}\
main{max-width:1200px;margin:0 auto;padding:24px 32px;background:#fff}\
h1{font-size:1.7em;margin:.2em 0 .6em}h2{font-size:1.3em;border-bottom:1px solid #e0e0e0;\
padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em}\
nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4em 1.2em}\
figure{margin:1.2em 0;border:1px solid #e0e0e0;padding:8px}\
figure svg,figure img{display:block;width:100%;height:auto}\
figcaption{color:#616161;font-size:.9em;margin-top:.4em}\
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.92em}\
th,td{border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f5f5f5}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.caveats li{margin:.3em 0}.muted{color:#616161}\
#tip{position:absolute;z-index:9;background:#212121;color:#fff;font-size:.85em;white-space:pre;\
padding:6px 8px;border-radius:4px;pointer-events:none;max-width:480px}\
figure[data-map] svg{cursor:grab;touch-action:none}.mark{cursor:pointer}\
th.sort{cursor:pointer;user-select:none}th.sort:after{content:' \\2195';color:#9e9e9e}\
input.filter{margin:.2em 0;padding:3px 6px;min-width:16em}.hint{color:#616161;font-size:.85em}\
@media print{main{max-width:none;padding:0}figure{break-inside:avoid}#tip,input.filter,.hint,.timebar{display:none}}";

fn looks_numeric(s: &str) -> bool {
    let t = s.trim().trim_end_matches('%').replace(',', "");
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// Builds `index.html` and `report.md`. O(total size of the input).
///
/// Section order: figures, key tables, rejected rows, coverage caveats, provenance. Empty
/// sections say so instead of disappearing. Markdown links each figure as
/// `<figure_dir>/<name>.png`.
///
/// # Errors
/// [`ReportError`] for ragged tables, bad or duplicate figure names, or an SVG with active
/// content.
///
/// ```
/// use divnet::report::{build, ReportInput, Table};
/// let input = ReportInput {
///     title: "Run <1>".into(),
///     tables: vec![Table { title: "Hubs".into(), header: vec!["hub".into(), "score".into()],
///         rows: vec![vec!["A|B".into(), "0.5".into()]] }],
///     rejected: vec![("bad date".into(), 3)],
///     ..Default::default()
/// };
/// let r = build(&input).unwrap();
/// let html = String::from_utf8(r.html).unwrap();
/// let md = String::from_utf8(r.markdown).unwrap();
/// assert!(html.contains("<h1>Run &lt;1&gt;</h1>"));
/// assert!(md.contains("| A\\|B | 0.5 |"));
/// assert!(md.contains("| bad date | 3 |"));
/// ```
pub fn build(input: &ReportInput) -> Result<Report, ReportError> {
    validate(input)?;
    Ok(Report {
        html: build_html(input).into_bytes(),
        markdown: build_markdown(input).into_bytes(),
    })
}

fn build_html(input: &ReportInput) -> String {
    let e = html_escape;
    let mut h = String::with_capacity(
        4096 + input.figures.iter().map(|f| f.svg.len() + f.png.len() * 4 / 3).sum::<usize>(),
    );
    // `write!` into a String cannot fail; results are ignored deliberately.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n",
        e(&input.title),
        e(&input.title)
    );
    let explore = if input.event_map.is_some() && input.embed == FigureEmbed::Svg {
        "<li><a href=\"#explore\">Explore</a></li>"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<nav><ul><li><a href=\"#figures\">Figures</a></li>{explore}\
<li><a href=\"#tables\">Tables</a></li>{absent}<li><a href=\"#rejected\">Rejected rows</a></li>\
<li><a href=\"#caveats\">Coverage caveats</a></li><li><a href=\"#provenance\">Provenance</a></li>\
</ul></nav>",
        absent = if input.shown().1.is_empty() {
            ""
        } else {
            "<li><a href=\"#absent\">Not in this run</a></li>"
        },
    );

    h.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
    if input.figures.is_empty() {
        h.push_str("<p class=\"muted\">No figures were produced.</p>\n");
    }
    if input.figures.iter().any(|f| f.map) && input.embed == FigureEmbed::Svg {
        h.push_str(
            "<p class=\"hint\">Maps: drag to pan, scroll to zoom, double-click to reset. \
             Point at a hub, a flow, a cell or a bar for its numbers.</p>\n",
        );
    }
    for (k, f) in input.figures.iter().enumerate() {
        let map = if f.map { " data-map" } else { "" };
        let _ = writeln!(h, "<figure id=\"fig-{}\"{map}>", f.name);
        match input.embed {
            FigureEmbed::Svg => {
                h.push_str(&with_marks(f));
                h.push('\n');
            }
            FigureEmbed::Png => {
                let _ = writeln!(
                    h,
                    "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                    e(&f.title),
                    base64_encode(&f.png)
                );
            }
        }
        let _ = write!(
            h,
            "<figcaption>Figure {}: {}{} ({}.png)</figcaption>\n</figure>\n",
            k + 1,
            e(&f.title),
            caption_sentence(&f.caption, e),
            f.name
        );
    }
    h.push_str("</section>\n");

    if let Some(f) = input.event_map.as_ref().filter(|_| input.embed == FigureEmbed::Svg) {
        let days: Vec<i32> = f.marks.iter().filter_map(|m| m.day).collect();
        let (lo, hi) = (days.iter().min().copied(), days.iter().max().copied());
        h.push_str("<section id=\"explore\">\n<h2>Explore: events over time</h2>\n");
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let _ = writeln!(
                h,
                "<p class=\"timebar\">From <input type=\"date\" id=\"t-from\" value=\"{}\" \
                 min=\"{}\" max=\"{}\"> to <input type=\"date\" id=\"t-to\" value=\"{}\" \
                 min=\"{}\" max=\"{}\"> <span id=\"t-count\" class=\"hint\"></span></p>",
                iso_day(lo),
                iso_day(lo),
                iso_day(hi),
                iso_day(hi),
                iso_day(lo),
                iso_day(hi)
            );
        }
        let _ = writeln!(h, "<figure id=\"fig-{}\" data-map>", f.name);
        h.push_str(&with_marks(f));
        let _ = write!(
            h,
            "\n<figcaption>{}{}</figcaption>\n</figure>\n</section>\n",
            e(&f.title),
            caption_sentence(&f.caption, e)
        );
    }

    let (tables, absent) = input.shown();
    h.push_str("<section id=\"tables\">\n<h2>Key tables</h2>\n");
    if tables.is_empty() {
        h.push_str("<p class=\"muted\">No tables.</p>\n");
    }
    for t in tables {
        let _ = writeln!(h, "<h3>{}</h3>", e(&t.title));
        html_table(&mut h, &t.header, &t.rows);
    }
    h.push_str("</section>\n");
    if !absent.is_empty() {
        h.push_str("<section id=\"absent\">\n<h2>Not in this run</h2>\n<ul class=\"caveats\">\n");
        for a in &absent {
            let _ = writeln!(h, "<li>{}</li>", e(&a.line()));
        }
        h.push_str("</ul>\n</section>\n");
    }

    h.push_str("<section id=\"rejected\">\n<h2>Rejected rows</h2>\n");
    if input.rejected.is_empty() {
        h.push_str("<p>No input rows were rejected.</p>\n");
    } else {
        let total: u64 = input.rejected.iter().map(|r| r.1).sum();
        let mut rows: Vec<Vec<String>> =
            input.rejected.iter().map(|(r, n)| vec![r.clone(), n.to_string()]).collect();
        rows.push(vec!["Total".into(), total.to_string()]);
        html_table(&mut h, &["Reason".to_string(), "Rows".to_string()], &rows);
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"caveats\">\n<h2>Coverage caveats</h2>\n");
    if input.caveats.is_empty() {
        h.push_str("<p class=\"muted\">None recorded.</p>\n");
    } else {
        h.push_str("<ul class=\"caveats\">\n");
        for c in &input.caveats {
            let _ = writeln!(h, "<li>{}</li>", e(c));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n");
    let rows: Vec<Vec<String>> =
        input.provenance.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
    if rows.is_empty() {
        h.push_str("<p class=\"muted\">None recorded.</p>\n");
    } else {
        html_table(&mut h, &["Key".to_string(), "Value".to_string()], &rows);
    }
    h.push_str("</section>\n</main>\n<div id=\"tip\" hidden></div>\n<script>\n");
    h.push_str(SCRIPT);
    h.push_str("</script>\n</body>\n</html>\n");
    h
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01.
fn iso_day(day: i32) -> String {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(day))))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// A figure's SVG with its marks as the last group before `</svg>`: transparent shapes
/// (coloured ones for marks that carry a colour) with the hover text and date as data
/// attributes, every value escaped.
fn with_marks(f: &Figure) -> String {
    let svg = f.svg.trim();
    if f.marks.is_empty() {
        return svg.to_string();
    }
    let Some(end) = svg.rfind("</svg>") else { return svg.to_string() };
    let mut g = String::with_capacity(f.marks.len() * 96);
    g.push_str("<g class=\"marks\">\n");
    for m in &f.marks {
        let fill = match m.colour {
            Some([r, gr, b]) => format!("fill=\"#{r:02x}{gr:02x}{b:02x}\" fill-opacity=\"0.8\""),
            None => "fill=\"#000\" fill-opacity=\"0\"".to_string(),
        };
        let day = m.day.map(|d| format!(" data-day=\"{d}\"")).unwrap_or_default();
        let rx = if m.round { m.w / 2 } else { 0 };
        let _ = writeln!(
            g,
            "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{rx}\" {fill}{day} data-tip=\"{}\"/>",
            m.cx - m.w / 2,
            m.cy - m.h / 2,
            m.w,
            m.h,
            html_escape(&m.tip)
        );
    }
    g.push_str("</g>\n");
    format!("{}{}{}", &svg[..end], g, &svg[end..])
}

/// `". caption"` after a figure's title, escaped by `escape`, or nothing without a caption.
fn caption_sentence(caption: &str, escape: fn(&str) -> String) -> String {
    if caption.is_empty() { String::new() } else { format!(". {}", escape(caption)) }
}

fn html_table(h: &mut String, header: &[String], rows: &[Vec<String>]) {
    h.push_str("<table class=\"explore\">\n<thead><tr>");
    for c in header {
        let _ = write!(h, "<th>{}</th>", html_escape(c));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        h.push_str("<tr>");
        for c in r {
            let class = if looks_numeric(c) { " class=\"num\"" } else { "" };
            let _ = write!(h, "<td{class}>{}</td>", html_escape(c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

fn md_table(m: &mut String, header: &[String], rows: &[Vec<String>]) {
    if header.is_empty() {
        return;
    }
    let cells = |r: &[String]| r.iter().map(|c| md_escape_cell(c)).collect::<Vec<_>>().join(" | ");
    let _ = writeln!(m, "| {} |", cells(header));
    let _ = writeln!(
        m,
        "|{}|",
        header
            .iter()
            .enumerate()
            .map(|(j, _)| {
                let numeric = !rows.is_empty() && rows.iter().all(|r| looks_numeric(&r[j]));
                if numeric { " ---: " } else { " --- " }
            })
            .collect::<Vec<_>>()
            .join("|")
    );
    for r in rows {
        let _ = writeln!(m, "| {} |", cells(r));
    }
    m.push('\n');
}

fn build_markdown(input: &ReportInput) -> String {
    let t = md_escape_text;
    let mut m = String::new();
    let _ = writeln!(m, "# {}\n", t(&input.title));
    m.push_str("## Figures\n\n");
    if input.figures.is_empty() {
        m.push_str("No figures were produced.\n\n");
    }
    let dir = input.figure_dir.trim_end_matches('/');
    for f in &input.figures {
        let path = if dir.is_empty() {
            format!("{}.png", f.name)
        } else {
            format!("{dir}/{}.png", f.name)
        };
        // Spaces and parentheses would end a Markdown link destination; encode them.
        let path = path.replace(' ', "%20").replace('(', "%28").replace(')', "%29");
        let _ = writeln!(m, "### {}\n\n![{}]({path})\n", t(&f.title), t(&f.title));
        if !f.caption.is_empty() {
            let _ = writeln!(m, "{}\n", t(&f.caption));
        }
    }
    let (tables, absent) = input.shown();
    m.push_str("## Key tables\n\n");
    if tables.is_empty() {
        m.push_str("No tables.\n\n");
    }
    for tb in tables {
        let _ = writeln!(m, "### {}\n", t(&tb.title));
        md_table(&mut m, &tb.header, &tb.rows);
    }
    if !absent.is_empty() {
        m.push_str("## Not in this run\n\n");
        for a in &absent {
            let _ = writeln!(m, "- {}", t(&a.line()));
        }
        m.push('\n');
    }
    m.push_str("## Rejected rows\n\n");
    if input.rejected.is_empty() {
        m.push_str("No input rows were rejected.\n\n");
    } else {
        let total: u64 = input.rejected.iter().map(|r| r.1).sum();
        let mut rows: Vec<Vec<String>> =
            input.rejected.iter().map(|(r, n)| vec![r.clone(), n.to_string()]).collect();
        rows.push(vec!["Total".into(), total.to_string()]);
        md_table(&mut m, &["Reason".to_string(), "Rows".to_string()], &rows);
    }
    m.push_str("## Coverage caveats\n\n");
    if input.caveats.is_empty() {
        m.push_str("None recorded.\n\n");
    } else {
        for c in &input.caveats {
            let _ = writeln!(m, "- {}", t(c));
        }
        m.push('\n');
    }
    m.push_str("## Provenance\n\n");
    if input.provenance.is_empty() {
        m.push_str("None recorded.\n");
    } else {
        let rows: Vec<Vec<String>> =
            input.provenance.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
        md_table(&mut m, &["Key".to_string(), "Value".to_string()], &rows);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(name: &str, svg: &str) -> Figure {
        Figure {
            name: name.into(),
            title: format!("T {name}"),
            caption: format!("What {name} shows."),
            svg: svg.into(),
            png: vec![1, 2, 3],
            map: false,
            marks: Vec::new(),
        }
    }

    #[test]
    fn figure_captions_follow_the_title() {
        let input = ReportInput { figures: vec![fig("a", "<svg></svg>")], ..Default::default() };
        let r = build(&input).unwrap();
        let html = String::from_utf8(r.html).unwrap();
        assert!(html.contains("<figcaption>Figure 1: T a. What a shows. (a.png)</figcaption>"));
        let md = String::from_utf8(r.markdown).unwrap();
        assert!(md.contains("![T a](a.png)\n\nWhat a shows.\n"), "{md}");
        let bare = Figure { caption: String::new(), ..fig("a", "<svg></svg>") };
        let r = build(&ReportInput { figures: vec![bare], ..Default::default() }).unwrap();
        assert!(String::from_utf8(r.html).unwrap().contains("Figure 1: T a (a.png)"));
    }

    #[test]
    fn hostile_strings_are_escaped_everywhere() {
        let evil = "<script>alert('x')</script> \"q\" | &";
        let input = ReportInput {
            title: evil.into(),
            figures: vec![Figure {
                title: evil.into(),
                caption: evil.into(),
                marks: vec![crate::chart::Mark {
                    cx: 1,
                    cy: 1,
                    w: 2,
                    h: 2,
                    round: true,
                    tip: evil.into(),
                    colour: None,
                    day: None,
                }],
                ..fig("a", "<svg></svg>")
            }],
            tables: vec![Table {
                title: evil.into(),
                header: vec![evil.into()],
                rows: vec![vec![evil.into()]],
            }],
            rejected: vec![(evil.into(), 1)],
            caveats: vec![evil.into()],
            provenance: vec![(evil.into(), evil.into())],
            ..Default::default()
        };
        let r = build(&input).unwrap();
        let html = String::from_utf8(r.html).unwrap();
        // The page's own script and nothing else.
        assert_eq!(html.matches("<script").count(), 1);
        assert!(html.contains(&format!("<script>\n{SCRIPT}</script>")));
        assert!(!html.contains("'x'"));
        assert!(html.contains("data-tip=\"&lt;script&gt;alert(&#39;x&#39;)"));
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &quot;q&quot; | &amp;")
        );
        let md = String::from_utf8(r.markdown).unwrap();
        // Every '<' in the Markdown is backslash-escaped (so no raw HTML reaches a renderer).
        assert!(md.contains(r"\<script\>"));
        assert!(md.match_indices('<').all(|(i, _)| i > 0 && &md[i - 1..i] == "\\"));
        // Every table line has exactly header-many unescaped separators.
        for line in md.lines().filter(|l| l.starts_with('|')) {
            let unescaped = line
                .match_indices('|')
                .filter(|(i, _)| *i == 0 || &line[i - 1..*i] != "\\")
                .count();
            assert!(unescaped == 2 || unescaped == 3, "{line}");
        }
    }

    #[test]
    fn a_table_with_nothing_to_show_is_one_line_never_an_empty_table() {
        let t = |title: &str, rows: usize| Table {
            title: title.into(),
            header: vec!["a".into()],
            rows: vec![vec!["1".into()]; rows],
        };
        let mut input = ReportInput::default();
        input.table_or_absent(t("Kept", 1), Absent::new("kept rows", "x"));
        input.table_or_absent(
            t("Paths", 0),
            Absent::new("diversion paths", "cases ([[inputs.seizures]])"),
        );
        // A table pushed without rows directly is left out too, and named.
        input.tables.push(t("Stray", 0));
        let r = build(&input).unwrap();
        let md = String::from_utf8(r.markdown).unwrap();
        assert!(md.contains("### Kept") && !md.contains("### Paths") && !md.contains("### Stray"));
        assert!(md.contains(
            "## Not in this run\n\n- No diversion paths: needs cases (\\[\\[inputs.seizures\\]\\]).\n- No stray: needs input rows that fill it.\n"
        ), "{md}");
        let html = String::from_utf8(r.html).unwrap();
        assert!(html.contains("<li>No diversion paths: needs cases ([[inputs.seizures]]).</li>"));
        assert!(html.contains("<a href=\"#absent\">Not in this run</a>"));
        // Nothing absent: no section.
        let plain =
            build(&ReportInput { tables: vec![t("Kept", 1)], ..Default::default() }).unwrap();
        assert!(!String::from_utf8(plain.markdown).unwrap().contains("Not in this run"));
    }

    #[test]
    fn base64_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(i.as_bytes()), o);
        }
    }

    #[test]
    fn png_embedding_uses_data_uri() {
        let input = ReportInput {
            figures: vec![fig("a", "")],
            embed: FigureEmbed::Png,
            ..Default::default()
        };
        let html = String::from_utf8(build(&input).unwrap().html).unwrap();
        assert!(html.contains("src=\"data:image/png;base64,AQID\""));
        assert!(!html.contains("<svg"));
    }

    #[test]
    fn invalid_inputs_are_rejected() {
        let ragged = ReportInput {
            tables: vec![Table {
                title: "t".into(),
                header: vec!["a".into(), "b".into()],
                rows: vec![vec!["1".into()]],
            }],
            ..Default::default()
        };
        assert_eq!(
            build(&ragged).unwrap_err(),
            ReportError::RaggedTable { table: "t".into(), row: 0, expected: 2, found: 1 }
        );
        let bad = ReportInput { figures: vec![fig("A B", "<svg/>")], ..Default::default() };
        assert!(matches!(build(&bad), Err(ReportError::BadFigureName { .. })));
        let dup = ReportInput {
            figures: vec![fig("a", "<svg/>"), fig("a", "<svg/>")],
            ..Default::default()
        };
        assert!(matches!(build(&dup), Err(ReportError::DuplicateFigure { .. })));
        for svg in [
            "<svg><script>x</script></svg>",
            "<svg onload=\"x\"></svg>",
            "<svg><a href=\"javascript:x\"/></svg>",
            "<p>x</p>",
        ] {
            let i = ReportInput { figures: vec![fig("a", svg)], ..Default::default() };
            assert!(matches!(build(&i), Err(ReportError::UnsafeSvg { .. })), "{svg}");
        }
    }

    #[test]
    fn no_network_references() {
        let input = ReportInput {
            figures: vec![fig("a", "<svg width=\"1\"></svg>")],
            ..Default::default()
        };
        let html = String::from_utf8(build(&input).unwrap().html).unwrap();
        for pat in ["http://", "https://", "<link", "@import", "src=\"//", "fetch(", "XMLHttp"] {
            assert!(!html.contains(pat), "{pat}");
        }
        // Whatever slips in, the page's policy forbids every request.
        assert!(html.contains("content=\"default-src 'none';"));
    }
}
