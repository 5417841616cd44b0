//! `diff OLD NEW`: what changed between two SBOMs. Components are matched
//! by package (purl without version and qualifiers, else the name), so a
//! version bump is one "upgraded" entry, not a removal and an addition;
//! versions are ordered by ecosystem ([`crate::version`]). Licence changes
//! are reported for matched components, and new and fixed vulnerabilities
//! when findings are given for both sides.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::sbom::{Component, Sbom};
use crate::scan::Vulnerability;

/// A component on one or both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub name: String,
    /// The purl type (`npm`, `golang`...), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    /// The purl on the new side (else the old), without qualifiers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
}

/// A licence that changed on a component present on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenseChange {
    pub name: String,
    pub old_version: Option<String>,
    pub new_version: Option<String>,
    pub old_license: String,
    pub new_license: String,
}

/// A vulnerability that appeared or went away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VulnChange {
    pub id: String,
    pub package: String,
    pub version: Option<String>,
}

/// The difference between two SBOMs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub upgraded: Vec<Change>,
    pub downgraded: Vec<Change>,
    pub licenses_changed: Vec<LicenseChange>,
    /// The product (root component), when its version changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product: Option<Change>,
    /// Present when findings were given for both sides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_vulnerabilities: Option<Vec<VulnChange>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_vulnerabilities: Option<Vec<VulnChange>>,
    /// Components on each side, and how many are unchanged.
    pub old_components: usize,
    pub new_components: usize,
    pub unchanged: usize,
}

fn name_of(c: &Component) -> String {
    c.purl
        .as_ref()
        .map(crate::purl::Purl::display_name)
        .unwrap_or_else(|| c.name.clone())
}

fn license_text(c: &Component) -> String {
    let text = crate::license::judge_decls(&c.licenses, &Default::default()).expression;
    if text.is_empty() {
        "(none)".to_owned()
    } else {
        text
    }
}

/// Compare two SBOMs (and optionally their findings).
pub fn diff(old: &Sbom, new: &Sbom, vulns: Option<(&[Vulnerability], &[Vulnerability])>) -> Diff {
    let mut by_key: BTreeMap<String, (Vec<&Component>, Vec<&Component>)> = BTreeMap::new();
    for c in &old.components {
        by_key.entry(c.package_key()).or_default().0.push(c);
    }
    for c in &new.components {
        by_key.entry(c.package_key()).or_default().1.push(c);
    }
    let mut out = Diff {
        old_components: old.components.len(),
        new_components: new.components.len(),
        ..Diff::default()
    };
    for (olds, news) in by_key.values() {
        let ty = news
            .first()
            .or(olds.first())
            .and_then(|c| c.ecosystem())
            .map(str::to_owned);
        let version = |c: &Component| c.effective_version().unwrap_or("").to_owned();
        let mut old_left: Vec<&Component> = olds.clone();
        let mut new_left: Vec<&Component> = Vec::new();
        for n in news {
            match old_left.iter().position(|o| version(o) == version(n)) {
                Some(i) => {
                    let o = old_left.remove(i);
                    out.unchanged += 1;
                    license_change(&mut out, o, n);
                }
                None => new_left.push(n),
            }
        }
        let order = |a: &&Component, b: &&Component| {
            crate::version::compare(ty.as_deref(), &version(a), &version(b))
        };
        old_left.sort_by(order);
        new_left.sort_by(order);
        let change = |o: Option<&Component>, n: Option<&Component>| {
            let c = n.or(o).expect("one side");
            Change {
                name: name_of(c),
                ecosystem: ty.clone(),
                purl: c.purl.as_ref().map(crate::purl::Purl::package_key),
                old_version: o.and_then(|o| o.effective_version().map(str::to_owned)),
                new_version: n.and_then(|n| n.effective_version().map(str::to_owned)),
            }
        };
        let pairs = old_left.len().min(new_left.len());
        for k in 0..pairs {
            let (o, n) = (old_left[k], new_left[k]);
            license_change(&mut out, o, n);
            let entry = change(Some(o), Some(n));
            match crate::version::compare(ty.as_deref(), &version(o), &version(n)) {
                Ordering::Greater => out.downgraded.push(entry),
                _ => out.upgraded.push(entry),
            }
        }
        for o in &old_left[pairs..] {
            out.removed.push(change(Some(o), None));
        }
        for n in &new_left[pairs..] {
            out.added.push(change(None, Some(n)));
        }
    }
    if let (Some(o), Some(n)) = (&old.root, &new.root)
        && o.effective_version() != n.effective_version()
    {
        out.product = Some(Change {
            name: name_of(n),
            ecosystem: n.ecosystem().map(str::to_owned),
            purl: n.purl.as_ref().map(crate::purl::Purl::package_key),
            old_version: o.effective_version().map(str::to_owned),
            new_version: n.effective_version().map(str::to_owned),
        });
    }
    if let Some((old_v, new_v)) = vulns {
        let key = |v: &Vulnerability| (v.id.clone(), v.package_key.clone());
        let olds: BTreeSet<(String, String)> = old_v.iter().map(key).collect();
        let news: BTreeSet<(String, String)> = new_v.iter().map(key).collect();
        let entry = |v: &Vulnerability| VulnChange {
            id: v.id.clone(),
            package: v.package.clone(),
            version: v.version.clone(),
        };
        let mut added: Vec<VulnChange> = new_v
            .iter()
            .filter(|v| !olds.contains(&key(v)))
            .map(entry)
            .collect();
        let mut fixed: Vec<VulnChange> = old_v
            .iter()
            .filter(|v| !news.contains(&key(v)))
            .map(entry)
            .collect();
        added.dedup();
        fixed.dedup();
        out.new_vulnerabilities = Some(added);
        out.fixed_vulnerabilities = Some(fixed);
    }
    out
}

fn license_change(out: &mut Diff, o: &Component, n: &Component) {
    let (a, b) = (license_text(o), license_text(n));
    if a != b {
        out.licenses_changed.push(LicenseChange {
            name: name_of(n),
            old_version: o.effective_version().map(str::to_owned),
            new_version: n.effective_version().map(str::to_owned),
            old_license: a,
            new_license: b,
        });
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn v(text: &Option<String>) -> String {
    text.as_deref()
        .map_or("–".to_owned(), |t| format!("`{}`", cell(t)))
}

/// The diff as Markdown, for a pull-request comment and the step summary.
pub fn markdown(d: &Diff, old_name: &str, new_name: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### SBOM diff: `{}` → `{}`\n",
        cell(old_name),
        cell(new_name)
    );
    if let Some(p) = &d.product {
        let _ = writeln!(
            out,
            "Product **{}**: {} → {}\n",
            cell(&p.name),
            v(&p.old_version),
            v(&p.new_version)
        );
    }
    let _ = writeln!(
        out,
        "{} → {} components: {} added, {} removed, {} upgraded, {} downgraded, {} licence change(s), {} unchanged.\n",
        d.old_components,
        d.new_components,
        d.added.len(),
        d.removed.len(),
        d.upgraded.len(),
        d.downgraded.len(),
        d.licenses_changed.len(),
        d.unchanged
    );
    let changes: Vec<(&str, &Change)> = d
        .added
        .iter()
        .map(|c| ("added", c))
        .chain(d.removed.iter().map(|c| ("removed", c)))
        .chain(d.upgraded.iter().map(|c| ("upgraded", c)))
        .chain(d.downgraded.iter().map(|c| ("downgraded", c)))
        .collect();
    if !changes.is_empty() {
        let _ = writeln!(
            out,
            "| change | component | ecosystem | old | new |\n|---|---|---|---|---|"
        );
        for (kind, c) in changes {
            let _ = writeln!(
                out,
                "| {kind} | {} | {} | {} | {} |",
                cell(&c.name),
                c.ecosystem.as_deref().unwrap_or("–"),
                v(&c.old_version),
                v(&c.new_version)
            );
        }
        out.push('\n');
    }
    if !d.licenses_changed.is_empty() {
        let _ = writeln!(
            out,
            "| licence change | version | old licence | new licence |\n|---|---|---|---|"
        );
        for l in &d.licenses_changed {
            let _ = writeln!(
                out,
                "| {} | {} → {} | `{}` | `{}` |",
                cell(&l.name),
                v(&l.old_version),
                v(&l.new_version),
                cell(&l.old_license),
                cell(&l.new_license)
            );
        }
        out.push('\n');
    }
    for (title, list) in [
        ("New vulnerabilities", &d.new_vulnerabilities),
        ("Fixed vulnerabilities", &d.fixed_vulnerabilities),
    ] {
        if let Some(list) = list {
            let _ = writeln!(out, "**{title}**: {}", list.len());
            for x in list {
                let _ = writeln!(
                    out,
                    "- {} on {} {}",
                    cell(&x.id),
                    cell(&x.package),
                    v(&x.version)
                );
            }
            out.push('\n');
        }
    }
    out
}
