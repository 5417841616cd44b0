//! A shallow reader of `run:` scripts: the simple commands they contain, each
//! with the line it starts on, for rules that look for particular programs
//! (`npm publish`, `gem install`, ...).
//!
//! It is deliberately not a shell parser. It joins continuation lines (`\`
//! in POSIX shells, a trailing backtick in PowerShell), splits on `;`, `&&`,
//! `||`, `|`, `&` and parentheses outside quotes, drops comments, and strips
//! what only wraps the real program: variable assignments, `sudo`, `env`,
//! `time`, `exec`, `bundle exec`, `npx`/`bunx`/`pipx run`/`uvx`, and
//! `python -m`. Anything it cannot read is simply not a command; it never
//! fails.

use std::borrow::Cow;

use super::model::{Ctx, Step};
use super::yaml::{Node, Pos};

/// One simple command of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The program (lower-cased base name without `.exe` or a `==1.2`/`@1.2`
    /// version) followed by its arguments as written, quotes removed.
    pub words: Vec<String>,
    /// Where the command starts in the file.
    pub pos: Pos,
}

impl Command {
    pub fn program(&self) -> &str {
        self.words.first().map(String::as_str).unwrap_or("")
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// True when any argument is one of `flags`.
    pub fn has_flag(&self, flags: &[&str]) -> bool {
        self.args().iter().any(|a| {
            flags
                .iter()
                .any(|f| a == f || a.strip_prefix(f).is_some_and(|r| r.starts_with('=')))
        })
    }
}

/// The commands of a step's `run:` (none for a `uses:` step), read once per
/// file for every rule that asks.
pub fn step_commands<'c>(ctx: &'c Ctx<'_>, step: &Step<'_>) -> Cow<'c, [Command]> {
    let by_step = ctx.commands.get_or_init(|| {
        ctx.steps()
            .into_iter()
            .filter_map(|s| {
                let run = s.node.get("run")?;
                Some((node_key(s.node), commands(ctx, run)))
            })
            .collect()
    });
    match by_step.get(&node_key(step.node)) {
        Some(found) => Cow::Borrowed(found.as_slice()),
        // A step that is not one of the document's own (none today): read
        // it rather than report no commands.
        None => Cow::Owned(
            step.node
                .get("run")
                .map(|run| commands(ctx, run))
                .unwrap_or_default(),
        ),
    }
}

/// A step's identity within one document: its node's address (the tree is
/// not moved while the rules run).
fn node_key(node: &Node) -> usize {
    std::ptr::from_ref(node) as usize
}

/// The other line whose ignore comment covers a command's finding: the
/// `run:` key's line when the command sits below it (a block scalar), else
/// the step's first line (`- name:`).
pub fn ignore_line(step: &Step<'_>, cmd: &Command) -> u32 {
    match step.node.entry("run").map(|(k, _)| k.pos.line) {
        Some(line) if line != cmd.pos.line => line,
        _ => step.node.pos.line,
    }
}

/// The commands of a `run:` value.
pub fn commands(ctx: &Ctx<'_>, run: &Node) -> Vec<Command> {
    let Some(text) = run.as_str() else {
        return Vec::new();
    };
    let lines: Vec<&str> = text.lines().collect();
    let file_lines = file_lines(ctx, run, &lines);
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        let mut logical = String::new();
        loop {
            let line = lines[i].trim_end();
            let continued = line.ends_with('\\') || line.ends_with('`');
            if continued {
                logical.push_str(&line[..line.len() - 1]);
                logical.push(' ');
            } else {
                logical.push_str(line);
            }
            i += 1;
            if !continued || i >= lines.len() {
                break;
            }
        }
        // A here-document's body is data, not commands: skip to its end.
        if let Some(delimiter) = heredoc_delimiter(&logical) {
            while i < lines.len() && lines[i].trim() != delimiter {
                i += 1;
            }
            i += 1;
        }
        let line_no = file_lines.get(start).copied().unwrap_or(run.pos.line);
        for words in split_commands(&logical) {
            let words = normalise(words);
            if words.is_empty() {
                continue;
            }
            let pos = locate(ctx, line_no, &words[0], run.pos);
            out.push(Command { words, pos });
        }
    }
    out
}

/// The delimiter of a here-document the line opens (`<<EOF`, `<<-'EOF'`),
/// not a here-string (`<<<`).
fn heredoc_delimiter(line: &str) -> Option<String> {
    let mut rest = line;
    while let Some(at) = rest.find("<<") {
        let after = &rest[at + 2..];
        if let Some(next) = after.strip_prefix('<') {
            rest = next;
            continue;
        }
        let word: String = after
            .trim_start_matches('-')
            .trim_start()
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | ')' | '>'))
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        if !word.is_empty() {
            return Some(word);
        }
        rest = after;
    }
    None
}

/// The file line of each line of the scalar's text.
fn file_lines(ctx: &Ctx<'_>, run: &Node, lines: &[&str]) -> Vec<u32> {
    let first = ctx.src.line(run.pos.line);
    let at = usize::try_from(run.pos.col.saturating_sub(1)).unwrap_or(0);
    let indicator = first
        .char_indices()
        .nth(at)
        .map(|(b, _)| first[b..].trim_start())
        .unwrap_or("");
    if indicator.starts_with('|') {
        // Literal block: one text line per file line, starting below the key.
        return (0..lines.len())
            .map(|k| {
                run.pos
                    .line
                    .saturating_add(1)
                    .saturating_add(u32::try_from(k).unwrap_or(u32::MAX))
            })
            .collect();
    }
    if lines.len() <= 1 {
        return vec![run.pos.line];
    }
    // Folded or multi-line quoted scalar: find each line's text in order.
    let last = run.pos.end_line.max(run.pos.line);
    let mut from = run.pos.line;
    lines
        .iter()
        .map(|l| {
            let needle = l.trim();
            if needle.is_empty() {
                return from;
            }
            let found = (from..=last).find(|&n| ctx.src.line(n).contains(needle));
            if let Some(n) = found {
                from = n;
            }
            from
        })
        .collect()
}

fn locate(ctx: &Ctx<'_>, line: u32, word: &str, fallback: Pos) -> Pos {
    let text = ctx.src.line(line);
    let needle = word.trim_end_matches(".exe");
    let lower = text.to_ascii_lowercase();
    // On the key's own line, search after the key.
    let from = if line == fallback.line {
        lower
            .char_indices()
            .nth(usize::try_from(fallback.col.saturating_sub(1)).unwrap_or(0))
            .map(|(b, _)| b)
            .unwrap_or(0)
    } else {
        0
    };
    match lower.get(from..).and_then(|rest| rest.find(needle)) {
        Some(rel) if !needle.is_empty() => {
            let byte = from + rel;
            let col = u32::try_from(text[..byte].chars().count() + 1).unwrap_or(u32::MAX);
            let len = u32::try_from(needle.chars().count()).unwrap_or(0);
            Pos {
                line,
                col,
                end_line: line,
                end_col: col.saturating_add(len),
            }
        }
        _ => Pos {
            line,
            col: if line == fallback.line {
                fallback.col
            } else {
                1
            },
            end_line: line,
            end_col: if line == fallback.line {
                fallback.col
            } else {
                1
            },
        },
    }
}

/// Words of each simple command of one logical line, outside quotes.
fn split_commands(line: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == '\\' && q == '"' {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            } else {
                word.push(c);
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                in_word = true;
            }
            '#' if !in_word => break,
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            ';' | '&' | '|' | '(' | ')' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

/// The program's name as rules match it: base name, lower case, no `.exe`,
/// no `==1.2.3` or `@1.2.3` version.
fn program_name(word: &str) -> String {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let base = base.split("==").next().unwrap_or(base);
    let base = match base.find('@') {
        Some(at) if at > 0 => &base[..at],
        _ => base,
    };
    let lower = base.to_ascii_lowercase();
    lower.strip_suffix(".exe").unwrap_or(&lower).to_owned()
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, value)| {
        !name.is_empty()
            && !value.starts_with('=')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

fn is_python(name: &str) -> bool {
    name == "py"
        || name
            .strip_prefix("python")
            .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Strip the wrappers in front of the real program and normalise its name.
fn normalise(mut words: Vec<String>) -> Vec<String> {
    let mut guard = 0;
    loop {
        guard += 1;
        if words.is_empty() || guard > 16 {
            return words;
        }
        let first = words[0].clone();
        let name = program_name(&first);
        let skip = if is_assignment(&first)
            || matches!(
                first.as_str(),
                "!" | "{" | "}" | "then" | "do" | "else" | "elif" | "if" | "while" | "until"
            ) {
            1
        } else {
            match name.as_str() {
                "sudo" | "env" | "time" | "exec" | "nohup" | "command" | "builtin" => {
                    1 + words[1..]
                        .iter()
                        .take_while(|w| w.starts_with('-') || is_assignment(w))
                        .count()
                }
                "npx" | "bunx" | "uvx" | "pnpx" => {
                    1 + words[1..].iter().take_while(|w| w.starts_with('-')).count()
                }
                "bundle" | "poetry" | "pipenv" | "uv" | "pdm" | "hatch"
                    if words.get(1).is_some_and(|w| w == "exec" || w == "run") =>
                {
                    2
                }
                "pipx" if words.get(1).is_some_and(|w| w == "run") => 2,
                _ if is_python(&name) => match words.iter().position(|w| w == "-m") {
                    Some(m) if m + 1 < words.len() => m + 1,
                    _ => 0,
                },
                _ => 0,
            }
        };
        if skip == 0 {
            words[0] = name;
            return words;
        }
        words.drain(..skip.min(words.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<String>> {
        split_commands(line).into_iter().map(normalise).collect()
    }

    #[test]
    fn wrappers_and_separators() {
        assert_eq!(
            words("FOO=1 sudo -E npm install x && python3.10 -m twine upload dist/*"),
            vec![
                vec!["npm", "install", "x"],
                vec!["twine", "upload", "dist/*"]
            ]
        );
        assert_eq!(
            words("pipx run twine==6.1.0 upload"),
            vec![vec!["twine", "upload"]]
        );
        assert_eq!(
            words("bundle exec gem push x.gem"),
            vec![vec!["gem", "push", "x.gem"]]
        );
        assert_eq!(
            words("nuget.exe push a # comment"),
            vec![vec!["nuget", "push", "a"]]
        );
        assert_eq!(
            words("echo 'a; b' | tee x"),
            vec![vec!["echo", "a; b"], vec!["tee", "x"]]
        );
        assert_eq!(words("bunx npm publish"), vec![vec!["npm", "publish"]]);
    }

    #[test]
    fn heredoc_delimiters() {
        assert_eq!(heredoc_delimiter("cat <<EOF > x"), Some("EOF".into()));
        assert_eq!(heredoc_delimiter("cat <<-'END'"), Some("END".into()));
        assert_eq!(heredoc_delimiter("cat <<< \"$x\""), None);
        assert_eq!(heredoc_delimiter("echo a"), None);
    }
}
