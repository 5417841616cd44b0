//! A small model of the GitHub Actions runner for composite actions.
//!
//! It runs each step's `run:` with `bash --noprofile --norc -eo pipefail
//! {0}` (GitHub's `shell: bash`), with fresh `$GITHUB_OUTPUT`, `$GITHUB_ENV`,
//! `$GITHUB_PATH` and `$GITHUB_STEP_SUMMARY` files per step, and applies
//! their effects to the following steps (and, through [`Job`], to later
//! actions of the same job).
//!
//! Only these expressions are evaluated, in `env:` values, input defaults
//! and output values: `inputs.NAME`, `github.action_path`, `github.token`,
//! `steps.ID.outputs.NAME`, `runner.os` and `runner.arch`. Anything else is
//! an error, as is `${{` inside a `run:` body (template injection), a step
//! key the model does not implement (`if`, `uses`, `working-directory`, ...),
//! or a non-bash shell. Those are harness errors (`Err`), not step failures:
//! a test that hits one fails loudly.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use serde_json::Value;

/// Variables of the test process that must not leak into a step: the
/// harness sets the runner's own.
const SCRUBBED_PREFIXES: &[&str] = &["GITHUB_", "RUNNER_", "INPUT_", "ACTIONS_", "CI_INTEL_"];
const SCRUBBED_VARS: &[&str] = &["CARGO_TARGET_DIR", "CI"];

/// Keys a composite step may use in this model.
const STEP_KEYS: &[&str] = &["id", "name", "shell", "run", "env"];

/// One declared input.
#[derive(Debug, Clone)]
pub struct Input {
    pub description: Option<String>,
    pub required: bool,
    pub default: Option<String>,
}

/// One declared output.
#[derive(Debug, Clone)]
pub struct Output {
    pub description: Option<String>,
    pub value: Option<String>,
}

/// One step of `runs.steps`.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: Option<String>,
    pub name: Option<String>,
    pub shell: Option<String>,
    pub run: Option<String>,
    /// `env:` in declaration order, values unevaluated.
    pub env: Vec<(String, String)>,
    /// `uses:` of a step that runs another action (never run by this
    /// model: see [`Action::check_static`]).
    pub uses: Option<String>,
    /// `with:` of a `uses:` step, values unevaluated.
    pub with: Vec<(String, String)>,
    /// `if:`, unevaluated.
    pub condition: Option<String>,
    /// Every key the step has, for lints.
    pub keys: Vec<String>,
}

impl Step {
    /// A name for messages.
    pub fn label(&self, index: usize) -> String {
        match (&self.id, &self.name) {
            (Some(id), _) => format!("step `{id}`"),
            (None, Some(name)) => format!("step {} ({name})", index + 1),
            (None, None) => format!("step {}", index + 1),
        }
    }
}

/// A parsed `action.yml`.
#[derive(Debug, Clone)]
pub struct Action {
    /// The file.
    pub path: PathBuf,
    /// Its directory (`github.action_path`).
    pub dir: PathBuf,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `runs.using`.
    pub using: String,
    pub inputs: BTreeMap<String, Input>,
    pub outputs: BTreeMap<String, Output>,
    pub steps: Vec<Step>,
}

fn scalar(value: &Value, what: &str) -> Result<Option<String>> {
    Ok(match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => bail!("{what} must be a scalar, got {other}"),
    })
}

fn mapping<'a>(value: &'a Value, what: &str) -> Result<&'a serde_json::Map<String, Value>> {
    value
        .as_object()
        .ok_or_else(|| anyhow!("{what} must be a mapping, got {value}"))
}

impl Action {
    /// Parse `path` (an `action.yml`).
    pub fn load(path: &Path) -> Result<Action> {
        let text =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let doc: Value =
            yaml_serde::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let root = mapping(&doc, "the action")?;
        let dir = path
            .parent()
            .ok_or_else(|| anyhow!("{} has no parent directory", path.display()))?
            .to_path_buf();

        let mut inputs = BTreeMap::new();
        if let Some(value) = root.get("inputs") {
            for (name, spec) in mapping(value, "inputs")? {
                let spec = mapping(spec, &format!("inputs.{name}"))?;
                let get = |key: &str| -> Result<Option<String>> {
                    spec.get(key)
                        .map_or(Ok(None), |v| scalar(v, &format!("inputs.{name}.{key}")))
                };
                inputs.insert(
                    name.clone(),
                    Input {
                        description: get("description")?,
                        required: get("required")?.is_some_and(|r| r == "true"),
                        default: get("default")?,
                    },
                );
            }
        }

        let mut outputs = BTreeMap::new();
        if let Some(value) = root.get("outputs") {
            for (name, spec) in mapping(value, "outputs")? {
                let spec = mapping(spec, &format!("outputs.{name}"))?;
                let get = |key: &str| -> Result<Option<String>> {
                    spec.get(key)
                        .map_or(Ok(None), |v| scalar(v, &format!("outputs.{name}.{key}")))
                };
                outputs.insert(
                    name.clone(),
                    Output {
                        description: get("description")?,
                        value: get("value")?,
                    },
                );
            }
        }

        let runs = mapping(
            root.get("runs")
                .ok_or_else(|| anyhow!("{} has no `runs`", path.display()))?,
            "runs",
        )?;
        let using = runs
            .get("using")
            .map_or(Ok(None), |v| scalar(v, "runs.using"))?
            .unwrap_or_default();
        let mut steps = Vec::new();
        if let Some(list) = runs.get("steps") {
            let list = list
                .as_array()
                .ok_or_else(|| anyhow!("runs.steps must be a list"))?;
            for (index, step) in list.iter().enumerate() {
                let what = format!("runs.steps[{index}]");
                let step = mapping(step, &what)?;
                let get = |key: &str| -> Result<Option<String>> {
                    step.get(key)
                        .map_or(Ok(None), |v| scalar(v, &format!("{what}.{key}")))
                };
                let mut env = Vec::new();
                if let Some(value) = step.get("env") {
                    for (name, v) in mapping(value, &format!("{what}.env"))? {
                        env.push((
                            name.clone(),
                            scalar(v, &format!("{what}.env.{name}"))?.unwrap_or_default(),
                        ));
                    }
                }
                let mut with = Vec::new();
                if let Some(value) = step.get("with") {
                    for (name, v) in mapping(value, &format!("{what}.with"))? {
                        with.push((
                            name.clone(),
                            scalar(v, &format!("{what}.with.{name}"))?.unwrap_or_default(),
                        ));
                    }
                }
                steps.push(Step {
                    id: get("id")?,
                    name: get("name")?,
                    shell: get("shell")?,
                    run: get("run")?,
                    env,
                    uses: get("uses")?,
                    with,
                    condition: get("if")?,
                    keys: step.keys().cloned().collect(),
                });
            }
        }

        let text_of = |key: &str| root.get(key).and_then(Value::as_str).map(str::to_owned);
        Ok(Action {
            path: path.to_path_buf(),
            dir,
            name: text_of("name"),
            description: text_of("description"),
            using,
            inputs,
            outputs,
            steps,
        })
    }

    /// The rules every action obeys, including those whose steps this
    /// model cannot run (`uses:` of an upstream action, `if:`): a `uses:`
    /// step names `owner/repo[/path]@<40-hex SHA>` with a `# vX.Y.Z`
    /// comment in the file and has no `run:`; every other step obeys
    /// [`Action::check_runnable`]'s rules.
    pub fn check_static(&self) -> Result<()> {
        let text = fs::read_to_string(&self.path)?;
        let mut problems = Vec::new();
        let mut plain = self.clone();
        plain.steps.retain(|s| s.uses.is_none());
        for step in &mut plain.steps {
            step.keys.retain(|k| k != "if");
        }
        if let Err(e) = plain.check_runnable() {
            problems.push(e.to_string());
        }
        for (index, step) in self.steps.iter().enumerate() {
            let Some(uses) = &step.uses else { continue };
            let label = step.label(index);
            let pinned = uses.rsplit_once('@').is_some_and(|(target, sha)| {
                target.split('/').count() >= 2
                    && sha.len() == 40
                    && sha.chars().all(|c| c.is_ascii_hexdigit())
            });
            if !pinned {
                problems.push(format!("{label}: `uses: {uses}` is not pinned to a full commit SHA"));
            }
            let commented = text
                .lines()
                .any(|l| l.contains(&format!("uses: {uses}")) && l.contains("# v"));
            if !commented {
                problems.push(format!("{label}: `uses: {uses}` has no `# vX.Y.Z` comment"));
            }
            if step.run.is_some() || step.shell.is_some() {
                problems.push(format!("{label}: a `uses:` step has no `run:` or `shell:`"));
            }
            for key in &step.keys {
                if !["id", "name", "if", "uses", "with"].contains(&key.as_str()) {
                    problems.push(format!("{label}: key `{key}` on a `uses:` step"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{}", problems.join("; "))
        }
    }

    /// What this model can run, and the template-injection guard. Every
    /// problem is listed in one error.
    pub fn check_runnable(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.using != "composite" {
            problems.push(format!(
                "runs.using is `{}`; the harness runs only composite actions",
                self.using
            ));
        }
        for (index, step) in self.steps.iter().enumerate() {
            let label = step.label(index);
            for key in &step.keys {
                if !STEP_KEYS.contains(&key.as_str()) {
                    problems.push(format!(
                        "{label}: key `{key}` is not modelled by the harness (supported: {})",
                        STEP_KEYS.join(", ")
                    ));
                }
            }
            match &step.run {
                None => problems.push(format!("{label}: has no `run:`")),
                Some(run) if run.contains("${{") => problems.push(format!(
                    "{label}: `run:` contains `${{{{`: expressions in scripts are a template-injection risk; pass values through `env:`"
                )),
                Some(_) => {}
            }
            if step.shell.as_deref() != Some("bash") {
                problems.push(format!(
                    "{label}: shell is {:?}; every step must use `shell: bash`",
                    step.shell
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{}: {}", self.path.display(), problems.join("; "))
        }
    }
}

/// What the step's expressions can see.
struct ExprContext<'a> {
    action: &'a Action,
    inputs: &'a BTreeMap<String, String>,
    job: &'a Job,
    /// Outputs of the steps that ran so far, by id.
    step_outputs: &'a BTreeMap<String, BTreeMap<String, String>>,
    /// Ids of all steps declared before the current one.
    earlier_ids: &'a [String],
}

impl ExprContext<'_> {
    fn eval(&self, expression: &str, depth: usize) -> Result<String> {
        ensure!(
            !expression.is_empty()
                && expression
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')),
            "unsupported expression `${{{{ {expression} }}}}`: the harness evaluates only plain context references"
        );
        let parts: Vec<&str> = expression.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => {
                let declared = self.action.inputs.get(*name).ok_or_else(|| {
                    anyhow!("`${{{{ {expression} }}}}`: input `{name}` is not declared")
                })?;
                if let Some(value) = self.inputs.get(*name) {
                    return Ok(value.clone());
                }
                match &declared.default {
                    Some(default) => {
                        ensure!(
                            depth == 0,
                            "input default refers to another input: {default}"
                        );
                        substitute_with(default, |e| self.eval(e, depth + 1))
                    }
                    None => Ok(String::new()),
                }
            }
            ["github", "action_path"] => Ok(self.action.dir.display().to_string()),
            ["github", "token"] => Ok(self.job.token.clone()),
            ["runner", "os"] => Ok(self.job.runner_os.clone()),
            ["runner", "arch"] => Ok(self.job.runner_arch.clone()),
            ["steps", id, "outputs", name] => {
                ensure!(
                    self.earlier_ids.iter().any(|e| e == id),
                    "`${{{{ {expression} }}}}`: no step with id `{id}` runs before this point"
                );
                Ok(self
                    .step_outputs
                    .get(*id)
                    .and_then(|o| o.get(*name))
                    .cloned()
                    .unwrap_or_default())
            }
            _ => bail!(
                "unsupported expression `${{{{ {expression} }}}}`: the harness knows inputs.*, github.action_path, github.token, steps.*.outputs.*, runner.os and runner.arch"
            ),
        }
    }
}

/// Replace every `${{ expr }}` in `text` with `eval(expr)`.
pub fn substitute_with(text: &str, mut eval: impl FnMut(&str) -> Result<String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .ok_or_else(|| anyhow!("unterminated `${{{{` in {text:?}"))?;
        out.push_str(&eval(after[..end].trim())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parse a `$GITHUB_OUTPUT`/`$GITHUB_ENV` file as the runner does:
/// `name=value` lines and `name<<DELIMITER` heredocs, whichever marker comes
/// first on the line; blank lines are skipped; anything else is an error.
pub fn parse_file_commands(text: &str) -> Result<BTreeMap<String, String>> {
    let mut values = BTreeMap::new();
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut number = 0usize;
    while let Some(line) = lines.next() {
        number += 1;
        if line.is_empty() {
            continue;
        }
        let equals = line.find('=');
        let heredoc = line.find("<<");
        let (name, value) = match (equals, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => (&line[..e], line[e + 1..].to_owned()),
            (_, Some(h)) => {
                let name = &line[..h];
                let delimiter = &line[h + 2..];
                ensure!(
                    !delimiter.is_empty(),
                    "line {number}: empty heredoc delimiter for {name:?}"
                );
                let mut body = Vec::new();
                loop {
                    let Some(l) = lines.next() else {
                        bail!(
                            "line {number}: heredoc delimiter {delimiter:?} for {name:?} is never closed"
                        );
                    };
                    number += 1;
                    if l == delimiter {
                        break;
                    }
                    body.push(l);
                }
                (name, body.join("\n"))
            }
            _ => bail!(
                "line {number}: invalid format {line:?}: expected name=value or name<<DELIMITER"
            ),
        };
        ensure!(!name.is_empty(), "line {number}: empty name in {line:?}");
        values.insert(name.to_owned(), value);
    }
    Ok(values)
}

/// The job an action runs in: runner directories and what earlier steps
/// exported. Several actions can run in one job, as in a workflow.
#[derive(Debug, Clone)]
pub struct Job {
    /// `runner.os` / `$RUNNER_OS`.
    pub runner_os: String,
    /// `runner.arch` / `$RUNNER_ARCH`.
    pub runner_arch: String,
    /// `github.token`.
    pub token: String,
    /// `$GITHUB_WORKSPACE`, the steps' working directory.
    pub workspace: PathBuf,
    /// `$RUNNER_TEMP`.
    pub temp: PathBuf,
    /// `$RUNNER_TOOL_CACHE`.
    pub tool_cache: PathBuf,
    /// Job-level environment (overrides the harness defaults such as
    /// `GITHUB_SERVER_URL`).
    pub env: BTreeMap<String, String>,
    /// `PATH` before any `$GITHUB_PATH` addition; default: the test's PATH.
    pub base_path: Option<String>,
    /// Variables exported through `$GITHUB_ENV` so far.
    pub exported: BTreeMap<String, String>,
    /// Directories added through `$GITHUB_PATH`, most recent first.
    pub path_added: Vec<String>,
    /// A step running longer than this is killed and reported as failed.
    pub step_timeout: Duration,
    counter: usize,
}

impl Job {
    /// A job whose runner directories live under `root` (created here).
    pub fn new(root: &Path) -> Result<Job> {
        let workspace = root.join("workspace");
        let temp = root.join("runner-temp");
        let tool_cache = root.join("tool-cache");
        for dir in [&workspace, &temp, &tool_cache] {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        Ok(Job {
            runner_os: "Linux".to_owned(),
            runner_arch: "X64".to_owned(),
            token: "ghs_harnessToken0123456789abcdefABCDEF".to_owned(),
            workspace,
            temp,
            tool_cache,
            env: BTreeMap::new(),
            base_path: None,
            exported: BTreeMap::new(),
            path_added: Vec::new(),
            step_timeout: Duration::from_secs(600),
            counter: 0,
        })
    }

    /// Set a job-level environment variable.
    pub fn set_env(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.env.insert(name.to_owned(), value.into());
        self
    }

    fn base_env(&self) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| {
                !SCRUBBED_PREFIXES.iter().any(|p| k.starts_with(p))
                    && !SCRUBBED_VARS.contains(&k.as_str())
            })
            .collect();
        let defaults = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_API_URL", "https://api.github.com"),
            ("GITHUB_REPOSITORY", "octo-org/app"),
            ("GITHUB_REPOSITORY_OWNER", "octo-org"),
            ("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567"),
            ("GITHUB_REF", "refs/heads/main"),
            ("GITHUB_REF_NAME", "main"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_WORKFLOW", "ci"),
            ("GITHUB_JOB", "test"),
            ("GITHUB_RUN_ID", "4242"),
            ("GITHUB_RUN_NUMBER", "7"),
            ("GITHUB_RUN_ATTEMPT", "1"),
            ("RUNNER_ENVIRONMENT", "github-hosted"),
        ];
        for (k, v) in defaults {
            env.insert(k.to_owned(), v.to_owned());
        }
        env.insert("RUNNER_OS".to_owned(), self.runner_os.clone());
        env.insert("RUNNER_ARCH".to_owned(), self.runner_arch.clone());
        env.insert("RUNNER_TEMP".to_owned(), self.temp.display().to_string());
        env.insert(
            "RUNNER_TOOL_CACHE".to_owned(),
            self.tool_cache.display().to_string(),
        );
        env.insert(
            "GITHUB_WORKSPACE".to_owned(),
            self.workspace.display().to_string(),
        );
        env.extend(self.env.clone());
        env.extend(self.exported.clone());
        let base_path = self
            .base_path
            .clone()
            .or_else(|| env.get("PATH").cloned())
            .unwrap_or_default();
        let mut path = self.path_added.clone();
        if !base_path.is_empty() {
            path.push(base_path);
        }
        env.insert("PATH".to_owned(), path.join(":"));
        env
    }

    /// Run `action` with `inputs` (by input name; unset ones take their
    /// default). `Err` is a harness error; a failing step is an `Ok` run
    /// whose [`ActionRun::failed`] says which step and why.
    pub fn run(&mut self, action: &Action, inputs: &[(&str, &str)]) -> Result<ActionRun> {
        action.check_runnable()?;
        let mut given = BTreeMap::new();
        for (name, value) in inputs {
            ensure!(
                action.inputs.contains_key(*name),
                "{}: input `{name}` is not declared by the action",
                action.path.display()
            );
            given.insert((*name).to_owned(), (*value).to_owned());
        }

        let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut runs = Vec::new();
        let mut earlier_ids = Vec::new();
        for (index, step) in action.steps.iter().enumerate() {
            let ctx = ExprContext {
                action,
                inputs: &given,
                job: self,
                step_outputs: &step_outputs,
                earlier_ids: &earlier_ids,
            };
            let mut step_env = Vec::new();
            for (name, raw) in &step.env {
                let value = substitute_with(raw, |e| ctx.eval(e, 0)).with_context(|| {
                    format!(
                        "{}: {} env {name}",
                        action.path.display(),
                        step.label(index)
                    )
                })?;
                step_env.push((name.clone(), value));
            }
            let result = self.run_step(action, step, index, &step_env)?;
            for (name, value) in &result.exported {
                self.exported.insert(name.clone(), value.clone());
            }
            for dir in &result.path_added {
                self.path_added.insert(0, dir.clone());
            }
            if let Some(id) = &step.id {
                step_outputs.insert(id.clone(), result.outputs.clone());
                earlier_ids.push(id.clone());
            }
            let failed = result.exit_code != 0;
            runs.push(result);
            if failed {
                break;
            }
        }

        let all_ids: Vec<String> = action.steps.iter().filter_map(|s| s.id.clone()).collect();
        let ctx = ExprContext {
            action,
            inputs: &given,
            job: self,
            step_outputs: &step_outputs,
            earlier_ids: &all_ids,
        };
        let mut outputs = BTreeMap::new();
        for (name, output) in &action.outputs {
            let raw = output.value.as_deref().ok_or_else(|| {
                anyhow!("{}: output `{name}` has no value", action.path.display())
            })?;
            outputs.insert(name.clone(), substitute_with(raw, |e| ctx.eval(e, 0))?);
        }
        Ok(ActionRun {
            steps: runs,
            outputs,
        })
    }

    fn run_step(
        &mut self,
        action: &Action,
        step: &Step,
        index: usize,
        step_env: &[(String, String)],
    ) -> Result<StepRun> {
        self.counter += 1;
        let dir = self.temp.join(format!(
            "_harness_step_{}_{}",
            std::process::id(),
            self.counter
        ));
        fs::create_dir_all(&dir)?;
        let script = dir.join("script.sh");
        let files = ["output", "env", "path", "summary"].map(|n| dir.join(n));
        for file in &files {
            fs::write(file, "")?;
        }
        let [output_file, env_file, path_file, summary_file] = &files;
        fs::write(&script, step.run.as_deref().unwrap_or_default())?;

        let mut env = self.base_env();
        env.insert(
            "GITHUB_ACTION_PATH".to_owned(),
            action.dir.display().to_string(),
        );
        env.insert(
            "GITHUB_OUTPUT".to_owned(),
            output_file.display().to_string(),
        );
        env.insert("GITHUB_ENV".to_owned(), env_file.display().to_string());
        env.insert("GITHUB_PATH".to_owned(), path_file.display().to_string());
        env.insert(
            "GITHUB_STEP_SUMMARY".to_owned(),
            summary_file.display().to_string(),
        );
        env.insert(
            "GITHUB_ACTION".to_owned(),
            step.id.clone().unwrap_or_else(|| format!("__run_{index}")),
        );
        for (name, value) in step_env {
            env.insert(name.clone(), value.clone());
        }

        let stdout_path = dir.join("stdout");
        let stderr_path = dir.join("stderr");
        let mut child = Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(&self.workspace)
            .env_clear()
            .envs(&env)
            .stdin(Stdio::null())
            .stdout(fs::File::create(&stdout_path)?)
            .stderr(fs::File::create(&stderr_path)?)
            .process_group(0)
            .spawn()
            .context("spawning bash")?;
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break Some(status);
            }
            if started.elapsed() > self.step_timeout {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let stdout = String::from_utf8_lossy(&fs::read(&stdout_path)?).into_owned();
        let mut stderr = String::from_utf8_lossy(&fs::read(&stderr_path)?).into_owned();
        let exit_code = match status {
            Some(status) => status.code().unwrap_or_else(|| {
                stderr.push_str(&format!("\n[harness] terminated by a signal: {status}\n"));
                -1
            }),
            None => {
                stderr.push_str(&format!(
                    "\n[harness] killed after {:?} (step timeout)\n",
                    self.step_timeout
                ));
                -1
            }
        };
        let label = step.label(index);
        let read = |path: &Path| -> Result<BTreeMap<String, String>> {
            parse_file_commands(&fs::read_to_string(path)?).with_context(|| {
                format!(
                    "{label}: malformed {} (the runner would fail the step)",
                    path.display()
                )
            })
        };
        let outputs = read(output_file)?;
        let exported = read(env_file)?;
        let path_added = fs::read_to_string(path_file)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let summary = fs::read_to_string(summary_file)?;
        Ok(StepRun {
            id: step.id.clone(),
            label,
            exit_code,
            stdout,
            stderr,
            outputs,
            exported,
            path_added,
            summary,
            env: step_env.to_vec(),
        })
    }
}

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepRun {
    pub id: Option<String>,
    pub label: String,
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Parsed `$GITHUB_OUTPUT`.
    pub outputs: BTreeMap<String, String>,
    /// Parsed `$GITHUB_ENV`.
    pub exported: BTreeMap<String, String>,
    /// Lines of `$GITHUB_PATH`.
    pub path_added: Vec<String>,
    /// `$GITHUB_STEP_SUMMARY`.
    pub summary: String,
    /// The evaluated `env:` of the step.
    pub env: Vec<(String, String)>,
}

impl StepRun {
    /// An output of this step, or "".
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map_or("", String::as_str)
    }
}

/// What an action run did.
#[derive(Debug, Clone)]
pub struct ActionRun {
    /// The steps that ran, up to and including the first failure.
    pub steps: Vec<StepRun>,
    /// The action's `outputs:`, evaluated at the end.
    pub outputs: BTreeMap<String, String>,
}

impl ActionRun {
    /// The first failing step, if any.
    pub fn failed(&self) -> Option<&StepRun> {
        self.steps.iter().find(|s| s.exit_code != 0)
    }

    /// True when every step ran and passed.
    pub fn success(&self, action: &Action) -> bool {
        self.failed().is_none() && self.steps.len() == action.steps.len()
    }

    /// The step with this id, if it ran.
    pub fn step(&self, id: &str) -> Option<&StepRun> {
        self.steps.iter().find(|s| s.id.as_deref() == Some(id))
    }

    /// An action output, or "".
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).map_or("", String::as_str)
    }

    /// Everything the steps printed, for assertions and failure messages.
    pub fn log(&self) -> String {
        let mut log = String::new();
        for step in &self.steps {
            log.push_str(&format!(
                "--- {} (exit {}) stdout:\n{}--- {} stderr:\n{}",
                step.label, step.exit_code, step.stdout, step.label, step.stderr
            ));
        }
        log
    }

    /// A one-paragraph report of the first failure (exit code and stderr).
    pub fn failure_report(&self) -> String {
        match self.failed() {
            Some(step) => format!(
                "{} failed with exit code {}\nstderr:\n{}\nstdout:\n{}",
                step.label, step.exit_code, step.stderr, step.stdout
            ),
            None => "no step failed".to_owned(),
        }
    }
}
