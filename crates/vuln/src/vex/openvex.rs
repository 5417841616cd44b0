//! OpenVEX: 0.2.0 (`vulnerability` an object, `products[]` components with
//! `subcomponents[]`) and the 0.0.1 shape (`vulnerability` a string,
//! `products[]` strings, statement-level `subcomponents[]`).

use serde_json::Value;

use super::{EXPIRES, Ident, Scope, Statement, Status, VexDocument, Wrapping, latest, time_at};
use crate::input::{InputError, Obj};

const HINT: &str =
    "write the VEX as OpenVEX 0.2.0 (vexctl create), see https://github.com/openvex/spec";

fn status(text: &str, pointer: &str) -> Result<Status, InputError> {
    Ok(match text {
        "not_affected" => Status::NotAffected,
        "affected" => Status::Affected,
        "fixed" => Status::Fixed,
        "under_investigation" => Status::UnderInvestigation,
        other => {
            return Err(InputError::new(
                pointer,
                "one of not_affected, affected, fixed, under_investigation",
                crate::input::quote(other),
                HINT,
            ));
        }
    })
}

/// A component: a string (0.0.1) or an object with `@id` / `identifiers`.
fn ident(value: &Value, pointer: &str) -> Result<Ident, InputError> {
    match value {
        Value::String(s) => Ok(Ident::from_text(s)),
        Value::Object(_) => {
            let obj = Obj::new(value, pointer);
            let id = obj.opt_str("@id", HINT)?;
            let purl = value
                .pointer("/identifiers/purl")
                .and_then(Value::as_str)
                .or(id.filter(|i| i.starts_with("pkg:")));
            let raw = id.or(purl).ok_or_else(|| {
                InputError::missing(
                    &obj.at("@id"),
                    "a component `@id` or `identifiers.purl`",
                    HINT,
                )
            })?;
            let mut ident = Ident::from_text(purl.unwrap_or(raw));
            ident.raw = raw.to_owned();
            Ok(ident)
        }
        other => Err(InputError::shape(
            pointer,
            "a component (a string or an object)",
            other,
            HINT,
        )),
    }
}

/// Read an OpenVEX document.
pub fn read(value: &Value) -> Result<VexDocument, InputError> {
    let root = crate::input::root_object(value, "OpenVEX document", HINT)?;
    let doc_time = latest(
        root.opt_str("timestamp", HINT)?
            .map(|t| time_at(t, "/timestamp", HINT))
            .transpose()?,
        root.opt_str("last_updated", HINT)?
            .map(|t| time_at(t, "/last_updated", HINT))
            .transpose()?,
    );
    let doc_expires = root
        .opt_str(EXPIRES, HINT)?
        .map(|t| time_at(t, &root.at(EXPIRES), HINT))
        .transpose()?;
    let mut statements = Vec::new();
    for (i, s) in root.opt_array("statements", HINT)?.iter().enumerate() {
        let sp = format!("/statements/{i}");
        let st = Obj::new(s, &sp);
        let (vulnerability, aliases) = match st.get("vulnerability") {
            Some(Value::String(id)) => (id.clone(), Vec::new()),
            Some(v @ Value::Object(_)) => {
                let vp = st.at("vulnerability");
                let vo = Obj::new(v, &vp);
                let name = vo
                    .opt_str("name", HINT)?
                    .or(vo.opt_str("@id", HINT)?)
                    .ok_or_else(|| {
                        InputError::missing(
                            &vo.at("name"),
                            "the vulnerability `name` (CVE-...)",
                            HINT,
                        )
                    })?;
                let aliases = vo
                    .opt_array("aliases", HINT)?
                    .iter()
                    .filter_map(|a| a.as_str().map(str::to_owned))
                    .collect();
                (name.to_owned(), aliases)
            }
            Some(other) => {
                return Err(InputError::shape(
                    &st.at("vulnerability"),
                    "an object with `name`",
                    other,
                    HINT,
                ));
            }
            None => {
                return Err(InputError::missing(
                    &st.at("vulnerability"),
                    "`vulnerability`",
                    HINT,
                ));
            }
        };
        // A vulnerability `@id` may be a URL ending in the id.
        let vulnerability = vulnerability
            .rsplit('/')
            .next()
            .unwrap_or(&vulnerability)
            .trim()
            .to_ascii_uppercase();
        let status = status(st.req_str("status", HINT)?, &st.at("status"))?;
        let justification = st
            .opt_str("justification", HINT)?
            .or(st.opt_str("impact_statement", HINT)?)
            .map(str::to_owned);
        let statement_level_subs = st.opt_array("subcomponents", HINT)?;
        let mut scopes = Vec::new();
        for (p, product) in st.opt_array("products", HINT)?.iter().enumerate() {
            let pp = format!("{}/{p}", st.at("products"));
            let product_ident = ident(product, &pp)?;
            let subs: Vec<(String, &Value)> =
                match product.get("subcomponents").and_then(Value::as_array) {
                    Some(items) => items
                        .iter()
                        .enumerate()
                        .map(|(k, v)| (format!("{pp}/subcomponents/{k}"), v))
                        .collect(),
                    None => statement_level_subs
                        .iter()
                        .enumerate()
                        .map(|(k, v)| (format!("{}/{k}", st.at("subcomponents")), v))
                        .collect(),
                };
            if subs.is_empty() {
                scopes.push(Scope {
                    product: product_ident,
                    component: None,
                });
            } else {
                for (sub_p, sub) in subs {
                    scopes.push(Scope {
                        product: product_ident.clone(),
                        component: Some(ident(sub, &sub_p)?),
                    });
                }
            }
        }
        let timestamp = latest(
            st.opt_str("timestamp", HINT)?
                .map(|t| time_at(t, &st.at("timestamp"), HINT))
                .transpose()?,
            st.opt_str("last_updated", HINT)?
                .map(|t| time_at(t, &st.at("last_updated"), HINT))
                .transpose()?,
        )
        .or(doc_time);
        let expires = st
            .opt_str(EXPIRES, HINT)?
            .map(|t| time_at(t, &st.at(EXPIRES), HINT))
            .transpose()?
            .or(doc_expires);
        statements.push(Statement {
            vulnerability,
            aliases,
            scopes,
            status,
            justification,
            timestamp,
            expires,
            pointer: sp,
        });
    }
    Ok(VexDocument {
        format: "OpenVEX",
        id: root.opt_str("@id", HINT)?.map(str::to_owned),
        author: root.opt_str("author", HINT)?.map(str::to_owned),
        statements,
        wrapping: Wrapping::Plain,
        serial: None,
    })
}
