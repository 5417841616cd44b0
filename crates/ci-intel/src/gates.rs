//! The one list of gates. Adding a tool is its crate plus one line here:
//! `ci-intel check`, `--list`, the configuration schema, `doctor`'s
//! validation and the evidence all read this list.

use ci_intel_core::config::{SectionSpec, Sections};
use ci_intel_core::gate::DynGate;

/// Every gate, in the order `check` runs and reports them.
pub static GATES: &[&dyn DynGate] = &[
    &crate::hub_pins::HubPins,
    &ci_intel_policy::PolicyGate,
    &ci_intel_telemetry::gate::RecordsGate,
    &ci_intel_secrets::SecretsGate,
    &ci_intel_attest::AttestGate,
    &ci_intel_egress::EgressGate,
    &ci_intel_evidence::SuppressionsGate,
    &ci_intel_vuln::VulnGate,
    &ci_intel_cache::CacheGate,
    &ci_intel_repro::ReproGate,
    &ci_intel_autopsy::AutopsyGate,
    &ci_intel_oci::OciGate,
    &ci_intel_tests::TestsGate,
];

/// Sections that belong to a tool but to no gate of `check`.
fn other_sections() -> Vec<SectionSpec> {
    vec![ci_intel_evidence::config::evidence_section()]
}

/// Every configuration section: one per gate, plus the rest.
pub fn sections() -> Sections {
    Sections::complete(
        GATES
            .iter()
            .map(|gate| gate.section())
            .chain(other_sections()),
    )
}

/// The gate with this id.
pub fn find(id: &str) -> Option<&'static dyn DynGate> {
    GATES.iter().copied().find(|gate| gate.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_section_keys_are_unique() {
        let mut ids: Vec<&str> = GATES.iter().map(|g| g.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), GATES.len());
        let sections = sections();
        let mut keys: Vec<&str> = sections.specs().iter().map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), sections.specs().len());
        assert!(
            ids.iter().all(|id| *id != "config"),
            "`config` is the pseudo-gate"
        );
    }
}
