//! docs/autopsy.md's table of built-in rules is generated from the rule
//! files; this test fails when it is out of date (`UPDATE_DOCS=1` rewrites
//! it).

#![allow(clippy::unwrap_used)]

use ci_intel_autopsy::rules;

fn table() -> String {
    let mut rules = rules::builtin().unwrap();
    rules.sort_by(|a, b| (&a.tool, &a.id).cmp(&(&b.tool, &b.id)));
    let mut out = String::from(
        "| rule | tool | priority | severity | what | fix |\n|---|---|---|---|---|---|\n",
    );
    let cell = |t: &str| t.replace('|', "\\|");
    for r in &rules {
        out.push_str(&format!(
            "| [`{}`]({}) | {} | {} | {} | {} | {} |\n",
            r.id,
            r.docs,
            r.tool,
            r.priority,
            r.severity.as_str(),
            cell(&r.what),
            cell(&r.suggestion)
        ));
    }
    out.push_str(&format!("\n{} rules.\n", rules.len()));
    out
}

#[test]
fn the_rule_table_in_the_docs_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/autopsy.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, rest) = text.split_once("<!-- rules:start -->\n").unwrap();
    let (_, tail) = rest.split_once("<!-- rules:end -->").unwrap();
    let wanted = format!(
        "{head}<!-- rules:start -->\n{}<!-- rules:end -->{tail}",
        table()
    );
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &wanted).unwrap();
        return;
    }
    assert!(
        text == wanted,
        "docs/autopsy.md's rule table is out of date: run UPDATE_DOCS=1 cargo test -p ci-intel-autopsy --test docs"
    );
}
