#![allow(clippy::unwrap_used)]
//! docs/egress.md carries every gate rule's and every built-in group's
//! documentation exactly as their files' `//!` comments say it
//! (`UPDATE_DOCS=1 cargo test -p ci-intel-egress --test docs` rewrites the
//! two generated blocks).

use std::path::Path;

use ci_intel_egress::{builtin, rules};

fn generated() -> (String, String) {
    let mut rules_md = String::new();
    for rule in rules::RULES {
        let doc = rules::doc_of(rule.id).unwrap().replace("\n## ", "\n#### ");
        let doc = doc
            .strip_prefix("## ")
            .map(|d| format!("#### {d}"))
            .unwrap_or(doc);
        rules_md.push_str(&format!(
            "### `{}` ({})\n\n{}\n\n{doc}\n\n",
            rule.id, rule.default_severity, rule.title
        ));
    }
    let mut builtin_md = String::new();
    for group in builtin::GROUPS {
        let (_, source) = builtin::DOCS
            .iter()
            .find(|(id, _)| *id == group.id)
            .unwrap();
        let doc = builtin::doc_of(source).replace("\n## ", "\n#### ");
        let doc = doc
            .strip_prefix("## ")
            .map(|d| format!("#### {d}"))
            .unwrap_or(doc);
        builtin_md.push_str(&format!("### `{}`: {}\n\n{doc}\n\n", group.id, group.title));
    }
    (rules_md, builtin_md)
}

fn replace_block(text: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- {name}:begin -->\n");
    let end = format!("<!-- {name}:end -->");
    let start = text.find(&begin).unwrap() + begin.len();
    let stop = text.find(&end).unwrap();
    format!("{}{body}{}", &text[..start], &text[stop..])
}

#[test]
fn docs_carry_every_rule_and_group() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/egress.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (rules_md, builtin_md) = generated();
    let wanted = replace_block(
        &replace_block(&text, "rules", &rules_md),
        "builtin",
        &builtin_md,
    );
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &wanted).unwrap();
        return;
    }
    assert!(
        text == wanted,
        "docs/egress.md is out of date: run UPDATE_DOCS=1 cargo test -p ci-intel-egress --test docs"
    );
    assert!(text.contains(&format!("Version {}.", builtin::VERSION)));
}
