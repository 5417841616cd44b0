//! ## What it does
//! Reports job `container:` and `services:` images, and a Docker action's
//! `runs.image: docker://...`, without an `@sha256:` digest: high when there
//! is no tag or the tag is `latest`, medium for any other tag.
//!
//! An image chosen by an expression is judged by the values the expression
//! can take: string literals (`inputs.x == 'y' && 'redis:7' || ''`), the
//! static values of the job's matrix (`${{ matrix.image }}`: every value of
//! the `image` dimension and of `include` entries; one finding per
//! unpinned value), and `||`/`&&` between them. A value that cannot be
//! known from the file (`inputs.image`, `vars.DEFAULT_IMAGE`, a matrix
//! built by `fromJSON`) is reported only in the `pedantic` persona, once
//! per such context, at low confidence, as zizmor does.
//!
//! Deliberately not flagged: an empty image (`image: ""`, or an expression
//! that can only yield `''`: no container runs); a digest-pinned value.
//! `uses: docker://IMAGE` steps are reported by `unpinned-uses` (which
//! honours `policy.pins`), not here; zizmor reports them under this name.
//! Tag-only images are a regular finding (medium) here, where zizmor keeps
//! them for its pedantic persona: a tag is as mutable as `latest`.
//!
//! ## Why is this bad?
//! A tag is a pointer its publisher (or whoever steals their credentials)
//! can move. The job then runs a different image, with your secrets, and
//! nothing in your repository changed.
//!
//! ## Example
//! ```yaml
//!     container: node:22
//!     services:
//!       db:
//!         image: postgres
//! ```
//!
//! ## Fix
//! ```yaml
//!     container: node:22@sha256:<digest>
//! ```
//! (`docker buildx imagetools inspect node:22` prints the digest; Renovate's
//! `docker` manager keeps it current.)
//!
//! ## Ignore
//! `# ci-intel: ignore[unpinned-images]` on the image line.

use ci_intel_core::{Confidence, Severity};

use super::Rule;
use crate::audit::model::{Ctx, DocKind, Hit, static_matrix_values};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unpinned-images",
    title: "Container or service image without a digest",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    let pedantic = ctx.opts.persona >= Persona::Pedantic;
    if ctx.kind == DocKind::Action
        && let Some(image) = ctx.doc.get("runs").and_then(|r| r.get("image"))
        && let Some(text) = image.as_str()
        && let Some(reference) = text.strip_prefix("docker://")
    {
        judge("the action's image", reference, image, hits);
    }
    for (name, _, job) in ctx.jobs() {
        let mut images: Vec<(String, &Node)> = Vec::new();
        if let Some(container) = job.get("container") {
            images.push((format!("job `{name}` container"), container));
        }
        if let Some(services) = job.get("services") {
            for (service, node) in services.entries() {
                let service = service.as_str().unwrap_or("?");
                images.push((format!("job `{name}` service `{service}`"), node));
            }
        }
        for (what, node) in images {
            let image = if node.as_str().is_some() {
                node
            } else {
                match node.get("image") {
                    Some(image) => image,
                    None => continue,
                }
            };
            let Some(text) = image.as_str() else { continue };
            if !text.contains("${{") {
                judge(&what, text, image, hits);
                continue;
            }
            for value in image_values(text, job) {
                match value {
                    Value::Known(value) => judge(&what, &value, image, hits),
                    Value::Unknown(context) if pedantic => hits.push(
                        Hit::new(
                            RULE.id,
                            Severity::Medium,
                            image.pos,
                            format!("{what}:{context}"),
                            format!("{what} is chosen by `{context}`, whose value cannot be known from this file: it may be an image without a digest"),
                        )
                        .confidence(Confidence::Low)
                        .fix("pin the image (IMAGE:TAG@sha256:DIGEST) where the value is chosen, or choose among pinned literals"),
                    ),
                    Value::Unknown(_) => {}
                }
            }
        }
    }
}

/// Report `image` (one value of the node `at`) unless it is empty or
/// pinned by digest.
fn judge(what: &str, image: &str, at: &Node, hits: &mut Vec<Hit>) {
    let image = image.trim();
    if image.is_empty() || image.contains("@sha256:") {
        return;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    let tag = last.split_once(':').map(|(_, t)| t);
    let severity = match tag {
        None | Some("latest") => Severity::High,
        Some(_) => Severity::Medium,
    };
    hits.push(
        Hit::new(
            RULE.id,
            severity,
            at.pos,
            format!("{what}:{image}"),
            format!(
                "{what} uses `{image}` without an `@sha256:` digest{}",
                if tag.is_none() {
                    " (not even a tag)"
                } else {
                    ""
                }
            ),
        )
        .fix("append the digest: IMAGE:TAG@sha256:DIGEST"),
    );
}

/// A value an image expression can take.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// A string known from the file.
    Known(String),
    /// Whatever this context holds at run time.
    Unknown(String),
}

/// The values an image field holding `${{ ... }}` can take. Text around a
/// single expression is kept (`repo/${{ matrix.name }}:1`); several
/// expressions in one value are one unknown.
fn image_values(text: &str, job: &Node) -> Vec<Value> {
    let (Some(open), Some(close)) = (text.find("${{"), text.rfind("}}")) else {
        return vec![Value::Known(text.to_owned())];
    };
    let (before, inner, after) = (&text[..open], &text[open + 3..close], &text[close + 2..]);
    if inner.contains("${{") || close < open {
        return vec![Value::Unknown(UNREADABLE.to_owned())];
    }
    let mut values = Vec::new();
    for value in Parser::new(inner, job).values() {
        let value = match value {
            Value::Known(v) if v.is_empty() && before.is_empty() && after.is_empty() => continue,
            Value::Known(v) => Value::Known(format!("{before}{v}{after}")),
            unknown => unknown,
        };
        if !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// A small reader of the expression subset images are chosen with: string
/// literals, contexts, `||`, `&&`, comparisons and parentheses. What it does
/// not understand becomes one unknown value (never a silent pass).
struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
    job: &'a Node,
    /// Nesting so far: deeper than [`MAX_DEPTH`] is one unknown value, so
    /// a file of 50,000 parentheses cannot exhaust the stack.
    depth: usize,
}

/// How an expression the reader cannot follow is named: never by its text,
/// which may hold a literal that should not be repeated.
const UNREADABLE: &str = "an expression this reader does not follow";

/// Nesting an image expression may have before it is read as unknown.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Str(&'a str),
    Word(&'a str),
    Or,
    And,
    Compare,
    Not,
    Open,
    Close,
    Other,
}

/// An operand: the strings it may yield, and whether it may be falsy
/// (so that `a || b` may yield b).
struct Operand {
    values: Vec<Value>,
    may_be_falsy: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, job: &'a Node) -> Self {
        Parser {
            tokens: tokenize(text),
            at: 0,
            job,
            depth: 0,
        }
    }

    fn values(mut self) -> Vec<Value> {
        let operand = self.or();
        if self.at != self.tokens.len() {
            return vec![Value::Unknown(UNREADABLE.to_owned())];
        }
        operand.values
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.at).copied()
    }

    fn or(&mut self) -> Operand {
        let mut left = self.and();
        while self.peek() == Some(Token::Or) {
            self.at += 1;
            let right = self.and();
            // a || b: a when truthy, else b.
            let mut values: Vec<Value> = left
                .values
                .into_iter()
                .filter(|v| !matches!(v, Value::Known(s) if s.is_empty()))
                .collect();
            if left.may_be_falsy {
                values.extend(right.values);
            }
            left = Operand {
                values,
                may_be_falsy: left.may_be_falsy && right.may_be_falsy,
            };
        }
        left
    }

    fn and(&mut self) -> Operand {
        let mut left = self.comparison();
        while self.peek() == Some(Token::And) {
            self.at += 1;
            let right = self.comparison();
            // a && b: b when a is truthy, else a (falsy: no image).
            left = Operand {
                values: right.values,
                may_be_falsy: left.may_be_falsy || right.may_be_falsy,
            };
        }
        left
    }

    fn comparison(&mut self) -> Operand {
        let left = self.unary();
        if self.peek() == Some(Token::Compare) {
            self.at += 1;
            let _ = self.unary();
            // A boolean: never an image.
            return Operand {
                values: Vec::new(),
                may_be_falsy: true,
            };
        }
        left
    }

    fn unary(&mut self) -> Operand {
        if self.depth >= MAX_DEPTH {
            self.at = self.tokens.len() + 1;
            return unknown(UNREADABLE);
        }
        self.depth += 1;
        let operand = self.unary_inner();
        self.depth -= 1;
        operand
    }

    fn unary_inner(&mut self) -> Operand {
        match self.peek() {
            Some(Token::Not) => {
                self.at += 1;
                let _ = self.unary();
                Operand {
                    values: Vec::new(),
                    may_be_falsy: true,
                }
            }
            Some(Token::Open) => {
                self.at += 1;
                let inner = self.or();
                if self.peek() == Some(Token::Close) {
                    self.at += 1;
                    inner
                } else {
                    self.at = self.tokens.len() + 1;
                    inner
                }
            }
            Some(Token::Str(s)) => {
                self.at += 1;
                Operand {
                    may_be_falsy: s.is_empty(),
                    values: vec![Value::Known(s.replace("''", "'"))],
                }
            }
            Some(Token::Word(word)) => {
                self.at += 1;
                if self.peek() == Some(Token::Open) {
                    // A function call: its result is not known here.
                    let mut depth = 0usize;
                    while let Some(t) = self.peek() {
                        self.at += 1;
                        match t {
                            Token::Open => depth += 1,
                            Token::Close => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    return unknown(word);
                }
                match word {
                    "true" | "false" | "null" => Operand {
                        values: Vec::new(),
                        may_be_falsy: true,
                    },
                    _ if word
                        .bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_digit() || b == b'-') =>
                    {
                        Operand {
                            values: Vec::new(),
                            may_be_falsy: true,
                        }
                    }
                    _ => match word.strip_prefix("matrix.") {
                        Some(key) => matrix_values(self.job, key).map_or_else(
                            || unknown(word),
                            |values| Operand {
                                may_be_falsy: true,
                                values,
                            },
                        ),
                        None => unknown(word),
                    },
                }
            }
            _ => {
                self.at = self.tokens.len() + 1;
                unknown(UNREADABLE)
            }
        }
    }
}

fn unknown(context: &str) -> Operand {
    Operand {
        values: vec![Value::Unknown(context.to_owned())],
        may_be_falsy: true,
    }
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'\'' => {
                // '' inside a literal is a quote.
                let start = i + 1;
                let mut j = start;
                loop {
                    match bytes.get(j) {
                        None => {
                            tokens.push(Token::Other);
                            return tokens;
                        }
                        Some(b'\'') if bytes.get(j + 1) == Some(&b'\'') => j += 2,
                        Some(b'\'') => break,
                        Some(_) => j += 1,
                    }
                }
                tokens.push(Token::Str(&text[start..j]));
                i = j + 1;
            }
            b'|' if bytes.get(i + 1) == Some(&b'|') => {
                tokens.push(Token::Or);
                i += 2;
            }
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                tokens.push(Token::And);
                i += 2;
            }
            b'=' | b'!' | b'<' | b'>' if bytes.get(i + 1) == Some(&b'=') => {
                tokens.push(Token::Compare);
                i += 2;
            }
            b'<' | b'>' => {
                tokens.push(Token::Compare);
                i += 1;
            }
            b'!' => {
                tokens.push(Token::Not);
                i += 1;
            }
            b'(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            b')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            _ if c.is_ascii_alphanumeric()
                || matches!(c, b'_' | b'-' | b'.' | b'*' | b'[' | b']') =>
            {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'-' | b'.' | b'*' | b'[' | b']'))
                {
                    i += 1;
                }
                tokens.push(Token::Word(&text[start..i]));
            }
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
    }
    tokens
}

/// The static values of `matrix.KEY` in `job`, or `None` when the matrix
/// (or one of its values) is computed at run time.
fn matrix_values(job: &Node, key: &str) -> Option<Vec<Value>> {
    let values = static_matrix_values(job, key)?;
    if values.iter().any(|v| v.contains("${{")) {
        return None;
    }
    Some(
        values
            .into_iter()
            .map(|v| Value::Known(v.to_owned()))
            .collect(),
    )
}
