//! Untrusted input never panics: arbitrary text, YAML-shaped text and
//! workflow-shaped text with arbitrary expressions; and the shared
//! real-world corpus runs to the end with every file reported.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use ci_intel_policy::audit::{Options, audit_bytes, audit_paths, audit_text, expr};
use ci_intel_policy::config::Persona;
use proptest::prelude::*;

fn opts() -> Options {
    Options::defaults(Persona::Pedantic)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = audit_bytes("x.yml", &bytes, None, &opts());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
        let _ = audit_text("x.yml", &text, None, &opts());
    }

    #[test]
    fn yaml_shaped_text_never_panics(
        text in "((on|jobs|steps|uses|run|with|permissions|runs-on|container|services|env|secrets|- |  |\\[|\\]|\\{|\\}|&a |\\*a|!!str |\\||>|'|\"|: |#|\n|[a-z@/.0-9]{1,6}|\\$\\{\\{ [a-z.]{0,12} \\}\\})){0,80}"
    ) {
        let _ = audit_text("x.yml", &text, None, &opts());
    }

    /// The expression reader never panics and never invents a path: what
    /// it says can reach the result is among the paths the text reads.
    #[test]
    fn output_paths_are_read_paths(
        expression in "(github\\.event\\.issue\\.title|github\\.head_ref|inputs\\.x|'[a-z}]{0,3}'|-?[0-9.e]{1,4}|true|null|&&|\\|\\||==|!=|<=|<|!|\\(|\\)|,|contains\\(|format\\(|fromJSON\\(|hashFiles\\(|\\[|\\]|\\.|\\*| ){0,30}"
    ) {
        let out = expr::output_paths(&expression);
        let read = expr::context_paths(&expression);
        for path in &out {
            prop_assert!(read.contains(path), "{path} not read by {expression}: {read:?}");
        }
    }

    /// The expression parser never panics on expression-shaped text, deep
    /// nesting included, and what it parses walks to the end.
    #[test]
    fn expression_shaped_text_parses_or_is_refused(
        expression in "(github\\.actor|secrets|secrets\\.x|inputs\\[inputs\\.x\\]|'[a-z\\[\\]]{0,4}'|-?[0-9.ex]{1,4}|true|false|null|&&|\\|\\||==|!=|<=|<|!|\\(|\\)|,|contains\\(|format\\(|fromJSON\\(|toJSON\\(|\\[|\\]|\\.|\\*| ){0,40}"
    ) {
        if let Some(ast) = expr::parse(&expression) {
            prop_assert!(!ast.walk().is_empty());
        }
    }

    #[test]
    fn arbitrary_expressions_never_panic(expression in "(?s).{0,120}") {
        let _ = expr::expressions(&expression);
        let _ = expr::context_paths(&expression);
        let _ = expr::is_boolean(&expression);
        let _ = expr::output_paths(&expression);
        let _ = expr::parse(&expression).map(|ast| (ast.walk().len(), ast.is_constant()));
        let workflow = format!(
            "on: pull_request_target\njobs:\n  a:\n    runs-on: [self-hosted]\n    steps:\n      - uses: actions/checkout@main\n        with:\n          ref: ${{{{ {expression} }}}}\n      - run: echo \"${{{{ {expression} }}}}\"\n      - uses: actions/github-script@v7\n        with:\n          script: ${{{{ {expression} }}}}\n      - run: echo\n        if: ${{{{ {expression} }}}}\n      - run: echo\n        if: {expression:?}\n"
        );
        let _ = audit_text("x.yml", &workflow, None, &opts());
        let _ = audit_text("x.yml", &workflow, None, &Options::defaults(Persona::Auditor));
        let action = format!(
            "runs:\n  using: composite\n  steps:\n    - run: ${{{{ {expression} }}}}\n      shell: bash\n"
        );
        let _ = audit_text("action.yml", &action, None, &opts());
    }

    /// Image expressions are read by unpinned-images' own small parser,
    /// against a static matrix: any text, any nesting, never a panic.
    #[test]
    fn arbitrary_image_expressions_never_panic(
        expression in "[a-z.'|&=!() ]{0,60}|(?s).{0,80}",
    ) {
        let workflow = format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    strategy:\n      matrix:\n        image: [alpine, 'x:1']\n        include:\n          - image: ''\n    container:\n      image: ${{{{ {expression} }}}}\n    services:\n      db: x/${{{{ {expression} }}}}:1\n    steps:\n      - run: make\n"
        );
        let _ = audit_text("x.yml", &workflow, None, &opts());
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/workflows/realworld");
    dir.is_dir().then_some(dir)
}

/// The whole shared corpus: no crash, no aborted run, every file reported.
/// Prints the findings per rule (docs/benchmarks.md records them).
#[test]
fn the_real_world_corpus_runs_to_the_end() {
    let Some(dir) = corpus() else {
        println!("SKIPPED: ../shared/corpus/workflows/realworld is absent");
        return;
    };
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yml" || x == "yaml")
        })
        .count();
    for persona in [Persona::Regular, Persona::Pedantic] {
        let outcome = audit_paths(std::slice::from_ref(&dir), &Options::defaults(persona)).unwrap();
        assert_eq!(outcome.files, files, "every corpus file is audited");
        let mut by_rule: BTreeMap<&str, (usize, std::collections::BTreeSet<&str>)> =
            BTreeMap::new();
        for f in &outcome.findings {
            let entry = by_rule.entry(&f.rule_id).or_default();
            entry.0 += 1;
            entry.1.insert(&f.location.as_ref().unwrap().file);
        }
        println!(
            "persona {}: {} files, {} findings",
            persona.as_str(),
            outcome.files,
            outcome.findings.len()
        );
        for (rule, (count, in_files)) in &by_rule {
            println!("| `{rule}` | {count} | {} |", in_files.len());
        }
        let parse_errors = by_rule.get("parse-error").map(|(n, _)| *n).unwrap_or(0);
        assert!(parse_errors < files / 100, "{parse_errors} parse errors");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The `run:` command reader (use-trusted-publishing, adhoc-packages)
    /// never panics on any script, in a block or on one line, and the
    /// pre-commit and dependabot readers never panic on any value.
    #[test]
    fn arbitrary_scripts_and_repos_never_panic(
        script in "((npm|gem|cargo|twine|python3 -m|pipx run|sudo|env|FOO=1|publish|install|i|add|push|upload|-n|--dry-run|\\+nightly|\\\\|`|;|&&|\\||\\(|\\)|'|\"|#|\\$x|==1|@2| |\n|[a-z0-9.é]{1,4})){0,60}",
        value in "(?s).{0,60}",
    ) {
        let block: String = script.lines().map(|l| format!("          {l}\n")).collect();
        let workflow = format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: |\n{block}      - run: {}\n      - uses: actions/create-github-app-token@v1\n        with:\n          owner: {value:?}\n",
            script.replace('\n', " ")
        );
        let _ = audit_text("x.yml", &workflow, None, &opts());
        let pre_commit = format!("repos:\n  - repo: {value:?}\n    rev: {value:?}\n");
        let _ = audit_text(".pre-commit-config.yaml", &pre_commit, None, &opts());
        let dependabot = format!(
            "version: 2\nupdates:\n  - package-ecosystem: {value:?}\n    cooldown:\n      default-days: {value:?}\n    insecure-external-code-execution: {value:?}\n"
        );
        let _ = audit_text("dependabot.yml", &dependabot, None, &opts());
    }
}

/// Deeply nested expressions (a 100 KB run of parentheses or `!`) are read
/// without exhausting the stack, by every rule that reads expressions.
#[test]
fn deeply_nested_expressions_do_not_overflow_the_stack() {
    for (inner, injectable) in [
        (
            format!(
                "{}github.head_ref{}",
                "(".repeat(50_000),
                ")".repeat(50_000)
            ),
            true,
        ),
        (format!("{}github.head_ref", "!".repeat(50_000)), false),
        (vec!["github.head_ref"; 20_000].join(" || "), true),
    ] {
        let workflow = format!(
            "on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{{{ {inner} }}}}\n        if: {inner}\n"
        );
        let findings = audit_text(
            "x.yml",
            &workflow,
            None,
            &Options::defaults(Persona::Auditor),
        );
        assert_eq!(
            findings.iter().any(|f| f.rule_id == "template-injection"),
            injectable,
            "a head_ref that reaches the script is still found; a negated one is a boolean"
        );
    }
}

/// unpinned-images reads image expressions with its own parser: 50,000
/// parentheses or `!` in a container image are one unknown value, not a
/// stack overflow.
#[test]
fn deeply_nested_image_expressions_do_not_overflow_the_stack() {
    for inner in [
        format!("{}'ubuntu'{}", "(".repeat(50_000), ")".repeat(50_000)),
        format!("{}matrix.image", "!".repeat(50_000)),
    ] {
        let workflow = format!(
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    container:\n      image: ${{{{ {inner} }}}}\n    steps:\n      - run: make\n"
        );
        let findings = audit_text(
            "x.yml",
            &workflow,
            None,
            &Options::defaults(Persona::Pedantic),
        );
        assert!(
            findings
                .iter()
                .filter(|f| f.rule_id == "unpinned-images")
                .all(|f| f.message.contains("does not follow")),
            "{findings:#?}"
        );
    }
}
