//! GitHub Actions workflow commands (`::name key=value::data`) with the
//! escaping the runner expects.
//!
//! The runner decodes `%25`, `%0D` and `%0A` in the data part, and
//! additionally `%3A` and `%2C` in property values. Anything a tool prints that
//! comes from untrusted input goes through these functions, so a file name or
//! a log line cannot forge a second command or cut a property short.

use std::fmt::Write as _;

/// Escape the data (message) part of a workflow command.
pub fn escape_data(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            other => out.push(other),
        }
    }
    out
}

/// Escape a property value (`file=`, `title=`...) of a workflow command.
pub fn escape_property(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            other => out.push(other),
        }
    }
    out
}

/// Inverse of [`escape_data`], used by tests and by tools that read commands back.
pub fn unescape_data(value: &str) -> String {
    value
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// Inverse of [`escape_property`].
pub fn unescape_property(value: &str) -> String {
    value
        .replace("%2C", ",")
        .replace("%3A", ":")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%25", "%")
}

/// A workflow command with ordered properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowCommand {
    pub name: String,
    pub properties: Vec<(String, String)>,
    pub data: String,
}

impl WorkflowCommand {
    pub fn new(name: impl Into<String>, data: impl Into<String>) -> Self {
        WorkflowCommand {
            name: name.into(),
            properties: Vec::new(),
            data: data.into(),
        }
    }

    /// Add a property; empty values are dropped because the runner treats an
    /// empty `file=` as a real (empty) path.
    pub fn property(mut self, key: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        if !value.is_empty() {
            self.properties.push((key.to_owned(), value));
        }
        self
    }

    /// Render as one line, escaped.
    pub fn render(&self) -> String {
        let mut line = format!("::{}", self.name);
        for (index, (key, value)) in self.properties.iter().enumerate() {
            line.push(if index == 0 { ' ' } else { ',' });
            let _ = write!(line, "{key}={}", escape_property(value));
        }
        line.push_str("::");
        line.push_str(&escape_data(&self.data));
        line
    }

    /// Parse one rendered command line (used to check round trips).
    pub fn parse(line: &str) -> Option<WorkflowCommand> {
        let rest = line.strip_prefix("::")?;
        let (head, data) = rest.split_once("::")?;
        let (name, props) = match head.split_once(' ') {
            Some((name, props)) => (name, props),
            None => (head, ""),
        };
        let mut properties = Vec::new();
        if !props.is_empty() {
            for pair in props.split(',') {
                let (key, value) = pair.split_once('=')?;
                properties.push((key.to_owned(), unescape_property(value)));
            }
        }
        Some(WorkflowCommand {
            name: name.to_owned(),
            properties,
            data: unescape_data(data),
        })
    }
}

/// `::add-mask::` lines for a secret. The runner masks line by line, so a
/// multi-line secret is registered one line at a time (and whole), otherwise
/// its second line would print in clear.
pub fn add_mask(secret: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for part in std::iter::once(secret).chain(secret.lines()) {
        let part = part.trim_end_matches('\r');
        if part.trim().is_empty() || !seen.insert(part.to_owned()) {
            continue;
        }
        lines.push(WorkflowCommand::new("add-mask", part).render());
    }
    lines
}

/// The pair of commands that stop and resume command processing, used around
/// untrusted text (logs) that must be printed verbatim.
pub fn stop_commands(token: &str) -> (String, String) {
    (format!("::stop-commands::{token}"), format!("::{token}::"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn data_escaping_neutralises_newlines_and_percent() {
        assert_eq!(escape_data("50%\r\n::error::x"), "50%25%0D%0A::error::x");
    }

    #[test]
    fn property_escaping_also_covers_colon_and_comma() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn renders_properties_in_order_and_drops_empty_ones() {
        let cmd = WorkflowCommand::new("error", "bad\nthing")
            .property("file", "src/a,b.rs")
            .property("line", "3")
            .property("title", "");
        assert_eq!(
            cmd.render(),
            "::error file=src/a%2Cb.rs,line=3::bad%0Athing"
        );
    }

    #[test]
    fn multi_line_secrets_are_masked_line_by_line() {
        let lines = add_mask("first\nsecond\n");
        assert_eq!(
            lines,
            vec![
                "::add-mask::first%0Asecond%0A",
                "::add-mask::first",
                "::add-mask::second"
            ]
        );
    }

    #[test]
    fn blank_secrets_register_no_mask() {
        assert!(add_mask("  \n").is_empty());
    }

    proptest! {
        #[test]
        fn rendered_commands_are_one_line_and_round_trip(
            data in "(?s).*", file in "(?s).*", title in "(?s).*"
        ) {
            let cmd = WorkflowCommand::new("warning", data.clone())
                .property("file", file.clone())
                .property("title", title.clone());
            let line = cmd.render();
            prop_assert!(!line.contains('\n') && !line.contains('\r'));
            let parsed = WorkflowCommand::parse(&line).expect("parses");
            prop_assert_eq!(parsed.data, data);
            let props: Vec<_> = [("file", file), ("title", title)]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            prop_assert_eq!(parsed.properties, props);
        }
    }
}
