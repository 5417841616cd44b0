//! Rules are data: one TOML table per rule, the built-in pack in
//! `crates/autopsy/rules/*.toml` (one file per rule), and a repository's
//! own rules in `.ci-intel/autopsy/*.toml`, which add rules, replace a
//! built-in one (`override = true`) or switch one off (`disabled = true`).
//!
//! The format is documented in `docs/autopsy.md` ("Rule format"); every key
//! is checked here, and every error names the file, the line, the rule and
//! the key, says what was expected and what was found.

pub mod compile;

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use regex::Regex;
use serde::{Deserialize, Serialize};
use toml::Spanned;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The highest priority a rule may have.
pub const MAX_PRIORITY: i64 = 100;
/// The shortest keyword: shorter ones would send most lines to the regexes.
pub const MIN_KEYWORD_LEN: usize = 3;
/// How far a location search may look before or after the matched line.
pub const MAX_LOCATION_BEFORE: i64 = 64;
pub const MAX_LOCATION_AFTER: i64 = 200;
/// How many lines after a match a `continued_by` pattern may be looked for.
pub const MAX_CONTINUED_WITHIN: i64 = 20;
/// Compiled size limit of one pattern.
const REGEX_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// How bad a cause is, in pipeline_run's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CauseSeverity {
    Info,
    Warn,
    Error,
}

impl CauseSeverity {
    pub fn as_str(self) -> &'static str {
        match self {
            CauseSeverity::Info => "info",
            CauseSeverity::Warn => "warn",
            CauseSeverity::Error => "error",
        }
    }

    /// The finding severity for SARIF and annotations.
    pub fn finding(self) -> ci_intel_core::Severity {
        match self {
            CauseSeverity::Error => ci_intel_core::Severity::High,
            CauseSeverity::Warn => ci_intel_core::Severity::Medium,
            CauseSeverity::Info => ci_intel_core::Severity::Low,
        }
    }
}

/// Where a rule came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `crates/autopsy/rules/<file>`.
    Builtin(String),
    /// A repository file (path as given) and the line of the rule's `id`.
    File(String, usize),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin(file) => write!(f, "built-in rules/{file}"),
            Origin::File(path, line) => write!(f, "{path}:{line}"),
        }
    }
}

/// Where to look for the failing code's `file:line` when the matched line
/// does not name it.
#[derive(Debug, Clone)]
pub struct LocationSpec {
    /// Must have a `file` group; may have `line` and `column`.
    pub pattern: Regex,
    /// Lines before the match to search, nearest first.
    pub before: u32,
    /// Lines after the match to search, nearest first (after `before`).
    pub after: u32,
}

/// A match that a following line shows to be an intermediate step (a
/// chained exception) gives way to the rule's next match.
#[derive(Debug, Clone)]
pub struct ContinuedBy {
    pub pattern: Regex,
    /// How many lines after the match the continuation may appear.
    pub within: u32,
}

/// The part of a log a rule applies in: from a line matching `start` to the
/// next line matching `end` (pytest's `FAILURES` section, say). The
/// section's own `keywords` make those lines visible to the prefilter.
#[derive(Debug, Clone)]
pub struct SectionSpec {
    pub start: Regex,
    pub end: Regex,
    pub keywords: Vec<String>,
}

/// Lines a rule must and must not fire on (repository rules; checked by
/// the gate and at load time).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fires: Vec<String>,
    #[serde(default)]
    pub quiet: Vec<String>,
}

/// One rule, checked.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub tool: String,
    pub title: String,
    pub priority: u8,
    pub severity: CauseSeverity,
    pub keywords: Vec<String>,
    pub pattern: Regex,
    pub exclude: Option<Regex>,
    pub captures: Vec<String>,
    pub message: Option<String>,
    pub signature: Option<String>,
    pub location: Option<LocationSpec>,
    pub continued_by: Option<ContinuedBy>,
    /// Fire only inside this section of the log.
    pub section: Option<SectionSpec>,
    pub suggestion: String,
    pub docs: String,
    pub what: String,
    pub why: String,
    pub examples: Examples,
    /// Fire only on lines the runner marks as errors (`##[error]`,
    /// `::error`).
    pub error_marker: bool,
    pub origin: Origin,
}

/// A rule file's problem, with everything needed to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// The file as given (or `rules/<file>` for a built-in).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The rule's id, when known.
    pub rule: Option<String>,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule `{rule}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A rule table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    tool: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    priority: Option<Spanned<i64>>,
    severity: Option<Spanned<String>>,
    keywords: Option<Spanned<Vec<String>>>,
    pattern: Option<Spanned<String>>,
    exclude: Option<Spanned<String>>,
    captures: Option<Spanned<Vec<String>>>,
    message: Option<Spanned<String>>,
    signature: Option<Spanned<String>>,
    location: Option<Spanned<RawLocation>>,
    continued_by: Option<Spanned<RawContinued>>,
    section: Option<Spanned<RawSection>>,
    suggestion: Option<Spanned<String>>,
    docs: Option<Spanned<String>>,
    what: Option<Spanned<String>>,
    why: Option<Spanned<String>>,
    examples: Option<Spanned<Examples>>,
    error_marker: Option<bool>,
    disabled: Option<bool>,
    #[serde(rename = "override")]
    overrides: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLocation {
    pattern: String,
    #[serde(default)]
    before: i64,
    #[serde(default)]
    after: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContinued {
    pattern: String,
    within: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    start: String,
    end: String,
    keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMany {
    rule: Vec<RawRule>,
}

/// What one file asks for, after checking.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A new rule, or (with `override = true`) a replacement.
    Rule { rule: Box<Rule>, overrides: bool },
    /// `disabled = true`: switch the rule with this id off.
    Disable { id: String, origin: Origin },
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
    builtin: bool,
    errors: Vec<RuleError>,
}

impl Checker<'_> {
    fn error(&mut self, rule: Option<&str>, span: Option<std::ops::Range<usize>>, message: String) {
        self.errors.push(RuleError {
            file: self.file.to_owned(),
            line: span.map(|s| line_of(self.text, s.start)),
            rule: rule.map(str::to_owned),
            message,
        });
    }

    fn regex(&mut self, id: &str, key: &str, value: &Spanned<String>) -> Option<Regex> {
        match regex::RegexBuilder::new(value.get_ref())
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(re) => Some(re),
            Err(e) => {
                self.error(
                    Some(id),
                    Some(value.span()),
                    format!(
                        "`{key}` is not a valid regular expression (Rust regex syntax): {}",
                        one_line(&e.to_string())
                    ),
                );
                None
            }
        }
    }

    fn required<'v>(
        &mut self,
        id: &str,
        id_span: std::ops::Range<usize>,
        key: &str,
        value: Option<&'v Spanned<String>>,
    ) -> Option<&'v Spanned<String>> {
        match value {
            Some(v) if !v.get_ref().trim().is_empty() => Some(v),
            Some(v) => {
                self.error(
                    Some(id),
                    Some(v.span()),
                    format!("`{key}` is empty; expected {}", expectation(key)),
                );
                None
            }
            None => {
                self.error(
                    Some(id),
                    Some(id_span),
                    format!("`{key}` is missing; expected {}", expectation(key)),
                );
                None
            }
        }
    }

    fn check(&mut self, raw: RawRule, origin_line: usize) -> Option<Entry> {
        let id = raw.id.get_ref().clone();
        let id_span = raw.id.span();
        let origin = if self.builtin {
            Origin::Builtin(self.file.trim_start_matches("rules/").to_owned())
        } else {
            Origin::File(self.file.to_owned(), origin_line)
        };
        let before = self.errors.len();
        if !valid_id(&id) {
            self.error(
                Some(&id),
                Some(id_span.clone()),
                format!(
                    "`id` is {id:?}; expected 2 to 64 characters of lower-case letters, digits and `-`, starting with a letter or digit"
                ),
            );
        }
        if raw.disabled == Some(true) {
            if self.builtin {
                self.error(
                    Some(&id),
                    Some(id_span),
                    "a built-in rule cannot be `disabled`; delete the file".to_owned(),
                );
                return None;
            }
            return (self.errors.len() == before).then_some(Entry::Disable { id, origin });
        }
        let tool = self.required(&id, id_span.clone(), "tool", raw.tool.as_ref());
        let title = self.required(&id, id_span.clone(), "title", raw.title.as_ref());
        let severity = self.required(&id, id_span.clone(), "severity", raw.severity.as_ref());
        let pattern = self.required(&id, id_span.clone(), "pattern", raw.pattern.as_ref());
        let suggestion = self.required(&id, id_span.clone(), "suggestion", raw.suggestion.as_ref());
        let docs = self.required(&id, id_span.clone(), "docs", raw.docs.as_ref());
        let (what, why) = if self.builtin {
            (
                self.required(&id, id_span.clone(), "what", raw.what.as_ref()),
                self.required(&id, id_span.clone(), "why", raw.why.as_ref()),
            )
        } else {
            (raw.what.as_ref(), raw.why.as_ref())
        };
        if let Some(tool) = tool
            && (tool.get_ref().len() > 40 || tool.get_ref().contains(char::is_whitespace))
        {
            self.error(
                Some(&id),
                Some(tool.span()),
                format!(
                    "`tool` is {:?}; expected one short word naming the tool (`pytest`, `cargo`, `runner`)",
                    tool.get_ref()
                ),
            );
        }
        if let Some(title) = title
            && title.get_ref().contains('\n')
        {
            self.error(
                Some(&id),
                Some(title.span()),
                "`title` spans several lines; expected one line".to_owned(),
            );
        }
        let priority = match &raw.priority {
            Some(p) if (0..=MAX_PRIORITY).contains(p.get_ref()) => *p.get_ref() as u8,
            Some(p) => {
                self.error(
                    Some(&id),
                    Some(p.span()),
                    format!(
                        "`priority` is {}; expected an integer from 0 to {MAX_PRIORITY} (higher ranks first)",
                        p.get_ref()
                    ),
                );
                0
            }
            None => {
                self.error(
                    Some(&id),
                    Some(id_span.clone()),
                    format!("`priority` is missing; expected an integer from 0 to {MAX_PRIORITY}"),
                );
                0
            }
        };
        let severity = severity.and_then(|s| match s.get_ref().as_str() {
            "error" => Some(CauseSeverity::Error),
            "warn" => Some(CauseSeverity::Warn),
            "info" => Some(CauseSeverity::Info),
            other => {
                self.error(
                    Some(&id),
                    Some(s.span()),
                    format!(
                        "`severity` is {other:?}; expected one of \"error\", \"warn\", \"info\""
                    ),
                );
                None
            }
        });
        let keywords = match &raw.keywords {
            Some(k) if k.get_ref().is_empty() => {
                self.error(
                    Some(&id),
                    Some(k.span()),
                    "`keywords` is empty; expected at least one word that every matching line contains".to_owned(),
                );
                Vec::new()
            }
            Some(k) => {
                for word in k.get_ref() {
                    if word.trim().len() < MIN_KEYWORD_LEN {
                        self.error(
                            Some(&id),
                            Some(k.span()),
                            format!(
                                "keyword {word:?} is shorter than {MIN_KEYWORD_LEN} bytes; expected a word that is rare in logs (the prefilter would try the rule on most lines)"
                            ),
                        );
                    }
                }
                k.get_ref().clone()
            }
            None => {
                self.error(
                    Some(&id),
                    Some(id_span.clone()),
                    "`keywords` is missing; expected a list of words, one of which every matching line contains (ASCII case-insensitive)".to_owned(),
                );
                Vec::new()
            }
        };
        let regex = pattern.and_then(|p| self.regex(&id, "pattern", p));
        if let Some(re) = &regex
            && re.is_match("")
        {
            self.error(
                Some(&id),
                pattern.map(Spanned::span),
                "`pattern` matches an empty line; expected a pattern that needs some text"
                    .to_owned(),
            );
        }
        let exclude = raw
            .exclude
            .as_ref()
            .and_then(|e| self.regex(&id, "exclude", e));
        let declared: Vec<String> = raw
            .captures
            .as_ref()
            .map(|c| c.get_ref().clone())
            .unwrap_or_default();
        if let Some(re) = &regex {
            let named: BTreeSet<String> = re.capture_names().flatten().map(str::to_owned).collect();
            let listed: BTreeSet<String> = declared.iter().cloned().collect();
            if named != listed {
                let span = raw.captures.as_ref().map_or(id_span.clone(), Spanned::span);
                self.error(
                    Some(&id),
                    Some(span),
                    format!(
                        "`captures` is [{}] but the pattern's named groups are [{}]; list exactly the pattern's `(?P<name>...)` groups",
                        quoted(&listed),
                        quoted(&named)
                    ),
                );
            }
        }
        for (key, template) in [("message", &raw.message), ("signature", &raw.signature)] {
            if let Some(template) = template {
                match template_names(template.get_ref()) {
                    Ok(names) => {
                        for name in names {
                            if !declared.contains(&name) {
                                self.error(
                                    Some(&id),
                                    Some(template.span()),
                                    format!(
                                        "`{key}` uses {{{name}}}, which is not one of the captures [{}]",
                                        quoted(&declared.iter().cloned().collect())
                                    ),
                                );
                            }
                        }
                    }
                    Err(message) => self.error(
                        Some(&id),
                        Some(template.span()),
                        format!("`{key}`: {message}"),
                    ),
                }
            }
        }
        let location = raw.location.as_ref().and_then(|loc| {
            let spec = loc.get_ref();
            let span = loc.span();
            let re = match regex::RegexBuilder::new(&spec.pattern)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                Ok(re) => re,
                Err(e) => {
                    self.error(
                        Some(&id),
                        Some(span),
                        format!(
                            "`location.pattern` is not a valid regular expression: {}",
                            one_line(&e.to_string())
                        ),
                    );
                    return None;
                }
            };
            if !re.capture_names().flatten().any(|n| n == "file") {
                self.error(
                    Some(&id),
                    Some(span.clone()),
                    "`location.pattern` has no `(?P<file>...)` group; expected one (and optionally `line`, `column`)".to_owned(),
                );
            }
            if !(0..=MAX_LOCATION_BEFORE).contains(&spec.before)
                || !(0..=MAX_LOCATION_AFTER).contains(&spec.after)
                || spec.before + spec.after == 0
            {
                self.error(
                    Some(&id),
                    Some(span),
                    format!(
                        "`location.before` is {} and `location.after` is {}; expected 0 to {MAX_LOCATION_BEFORE} and 0 to {MAX_LOCATION_AFTER} lines, not both 0",
                        spec.before, spec.after
                    ),
                );
                return None;
            }
            Some(LocationSpec {
                pattern: re,
                before: spec.before as u32,
                after: spec.after as u32,
            })
        });
        let continued_by = raw.continued_by.as_ref().and_then(|c| {
            let spec = c.get_ref();
            let re = match Regex::new(&spec.pattern) {
                Ok(re) => re,
                Err(e) => {
                    self.error(
                        Some(&id),
                        Some(c.span()),
                        format!(
                            "`continued_by.pattern` is not a valid regular expression: {}",
                            one_line(&e.to_string())
                        ),
                    );
                    return None;
                }
            };
            if !(1..=MAX_CONTINUED_WITHIN).contains(&spec.within) {
                self.error(
                    Some(&id),
                    Some(c.span()),
                    format!(
                        "`continued_by.within` is {}; expected 1 to {MAX_CONTINUED_WITHIN} lines",
                        spec.within
                    ),
                );
                return None;
            }
            Some(ContinuedBy {
                pattern: re,
                within: spec.within as u32,
            })
        });
        let section = raw.section.as_ref().and_then(|sec| {
            let spec = sec.get_ref();
            let mut compile = |what: &str, pattern: &str| match Regex::new(pattern) {
                Ok(re) => Some(re),
                Err(e) => {
                    self.error(
                        Some(&id),
                        Some(sec.span()),
                        format!("`section.{what}` is not a valid regular expression: {}", one_line(&e.to_string())),
                    );
                    None
                }
            };
            let start = compile("start", &spec.start);
            let end = compile("end", &spec.end);
            if spec.keywords.is_empty() || spec.keywords.iter().any(|k| k.trim().len() < MIN_KEYWORD_LEN) {
                self.error(
                    Some(&id),
                    Some(sec.span()),
                    format!("`section.keywords` must list words of at least {MIN_KEYWORD_LEN} bytes found in the start and end lines"),
                );
                return None;
            }
            Some(SectionSpec {
                start: start?,
                end: end?,
                keywords: spec.keywords.clone(),
            })
        });
        if let Some(docs) = docs
            && !valid_url(docs.get_ref())
        {
            self.error(
                Some(&id),
                Some(docs.span()),
                format!(
                    "`docs` is {:?}; expected an https:// link to the tool's documentation of this failure",
                    docs.get_ref()
                ),
            );
        }
        if self.builtin && raw.overrides.is_some() {
            self.error(
                Some(&id),
                Some(id_span.clone()),
                "`override` is for repository rules only".to_owned(),
            );
        }
        if self.errors.len() != before {
            return None;
        }
        let (Some(tool), Some(title), Some(severity), Some(regex), Some(suggestion), Some(docs)) =
            (tool, title, severity, regex, suggestion, docs)
        else {
            return None;
        };
        let rule = Rule {
            id: id.clone(),
            tool: tool.get_ref().trim().to_owned(),
            title: title.get_ref().trim().to_owned(),
            priority,
            severity,
            keywords,
            pattern: regex,
            exclude,
            captures: declared,
            message: raw.message.as_ref().map(|m| m.get_ref().clone()),
            signature: raw.signature.as_ref().map(|s| s.get_ref().clone()),
            location,
            continued_by,
            section,
            suggestion: squash(suggestion.get_ref()),
            docs: docs.get_ref().trim().to_owned(),
            what: what.map(|w| squash(w.get_ref())).unwrap_or_default(),
            why: why.map(|w| squash(w.get_ref())).unwrap_or_default(),
            examples: raw
                .examples
                .as_ref()
                .map(|e| e.get_ref().clone())
                .unwrap_or_default(),
            error_marker: raw.error_marker == Some(true),
            origin,
        };
        // Examples are checked with the rule alone: keywords, pattern, exclude.
        if let Some(examples) = &raw.examples {
            let single = match compile::RuleSet::single(&rule) {
                Ok(single) => single,
                Err(message) => {
                    self.error(Some(&id), Some(id_span), message);
                    return None;
                }
            };
            for line in &rule.examples.fires {
                if single.first_match(line).is_none() {
                    self.error(
                        Some(&id),
                        Some(examples.span()),
                        format!("example {line:?} is listed under `fires` but the rule does not fire on it (check `keywords`, `pattern` and `exclude`)"),
                    );
                }
            }
            for line in &rule.examples.quiet {
                if single.first_match(line).is_some() {
                    self.error(
                        Some(&id),
                        Some(examples.span()),
                        format!(
                            "example {line:?} is listed under `quiet` but the rule fires on it"
                        ),
                    );
                }
            }
            if self.errors.len() != before {
                return None;
            }
        }
        Some(Entry::Rule {
            rule: Box::new(rule),
            overrides: raw.overrides == Some(true),
        })
    }
}

fn expectation(key: &str) -> &'static str {
    match key {
        "tool" => "the tool that prints the line (`pytest`, `cargo`, `runner`)",
        "title" => "one line saying what failed",
        "severity" => "\"error\", \"warn\" or \"info\"",
        "pattern" => {
            "a regular expression matched against each log line (timestamps, colours and `##[error]` removed)"
        }
        "suggestion" => "the fix to suggest, in a sentence or two",
        "docs" => "an https:// link to the tool's documentation",
        "what" => "what the rule recognises",
        "why" => "why this is the cause worth reporting",
        _ => "a value",
    }
}

/// Parse and check one rule file. `builtin` files must document `what`
/// and `why` and may not use `override`/`disabled`.
pub fn parse_file(file: &str, text: &str, builtin: bool) -> Result<Vec<Entry>, Vec<RuleError>> {
    let table: toml::Table = match text.parse() {
        Ok(table) => table,
        Err(e) => return Err(vec![toml_error(file, text, &e)]),
    };
    let raws: Vec<RawRule> = if table.contains_key("rule") {
        match toml::from_str::<RawMany>(text) {
            Ok(many) => many.rule,
            Err(e) => return Err(vec![toml_error(file, text, &e)]),
        }
    } else {
        match toml::from_str::<RawRule>(text) {
            Ok(one) => vec![one],
            Err(e) => return Err(vec![toml_error(file, text, &e)]),
        }
    };
    if builtin && raws.len() != 1 {
        return Err(vec![RuleError {
            file: file.to_owned(),
            line: None,
            rule: None,
            message: "a built-in rule file holds exactly one rule".to_owned(),
        }]);
    }
    let mut checker = Checker {
        file,
        text,
        builtin,
        errors: Vec::new(),
    };
    let mut entries = Vec::new();
    for raw in raws {
        let line = line_of(text, raw.id.span().start);
        if let Some(entry) = checker.check(raw, line) {
            entries.push(entry);
        }
    }
    if checker.errors.is_empty() {
        Ok(entries)
    } else {
        Err(checker.errors)
    }
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> RuleError {
    RuleError {
        file: file.to_owned(),
        line: e.span().map(|s| line_of(text, s.start)),
        rule: None,
        message: format!("not a valid rule file: {}", one_line(e.message())),
    }
}

/// The built-in rules, checked. An error here is a bug in the pack (a unit
/// test loads every file).
pub fn builtin() -> Result<Vec<Rule>, Vec<RuleError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in BUILTIN_RULES {
        match parse_file(&format!("rules/{name}"), text, true) {
            Ok(entries) => {
                for entry in entries {
                    if let Entry::Rule { rule, .. } = entry {
                        if format!("{}.toml", rule.id) != *name {
                            errors.push(RuleError {
                                file: format!("rules/{name}"),
                                line: Some(1),
                                rule: Some(rule.id.clone()),
                                message: format!("the file must be named {}.toml", rule.id),
                            });
                        }
                        rules.push(*rule);
                    }
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// The repository rule files of `dir` (`*.toml`, sorted by name), as
/// (path relative to `root` or as given, text).
pub fn repository_files(root: &Path, dir: &str) -> Result<Vec<(String, String)>, RuleError> {
    let path = root.join(dir);
    let entries = match std::fs::read_dir(&path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(RuleError {
                file: dir.to_owned(),
                line: None,
                rule: None,
                message: format!("cannot list the rule directory: {e}"),
            });
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let name = format!(
            "{}/{}",
            dir.trim_end_matches('/'),
            file.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
        let text = std::fs::read_to_string(&file).map_err(|e| RuleError {
            file: name.clone(),
            line: None,
            rule: None,
            message: format!("cannot read the rule file: {e}"),
        })?;
        out.push((name, text));
    }
    Ok(out)
}

/// The built-in rules with a repository's files applied: new rules added,
/// `override = true` rules replacing the built-in of the same id,
/// `disabled = true` entries removing one, `disabled_ids` (configuration)
/// removing more. Every problem is reported, not just the first.
pub fn merge(
    builtin: Vec<Rule>,
    files: &[(String, String)],
    disabled_ids: &[String],
) -> Result<Vec<Rule>, Vec<RuleError>> {
    let builtin_ids: BTreeSet<String> = builtin.iter().map(|r| r.id.clone()).collect();
    let mut rules = builtin;
    let mut errors = Vec::new();
    let mut seen_in_repo: BTreeSet<String> = BTreeSet::new();
    for (file, text) in files {
        let entries = match parse_file(file, text, false) {
            Ok(entries) => entries,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        for entry in entries {
            match entry {
                Entry::Disable { id, origin } => {
                    let before = rules.len();
                    rules.retain(|r| r.id != id);
                    if rules.len() == before {
                        errors.push(origin_error(
                            &origin,
                            &id,
                            "`disabled = true` names no known rule; expected the id of a built-in or earlier repository rule (`ci-intel-autopsy rules` lists them)".to_owned(),
                        ));
                    }
                }
                Entry::Rule { rule, overrides } => {
                    let id = rule.id.clone();
                    if !seen_in_repo.insert(id.clone()) {
                        errors.push(origin_error(
                            &rule.origin,
                            &id,
                            "the id is used by another repository rule; expected each id once"
                                .to_owned(),
                        ));
                        continue;
                    }
                    let clashes = builtin_ids.contains(&id);
                    match (clashes, overrides) {
                        (true, true) => {
                            rules.retain(|r| r.id != id);
                            rules.push(*rule);
                        }
                        (true, false) => errors.push(origin_error(
                            &rule.origin,
                            &id,
                            "a built-in rule has this id; set `override = true` to replace it, or choose another id".to_owned(),
                        )),
                        (false, true) => errors.push(origin_error(
                            &rule.origin,
                            &id,
                            "`override = true` but no built-in rule has this id; remove `override` or use the built-in id".to_owned(),
                        )),
                        (false, false) => rules.push(*rule),
                    }
                }
            }
        }
    }
    for id in disabled_ids {
        let before = rules.len();
        rules.retain(|r| &r.id != id);
        if rules.len() == before {
            errors.push(RuleError {
                file: ".ci-intel/config.yml".to_owned(),
                line: None,
                rule: Some(id.clone()),
                message: "`autopsy.disabled_rules` names no known rule".to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

fn origin_error(origin: &Origin, id: &str, message: String) -> RuleError {
    let (file, line) = match origin {
        Origin::Builtin(file) => (format!("rules/{file}"), None),
        Origin::File(file, line) => (file.clone(), Some(*line)),
    };
    RuleError {
        file,
        line,
        rule: Some(id.to_owned()),
        message,
    }
}

fn valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    (2..=64).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

fn valid_url(url: &str) -> bool {
    let url = url.trim();
    url.strip_prefix("https://").is_some_and(|rest| {
        rest.contains('.') && !rest.starts_with('/') && !rest.contains(char::is_whitespace)
    })
}

/// The `{name}` placeholders of a template.
pub fn template_names(template: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err("a `{` is not closed; expected `{name}`".to_owned());
        };
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{{{name}}}` is not a capture name; expected `{{name}}`"
            ));
        }
        names.push(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// Fill a template from captures; a capture that did not take part is
/// empty.
pub fn render_template(template: &str, value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push_str(&value(&after[..close]).unwrap_or_default());
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.trim().to_owned()
}

fn quoted(names: &BTreeSet<String>) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text written over several TOML lines, as one paragraph.
fn squash(text: &str) -> String {
    one_line(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo-failed"
tool = "demo"
title = "Demo failed"
priority = 50
severity = "error"
keywords = ["DEMO FAILED"]
pattern = '^DEMO FAILED: (?P<what>.+)$'
captures = ["what"]
message = "demo failed: {what}"
suggestion = "Fix the demo."
docs = "https://example.com/demo"
"#;

    #[test]
    fn a_repository_rule_loads_and_examples_are_checked() {
        let text =
            format!("{GOOD}examples = {{ fires = [\"DEMO FAILED: x\"], quiet = [\"demo ok\"] }}\n");
        let entries = parse_file("r.toml", &text, false).unwrap();
        assert_eq!(entries.len(), 1);
        let bad = format!("{GOOD}examples = {{ fires = [\"demo ok\"] }}\n");
        let errors = parse_file("r.toml", &bad, false).unwrap_err();
        assert!(errors[0].message.contains("does not fire"), "{errors:?}");
    }

    #[test]
    fn errors_name_file_line_rule_key_and_expectation() {
        let text = GOOD.replace("priority = 50", "priority = 500");
        let errors = parse_file("x.toml", &text, false).unwrap_err();
        assert_eq!(errors.len(), 1);
        let shown = errors[0].to_string();
        assert!(
            shown.starts_with("x.toml:5: rule `demo-failed`: `priority` is 500"),
            "{shown}"
        );
        let text = GOOD.replace("'^DEMO FAILED: (?P<what>.+)$'", "'^DEMO (FAILED'");
        let shown = parse_file("x.toml", &text, false).unwrap_err()[0].to_string();
        assert!(
            shown.contains("x.toml:8:")
                && shown.contains("`pattern` is not a valid regular expression"),
            "{shown}"
        );
        let text = GOOD.replace("captures = [\"what\"]", "captures = [\"why\"]");
        let errors = parse_file("x.toml", &text, false).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("named groups are [\"what\"]")),
            "{errors:?}"
        );
        let text = GOOD.replace("keywords = [\"DEMO FAILED\"]", "keywords = [\"de\"]");
        assert!(
            parse_file("x.toml", &text, false).unwrap_err()[0]
                .message
                .contains("shorter than 3")
        );
        let text = GOOD.replace("https://example.com/demo", "example.com");
        assert!(
            parse_file("x.toml", &text, false).unwrap_err()[0]
                .message
                .contains("https://")
        );
        let text = format!("{GOOD}colour = \"red\"\n");
        let shown = parse_file("x.toml", &text, false).unwrap_err()[0].to_string();
        assert!(
            shown.contains("x.toml:13:") && shown.contains("colour"),
            "{shown}"
        );
    }

    #[test]
    fn overrides_must_be_explicit_and_disables_must_name_a_rule() {
        let builtin = || match &parse_file(
            "rules/demo-failed.toml",
            &format!("{GOOD}what = \"w\"\nwhy = \"y\"\n"),
            true,
        )
        .unwrap()[0]
        {
            Entry::Rule { rule, .. } => vec![(**rule).clone()],
            Entry::Disable { .. } => unreachable!(),
        };
        let shadow = vec![("a.toml".to_owned(), GOOD.to_owned())];
        let errors = merge(builtin(), &shadow, &[]).unwrap_err();
        assert!(
            errors[0].message.contains("set `override = true`"),
            "{errors:?}"
        );
        let replace = vec![(
            "a.toml".to_owned(),
            format!("override = true\n{GOOD}").replace("priority = 50", "priority = 10"),
        )];
        let rules = merge(builtin(), &replace, &[]).unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].priority, 10);
        let disable = vec![(
            "a.toml".to_owned(),
            "[[rule]]\nid = \"demo-failed\"\ndisabled = true\n".to_owned(),
        )];
        assert!(merge(builtin(), &disable, &[]).unwrap().is_empty());
        let unknown = vec![(
            "a.toml".to_owned(),
            "[[rule]]\nid = \"nope\"\ndisabled = true\n".to_owned(),
        )];
        assert!(
            merge(builtin(), &unknown, &[]).unwrap_err()[0]
                .message
                .contains("names no known rule")
        );
        assert!(
            merge(builtin(), &[], &["demo-failed".to_owned()])
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn templates_render_and_reject_bad_names() {
        assert_eq!(template_names("{a} and {b_2}").unwrap(), vec!["a", "b_2"]);
        assert!(template_names("{a").is_err());
        assert!(template_names("{a b}").is_err());
        assert_eq!(
            render_template("x={a} y={b}", |n| (n == "a").then(|| "1".to_owned())),
            "x=1 y="
        );
    }
}
