//! ## What it does
//! Reports a file that is not valid YAML, or that is YAML but not a usable
//! workflow, action or dependabot.yml: a syntax error, a duplicate key, a
//! second document, a top level that is not a mapping, a workflow without
//! `on:` or `jobs:`, an action without `runs.using`.
//!
//! The finding points at the line and column the parser stopped at. The run
//! goes on with every other file: one broken file never hides the findings
//! of the rest.
//!
//! ## Why is this bad?
//! GitHub refuses the file, so the pipeline it describes does not run (or,
//! for an action, fails every caller). A policy tool that skips it silently
//! would report a pass for a file it could not read.
//!
//! ## Example
//! ```yaml
//! on: push
//! jobs:
//!   build:
//!     runs-on: ubuntu-24.04
//!     runs-on: ubuntu-22.04   # duplicate key
//! ```
//!
//! ## Fix
//! Correct the syntax at the reported position; `yamllint` or
//! `check-jsonschema --builtin-schema vendor.github-workflows` explain more.
//!
//! ## Ignore
//! A file that cannot be parsed cannot carry a trusted ignore comment. Leave
//! it out with `policy.exclude` in `.ci-intel/config.yml` if it is not a
//! workflow at all (a template with placeholders, for instance).

use ci_intel_core::Severity;

use super::Rule;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "parse-error",
    title: "File is not valid YAML or not a valid workflow/action",
    default_severity: Severity::High,
    persona: Persona::Regular,
    // Reported by the loader, before any rule runs.
    check: |_, _| {},
};
