//! GitHub Actions expressions (`${{ ... }}`): where they are in a string and
//! which context paths (`github.event.issue.title`) they read.

/// One `${{ ... }}` occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr<'a> {
    /// The whole `${{ ... }}` text.
    pub raw: &'a str,
    /// What is between the braces, trimmed.
    pub inner: &'a str,
}

/// Every expression in `text`, in order. An unterminated `${{` ends the scan.
pub fn expressions(text: &str) -> Vec<Expr<'_>> {
    let mut out = Vec::new();
    let mut rest = 0usize;
    while let Some(found) = text.get(rest..).and_then(|t| t.find("${{")) {
        let start = rest + found;
        let body = start + 3;
        let Some(end) = closing(text, body) else {
            break;
        };
        out.push(Expr {
            raw: &text[start..end + 2],
            inner: text[body..end].trim(),
        });
        rest = end + 2;
    }
    out
}

/// Byte index of the `}}` that closes an expression body starting at `from`,
/// skipping `}}` inside single-quoted string literals.
fn closing(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            if b == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    in_string = false;
                }
            }
        } else if b == b'\'' {
            in_string = true;
        } else if b == b'}' && bytes.get(i + 1) == Some(&b'}') {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The context paths an expression reads, normalised: `a.b['c'][0].d` is
/// `a.b.c.*.d`. Function names, literals and operators are dropped.
pub fn context_paths(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = skip_string(&chars, i);
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == '_') {
            i += 1;
            continue;
        }
        let (name, next) = ident(&chars, i);
        i = next;
        if chars.get(i) == Some(&'(') {
            continue; // a function call
        }
        if matches!(name.as_str(), "true" | "false" | "null") {
            continue;
        }
        let mut path = name;
        loop {
            match chars.get(i) {
                Some('.') => {
                    i += 1;
                    if chars.get(i) == Some(&'*') {
                        path.push_str(".*");
                        i += 1;
                    } else if chars
                        .get(i)
                        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
                    {
                        let (segment, next) = ident(&chars, i);
                        path.push('.');
                        path.push_str(&segment);
                        i = next;
                    } else {
                        break;
                    }
                }
                Some('[') => {
                    let close = find_bracket_end(&chars, i);
                    let inside: String = chars[i + 1..close.min(chars.len())].iter().collect();
                    let inside = inside.trim();
                    if inside.len() >= 2 && inside.starts_with('\'') && inside.ends_with('\'') {
                        path.push('.');
                        path.push_str(&inside[1..inside.len() - 1].replace("''", "'"));
                    } else {
                        path.push_str(".*");
                    }
                    i = (close + 1).min(chars.len());
                }
                _ => break,
            }
        }
        out.push(path.to_ascii_lowercase());
    }
    out
}

fn ident(chars: &[char], start: usize) -> (String, usize) {
    let mut i = start;
    while i < chars.len()
        && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
    {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn skip_string(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

fn find_bracket_end(chars: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\'' => {
                i = skip_string(chars, i);
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// True when the expression can only produce a boolean (a comparison or a
/// `contains`/`startsWith`/`endsWith` call), so expanding it injects nothing.
pub fn is_boolean(expr: &str) -> bool {
    let e = expr.trim();
    let stripped: String = {
        // Remove string literals so operators inside them do not count.
        let chars: Vec<char> = e.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '\'' {
                i = skip_string(&chars, i);
                out.push_str("''");
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out
    };
    if stripped.contains("&&") || stripped.contains("||") {
        return false;
    }
    if ["==", "!=", "<", ">"]
        .iter()
        .any(|op| stripped.contains(op))
    {
        return true;
    }
    let lower = stripped.to_ascii_lowercase();
    ["contains(", "startswith(", "endswith("]
        .iter()
        .any(|f| lower.starts_with(f) && lower.ends_with(')'))
        || lower.starts_with('!')
}

/// The context paths whose text can reach the expression's result, so
/// expanding it can inject them. What can only produce fixed text, a
/// number or a boolean contributes nothing:
/// - literals; `!x`; comparisons; `contains`/`startsWith`/`endsWith`;
///   `success()`/`failure()`/`always()`/`cancelled()`; `hashFiles(...)`;
/// - `a && b` yields `a` only when `a` is falsy (`''`, `0`, `false`,
///   `null`: nothing to inject), else `b`: only `b` counts;
/// - `a || b`: both count;
/// - any other function (`format`, `join`, `toJSON`, `fromJSON`, ...):
///   every argument counts.
///
/// An expression this parser does not understand falls back to every path
/// it reads, unless it is plainly boolean: a parser gap never hides a
/// finding.
pub fn output_paths(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut parser = Parser {
        chars: &chars,
        at: 0,
        depth: 0,
    };
    match parser.or() {
        Some(paths) if parser.done() => {
            let mut out = Vec::new();
            for p in paths {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
            out
        }
        _ if is_boolean(expr) => Vec::new(),
        _ => context_paths(expr),
    }
}

/// A recursive-descent reader of one expression: each rule returns the
/// paths that can reach its value, or `None` when the text is not an
/// expression it understands.
struct Parser<'a> {
    chars: &'a [char],
    at: usize,
    /// Nesting so far: past [`MAX_DEPTH`] the parse gives up (and the
    /// caller falls back to every path read), so deep input cannot exhaust
    /// the stack.
    depth: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn done(&mut self) -> bool {
        self.skip_space();
        self.at == self.chars.len()
    }

    /// Consume `op` if it comes next.
    fn eat(&mut self, op: &str) -> bool {
        self.skip_space();
        let want: Vec<char> = op.chars().collect();
        if self.chars[self.at.min(self.chars.len())..].starts_with(&want) {
            self.at += want.len();
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Option<Vec<String>> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = self.or_inner();
        self.depth -= 1;
        out
    }

    fn or_inner(&mut self) -> Option<Vec<String>> {
        let mut paths = self.and()?;
        while self.eat("||") {
            paths.extend(self.and()?);
        }
        Some(paths)
    }

    fn and(&mut self) -> Option<Vec<String>> {
        let mut paths = self.equality()?;
        while self.eat("&&") {
            // `a && b` is `a` only when `a` is falsy: empty, 0, false, null.
            paths = self.equality()?;
        }
        Some(paths)
    }

    fn equality(&mut self) -> Option<Vec<String>> {
        let mut paths = self.comparison()?;
        loop {
            if self.eat("==") || self.eat("!=") {
                self.comparison()?;
                paths = Vec::new();
            } else {
                return Some(paths);
            }
        }
    }

    fn comparison(&mut self) -> Option<Vec<String>> {
        let mut paths = self.unary()?;
        loop {
            if self.eat("<=") || self.eat(">=") || self.eat("<") || self.eat(">") {
                self.unary()?;
                paths = Vec::new();
            } else {
                return Some(paths);
            }
        }
    }

    fn unary(&mut self) -> Option<Vec<String>> {
        self.skip_space();
        if self.chars.get(self.at) == Some(&'!') && self.chars.get(self.at + 1) != Some(&'=') {
            // `!!!...x` is a boolean however deep: skip the run without recursing.
            while self.chars.get(self.at) == Some(&'!') && self.chars.get(self.at + 1) != Some(&'=')
            {
                self.at += 1;
                self.skip_space();
            }
            self.primary()?;
            return Some(Vec::new());
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Vec<String>> {
        self.skip_space();
        let c = *self.chars.get(self.at)?;
        if c == '(' {
            self.at += 1;
            let paths = self.or()?;
            return self.eat(")").then_some(paths);
        }
        if c == '\'' {
            self.at = skip_string(self.chars, self.at);
            return (self.chars.get(self.at - 1) == Some(&'\'')).then(Vec::new);
        }
        if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && self
                    .chars
                    .get(self.at + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.'))
        {
            self.at += 1;
            while self
                .chars
                .get(self.at)
                .is_some_and(|d| d.is_ascii_alphanumeric() || matches!(d, '.' | '+' | '-'))
            {
                self.at += 1;
            }
            return Some(Vec::new());
        }
        if !(c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let start = self.at;
        let (name, next) = ident(self.chars, self.at);
        self.at = next;
        if self.chars.get(self.at) == Some(&'(') {
            self.at += 1;
            let mut args = Vec::new();
            self.skip_space();
            if !self.eat(")") {
                loop {
                    args.extend(self.or()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            // A property of a call's result (`fromJSON(x).y`) comes from
            // the arguments too.
            self.path_tail()?;
            let lower = name.to_ascii_lowercase();
            let fixed = matches!(
                lower.as_str(),
                "contains"
                    | "startswith"
                    | "endswith"
                    | "success"
                    | "failure"
                    | "always"
                    | "cancelled"
                    | "hashfiles"
            );
            return Some(if fixed { Vec::new() } else { args });
        }
        if matches!(
            name.as_str(),
            "true" | "false" | "null" | "NaN" | "Infinity"
        ) {
            return Some(Vec::new());
        }
        self.path_tail()?;
        let text: String = self.chars[start..self.at].iter().collect();
        Some(context_paths(&text))
    }

    /// `.name`, `.*` and `[...]` after a context name or a call.
    fn path_tail(&mut self) -> Option<()> {
        loop {
            match self.chars.get(self.at) {
                Some('.') => {
                    self.at += 1;
                    match self.chars.get(self.at) {
                        Some('*') => self.at += 1,
                        Some(c) if c.is_ascii_alphanumeric() || *c == '_' => {
                            self.at = ident(self.chars, self.at).1;
                        }
                        _ => return None,
                    }
                }
                Some('[') => {
                    self.at += 1;
                    // The index only chooses what is read.
                    self.or()?;
                    if !self.eat("]") {
                        return None;
                    }
                }
                _ => return Some(()),
            }
        }
    }
}

/// A literal value of an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

impl Lit {
    /// Falsy as GitHub evaluates it: `''`, `0`, `false`, `null` (and NaN).
    pub fn is_falsy(&self) -> bool {
        match self {
            Lit::Str(s) => s.is_empty(),
            Lit::Num(n) => *n == 0.0 || n.is_nan(),
            Lit::Bool(b) => !b,
            Lit::Null => true,
        }
    }
}

/// Binary operators, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The structure of one expression, as [`parse`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    Lit(Lit),
    /// A context path, normalised as [`context_paths`] does: lower-case,
    /// `a['b']` as `a.b`, numeric and `*` indices as `.*`.
    Ctx(String),
    /// A function call; the name is lower-cased.
    Call {
        name: String,
        args: Vec<Ast>,
    },
    /// `base[index]` with a computed index (not a literal).
    Index {
        base: Box<Ast>,
        index: Box<Ast>,
    },
    /// `.name` (or `['name']`, `.*`) after something that is not a context
    /// path, such as a call's result.
    Prop {
        base: Box<Ast>,
        name: String,
    },
    Not(Box<Ast>),
    Bin {
        op: BinOp,
        lhs: Box<Ast>,
        rhs: Box<Ast>,
    },
}

/// Nesting deeper than this is not parsed (untrusted input must not
/// exhaust the stack).
const MAX_DEPTH: usize = 64;

/// Expressions with more operators, calls and accesses than this are not
/// parsed: a long `a || b || ...` chain is a deep tree too.
const MAX_NODES: usize = 1024;

/// Parse one expression (the text between `${{` and `}}`, or a bare `if:`).
/// `None` when it is not a well-formed expression.
pub fn parse(expr: &str) -> Option<Ast> {
    let chars: Vec<char> = expr.chars().collect();
    let mut p = AstParser {
        chars: &chars,
        at: 0,
        depth: 0,
        nodes: 0,
    };
    let ast = p.or()?;
    p.skip_space();
    (p.at == chars.len()).then_some(ast)
}

impl Ast {
    /// Every node, this one first, depth-first.
    pub fn walk(&self) -> Vec<&Ast> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let node = out[i];
            match node {
                Ast::Call { args, .. } => out.extend(args.iter()),
                Ast::Index { base, index } => {
                    out.push(base);
                    out.push(index);
                }
                Ast::Prop { base, .. } | Ast::Not(base) => out.push(base),
                Ast::Bin { lhs, rhs, .. } => {
                    out.push(lhs);
                    out.push(rhs);
                }
                Ast::Lit(_) | Ast::Ctx(_) => {}
            }
            i += 1;
        }
        out
    }

    /// The direct children.
    pub fn children(&self) -> Vec<&Ast> {
        match self {
            Ast::Call { args, .. } => args.iter().collect(),
            Ast::Index { base, index } => vec![base, index],
            Ast::Prop { base, .. } | Ast::Not(base) => vec![base],
            Ast::Bin { lhs, rhs, .. } => vec![lhs, rhs],
            Ast::Lit(_) | Ast::Ctx(_) => Vec::new(),
        }
    }

    /// True when the value is fixed: only literals, operators and the
    /// functions whose result depends only on their arguments (`format`,
    /// `contains`, `startsWith`, `endsWith`, `join`, `toJSON`). `fromJSON`
    /// is left out: its result is a structure, not text to simplify.
    pub fn is_constant(&self) -> bool {
        match self {
            Ast::Lit(_) => true,
            Ast::Ctx(_) | Ast::Index { .. } | Ast::Prop { .. } => false,
            Ast::Call { name, args } => {
                matches!(
                    name.as_str(),
                    "format" | "contains" | "startswith" | "endswith" | "join" | "tojson"
                ) && args.iter().all(Ast::is_constant)
            }
            Ast::Not(inner) => inner.is_constant(),
            Ast::Bin { lhs, rhs, .. } => lhs.is_constant() && rhs.is_constant(),
        }
    }

    /// The context path, if this is one.
    pub fn ctx(&self) -> Option<&str> {
        match self {
            Ast::Ctx(path) => Some(path),
            _ => None,
        }
    }

    /// The literal, if this is one.
    pub fn lit(&self) -> Option<&Lit> {
        match self {
            Ast::Lit(lit) => Some(lit),
            _ => None,
        }
    }
}

struct AstParser<'a> {
    chars: &'a [char],
    at: usize,
    depth: usize,
    nodes: usize,
}

impl AstParser<'_> {
    fn skip_space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        self.skip_space();
        let want: Vec<char> = op.chars().collect();
        if self.chars[self.at.min(self.chars.len())..].starts_with(&want) {
            self.at += want.len();
            true
        } else {
            false
        }
    }

    /// Count one more inner node; `None` past [`MAX_NODES`].
    fn grow(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    fn bin(op: BinOp, lhs: Ast, rhs: Ast) -> Ast {
        Ast::Bin {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        }
    }

    fn or(&mut self) -> Option<Ast> {
        self.nested(|p| {
            let mut lhs = p.and()?;
            while p.eat("||") {
                p.grow()?;
                let rhs = p.and()?;
                lhs = Self::bin(BinOp::Or, lhs, rhs);
            }
            Some(lhs)
        })
    }

    fn and(&mut self) -> Option<Ast> {
        let mut lhs = self.equality()?;
        while self.eat("&&") {
            self.grow()?;
            let rhs = self.equality()?;
            lhs = Self::bin(BinOp::And, lhs, rhs);
        }
        Some(lhs)
    }

    fn equality(&mut self) -> Option<Ast> {
        let mut lhs = self.comparison()?;
        loop {
            let op = if self.eat("==") {
                BinOp::Eq
            } else if self.eat("!=") {
                BinOp::Ne
            } else {
                return Some(lhs);
            };
            self.grow()?;
            let rhs = self.comparison()?;
            lhs = Self::bin(op, lhs, rhs);
        }
    }

    fn comparison(&mut self) -> Option<Ast> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat("<=") {
                BinOp::Le
            } else if self.eat(">=") {
                BinOp::Ge
            } else if self.eat("<") {
                BinOp::Lt
            } else if self.eat(">") {
                BinOp::Gt
            } else {
                return Some(lhs);
            };
            self.grow()?;
            let rhs = self.unary()?;
            lhs = Self::bin(op, lhs, rhs);
        }
    }

    fn unary(&mut self) -> Option<Ast> {
        self.skip_space();
        if self.chars.get(self.at) == Some(&'!') && self.chars.get(self.at + 1) != Some(&'=') {
            self.at += 1;
            self.grow()?;
            let inner = self.nested(|p| p.unary())?;
            return Some(Ast::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn string(&mut self) -> Option<String> {
        // At a `'`: read to the closing quote, `''` is one quote.
        let mut out = String::new();
        let mut i = self.at + 1;
        loop {
            let c = *self.chars.get(i)?;
            if c == '\'' {
                if self.chars.get(i + 1) == Some(&'\'') {
                    out.push('\'');
                    i += 2;
                    continue;
                }
                self.at = i + 1;
                return Some(out);
            }
            out.push(c);
            i += 1;
        }
    }

    fn primary(&mut self) -> Option<Ast> {
        self.skip_space();
        let c = *self.chars.get(self.at)?;
        if c == '(' {
            self.at += 1;
            let inner = self.or()?;
            if !self.eat(")") {
                return None;
            }
            return self.tail(inner);
        }
        if c == '\'' {
            return Some(Ast::Lit(Lit::Str(self.string()?)));
        }
        if c.is_ascii_digit()
            || ((c == '-' || c == '+' || c == '.')
                && self
                    .chars
                    .get(self.at + 1)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.'))
        {
            let start = self.at;
            self.at += 1;
            while self.chars.get(self.at).is_some_and(|d| {
                d.is_ascii_alphanumeric()
                    || *d == '.'
                    || ((*d == '+' || *d == '-')
                        && matches!(self.chars.get(self.at - 1), Some('e' | 'E')))
            }) {
                self.at += 1;
            }
            let text: String = self.chars[start..self.at].iter().collect();
            let value = if let Some(hex) = text.strip_prefix("0x") {
                i64::from_str_radix(hex, 16).ok().map(|v| v as f64)
            } else {
                text.parse::<f64>().ok()
            };
            return Some(Ast::Lit(Lit::Num(value.unwrap_or(f64::NAN))));
        }
        if !(c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let (name, next) = ident(self.chars, self.at);
        self.at = next;
        if self.chars.get(self.at) == Some(&'(') {
            self.at += 1;
            let mut args = Vec::new();
            if !self.eat(")") {
                loop {
                    args.push(self.or()?);
                    if self.eat(")") {
                        break;
                    }
                    if !self.eat(",") {
                        return None;
                    }
                }
            }
            self.grow()?;
            let call = Ast::Call {
                name: name.to_ascii_lowercase(),
                args,
            };
            return self.tail(call);
        }
        match name.as_str() {
            "true" => return Some(Ast::Lit(Lit::Bool(true))),
            "false" => return Some(Ast::Lit(Lit::Bool(false))),
            "null" => return Some(Ast::Lit(Lit::Null)),
            "NaN" => return Some(Ast::Lit(Lit::Num(f64::NAN))),
            "Infinity" => return Some(Ast::Lit(Lit::Num(f64::INFINITY))),
            _ => {}
        }
        // A context path: `.name`, `.*`, `['lit']` and numeric indices stay
        // in the path; a computed index ends it.
        let mut path = name.to_ascii_lowercase();
        loop {
            match self.chars.get(self.at) {
                Some('.') => {
                    self.at += 1;
                    match self.chars.get(self.at) {
                        Some('*') => {
                            self.at += 1;
                            path.push_str(".*");
                        }
                        Some(c) if c.is_ascii_alphanumeric() || *c == '_' => {
                            let (segment, next) = ident(self.chars, self.at);
                            self.at = next;
                            path.push('.');
                            path.push_str(&segment.to_ascii_lowercase());
                        }
                        _ => return None,
                    }
                }
                Some('[') => {
                    let save = self.at;
                    self.at += 1;
                    let index = self.or()?;
                    if !self.eat("]") {
                        return None;
                    }
                    match index {
                        Ast::Lit(Lit::Str(s)) => {
                            path.push('.');
                            path.push_str(&s.to_ascii_lowercase());
                        }
                        Ast::Lit(Lit::Num(_)) => path.push_str(".*"),
                        _ => {
                            self.at = save;
                            return self.tail(Ast::Ctx(path));
                        }
                    }
                }
                _ => return Some(Ast::Ctx(path)),
            }
        }
    }

    /// Property accesses and indices after a value.
    fn tail(&mut self, mut base: Ast) -> Option<Ast> {
        loop {
            if matches!(self.chars.get(self.at), Some('.' | '[')) {
                self.grow()?;
            }
            match self.chars.get(self.at) {
                Some('.') => {
                    self.at += 1;
                    let name = match self.chars.get(self.at) {
                        Some('*') => {
                            self.at += 1;
                            "*".to_owned()
                        }
                        Some(c) if c.is_ascii_alphanumeric() || *c == '_' => {
                            let (segment, next) = ident(self.chars, self.at);
                            self.at = next;
                            segment.to_ascii_lowercase()
                        }
                        _ => return None,
                    };
                    base = Ast::Prop {
                        base: Box::new(base),
                        name,
                    };
                }
                Some('[') => {
                    self.at += 1;
                    let index = self.or()?;
                    if !self.eat("]") {
                        return None;
                    }
                    base = match index {
                        Ast::Lit(Lit::Str(s)) => Ast::Prop {
                            base: Box::new(base),
                            name: s.to_ascii_lowercase(),
                        },
                        Ast::Lit(Lit::Num(_)) => Ast::Prop {
                            base: Box::new(base),
                            name: "*".to_owned(),
                        },
                        index => Ast::Index {
                            base: Box::new(base),
                            index: Box::new(index),
                        },
                    };
                }
                _ => return Some(base),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_and_skips_braces_in_strings() {
        let found = expressions("a ${{ x }} b ${{ format('}}', y) }} ${{ broken");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].inner, "x");
        assert_eq!(found[1].inner, "format('}}', y)");
    }

    #[test]
    fn normalises_paths() {
        assert_eq!(
            context_paths(
                "toJSON(github.event['pull_request'].title) || github.event.commits[0].message"
            ),
            vec![
                "github.event.pull_request.title",
                "github.event.commits.*.message"
            ]
        );
        assert_eq!(
            context_paths("'github.head_ref' == true"),
            Vec::<String>::new()
        );
        assert_eq!(context_paths("inputs.my-input"), vec!["inputs.my-input"]);
    }

    #[test]
    fn only_paths_that_reach_the_result_count() {
        let title = "github.event.issue.title";
        for (expr, want) in [
            ("github.event.issue.title", vec![title]),
            ("github.event.issue.title || 'x'", vec![title]),
            ("'x' || github.event.issue.title", vec![title]),
            (
                "github.event.action == 'opened' && github.event.issue.title",
                vec![title],
            ),
            (
                "format('{0} {1}', github.event.issue.title, 1)",
                vec![title],
            ),
            ("toJSON(github.event['issue'].title)", vec![title]),
            ("fromJSON(github.event.issue.title).x", vec![title]),
            ("(github.event.issue.title)", vec![title]),
            ("github.event.issue.title && 'yes' || 'no'", vec![]),
            (
                "contains(github.event.issue.title, 'x') && '--x' || ''",
                vec![],
            ),
            ("github.event.issue.title == 'x'", vec![]),
            ("!github.event.issue.title", vec![]),
            ("github.event.issue.title != '' && 1 || 2", vec![]),
            ("startsWith(github.event.issue.title, 'x')", vec![]),
            ("hashFiles('**/go.sum')", vec![]),
            ("true", vec![]),
            ("-1.5e3", vec![]),
            // Not understood: every path counts (never a hidden finding).
            ("github.event.issue.title ?? 'x'", vec![title]),
            ("format('{0}', github.event.issue.title", vec![title]),
        ] {
            assert_eq!(output_paths(expr), want, "{expr}");
        }
    }

    #[test]
    fn booleans() {
        assert!(is_boolean("github.event.issue.title == 'x'"));
        assert!(is_boolean("contains(github.event.issue.title, 'x')"));
        assert!(!is_boolean("github.event.issue.title"));
        assert!(!is_boolean("a == 'b' && github.event.issue.title || 'c'"));
    }
    #[test]
    fn parses_structure() {
        let ast = parse("github['ACTOR'] == 'dependabot[bot]' && x.y").unwrap();
        let Ast::Bin {
            op: BinOp::And,
            lhs,
            ..
        } = &ast
        else {
            panic!("{ast:?}")
        };
        let Ast::Bin {
            op: BinOp::Eq,
            lhs,
            rhs,
        } = lhs.as_ref()
        else {
            panic!("{lhs:?}")
        };
        assert_eq!(lhs.ctx(), Some("github.actor"));
        assert_eq!(rhs.lit(), Some(&Lit::Str("dependabot[bot]".into())));
        let ast = parse("fromJson(secrets.x).field").unwrap();
        assert!(matches!(&ast, Ast::Prop { name, .. } if name == "field"));
        let ast = parse("inputs[inputs.foo]").unwrap();
        assert!(matches!(&ast, Ast::Index { .. }), "{ast:?}");
        assert_eq!(parse("a.b[0].c").unwrap(), Ast::Ctx("a.b.*.c".into()));
        assert!(parse("format('{0}', 'abc')").unwrap().is_constant());
        assert!(parse("1 > 2 || true").unwrap().is_constant());
        assert!(!parse("fromJSON('[1]')").unwrap().is_constant());
        assert!(!parse("format('{0}', github.x)").unwrap().is_constant());
        for bad in ["a ==", "(a", "f(a,", "a.", "'x", "a ?? b", ""] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&deep), None);
        let deep = format!("{}a", "!".repeat(10_000));
        assert_eq!(parse(&deep), None);
        // The path reader gives up on deep nesting instead of overflowing,
        // and falls back to every path read.
        let deep = format!(
            "{}github.head_ref{}",
            "(".repeat(50_000),
            ")".repeat(50_000)
        );
        assert_eq!(output_paths(&deep), vec!["github.head_ref"]);
        let deep = format!("{}github.head_ref", "!".repeat(50_000));
        assert_eq!(output_paths(&deep), Vec::<String>::new());
        let long = vec!["a"; 5_000].join(" || ");
        assert_eq!(parse(&long), None);
        let long = format!("f(){}", ".a".repeat(5_000));
        assert_eq!(parse(&long), None);
    }
}
