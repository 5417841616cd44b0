//! A database or message-broker URL with a password in it.
//!
//! ## What it finds
//!
//! `scheme://user:password@host` for PostgreSQL (`postgres`, `postgresql`),
//! MySQL/MariaDB, MongoDB (`mongodb`, `mongodb+srv`), Redis (`redis`,
//! `rediss`), AMQP (`amqp`, `amqps`), SQL Server (`mssql`, `sqlserver`),
//! ClickHouse and CockroachDB, also behind a `jdbc:` prefix or with a
//! driver suffix (`postgresql+psycopg2://`, `mongodb+srv://`). The password
//! is the secret value. A password for `localhost`, `127.0.0.1`, `::1`,
//! `0.0.0.0` or a bare service name without dots (a CI service container,
//! a compose service) is reported at medium severity: it is usually a
//! throw-away development credential, but it is still a credential.
//!
//! ## Not a finding
//!
//! References and placeholders in the password position (`${DB_PASSWORD}`,
//! `$PGPASSWORD`, `{{ .Password }}`, `<password>`, `%s`, `***`), the
//! words `password`, `pass`, `passwd`, `secret`, `changeme`, `example`,
//! a password equal to the user name (`postgres:postgres`), URLs without a
//! password (`postgres://user@host`).
//!
//! ## Fix
//!
//! Change the database password, remove it from the history, and build the
//! URL at run time from a secret (`DATABASE_URL` in the job's environment).

use regex::Regex;

use super::pattern;
use crate::detect::{Hit, Rule, RuleInfo, Scope};
use ci_intel_core::Severity;

const INFO: RuleInfo = RuleInfo {
    id: "database-url-password",
    title: "Database URL with a password",
    gitleaks: &[],
    keywords: &[
        "postgres",
        "mysql",
        "mariadb",
        "mongodb",
        "redis",
        "amqp",
        "mssql",
        "sqlserver",
        "clickhouse",
        "cockroachdb",
    ],
    severity: Severity::High,
    min_entropy: 0.0,
    scope: Scope::LINE,
};

/// Passwords that say they are not one.
const PLACEHOLDERS: &[&str] = &[
    "password",
    "pass",
    "passwd",
    "pwd",
    "secret",
    "changeme",
    "change_me",
    "example",
    "xxx",
    "xxxx",
    "xxxxx",
    "xxxxxx",
    "xxxxxxxx",
    "redacted",
    "dummy",
    "placeholder",
    "mypassword",
    "yourpassword",
    "your_password",
    "pass123",
    "password123",
];

#[derive(Debug)]
pub struct DatabaseUrlPassword {
    pattern: Regex,
}

impl DatabaseUrlPassword {
    pub fn new() -> Self {
        DatabaseUrlPassword {
            pattern: pattern(
                r#"(?i)\b(?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb|rediss?|amqps?|mssql|sqlserver|clickhouse|cockroachdb)(?:\+[a-z0-9]{1,20})?://([^:@/\s"'`<>]{0,128}):([^@/\s"'`<>]{1,256})@([^\s/:"'`<>?#,;]{1,253})"#,
            ),
        }
    }
}

impl Rule for DatabaseUrlPassword {
    fn info(&self) -> &RuleInfo {
        &INFO
    }

    fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        for caps in self.pattern.captures_iter(text) {
            let (Some(user), Some(password), Some(host)) = (caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            if is_placeholder(password.as_str(), user.as_str()) {
                continue;
            }
            let mut hit = Hit::new(&INFO, password.start(), password.end(), 0);
            if is_local(host.as_str()) {
                hit = hit.with_severity(Severity::Medium);
            }
            hits.push(hit);
        }
    }
}

fn is_placeholder(password: &str, user: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    password == user
        || PLACEHOLDERS.contains(&lower.as_str())
        || password.starts_with(['$', '%', '<', '{', '*', '[', '('])
        || password.contains("${")
        || password.contains("{{")
        || password
            .chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.')
}

fn is_local(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.starts_with("127.")
        || host == "::1"
        || host == "0.0.0.0"
        || host.eq_ignore_ascii_case("host.docker.internal")
        || !host.contains('.')
}
