//! Rendering: text and Markdown for `dora` and `health`, and the dashboard
//! (`report --html`: one self-contained page, charts as inline SVG drawn by
//! plotters, a data table under every chart; `report --markdown`: the same
//! essentials with Mermaid `xychart-beta` charts for $GITHUB_STEP_SUMMARY).

use std::fmt::Write as _;

use plotters::prelude::*;

use crate::dora::{Band, DoraReport, DoraScope};
use crate::query::{HealthReport, HealthRow};

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{:.1} %", v * 100.0))
}

fn band(b: Option<Band>) -> &'static str {
    b.map_or("–", Band::as_str)
}

/// Milliseconds as a short duration: 950 ms, 42 s, 3.5 min, 2.1 h.
pub fn duration(ms: Option<i64>) -> String {
    match ms {
        None => "–".to_owned(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.0} s", ms as f64 / 1000.0),
        Some(ms) if ms < 3_600_000 => format!("{:.1} min", ms as f64 / 60_000.0),
        Some(ms) => format!("{:.1} h", ms as f64 / 3_600_000.0),
    }
}

fn hours(h: Option<f64>) -> String {
    match h {
        None => "–".to_owned(),
        Some(h) if h < 1.0 => format!("{:.0} min", h * 60.0),
        Some(h) if h < 48.0 => format!("{h:.1} h"),
        Some(h) => format!("{:.1} days", h / 24.0),
    }
}

fn dora_rows(report: &DoraReport) -> Vec<&DoraScope> {
    std::iter::once(&report.overall)
        .chain(report.repos.iter())
        .collect()
}

pub fn dora_human(report: &DoraReport) -> String {
    let mut out = format!(
        "DORA, environment {}, {} .. {} ({} days; commit times from {}; {} incident(s))\n\n",
        report.environment,
        report.since,
        report.until,
        report.days,
        report.commit_times,
        report.incidents
    );
    let _ = writeln!(
        out,
        "{:<28} {:>7} {:>12} {:>8} {:>14} {:>8} {:>10} {:>8} {:>14} {:>8}",
        "scope",
        "deploys",
        "per week",
        "band",
        "lead time",
        "band",
        "CFR",
        "band",
        "recovery",
        "band"
    );
    for s in dora_rows(report) {
        let _ = writeln!(
            out,
            "{:<28} {:>7} {:>12} {:>8} {:>14} {:>8} {:>10} {:>8} {:>14} {:>8}",
            s.scope,
            s.deployments,
            s.deployments_per_week,
            s.deployment_frequency_band.as_str(),
            hours(s.lead_time_hours),
            band(s.lead_time_band),
            pct(s.change_failure_rate),
            band(s.change_failure_rate_band),
            hours(s.recovery_hours),
            band(s.recovery_band)
        );
    }
    out
}

fn md_escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn dora_markdown(report: &DoraReport) -> String {
    let mut out = format!(
        "### DORA ({}, {} .. {})\n\n| scope | deployments | per week | lead time | change failure rate | recovery time |\n|---|---:|---:|---:|---:|---:|\n",
        report.environment,
        &report.since[..10.min(report.since.len())],
        &report.until[..10.min(report.until.len())]
    );
    for s in dora_rows(report) {
        let _ = writeln!(
            out,
            "| {} | {} | {} ({}) | {} ({}) | {} ({}) | {} ({}) |",
            md_escape(&s.scope),
            s.deployments,
            s.deployments_per_week,
            s.deployment_frequency_band.as_str(),
            hours(s.lead_time_hours),
            band(s.lead_time_band),
            pct(s.change_failure_rate),
            band(s.change_failure_rate_band),
            hours(s.recovery_hours),
            band(s.recovery_band)
        );
    }
    let _ = writeln!(
        out,
        "\nBands: DORA research (2023 State of DevOps); definitions in docs/telemetry.md. Commit times from {}.",
        report.commit_times
    );
    out
}

fn health_line(r: &HealthRow) -> String {
    format!(
        "{:<28} {:>7} {:>8} {:>9} {:>9} {:>9} {:>10} {:>10} {:>7} {:>8} {:>6}",
        r.scope,
        r.runs,
        pct(r.success_rate),
        duration(r.duration_p50_ms),
        duration(r.duration_p95_ms),
        duration(r.queue_p50_ms),
        opt(r.cost_usd_per_run.map(|c| format!("${c:.4}"))),
        opt(r.co2e_g_per_run.map(|c| format!("{c:.2} g"))),
        opt(r.flakiness_index.map(|f| format!("{f:.3}"))),
        opt(r.mutation_score.map(|s| format!("{:.1} %", s * 100.0))),
        r.denials
    )
}

pub fn health_human(report: &HealthReport) -> String {
    let mut out = format!("Run health, {} .. {}\n\n", report.since, report.until);
    let _ = writeln!(
        out,
        "{:<28} {:>7} {:>8} {:>9} {:>9} {:>9} {:>10} {:>10} {:>7} {:>8} {:>6}",
        "scope",
        "runs",
        "success",
        "p50",
        "p95",
        "queue p50",
        "cost/run",
        "CO2e/run",
        "flaky",
        "mutation",
        "denied"
    );
    for r in std::iter::once(&report.overall).chain(report.repos.iter()) {
        let _ = writeln!(out, "{}", health_line(r));
    }
    let _ = writeln!(
        out,
        "\nper job\n{:<28} {:<12} {:>7} {:>8} {:>9} {:>9}",
        "repo", "job", "runs", "success", "p50", "p95"
    );
    for j in &report.jobs {
        let _ = writeln!(
            out,
            "{:<28} {:<12} {:>7} {:>8} {:>9} {:>9}",
            j.repo,
            j.job,
            j.runs,
            pct(j.success_rate),
            duration(j.duration_p50_ms),
            duration(j.duration_p95_ms)
        );
    }
    let _ = writeln!(
        out,
        "\npolicy decisions by gate\n{:<20} {:>9} {:>7} {:>7} {:>6}",
        "gate", "decisions", "denied", "warned", "repos"
    );
    for d in &report.denials {
        let _ = writeln!(
            out,
            "{:<20} {:>9} {:>7} {:>7} {:>6}",
            d.gate, d.decisions, d.denials, d.warnings, d.repos_denied
        );
    }
    out
}

pub fn health_markdown(report: &HealthReport) -> String {
    let mut out = format!(
        "### Run health ({} .. {})\n\n| scope | runs | success | p50 | p95 | queue p50 | cost/run | CO₂e/run | flakiness | mutation score | denials |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        &report.since[..10.min(report.since.len())],
        &report.until[..10.min(report.until.len())]
    );
    for r in std::iter::once(&report.overall).chain(report.repos.iter()) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md_escape(&r.scope),
            r.runs,
            pct(r.success_rate),
            duration(r.duration_p50_ms),
            duration(r.duration_p95_ms),
            duration(r.queue_p50_ms),
            opt(r.cost_usd_per_run.map(|c| format!("${c:.4}"))),
            opt(r.co2e_g_per_run.map(|c| format!("{c:.2} g"))),
            opt(r.flakiness_index.map(|f| format!("{f:.3}"))),
            pct(r.mutation_score),
            r.denials
        );
    }
    if !report.denials.is_empty() {
        out.push_str(
            "\n| gate | decisions | denied | warned | repos denied |\n|---|---:|---:|---:|---:|\n",
        );
        for d in report.denials.iter().take(10) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_escape(&d.gate),
                d.decisions,
                d.denials,
                d.warnings,
                d.repos_denied
            );
        }
    }
    out
}

/// One daily series of a chart.
struct Series {
    name: &'static str,
    unit: &'static str,
    values: Vec<Option<f64>>,
    color: RGBColor,
}

/// Daily series derived from the health report.
struct Daily {
    days: Vec<String>,
    runs: Vec<Option<f64>>,
    success_pct: Vec<Option<f64>>,
    p50_min: Vec<Option<f64>>,
    p95_min: Vec<Option<f64>>,
    cost: Vec<Option<f64>>,
    co2_kg: Vec<Option<f64>>,
    flakiness: Vec<Option<f64>>,
    mutation_pct: Vec<Option<f64>>,
    denials: Vec<Option<f64>>,
}

fn daily(health: &HealthReport) -> Daily {
    let d = &health.days;
    let col = |f: &dyn Fn(&HealthRow) -> Option<f64>| d.iter().map(f).collect::<Vec<_>>();
    Daily {
        days: d.iter().map(|r| r.scope.clone()).collect(),
        runs: col(&|r| Some(r.runs as f64)),
        success_pct: col(&|r| r.success_rate.map(|v| v * 100.0)),
        p50_min: col(&|r| r.duration_p50_ms.map(|v| v as f64 / 60_000.0)),
        p95_min: col(&|r| r.duration_p95_ms.map(|v| v as f64 / 60_000.0)),
        cost: col(&|r| Some(r.cost_usd)),
        co2_kg: col(&|r| Some(r.co2e_g / 1000.0)),
        flakiness: col(&|r| r.flakiness_index),
        mutation_pct: col(&|r| r.mutation_score.map(|v| v * 100.0)),
        denials: col(&|r| Some(r.denials as f64)),
    }
}

/// Text safe inside SVG and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
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

/// `2025-10-03` -> `Oct 03`.
fn short_day(day: &str) -> String {
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| d.format("%b %d").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

/// A line chart of daily series as an SVG string.
fn line_chart(title: &str, y_desc: &str, days: &[String], series: &[Series]) -> String {
    let mut svg = String::new();
    let values: Vec<f64> = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .collect();
    let max = values.iter().copied().fold(0.0f64, f64::max);
    // Headroom above the data for the legend.
    let top = if max <= 0.0 { 1.0 } else { max * 1.35 };
    let n = days.len().max(2);
    {
        let root = SVGBackend::with_string(&mut svg, (760, 320)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let built = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, ("sans-serif", 20))
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d(0f64..(n - 1) as f64, 0f64..top);
        let Ok(mut chart) = built else {
            return String::new();
        };
        let label = |x: &f64| -> String {
            let i = x.round().max(0.0) as usize;
            days.get(i).map(|d| short_day(d)).unwrap_or_default()
        };
        let _ = chart
            .configure_mesh()
            .x_labels(8)
            .y_labels(6)
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .x_label_formatter(&label)
            .x_desc("date (UTC)")
            .y_desc(y_desc)
            .light_line_style(RGBColor(235, 235, 235))
            .draw();
        for s in series {
            let points: Vec<(f64, f64)> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
                .collect();
            let color = s.color;
            if let Ok(drawn) = chart.draw_series(LineSeries::new(points, color.stroke_width(2))) {
                drawn
                    .label(format!("{} ({})", s.name, s.unit))
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                    });
            }
        }
        let _ = chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(("sans-serif", 13))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw();
        let _ = root.present();
    }
    svg
}

/// Vertical bars (one per label) as an SVG string.
fn bar_chart(title: &str, y_desc: &str, bars: &[(String, f64)]) -> String {
    let mut svg = String::new();
    let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max);
    let top = if max <= 0.0 { 1.0 } else { max * 1.15 };
    {
        let root = SVGBackend::with_string(&mut svg, (760, 320)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let n = bars.len().max(1) as u32;
        let built = ChartBuilder::on(&root)
            .margin(12)
            .caption(title, ("sans-serif", 20))
            .x_label_area_size(42)
            .y_label_area_size(64)
            .build_cartesian_2d((0u32..n).into_segmented(), 0f64..top);
        let Ok(mut chart) = built else {
            return String::new();
        };
        let label = |v: &SegmentValue<u32>| -> String {
            match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => bars
                    .get(*i as usize)
                    .map(|b| b.0.clone())
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            }
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len().max(1))
            .label_style(("sans-serif", 13))
            .axis_desc_style(("sans-serif", 14))
            .x_label_formatter(&label)
            .x_desc("gate")
            .y_desc(y_desc)
            .draw();
        let _ = chart.draw_series(
            Histogram::vertical(&chart)
                .style(RGBColor(200, 60, 50).filled())
                .margin(12)
                .data(bars.iter().enumerate().map(|(i, b)| (i as u32, b.1))),
        );
        let _ = root.present();
    }
    svg
}

fn data_table(caption: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = format!(
        "<details><summary>Table: {}</summary><table><caption>{}</caption><thead><tr>",
        escape(caption),
        escape(caption)
    );
    for h in header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", escape(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", escape(cell));
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>");
    out
}

fn fmt_value(v: Option<f64>, places: usize) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.places$}"))
}

fn figure(
    id: &str,
    title: &str,
    y_desc: &str,
    days: &[String],
    series: &[Series],
    places: usize,
) -> String {
    let svg = line_chart(title, y_desc, days, series);
    let mut header = vec!["date (UTC)"];
    let names: Vec<String> = series
        .iter()
        .map(|s| format!("{} ({})", s.name, s.unit))
        .collect();
    header.extend(names.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            std::iter::once(d.clone())
                .chain(
                    series
                        .iter()
                        .map(|s| fmt_value(s.values.get(i).copied().flatten(), places)),
                )
                .collect()
        })
        .collect();
    format!(
        "<figure id=\"{id}\"><div class=\"chart\" role=\"img\" aria-label=\"{}: line chart by day; the data table follows\">{svg}</div>{}</figure>\n",
        escape(title),
        data_table(title, &header, &rows)
    )
}

fn band_class(b: Option<Band>) -> &'static str {
    match b {
        Some(Band::Elite) => "elite",
        Some(Band::High) => "high",
        Some(Band::Medium) => "medium",
        Some(Band::Low) => "low",
        None => "none",
    }
}

fn card(label: &str, value: &str, b: Option<Band>, detail: &str) -> String {
    format!(
        "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div><div class=\"band {}\">{}</div><div class=\"detail\">{}</div></div>",
        escape(label),
        escape(value),
        band_class(b),
        escape(band(b)),
        escape(detail)
    )
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.2rem;margin:32px 0 12px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.meta{color:#57606a;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px}
.card .label{color:#57606a;font-size:.85rem}.card .value{font-size:1.6rem;font-weight:600;margin:6px 0}
.card .detail{color:#57606a;font-size:.8rem;margin-top:6px}
.band{display:inline-block;border-radius:12px;padding:2px 10px;font-size:.8rem;font-weight:600;text-transform:uppercase}
.band.elite{background:#dafbe1;color:#116329}.band.high{background:#ddf4ff;color:#0550ae}
.band.medium{background:#fff8c5;color:#7d4e00}.band.low{background:#ffebe9;color:#a40e26}.band.none{background:#eaeef2;color:#57606a}
figure{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:0 0 16px;padding:12px}
.chart svg{width:100%;height:auto;display:block}
table{border-collapse:collapse;font-size:.85rem;margin-top:8px;width:100%}
th,td{border-bottom:1px solid #eaeef2;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
thead th{background:#f6f8fa}caption{text-align:left;font-weight:600;padding:4px 0}
details summary{cursor:pointer;color:#0969da;font-size:.85rem;margin-top:6px}
.wide{overflow-x:auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:8px}
footer{color:#57606a;font-size:.8rem;margin-top:32px}";

/// The self-contained dashboard: no script, no external resource.
pub fn html(dora: &DoraReport, health: &HealthReport) -> String {
    let d = daily(health);
    let o = &dora.overall;
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>CI telemetry</h1><p class=\"meta\">{} .. {} (UTC) · {} runs · {} repositories · generated by ci-intel-telemetry {}</p>",
        escape(&health.since),
        escape(&health.until),
        health.overall.runs,
        health.repos.len(),
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(
        body,
        "<h2>DORA ({})</h2><div class=\"cards\">",
        escape(&dora.environment)
    );
    body.push_str(&card(
        "Deployment frequency",
        &format!("{} / week", o.deployments_per_week),
        Some(o.deployment_frequency_band),
        &format!(
            "{} successful of {} deployments",
            o.successful_deployments, o.deployments
        ),
    ));
    body.push_str(&card(
        "Lead time for changes (median)",
        &hours(o.lead_time_hours),
        o.lead_time_band,
        &format!(
            "{} change(s); commit times from {}",
            o.changes, dora.commit_times
        ),
    ));
    body.push_str(&card(
        "Change failure rate",
        &pct(o.change_failure_rate),
        o.change_failure_rate_band,
        &format!(
            "{} of {} deployments failed, rolled back or caused an incident",
            o.change_failures, o.deployments
        ),
    ));
    body.push_str(&card(
        "Failed deployment recovery time (median)",
        &hours(o.recovery_hours),
        o.recovery_band,
        &format!("{} recovered, {} not yet", o.recoveries, o.unrecovered),
    ));
    body.push_str("</div>");
    let dora_rows: Vec<Vec<String>> = dora
        .repos
        .iter()
        .map(|s| {
            vec![
                s.scope.clone(),
                s.deployments.to_string(),
                format!(
                    "{} ({})",
                    s.deployments_per_week,
                    s.deployment_frequency_band.as_str()
                ),
                format!("{} ({})", hours(s.lead_time_hours), band(s.lead_time_band)),
                format!(
                    "{} ({})",
                    pct(s.change_failure_rate),
                    band(s.change_failure_rate_band)
                ),
                format!("{} ({})", hours(s.recovery_hours), band(s.recovery_band)),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<div class=\"wide\">{}</div>",
        data_table(
            "DORA per repository",
            &[
                "repository",
                "deployments",
                "per week",
                "lead time",
                "change failure rate",
                "recovery time"
            ],
            &dora_rows
        )
        .replace("<details>", "<details open>")
    );
    body.push_str("<h2>Run health</h2>");
    body.push_str(&figure(
        "runs",
        "Runs and success rate per day",
        "runs / success %",
        &d.days,
        &[
            Series {
                name: "runs",
                unit: "count",
                values: d.runs.clone(),
                color: RGBColor(9, 105, 218),
            },
            Series {
                name: "success rate",
                unit: "%",
                values: d.success_pct.clone(),
                color: RGBColor(26, 127, 55),
            },
        ],
        1,
    ));
    body.push_str(&figure(
        "duration",
        "Run duration per day",
        "minutes",
        &d.days,
        &[
            Series {
                name: "p50",
                unit: "min",
                values: d.p50_min.clone(),
                color: RGBColor(9, 105, 218),
            },
            Series {
                name: "p95",
                unit: "min",
                values: d.p95_min.clone(),
                color: RGBColor(191, 135, 0),
            },
        ],
        2,
    ));
    let repo_rows: Vec<Vec<String>> = health
        .repos
        .iter()
        .map(|r| {
            vec![
                r.scope.clone(),
                r.runs.to_string(),
                pct(r.success_rate),
                duration(r.duration_p50_ms),
                duration(r.duration_p95_ms),
                duration(r.queue_p50_ms),
                opt(r.cost_usd_per_run.map(|c| format!("${c:.4}"))),
                opt(r.co2e_g_per_run.map(|c| format!("{c:.2} g"))),
                opt(r.flakiness_index.map(|f| format!("{f:.3}"))),
                pct(r.mutation_score),
                r.denials.to_string(),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<div class=\"wide\">{}</div>",
        data_table(
            "Run health per repository",
            &[
                "repository",
                "runs",
                "success",
                "p50",
                "p95",
                "queue p50",
                "cost/run",
                "CO₂e/run",
                "flakiness",
                "mutation score",
                "denials"
            ],
            &repo_rows
        )
        .replace("<details>", "<details open>")
    );
    body.push_str("<h2>Cost and carbon</h2>");
    body.push_str(&figure(
        "cost",
        "Compute cost per day",
        "USD",
        &d.days,
        &[Series {
            name: "cost",
            unit: "USD",
            values: d.cost.clone(),
            color: RGBColor(130, 80, 223),
        }],
        2,
    ));
    body.push_str(&figure(
        "carbon",
        "Emissions per day",
        "kg CO₂e",
        &d.days,
        &[Series {
            name: "emissions",
            unit: "kg CO₂e",
            values: d.co2_kg.clone(),
            color: RGBColor(26, 127, 55),
        }],
        3,
    ));
    body.push_str("<h2>Flakiness and test resilience</h2>");
    body.push_str(&figure(
        "flakiness",
        "Flakiness index per day (mean, 0 to 1)",
        "flakiness index",
        &d.days,
        &[Series {
            name: "flakiness index",
            unit: "0-1",
            values: d.flakiness.clone(),
            color: RGBColor(191, 135, 0),
        }],
        4,
    ));
    body.push_str(&figure(
        "mutation",
        "Mutation score per day (mean of runs with mutation testing)",
        "mutation score %",
        &d.days,
        &[Series {
            name: "mutation score",
            unit: "%",
            values: d.mutation_pct.clone(),
            color: RGBColor(9, 105, 218),
        }],
        1,
    ));
    body.push_str("<h2>Top policy denials</h2>");
    let bars: Vec<(String, f64)> = health
        .denials
        .iter()
        .take(10)
        .map(|x| (x.gate.clone(), x.denials as f64))
        .collect();
    let denial_rows: Vec<Vec<String>> = health
        .denials
        .iter()
        .take(10)
        .map(|x| {
            vec![
                x.gate.clone(),
                x.decisions.to_string(),
                x.denials.to_string(),
                x.warnings.to_string(),
                x.repos_denied.to_string(),
            ]
        })
        .collect();
    let _ = write!(
        body,
        "<figure id=\"denials\"><div class=\"chart\" role=\"img\" aria-label=\"Denials by gate: bar chart; the data table follows\">{}</div>{}</figure>",
        bar_chart("Denials by gate", "denials (count)", &bars),
        data_table(
            "Denials by gate",
            &[
                "gate",
                "decisions",
                "denied",
                "warned",
                "repositories denied"
            ],
            &denial_rows
        )
    );
    body.push_str(&figure(
        "denials-daily",
        "Policy denials per day",
        "denials",
        &d.days,
        &[Series {
            name: "denials",
            unit: "count",
            values: d.denials.clone(),
            color: RGBColor(200, 60, 50),
        }],
        0,
    ));
    body.push_str("<footer>DORA bands: 2023 State of DevOps report clusters. Lead time: first commit to the end of the successful production deployment. Change failure rate: failed, rolled-back or incident-linked deployments over all deployments. Definitions: docs/telemetry.md.</footer>");
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>CI telemetry</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>\n"
    )
}

fn mermaid_line(
    title: &str,
    y: &str,
    days: &[String],
    values: &[Option<f64>],
    places: usize,
) -> String {
    // The newest 30 days: Mermaid's axis stays readable.
    let start = days.len().saturating_sub(30);
    let labels: Vec<String> = days[start..]
        .iter()
        .map(|d| format!("\"{}\"", short_day(d)))
        .collect();
    let points: Vec<String> = values[start..]
        .iter()
        .map(|v| format!("{:.places$}", v.unwrap_or(0.0)))
        .collect();
    let max = values[start..]
        .iter()
        .flatten()
        .copied()
        .fold(0.0f64, f64::max);
    let top = if max <= 0.0 {
        1.0
    } else {
        (max * 1.1 * 10f64.powi(places as i32)).ceil() / 10f64.powi(places as i32)
    };
    format!(
        "```mermaid\nxychart-beta\n    title \"{title}\"\n    x-axis [{}]\n    y-axis \"{y}\" 0 --> {top}\n    line [{}]\n```\n\n",
        labels.join(", "),
        points.join(", ")
    )
}

/// The step-summary report: DORA, health, trends as Mermaid charts.
pub fn markdown(dora: &DoraReport, health: &HealthReport) -> String {
    let d = daily(health);
    let mut out = String::from("## CI telemetry\n\n");
    out.push_str(&dora_markdown(dora));
    out.push('\n');
    out.push_str(&health_markdown(health));
    out.push('\n');
    if !d.days.is_empty() {
        out.push_str("### Trends (last 30 days of the window)\n\n");
        out.push_str(&mermaid_line(
            "Success rate per day",
            "success %",
            &d.days,
            &d.success_pct,
            1,
        ));
        out.push_str(&mermaid_line(
            "Run duration p95 per day",
            "minutes",
            &d.days,
            &d.p95_min,
            1,
        ));
        out.push_str(&mermaid_line("Cost per day", "USD", &d.days, &d.cost, 2));
        out.push_str(&mermaid_line(
            "Flakiness index per day",
            "index 0-1",
            &d.days,
            &d.flakiness,
            3,
        ));
        out.push_str(&mermaid_line(
            "Mutation score per day",
            "score %",
            &d.days,
            &d.mutation_pct,
            1,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Some(950)), "950 ms");
        assert_eq!(duration(Some(42_000)), "42 s");
        assert_eq!(duration(Some(210_000)), "3.5 min");
        assert_eq!(duration(Some(7_560_000)), "2.1 h");
        assert_eq!(duration(None), "–");
        assert_eq!(hours(Some(0.5)), "30 min");
        assert_eq!(hours(Some(72.0)), "3.0 days");
    }

    #[test]
    fn escaping_covers_markup() {
        assert_eq!(
            escape("<a href='x'>&\""),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;"
        );
        assert_eq!(md_escape("a|b<c>"), "a\\|b&lt;c&gt;");
    }

    #[test]
    fn a_line_chart_has_axes_dates_and_units() {
        let days: Vec<String> = (1..=20).map(|d| format!("2025-10-{d:02}")).collect();
        let values: Vec<Option<f64>> = (0..20).map(|i| Some(f64::from(i))).collect();
        let svg = line_chart(
            "Runs <per> day",
            "runs",
            &days,
            &[Series {
                name: "runs",
                unit: "count",
                values,
                color: RGBColor(0, 0, 0),
            }],
        );
        assert!(svg.starts_with("<svg"), "{}", &svg[..100.min(svg.len())]);
        assert!(svg.contains("Oct 01"), "date labels");
        assert!(
            svg.contains("\ndate (UTC)\n") && svg.contains("\nruns\n"),
            "axis titles"
        );
        assert!(svg.contains("runs (count)"), "legend with unit");
        assert!(
            !svg.contains("<per>") && svg.contains("Runs &lt;per&gt; day"),
            "titles are escaped once"
        );
        assert!(
            svg.contains("<polyline") || svg.contains("<path"),
            "a line is drawn"
        );
    }
}
