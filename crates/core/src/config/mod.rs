//! Configuration: the model, its schema, and the three layers.
//!
//! Layers apply in order: hub defaults ([`Config::default`]), an org overlay
//! (`--org-policy FILE`), then the repository's `.ci-intel/config.yml`. The
//! org overlay may `lock` keys; the repository may then only move a locked
//! key in its tighter direction, and an attempt to loosen it is a
//! configuration error (exit 2) that names the key and both values.

mod layers;
mod model;
mod section;
mod tighten;
mod yaml_locate;

pub use layers::{
    LayerSource, LoadedConfig, known_keys, load, load_cli, load_from_texts, lock_direction,
    parse_layer, repository_config_path,
};
pub use model::{CONFIG_VERSION, CORE_KEYS, Config, HubConfig};
pub use section::{Section, SectionError, SectionSpec, Sections};
pub use tighten::{Tighten, most_specific_pattern};

/// Where the repository's configuration lives, relative to its root.
pub const REPO_CONFIG_PATH: &str = ".ci-intel/config.yml";

/// The closest candidate to `unknown`, if one is close enough to be a typo.
pub fn did_you_mean<'a>(
    unknown: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(unknown, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_and_ignores_strangers() {
        let keys = ["enabled", "allow_empty", "records"];
        assert_eq!(did_you_mean("alow_empty", keys), Some("allow_empty"));
        assert_eq!(did_you_mean("enable", keys), Some("enabled"));
        assert_eq!(did_you_mean("zzz", keys), None);
    }
}
