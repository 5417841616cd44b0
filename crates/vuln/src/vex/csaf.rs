//! CSAF 2.0, VEX profile: `product_tree` (branches, full product names,
//! `product_identification_helper.purl`, relationships such as
//! `default_component_of` that scope a component to a product) and
//! `vulnerabilities[].product_status` with the justification in `flags`
//! (a label) or `threats` (category `impact`).

use std::collections::HashMap;

use serde_json::Value;

use super::{EXPIRES, Ident, Scope, Statement, Status, VexDocument, Wrapping, time_at};
use crate::input::{InputError, Obj};

const HINT: &str = "write the VEX as a CSAF 2.0 document of category csaf_vex (https://docs.oasis-open.org/csaf/csaf/v2.0/)";

/// What a product id stands for.
#[derive(Debug, Clone)]
enum Product {
    Plain(Box<Ident>),
    /// A component (first) in a product (second).
    Within(Box<(Ident, Ident)>),
}

fn full_product_name(value: &Value, version_hint: Option<&str>) -> Option<(String, Ident)> {
    let id = value.get("product_id").and_then(Value::as_str)?.to_owned();
    let name = value.get("name").and_then(Value::as_str).map(str::to_owned);
    let purl = value
        .pointer("/product_identification_helper/purl")
        .and_then(Value::as_str);
    let ident = Ident {
        raw: id.clone(),
        purl: purl.and_then(|p| crate::purl::Purl::parse(p).ok()),
        name,
        version: version_hint.map(str::to_owned),
        bom_link: None,
    };
    Some((id, ident))
}

fn walk_branches(items: &[Value], version: Option<&str>, out: &mut HashMap<String, Product>) {
    for branch in items {
        let category = branch.get("category").and_then(Value::as_str).unwrap_or("");
        let name = branch.get("name").and_then(Value::as_str);
        let version = if category == "product_version" {
            name
        } else {
            version
        };
        if let Some(product) = branch.get("product")
            && let Some((id, ident)) = full_product_name(product, version)
        {
            out.insert(id, Product::Plain(Box::new(ident)));
        }
        if let Some(Value::Array(nested)) = branch.get("branches") {
            walk_branches(nested, version, out);
        }
    }
}

fn note_expiry(
    notes: &[Value],
    pointer: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, InputError> {
    notes
        .iter()
        .find(|n| n.get("title").and_then(Value::as_str) == Some(EXPIRES))
        .and_then(|n| n.get("text").and_then(Value::as_str))
        .map(|t| time_at(t, &format!("{pointer} ({EXPIRES})"), HINT))
        .transpose()
}

/// Read a CSAF 2.0 document.
pub fn read(value: &Value) -> Result<VexDocument, InputError> {
    let root = crate::input::root_object(value, "CSAF document", HINT)?;
    let document = value.get("document").unwrap_or(&Value::Null);
    let tracking_time = document
        .pointer("/tracking/current_release_date")
        .and_then(Value::as_str)
        .map(|t| time_at(t, "/document/tracking/current_release_date", HINT))
        .transpose()?;
    let doc_expires = note_expiry(
        document
            .get("notes")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice),
        "/document/notes",
    )?;
    let mut products: HashMap<String, Product> = HashMap::new();
    let tree = value.get("product_tree").unwrap_or(&Value::Null);
    if let Some(Value::Array(branches)) = tree.get("branches") {
        walk_branches(branches, None, &mut products);
    }
    if let Some(Value::Array(names)) = tree.get("full_product_names") {
        for name in names {
            if let Some((id, ident)) = full_product_name(name, None) {
                products.insert(id, Product::Plain(Box::new(ident)));
            }
        }
    }
    if let Some(Value::Array(relationships)) = tree.get("relationships") {
        for rel in relationships {
            let component = rel.get("product_reference").and_then(Value::as_str);
            let product = rel
                .get("relates_to_product_reference")
                .and_then(Value::as_str);
            let Some((id, _)) = rel
                .get("full_product_name")
                .and_then(|n| full_product_name(n, None))
            else {
                continue;
            };
            let (Some(Product::Plain(c)), Some(Product::Plain(p))) = (
                component.and_then(|c| products.get(c)).cloned(),
                product.and_then(|p| products.get(p)).cloned(),
            ) else {
                continue;
            };
            products.insert(id, Product::Within(Box::new((*c, *p))));
        }
    }
    let mut statements = Vec::new();
    for (i, vuln) in root.opt_array("vulnerabilities", HINT)?.iter().enumerate() {
        let vp = format!("/vulnerabilities/{i}");
        let v = Obj::new(vuln, &vp);
        let Some(id) = v.opt_str("cve", HINT)?.map(str::to_owned).or_else(|| {
            vuln.pointer("/ids/0/text")
                .and_then(Value::as_str)
                .map(str::to_owned)
        }) else {
            return Err(InputError::missing(
                &v.at("cve"),
                "the vulnerability's `cve` (or `ids`)",
                HINT,
            ));
        };
        let aliases: Vec<String> = v
            .opt_array("ids", HINT)?
            .iter()
            .filter_map(|i| {
                i.get("text")
                    .and_then(Value::as_str)
                    .map(|s| s.trim().to_ascii_uppercase())
            })
            .collect();
        let vuln_expires =
            note_expiry(v.opt_array("notes", HINT)?, &v.at("notes"))?.or(doc_expires);
        // Justification per product id: a flag label, else an impact threat.
        let mut justification: HashMap<String, String> = HashMap::new();
        for threat in v.opt_array("threats", HINT)? {
            if threat.get("category").and_then(Value::as_str) == Some("impact")
                && let Some(details) = threat.get("details").and_then(Value::as_str)
            {
                for pid in threat
                    .get("product_ids")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(pid) = pid.as_str() {
                        justification.insert(pid.to_owned(), details.to_owned());
                    }
                }
            }
        }
        for flag in v.opt_array("flags", HINT)? {
            if let Some(label) = flag.get("label").and_then(Value::as_str) {
                for pid in flag
                    .get("product_ids")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(pid) = pid.as_str() {
                        justification.insert(pid.to_owned(), label.to_owned());
                    }
                }
            }
        }
        let status_obj = vuln.get("product_status").unwrap_or(&Value::Null);
        for (key, status) in [
            ("known_not_affected", Status::NotAffected),
            ("fixed", Status::Fixed),
            ("first_fixed", Status::Fixed),
            ("known_affected", Status::Affected),
            ("first_affected", Status::Affected),
            ("last_affected", Status::Affected),
            ("under_investigation", Status::UnderInvestigation),
        ] {
            let Some(ids) = status_obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            for (k, pid) in ids.iter().enumerate() {
                let pointer = format!("{vp}/product_status/{key}/{k}");
                let Some(pid) = pid.as_str() else {
                    return Err(InputError::shape(&pointer, "a product id", pid, HINT));
                };
                let scope = match products.get(pid) {
                    Some(Product::Plain(p)) => Scope {
                        product: (**p).clone(),
                        component: None,
                    },
                    Some(Product::Within(pair)) => Scope {
                        product: pair.1.clone(),
                        component: Some(pair.0.clone()),
                    },
                    // An id the tree does not define names nothing here: the
                    // statement is kept and will match no product (reported
                    // as `vex-unmatched`, never silently dropped).
                    None => Scope {
                        product: Ident {
                            raw: pid.to_owned(),
                            purl: None,
                            name: None,
                            version: None,
                            bom_link: None,
                        },
                        component: None,
                    },
                };
                statements.push(Statement {
                    vulnerability: id.trim().to_ascii_uppercase(),
                    aliases: aliases.clone(),
                    scopes: vec![scope],
                    status,
                    justification: justification.get(pid).cloned(),
                    timestamp: tracking_time,
                    expires: vuln_expires,
                    pointer,
                });
            }
        }
    }
    Ok(VexDocument {
        format: "CSAF VEX",
        id: document
            .pointer("/tracking/id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        author: document
            .pointer("/publisher/name")
            .and_then(Value::as_str)
            .map(str::to_owned),
        statements,
        wrapping: Wrapping::Plain,
        serial: None,
    })
}
