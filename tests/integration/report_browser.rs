//! The generated index.html in a real headless Chromium: every figure is in the rendered DOM and
//! the page paints. Without Chromium the test fails when CI is set and is skipped otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use divnet::report::{FigureEmbed, ReportInput, Table, build};
use divnet::stages::figures::render_figures;

const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium_available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{CHROMIUM} is missing; CI must install chromium (apt-get install chromium)");
    }
    eprintln!("note: {CHROMIUM} not found; skipping the headless browser report test");
    false
}

/// Runs chromium headless with `args` plus the fixed isolation flags; returns stdout.
///
/// Stdout goes to a file, not a pipe: a DOM dump is larger than a pipe buffer and chromium
/// would block writing it while we wait for it to exit.
fn chromium(profile: &Path, args: &[String]) -> String {
    let out_path = profile.join("stdout.txt");
    let out_file = std::fs::File::create(&out_path).expect("stdout file");
    let mut cmd = Command::new(CHROMIUM);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(args)
    .stdin(Stdio::null())
    .stdout(Stdio::from(out_file))
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if let Some(status) = child.try_wait().expect("wait on chromium") {
            assert!(status.success(), "chromium exited with {status}");
            return std::fs::read_to_string(&out_path).expect("chromium stdout");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn write_report(dir: &Path, embed: FigureEmbed) -> PathBuf {
    // The figures the demo draws (those with nothing to show are left out of a report).
    let figures: Vec<_> = render_figures(&crate::common::demo_results().context())
        .into_iter()
        .filter_map(|f| match f {
            Ok(f) => Some(f),
            Err(divnet::chart::ChartError::NothingToShow(_)) => None,
            Err(e) => panic!("figure failed: {e}"),
        })
        .collect();
    let input = ReportInput {
        title: "Demo run <b>not bold</b>".into(),
        figures,
        embed,
        figure_dir: "figures".into(),
        tables: vec![Table {
            title: "Top hubs".into(),
            header: vec!["Hub".into(), "Betweenness".into()],
            rows: vec![
                vec!["Kidal | north".into(), "0.98".into()],
                vec!["<i>Gao</i>".into(), "0.91".into()],
            ],
        }],
        rejected: vec![("unparseable date".into(), 12), ("unknown country".into(), 3)],
        caveats: vec!["Seizure reporting for Darfur is incomplete before 2022.".into()],
        provenance: vec![("divnet".into(), "0.1.0".into()), ("seed".into(), "42".into())],
        event_map: None,
        absent: Vec::new(),
    };
    let report = build(&input).unwrap();
    let path = dir.join("index.html");
    std::fs::write(&path, &report.html).unwrap();
    path
}

#[test]
fn report_renders_in_headless_chromium() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let page = write_report(tmp.path(), FigureEmbed::Svg);
    let url = format!("file://{}", page.display());

    let dom = chromium(profile.path(), &["--dump-dom".to_string(), url.clone()]);
    assert!(dom.contains("<h1>Demo run &lt;b&gt;not bold&lt;/b&gt;</h1>"), "escaped title in DOM");
    assert!(!dom.contains("<b>not bold</b>"));
    let drawn = crate::common::demo_figure_names();
    for &name in &drawn {
        let start = dom
            .find(&format!("<figure id=\"fig-{name}\""))
            .unwrap_or_else(|| panic!("figure {name} in DOM"));
        let end = start + dom[start..].find("</figure>").expect("figure closes");
        let fig = &dom[start..end];
        assert!(fig.contains("<svg"), "{name} has an inline svg");
        assert!(fig.matches("<text").count() >= 3, "{name} has text elements");
    }
    assert_eq!(dom.matches("<svg").count(), drawn.len());
    assert!(dom.contains("<td>&lt;i&gt;Gao&lt;/i&gt;</td>"));
    assert!(dom.contains("unknown country"));

    // The page paints: a screenshot exists and is not a blank page.
    let shot = tmp.path().join("shot.png");
    chromium(
        profile.path(),
        &[format!("--screenshot={}", shot.display()), "--window-size=1280,2400".to_string(), url],
    );
    let img = image::open(&shot).expect("screenshot written").to_rgb8();
    assert_eq!(img.dimensions(), (1280, 2400));
    let non_bg = img.pixels().filter(|p| p.0 != [255, 255, 255] && p.0 != [250, 250, 250]).count();
    assert!(non_bg > 100_000, "page painted ({non_bg} non-background pixels)");
    if let Ok(dir) = std::env::var("DIVNET_CHART_DEMO_DIR") {
        std::fs::copy(&shot, Path::new(&dir).join("report_screenshot.png")).unwrap();
        std::fs::copy(&page, Path::new(&dir).join("index.html")).unwrap();
    }
}

#[test]
fn png_embedded_report_renders_in_headless_chromium() {
    if !chromium_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let page = write_report(tmp.path(), FigureEmbed::Png);
    let dom =
        chromium(profile.path(), &["--dump-dom".to_string(), format!("file://{}", page.display())]);
    let drawn = crate::common::demo_figure_names();
    for &name in &drawn {
        assert!(dom.contains(&format!("<figure id=\"fig-{name}\"")), "figure {name}");
    }
    assert_eq!(dom.matches("src=\"data:image/png;base64,iVBORw0KGgo").count(), drawn.len());
}
