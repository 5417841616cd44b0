//! The `egress:` section of `.ci-intel/config.yml`, owned by this crate and
//! registered with the gate contract (see [`crate::gate`]).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Default-deny network egress for a job (`ci-intel-egress apply`), and
/// the offline check of this configuration in `ci-intel check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EgressConfig {
    /// Run this gate in `ci-intel check` (it validates this section
    /// offline; the rules themselves are installed by `ci-intel-egress
    /// apply` in the job).
    #[schemars(extend("x-ci-intel-tighten" = "true"))]
    pub enabled: bool,
    /// Pass (as a skip) when nothing is configured here. The hub default
    /// is `true`: a repository that does not use egress control has
    /// nothing for this gate to check.
    #[schemars(extend("x-ci-intel-tighten" = "false"))]
    pub allow_empty: bool,
    /// `block` drops every connection the allowlist does not permit;
    /// `audit` allows everything and records every destination (for
    /// `ci-intel-egress report --suggest`). An org lock keeps the value.
    pub mode: Mode,
    /// The built-in endpoint groups kept (docs/egress.md lists their
    /// names; the list is versioned). Tighter means keeping only some of
    /// the locked groups.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub builtin: Vec<BuiltinGroup>,
    /// Host names the job may resolve and reach: exact (`pypi.org`) or a
    /// wildcard over every name below a suffix (`*.pythonhosted.org`, which
    /// does not match `pythonhosted.org` itself). When locked, a repository
    /// may remove names, never add them.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow: Vec<String>,
    /// Addresses and CIDR ranges the job may reach without a name
    /// (`192.0.2.7`, `2001:db8::/48`). Private ranges and cloud metadata
    /// are reachable only through an entry here. When locked, a repository
    /// may remove entries, never add them.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub allow_cidrs: Vec<String>,
    /// Interfaces whose traffic stays on the machine (container bridges and
    /// their veth pairs) and is not filtered; `*` at the end matches any
    /// rest of the name. Loopback is always exempt. Everything else,
    /// including interfaces created later, is filtered. Tighter means
    /// exempting only some of the locked patterns.
    #[schemars(extend("x-ci-intel-tighten" = "subset"))]
    pub local_interfaces: Vec<String>,
    /// Addresses from a DNS answer stay allowed for the record's TTL, but
    /// at least this many seconds (clients cache answers longer than their
    /// TTL). Lower is tighter.
    #[schemars(range(min = 1, max = 86400))]
    #[schemars(extend("x-ci-intel-tighten" = "lower"))]
    pub min_ttl: u32,
    /// Targets for `ci-intel-egress smoke` when it is given none on the
    /// command line (empty: the built-in targets).
    pub smoke: SmokeConfig,
}

/// How `apply` treats what the allowlist does not permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Drop and record.
    #[default]
    Block,
    /// Allow and record.
    Audit,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Block => "block",
            Mode::Audit => "audit",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "block" => Ok(Mode::Block),
            "audit" => Ok(Mode::Audit),
            other => Err(format!("unknown mode `{other}`; expected block or audit")),
        }
    }
}

/// A group of the built-in list (docs/egress.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum BuiltinGroup {
    /// github.com, api.github.com, *.actions.githubusercontent.com.
    Runner,
    /// github.com, codeload.github.com.
    Checkout,
    /// The results service and Azure Blob Storage.
    Artifacts,
    /// The results and legacy cache services and Azure Blob Storage.
    Cache,
    /// *.actions.githubusercontent.com.
    Oidc,
    /// The results service and Azure Blob Storage.
    Logs,
}

impl BuiltinGroup {
    pub const ALL: [BuiltinGroup; 6] = [
        BuiltinGroup::Runner,
        BuiltinGroup::Checkout,
        BuiltinGroup::Artifacts,
        BuiltinGroup::Cache,
        BuiltinGroup::Oidc,
        BuiltinGroup::Logs,
    ];

    pub fn id(self) -> &'static str {
        match self {
            BuiltinGroup::Runner => "runner",
            BuiltinGroup::Checkout => "checkout",
            BuiltinGroup::Artifacts => "artifacts",
            BuiltinGroup::Cache => "cache",
            BuiltinGroup::Oidc => "oidc",
            BuiltinGroup::Logs => "logs",
        }
    }

    /// The group's names.
    pub fn group(self) -> &'static crate::builtin::Group {
        // Every variant has a group; the test below holds the two lists together.
        crate::builtin::group(self.id()).unwrap_or(&crate::builtin::GROUPS[0])
    }
}

/// `ci-intel-egress smoke` targets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SmokeConfig {
    /// `HOST:PORT` (or `[IPv6]:PORT`) that must be reachable after `apply`.
    /// Tighter means checking every locked target and maybe more.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub expect_allowed: Vec<String>,
    /// `HOST:PORT` that must be unreachable after `apply`; for a name, a
    /// DNS query must also be refused. Tighter means checking every locked
    /// target and maybe more.
    #[schemars(extend("x-ci-intel-tighten" = "superset"))]
    pub expect_denied: Vec<String>,
}

/// The default `egress.local_interfaces`: Docker's default bridge, its
/// user-defined bridges and the veth pairs of containers.
pub const DEFAULT_LOCAL_INTERFACES: [&str; 3] = ["docker0", "br-*", "veth*"];

/// The default `egress.min_ttl`: five minutes.
pub const DEFAULT_MIN_TTL: u32 = 300;

impl Default for EgressConfig {
    fn default() -> Self {
        EgressConfig {
            enabled: true,
            allow_empty: true,
            mode: Mode::Block,
            builtin: BuiltinGroup::ALL.to_vec(),
            allow: Vec::new(),
            allow_cidrs: Vec::new(),
            local_interfaces: DEFAULT_LOCAL_INTERFACES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            min_ttl: DEFAULT_MIN_TTL,
            smoke: SmokeConfig::default(),
        }
    }
}

impl EgressConfig {
    /// True when the section says nothing beyond the hub defaults that the
    /// gate could check: no names, ranges or smoke targets, every built-in
    /// group, block mode.
    pub fn is_unconfigured(&self) -> bool {
        let defaults = EgressConfig::default();
        self.allow.is_empty()
            && self.allow_cidrs.is_empty()
            && self.smoke == SmokeConfig::default()
            && self.builtin == defaults.builtin
            && self.mode == defaults.mode
            && self.local_interfaces == defaults.local_interfaces
            && self.min_ttl == defaults.min_ttl
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_variant_has_its_group() {
        assert_eq!(BuiltinGroup::ALL.len(), crate::builtin::GROUPS.len());
        for variant in BuiltinGroup::ALL {
            assert_eq!(variant.group().id, variant.id());
            let json = serde_json::to_value(variant).unwrap_or_default();
            assert_eq!(json.as_str(), Some(variant.id()));
        }
    }
}
