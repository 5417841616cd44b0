//! What a result is about, for merging across tools: its rule's alias
//! groups, its CWEs, the vulnerabilities it names with the affected
//! package, and its place in the code.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Built-in alias groups: rule ids of different tools that report the same
/// problem. ci-intel-policy's ids are bare, zizmor's carry `zizmor/`.
pub const BUILTIN_ALIASES: &[(&str, &[&str])] = &[
    ("actions/artipacked", &["artipacked", "zizmor/artipacked"]),
    (
        "actions/cache-poisoning",
        &["cache-poisoning", "zizmor/cache-poisoning"],
    ),
    (
        "actions/dangerous-triggers",
        &["dangerous-triggers", "zizmor/dangerous-triggers"],
    ),
    (
        "actions/excessive-permissions",
        &["excessive-permissions", "zizmor/excessive-permissions"],
    ),
    (
        "actions/hardcoded-credentials",
        &[
            "hardcoded-credentials",
            "zizmor/hardcoded-container-credentials",
        ],
    ),
    (
        "actions/secrets-inherit",
        &["secrets-inherit", "zizmor/secrets-inherit"],
    ),
    (
        "actions/self-hosted-runner",
        &["self-hosted-runner", "zizmor/self-hosted-runner"],
    ),
    (
        "actions/template-injection",
        &["template-injection", "zizmor/template-injection"],
    ),
    (
        "actions/unpinned-images",
        &["unpinned-images", "zizmor/unpinned-images"],
    ),
    // A branch or floating tag is an unpinned reference to zizmor.
    (
        "actions/unpinned-uses",
        &["unpinned-uses", "floating-ref", "zizmor/unpinned-uses"],
    ),
];

/// Rule id (lower case) to the alias groups it belongs to.
#[derive(Debug, Clone, Default)]
pub struct AliasTable {
    groups: BTreeMap<String, BTreeSet<String>>,
}

impl AliasTable {
    /// The built-in table plus `extra` (group name to rule ids).
    pub fn new(extra: &BTreeMap<String, Vec<String>>) -> AliasTable {
        let mut table = AliasTable::default();
        for (group, rules) in BUILTIN_ALIASES {
            for rule in *rules {
                table.add(group, rule);
            }
        }
        for (group, rules) in extra {
            for rule in rules {
                table.add(group, rule);
            }
        }
        table
    }

    fn add(&mut self, group: &str, rule: &str) {
        self.groups
            .entry(rule.to_ascii_lowercase())
            .or_default()
            .insert(group.to_owned());
    }

    pub fn groups(&self, rule: &str) -> BTreeSet<String> {
        self.groups
            .get(&rule.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }
}

/// Where a result is in the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePlace {
    pub uri: String,
    pub start: u64,
    pub end: u64,
}

impl CodePlace {
    pub fn overlaps(&self, other: &CodePlace) -> bool {
        self.uri == other.uri && self.start <= other.end && other.start <= self.end
    }
}

/// A result's identity for cross-tool merging.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub groups: BTreeSet<String>,
    pub cwes: BTreeSet<String>,
    pub vulns: BTreeSet<String>,
    pub package: Option<String>,
    pub place: Option<CodePlace>,
}

/// A URI as tools write it, reduced to a comparable relative path.
pub fn normalize_uri(uri: &str) -> String {
    let mut text = uri.trim();
    if let Some(rest) = text.strip_prefix("file://") {
        text = rest;
    }
    while let Some(rest) = text.strip_prefix("./") {
        text = rest;
    }
    text.replace('\\', "/")
}

/// The first physical location of a result.
pub fn code_place(result: &Value) -> Option<CodePlace> {
    let physical = &result["locations"][0]["physicalLocation"];
    let uri = physical["artifactLocation"]["uri"].as_str()?;
    let region = &physical["region"];
    let start = region["startLine"].as_u64().unwrap_or(0);
    let end = region["endLine"].as_u64().unwrap_or(start).max(start);
    Some(CodePlace {
        uri: normalize_uri(uri),
        start,
        end,
    })
}

/// CWE ids (`CWE-79`) in rule tags (`CWE-79`, `external/cwe/cwe-079`), a
/// `cwe` property, or the result's taxa.
pub fn cwes(rule: Option<&Value>, result: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut texts: Vec<&str> = Vec::new();
    for holder in [rule.map(|r| &r["properties"]), Some(&result["properties"])]
        .into_iter()
        .flatten()
    {
        for tag in holder["tags"].as_array().into_iter().flatten() {
            texts.extend(tag.as_str());
        }
        match &holder["cwe"] {
            Value::String(s) => texts.push(s),
            Value::Array(items) => texts.extend(items.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    for taxon in result["taxa"].as_array().into_iter().flatten() {
        texts.extend(taxon["id"].as_str());
    }
    for text in texts {
        let lower = text.to_ascii_lowercase();
        let tail = lower
            .strip_prefix("external/cwe/")
            .unwrap_or(&lower)
            .strip_prefix("cwe-")
            .or_else(|| lower.strip_prefix("cwe-"));
        if let Some(number) = tail
            && !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
        {
            let number = number.trim_start_matches('0');
            found.insert(format!(
                "CWE-{}",
                if number.is_empty() { "0" } else { number }
            ));
        }
    }
    found
}

/// Vulnerability ids (`CVE-2023-1234`, `GHSA-xxxx-xxxx-xxxx`) in `text`.
pub fn vuln_ids(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let bytes = text.as_bytes();
    let upper = text.to_ascii_uppercase();
    let mut index = 0;
    while index < bytes.len() {
        let rest = &upper[index..];
        if let Some(after) = rest.strip_prefix("CVE-") {
            let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
            let year = digits(after);
            if year == 4 && rest.as_bytes().get(8) == Some(&b'-') {
                let number = digits(&rest[9..]);
                if number >= 4 {
                    found.insert(rest[..9 + number].to_owned());
                    index += 9 + number;
                    continue;
                }
            }
        } else if rest.starts_with("GHSA-")
            && let Some(candidate) = rest.get(..19)
        {
            let ok = candidate[5..].split('-').count() == 3
                && candidate[5..]
                    .split('-')
                    .all(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphanumeric()));
            if ok {
                found.insert(format!("GHSA-{}", candidate[5..].to_ascii_lowercase()));
                index += 19;
                continue;
            }
        }
        index += rest.chars().next().map_or(1, char::len_utf8);
    }
    found
}

fn text_of(value: &Value) -> &str {
    value["text"].as_str().unwrap_or_default()
}

/// The vulnerabilities a result reports, from the first place that names
/// any: its rule id, its rule's descriptions, its message.
pub fn vulns(rule_id: &str, rule: Option<&Value>, result: &Value) -> BTreeSet<String> {
    let mut candidates: Vec<&str> = vec![rule_id];
    if let Some(rule) = rule {
        candidates.push(rule["name"].as_str().unwrap_or_default());
        candidates.push(text_of(&rule["fullDescription"]));
        candidates.push(text_of(&rule["shortDescription"]));
    }
    candidates.push(text_of(&result["message"]));
    candidates
        .into_iter()
        .map(vuln_ids)
        .find(|ids| !ids.is_empty())
        .unwrap_or_default()
}

/// The affected package of a vulnerability result, as scanners write it:
/// `CVE-…-<pkg>` rule ids (Grype), `Package: <pkg>` message lines (Trivy),
/// `<target>: <pkg>@<version>` location messages (Trivy), `(CVE-…)
/// <source>/<pkg>@<version>` rule descriptions (Snyk), `reports <pkg> at
/// version` messages (Grype).
pub fn package(
    rule_id: &str,
    vulns: &BTreeSet<String>,
    rule: Option<&Value>,
    result: &Value,
) -> Option<String> {
    let clean = |s: &str| {
        let s = s.trim().trim_matches(|c: char| c == '`' || c == '"');
        (!s.is_empty() && !s.contains(char::is_whitespace)).then(|| s.to_ascii_lowercase())
    };
    let upper = rule_id.to_ascii_uppercase();
    for vuln in vulns {
        if let Some(rest) = upper.strip_prefix(vuln.as_str())
            && let Some(pkg) = rest.strip_prefix('-')
            && !pkg.is_empty()
        {
            return clean(&rule_id[rule_id.len() - pkg.len()..]);
        }
    }
    let message = text_of(&result["message"]);
    for line in message.lines() {
        if let Some(pkg) = line.trim().strip_prefix("Package:") {
            return clean(pkg);
        }
    }
    if let Some(location_message) = result["locations"][0]["message"]["text"].as_str()
        && let Some((_, tail)) = location_message.rsplit_once(": ")
        && let Some((pkg, _version)) = tail.split_once('@')
    {
        return clean(pkg);
    }
    if let Some(rule) = rule {
        let full = text_of(&rule["fullDescription"]);
        if let Some((_, tail)) = full.split_once(") ")
            && let Some((name, _version)) = tail.split_once('@')
        {
            return clean(name.rsplit('/').next().unwrap_or(name));
        }
    }
    if let Some((_, tail)) = message.split_once(" reports ")
        && let Some((pkg, _)) = tail.split_once(" at version")
    {
        return clean(pkg);
    }
    None
}

/// Everything about one result, given its resolved rule id and rule.
pub fn identity(
    aliases: &AliasTable,
    rule_id: &str,
    rule: Option<&Value>,
    result: &Value,
) -> Identity {
    let vulns = vulns(rule_id, rule, result);
    let package = if vulns.is_empty() {
        None
    } else {
        package(rule_id, &vulns, rule, result)
    };
    Identity {
        groups: aliases.groups(rule_id),
        cwes: cwes(rule, result),
        package,
        vulns,
        place: code_place(result),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vulnerability_ids_are_found_and_normalised() {
        let ids = vuln_ids("(CVE-2011-3374) apt and cve-2023-12345, GHSA-AbCd-1234-wxyz; CVE-12-1");
        assert_eq!(
            ids.into_iter().collect::<Vec<_>>(),
            vec!["CVE-2011-3374", "CVE-2023-12345", "GHSA-abcd-1234-wxyz"]
        );
        assert!(vuln_ids("no ids here").is_empty());
    }

    #[test]
    fn cwes_come_from_tags_properties_and_taxa() {
        let rule = json!({"properties": {"tags": ["security", "external/cwe/cwe-079", "CWE-347"]}});
        let result = json!({"taxa": [{"id": "CWE-20"}], "properties": {"cwe": "CWE-0022"}});
        assert_eq!(
            cwes(Some(&rule), &result).into_iter().collect::<Vec<_>>(),
            vec!["CWE-20", "CWE-22", "CWE-347", "CWE-79"]
        );
    }

    #[test]
    fn packages_as_each_scanner_writes_them() {
        let none = json!({});
        let v = |s: &str| vuln_ids(s);
        assert_eq!(
            package("CVE-2007-5686-login", &v("CVE-2007-5686"), None, &none).as_deref(),
            Some("login")
        );
        let trivy = json!({"message": {"text": "Package: passwd\nInstalled Version: 1"}});
        assert_eq!(
            package("CVE-2007-5686", &v("CVE-2007-5686"), None, &trivy).as_deref(),
            Some("passwd")
        );
        let snyk_rule =
            json!({"fullDescription": {"text": "(CVE-2007-5686) shadow/passwd@1:4.13"}});
        assert_eq!(
            package(
                "SNYK-DEBIAN12-SHADOW-1559391",
                &v("CVE-2007-5686"),
                Some(&snyk_rule),
                &none
            )
            .as_deref(),
            Some("passwd")
        );
    }

    #[test]
    fn places_overlap_by_lines_in_the_same_file() {
        let a = CodePlace {
            uri: "a.yml".into(),
            start: 17,
            end: 18,
        };
        let b = CodePlace {
            uri: "a.yml".into(),
            start: 18,
            end: 18,
        };
        let c = CodePlace {
            uri: "a.yml".into(),
            start: 19,
            end: 20,
        };
        let d = CodePlace {
            uri: "b.yml".into(),
            start: 17,
            end: 18,
        };
        assert!(a.overlaps(&b) && b.overlaps(&a));
        assert!(!a.overlaps(&c) && !a.overlaps(&d));
        assert_eq!(normalize_uri("file://./x/y.yml"), "x/y.yml");
    }
}
