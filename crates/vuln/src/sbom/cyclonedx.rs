//! CycloneDX JSON (1.2 to 1.7): components (nested ones flattened),
//! `metadata.component`, licences, the dependency graph.
//!
//! Reading is lenient past the header: a member of the wrong type is
//! skipped here and reported by the schema validation, so one malformed
//! component yields a finding instead of hiding the rest.

use serde_json::Value;

use super::{Component, LicenseDecl, Sbom, SbomFormat, read_purl, schema};
use crate::input::{InputError, Obj, token};

const HINT: &str = "generate the SBOM with a CycloneDX-conformant tool (syft -o cyclonedx-json, trivy --format cyclonedx, cyclonedx-npm)";

/// Read a CycloneDX document.
pub fn read(value: &Value) -> Result<Sbom, InputError> {
    let root = crate::input::root_object(value, "CycloneDX BOM", HINT)?;
    let format = root.req_str("bomFormat", HINT)?;
    if format != "CycloneDX" {
        return Err(InputError::shape(
            "/bomFormat",
            "\"CycloneDX\"",
            &Value::String(format.to_owned()),
            HINT,
        ));
    }
    let spec = root.req_str("specVersion", HINT)?;
    let (schema_errors, schema_error_total) =
        schema::validate_cyclonedx(spec, value).map_err(|supported| {
            InputError::new(
                "/specVersion",
                format!("a CycloneDX version this tool validates ({supported})"),
                crate::input::quote(spec),
                "export the SBOM as CycloneDX 1.4, 1.5 or 1.6 JSON",
            )
        })?;
    let root_component = value
        .pointer("/metadata/component")
        .filter(|c| c.is_object())
        .map(|c| component(c, "/metadata/component".to_owned()));
    let mut components = Vec::new();
    if let Some(Value::Array(items)) = value.get("components") {
        collect(items, "/components", &mut components);
    }
    let dependency_edges = match value.get("dependencies") {
        Some(Value::Array(deps)) if !deps.is_empty() => Some(
            deps.iter()
                .map(|d| {
                    d.get("dependsOn")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len)
                })
                .sum(),
        ),
        _ => None,
    };
    Ok(Sbom {
        format: SbomFormat::CycloneDx(spec.to_owned()),
        serial: root
            .opt_str("serialNumber", HINT)
            .ok()
            .flatten()
            .map(str::to_owned),
        version: value.get("version").and_then(Value::as_u64),
        root: root_component,
        components,
        dependency_edges,
        schema_errors,
        schema_error_total,
    })
}

fn collect(items: &[Value], pointer: &str, out: &mut Vec<Component>) {
    for (i, item) in items.iter().enumerate() {
        if !item.is_object() {
            continue;
        }
        let here = format!("{pointer}/{i}");
        out.push(component(item, here.clone()));
        if let Some(Value::Array(nested)) = item.get("components") {
            collect(nested, &format!("{here}/components"), out);
        }
    }
}

fn component(value: &Value, pointer: String) -> Component {
    let obj = Obj::new(value, &pointer);
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    let (purl, bad_purl) = read_purl(obj.get("purl").and_then(Value::as_str));
    let mut name = text("name").unwrap_or_default();
    if let Some(group) = text("group").filter(|g| !g.is_empty())
        && purl.is_none()
    {
        name = format!("{group}/{name}");
    }
    Component {
        name,
        version: text("version").filter(|v| !v.is_empty()),
        purl,
        bad_purl,
        id: text("bom-ref"),
        licenses: obj
            .get("licenses")
            .and_then(Value::as_array)
            .map(|l| licenses(l))
            .unwrap_or_default(),
        pointer,
    }
}

/// `licenses[]`: `{"license": {"id"|"name"}}` or `{"expression"}`.
pub fn licenses(items: &[Value]) -> Vec<LicenseDecl> {
    let mut out = Vec::new();
    for item in items {
        if let Some(expr) = item.get("expression").and_then(Value::as_str) {
            out.push(LicenseDecl::Expression(expr.to_owned()));
        } else if let Some(license) = item.get("license") {
            if let Some(id) = license.get("id").and_then(Value::as_str) {
                out.push(LicenseDecl::Expression(id.to_owned()));
            } else if let Some(name) = license.get("name").and_then(Value::as_str) {
                out.push(LicenseDecl::Name(name.to_owned()));
            }
        }
    }
    out
}

/// The pointer of member `key` under `pointer`.
pub fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", token(key))
}
