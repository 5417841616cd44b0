//! Image references on the command line: `HOST[:PORT]/REPO@sha256:<hex>`
//! for a registry, `oci:DIR@sha256:<hex>` or `oci:DIR:TAG` for an OCI
//! image layout on disk (skopeo's spelling). A plain function over
//! untrusted text.

use std::path::PathBuf;

use crate::digest::{Digest, preview};

/// Where an image is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    Registry {
        /// `HOST[:PORT]`.
        registry: String,
        repository: String,
        digest: Option<Digest>,
        tag: Option<String>,
    },
    Layout {
        dir: PathBuf,
        digest: Option<Digest>,
        tag: Option<String>,
    },
}

impl ImageRef {
    pub fn digest(&self) -> Option<&Digest> {
        match self {
            ImageRef::Registry { digest, .. } | ImageRef::Layout { digest, .. } => digest.as_ref(),
        }
    }
}

/// Parse an image reference.
pub fn parse_image_ref(text: &str) -> Result<ImageRef, String> {
    if let Some(rest) = text.strip_prefix("oci:") {
        if let Some((dir, digest)) = rest.rsplit_once('@') {
            return Ok(ImageRef::Layout {
                dir: PathBuf::from(dir),
                digest: Some(Digest::parse(digest).map_err(|e| e.0)?),
                tag: None,
            });
        }
        // `oci:DIR:TAG`: the tag is after the last `:` (a directory may
        // contain `:` only before it).
        return Ok(match rest.rsplit_once(':') {
            Some((dir, tag)) if !tag.is_empty() && !tag.contains('/') => ImageRef::Layout {
                dir: PathBuf::from(dir),
                digest: None,
                tag: Some(tag.to_owned()),
            },
            _ => {
                return Err(format!(
                    "`{}`: a layout reference is oci:DIR@sha256:<hex> or oci:DIR:TAG",
                    preview(text)
                ));
            }
        });
    }
    let (name, digest) = match text.split_once('@') {
        Some((name, digest)) => (name, Some(Digest::parse(digest).map_err(|e| e.0)?)),
        None => (text, None),
    };
    let Some((registry, path)) = name.split_once('/') else {
        return Err(format!(
            "`{}`: expected HOST[:PORT]/REPOSITORY@sha256:<hex> (name the registry: ghcr.io/org/image, 127.0.0.1:5000/repo)",
            preview(text)
        ));
    };
    if !(registry.contains('.') || registry.contains(':') || registry == "localhost") {
        return Err(format!(
            "`{}`: `{}` is not a registry host; name the registry explicitly (docker.io/library/{}, ghcr.io/...)",
            preview(text),
            preview(registry),
            preview(name)
        ));
    }
    let (repository, tag) = match path.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag.to_owned())),
        _ => (path, None),
    };
    if repository.is_empty()
        || !repository
            .bytes()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' | b'/'))
        || repository.starts_with('/')
        || repository.ends_with('/')
        || repository.contains("//")
    {
        return Err(format!(
            "`{}`: repository `{}` must be lower-case letters, digits, `.`, `_`, `-` and `/`",
            preview(text),
            preview(repository)
        ));
    }
    if let Some(tag) = &tag
        && (tag.is_empty()
            || tag.len() > 128
            || !tag
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')))
    {
        return Err(format!(
            "`{}`: `{}` is not a valid tag",
            preview(text),
            preview(tag)
        ));
    }
    Ok(ImageRef::Registry {
        registry: registry.to_owned(),
        repository: repository.to_owned(),
        digest,
        tag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    #[test]
    fn registry_and_layout_references() {
        let r = parse_image_ref(&format!("127.0.0.1:5000/org/app@{D}")).unwrap();
        assert_eq!(
            r,
            ImageRef::Registry {
                registry: "127.0.0.1:5000".into(),
                repository: "org/app".into(),
                digest: Some(Digest::parse(D).unwrap()),
                tag: None
            }
        );
        let r = parse_image_ref(&format!("ghcr.io/o/a:v1@{D}")).unwrap();
        assert!(matches!(r, ImageRef::Registry { tag: Some(ref t), .. } if t == "v1"));
        let r = parse_image_ref("oci:./build/img:v2").unwrap();
        assert!(matches!(r, ImageRef::Layout { tag: Some(ref t), .. } if t == "v2"));
        assert!(
            parse_image_ref(&format!("oci:dir@{D}"))
                .unwrap()
                .digest()
                .is_some()
        );
        for bad in [
            "app@sha256:1",
            "library/app",
            "h.io/App",
            "h.io/a:b c",
            "oci:dir",
            "h.io/",
        ] {
            assert!(parse_image_ref(bad).is_err(), "{bad}");
        }
    }
}
