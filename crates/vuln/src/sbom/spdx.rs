//! SPDX 2.2/2.3 JSON: packages (the described one is the root), purls from
//! `externalRefs`, licences (`licenseConcluded`, else `licenseDeclared`),
//! relationships as the dependency graph.

use serde_json::Value;

use super::{Component, LicenseDecl, Sbom, SbomFormat, read_purl, schema};
use crate::input::{InputError, Obj};

const HINT: &str =
    "generate the SBOM with an SPDX-conformant tool (syft -o spdx-json, trivy --format spdx-json)";

/// Read an SPDX JSON document.
pub fn read(value: &Value) -> Result<Sbom, InputError> {
    let root = crate::input::root_object(value, "SPDX document", HINT)?;
    let version = root.req_str("spdxVersion", HINT)?;
    if !version.starts_with("SPDX-2.") {
        return Err(InputError::shape(
            "/spdxVersion",
            "\"SPDX-2.2\" or \"SPDX-2.3\" (SPDX 3 is JSON-LD, not read here)",
            &Value::String(version.to_owned()),
            HINT,
        ));
    }
    let (schema_errors, schema_error_total) = schema::validate_spdx(value);
    let mut described: Vec<String> = root
        .opt_array("documentDescribes", HINT)
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let relationships = root.opt_array("relationships", HINT).unwrap_or_default();
    let mut edges = 0usize;
    for rel in relationships {
        let kind = rel
            .get("relationshipType")
            .and_then(Value::as_str)
            .unwrap_or("");
        let from = rel
            .get("spdxElementId")
            .and_then(Value::as_str)
            .unwrap_or("");
        let to = rel
            .get("relatedSpdxElement")
            .and_then(Value::as_str)
            .unwrap_or("");
        if kind == "DESCRIBES" && from == "SPDXRef-DOCUMENT" {
            described.push(to.to_owned());
        } else if kind == "DESCRIBED_BY" && to == "SPDXRef-DOCUMENT" {
            described.push(from.to_owned());
        } else if !kind.is_empty() {
            edges += 1;
        }
    }
    let mut root_component = None;
    let mut components = Vec::new();
    for (i, package) in root
        .opt_array("packages", HINT)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if !package.is_object() {
            continue;
        }
        let component = component(package, format!("/packages/{i}"));
        let is_root = root_component.is_none()
            && component
                .id
                .as_ref()
                .is_some_and(|id| described.iter().any(|d| d == id));
        if is_root {
            root_component = Some(component);
        } else {
            components.push(component);
        }
    }
    Ok(Sbom {
        format: SbomFormat::Spdx(version.to_owned()),
        serial: root
            .opt_str("documentNamespace", HINT)
            .ok()
            .flatten()
            .map(str::to_owned),
        version: None,
        root: root_component,
        components,
        dependency_edges: (edges > 0).then_some(edges),
        schema_errors,
        schema_error_total,
    })
}

fn component(value: &Value, pointer: String) -> Component {
    let obj = Obj::new(value, &pointer);
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    let purl_text = obj
        .get("externalRefs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|r| {
            r.get("referenceType").and_then(Value::as_str) == Some("purl")
                && r.get("referenceCategory")
                    .and_then(Value::as_str)
                    .is_some_and(|c| {
                        c.eq_ignore_ascii_case("PACKAGE-MANAGER")
                            || c.eq_ignore_ascii_case("PACKAGE_MANAGER")
                    })
        })
        .and_then(|r| r.get("referenceLocator").and_then(Value::as_str));
    let (purl, bad_purl) = read_purl(purl_text);
    let licenses = ["licenseConcluded", "licenseDeclared"]
        .iter()
        .filter_map(|key| text(key))
        .map(|l| match l.trim() {
            "NOASSERTION" => LicenseDecl::NoAssertion,
            other => LicenseDecl::Expression(other.to_owned()),
        })
        .collect::<Vec<_>>();
    // The concluded licence wins; the declared one speaks only when the
    // concluded one is absent or NOASSERTION.
    let licenses = match licenses.as_slice() {
        [
            LicenseDecl::NoAssertion,
            declared @ LicenseDecl::Expression(_),
        ] => vec![declared.clone()],
        [first, ..] => vec![first.clone()],
        [] => Vec::new(),
    };
    Component {
        name: text("name").unwrap_or_default(),
        version: text("versionInfo").filter(|v| !v.is_empty()),
        purl,
        bad_purl,
        id: text("SPDXID"),
        licenses,
        pointer,
    }
}
