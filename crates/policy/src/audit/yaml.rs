//! A small YAML tree that keeps the position of every node, built from
//! `saphyr-parser` events.
//!
//! Workflow files are untrusted input, so the loader is defensive: nesting
//! depth and alias expansion are bounded, duplicate keys are reported (GitHub
//! refuses them too), and every failure is a [`LoadError`] with a position,
//! never a panic.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// Deeper documents are refused (no workflow comes close).
const MAX_DEPTH: usize = 256;
/// Nodes an alias may expand to, across the whole document.
const MAX_ALIAS_NODES: usize = 200_000;

/// A 1-based position range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub end_line: u32,
    pub end_col: u32,
}

impl Pos {
    fn from_span(span: &Span) -> Pos {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Pos {
            line: clamp(span.start.line().max(1)),
            col: clamp(span.start.col().saturating_add(1)),
            end_line: clamp(span.end.line().max(1)),
            end_col: clamp(span.end.col().saturating_add(1)),
        }
    }
}

/// One node of the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
    /// For a node written as an alias (`*name`): where its anchor's node
    /// was written. `pos` is the alias; the text itself is at `origin`.
    pub origin: Option<Pos>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar as text; `plain` is false for quoted and block scalars.
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key node and value node under `key` in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Mapping entries (empty for anything else).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sequence items (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.kind, Kind::Seq(_))
    }

    /// A plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, plain: true } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A boolean under the YAML 1.2 core schema (what the runner reads).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Scalar { value, plain: true } => match value.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every scalar in this subtree, depth first.
    pub fn scalars(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            match &node.kind {
                Kind::Scalar { .. } => out.push(node),
                Kind::Seq(items) => stack.extend(items.iter().rev()),
                Kind::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
            }
        }
        out
    }
}

/// Why a text is not a usable YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
    pub line: u32,
    pub col: u32,
}

enum Frame {
    Seq(Vec<Node>, Pos, usize),
    Map(Vec<(Node, Node)>, Pos, usize, Option<Node>),
}

/// Parse the first document of `text`. `Ok(None)` means the stream holds no
/// document at all. A second document is an error: workflow files hold one.
pub fn load(text: &str) -> Result<Option<Node>, LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut alias_budget = MAX_ALIAS_NODES;
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(pair)) => pair,
            Some(Err(error)) => {
                let mark = error.marker();
                // An error at the end of the input is marked on the line
                // after the last one; a finding points at a line of the file.
                // (YAML's line breaks: `\n`, `\r\n` and a lone `\r`.)
                let breaks = text.matches('\n').count() + text.matches('\r').count()
                    - text.matches("\r\n").count();
                let last = u32::try_from(breaks + 1).unwrap_or(u32::MAX);
                return Err(LoadError {
                    message: error.info().to_owned(),
                    line: u32::try_from(mark.line().max(1))
                        .unwrap_or(u32::MAX)
                        .min(last),
                    col: u32::try_from(mark.col() + 1).unwrap_or(u32::MAX),
                });
            }
        };
        let pos = Pos::from_span(&span);
        let complete: Option<(Node, usize)> = match event {
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(LoadError {
                        message: "a second YAML document in the same file; a workflow or action file holds exactly one".to_owned(),
                        line: pos.line,
                        col: pos.col,
                    });
                }
                None
            }
            Event::Scalar(value, style, anchor, _tag) => Some((
                Node {
                    kind: Kind::Scalar {
                        value: value.into_owned(),
                        plain: matches!(style, ScalarStyle::Plain),
                    },
                    pos,
                    origin: None,
                },
                anchor,
            )),
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(LoadError {
                        message: "alias to an unknown anchor".to_owned(),
                        line: pos.line,
                        col: pos.col,
                    });
                };
                let size = count_nodes(target);
                if size > alias_budget {
                    return Err(LoadError {
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; refusing (a billion-laughs document?)"
                        ),
                        line: pos.line,
                        col: pos.col,
                    });
                }
                alias_budget -= size;
                let mut node = target.clone();
                node.origin = Some(target.origin.unwrap_or(target.pos));
                node.pos = pos;
                Some((node, 0))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(pos));
                }
                stack.push(Frame::Seq(Vec::new(), pos, anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(depth_error(pos));
                }
                stack.push(Frame::Map(Vec::new(), pos, anchor, None));
                None
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(items, start, anchor)) => Some((
                    Node {
                        kind: Kind::Seq(items),
                        pos: Pos {
                            end_line: pos.end_line,
                            end_col: pos.end_col,
                            ..start
                        },
                        origin: None,
                    },
                    anchor,
                )),
                _ => return Err(internal(pos)),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(entries, start, anchor, None)) => {
                    check_duplicates(&entries)?;
                    Some((
                        Node {
                            kind: Kind::Map(entries),
                            pos: Pos {
                                end_line: pos.end_line,
                                end_col: pos.end_col,
                                ..start
                            },
                            origin: None,
                        },
                        anchor,
                    ))
                }
                _ => return Err(internal(pos)),
            },
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => None,
        };
        let Some((node, anchor)) = complete else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, _, _, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    Ok(root)
}

/// How many lines [`load_lenient`] may re-indent in one file.
const MAX_REPAIRS: usize = 64;

/// [`load`], but accepting what GitHub's (and libyaml's) parser accepts and a
/// strict YAML 1.2 parser does not: a continuation line of a flow collection
/// (`]`) or of a multi-line quoted scalar indented less than its key. Such a
/// line is indented two more spaces and parsing is retried; positions on it
/// are mapped back to the original columns. Any other error stands.
pub fn load_lenient(text: &str) -> Result<Option<Node>, LoadError> {
    let first = match load(text) {
        Ok(doc) => return Ok(doc),
        Err(e) => e,
    };
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let mut shifted: HashMap<u32, u32> = HashMap::new();
    let mut error = first.clone();
    for _ in 0..MAX_REPAIRS {
        if !error.message.contains("indentation") {
            return Err(first);
        }
        let Some(at) = usize::try_from(error.line)
            .ok()
            .and_then(|l| l.checked_sub(1))
            .filter(|i| *i < lines.len())
        else {
            return Err(first);
        };
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        // A quoted scalar is reported at its first line; the culprit is the
        // first later line indented no deeper than it.
        let (target, add) = if error.message.contains("quoted scalar") {
            let base = indent(&lines[at]);
            match (at + 1..lines.len())
                .find(|&i| !lines[i].trim().is_empty() && indent(&lines[i]) <= base)
            {
                Some(i) => (i, base + 2 - indent(&lines[i])),
                None => return Err(first),
            }
        } else {
            (at, 2)
        };
        lines[target].insert_str(0, &" ".repeat(add));
        let number = u32::try_from(target + 1).unwrap_or(u32::MAX);
        *shifted.entry(number).or_default() += u32::try_from(add).unwrap_or(0);
        match load(&lines.join("\n")) {
            Ok(Some(mut doc)) => {
                unshift(&mut doc, &shifted);
                return Ok(Some(doc));
            }
            Ok(None) => return Ok(None),
            Err(e) => error = e,
        }
    }
    Err(first)
}

fn unshift(node: &mut Node, shifted: &HashMap<u32, u32>) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if let Some(by) = shifted.get(&n.pos.line) {
            n.pos.col = n.pos.col.saturating_sub(*by).max(1);
        }
        if let Some(by) = shifted.get(&n.pos.end_line) {
            n.pos.end_col = n.pos.end_col.saturating_sub(*by).max(1);
        }
        match &mut n.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => stack.extend(items.iter_mut()),
            Kind::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0usize;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.kind {
            Kind::Scalar { .. } => {}
            Kind::Seq(items) => stack.extend(items),
            Kind::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
    count
}

fn check_duplicates(entries: &[(Node, Node)]) -> Result<(), LoadError> {
    let mut seen = HashSet::new();
    for (key, _) in entries {
        if let Some(name) = key.as_str()
            && !seen.insert(name)
        {
            return Err(LoadError {
                message: format!("duplicate key `{name}` in the same mapping"),
                line: key.pos.line,
                col: key.pos.col,
            });
        }
    }
    Ok(())
}

fn depth_error(pos: Pos) -> LoadError {
    LoadError {
        message: format!("nesting deeper than {MAX_DEPTH} levels"),
        line: pos.line,
        col: pos.col,
    }
}

fn internal(pos: Pos) -> LoadError {
    LoadError {
        message: "unbalanced YAML events".to_owned(),
        line: pos.line,
        col: pos.col,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_exact() {
        let doc = load("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: a/b@v1\n")
            .unwrap()
            .unwrap();
        let uses = &doc
            .get("jobs")
            .unwrap()
            .get("a")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0]
            .get("uses")
            .unwrap();
        assert_eq!(uses.as_str(), Some("a/b@v1"));
        assert_eq!((uses.pos.line, uses.pos.col), (6, 15));
    }

    #[test]
    fn broken_documents_are_errors_with_positions() {
        let err = load("a: [\n").unwrap_err();
        assert!(err.line >= 1, "{err:?}");
        let err = load("a: 1\na: 2\n").unwrap_err();
        assert_eq!((err.line, err.col), (2, 1));
        assert!(load("a: 1\n---\nb: 2\n").is_err());
        assert_eq!(load("").unwrap(), None);
        assert_eq!(load("# only a comment\n").unwrap(), None);
    }

    #[test]
    fn lenient_loading_accepts_what_github_accepts() {
        let text = "on: push\nx:\n  list: [\n    a,\n  ]\n  run: \"echo a\n b\"\n";
        assert!(load(text).is_err());
        let doc = load_lenient(text).unwrap().unwrap();
        let x = doc.get("x").unwrap();
        assert_eq!(x.get("list").unwrap().items().len(), 1);
        assert_eq!(x.get("run").unwrap().as_str(), Some("echo a b"));
        // Other errors are not "repaired".
        assert!(load_lenient("a: 1\na: 2\n").is_err());
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(5000);
        assert!(load(&text).is_err());
    }
}
