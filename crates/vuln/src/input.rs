//! Reading untrusted input: every error names the file, where in it (a JSON
//! pointer or a line), what was expected, what was found, and what to do.
//!
//! The readers of each format are plain functions over bytes
//! (`fn(&[u8]) -> Result<_, InputError>`) so a fuzz target and the property
//! tests can call them without a file system; [`InputError::in_file`] adds
//! the file name and chooses the exit code.

use std::fmt;
use std::path::Path;

use ci_intel_core::Failure;
use serde_json::Value;

/// Why a document could not be read, without its file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// A JSON pointer (`/components/3/purl`) or `line N column M`.
    pub at: String,
    pub expected: String,
    pub actual: String,
    /// What the user should do.
    pub hint: String,
}

impl InputError {
    pub fn new(
        at: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        hint: impl Into<String>,
    ) -> InputError {
        InputError {
            at: at.into(),
            expected: expected.into(),
            actual: actual.into(),
            hint: hint.into(),
        }
    }

    /// A value of the wrong shape at `pointer`.
    pub fn shape(pointer: &str, expected: &str, actual: &Value, hint: &str) -> InputError {
        InputError::new(pointer_or_root(pointer), expected, describe(actual), hint)
    }

    /// A required member missing at `pointer`.
    pub fn missing(pointer: &str, expected: &str, hint: &str) -> InputError {
        InputError::new(pointer_or_root(pointer), expected, "nothing (absent)", hint)
    }

    /// The error as a usage error (exit 2: the user's input must be fixed)
    /// naming `file`, which is a `kind` (`SBOM`, `VEX document`...).
    pub fn in_file(self, file: &str, kind: &str) -> Failure {
        Failure::usage(self.message(file, kind))
    }

    /// The same message as an infrastructure error (exit 3), for feeds.
    pub fn in_feed(self, file: &str, kind: &str) -> Failure {
        Failure::infra(self.message(file, kind))
    }

    pub fn message(&self, file: &str, kind: &str) -> String {
        format!(
            "{kind} {file}: at {}: expected {}, found {}; {}",
            self.at, self.expected, self.actual, self.hint
        )
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "at {}: expected {}, found {}; {}",
            self.at, self.expected, self.actual, self.hint
        )
    }
}

fn pointer_or_root(pointer: &str) -> String {
    if pointer.is_empty() {
        "/ (the document root)".to_owned()
    } else {
        pointer.to_owned()
    }
}

/// A file's bytes with its name (as given) and sha256.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
}

impl Source {
    /// Read `path`; an unreadable file is an infrastructure error (exit 3).
    pub fn read(path: &Path, kind: &str) -> Result<Source, Failure> {
        let bytes = std::fs::read(path).map_err(|e| {
            Failure::infra(format!(
                "cannot read {kind} {}: {e}; check the path (relative to the working directory, or to the repository root in .ci-intel/config.yml)",
                path.display()
            ))
        })?;
        Ok(Source::from_bytes(path.display().to_string(), bytes))
    }

    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Source {
        let sha256 = ci_intel_core::canonical::sha256_hex(&bytes);
        Source {
            name: name.into(),
            bytes,
            sha256,
        }
    }

    pub fn input(&self) -> ci_intel_core::gate::Input {
        ci_intel_core::gate::Input {
            path: self.name.clone(),
            sha256: self.sha256.clone(),
        }
    }
}

/// Parse JSON, naming the line and column of a syntax error.
pub fn parse_json(bytes: &[u8], what: &str) -> Result<Value, InputError> {
    let bytes = strip_bom(bytes);
    serde_json::from_slice(bytes).map_err(|e| {
        InputError::new(
            format!("line {} column {}", e.line(), e.column()),
            format!("a JSON {what}"),
            format!("invalid JSON ({e})"),
            format!(
                "the file is not valid JSON; regenerate the {what} or check it was not truncated"
            ),
        )
    })
}

/// The text of a JSON document that a reader deserialises typed. serde_json
/// does not check the UTF-8 of the members a typed read ignores, so the
/// whole document is checked here first: JSON is UTF-8 (RFC 8259).
pub fn json_text<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, InputError> {
    std::str::from_utf8(strip_bom(bytes)).map_err(|e| {
        InputError::new(
            format!("byte {}", e.valid_up_to() + 1),
            format!("a JSON {what} (UTF-8 text)"),
            "bytes that are not UTF-8",
            format!("JSON is UTF-8; regenerate the {what} or check it was not corrupted"),
        )
    })
}

/// After a typed read: nothing but whitespace may follow the document.
pub fn json_end(
    de: &mut serde_json::Deserializer<serde_json::de::StrRead<'_>>,
    what: &str,
) -> Result<(), InputError> {
    de.end().map_err(|e| {
        InputError::new(
            format!("line {} column {}", e.line(), e.column()),
            format!("the end of the JSON {what}"),
            format!("more text after the document ({e})"),
            format!("the file holds one JSON {what}; check it was not concatenated or appended to"),
        )
    })
}

/// Drop a UTF-8 byte order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// A short description of a JSON value for messages: its type and, for
/// scalars, the value (truncated).
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(a) => format!("an array of {} item(s)", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}

/// `"text"`, cut at 80 characters.
pub fn quote(text: &str) -> String {
    let mut cut: String = text.chars().take(80).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// Escape one JSON pointer token.
pub fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Typed access to a JSON object with pointers in every error.
#[derive(Debug, Clone, Copy)]
pub struct Obj<'a> {
    pub value: &'a Value,
    pub pointer: &'a str,
}

impl<'a> Obj<'a> {
    pub fn new(value: &'a Value, pointer: &'a str) -> Obj<'a> {
        Obj { value, pointer }
    }

    pub fn at(&self, key: &str) -> String {
        format!("{}/{}", self.pointer, token(key))
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    /// An optional string member; another type is an error.
    pub fn opt_str(&self, key: &str, hint: &str) -> Result<Option<&'a str>, InputError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(InputError::shape(&self.at(key), "a string", other, hint)),
        }
    }

    /// A required string member.
    pub fn req_str(&self, key: &str, hint: &str) -> Result<&'a str, InputError> {
        self.opt_str(key, hint)?
            .ok_or_else(|| InputError::missing(&self.at(key), &format!("a string `{key}`"), hint))
    }

    /// An optional array member; another type is an error.
    pub fn opt_array(&self, key: &str, hint: &str) -> Result<&'a [Value], InputError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(InputError::shape(&self.at(key), "an array", other, hint)),
        }
    }
}

/// The document as an object, or an error at the root.
pub fn root_object<'a>(value: &'a Value, what: &str, hint: &str) -> Result<Obj<'a>, InputError> {
    if value.is_object() {
        Ok(Obj::new(value, ""))
    } else {
        Err(InputError::shape(
            "",
            &format!("a JSON object ({what})"),
            value,
            hint,
        ))
    }
}
