//! ## What it does
//! Reports job `container:` and `services:` images without an `@sha256:`
//! digest: high when there is no tag or the tag is `latest`, medium for any
//! other tag. Images chosen by an expression are not reported.
//!
//! ## Why is this bad?
//! A tag is a pointer its publisher (or whoever steals their credentials)
//! can move. The job then runs a different image, with your secrets, and
//! nothing in your repository changed.
//!
//! ## Example
//! ```yaml
//!     container: node:22
//!     services:
//!       db:
//!         image: postgres
//! ```
//!
//! ## Fix
//! ```yaml
//!     container: node:22@sha256:<digest>
//! ```
//! (`docker buildx imagetools inspect node:22` prints the digest; Renovate's
//! `docker` manager keeps it current.)
//!
//! ## Ignore
//! `# ci-intel: ignore[unpinned-images]` on the image line.

use ci_intel_core::Severity;

use super::Rule;
use crate::audit::model::{Ctx, Hit};
use crate::audit::yaml::Node;
use crate::config::Persona;

pub const RULE: Rule = Rule {
    id: "unpinned-images",
    title: "Container or service image without a digest",
    default_severity: Severity::High,
    persona: Persona::Regular,
    check,
};

fn check(ctx: &Ctx<'_>, hits: &mut Vec<Hit>) {
    for (name, _, job) in ctx.jobs() {
        let mut images: Vec<(String, &Node)> = Vec::new();
        if let Some(container) = job.get("container") {
            images.push((format!("job `{name}` container"), container));
        }
        if let Some(services) = job.get("services") {
            for (service, node) in services.entries() {
                let service = service.as_str().unwrap_or("?");
                images.push((format!("job `{name}` service `{service}`"), node));
            }
        }
        for (what, node) in images {
            let image = if node.as_str().is_some() {
                node
            } else {
                match node.get("image") {
                    Some(image) => image,
                    None => continue,
                }
            };
            let Some(text) = image.as_str() else { continue };
            if text.is_empty() || text.contains("${{") || text.contains("@sha256:") {
                continue;
            }
            let last = text.rsplit('/').next().unwrap_or(text);
            let tag = last.split_once(':').map(|(_, t)| t);
            let severity = match tag {
                None | Some("latest") => Severity::High,
                Some(_) => Severity::Medium,
            };
            hits.push(
                Hit::new(
                    RULE.id,
                    severity,
                    image.pos,
                    format!("{what}:{text}"),
                    format!(
                        "{what} uses `{text}` without an `@sha256:` digest{}",
                        if tag.is_none() {
                            " (not even a tag)"
                        } else {
                            ""
                        }
                    ),
                )
                .fix("append the digest: IMAGE:TAG@sha256:DIGEST"),
            );
        }
    }
}
