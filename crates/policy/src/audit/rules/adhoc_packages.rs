//! ## What it does
//! zizmor's `adhoc-packages`. Reports `run:` commands that install named
//! packages outside a locked manifest: `gem install NAME` (`gem i`),
//! `npm install NAME` (`npm i`, `npm add`), `yarn add NAME`,
//! `yarn global add NAME`, `pnpm add NAME` and `bundle add NAME`.
//!
//! Commands behind `sudo` or `env` are read too (zizmor 1.32 skips them).
//! `--prefix DIR` and the other options that take a value are not taken
//! for packages.
//!
//! Not reported: installs from the project's lockfile (`npm ci`, `npm
//! install` without a package, `bundle install`, `yarn install`), other
//! subcommands (`gem build`), `gem install --help`, and other ecosystems
//! (`pip install` is not covered yet, as in zizmor).
//!
//! ## Why is this bad?
//! A package installed by name resolves at run time: without a version it
//! takes whatever is newest, and even with one its dependencies float. A
//! compromised release published a minute before the run lands in your
//! pipeline with its secrets.
//!
//! ## Example
//! ```yaml
//!       - run: npm install -g typescript
//! ```
//!
//! ## Fix
//! Declare the package in a manifest, commit its lockfile, and install from
//! it (`npm ci`, `bundle install`):
//! ```yaml
//!       - run: npm ci
//! ```
//!
//! ## Ignore
//! `# ci-intel: ignore[adhoc-packages]` on the command's line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::facts::never_runs;
use crate::audit::model::{Ctx, Hit};
use crate::audit::shell::{Command, ignore_line, step_commands};
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "adhoc-packages",
    title: "Package installed by name outside a lockfile",
    default_severity: Severity::Low,
    persona: Persona::Regular,
    check,
};

/// Options of each installer that take a value (the value is not a package).
fn takes_value(program: &str, flag: &str) -> bool {
    let flag = flag.split('=').next().unwrap_or(flag);
    match program {
        "gem" => matches!(
            flag,
            "-v" | "--version"
                | "-i"
                | "--install-dir"
                | "-n"
                | "--bindir"
                | "-s"
                | "--source"
                | "--platform"
                | "-P"
                | "--trust-policy"
        ),
        "npm" | "yarn" | "pnpm" => matches!(
            flag,
            "--prefix"
                | "--registry"
                | "-w"
                | "--workspace"
                | "--cache"
                | "--omit"
                | "--include"
                | "--filter"
                | "-C"
                | "--dir"
                | "--cwd"
        ),
        "bundle" => matches!(flag, "-v" | "--version" | "--group" | "-g" | "--source"),
        _ => false,
    }
}

/// The package names a command installs ad hoc (empty when none).
fn packages(cmd: &Command) -> Vec<&str> {
    let program = cmd.program();
    // Global options may come before the subcommand (`npm -g i x`).
    let args: Vec<&str> = cmd
        .args()
        .iter()
        .map(String::as_str)
        .skip_while(|a| a.starts_with('-') && !takes_value(program, a))
        .collect();
    let skip = match (program, args.as_slice()) {
        ("gem", ["install" | "i", ..]) => 1,
        ("npm", ["install" | "i" | "add" | "isntall" | "in", ..]) => 1,
        ("yarn", ["add", ..]) | ("pnpm", ["add", ..]) | ("bundle", ["add", ..]) => 1,
        ("yarn", ["global", "add", ..]) => 2,
        _ => return Vec::new(),
    };
    let mut names = Vec::new();
    let mut rest = args[skip..].iter();
    while let Some(arg) = rest.next() {
        if arg.starts_with('-') {
            if !arg.contains('=') && takes_value(program, arg) {
                rest.next();
            }
            continue;
        }
        if arg.is_empty() || arg.starts_with('$') && arg.len() == 1 {
            continue;
        }
        names.push(*arg);
    }
    names
}

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for step in ctx.steps() {
        if never_runs(&step) {
            continue;
        }
        for cmd in step_commands(ctx, &step).iter() {
            let names = packages(cmd);
            if names.is_empty() {
                continue;
            }
            let verb = cmd
                .words
                .iter()
                .take(2)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            hits.push(
                Hit::new(
                    RULE.id,
                    Severity::Low,
                    cmd.pos,
                    format!("{}:{}", step.describe(), cmd.words.join(" ")),
                    format!(
                        "`{verb}` in {} installs {} outside a lockfile: {} and {} dependencies resolve at run time",
                        step.describe(),
                        names.join(", "),
                        if names.len() == 1 { "it" } else { "they" },
                        if names.len() == 1 { "its" } else { "their" },
                    ),
                )
                .also_line(ignore_line(&step, cmd))
                .fix("add the package to a manifest with a committed lockfile and install from it (`npm ci`, `bundle install`)"),
            );
        }
    }
}
