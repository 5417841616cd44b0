#![allow(clippy::unwrap_used)]
//! The dashboard in a real browser: Debian's chromium, headless, renders the
//! page made from `synth` data, takes a screenshot, and the test checks that
//! the screenshot is not blank and that the page logged nothing to the
//! console. A page that logs an error is caught the same way (so the check
//! can fail).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use ci_intel_telemetry::ingest::ingest;
use ci_intel_telemetry::{query, report};
use common::*;

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser"]
        .iter()
        .find_map(|n| ci_intel_testkit::find_on_path(n))
        .or_else(|| ci_intel_testkit::tool("CI_INTEL_CHROMIUM", "chromium"))
}

/// Screenshot `page`; returns the PNG path and the console lines chromium logged.
fn render(browser: &Path, page: &Path, dir: &Path) -> (PathBuf, Vec<String>) {
    let shot = dir.join("shot.png");
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,2200",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success() && shot.exists(),
        "chromium failed: {}\n{stderr}",
        output.status
    );
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_owned)
        .collect();
    (shot, console)
}

/// Share of pixels that differ from the top-left pixel, and the number of colours.
fn ink(png: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let background = pixels[0];
    let differing = pixels.iter().filter(|p| *p != &background).count();
    let colours: std::collections::HashSet<&[u8]> = pixels.iter().copied().collect();
    (differing as f64 / pixels.len() as f64, colours.len())
}

#[test]
fn the_dashboard_renders_in_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "synth.ndjson", &synth_bytes(21, 2500, 4));
    let mut store = sqlite(dir.path());
    ingest(store.as_mut(), &[data], "l").unwrap();
    let window = synth_window();
    let dora = query::dora_report(store.as_mut(), &window, "prod", &[], None).unwrap();
    let health = query::health_report(store.as_mut(), &window).unwrap();
    let page = dir.path().join("report.html");
    let html = report::html(&dora, &health);
    std::fs::write(&page, &html).unwrap();
    // Self-contained: no script, no stylesheet or image from elsewhere.
    for outside in ["<script", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(
            !html.contains(outside),
            "the page loads something: {outside}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 8, "eight charts");
    assert_eq!(
        html.matches("<table").count(),
        10,
        "a table per chart and two summaries"
    );

    let (shot, console) = render(&browser, &page, dir.path());
    assert!(console.is_empty(), "the page logged: {console:#?}");
    let (share, colours) = ink(&shot);
    assert!(
        share > 0.05,
        "the screenshot is nearly blank ({share:.3} of pixels drawn)"
    );
    assert!(colours > 50, "the screenshot has only {colours} colours");
    if let Ok(keep) = std::env::var("CI_INTEL_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    // The detectors can fail: a blank page and a page that logs an error.
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!doctype html><html><body></body></html>").unwrap();
    let (shot, _) = render(&browser, &blank, dir.path());
    assert!(ink(&shot).0 < 0.01, "a blank page must look blank");
    let noisy = dir.path().join("noisy.html");
    std::fs::write(
        &noisy,
        "<!doctype html><html><body><p>x</p><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let (_, console) = render(&browser, &noisy, dir.path());
    assert!(
        console.iter().any(|l| l.contains("boom")),
        "console errors must be seen: {console:?}"
    );
}
