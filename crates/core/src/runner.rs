//! The GitHub Actions runner contract: inputs from `INPUT_*`, outputs to
//! `$GITHUB_OUTPUT`, job summaries to `$GITHUB_STEP_SUMMARY`, environment to
//! `$GITHUB_ENV`, and masks through `::add-mask::`.
//!
//! Every function reads from a [`RunnerEnv`] snapshot instead of the process
//! environment so that tests can build the exact environment the runner
//! would, and so that a tool outside Actions prints to the terminal instead.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::commands;
use crate::exit::Failure;

/// A snapshot of the environment a step runs in.
#[derive(Debug, Clone, Default)]
pub struct RunnerEnv {
    vars: BTreeMap<String, String>,
}

impl RunnerEnv {
    /// The current process environment. A variable whose name or value is
    /// not UTF-8 is left out: no input or runner setting is, and
    /// `std::env::vars` would panic on it with the value in the panic
    /// message, which for ci-intel-secrets may be a secret.
    pub fn from_process() -> Self {
        RunnerEnv {
            vars: std::env::vars_os()
                .filter_map(|(name, value)| {
                    Some((name.into_string().ok()?, value.into_string().ok()?))
                })
                .collect(),
        }
    }

    /// An explicit environment (tests, nested tools).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        RunnerEnv {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable, treating empty as unset (the runner sets unset inputs to "").
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// True when running inside a GitHub Actions job.
    pub fn in_actions(&self) -> bool {
        self.var("GITHUB_ACTIONS") == Some("true")
    }

    /// The environment variable an input is delivered in. GitHub upper-cases
    /// the name and replaces spaces with underscores; hyphens are kept, so
    /// `build-from-source` arrives as `INPUT_BUILD-FROM-SOURCE`.
    pub fn input_var_name(name: &str) -> String {
        format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
    }

    /// An input, trimmed as `@actions/core` does; empty means not given.
    pub fn input(&self, name: &str) -> Option<String> {
        self.vars
            .get(&Self::input_var_name(name))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// A required input: missing is a usage error naming the input and variable.
    pub fn required_input(&self, name: &str) -> Result<String, Failure> {
        self.input(name).ok_or_else(|| {
            Failure::usage(format!(
                "input `{name}` is required but was empty (environment variable {})",
                Self::input_var_name(name)
            ))
        })
    }

    /// A boolean input under the YAML 1.2 core schema, which is what the
    /// runner accepts: `true|True|TRUE|false|False|FALSE`. Anything else is a
    /// usage error, never silently false.
    pub fn input_bool(&self, name: &str) -> Result<Option<bool>, Failure> {
        let Some(raw) = self.input(name) else {
            return Ok(None);
        };
        match raw.as_str() {
            "true" | "True" | "TRUE" => Ok(Some(true)),
            "false" | "False" | "FALSE" => Ok(Some(false)),
            other => Err(Failure::usage(format!(
                "input `{name}` must be a boolean (true or false), got `{other}`"
            ))),
        }
    }

    /// A multi-line list input: one item per line (commas are not separators,
    /// because paths and globs may contain them). Blank lines and `#` comments
    /// are dropped.
    pub fn input_list(&self, name: &str) -> Vec<String> {
        self.input(name)
            .map(|raw| {
                raw.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn file_var(&self, name: &str) -> Option<PathBuf> {
        self.var(name).map(PathBuf::from)
    }

    /// Set a step output. Multi-line values use the heredoc form with a
    /// random delimiter that does not occur in the value.
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), Failure> {
        self.write_key_value("GITHUB_OUTPUT", "output", name, value)
    }

    /// Export a variable to the following steps of the job.
    pub fn export_env(&self, name: &str, value: &str) -> Result<(), Failure> {
        if name.eq_ignore_ascii_case("NODE_OPTIONS") {
            // The runner refuses it too; say so here with a clearer message.
            return Err(Failure::usage(
                "refusing to export NODE_OPTIONS through GITHUB_ENV: the runner blocks it",
            ));
        }
        self.write_key_value("GITHUB_ENV", "env", name, value)
    }

    /// Append Markdown to the job summary; outside Actions it goes to stderr.
    pub fn append_summary(&self, markdown: &str) -> Result<(), Failure> {
        match self.file_var("GITHUB_STEP_SUMMARY") {
            Some(path) => append(&path, markdown.as_bytes())
                .map_err(|e| io_failure("GITHUB_STEP_SUMMARY", &path, &e)),
            None => {
                eprintln!("{markdown}");
                Ok(())
            }
        }
    }

    /// Register a secret with the log masker before anything could print it.
    pub fn mask(&self, secret: &str) {
        if self.in_actions() {
            for line in commands::add_mask(secret) {
                println!("{line}");
            }
        }
    }

    fn write_key_value(
        &self,
        file_var: &str,
        kind: &str,
        name: &str,
        value: &str,
    ) -> Result<(), Failure> {
        validate_key(kind, name)?;
        match self.file_var(file_var) {
            Some(path) => {
                let record = key_value_record(name, value);
                append(&path, record.as_bytes()).map_err(|e| io_failure(file_var, &path, &e))
            }
            None => {
                // Outside Actions the same command prints to the terminal.
                eprintln!("{kind} {name}={value}");
                Ok(())
            }
        }
    }
}

fn validate_key(kind: &str, name: &str) -> Result<(), Failure> {
    if name.is_empty() || name.contains(['\n', '\r', '=']) || name.contains("<<") {
        return Err(Failure::usage(format!(
            "{kind} name {name:?} is invalid: it must be non-empty and contain no newline, `=` or `<<`"
        )));
    }
    Ok(())
}

/// The heredoc record `name<<DELIM\nvalue\nDELIM\n`, the form the runner
/// parses for both single- and multi-line values.
pub fn key_value_record(name: &str, value: &str) -> String {
    let delimiter = loop {
        let candidate = format!("ghadelimiter_{}", uuid::Uuid::new_v4());
        if !value.contains(&candidate) && !name.contains(&candidate) {
            break candidate;
        }
    };
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// Parse a `$GITHUB_OUTPUT`/`$GITHUB_ENV` file the way the runner does. Used by
/// tests and the action harness to read back what a step wrote.
pub fn parse_key_value_file(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value_lines = Vec::new();
            loop {
                match lines.next() {
                    Some((_, l)) if l.strip_suffix('\r').unwrap_or(l) == delimiter => break,
                    Some((_, l)) => value_lines.push(l),
                    None => {
                        return Err(format!(
                            "line {}: delimiter {delimiter:?} for {name:?} is never closed",
                            index + 1
                        ));
                    }
                }
            }
            values.insert(name.to_owned(), value_lines.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            values.insert(name.to_owned(), value.to_owned());
        } else {
            return Err(format!(
                "line {}: expected `name=value` or `name<<DELIMITER`, got {line:?}",
                index + 1
            ));
        }
    }
    Ok(values)
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(bytes)?;
    if !bytes.ends_with(b"\n") {
        file.write_all(b"\n")?;
    }
    Ok(())
}

fn io_failure(var: &str, path: &Path, error: &std::io::Error) -> Failure {
    Failure::infra(format!(
        "cannot append to ${var} ({}): {error}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env_with_files(dir: &Path) -> RunnerEnv {
        RunnerEnv::from_pairs([
            ("GITHUB_ACTIONS", "true".to_owned()),
            ("GITHUB_OUTPUT", dir.join("out").display().to_string()),
            ("GITHUB_ENV", dir.join("env").display().to_string()),
            (
                "GITHUB_STEP_SUMMARY",
                dir.join("summary").display().to_string(),
            ),
            ("INPUT_BUILD-FROM-SOURCE", "  never ".to_owned()),
            ("INPUT_ALLOW_EMPTY", "True".to_owned()),
            ("INPUT_STRICT", "yes".to_owned()),
            ("INPUT_PATHS", "a.xml\n\n# comment\n b,c.xml \n".to_owned()),
        ])
    }

    #[test]
    fn input_names_follow_github_rules() {
        assert_eq!(
            RunnerEnv::input_var_name("build-from-source"),
            "INPUT_BUILD-FROM-SOURCE"
        );
        assert_eq!(
            RunnerEnv::input_var_name("allow empty"),
            "INPUT_ALLOW_EMPTY"
        );
    }

    #[test]
    fn inputs_are_trimmed_and_empty_means_missing() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        assert_eq!(env.input("build-from-source").as_deref(), Some("never"));
        assert_eq!(env.input("missing"), None);
        let err = env.required_input("missing").unwrap_err();
        assert!(err.message.contains("INPUT_MISSING"), "{}", err.message);
    }

    #[test]
    fn booleans_follow_the_yaml_core_schema_and_reject_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        assert_eq!(env.input_bool("allow empty").unwrap(), Some(true));
        let err = env.input_bool("strict").unwrap_err();
        assert!(err.message.contains("`yes`"), "{}", err.message);
    }

    #[test]
    fn list_inputs_split_on_lines_only() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        assert_eq!(env.input_list("paths"), vec!["a.xml", "b,c.xml"]);
    }

    #[test]
    fn outputs_round_trip_through_the_runner_file_format() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        env.set_output("single", "one").unwrap();
        env.set_output("multi", "line 1\nline 2\nEOF\n").unwrap();
        env.export_env("CI_INTEL_X", "y").unwrap();
        let outputs =
            parse_key_value_file(&std::fs::read_to_string(dir.path().join("out")).unwrap())
                .unwrap();
        assert_eq!(outputs["single"], "one");
        assert_eq!(outputs["multi"], "line 1\nline 2\nEOF\n");
        let envs = parse_key_value_file(&std::fs::read_to_string(dir.path().join("env")).unwrap())
            .unwrap();
        assert_eq!(envs["CI_INTEL_X"], "y");
    }

    #[test]
    fn output_names_that_could_forge_records_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        assert!(env.set_output("a\nb", "x").is_err());
        assert!(env.set_output("a<<EOF", "x").is_err());
        assert!(env.set_output("", "x").is_err());
        assert!(env.export_env("NODE_OPTIONS", "--require x").is_err());
    }

    #[test]
    fn summary_appends() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_with_files(dir.path());
        env.append_summary("# one").unwrap();
        env.append_summary("two").unwrap();
        let text = std::fs::read_to_string(dir.path().join("summary")).unwrap();
        assert_eq!(text, "# one\ntwo\n");
    }

    #[test]
    fn unwritable_output_file_is_an_infrastructure_error() {
        let env = RunnerEnv::from_pairs([("GITHUB_OUTPUT", "/nonexistent/dir/out")]);
        let err = env.set_output("a", "b").unwrap_err();
        assert_eq!(err.code, crate::ExitCode::Infra);
        assert!(err.message.contains("/nonexistent/dir/out"));
    }

    proptest! {
        #[test]
        fn any_value_survives_the_output_file(value in "(?s).*", value2 in "[a-z\n]*") {
            let mut text = key_value_record("a", &value);
            text.push_str(&key_value_record("b", &value2));
            let parsed = parse_key_value_file(&text).unwrap();
            prop_assert_eq!(&parsed["a"], &value);
            prop_assert_eq!(&parsed["b"], &value2);
        }
    }
}
