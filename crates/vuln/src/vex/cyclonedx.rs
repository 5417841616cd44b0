//! CycloneDX VEX: `vulnerabilities[]` with `analysis` (state,
//! justification, firstIssued/lastUpdated) and `affects[].ref`. A ref is a
//! BOM-Link (`urn:cdx:<serial>/<version>#<bom-ref>`: a component of the
//! product BOM with that serial number) or a bom-ref of this document
//! (its `metadata.component` is then the product).

use std::collections::HashMap;

use serde_json::Value;

use super::{EXPIRES, Ident, Scope, Statement, Status, VexDocument, Wrapping, latest, time_at};
use crate::input::{InputError, Obj};

const HINT: &str = "write the VEX as CycloneDX 1.4+ with vulnerabilities[].analysis and affects[].ref (a BOM-Link urn:cdx:<serial>/<version>#<bom-ref> into the product's SBOM)";

fn ident_of(component: &Value) -> Ident {
    let name = component
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let version = component
        .get("version")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let purl = component.get("purl").and_then(Value::as_str);
    let raw = component
        .get("bom-ref")
        .and_then(Value::as_str)
        .or(purl)
        .or(name.as_deref())
        .unwrap_or("")
        .to_owned();
    Ident {
        raw,
        purl: purl.and_then(|p| crate::purl::Purl::parse(p).ok()),
        name,
        version,
        bom_link: None,
    }
}

/// `urn:cdx:<serial>/<version>#<bom-ref>` as (serial, version, bom-ref).
pub fn bom_link(reference: &str) -> Option<(String, Option<u64>, String)> {
    let rest = reference.strip_prefix("urn:cdx:")?;
    let (bom, fragment) = rest.split_once('#')?;
    let (serial, version) = match bom.split_once('/') {
        Some((s, v)) => (s, v.parse().ok()),
        None => (bom, None),
    };
    Some((serial.to_ascii_lowercase(), version, fragment.to_owned()))
}

fn state(text: &str, pointer: &str) -> Result<Status, InputError> {
    Ok(match text {
        "not_affected" | "false_positive" => Status::NotAffected,
        "resolved" | "resolved_with_pedigree" => Status::Fixed,
        "exploitable" => Status::Affected,
        "in_triage" => Status::UnderInvestigation,
        other => {
            return Err(InputError::new(
                pointer,
                "one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected",
                crate::input::quote(other),
                HINT,
            ));
        }
    })
}

/// Read a CycloneDX VEX document.
pub fn read(value: &Value) -> Result<VexDocument, InputError> {
    let root = crate::input::root_object(value, "CycloneDX VEX", HINT)?;
    let product = value.pointer("/metadata/component").map(ident_of);
    let doc_time = value
        .pointer("/metadata/timestamp")
        .and_then(Value::as_str)
        .map(|t| time_at(t, "/metadata/timestamp", HINT))
        .transpose()?;
    let mut local: HashMap<&str, &Value> = HashMap::new();
    let mut stack: Vec<&Value> = root.opt_array("components", HINT)?.iter().collect();
    while let Some(c) = stack.pop() {
        if let Some(r) = c.get("bom-ref").and_then(Value::as_str) {
            local.insert(r, c);
        }
        if let Some(Value::Array(nested)) = c.get("components") {
            stack.extend(nested);
        }
    }
    let product_ref = value
        .pointer("/metadata/component/bom-ref")
        .and_then(Value::as_str);
    let mut statements = Vec::new();
    for (i, vuln) in root.opt_array("vulnerabilities", HINT)?.iter().enumerate() {
        let vp = format!("/vulnerabilities/{i}");
        let v = Obj::new(vuln, &vp);
        let Some(analysis) = v.get("analysis") else {
            // A vulnerability without analysis says nothing VEX-wise.
            continue;
        };
        let ap = v.at("analysis");
        let a = Obj::new(analysis, &ap);
        let Some(state_text) = a.opt_str("state", HINT)? else {
            continue;
        };
        let status = state(state_text, &a.at("state"))?;
        let justification = a
            .opt_str("justification", HINT)?
            .map(str::to_owned)
            .or_else(|| (state_text == "false_positive").then(|| "false_positive".to_owned()));
        let timestamp = latest(
            a.opt_str("firstIssued", HINT)?
                .map(|t| time_at(t, &a.at("firstIssued"), HINT))
                .transpose()?,
            a.opt_str("lastUpdated", HINT)?
                .map(|t| time_at(t, &a.at("lastUpdated"), HINT))
                .transpose()?,
        )
        .or(doc_time);
        let expires = v
            .opt_array("properties", HINT)?
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(EXPIRES))
            .and_then(|p| p.get("value").and_then(Value::as_str))
            .map(|t| time_at(t, &format!("{vp}/properties ({EXPIRES})"), HINT))
            .transpose()?;
        let aliases = v
            .opt_array("references", HINT)?
            .iter()
            .filter_map(|r| {
                r.get("id")
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_ascii_uppercase())
            })
            .collect();
        let mut scopes = Vec::new();
        for (k, affect) in v.opt_array("affects", HINT)?.iter().enumerate() {
            let rp = format!("{vp}/affects/{k}/ref");
            let Some(reference) = affect.get("ref").and_then(Value::as_str) else {
                return Err(InputError::missing(
                    &rp,
                    "the `ref` of the affected component",
                    HINT,
                ));
            };
            if let Some((serial, version, bom_ref)) = bom_link(reference) {
                let mut component = Ident::from_text(&bom_ref);
                component.bom_link = Some((serial.clone(), version));
                scopes.push(Scope {
                    product: Ident {
                        raw: format!("urn:cdx:{serial}"),
                        purl: None,
                        name: None,
                        version: None,
                        bom_link: Some((serial, version)),
                    },
                    component: Some(component),
                });
            } else if Some(reference) == product_ref {
                if let Some(product) = &product {
                    scopes.push(Scope {
                        product: product.clone(),
                        component: None,
                    });
                }
            } else {
                let component = local
                    .get(reference)
                    .map(|c| ident_of(c))
                    .unwrap_or_else(|| Ident::from_text(reference));
                match &product {
                    Some(product) => scopes.push(Scope {
                        product: product.clone(),
                        component: Some(component),
                    }),
                    // No product named: the component is all there is.
                    None => scopes.push(Scope {
                        product: component,
                        component: None,
                    }),
                }
            }
        }
        statements.push(Statement {
            vulnerability: v.req_str("id", HINT)?.trim().to_ascii_uppercase(),
            aliases,
            scopes,
            status,
            justification,
            timestamp,
            expires,
            pointer: vp,
        });
    }
    Ok(VexDocument {
        format: "CycloneDX VEX",
        id: root.opt_str("serialNumber", HINT)?.map(str::to_owned),
        author: None,
        statements,
        wrapping: Wrapping::Plain,
        serial: root
            .opt_str("serialNumber", HINT)?
            .map(|s| s.trim_start_matches("urn:uuid:").to_ascii_lowercase()),
    })
}
